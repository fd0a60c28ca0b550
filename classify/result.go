package classify

import (
	"cmp"
	"slices"
	"strings"

	"github.com/monobunt/slaguard/sla"
)

// Field is where in a ticket evidence was found.
type Field string

// The fields of a ticket's text.
const (
	Subject Field = "subject"
	Body    Field = "body"
)

// Evidence is one keyword of one rule found in a ticket's text.
type Evidence struct {
	Class   Class  `json:"class"`
	Rule    string `json:"rule"`
	Keyword string `json:"keyword"` // as the rule writes it
	Text    string `json:"text"`    // as the ticket writes it
	Field   Field  `json:"field"`
	// Weight is what it added to its class's score: the rule's weight, times the
	// subject weight in the subject; 0 when Negated.
	Weight float64 `json:"weight"`
	// Negated: a negation shortly before it ("nicht dringend") cancelled it.
	Negated bool `json:"negated,omitempty"`
	outage  bool
}

// Score is the evidence of one class.
type Score struct {
	Class Class   `json:"class"`
	Score float64 `json:"score"`
}

// Result is what the rules make of a ticket's text, with everything that led there.
type Result struct {
	// Class is the class the text was decided as; "" when it decided nothing and the
	// policy's priority stays.
	Class Class `json:"class,omitempty"`
	// Scores lists every class, highest score first (ties in a fixed order).
	Scores []Score `json:"scores"`
	// Evidence lists every keyword found, strongest first, negated ones included.
	Evidence []Evidence `json:"evidence"`
	// Reason says in one sentence why the text decided what it did.
	Reason string `json:"reason"`
	// Outage: the decided class's evidence includes an outage rule.
	Outage bool `json:"outage,omitempty"`
}

// Words returns the ticket's words that decided (the decided class's evidence), at
// most max, strongest first, each once.
func (r Result) Words(max int) []string {
	var out []string
	for _, e := range r.Evidence {
		if r.Class == "" || e.Class != r.Class || e.Negated || slices.Contains(out, e.Text) {
			continue
		}
		out = append(out, e.Text)
		if len(out) == max {
			break
		}
	}
	return out
}

// Rules returns the names of the rules whose evidence decided, strongest first.
func (r Result) Rules() []string {
	weight := map[string]float64{}
	var names []string
	for _, e := range r.Evidence {
		if r.Class == "" || e.Class != r.Class || e.Negated {
			continue
		}
		if _, ok := weight[e.Rule]; !ok {
			names = append(names, e.Rule)
		}
		weight[e.Rule] += e.Weight
	}
	slices.SortStableFunc(names, func(a, b string) int { return cmp.Compare(weight[b], weight[a]) })
	return names
}

// Verdict is the result as sla takes it (sla.Ticket.Verdict); nil when the text decided
// nothing.
func (r Result) Verdict() *sla.Verdict {
	if r.Class == "" {
		return nil
	}
	v := &sla.Verdict{Outage: r.Outage, Rule: strings.Join(r.Rules(), ", "), Words: r.Words(5)}
	if r.Class == ChangeRequest {
		v.ChangeRequest = true
	} else {
		v.Priority = sla.Priority(r.Class)
	}
	return v
}
