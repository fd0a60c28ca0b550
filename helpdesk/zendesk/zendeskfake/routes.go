package zendeskfake

import (
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

func errBody(title, desc string) map[string]any {
	return map[string]any{"error": title, "description": desc}
}

func notFound() map[string]any { return errBody("RecordNotFound", "Not found") }

// route answers an authenticated request; written is the ticket a write changed (0: none).
func (s *Server) route(r *http.Request, raw []byte) (status int, body any, written int64) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/api/v2/")
	if !ok {
		return http.StatusNotFound, notFound(), 0
	}
	rest = strings.TrimSuffix(rest, ".json")
	seg := strings.Split(rest, "/")
	switch {
	case r.Method == http.MethodGet && rest == "users/me":
		return http.StatusOK, map[string]any{"user": userJSON(s.opt.Me)}, 0
	case r.Method == http.MethodGet && rest == "ticket_fields":
		return http.StatusOK, map[string]any{"ticket_fields": []any{
			map[string]any{"id": 360000000001, "title": "Subject", "type": "subject"},
			map[string]any{"id": TimeFieldID, "title": "Total time spent (sec)", "type": "integer"},
			map[string]any{"id": TimeFieldID + 1, "title": "Time spent last update (sec)", "type": "integer"},
		}}, 0
	case rest == "incremental/tickets/cursor" && r.Method == http.MethodGet:
		return s.incremental(r)
	case len(seg) >= 2 && seg[0] == "tickets":
		id, err := strconv.ParseInt(seg[1], 10, 64)
		if err != nil {
			return http.StatusNotFound, notFound(), 0
		}
		switch {
		case len(seg) == 2 && r.Method == http.MethodGet:
			return s.getTicket(id, r.URL.Query().Get("include"))
		case len(seg) == 2 && r.Method == http.MethodPut:
			return s.updateTicket(id, raw)
		case len(seg) == 3 && seg[2] == "tags":
			return s.tags(id, r.Method, raw)
		case len(seg) == 3 && seg[2] == "comments" && r.Method == http.MethodGet:
			return s.listComments(id, r.URL.Query().Get("sort_order"))
		case len(seg) == 3 && seg[2] == "audits" && r.Method == http.MethodGet:
			return s.listAudits(id)
		}
	}
	return http.StatusNotFound, notFound(), 0
}

func userJSON(u User) map[string]any {
	return map[string]any{"id": u.ID, "name": u.Name, "email": u.Email, "role": u.Role}
}

// ticketJSON is a ticket as the API shows it. Call with s.mu held.
func (s *Server) ticketJSON(t *Ticket) map[string]any {
	var prio any
	if t.Priority != "" {
		prio = t.Priority
	}
	tags := slices.Clone(t.Tags)
	if tags == nil {
		tags = []string{}
	}
	return map[string]any{
		"id": t.ID, "subject": t.Subject, "status": t.Status, "priority": prio, "tags": tags,
		"requester_id": orNil(t.RequesterID), "organization_id": orNil(t.OrganizationID),
		"created_at": ts(t.CreatedAt), "updated_at": ts(t.UpdatedAt),
		"via":           map[string]any{"channel": t.Via},
		"custom_fields": []any{map[string]any{"id": TimeFieldID, "value": t.TimeSpent}},
	}
}

func (s *Server) getTicket(id int64, include string) (int, any, int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tickets[id]
	if !ok {
		return http.StatusNotFound, notFound(), 0
	}
	out := map[string]any{"ticket": s.ticketJSON(t)}
	if strings.Contains(include, "users") {
		var users []any
		if u, ok := s.users[t.RequesterID]; ok {
			users = append(users, userJSON(u))
		}
		out["users"] = users
	}
	if strings.Contains(include, "organizations") {
		var orgs []any
		if o, ok := s.orgs[t.OrganizationID]; ok {
			orgs = append(orgs, map[string]any{"id": o.ID, "name": o.Name})
		}
		out["organizations"] = orgs
	}
	return http.StatusOK, out, 0
}

// updateTicket is PUT /api/v2/tickets/{id}: priority, status, a comment, and "tags" that
// REPLACE the ticket's tags, as in Zendesk; a safe update with a stale stamp is 409.
func (s *Server) updateTicket(id int64, raw []byte) (int, any, int64) {
	var in struct {
		Ticket *struct {
			Priority     *string  `json:"priority"`
			Status       *string  `json:"status"`
			Tags         []string `json:"tags"`
			SafeUpdate   bool     `json:"safe_update"`
			UpdatedStamp string   `json:"updated_stamp"`
			Comment      *struct {
				Body   string `json:"body"`
				Public *bool  `json:"public"`
			} `json:"comment"`
		} `json:"ticket"`
	}
	if err := json.Unmarshal(raw, &in); err != nil || in.Ticket == nil {
		return http.StatusBadRequest, errBody("InvalidJSON", "want {\"ticket\": {...}}"), 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tickets[id]
	if !ok {
		return http.StatusNotFound, notFound(), 0
	}
	u := in.Ticket
	if u.SafeUpdate && !sameStamp(u.UpdatedStamp, t.UpdatedAt) {
		return http.StatusConflict, errBody("UpdateConflict", "Safe Update prevented the update due to outdated ticket data. Please fetch the latest ticket data and try again."), 0
	}
	next := *t
	if u.Priority != nil {
		switch *u.Priority {
		case "low", "normal", "high", "urgent", "":
			next.Priority = *u.Priority
		default:
			return http.StatusUnprocessableEntity, errBody("RecordInvalid", "Priority: is not valid"), 0
		}
	}
	if u.Status != nil {
		next.Status = *u.Status
	}
	if u.Tags != nil {
		next.Tags = slices.Clone(u.Tags)
	}
	s.touchLocked(&next)
	s.putLocked(next, s.opt.Me.ID)
	if u.Comment != nil {
		public := u.Comment.Public == nil || *u.Comment.Public // Zendesk's default is public
		s.addCommentLocked(Comment{TicketID: id, AuthorID: s.opt.Me.ID, Public: public, Body: u.Comment.Body,
			Via: "api", CreatedAt: next.UpdatedAt})
	}
	return http.StatusOK, map[string]any{"ticket": s.ticketJSON(s.tickets[id])}, id
}

func sameStamp(stamp string, at time.Time) bool {
	t, err := time.Parse(time.RFC3339Nano, stamp)
	return err == nil && t.Equal(at)
}

// tags is /api/v2/tickets/{id}/tags: GET lists, PUT adds, POST sets, DELETE removes.
func (s *Server) tags(id int64, method string, raw []byte) (int, any, int64) {
	var in struct {
		Tags         []string `json:"tags"`
		SafeUpdate   bool     `json:"safe_update"`
		UpdatedStamp string   `json:"updated_stamp"`
	}
	if method != http.MethodGet {
		if err := json.Unmarshal(raw, &in); err != nil {
			return http.StatusBadRequest, errBody("InvalidJSON", err.Error()), 0
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tickets[id]
	if !ok {
		return http.StatusNotFound, notFound(), 0
	}
	if method == http.MethodGet {
		return http.StatusOK, map[string]any{"tags": slices.Clone(t.Tags)}, 0
	}
	if in.SafeUpdate && !sameStamp(in.UpdatedStamp, t.UpdatedAt) {
		return http.StatusConflict, errBody("UpdateConflict", "Safe Update prevented the update due to outdated ticket data. Please fetch the latest ticket data and try again."), 0
	}
	next := *t
	next.Tags = slices.Clone(t.Tags)
	switch method {
	case http.MethodPut:
		for _, tag := range in.Tags {
			if !slices.Contains(next.Tags, tag) {
				next.Tags = append(next.Tags, tag)
			}
		}
	case http.MethodPost:
		next.Tags = slices.Clone(in.Tags)
	case http.MethodDelete:
		next.Tags = slices.DeleteFunc(next.Tags, func(t string) bool { return slices.Contains(in.Tags, t) })
	default:
		return http.StatusMethodNotAllowed, errBody("MethodNotAllowed", method), 0
	}
	if slices.Equal(next.Tags, t.Tags) {
		return http.StatusOK, map[string]any{"tags": next.Tags}, 0
	}
	s.touchLocked(&next)
	s.putLocked(next, s.opt.Me.ID)
	return http.StatusOK, map[string]any{"tags": next.Tags}, id
}

func (s *Server) listComments(id int64, order string) (int, any, int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.tickets[id]; !ok {
		return http.StatusNotFound, notFound(), 0
	}
	cs := slices.Clone(s.comments[id])
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].CreatedAt.Before(cs[j].CreatedAt) })
	if order == "desc" {
		slices.Reverse(cs)
	}
	out := make([]any, 0, len(cs))
	users := map[int64]bool{}
	var userList []any
	for _, c := range cs {
		out = append(out, map[string]any{"id": c.ID, "author_id": c.AuthorID, "public": c.Public, "body": c.Body,
			"created_at": ts(c.CreatedAt), "via": map[string]any{"channel": c.Via}})
		if u, ok := s.users[c.AuthorID]; ok && !users[c.AuthorID] {
			users[c.AuthorID] = true
			userList = append(userList, userJSON(u))
		}
	}
	return http.StatusOK, map[string]any{"comments": out, "users": userList, "next_page": nil}, 0
}

func (s *Server) listAudits(id int64) (int, any, int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.tickets[id]; !ok {
		return http.StatusNotFound, notFound(), 0
	}
	var out []any
	for _, a := range s.audits[id] {
		evs := make([]any, 0, len(a.Events))
		for _, e := range a.Events {
			evs = append(evs, map[string]any{"type": e.Type, "field_name": e.FieldName, "value": e.Value,
				"previous_value": e.PreviousValue})
		}
		out = append(out, map[string]any{"id": a.ID, "ticket_id": a.TicketID, "author_id": a.AuthorID,
			"created_at": ts(a.CreatedAt), "events": evs})
	}
	return http.StatusOK, map[string]any{"audits": out, "next_page": nil}, 0
}

// incremental is the cursor-based incremental ticket export: tickets whose updated_at is
// at or after start_time (unix s) — or after the cursor's position — oldest first, at most
// per_page (default and most 1000), with after_cursor and end_of_stream. As in Zendesk,
// a start_time less than a minute old is refused, the last minute's changes are left out
// (the cursor gets them later), and after_cursor is a position even on an empty page.
// The fake's cursor is "<updated_at ms>_<ticket id>" (Zendesk's is opaque).
func (s *Server) incremental(r *http.Request) (int, any, int64) {
	q := r.URL.Query()
	per := 1000
	if n, err := strconv.Atoi(q.Get("per_page")); err == nil && n > 0 && n < per {
		per = n
	}
	now := s.opt.Clock().UTC()
	var from time.Time
	var afterID int64 = -1
	if c := q.Get("cursor"); c != "" {
		ms, id, ok := strings.Cut(c, "_")
		n, err1 := strconv.ParseInt(ms, 10, 64)
		i, err2 := strconv.ParseInt(id, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			return http.StatusBadRequest, errBody("InvalidCursor", "The cursor is not valid"), 0
		}
		from, afterID = time.UnixMilli(n).UTC(), i
	} else {
		n, err := strconv.ParseInt(q.Get("start_time"), 10, 64)
		if err != nil {
			return http.StatusBadRequest, errBody("InvalidValue", "start_time is required"), 0
		}
		from = time.Unix(n, 0).UTC()
		if from.After(now.Add(-time.Minute)) {
			return http.StatusBadRequest, errBody("InvalidValue", "Too recent start_time. Use a start_time older than 1 minute"), 0
		}
	}
	until := now.Add(-time.Minute)
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []*Ticket
	for _, t := range s.tickets {
		if t.UpdatedAt.Before(from) || (t.UpdatedAt.Equal(from) && t.ID <= afterID) || t.UpdatedAt.After(until) {
			continue
		}
		all = append(all, t)
	}
	sort.Slice(all, func(i, j int) bool {
		if !all[i].UpdatedAt.Equal(all[j].UpdatedAt) {
			return all[i].UpdatedAt.Before(all[j].UpdatedAt)
		}
		return all[i].ID < all[j].ID
	})
	end := len(all) <= per
	if !end {
		all = all[:per]
	}
	out := make([]any, 0, len(all))
	var users, orgs []any
	for _, t := range all {
		out = append(out, s.ticketJSON(t))
		if u, ok := s.users[t.RequesterID]; ok {
			users = append(users, userJSON(u))
		}
		if o, ok := s.orgs[t.OrganizationID]; ok {
			orgs = append(orgs, map[string]any{"id": o.ID, "name": o.Name})
		}
	}
	pos, posID := from, afterID
	if len(all) > 0 {
		pos, posID = all[len(all)-1].UpdatedAt, all[len(all)-1].ID
	}
	cursor := strconv.FormatInt(pos.UnixMilli(), 10) + "_" + strconv.FormatInt(max(posID, 0), 10)
	if posID < 0 {
		cursor = strconv.FormatInt(pos.UnixMilli()-1, 10) + "_" + strconv.FormatInt(1<<62, 10)
	}
	return http.StatusOK, map[string]any{"tickets": out, "users": users, "organizations": orgs,
		"after_cursor": cursor, "after_url": s.URL + "/api/v2/incremental/tickets/cursor.json?cursor=" + cursor,
		"end_of_stream": end}, 0
}
