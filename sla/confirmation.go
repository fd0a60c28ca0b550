package sla

import (
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"text/template"
)

//go:embed confirmation_de.tmpl
var confirmationDE string

// ConfirmationTemplate writes the real-time confirmation a customer gets on creation. It
// is a text/template that defines two templates, "subject" and "body", executed with
// ConfirmationData.
type ConfirmationTemplate struct{ t *template.Template }

// ConfirmationData is what a confirmation template can show. Deadlines are written in
// Europe/Vienna local time ("Mo., 30.11.2026 15:00"); an empty one has no target.
type ConfirmationData struct {
	Number, Title string
	// Priority is the effective (corrected) priority: low, medium, high or critical.
	Priority         Priority
	FirstResponseDue string
	ResolutionDue    string
	ChangeRequest    bool
	Critical         bool
	// OutsideBusinessHours: the ticket was created while the business calendar was closed.
	OutsideBusinessHours bool
	// EmergencyPhone is set only for a critical ticket created outside business hours.
	EmergencyPhone string
	ContractName   string
}

var defaultConfirmation = func() *ConfirmationTemplate {
	t, err := ParseConfirmationTemplate(confirmationDE)
	if err != nil {
		panic(err) // the embedded file is tested
	}
	return t
}()

// DefaultConfirmationTemplate returns the built-in German confirmation.
func DefaultConfirmationTemplate() *ConfirmationTemplate { return defaultConfirmation }

// ParseConfirmationTemplate parses text as a confirmation template. It fails when text is
// not a valid text/template, lacks a "subject" or "body" template, or cannot be executed
// with sample data (e.g. it names a field ConfirmationData does not have).
func ParseConfirmationTemplate(text string) (*ConfirmationTemplate, error) {
	t, err := template.New("confirmation").Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, fmt.Errorf("sla: confirmation template: %w", err)
	}
	for _, name := range []string{"subject", "body"} {
		if t.Lookup(name) == nil {
			return nil, fmt.Errorf("sla: confirmation template: no {{define %q}}", name)
		}
	}
	c := &ConfirmationTemplate{t: t}
	sample := ConfirmationData{Number: "1", Title: "t", Priority: High, FirstResponseDue: "x", ResolutionDue: "x",
		ChangeRequest: true, Critical: true, OutsideBusinessHours: true, EmergencyPhone: "x", ContractName: "x"}
	if _, _, err := c.Execute(sample); err != nil {
		return nil, err
	}
	return c, nil
}

// Execute writes the subject (one line, trimmed) and body for d.
func (c *ConfirmationTemplate) Execute(d ConfirmationData) (subject, body string, err error) {
	var s, b strings.Builder
	if err := c.t.ExecuteTemplate(&s, "subject", d); err != nil {
		return "", "", fmt.Errorf("sla: confirmation subject: %w", err)
	}
	if err := c.t.ExecuteTemplate(&b, "body", d); err != nil {
		return "", "", fmt.Errorf("sla: confirmation body: %w", err)
	}
	subject = strings.Join(strings.Fields(s.String()), " ")
	if subject == "" {
		return "", "", errors.New("sla: confirmation subject is empty")
	}
	return subject, strings.TrimSpace(b.String()) + "\n", nil
}

func confirmationMark(terms *Terms, t Ticket, tl *timeline, st *Status, rules *Rules) Mark {
	tmpl := defaultConfirmation
	if rules != nil && rules.confirmation != nil {
		tmpl = rules.confirmation
	}
	outside := !terms.CalendarFor(Low).IsOpen(tl.created)
	d := ConfirmationData{
		Number: t.Number, Title: t.Title, Priority: st.Priority,
		ChangeRequest: st.ChangeRequest, Critical: st.Critical, OutsideBusinessHours: outside,
		ContractName: terms.ContractName,
	}
	if d.Number == "" {
		d.Number = t.ID
	}
	if st.FirstResponse.State != ClockNone {
		d.FirstResponseDue = FormatVienna(st.FirstResponse.Deadline)
	}
	if st.Resolution.State != ClockNone {
		d.ResolutionDue = FormatVienna(st.Resolution.Deadline)
	}
	if st.Critical && outside {
		d.EmergencyPhone = terms.EmergencyPhone
	}
	subject, body, err := tmpl.Execute(d)
	if err != nil {
		// A template that passed ParseConfirmationTemplate fails only on a writer error,
		// which strings.Builder never returns; fall back rather than lose the mark.
		subject, body, _ = defaultConfirmation.Execute(d)
	}
	// No internal note: the public article itself is on the ticket for agents to see.
	return Mark{Key: MarkConfirmation, Reply: body, ReplySubject: subject}
}
