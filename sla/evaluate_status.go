package sla

import "time"

// ClockState is where a clock stands.
type ClockState string

// The states of a clock.
const (
	// ClockNone: the clock does not run (no target for this priority, no contract, or a
	// change request's resolution).
	ClockNone ClockState = "none"
	// ClockRunning: counting, not yet at risk.
	ClockRunning ClockState = "running"
	// ClockPaused: standing still while the ticket waits on the customer or is closed,
	// not at risk.
	ClockPaused ClockState = "paused"
	// ClockMet: met on time.
	ClockMet ClockState = "met"
	// ClockAtRisk: unmet, the at-risk share of the target is used, the deadline not passed.
	ClockAtRisk ClockState = "at_risk"
	// ClockBreached: the deadline passed unmet, or the clock was met late.
	ClockBreached ClockState = "breached"
)

// Clock is one of the ticket's two clocks (first response, resolution).
type Clock struct {
	State ClockState `json:"state"`
	// Target is the business time the ticket's priority allows; zero when State is none.
	Target Duration `json:"target"`
	// Used is the business time counted so far (until MetAt when met), pauses excluded.
	Used Duration `json:"used"`
	// Deadline is when Target is used up. While the ticket waits, it is the deadline if
	// the wait ended now; it moves on as long as the wait lasts.
	Deadline time.Time `json:"deadline,omitzero"`
	// AtRiskAt is when the at-risk share of the target is used up.
	AtRiskAt time.Time `json:"at_risk_at,omitzero"`
	// Paused: the clock stands still at the time of evaluation.
	Paused bool `json:"paused,omitempty"`
	// MetAt is when the clock was met (the first public agent reply, or the close).
	MetAt time.Time `json:"met_at,omitzero"`
}

// PrioritySource says who decided the ticket's effective priority.
type PrioritySource string

// The sources of a priority.
const (
	// SourceCustomer: as the ticket was created (the customer's choice in the web form).
	SourceCustomer PrioritySource = "customer"
	// SourceCorrection: slaguard's priority correction (including e-mail tickets
	// starting at low).
	SourceCorrection PrioritySource = "correction"
	// SourceAgent: a person changed it after creation. A person always wins.
	SourceAgent PrioritySource = "agent"
)

// Correction is the priority correction slaguard makes on a new ticket.
type Correction struct {
	// Rule names the rules that decided (Verdict.Rule); RuleEmailLow for an e-mail
	// ticket whose text decided nothing.
	Rule string `json:"rule"`
	// Keyword is the ticket's words that decided, comma-separated ("" for RuleEmailLow).
	Keyword string   `json:"keyword,omitempty"`
	From    Priority `json:"from"`
	To      Priority `json:"to"`
	// Outage: an outage reported outside business hours on a 24/7 contract raised the
	// rule's priority to critical.
	Outage bool `json:"outage,omitempty"`
	// Written: the helpdesk has reported the corrected priority back (slaguard's own
	// write came back).
	Written bool `json:"written,omitempty"`
	// Overruled: a person set another priority afterwards (or before the correction
	// reached the helpdesk); that person's choice stands.
	Overruled bool `json:"overruled,omitempty"`
}

// Status is what the policy says about a ticket at one instant: its clocks and the marks
// it should carry. It is a pure function of the terms, the ticket, the rules and now.
type Status struct {
	TicketID string `json:"ticket_id"`
	// Priority is the effective priority the clocks use, and Source who set it.
	Priority Priority       `json:"priority"`
	Source   PrioritySource `json:"priority_source"`
	// Correction is set when a rule corrected (or would correct) the priority; nil
	// when no correction applies. A correction a person overruled before it was written
	// stays here with Overruled set but makes no mark.
	Correction *Correction `json:"correction,omitempty"`
	// ChangeRequest: development or change request, billed by the hour or by quote;
	// no resolution clock, not counted against the quota. ChangeRequestRule names the rule.
	ChangeRequest     bool   `json:"change_request,omitempty"`
	ChangeRequestRule string `json:"change_request_rule,omitempty"`
	// NoContract: no matching active contract; no clocks.
	NoContract bool `json:"no_contract,omitempty"`
	// OverQuota: the ticket is beyond its contract's monthly quota.
	OverQuota bool `json:"over_quota,omitempty"`
	// Critical: the effective priority is critical.
	Critical bool `json:"critical,omitempty"`
	// Closed and Paused are the ticket's state at the time of evaluation.
	Closed bool `json:"closed,omitempty"`
	Paused bool `json:"paused,omitempty"`

	FirstResponse Clock `json:"first_response"`
	Resolution    Clock `json:"resolution"`

	// Marks are what the ticket should carry, in a fixed order. A mark stays in the list
	// on every later evaluation as long as what it says is still true of the ticket's
	// history; its Key never changes.
	Marks []Mark `json:"marks"`

	// NextCheck is the next instant at which this status changes without a new event
	// (an at-risk point or deadline of a running clock); zero when there is none.
	NextCheck time.Time `json:"next_check,omitzero"`
}

// Mark returns the mark with the given key and whether the status carries it.
func (s Status) Mark(key string) (Mark, bool) {
	for _, m := range s.Marks {
		if m.Key == key {
			return m, true
		}
	}
	return Mark{}, false
}
