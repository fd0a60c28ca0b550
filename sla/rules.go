package sla

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidRule is wrapped by every error NewRules returns; each names the rule (its
// position, counting from 1, and its name) and what is wrong with it.
var ErrInvalidRule = errors.New("sla: invalid correction rule")

// Rule is one priority-correction rule of the agency, as data: when any of its keywords
// occurs in a new ticket's title or first message, the ticket is a change request or gets
// Priority.
//
// Keywords are matched case-insensitively on whole words, umlaut-tolerant ("Änderung"
// matches "Aenderung" and vice versa); a keyword of several words matches them in that
// order with nothing but spaces or punctuation between them; a trailing "*" lets its
// last word be the start of a longer word ("Zahlung*" matches "Zahlungsanbieter").
type Rule struct {
	// Name says why in the note written with the correction ("shop-down").
	Name string
	// Priority the ticket is corrected to. Empty exactly when ChangeRequest is set.
	Priority Priority
	// ChangeRequest marks requests for new development or changes: billed by the hour or
	// by quote, no resolution deadline, not counted against the quota.
	ChangeRequest bool
	// Outage marks rules that describe the site, shop, cart, checkout or payment being
	// down: reported outside business hours on a 24/7 contract, the ticket is critical.
	Outage bool
	// Keywords are the phrases that trigger the rule; at least one.
	Keywords []string
}

// Rules is a validated, ordered set of correction rules plus the confirmation text. The
// first rule (in order) with a keyword in the ticket's text wins, so the order is the
// precedence: put outages before change requests before everything else. A nil *Rules
// has no correction rules and uses the default confirmation template. Rules is
// immutable and safe for concurrent use.
type Rules struct {
	rules        []compiledRule
	confirmation *ConfirmationTemplate
}

type compiledRule struct {
	Rule
	phrases []phrase
}

// NewRules validates rs and compiles them in order. It fails, wrapping ErrInvalidRule,
// naming every bad rule by position (from 1) and name: a missing or duplicate name, no
// keywords, an empty keyword or one with "*" anywhere but at its end, an unknown
// priority, both or neither of a priority and ChangeRequest, or Outage on a change
// request.
func NewRules(rs []Rule) (*Rules, error) {
	out := &Rules{rules: make([]compiledRule, 0, len(rs))}
	var errs []error
	seen := make(map[string]int, len(rs))
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
		if len(r.Keywords) == 0 {
			bad("has no keywords")
		}
		c := compiledRule{Rule: r}
		c.Name = name
		c.Keywords = append([]string(nil), r.Keywords...)
		for j, k := range r.Keywords {
			if at := strings.IndexByte(strings.TrimSpace(k), '*'); at >= 0 && at != len(strings.TrimSpace(k))-1 {
				bad("keyword %d %q: \"*\" is allowed only at the end", j+1, k)
				continue
			}
			p, ok := compilePhrase(k)
			if !ok {
				bad("keyword %d %q has no letters or digits", j+1, k)
				continue
			}
			c.phrases = append(c.phrases, p)
		}
		out.rules = append(out.rules, c)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// List returns a copy of the rules in order of precedence.
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

// WithConfirmation returns a copy of r that writes confirmations with t instead of the
// default German template; r itself is unchanged. A nil t means the default.
func (r *Rules) WithConfirmation(t *ConfirmationTemplate) *Rules {
	out := &Rules{confirmation: t}
	if r != nil {
		out.rules = r.rules
	}
	return out
}

// Match returns the first rule with a keyword in any of texts, and that keyword as the
// rule wrote it; ok is false when no rule matches.
func (r *Rules) Match(texts ...string) (rule Rule, keyword string, ok bool) {
	if r == nil || len(r.rules) == 0 {
		return Rule{}, "", false
	}
	var words []string
	for _, t := range texts {
		words = append(words, normalizeWords(t)...)
		words = append(words, "") // no phrase spans the title and the body
	}
	for _, c := range r.rules {
		for _, p := range c.phrases {
			if p.in(words) {
				return c.Rule, p.text, true
			}
		}
	}
	return Rule{}, "", false
}
