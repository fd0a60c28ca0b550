package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/monobunt/slaguard/contracts"
	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/sla"
	"github.com/monobunt/slaguard/ticketstore"
)

// inputs are everything sla.Evaluate reads about a ticket, decided before it runs: the
// ticket as the policy sees it (with each snapshot's priority, critical included), the
// contract it falls under and its place in the contract's monthly quota.
type inputs struct {
	ticket     sla.Ticket
	terms      *sla.Terms // nil: no contract
	contractID string
	// notify is the contract's push-notification setting (nil: none).
	notify *contracts.Notify
	// matchKeys are the ticket's entries in the customers' index.
	matchKeys []string
}

// decide gathers a ticket's inputs from its record: the verdict of the correction rules
// on its text, the contract at its creation and its place in the contract's quota. With
// count, a ticket that counts against the quota is counted (once, however often it is
// decided); without, its place is only read, and decide writes nothing.
func (w *Worker) decide(ctx context.Context, rec *ticketstore.Record, count bool) (inputs, error) {
	in, q, err := w.decideContract(ctx, rec, w.cfg.Contracts.Match)
	if err != nil || q == nil {
		return in, err
	}
	var pos int
	switch {
	case count:
		var ps []int
		if ps, err = w.store.CountQuotas(ctx, []ticketstore.QuotaEntry{*q}); err == nil {
			pos = ps[0]
		}
	case q.Counts:
		pos, err = w.store.QuotaPosition(ctx, q.ContractID, rec.Key, q.Created)
	}
	if err != nil {
		return inputs{}, err
	}
	in.ticket.QuotaPosition = pos
	return in, nil
}

// matcher finds the contract of a customer (contracts.Repo.Match, or a batch's memo of it).
type matcher func(context.Context, contracts.MatchQuery) (*contracts.Contract, error)

// decideContract is decide up to the quota: the inputs without the ticket's place in the
// quota, and the ticket's entry in its contract's month (nil: no contract), for the
// caller to count or read.
func (w *Worker) decideContract(ctx context.Context, rec *ticketstore.Record, match matcher) (inputs, *ticketstore.QuotaEntry, error) {
	if len(rec.Events) == 0 {
		return inputs{}, nil, ticketstore.ErrNoTicket
	}
	hd, _, _ := ticketstore.SplitKey(rec.Key)
	in := inputs{ticket: w.slaTicket(hd, rec.Events, criticalWrittenAt(rec))}
	t := &in.ticket
	if l := w.rules.Load(); l.rules != nil {
		subject, body := t.ClassifiedText()
		t.Verdict = l.verdicts.classify(l.rules, subject, body)
	}
	// The customer as the newest snapshot that names one says (a snapshot without
	// organisation or customer, e.g. of a partial payload, does not unmatch the ticket).
	var org, orgName, email string
	for i := len(rec.Events) - 1; i >= 0 && org == "" && orgName == "" && email == ""; i-- {
		tk := rec.Events[i].Ticket
		org, orgName, email = tk.OrganizationID, tk.OrganizationName, tk.CustomerEmail
	}
	in.matchKeys = ticketMatchKeys(org, orgName, email)
	c, err := match(ctx, contracts.MatchQuery{
		OrganizationID: org, OrganizationName: orgName, Email: email, At: t.CreatedAt,
	})
	switch {
	case errors.Is(err, contracts.ErrNoContract):
		return in, nil, nil
	case err != nil:
		return inputs{}, nil, fmt.Errorf("jobs: match contract of %s: %w", rec.Key, err)
	case c.Deleted:
		// An admin ended the contract (DELETE): its open tickets lose their deadlines and
		// are marked as without contract. A contract that merely runs out keeps the tickets
		// opened while it was active.
		return in, nil, nil
	}
	terms, err := c.Terms()
	if err != nil {
		return inputs{}, nil, fmt.Errorf("jobs: terms of contract %s: %w", c.ID, err)
	}
	in.terms, in.contractID, in.notify = &terms, c.ID, c.Notify
	// A change request (the verdict says so) does not count against the quota; every
	// other ticket of a contract does (sla.CountsTowardQuota). One that does not is
	// noted for the monthly report all the same.
	counts := terms.QuotaPerMonth > 0 && !(t.Verdict != nil && t.Verdict.ChangeRequest)
	return in, &ticketstore.QuotaEntry{ContractID: c.ID, Ticket: rec.Key, Created: t.CreatedAt, Counts: counts}, nil
}

// slaTicket maps the log's helpdesk events to what sla.Evaluate reads.
func (w *Worker) slaTicket(hd string, events []helpdesk.Event, criticalAt time.Time) sla.Ticket {
	self := w.cfg.SelfIDs[hd]
	first, last := events[0].Ticket, events[len(events)-1].Ticket
	t := sla.Ticket{ID: last.ID, Number: last.Number, Title: first.Title, Channel: string(first.Channel),
		CreatedAt: first.CreatedAt}
	for _, e := range events {
		if !e.Ticket.CreatedAt.IsZero() && e.Ticket.CreatedAt.Before(t.CreatedAt) {
			t.CreatedAt = e.Ticket.CreatedAt
		}
		if t.Number == "" {
			t.Number = e.Ticket.Number
		}
		s := sla.Snapshot{
			At: e.Ticket.UpdatedAt, State: e.Ticket.State, Paused: e.Ticket.Paused, Closed: e.Ticket.Closed,
			Priority: priorityOf(e.Ticket, criticalAt), BySelf: self != "" && e.Ticket.UpdatedBy == self,
		}
		if a := e.Article; a != nil && a.ID != "" {
			s.Article = &sla.Message{
				ID: a.ID, At: a.CreatedAt, FromAgent: a.Sender == helpdesk.SenderAgent, Public: !a.Internal,
				BySelf: self != "" && a.CreatedBy == self, Channel: string(a.Channel), Subject: a.Subject, Body: a.Body,
			}
		}
		t.Snapshots = append(t.Snapshots, s)
	}
	return t
}

// priorityOf is the one place that decides whether a snapshot's ticket is critical. A
// helpdesk with a critical level says so itself (its adapter maps the name). One without
// (a stock Zammad) carries critical as high plus sla.CriticalTag, which slaguard writes;
// a high snapshot from the instant slaguard wrote critical on is critical too, as the
// tag may reach the helpdesk after the priority.
func priorityOf(t helpdesk.Ticket, criticalAt time.Time) sla.Priority {
	if t.Priority != sla.High {
		return t.Priority
	}
	if slices.Contains(t.Tags, sla.CriticalTag) {
		return sla.Critical
	}
	if !criticalAt.IsZero() && !t.UpdatedAt.Before(criticalAt.Add(-time.Second)) {
		return sla.Critical
	}
	return sla.High
}

// criticalWrittenAt is when slaguard wrote a correction to critical, or zero.
func criticalWrittenAt(rec *ticketstore.Record) time.Time {
	at, ok := rec.Written[sla.MarkCorrection]
	if !ok || len(rec.Status) == 0 {
		return time.Time{}
	}
	var prev ticketstore.Summary
	if json.Unmarshal(rec.Status, &prev) != nil || prev.CorrectedTo != sla.Critical {
		return time.Time{}
	}
	return at
}

// customerEmail is the customer's address as the newest snapshot that names one says.
func customerEmail(rec *ticketstore.Record) string {
	for i := len(rec.Events) - 1; i >= 0; i-- {
		if e := rec.Events[i].Ticket.CustomerEmail; e != "" {
			return e
		}
	}
	return ""
}
