package classify

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/monobunt/slaguard/sla"
)

// ErrInvalidRule is wrapped by every error NewRules returns; each names the rule (its
// position, counting from 1, and its name) or the scoring setting and what is wrong.
var ErrInvalidRule = errors.New("classify: invalid correction rule")

// Class is what a ticket's text can be: a priority or a change request.
type Class string

// The classes a rule can give evidence for.
const (
	Low           Class = Class(sla.Low)
	Medium        Class = Class(sla.Medium)
	High          Class = Class(sla.High)
	Critical      Class = Class(sla.Critical)
	ChangeRequest Class = "change_request"
)

// classes in a fixed order, for stable output.
var classes = []Class{Critical, High, Medium, Low, ChangeRequest}

// Rule is one priority-correction rule of the agency, as data: each of its keywords
// found in a new ticket's subject or first message is evidence, of the rule's Weight,
// that the ticket is of the rule's class.
//
// Keywords are words or phrases. A word matches case-insensitively, umlaut-tolerant
// ("Änderung" = "Aenderung", "ß" = "ss") and in its inflections and compounds through the
// German and English Snowball stemmers: "Zahlung" matches "Zahlungen" and
// "Zahlungsart", "Shop" matches "Onlineshop". A phrase of several words matches when all
// of them occur close together in one sentence, in any order ("falsch eingestellt"
// matches "ist falsch eingestellt" and "eingestellt ist das falsch"). A trailing "*"
// lets the last word be the start of any longer word, even a short one ("Web*").
type Rule struct {
	// Name says why, in the note written with the correction ("shop-down").
	Name string
	// Priority the evidence points to. Empty exactly when ChangeRequest is set.
	Priority sla.Priority
	// ChangeRequest: evidence for a request for new development or changes (billed by
	// the hour or by quote, no resolution deadline, not counted against the quota).
	ChangeRequest bool
	// Outage: the keywords describe the site, shop, cart, checkout or payment being
	// down; outside business hours on a 24/7 contract such a ticket is critical.
	Outage bool
	// Negatable: a negation shortly before a keyword ("nicht dringend", "kein Notfall",
	// "not urgent") cancels it. Leave it off for rules whose keywords name a thing that
	// is broken ("keine Zahlung möglich" is still about payment).
	Negatable bool
	// Quoted: the keywords count inside quoted strings too. Quoted text is literal, not
	// intent ("'Angbot' statt 'Angebot'" asks for no quote), but a quoted error message
	// ("Error establishing a database connection") is what the site shows.
	Quoted bool
	// Weight of one keyword found, > 0 and at most 10; 0 means 1.
	Weight float64
	// Keywords are the phrases that are evidence; at least one.
	Keywords []string
}

// Class is the class the rule gives evidence for.
func (r Rule) Class() Class {
	if r.ChangeRequest {
		return ChangeRequest
	}
	return Class(r.Priority)
}

// Scoring says how evidence becomes a decision.
type Scoring struct {
	// SubjectWeight multiplies evidence found in the subject (the title); > 0, at most
	// 10; 0 means 2.
	SubjectWeight float64
	// MinScore is the evidence a class needs before it may correct anything; 0 means 2.
	MinScore float64
	// Margin is how much more evidence the winning class needs than the next one;
	// otherwise the text decides nothing and the policy's priority stays. 0 means 1.
	Margin float64
}

func (s Scoring) withDefaults() Scoring {
	if s.SubjectWeight == 0 {
		s.SubjectWeight = 2
	}
	if s.MinScore == 0 {
		s.MinScore = 2
	}
	if s.Margin == 0 {
		s.Margin = 1
	}
	return s
}

// Rules is a validated, compiled rule set. It is immutable and safe for concurrent use.
type Rules struct {
	rules   []compiledRule
	scoring Scoring
	vocab   *vocab
}

type compiledRule struct {
	Rule
	phrases []phrase
}

// NewRules validates rs and s and compiles them. It fails, wrapping ErrInvalidRule,
// naming every bad rule by position (from 1) and name: a missing or duplicate name, no
// keywords, an empty keyword, a "*" anywhere but at a keyword's end, the same keyword
// twice, an unknown priority, both or neither of a priority and ChangeRequest, Outage on
// a change request, a weight out of range; and every bad scoring setting.
func NewRules(s Scoring, rs []Rule) (*Rules, error) {
	var errs []error
	for _, f := range []struct {
		name string
		v    float64
	}{{"subject_weight", s.SubjectWeight}, {"min_score", s.MinScore}, {"margin", s.Margin}} {
		if f.v < 0 || f.v > 100 || math.IsNaN(f.v) {
			errs = append(errs, fmt.Errorf("%w: scoring %s %v is not between 0 and 100", ErrInvalidRule, f.name, f.v))
		}
	}
	out := &Rules{rules: make([]compiledRule, 0, len(rs)), scoring: s.withDefaults()}
	seen := make(map[string]int, len(rs))
	keywords := make(map[string]string)
	for i, r := range rs {
		bad := func(format string, a ...any) {
			errs = append(errs, fmt.Errorf("%w %d %q: %s", ErrInvalidRule, i+1, r.Name, fmt.Sprintf(format, a...)))
		}
		name := strings.TrimSpace(r.Name)
		switch {
		case name == "":
			bad("has no name")
		case seen[strings.ToLower(name)] > 0:
			bad("has the same name as rule %d", seen[strings.ToLower(name)])
		default:
			seen[strings.ToLower(name)] = i + 1
		}
		switch {
		case r.ChangeRequest && r.Priority != "":
			bad("sets both a priority and change_request; a change request keeps the ticket's priority")
		case !r.ChangeRequest && r.Priority == "":
			bad("sets neither a priority nor change_request")
		case r.Priority != "" && !r.Priority.Valid():
			bad("priority %q is not low, medium, high or critical", r.Priority)
		}
		if r.Outage && r.ChangeRequest {
			bad("is both an outage and a change request")
		}
		if r.Weight < 0 || r.Weight > 10 || math.IsNaN(r.Weight) {
			bad("weight %v is not between 0 and 10", r.Weight)
		}
		if len(r.Keywords) == 0 {
			bad("has no keywords")
		}
		c := compiledRule{Rule: r}
		c.Name = name
		if c.Weight == 0 {
			c.Weight = 1
		}
		c.Keywords = append([]string(nil), r.Keywords...)
		for j, k := range r.Keywords {
			k = strings.TrimSpace(k)
			if at := strings.IndexByte(k, '*'); at >= 0 && at != len(k)-1 {
				bad("keyword %d %q: \"*\" is allowed only at the end", j+1, k)
				continue
			}
			key, ok := phraseKey(k)
			if !ok {
				bad("keyword %d %q has no letters or digits", j+1, k)
				continue
			}
			if other, dup := keywords[key]; dup {
				bad("keyword %d %q is already a keyword of rule %s", j+1, k, other)
				continue
			}
			keywords[key] = fmt.Sprintf("%d %q", i+1, name)
		}
		out.rules = append(out.rules, c)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	// Only a valid rule set is compiled: stemming every keyword is the expensive part,
	// and a file with a mistake is refused without it.
	b := newVocabBuilder()
	for i := range out.rules {
		c := &out.rules[i]
		for _, k := range c.Keywords {
			p, _ := b.phrase(k)
			c.phrases = append(c.phrases, p)
		}
		slices.SortStableFunc(c.phrases, func(a, b phrase) int { return cmp.Compare(len(b.words), len(a.words)) })
	}
	out.vocab = b.build()
	return out, nil
}

// List returns a copy of the rules in the order they were given.
func (r *Rules) List() []Rule {
	if r == nil {
		return nil
	}
	out := make([]Rule, len(r.rules))
	for i, c := range r.rules {
		out[i] = c.Rule
		out[i].Keywords = append([]string(nil), c.Keywords...)
	}
	return out
}

// Scoring returns the scoring settings in force (defaults filled in).
func (r *Rules) Scoring() Scoring {
	if r == nil {
		return Scoring{}.withDefaults()
	}
	return r.scoring
}
