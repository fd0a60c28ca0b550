package ticketstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/monobunt/slaguard/sla"
)

// Evaluation is one evaluation of a ticket: its status and what it was evaluated under.
type Evaluation struct {
	Ticket     string     `json:"ticket"`
	Helpdesk   string     `json:"helpdesk"`
	ID         string     `json:"id"`
	Number     string     `json:"number,omitempty"`
	Title      string     `json:"title,omitempty"`
	ContractID string     `json:"contract_id,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	Evaluated  time.Time  `json:"evaluated_at"`
	Status     sla.Status `json:"status"`
	// Written lists the marks already written back, with when.
	Written map[string]time.Time `json:"written,omitempty"`
}

// Summary is what the ticket log keeps of a ticket's last evaluation: enough for the
// at-risk board and for the next evaluation, small enough for the memory budget of an
// open ticket (the full status is re-evaluated on demand).
type Summary struct {
	ContractID string         `json:"c,omitempty"`
	Number     string         `json:"n,omitempty"`
	Title      string         `json:"t,omitempty"`
	Priority   sla.Priority   `json:"p,omitempty"`
	FirstResp  sla.ClockState `json:"f,omitempty"`
	Resolution sla.ClockState `json:"r,omitempty"`
	Next       time.Time      `json:"-"` // the earliest open deadline (board order); stored as unix s
	Marks      []string       `json:"m,omitempty"`
	// CorrectedTo is the priority slaguard corrected the ticket to, if any.
	CorrectedTo sla.Priority `json:"ct,omitempty"`
}

// summaryJSON is a Summary as stored: Next in unix seconds, the budget of an open ticket
// being counted in bytes.
type summaryJSON struct {
	plainSummary
	Next int64 `json:"d,omitempty"`
}

type plainSummary Summary

// MarshalJSON writes the summary as stored.
func (s Summary) MarshalJSON() ([]byte, error) {
	var next int64
	if !s.Next.IsZero() {
		next = s.Next.Unix()
	}
	return json.Marshal(summaryJSON{plainSummary(s), next})
}

// UnmarshalJSON reads a stored summary (d in unix seconds, or RFC 3339 as written before).
func (s *Summary) UnmarshalJSON(b []byte) error {
	var v struct {
		plainSummary
		Next json.RawMessage `json:"d,omitempty"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*s = Summary(v.plainSummary)
	s.Next = time.Time{}
	if len(v.Next) > 0 && string(v.Next) != "null" {
		var sec int64
		if err := json.Unmarshal(v.Next, &sec); err == nil {
			s.Next = time.Unix(sec, 0).UTC()
		} else if err := json.Unmarshal(v.Next, &s.Next); err != nil {
			return err
		}
	}
	return nil
}

// Summary reads the summary of a ticket's last evaluation; ErrNoTicket when there is none.
func (s *Store) Summary(ctx context.Context, ticketKey string) (Summary, error) {
	raw, err := s.rdb.HGet(ctx, ticketHash(ticketKey), "status").Bytes()
	if errors.Is(err, redis.Nil) {
		return Summary{}, ErrNoTicket
	}
	if err != nil {
		return Summary{}, fmt.Errorf("ticketstore: read status of %s: %w", ticketKey, err)
	}
	var sum Summary
	if err := json.Unmarshal(raw, &sum); err != nil {
		return Summary{}, fmt.Errorf("ticketstore: decode status of %s: %w", ticketKey, err)
	}
	return sum, nil
}

// SummaryOf is the summary kept of an evaluation of a ticket.
func SummaryOf(contractID, number, title string, st sla.Status) Summary {
	s := Summary{ContractID: contractID, Number: number, Title: truncate(title, 120), Priority: st.Priority,
		FirstResp: st.FirstResponse.State, Resolution: st.Resolution.State, Next: BoardInstant(st)}
	for _, m := range st.Marks {
		s.Marks = append(s.Marks, m.Key)
	}
	if st.Correction != nil {
		s.CorrectedTo = st.Correction.To
	}
	return s
}

// BoardInstant is where a ticket sorts on the at-risk board: its earliest deadline of a
// clock that still runs (or stands in a pause); zero takes it off the board.
func BoardInstant(st sla.Status) time.Time {
	if st.Closed {
		return time.Time{}
	}
	var at time.Time
	for _, c := range []sla.Clock{st.FirstResponse, st.Resolution} {
		switch c.State {
		case sla.ClockRunning, sla.ClockPaused, sla.ClockAtRisk, sla.ClockBreached:
			if !c.Deadline.IsZero() && (at.IsZero() || c.Deadline.Before(at)) {
				at = c.Deadline
			}
		}
	}
	return at
}
