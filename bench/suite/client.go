package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
)

var client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
	MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute}}

const (
	customerID = 12
	agentID    = 7
)

// compact is a request the fake Zammad recorded (see bench/fakezammad).
type compact struct {
	I      int            `json:"i"`
	Method string         `json:"m"`
	Path   string         `json:"p"`
	Status int            `json:"s"`
	AtNano int64          `json:"at"`
	Body   map[string]any `json:"b"`
}

func (c compact) ok() bool      { return c.Status >= 200 && c.Status < 300 }
func (c compact) at() time.Time { return time.Unix(0, c.AtNano) }

// ticketID is the ticket a write-back was about ("" for reads and others).
func (c compact) ticketID() string {
	switch {
	case c.Method == http.MethodPost && c.Path == "/api/v1/tags/add":
		return fmt.Sprint(c.Body["o_id"])
	case c.Method == http.MethodPut && strings.HasPrefix(c.Path, "/api/v1/tickets/"):
		return strings.TrimPrefix(c.Path, "/api/v1/tickets/")
	case c.Method == http.MethodPost && c.Path == "/api/v1/ticket_articles":
		return fmt.Sprint(c.Body["ticket_id"])
	}
	return ""
}

// kinds are the marks one successful write carried: tag:X, priority:X, note, reply.
func (c compact) kinds() []string {
	var out []string
	switch {
	case c.Method == http.MethodPost && c.Path == "/api/v1/tags/add":
		out = append(out, "tag:"+fmt.Sprint(c.Body["item"]))
	case c.Method == http.MethodPut && strings.HasPrefix(c.Path, "/api/v1/tickets/"):
		if p, ok := c.Body["priority"]; ok {
			out = append(out, "priority:"+fmt.Sprint(p))
		}
		if _, ok := c.Body["article"].(map[string]any); ok {
			out = append(out, "note")
		}
	case c.Method == http.MethodPost && c.Path == "/api/v1/ticket_articles":
		out = append(out, "reply")
	}
	return out
}

// fetch brings s.requests up to date with the fake's record.
func (s *stack) fetch() error {
	resp, err := client.Get(fmt.Sprintf("%s/_requests?since=%d", s.fakeURL, len(s.requests)))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var more []compact
	if err := json.NewDecoder(resp.Body).Decode(&more); err != nil {
		return fmt.Errorf("fakezammad /_requests: %w", err)
	}
	s.requests = append(s.requests, more...)
	return nil
}

// writes lists, per ticket, the marks of its successful write-backs in arrival order.
func (s *stack) writes() map[string][]string {
	out := map[string][]string{}
	for _, r := range s.requests {
		if id := r.ticketID(); id != "" && r.ok() {
			out[id] = append(out[id], r.kinds()...)
		}
	}
	return out
}

func (s *stack) fakeStats() map[string]int64 {
	var m map[string]int64
	_ = s.do(http.MethodGet, s.fakeURL+"/_stats", nil, &m)
	return m
}

// do sends a JSON request (admin token for slaguard's API) and decodes the answer.
func (s *stack) do(method, url string, body, out any) int {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, r)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil {
		_ = json.Unmarshal(raw, out)
	}
	return resp.StatusCode
}

func (s *stack) addTickets(ts []zammadfake.Ticket) error {
	for len(ts) > 0 {
		n := min(len(ts), 2000)
		if code := s.do(http.MethodPost, s.fakeURL+"/_tickets", ts[:n], nil); code != http.StatusNoContent {
			return fmt.Errorf("fakezammad /_tickets: %d", code)
		}
		ts = ts[n:]
	}
	return nil
}

func (s *stack) fault(f *zammadfake.Fault) {
	if f == nil {
		s.do(http.MethodDelete, s.fakeURL+"/_fault", nil, nil)
		return
	}
	s.do(http.MethodPost, s.fakeURL+"/_fault", f, nil)
}

func (s *stack) contract(c map[string]any) error {
	if code := s.do(http.MethodPost, s.webURL+"/api/v1/contracts", c, nil); code != http.StatusCreated {
		return fmt.Errorf("POST /api/v1/contracts: %d", code)
	}
	return nil
}

// events is how many events slaguard's ticket log holds for a ticket (-1: no view).
func (s *stack) events(id int) int {
	var v struct {
		Events []json.RawMessage `json:"events"`
	}
	if code := s.do(http.MethodGet, fmt.Sprintf("%s/api/v1/tickets/zammad/%d", s.webURL, id), nil, &v); code != http.StatusOK {
		return -1
	}
	return len(v.Events)
}

// deliver posts one signed webhook; status 0 means no answer.
func (s *stack) deliver(p zammadfake.Payload, delivery string) int {
	body := p.JSON()
	req, _ := http.NewRequest(http.MethodPost, s.webURL+"/webhooks/zammad", bytes.NewReader(body))
	req.Header = zammadfake.Headers(body, webhookSecret, delivery, "slaguard: any change")
	resp, err := client.Do(req)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// metrics scrapes a Prometheus text page into series → value (histogram buckets too).
func metrics(url string) map[string]float64 {
	out := map[string]float64{}
	resp, err := client.Get(url + "/metrics")
	if err != nil {
		return out
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			out[line[:i]] = v
		}
	}
	return out
}

// sumPrefix adds every series whose name starts with prefix.
func sumPrefix(m map[string]float64, prefix string) float64 {
	t := 0.0
	for k, v := range m {
		if strings.HasPrefix(k, prefix) {
			t += v
		}
	}
	return t
}

// histQuantile estimates quantile q of a Prometheus histogram by linear interpolation
// inside its buckets, as histogram_quantile does; it also returns the upper bound of the
// highest non-empty bucket (the max is at most that).
func histQuantile(m map[string]float64, name string, q float64) (v, maxBound float64) {
	type b struct{ le, n float64 }
	var bs []b
	for k, n := range m {
		if !strings.HasPrefix(k, name+"_bucket{") {
			continue
		}
		i := strings.Index(k, `le="`)
		le := k[i+4 : strings.Index(k[i+4:], `"`)+i+4]
		f, _ := strconv.ParseFloat(le, 64) // "+Inf" parses to +Inf
		bs = append(bs, b{f, n})
	}
	sort.Slice(bs, func(i, j int) bool { return bs[i].le < bs[j].le })
	if len(bs) == 0 || bs[len(bs)-1].n == 0 {
		return 0, 0
	}
	total := bs[len(bs)-1].n
	rank := q * total
	prevLe, prevN := 0.0, 0.0
	v = -1
	for _, x := range bs {
		if v < 0 && x.n >= rank {
			if x.n == prevN {
				v = x.le
			} else {
				v = prevLe + (x.le-prevLe)*(rank-prevN)/(x.n-prevN)
			}
		}
		if x.n > prevN {
			maxBound = x.le
		}
		prevLe, prevN = x.le, x.n
	}
	return v, maxBound
}

// quantiles of ds (sorted in place): p50, p99, max.
func quantiles(ds []time.Duration) (p50, p99, mx time.Duration) {
	if len(ds) == 0 {
		return
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	q := func(f float64) time.Duration { return ds[int(f*float64(len(ds)-1)+0.5)] }
	return q(0.5), q(0.99), ds[len(ds)-1]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

// eventually polls cond every 200 ms until it holds or limit passes.
func eventually(limit time.Duration, cond func() bool) bool {
	end := time.Now().Add(limit)
	for {
		if cond() {
			return true
		}
		if time.Now().After(end) {
			return false
		}
		time.Sleep(200 * time.Millisecond)
	}
}
