package zendeskfake

import (
	"github.com/monobunt/slaguard/helpdesk/internal/fakeapi"
	"slices"
	"strconv"
	"time"
)

// PutTicket stores t (creating or replacing it) as changed by user `by` (0: nobody in
// particular), recording an audit of the fields that changed. A zero UpdatedAt is now.
func (s *Server) PutTicket(t Ticket, by int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.putLocked(t, by)
}

func (s *Server) putLocked(t Ticket, by int64) {
	now := s.opt.Clock().UTC()
	if t.UpdatedAt.IsZero() {
		t.UpdatedAt = now
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = t.UpdatedAt
	}
	// Times as the API shows them (ms), so a stamp read back compares equal.
	t.UpdatedAt, t.CreatedAt = t.UpdatedAt.Truncate(time.Millisecond), t.CreatedAt.Truncate(time.Millisecond)
	if t.Status == "" {
		t.Status = "new"
	}
	t.Tags = slices.Clone(t.Tags)
	old, existed := s.tickets[t.ID]
	var prev Ticket
	if existed {
		prev = *old
	}
	kind := "Change"
	if !existed {
		kind = "Create"
	}
	var evs []AuditEvent
	add := func(field, was, is string) {
		if was != is || !existed {
			evs = append(evs, AuditEvent{Type: kind, FieldName: field, Value: is, PreviousValue: was})
		}
	}
	add("status", prev.Status, t.Status)
	add("priority", prev.Priority, t.Priority)
	if t.TimeSpent != prev.TimeSpent {
		evs = append(evs, AuditEvent{Type: kind, FieldName: strconv.FormatInt(TimeFieldID, 10),
			Value: strconv.FormatInt(t.TimeSpent, 10), PreviousValue: strconv.FormatInt(prev.TimeSpent, 10)})
	}
	if len(evs) > 0 {
		s.nextID++
		s.audits[t.ID] = append(s.audits[t.ID], Audit{ID: s.nextID, TicketID: t.ID, AuthorID: by, CreatedAt: t.UpdatedAt, Events: evs})
	}
	cp := t
	s.tickets[t.ID] = &cp
}

// AddUser adds or replaces a user.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.ID] = u
}

// AddOrganization adds or replaces an organisation.
func (s *Server) AddOrganization(o Organization) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orgs[o.ID] = o
}

// AddComment adds a comment (an id is assigned when zero) and bumps the ticket's
// updated_at to the comment's time; it returns the comment as stored.
func (s *Server) AddComment(c Comment) Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addCommentLocked(c)
}

func (s *Server) addCommentLocked(c Comment) Comment {
	c.ID = fakeapi.NextID(c.ID, &s.nextID)
	// In ms, as the API shows it: the ticket's updated_at follows it, and a safe update's
	// stamp read back must compare equal.
	c.CreatedAt = fakeapi.At(c.CreatedAt, s.opt.Clock)
	s.comments[c.TicketID] = append(s.comments[c.TicketID], c)
	if t, ok := s.tickets[c.TicketID]; ok && c.CreatedAt.After(t.UpdatedAt) {
		t.UpdatedAt = c.CreatedAt
	}
	return c
}

// Ticket returns ticket id as stored.
func (s *Server) Ticket(id int64) (Ticket, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tickets[id]
	if !ok {
		return Ticket{}, false
	}
	cp := *t
	cp.Tags = slices.Clone(t.Tags)
	return cp, true
}

// Tags returns the ticket's tags.
func (s *Server) Tags(id int64) []string {
	t, _ := s.Ticket(id)
	return t.Tags
}

// Comments returns the ticket's comments, oldest first.
func (s *Server) Comments(id int64) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.comments[id])
}

// touchLocked marks a write by the API user at now.
func (s *Server) touchLocked(t *Ticket) {
	t.UpdatedAt = fakeapi.Stamp(s.opt.Clock(), t.UpdatedAt)
}
