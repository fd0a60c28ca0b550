package sla

// RuleEmailLow is the name of the built-in correction that sets an e-mail ticket, which no
// rule matched, to low: e-mail tickets start at low whatever the helpdesk says.
const RuleEmailLow = "email-starts-low"

// classification is what the rules say about a new ticket.
type classification struct {
	correction        *Correction // nil: the created priority stands
	changeRequestRule string      // "" unless a change request
}

// classify applies the priority correction to a new ticket: the first rule whose keyword
// is in the title or first message decides; an outage reported outside business hours on
// a 24/7 contract is critical; a change request keeps the priority; e-mail tickets start
// at low. It corrects only when the result differs from the priority the ticket was
// created with.
func classify(terms *Terms, t Ticket, tl *timeline, rules *Rules) classification {
	created := createdPriority(tl)
	base := created
	if t.Channel == ChannelEmail {
		base = Low
	}
	var out classification
	to, name, keyword, outage := base, "", "", false
	if r, kw, ok := rules.Match(tl.matchText(t.Title)...); ok {
		switch {
		case r.ChangeRequest:
			out.changeRequestRule = r.Name
		case r.Outage && terms.Critical247 && !terms.CalendarFor(Low).IsOpen(tl.created):
			to, name, keyword, outage = Critical, r.Name, kw, true
		default:
			to, name, keyword = r.Priority, r.Name, kw
		}
	}
	if to == created {
		return out
	}
	if name == "" {
		name = RuleEmailLow
	}
	out.correction = &Correction{Rule: name, Keyword: keyword, From: created, To: to, Outage: outage}
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
