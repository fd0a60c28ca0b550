package zammadfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

type zerr map[string]string

func notFound(what string, id any) (int, any) {
	msg := fmt.Sprintf("Couldn't find %s with 'id'=%v", what, id)
	return http.StatusNotFound, zerr{"error": msg, "error_human": msg}
}

func unprocessable(msg string) (int, any) {
	return http.StatusUnprocessableEntity, zerr{"error": msg, "error_human": msg}
}

// route answers an authenticated request.
func (s *Server) route(r *http.Request, raw []byte) (int, any) {
	path := strings.TrimSuffix(r.URL.Path, "/")
	rest, ok := strings.CutPrefix(path, "/api/v1/")
	if !ok {
		return http.StatusNotFound, zerr{"error": "No route matches [" + r.Method + "] " + r.URL.Path}
	}
	seg := strings.Split(rest, "/")
	if s.opt.NoAgent && rest != "users/me" {
		return http.StatusForbidden, zerr{"error": "Not authorized (token)!", "error_human": "Not authorized (token)!"}
	}
	switch {
	case r.Method == http.MethodGet && rest == "users/me":
		return http.StatusOK, userJSON(s.opt.Me)
	case r.Method == http.MethodGet && len(seg) == 2 && seg[0] == "users":
		return s.getUser(seg[1])
	case r.Method == http.MethodGet && rest == "ticket_priorities":
		return s.listPriorities()
	case r.Method == http.MethodGet && rest == "tickets":
		return s.listTicketIDs()
	case r.Method == http.MethodGet && len(seg) == 2 && seg[0] == "tickets" && seg[1] != "search":
		return s.onTicket(seg[1], s.getTicket)
	case r.Method == http.MethodPut && len(seg) == 2 && seg[0] == "tickets":
		return s.updateTicket(seg[1], raw)
	case r.Method == http.MethodGet && len(seg) == 3 && seg[0] == "tickets" && seg[2] == "time_accountings":
		return s.onTicket(seg[1], s.listTimeAccountings)
	case r.Method == http.MethodPost && rest == "ticket_articles":
		return s.createArticle(raw)
	case r.Method == http.MethodPost && rest == "tags/add":
		return s.addTag(raw)
	case r.Method == http.MethodDelete && rest == "tags/remove":
		return s.removeTag(raw)
	case (r.Method == http.MethodGet || r.Method == http.MethodPost) && rest == "tickets/search":
		return s.search(r, raw)
	case r.Method == http.MethodGet && len(seg) == 2 && seg[0] == "ticket_history":
		return s.onTicket(seg[1], s.ticketHistory)
	case r.Method == http.MethodGet && len(seg) == 3 && seg[0] == "ticket_articles" && seg[1] == "by_ticket":
		return s.onTicket(seg[2], s.articlesByTicket)
	case r.Method == http.MethodGet && rest == "tags":
		return s.listTags(r.URL.Query().Get("object"), r.URL.Query().Get("o_id"))
	}
	return http.StatusNotFound, zerr{"error": "No route matches [" + r.Method + "] " + r.URL.Path}
}

func (s *Server) getUser(idStr string) (int, any) {
	id, _ := strconv.Atoi(idStr)
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	if !ok {
		return notFound("User", idStr)
	}
	return http.StatusOK, userJSON(u)
}

func userJSON(u User) map[string]any {
	return map[string]any{"id": u.ID, "login": u.Login, "email": u.Email, "firstname": u.Firstname,
		"lastname": u.Lastname, "active": true}
}

func (s *Server) listPriorities() (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]map[string]any, 0, len(s.priorities))
	for _, p := range s.priorities {
		out = append(out, map[string]any{"id": p.ID, "name": p.Name, "active": p.Active,
			"default_create": p.DefaultCreate, "ui_color": nil, "ui_icon": nil, "note": nil})
	}
	return http.StatusOK, out
}

// onTicket answers a request about ticket idStr with answer, under the fake's lock, or
// with Zammad's 404 when there is no such ticket.
func (s *Server) onTicket(idStr string, answer func(*ticketState) (int, any)) (int, any) {
	id, _ := strconv.Atoi(idStr)
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.tickets[id]
	if !ok {
		return notFound("Ticket", idStr)
	}
	return answer(st)
}

func (s *Server) getTicket(st *ticketState) (int, any) {
	return http.StatusOK, s.ticketJSON(st.t)
}

// ticketJSON is a ticket as Zammad's REST API shows it without expand: ids, not objects.
// Call with s.mu held.
func (s *Server) ticketJSON(t Ticket) map[string]any {
	return map[string]any{
		"id": t.ID, "number": t.Number, "title": t.Title, "group_id": 1,
		"state_id": orNil(stateIDs[t.State]), "priority_id": orNil(s.priorityID(t.Priority)),
		"organization_id": orNil(t.OrganizationID), "customer_id": orNil(t.CustomerID),
		"owner_id": orNil(t.OwnerID), "created_by_id": orNil(t.CreatedByID),
		"updated_by_id": orNil(t.UpdatedByID), "created_at": ts(t.CreatedAt), "updated_at": ts(t.UpdatedAt),
		"article_count": len(t.ArticleIDs), "first_response_at": tsPtr(t.FirstResponseAt),
		"close_at": tsPtr(t.CloseAt), "pending_time": tsPtr(t.PendingTime),
	}
}

func (s *Server) priorityID(name string) int {
	for _, p := range s.priorities {
		if p.Name == name {
			return p.ID
		}
	}
	return 0
}

// ticketFor returns the ticket a write goes to, creating it unless Strict. Call with s.mu held.
func (s *Server) ticketFor(id int) (*ticketState, bool) {
	if st, ok := s.tickets[id]; ok {
		return st, true
	}
	if s.opt.Strict || id <= 0 {
		return nil, false
	}
	now := s.opt.Clock().UTC()
	return s.addTicketLocked(Ticket{ID: id, Title: "ticket " + strconv.Itoa(id), CreatedAt: now}), true
}

type articleIn struct {
	TicketID    json.Number `json:"ticket_id"`
	Subject     string      `json:"subject"`
	Body        string      `json:"body"`
	Internal    *bool       `json:"internal"`
	Type        string      `json:"type"`
	Sender      string      `json:"sender"`
	To          string      `json:"to"`
	ContentType string      `json:"content_type"`
	TimeUnit    json.Number `json:"time_unit"`
}

func (s *Server) updateTicket(idStr string, raw []byte) (int, any) {
	var in struct {
		Priority   *string         `json:"priority"`
		PriorityID *int            `json:"priority_id"`
		State      *string         `json:"state"`
		Title      *string         `json:"title"`
		Article    json.RawMessage `json:"article"`
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		return unprocessable("invalid JSON: " + err.Error())
	}
	id, err := strconv.Atoi(idStr)
	if err != nil {
		return notFound("Ticket", idStr)
	}
	s.mu.Lock()
	st, ok := s.ticketFor(id)
	if !ok {
		s.mu.Unlock()
		return notFound("Ticket", idStr)
	}
	next := st.t
	if in.Priority != nil {
		if s.priorityID(*in.Priority) == 0 {
			s.mu.Unlock()
			return unprocessable(fmt.Sprintf("No lookup value found for 'priority': %q", *in.Priority))
		}
		next.Priority = *in.Priority
	}
	if in.PriorityID != nil {
		found := false
		for _, p := range s.priorities {
			if p.ID == *in.PriorityID {
				next.Priority, found = p.Name, true
			}
		}
		if !found {
			s.mu.Unlock()
			return unprocessable(fmt.Sprintf("No lookup value found for 'priority_id': %d", *in.PriorityID))
		}
	}
	if in.State != nil {
		if _, known := stateIDs[*in.State]; !known {
			s.mu.Unlock()
			return unprocessable(fmt.Sprintf("No lookup value found for 'state': %q", *in.State))
		}
		next.State = *in.State
	}
	if in.Title != nil {
		next.Title = *in.Title
	}
	var art *Article
	if a := strings.TrimSpace(string(in.Article)); a != "" && a != "null" {
		var ai articleIn
		if err := json.Unmarshal(in.Article, &ai); err != nil {
			s.mu.Unlock()
			return unprocessable("invalid article: " + err.Error())
		}
		art = s.newArticleLocked(st, ai)
	}
	next.UpdatedAt = s.opt.Clock().UTC()
	next.UpdatedByID = s.opt.Me.ID
	next.ArticleIDs = st.t.ArticleIDs
	old := st.t
	st.t = next
	s.recordChangesLocked(st, old)
	out := s.ticketJSON(st.t)
	s.afterWriteLocked(st, art)
	s.mu.Unlock()
	return http.StatusOK, out
}

func (s *Server) createArticle(raw []byte) (int, any) {
	var ai articleIn
	if err := json.Unmarshal(raw, &ai); err != nil {
		return unprocessable("invalid JSON: " + err.Error())
	}
	id, err := strconv.Atoi(ai.TicketID.String())
	if err != nil || id <= 0 {
		return unprocessable("Need ticket_id!")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.ticketFor(id)
	if !ok {
		return notFound("Ticket", id)
	}
	art := s.newArticleLocked(st, ai)
	st.t.UpdatedAt = art.CreatedAt
	st.t.UpdatedByID = s.opt.Me.ID
	s.afterWriteLocked(st, art)
	return http.StatusCreated, articleJSON(*art)
}

// newArticleLocked adds an article as Zammad would for an agent's token: sender Agent
// and type note unless given. Call with s.mu held.
func (s *Server) newArticleLocked(st *ticketState, ai articleIn) *Article {
	s.nextArticle++
	a := Article{
		ID: s.nextArticle, TicketID: st.t.ID, Sender: ai.Sender, Type: ai.Type, Subject: ai.Subject,
		Body: ai.Body, ContentType: ai.ContentType, To: ai.To, CreatedAt: s.opt.Clock().UTC(),
		CreatedByID: s.opt.Me.ID,
	}
	if a.Sender == "" {
		a.Sender = "Agent"
	}
	if a.Type == "" {
		a.Type = "note"
	}
	if ai.Internal != nil {
		a.Internal = *ai.Internal
	}
	if a.ContentType == "" {
		a.ContentType = "text/plain"
	}
	if v, err := ai.TimeUnit.Float64(); err == nil {
		a.AccountedTime = v
	}
	st.articles = append(st.articles, a)
	st.t.ArticleIDs = append(slices.Clone(st.t.ArticleIDs), a.ID)
	s.recordArticleLocked(st, a)
	return &a
}

func articleJSON(a Article) map[string]any {
	return map[string]any{"id": a.ID, "ticket_id": a.TicketID, "sender": a.Sender, "type": a.Type,
		"internal": a.Internal, "subject": a.Subject, "body": a.Body, "content_type": a.ContentType,
		"to": a.To, "from": a.From, "created_by_id": a.CreatedByID, "created_at": ts(a.CreatedAt),
		"updated_at": ts(a.CreatedAt)}
}

// tagIn reads the body of tags/add and tags/remove: the tag and the ticket's id, or
// Zammad's 422 (ok false) in the order Zammad checks them; tags/add needs an item.
func tagIn(raw []byte, needItem bool) (item string, id int, status int, body any, ok bool) {
	var in struct {
		Item   string      `json:"item"`
		Object string      `json:"object"`
		OID    json.Number `json:"o_id"`
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		status, body = unprocessable("invalid JSON: " + err.Error())
		return "", 0, status, body, false
	}
	if needItem && strings.TrimSpace(in.Item) == "" {
		status, body = unprocessable("Need item!")
		return "", 0, status, body, false
	}
	if in.Object != "Ticket" {
		status, body = unprocessable("Invalid object " + strconv.Quote(in.Object))
		return "", 0, status, body, false
	}
	id, err := strconv.Atoi(in.OID.String())
	if err != nil {
		status, body = unprocessable("Need o_id!")
		return "", 0, status, body, false
	}
	return in.Item, id, 0, nil, true
}

// tagChangedLocked stamps a tag's change on the ticket as the token's user, records e
// (added or removed) in its history and sends the webhook. Call with s.mu held.
func (s *Server) tagChangedLocked(st *ticketState, e HistoryEntry) {
	st.t.UpdatedAt = s.opt.Clock().UTC()
	st.t.UpdatedByID = s.opt.Me.ID
	e.Attribute, e.CreatedAt, e.CreatedByID = "tag", st.t.UpdatedAt, s.opt.Me.ID
	s.recordLocked(st, e)
	s.afterWriteLocked(st, nil)
}

// addTag is POST /api/v1/tags/add: 201 and true, also when the ticket had it.
func (s *Server) addTag(raw []byte) (int, any) {
	item, id, status, body, ok := tagIn(raw, true)
	if !ok {
		return status, body
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.ticketFor(id)
	if !ok {
		return notFound("Ticket", id)
	}
	if !slices.Contains(st.tags, item) {
		st.tags = append(st.tags, item)
		s.tagChangedLocked(st, HistoryEntry{Type: "added", ValueTo: item})
	}
	return http.StatusCreated, true
}

// removeTag is DELETE /api/v1/tags/remove: 200 and true, also when the ticket lacked it.
func (s *Server) removeTag(raw []byte) (int, any) {
	item, id, status, body, ok := tagIn(raw, false)
	if !ok {
		return status, body
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.tickets[id]
	if !ok {
		return notFound("Ticket", id)
	}
	if i := slices.Index(st.tags, item); i >= 0 {
		st.tags = slices.Delete(st.tags, i, i+1)
		s.tagChangedLocked(st, HistoryEntry{Type: "removed", ValueFrom: item})
	}
	return http.StatusOK, true
}

func (s *Server) listTags(object, oid string) (int, any) {
	if object != "Ticket" {
		return unprocessable("Invalid object " + strconv.Quote(object))
	}
	id, _ := strconv.Atoi(oid)
	s.mu.Lock()
	defer s.mu.Unlock()
	tags := []string{}
	if st, ok := s.tickets[id]; ok {
		tags = append(tags, st.tags...)
	}
	return http.StatusOK, map[string]any{"tags": tags}
}

func (s *Server) listTimeAccountings(st *ticketState) (int, any) {
	out := make([]map[string]any, 0, len(st.times))
	for _, ta := range st.times {
		out = append(out, map[string]any{"id": ta.ID, "ticket_id": ta.TicketID,
			"ticket_article_id": orNil(ta.ArticleID), "time_unit": ta.TimeUnit, "type_id": orNil(ta.TypeID),
			"created_by_id": orNil(ta.CreatedByID), "created_at": ts(ta.CreatedAt), "updated_at": ts(ta.UpdatedAt)})
	}
	return http.StatusOK, out
}

// listTicketIDs answers GET /api/v1/tickets with the tickets' ids (what slaguard doctor
// reads to check the permission; Zammad's answer has every field).
func (s *Server) listTicketIDs() (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]int, 0, len(s.tickets))
	for id := range s.tickets {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]map[string]int, len(ids))
	for i, id := range ids {
		out[i] = map[string]int{"id": id}
	}
	return http.StatusOK, out
}
