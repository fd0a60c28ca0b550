package sla

import (
	"fmt"
	"strings"
)

// Mark keys: stable names of the marks a ticket can carry. Each is written to the
// helpdesk once per ticket.
const (
	MarkCorrection            = "correction"
	MarkChangeRequest         = "change-request"
	MarkNoContract            = "no-contract"
	MarkCritical              = "critical"
	MarkOverQuota             = "over-quota"
	MarkConfirmation          = "confirmation"
	MarkAtRiskFirstResponse   = "at-risk-first-response"
	MarkBreachedFirstResponse = "breached-first-response"
	MarkAtRiskResolution      = "at-risk-resolution"
	MarkBreachedResolution    = "breached-resolution"
)

// Mark is one thing slaguard writes to a ticket, once: a tag with an internal note, a
// priority correction, or the confirmation to the customer.
type Mark struct {
	// Key is stable for the ticket's lifetime ("breached-resolution"); see the Mark…
	// constants. It never depends on time or wording.
	Key string `json:"key"`
	// Tag to add; empty for the confirmation, and for the correction unless it raises
	// the ticket to critical (then it carries CriticalTag and the critical mark none).
	Tag string `json:"tag,omitempty"`
	// Note is the internal note (German, then English), deadlines in Vienna time; empty
	// for the confirmation, whose public article speaks for itself.
	Note string `json:"note,omitempty"`
	// Priority is the ticket's new priority; only for the correction.
	Priority Priority `json:"priority,omitempty"`
	// Reply and ReplySubject are a public article to the customer; only for the
	// confirmation.
	Reply        string `json:"reply,omitempty"`
	ReplySubject string `json:"reply_subject,omitempty"`
}

// marksFor lists the marks st calls for, in a fixed order.
func marksFor(terms *Terms, t Ticket, tl *timeline, st *Status, rules *Rules) []Mark {
	if terms == nil {
		return []Mark{{
			Key: MarkNoContract, Tag: "sla-no-contract",
			Note: "Kein aktiver Vertrag: dieses Ticket hat keine SLA-Fristen. Kunden mit aufrechtem Vertrag werden immer vorrangig behandelt.\n" +
				"No active contract: this ticket has no SLA deadlines. Customers with an active contract always come first.",
		}}
	}
	var ms []Mark
	criticalTagged := false // the correction carries CriticalTag
	if c := st.Correction; c != nil && (c.Written || !c.Overruled) {
		m := Mark{Key: MarkCorrection, Priority: c.To, Note: correctionNote(c)}
		if c.To == Critical && st.Critical {
			// The tag goes with the priority: a helpdesk without a critical priority
			// (Zammad's stock set) writes high plus this tag for the correction, so the
			// critical mark below must not add it a second time.
			m.Tag, criticalTagged = CriticalTag, true
		}
		ms = append(ms, m)
	}
	if st.ChangeRequest {
		ms = append(ms, Mark{Key: MarkChangeRequest, Tag: "sla-change-request", Note: fmt.Sprintf(
			"Entwicklungs- bzw. Anpassungswunsch (Regel „%s“): kein SLA-Ticket, keine Lösungsfrist, zählt nicht zum Monatskontingent; Verrechnung nach Aufwand (Regie) oder nach Angebot.\n"+
				"Change request (rule %q): not an SLA ticket, no resolution deadline, not counted against the monthly quota; billed by the hour or by quote.",
			st.ChangeRequestRule, st.ChangeRequestRule)})
	}
	if st.Critical {
		note := "Kritisches Ticket: Fristen laufen rund um die Uhr (24/7). Arbeit außerhalb der Öffnungszeiten wird zum Stundensatz für kritische Fälle verrechnet.\n" +
			"Critical ticket: deadlines run around the clock (24/7). Work outside business hours is billed at the critical rate."
		if !terms.Critical247 {
			note = "Kritisches Ticket (der Vertrag deckt kein 24/7 ab: Fristen laufen in den Öffnungszeiten).\n" +
				"Critical ticket (the contract has no 24/7 cover: deadlines count business hours)."
		}
		tag := CriticalTag
		if criticalTagged {
			tag = "" // written with the correction
		}
		ms = append(ms, Mark{Key: MarkCritical, Tag: tag, Note: note})
	}
	if st.OverQuota {
		month := germanMonth(tl.created)
		ms = append(ms, Mark{Key: MarkOverQuota, Tag: "sla-over-quota", Note: fmt.Sprintf(
			"Kontingent überschritten: Ticket Nr. %d im %s, enthalten sind %d pro Monat. Die Bearbeitungszeit wird nach Aufwand verrechnet.\n"+
				"Over quota: ticket no. %d of %s; the contract includes %d a month. Handling time is billable.",
			t.QuotaPosition, month, terms.QuotaPerMonth, t.QuotaPosition, tl.created.In(Vienna).Format("January 2006"), terms.QuotaPerMonth)})
	}
	if terms.Confirmation {
		ms = append(ms, confirmationMark(terms, t, tl, st, rules))
	}
	ms = appendClockMarks(ms, st.FirstResponse, tl, "first-response", "Erstreaktion", "first response")
	ms = appendClockMarks(ms, st.Resolution, tl, "resolution", "Lösung", "resolution")
	return ms
}

func appendClockMarks(ms []Mark, c Clock, tl *timeline, name, de, en string) []Mark {
	if c.wasAtRisk(tl.now) {
		ms = append(ms, Mark{Key: "at-risk-" + name, Tag: "sla-at-risk-" + name, Note: fmt.Sprintf(
			"SLA gefährdet: %s fällig am %s (Ziel %s).\nSLA at risk: %s due %s Vienna time (target %s business time).",
			de, FormatVienna(c.Deadline), FormatBusinessTime(c.Target), en, FormatViennaEnglish(c.Deadline), FormatBusinessTime(c.Target))})
	}
	if c.State == ClockBreached {
		ms = append(ms, Mark{Key: "breached-" + name, Tag: "sla-breached-" + name, Note: fmt.Sprintf(
			"SLA verletzt: %s war fällig am %s (Ziel %s).\nSLA breached: %s was due %s Vienna time (target %s business time).",
			de, FormatVienna(c.Deadline), FormatBusinessTime(c.Target), en, FormatViennaEnglish(c.Deadline), FormatBusinessTime(c.Target))})
	}
	return ms
}

func correctionNote(c *Correction) string {
	var de, en strings.Builder
	fmt.Fprintf(&de, "Priorität korrigiert: %s → %s", c.From, c.To)
	fmt.Fprintf(&en, "Priority corrected: %s → %s", c.From, c.To)
	if c.Rule == RuleEmailLow {
		de.WriteString(" (E-Mail-Tickets starten mit Priorität „low“).")
		en.WriteString(" (e-mail tickets start at low).")
	} else {
		fmt.Fprintf(&de, " nach Regel „%s“ (entscheidende Wörter: „%s“)", c.Rule, c.Keyword)
		fmt.Fprintf(&en, " by rule %q (deciding words: %q)", c.Rule, c.Keyword)
		if c.Outage {
			de.WriteString(", Ausfall außerhalb der Öffnungszeiten bei 24/7-Vertrag")
			en.WriteString(", outage outside business hours on a 24/7 contract")
		}
		de.WriteString(".")
		en.WriteString(".")
	}
	de.WriteString(" Eine manuelle Änderung der Priorität wird nicht mehr korrigiert.")
	en.WriteString(" A priority set by hand is never corrected again.")
	return de.String() + "\n" + en.String()
}
