package freshdeskfake

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

func notFound() map[string]any {
	return map[string]any{"code": "not_found", "message": "Record Not Found"}
}

func invalid(field, msg string) map[string]any {
	return map[string]any{"description": "Validation failed", "errors": []any{
		map[string]any{"field": field, "message": msg, "code": "invalid_value"}}}
}

// route answers an authenticated request; written is the ticket a write changed.
func (s *Server) route(r *http.Request, raw []byte) (int, any, int64) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/api/v2/")
	if !ok {
		return http.StatusNotFound, notFound(), 0
	}
	seg := strings.Split(rest, "/")
	switch {
	case r.Method == http.MethodGet && rest == "agents/me":
		return http.StatusOK, map[string]any{"id": s.opt.Me.ID, "contact": map[string]any{"email": s.opt.Me.Email}}, 0
	case r.Method == http.MethodGet && rest == "tickets":
		return s.list(r)
	case r.Method == http.MethodGet && rest == "time_entries":
		return s.allTimeEntries(r)
	case len(seg) >= 2 && seg[0] == "tickets":
		id, err := strconv.ParseInt(seg[1], 10, 64)
		if err != nil {
			return http.StatusNotFound, notFound(), 0
		}
		switch {
		case len(seg) == 2 && r.Method == http.MethodGet:
			return s.get(id, r.URL.Query().Get("include"))
		case len(seg) == 2 && r.Method == http.MethodPut:
			return s.update(id, raw)
		case len(seg) == 3 && seg[2] == "conversations" && r.Method == http.MethodGet:
			return s.conversations(id, r)
		case len(seg) == 3 && seg[2] == "notes" && r.Method == http.MethodPost:
			return s.note(id, raw, true)
		case len(seg) == 3 && seg[2] == "reply" && r.Method == http.MethodPost:
			return s.note(id, raw, false)
		case len(seg) == 3 && seg[2] == "time_entries" && r.Method == http.MethodGet:
			return s.timeEntries(id)
		}
	}
	return http.StatusNotFound, notFound(), 0
}

// ticketJSON is a ticket as the API shows it. Call with s.mu held.
func (s *Server) ticketJSON(t *Ticket, include string) map[string]any {
	tags := slices.Clone(t.Tags)
	if tags == nil {
		tags = []string{}
	}
	m := map[string]any{"id": t.ID, "subject": t.Subject, "description_text": t.Description,
		"description": "<div>" + t.Description + "</div>", "status": t.Status, "priority": t.Priority,
		"source": t.Source, "tags": tags, "requester_id": orNil(t.RequesterID), "company_id": orNil(t.CompanyID),
		"created_at": ts(t.CreatedAt), "updated_at": ts(t.UpdatedAt)}
	if strings.Contains(include, "requester") {
		c := s.contacts[t.RequesterID]
		m["requester"] = map[string]any{"id": c.ID, "name": c.Name, "email": c.Email}
	}
	if strings.Contains(include, "company") {
		if c, ok := s.companies[t.CompanyID]; ok {
			m["company"] = map[string]any{"id": c.ID, "name": c.Name}
		}
	}
	if strings.Contains(include, "stats") {
		var fr any
		if t.FirstRespondedAt != nil {
			fr = ts(*t.FirstRespondedAt)
		}
		var pending any
		if t.Status == 3 {
			pending = ts(t.StatusUpdatedAt)
		}
		m["stats"] = map[string]any{"first_responded_at": fr, "resolved_at": nil, "closed_at": nil,
			"status_updated_at": ts(t.StatusUpdatedAt), "pending_since": pending}
	}
	return m
}

func (s *Server) get(id int64, include string) (int, any, int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tickets[id]
	if !ok {
		return http.StatusNotFound, notFound(), 0
	}
	return http.StatusOK, s.ticketJSON(t, include), 0
}

// update is PUT /api/v2/tickets/{id}; "tags" replaces the ticket's tags, as in Freshdesk.
func (s *Server) update(id int64, raw []byte) (int, any, int64) {
	var in struct {
		Priority *int     `json:"priority"`
		Status   *int     `json:"status"`
		Tags     []string `json:"tags"`
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		return http.StatusBadRequest, invalid("body", "invalid JSON"), 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tickets[id]
	if !ok {
		return http.StatusNotFound, notFound(), 0
	}
	if in.Priority != nil {
		if *in.Priority < 1 || *in.Priority > 4 {
			return http.StatusBadRequest, invalid("priority", "It should be one of these values: '1,2,3,4'"), 0
		}
		t.Priority = *in.Priority
	}
	statusChanged := in.Status != nil && *in.Status != t.Status
	if in.Status != nil {
		t.Status = *in.Status
	}
	if in.Tags != nil {
		t.Tags = slices.Clone(in.Tags)
	}
	s.touchLocked(t)
	if statusChanged {
		t.StatusUpdatedAt = t.UpdatedAt
	}
	return http.StatusOK, s.ticketJSON(t, ""), id
}

func (s *Server) note(id int64, raw []byte, note bool) (int, any, int64) {
	var in struct {
		Body    string `json:"body"`
		Private *bool  `json:"private"`
	}
	if err := json.Unmarshal(raw, &in); err != nil || in.Body == "" {
		return http.StatusBadRequest, invalid("body", "It should not be blank as this is a mandatory field"), 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tickets[id]
	if !ok {
		return http.StatusNotFound, notFound(), 0
	}
	c := Conversation{TicketID: id, UserID: s.opt.Me.ID, Body: in.Body}
	if note {
		c.Source, c.Private = 2, in.Private == nil || *in.Private // notes are private unless told
	}
	s.touchLocked(t)
	c.CreatedAt = t.UpdatedAt
	c = s.addConvLocked(c)
	return http.StatusCreated, map[string]any{"id": c.ID, "body": c.Body, "private": c.Private,
		"ticket_id": id, "created_at": ts(c.CreatedAt)}, id
}

func (s *Server) conversations(id int64, r *http.Request) (int, any, int64) {
	page, per := paging(r.URL.Query())
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.tickets[id]; !ok {
		return http.StatusNotFound, notFound(), 0
	}
	cs := slices.Clone(s.convs[id])
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].CreatedAt.Before(cs[j].CreatedAt) })
	out := []any{}
	for i := (page - 1) * per; i < len(cs) && i < page*per; i++ {
		c := cs[i]
		out = append(out, map[string]any{"id": c.ID, "body": c.Body, "body_text": bodyText(c.Body), "incoming": c.Incoming, "private": c.Private,
			"user_id": c.UserID, "source": c.Source, "ticket_id": id, "created_at": ts(c.CreatedAt)})
	}
	return http.StatusOK, out, 0
}

func (s *Server) timeEntries(id int64) (int, any, int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.tickets[id]; !ok {
		return http.StatusNotFound, notFound(), 0
	}
	out := []any{}
	for _, e := range s.times[id] {
		out = append(out, timeEntryJSON(e))
	}
	return http.StatusOK, out, 0
}

// paging reads a listing's page (from 1) and per_page (30 unless 1 to 100), as
// Freshdesk does.
func paging(q url.Values) (page, per int) {
	page, _ = strconv.Atoi(q.Get("page"))
	per, _ = strconv.Atoi(q.Get("per_page"))
	if page < 1 {
		page = 1
	}
	if per < 1 || per > 100 {
		per = 30
	}
	return page, per
}

func timeEntryJSON(e TimeEntry) map[string]any {
	return map[string]any{"id": e.ID, "ticket_id": e.TicketID, "agent_id": e.AgentID, "time_spent": e.TimeSpent,
		"billable": e.Billable, "note": "", "executed_at": ts(e.ExecutedAt), "start_time": ts(e.ExecutedAt),
		"created_at": ts(e.CreatedAt), "updated_at": ts(e.CreatedAt), "timer_running": false}
}

// allTimeEntries is GET /api/v2/time_entries, the account's time entries, filtered as
// Freshdesk filters them (executed_after, executed_before, agent_id, billable; a date it
// cannot read is 400) and paged with page and per_page (30 by default, 100 at most). It
// lists them by executed_at, then id; Freshdesk documents no order.
func (s *Server) allTimeEntries(r *http.Request) (int, any, int64) {
	q := r.URL.Query()
	var after, before time.Time
	for name, t := range map[string]*time.Time{"executed_after": &after, "executed_before": &before} {
		if v := q.Get(name); v != "" {
			var err error
			if *t, err = time.Parse(time.RFC3339Nano, v); err != nil {
				return http.StatusBadRequest, invalid(name, fmt.Sprintf("invalid date %q", v)), 0
			}
		}
	}
	page, per := paging(q)
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []TimeEntry
	for _, es := range s.times {
		for _, e := range es {
			switch {
			case !after.IsZero() && e.ExecutedAt.Before(after),
				!before.IsZero() && e.ExecutedAt.After(before),
				q.Has("agent_id") && q.Get("agent_id") != strconv.FormatInt(e.AgentID, 10),
				q.Has("billable") && q.Get("billable") != strconv.FormatBool(e.Billable):
				continue
			}
			all = append(all, e)
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if !all[i].ExecutedAt.Equal(all[j].ExecutedAt) {
			return all[i].ExecutedAt.Before(all[j].ExecutedAt)
		}
		return all[i].ID < all[j].ID
	})
	out := []any{}
	for i := (page - 1) * per; i < len(all) && i < page*per; i++ {
		out = append(out, timeEntryJSON(all[i]))
	}
	return http.StatusOK, out, 0
}

// list is GET /api/v2/tickets?updated_since=…&order_by=updated_at&order_type=asc; a page
// beyond the cap (Options.MaxPage, Freshdesk's 300) is 400, as in Freshdesk.
func (s *Server) list(r *http.Request) (int, any, int64) {
	q := r.URL.Query()
	page, per := paging(q)
	if page > s.opt.MaxPage {
		return http.StatusBadRequest, invalid("page", fmt.Sprintf("It should be less than or equal to %d", s.opt.MaxPage)), 0
	}
	since := s.opt.Clock().UTC().AddDate(0, 0, -30)
	if v := q.Get("updated_since"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return http.StatusBadRequest, invalid("updated_since", fmt.Sprintf("invalid date %q", v)), 0
		}
		since = t
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []*Ticket
	for _, t := range s.tickets {
		if !t.UpdatedAt.Before(since) {
			all = append(all, t)
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if !all[i].UpdatedAt.Equal(all[j].UpdatedAt) {
			return all[i].UpdatedAt.Before(all[j].UpdatedAt)
		}
		return all[i].ID < all[j].ID
	})
	if q.Get("order_type") == "desc" {
		slices.Reverse(all)
	}
	out := []any{}
	for i := (page - 1) * per; i < len(all) && i < page*per; i++ {
		out = append(out, s.ticketJSON(all[i], q.Get("include")))
	}
	return http.StatusOK, out, 0
}

// bodyText is an HTML body as Freshdesk's body_text gives it: line breaks for <br>, tags
// dropped, entities decoded.
func bodyText(body string) string {
	body = strings.NewReplacer("<br>", "\n", "<br/>", "\n", "<br />", "\n").Replace(body)
	return html.UnescapeString(tagPattern.ReplaceAllString(body, ""))
}

var tagPattern = regexp.MustCompile(`<[^>]*>`)
