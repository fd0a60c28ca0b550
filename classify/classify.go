package classify

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// negationWindow is how many words before a keyword a negation reaches.
const negationWindow = 3

// phraseSlack is how many other words may stand among a phrase's words.
const phraseSlack = 5

// maxPerRule is how many keywords of one rule count in one field: a mail that names
// PayPal, Klarna and the credit card is about payment once or twice, not three times.
const maxPerRule = 2

// Classify decides what rules make of a ticket's subject and body (its first message):
// it reads the customer's own text (stripMail), weighs every rule's keywords found in it
// (subject evidence times the subject weight; negated keywords of negatable rules and
// quoted strings count nothing), and decides the class with the highest score when it
// reaches the minimum score and leads the next class by the margin. A nil rules
// decides nothing. Classify is a pure function and safe for concurrent use.
func Classify(rules *Rules, subject, body string) Result {
	res := Result{}
	if rules == nil || len(rules.rules) == 0 {
		res.Scores = zeroScores()
		res.Reason = "no rules"
		return res
	}
	m := matchers.Get().(*matcher)
	defer m.release()
	m.rules = rules
	m.lang = unknown
	m.scan(Body, stripMail(subject, body), 1)
	m.scan(Subject, subject, rules.scoring.SubjectWeight)
	res.Evidence = slices.Clone(m.evidence)
	slices.SortStableFunc(res.Evidence, func(a, b Evidence) int {
		if a.Negated != b.Negated {
			if a.Negated {
				return 1
			}
			return -1
		}
		return cmp.Compare(b.Weight, a.Weight)
	})
	res.Scores = zeroScores()
	for _, e := range res.Evidence {
		for i := range res.Scores {
			if res.Scores[i].Class == e.Class {
				res.Scores[i].Score += e.Weight
			}
		}
	}
	slices.SortStableFunc(res.Scores, func(a, b Score) int { return cmp.Compare(b.Score, a.Score) })
	best, next := res.Scores[0], res.Scores[1]
	s := rules.scoring
	switch {
	case best.Score == 0:
		res.Reason = "no keyword found: the policy's priority stays"
	case best.Score < s.MinScore:
		res.Reason = fmt.Sprintf("%s has %s, less than the minimum score %s: the policy's priority stays", best.Class, num(best.Score), num(s.MinScore))
	case best.Score-next.Score < s.Margin:
		res.Reason = fmt.Sprintf("%s (%s) leads %s (%s) by less than the margin %s: the policy's priority stays",
			best.Class, num(best.Score), next.Class, num(next.Score), num(s.Margin))
	default:
		res.Class = best.Class
		res.Reason = fmt.Sprintf("%s (%s) leads %s (%s) by at least the margin %s", best.Class, num(best.Score), next.Class, num(next.Score), num(s.Margin))
		for _, e := range res.Evidence {
			if e.Class == best.Class && !e.Negated && e.outage {
				res.Outage = true
			}
		}
	}
	return res
}

func zeroScores() []Score {
	out := make([]Score, len(classes))
	for i, c := range classes {
		out[i] = Score{Class: c}
	}
	return out
}

func num(f float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", f), "0"), ".")
}
