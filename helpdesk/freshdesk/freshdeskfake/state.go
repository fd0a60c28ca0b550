package freshdeskfake

import (
	"github.com/monobunt/slaguard/helpdesk/internal/fakeapi"
	"slices"
	"time"
)

// PutTicket stores t, creating or replacing it. Zero CreatedAt/UpdatedAt are now; zero
// Status is open, zero Priority low, zero Source email.
func (s *Server) PutTicket(t Ticket) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opt.Clock().UTC()
	if t.UpdatedAt.IsZero() {
		t.UpdatedAt = now
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = t.UpdatedAt
	}
	// Times as the API shows them (ms), so a stamp read back compares equal.
	t.UpdatedAt, t.CreatedAt = t.UpdatedAt.Truncate(time.Millisecond), t.CreatedAt.Truncate(time.Millisecond)
	if t.Status == 0 {
		t.Status = 2
	}
	if t.Priority == 0 {
		t.Priority = 1
	}
	if t.Source == 0 {
		t.Source = 1
	}
	t.Tags = slices.Clone(t.Tags)
	// The status's own stamp follows a change of status unless the caller set it.
	if old, ok := s.tickets[t.ID]; ok && t.StatusUpdatedAt.Equal(old.StatusUpdatedAt) && old.Status != t.Status {
		t.StatusUpdatedAt = time.Time{}
	} else if ok && t.StatusUpdatedAt.IsZero() {
		t.StatusUpdatedAt = old.StatusUpdatedAt
	}
	if t.StatusUpdatedAt.IsZero() {
		t.StatusUpdatedAt = t.UpdatedAt
	}
	s.tickets[t.ID] = &t
}

// AddContact adds or replaces a contact.
func (s *Server) AddContact(c Contact) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.contacts[c.ID] = c
}

// AddCompany adds or replaces a company.
func (s *Server) AddCompany(c Company) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.companies[c.ID] = c
}

// AddConversation adds a reply or note (id assigned when zero), bumps updated_at and,
// for an agent's public reply, sets the first response; it returns the conversation.
func (s *Server) AddConversation(c Conversation) Conversation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addConvLocked(c)
}

func (s *Server) addConvLocked(c Conversation) Conversation {
	c.ID = fakeapi.NextID(c.ID, &s.nextID)
	c.CreatedAt = fakeapi.At(c.CreatedAt, s.opt.Clock)
	s.convs[c.TicketID] = append(s.convs[c.TicketID], c)
	if t, ok := s.tickets[c.TicketID]; ok {
		if c.CreatedAt.After(t.UpdatedAt) {
			t.UpdatedAt = c.CreatedAt
		}
		if !c.Incoming && !c.Private && t.FirstRespondedAt == nil {
			at := c.CreatedAt
			t.FirstRespondedAt = &at
		}
	}
	return c
}

// AddTimeEntry books time on a ticket (id assigned when zero). Like Freshdesk, it
// leaves the ticket as it is: its updated_at does not move.
func (s *Server) AddTimeEntry(e TimeEntry) TimeEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	e.ID = fakeapi.NextID(e.ID, &s.nextID)
	e.CreatedAt = fakeapi.At(e.CreatedAt, s.opt.Clock)
	if e.ExecutedAt.IsZero() {
		e.ExecutedAt = e.CreatedAt
	}
	s.times[e.TicketID] = append(s.times[e.TicketID], e)
	return e
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

// Conversations returns the ticket's replies and notes, oldest first.
func (s *Server) Conversations(id int64) []Conversation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.convs[id])
}

func (s *Server) touchLocked(t *Ticket) {
	t.UpdatedAt = fakeapi.Stamp(s.opt.Clock(), t.UpdatedAt)
}
