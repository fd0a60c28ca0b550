package sla

import "strings"

// RuleEmailLow is the name of the built-in correction that sets an e-mail ticket, which no
// rule matched, to low: e-mail tickets start at low whatever the helpdesk says.
const RuleEmailLow = "email-starts-low"

// classification is what the rules say about a new ticket.
type classification struct {
	correction        *Correction // nil: the created priority stands
	changeRequestRule string      // "" unless a change request
}

// classify applies the priority correction to a new ticket from the verdict on its text
// (decided before Evaluate): a change request keeps the priority; an outage reported
// outside business hours on a 24/7 contract is critical; otherwise the verdict's priority
// wins; with no verdict the created priority stays, except that e-mail tickets start at
// low. It corrects only when the result differs from the priority the ticket was created
// with.
func classify(terms *Terms, t Ticket, tl *timeline) classification {
	created := createdPriority(tl)
	base := created
	if t.Channel == ChannelEmail {
		base = Low
	}
	var out classification
	to, name, words, outage := base, "", "", false
	if v := t.Verdict; v.Decided() {
		switch {
		case v.ChangeRequest:
			out.changeRequestRule = v.Rule
			if out.changeRequestRule == "" {
				out.changeRequestRule = "change-request"
			}
		case v.Outage && terms.Critical247 && !terms.CalendarFor(Low).IsOpen(tl.created):
			to, name, words, outage = Critical, v.Rule, strings.Join(v.Words, ", "), true
		case v.Priority.Valid():
			to, name, words = v.Priority, v.Rule, strings.Join(v.Words, ", ")
		}
	}
	if to == created {
		return out
	}
	if name == "" {
		name = RuleEmailLow
		words = ""
	}
	out.correction = &Correction{Rule: name, Keyword: words, From: created, To: to, Outage: outage}
	return out
}

// createdPriority is the priority the ticket was created with, as the helpdesk reported
// it; an unknown one reads as low.
func createdPriority(tl *timeline) Priority {
	if p := tl.snaps[0].Priority; p.Valid() {
		return p
	}
	return Low
}

// effectivePriority walks the snapshots: the ticket starts at its created priority, or at
// the correction when there is one. A snapshot by a person whose priority differs from
// the one before it is a person's decision and wins for good; if it comes before the
// correction reached the helpdesk, the correction is overruled and never written.
// slaguard's own writes coming back change nothing, except that the one carrying the
// corrected priority shows the correction was written.
func effectivePriority(tl *timeline, corr *Correction) (Priority, PrioritySource) {
	eff, src := createdPriority(tl), SourceCustomer
	if corr != nil {
		eff, src = corr.To, SourceCorrection
	}
	prev := tl.snaps[0].Priority
	for _, s := range tl.snaps[1:] {
		if s.BySelf {
			if corr != nil && !corr.Overruled && s.Priority == corr.To {
				corr.Written = true
			}
		} else if s.Priority != prev && s.Priority.Valid() {
			if corr != nil {
				corr.Overruled = true
			}
			eff, src = s.Priority, SourceAgent
		}
		prev = s.Priority
	}
	return eff, src
}
