package zammadfake

import (
	"slices"
	"time"
)

// The fake keeps a history per ticket the way Zammad does (app/models/history.rb,
// app/models/concerns/has_history.rb): an entry for the ticket's creation, one per
// changed attribute (state and priority by name, value_from → value_to), one per article
// ("Ticket::Article", related to the ticket) and one per tag added or removed. As in
// Zammad, an entry is stamped with the changed record's updated_at.

// HistoryEntry is one entry of GET /api/v1/ticket_history/{id}.
type HistoryEntry struct {
	ID          int
	Type        string // created, updated, added, removed
	Object      string // Ticket, Ticket::Article
	Attribute   string // state, priority, tag (updates and tags only)
	OID         int    // the ticket's or the article's id
	RelatedOID  int    // the ticket's id for an article's entry
	ValueFrom   string
	ValueTo     string
	CreatedAt   time.Time
	CreatedByID int
}

// History returns the ticket's history, oldest first.
func (s *Server) History(id int) []HistoryEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.tickets[id]; ok {
		return slices.Clone(st.history)
	}
	return nil
}

// recordLocked appends a history entry. Call with s.mu held.
func (s *Server) recordLocked(st *ticketState, e HistoryEntry) {
	s.nextHistory++
	e.ID = s.nextHistory
	if e.Object == "" {
		e.Object = "Ticket"
		e.OID = st.t.ID
	}
	st.history = append(st.history, e)
}

// recordChangesLocked records what differs between old and the ticket's state now, as
// Zammad's after_update callback would. Call with s.mu held.
func (s *Server) recordChangesLocked(st *ticketState, old Ticket) {
	t := st.t
	if old.State != t.State {
		s.recordLocked(st, HistoryEntry{Type: "updated", Attribute: "state", ValueFrom: old.State, ValueTo: t.State,
			CreatedAt: t.UpdatedAt, CreatedByID: t.UpdatedByID})
	}
	if old.Priority != t.Priority {
		s.recordLocked(st, HistoryEntry{Type: "updated", Attribute: "priority", ValueFrom: old.Priority,
			ValueTo: t.Priority, CreatedAt: t.UpdatedAt, CreatedByID: t.UpdatedByID})
	}
}

func (s *Server) recordArticleLocked(st *ticketState, a Article) {
	s.recordLocked(st, HistoryEntry{Type: "created", Object: "Ticket::Article", OID: a.ID, RelatedOID: st.t.ID,
		CreatedAt: a.CreatedAt, CreatedByID: a.CreatedByID})
}

// Create adds a ticket the way a customer's e-mail creates one in Zammad: the ticket and
// its first article at the fake's clock (or t.CreatedAt), with their history. It sends no
// webhook; the returned payload is the one Zammad's trigger would send.
func (s *Server) Create(t Ticket, first Article) Payload {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.CreatedAt.IsZero() {
		t.CreatedAt = s.opt.Clock().UTC()
	}
	t.UpdatedAt = t.CreatedAt
	st := s.addTicketLocked(t)
	if first.Sender == "" {
		first.Sender = "Customer"
	}
	if first.Type == "" {
		first.Type = st.t.CreateArticleType
	}
	if first.CreatedByID == 0 {
		first.CreatedByID = st.t.CustomerID
	}
	first.CreatedAt = st.t.CreatedAt
	art := s.addArticleLocked(st, first)
	return s.payloadLocked(st, art)
}

// AddArticle adds an article by a person (Sender "Agent" or "Customer", CreatedByID the
// author) to the ticket at the fake's clock, touching the ticket as Zammad does. It sends
// no webhook; it returns the payload Zammad's trigger would send and false when the ticket
// is unknown.
func (s *Server) AddArticle(id int, a Article) (Payload, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.tickets[id]
	if !ok {
		return Payload{}, false
	}
	if a.Sender == "" {
		a.Sender = "Agent"
	}
	if a.Type == "" {
		a.Type = "email"
	}
	a.CreatedAt = s.opt.Clock().UTC()
	art := s.addArticleLocked(st, a)
	st.t.UpdatedAt, st.t.UpdatedByID = art.CreatedAt, art.CreatedByID
	return s.payloadLocked(st, art), true
}

func (s *Server) addArticleLocked(st *ticketState, a Article) *Article {
	s.nextArticle++
	a.ID, a.TicketID = s.nextArticle, st.t.ID
	if a.ContentType == "" {
		a.ContentType = "text/plain"
	}
	st.articles = append(st.articles, a)
	st.t.ArticleIDs = append(slices.Clone(st.t.ArticleIDs), a.ID)
	s.recordArticleLocked(st, a)
	return &a
}

// Change changes a ticket as a person (byUserID) would in Zammad's UI: change edits the
// ticket, updated_at moves to the fake's clock and the history records the state and
// priority changes. It sends no webhook; it returns the payload Zammad's trigger would
// send and false when the ticket is unknown.
func (s *Server) Change(id, byUserID int, change func(*Ticket)) (Payload, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.tickets[id]
	if !ok {
		return Payload{}, false
	}
	old := st.t
	change(&st.t)
	st.t.ID = old.ID
	st.t.UpdatedAt, st.t.UpdatedByID = s.opt.Clock().UTC(), byUserID
	s.recordChangesLocked(st, old)
	return s.payloadLocked(st, nil), true
}

// historyJSON renders an entry as History.list does: ids of absent values left out.
func historyJSON(e HistoryEntry) map[string]any {
	m := map[string]any{"id": e.ID, "o_id": e.OID, "type": e.Type, "object": e.Object,
		"created_at": ts(e.CreatedAt), "created_by_id": e.CreatedByID}
	if e.Attribute != "" {
		m["attribute"] = e.Attribute
	}
	if e.ValueFrom != "" || e.ValueTo != "" {
		m["value_from"], m["value_to"] = e.ValueFrom, e.ValueTo
	}
	if e.RelatedOID != 0 {
		m["related_o_id"], m["related_object"] = e.RelatedOID, "Ticket"
	}
	return m
}
