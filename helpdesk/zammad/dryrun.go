package zammad

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
)

// DryRunBaseURL is the Zammad a dry run pretends to write to; nothing resolves it.
const DryRunBaseURL = "https://zammad.dry-run.invalid"

// DryRunClient is an HTTP client that sends nothing: it logs each request the adapter
// would make to Zammad — method, path and JSON body — and answers as a stock Zammad
// would (200, a ticket whose customer is user 1, that user's address), so a trial run
// shows the exact write-backs. Never used when ZAMMAD_URL is set.
func DryRunClient(log *slog.Logger) *http.Client {
	return &http.Client{Transport: dryRunTransport{log: log}}
}

type dryRunTransport struct{ log *slog.Logger }

var (
	dryTicket = regexp.MustCompile(`^/api/v1/tickets/(\d+)$`)
	dryUser   = regexp.MustCompile(`^/api/v1/users/(\d+)$`)
)

func (d dryRunTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body.Close()
	}
	attrs := []slog.Attr{slog.String("method", r.Method), slog.String("path", r.URL.Path)}
	if len(body) > 0 {
		attrs = append(attrs, slog.String("body", string(body)))
	}
	level := slog.LevelInfo
	if r.Method == http.MethodGet {
		level = slog.LevelDebug // reads change nothing; the writes are what a trial wants to see
	}
	d.log.LogAttrs(r.Context(), level, "dry run: request not sent (no ZAMMAD_URL)", attrs...)
	answer := "{}"
	switch p := r.URL.Path; {
	case r.Method == http.MethodGet && dryTicket.MatchString(p):
		answer = `{"id":` + dryTicket.FindStringSubmatch(p)[1] + `,"customer_id":1}`
	case r.Method == http.MethodGet && dryUser.MatchString(p):
		answer = `{"id":1,"email":"customer@dry-run.invalid"}`
	case strings.HasSuffix(p, "/time_accountings"):
		answer = "[]"
	case strings.HasSuffix(p, "/tags/add"):
		answer = "true"
	}
	return &http.Response{
		StatusCode: http.StatusOK, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:  http.Header{"Content-Type": {"application/json"}},
		Body:    io.NopCloser(bytes.NewReader([]byte(answer))),
		Request: r,
	}, nil
}
