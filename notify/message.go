package notify

import (
	"fmt"
	"strings"
	"time"

	"github.com/monobunt/slaguard/sla"
)

// Kind is what a warning announces; the values are those of a contract's notify.marks.
type Kind string

// The kinds of warnings.
const (
	// AtRisk: a share of a clock's target is used up (the contract's at_risk_percent).
	AtRisk Kind = "at_risk"
	// Breach: a clock's deadline passed unmet.
	Breach Kind = "breach"
)

// Valid reports whether k is a kind of warning.
func (k Kind) Valid() bool { return k == AtRisk || k == Breach }

// Message is one warning about one clock of one ticket.
type Message struct {
	Kind Kind
	// Clock is sla's name of the clock: "first-response" or "resolution".
	Clock    string
	Customer string
	// Ticket is the number the helpdesk shows ("4711"); Title its subject.
	Ticket string
	Title  string
	// URL opens the ticket in the helpdesk; "" when slaguard does not know it.
	URL string
	// Deadline is when the clock's target is (or was) used up.
	Deadline time.Time
	// Left is the business time left to the deadline when the message was made; negative
	// is how late the ticket is.
	Left time.Duration
	// ID names the warning for good (ticket and mark); e-mails carry it in Message-ID.
	ID string
}

// clockNames are the German and English names of a clock.
var clockNames = map[string][2]string{
	"first-response": {"Erstreaktion", "first response"},
	"resolution":     {"Lösung", "resolution"},
}

func (m Message) clockName() (de, en string) {
	if n, ok := clockNames[m.Clock]; ok {
		return n[0], n[1]
	}
	return m.Clock, m.Clock
}

// Headline is the one-line summary, German then English:
// "SLA verletzt / SLA breached: Erstreaktion / first response – Ticket 4711 (Customer Corp)".
func (m Message) Headline() string {
	de, en := m.clockName()
	word := "SLA gefährdet / SLA at risk"
	if m.Kind == Breach {
		word = "SLA verletzt / SLA breached"
	}
	return fmt.Sprintf("%s: %s / %s – Ticket %s (%s)", word, de, en, m.Ticket, m.Customer)
}

// Subject is the e-mail subject: the headline.
func (m Message) Subject() string { return m.Headline() }

// Fact is one labelled line of a message.
type Fact struct{ Label, Value string }

// Facts are the message's details: customer, ticket, deadline in Vienna time, and the
// business time left or how late.
func (m Message) Facts() []Fact {
	facts := []Fact{
		{"Kunde / Customer", m.Customer},
		{"Ticket", strings.TrimSpace(m.Ticket + " " + m.Title)},
		{"Frist / Deadline", sla.FormatVienna(m.Deadline) + " (" + sla.FormatViennaEnglish(m.Deadline) + ", Europe/Vienna)"},
	}
	if m.Left >= 0 {
		facts = append(facts, Fact{"Noch / Left", sla.FormatBusinessTime(sla.Duration(m.Left)) + " Geschäftszeit / business time"})
	} else {
		facts = append(facts, Fact{"Überfällig / Late", sla.FormatBusinessTime(sla.Duration(-m.Left)) + " Geschäftszeit / business time"})
	}
	return facts
}

// Text is the message as plain text: the headline, the facts and the link.
func (m Message) Text() string {
	var b strings.Builder
	b.WriteString(m.Headline())
	b.WriteString("\n\n")
	for _, f := range m.Facts() {
		fmt.Fprintf(&b, "%s: %s\n", f.Label, f.Value)
	}
	if m.URL != "" {
		fmt.Fprintf(&b, "\nTicket öffnen / Open the ticket: %s\n", m.URL)
	}
	return b.String()
}
