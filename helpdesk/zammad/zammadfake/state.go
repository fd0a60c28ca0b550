package zammadfake

import (
	"context"
	"slices"
	"time"

	"github.com/monobunt/slaguard/helpdesk/internal/fakeapi"
)

// AddTicket adds (or replaces) a ticket; zero fields get Zammad's defaults.
func (s *Server) AddTicket(t Ticket) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addTicketLocked(t)
}

func (s *Server) addTicketLocked(t Ticket) *ticketState {
	if t.CreatedAt.IsZero() {
		t.CreatedAt = s.opt.Clock().UTC()
	}
	t = t.withDefaults()
	if t.CustomerID != 0 {
		if _, known := s.users[t.CustomerID]; !known {
			s.users[t.CustomerID] = User{ID: t.CustomerID, Login: t.CustomerEmail, Email: t.CustomerEmail}
		}
	}
	st := &ticketState{t: t}
	old, replaced := s.tickets[t.ID]
	if replaced {
		st.tags, st.articles, st.times, st.history = old.tags, old.articles, old.times, old.history
	}
	s.tickets[t.ID] = st
	if replaced {
		s.recordChangesLocked(st, old.t)
	} else {
		s.recordLocked(st, HistoryEntry{Type: "created", CreatedAt: t.CreatedAt, CreatedByID: t.CreatedByID})
	}
	return st
}

// Ticket returns the ticket's current state.
func (s *Server) Ticket(id int) (Ticket, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.tickets[id]
	if !ok {
		return Ticket{}, false
	}
	t := st.t
	t.ArticleIDs = slices.Clone(t.ArticleIDs)
	t.TimeAccountingIDs = slices.Clone(t.TimeAccountingIDs)
	return t, true
}

// Tags returns the ticket's tags in the order they were added.
func (s *Server) Tags(id int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.tickets[id]; ok {
		return slices.Clone(st.tags)
	}
	return nil
}

// Articles returns the articles written to the ticket through the API, oldest first.
func (s *Server) Articles(id int) []Article {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.tickets[id]; ok {
		return slices.Clone(st.articles)
	}
	return nil
}

// AddTimeAccounting books an entry on a ticket (created if unknown). A zero ID is
// assigned; TimeUnit defaults to "0.0".
func (s *Server) AddTimeAccounting(ta TimeAccounting) TimeAccounting {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.tickets[ta.TicketID]
	if !ok {
		st = s.addTicketLocked(Ticket{ID: ta.TicketID})
	}
	ta.ID = fakeapi.NextID(ta.ID, &s.nextTime)
	if ta.TimeUnit == "" {
		ta.TimeUnit = "0.0"
	}
	if ta.CreatedAt.IsZero() {
		ta.CreatedAt = s.opt.Clock().UTC()
	}
	if ta.UpdatedAt.IsZero() {
		ta.UpdatedAt = ta.CreatedAt
	}
	st.times = append(st.times, ta)
	st.t.TimeAccountingIDs = append(slices.Clone(st.t.TimeAccountingIDs), ta.ID)
	return ta
}

// Payload returns the webhook payload Zammad would send for the ticket now, with art as
// the article (nil for none).
func (s *Server) Payload(id int, art *Article) (Payload, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.tickets[id]
	if !ok {
		return Payload{}, false
	}
	return s.payloadLocked(st, art), true
}

func (s *Server) payloadLocked(st *ticketState, art *Article) Payload {
	t := st.t
	t.ArticleIDs = slices.Clone(t.ArticleIDs)
	t.TimeAccountingIDs = slices.Clone(t.TimeAccountingIDs)
	users := make(map[int]User, len(s.users))
	for k, v := range s.users {
		users[k] = v
	}
	return Payload{Ticket: t, Article: art, Users: users}
}

// Webhook is one delivery the fake sent back after a write.
type Webhook struct {
	DeliveryID string
	TicketID   int
	Status     int   // the receiver's answer; 0 when it could not be reached
	Err        error // transport error
	At         time.Time
}

// Webhooks returns the deliveries sent so far, in the order they completed.
func (s *Server) Webhooks() []Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.webhooks)
}

// afterWriteLocked runs OnWrite and sends the webhook of a write, each in its own
// goroutine (as Zammad's triggers run after the request). Call with s.mu held.
func (s *Server) afterWriteLocked(st *ticketState, art *Article) {
	id := st.t.ID
	if s.opt.OnWrite != nil {
		s.Go(func(context.Context) { s.opt.OnWrite(id) })
	}
	if s.opt.WebhookURL == "" {
		return
	}
	body := s.payloadLocked(st, art).JSON()
	delivery := NewDeliveryID()
	s.Go(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		wh := Webhook{DeliveryID: delivery, TicketID: id}
		wh.Status, wh.Err = fakeapi.Post(ctx, s.opt.WebhookURL, body,
			Headers(body, s.opt.WebhookSecret, delivery, s.opt.WebhookTrigger))
		wh.At = s.opt.Clock().UTC()
		s.mu.Lock()
		s.webhooks = append(s.webhooks, wh)
		s.mu.Unlock()
	})
}
