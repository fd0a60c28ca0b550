package classify

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"

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

// matchers keeps matchers and their buffers between calls: Classify allocates little.
var matchers = sync.Pool{New: func() any { return new(matcher) }}

func (m *matcher) release() {
	if m.hits != nil && len(m.hits) != len(m.rules.vocab.words) {
		m.hits = nil // a matcher last used with other rules
	}
	m.rules, m.evidence, m.used = nil, m.evidence[:0], m.used[:0]
	matchers.Put(m)
}

// matcher finds the rules' keywords in a ticket's texts.
type matcher struct {
	lang     language // of the body, used for the subject too
	rules    *Rules
	toks     []token
	hits     [][]int32 // vocab id → token positions, ascending
	touched  []int32   // ids with hits, to reset hits for the next field
	evidence []Evidence
	used     [][2]int // token spans already evidence for the current rule
	pick     []int32  // the tokens of the last match
}

func (m *matcher) overlaps(from, to int) bool {
	for _, u := range m.used {
		if from <= u[1] && u[0] <= to {
			return true
		}
	}
	return false
}

func (m *matcher) scan(f Field, text string, weight float64) {
	m.toks = tokenize(text, m.toks[:0])
	v := m.rules.vocab
	if len(m.hits) != len(v.words) {
		m.hits = make([][]int32, len(v.words))
		m.touched = m.touched[:0]
	}
	if m.lang == unknown {
		m.lang = detectLanguage(m.toks)
	}
	for _, id := range m.touched {
		m.hits[id] = m.hits[id][:0]
	}
	m.touched = m.touched[:0]
	for i := range m.toks {
		pos := int32(i)
		v.match(m.toks[i].word, m.lang, func(id int32) {
			h := m.hits[id]
			if len(h) == 0 {
				m.touched = append(m.touched, id)
			}
			if len(h) == 0 || h[len(h)-1] != pos {
				m.hits[id] = append(h, pos)
			}
		})
	}
	if len(m.touched) == 0 {
		return
	}
	for _, r := range m.rules.rules {
		// One word of the ticket is evidence for a rule once, by its longest phrase
		// (phrases are sorted longest first): "extrem langsam" and "langsam" do not
		// both count "langsam"; "Einstellung" and "Einstellungen" not both "Einstellungen".
		m.used = m.used[:0]
		for _, p := range r.phrases {
			from, to, ok := m.find(p, r.Quoted)
			if !ok || m.overlaps(from, to) {
				continue
			}
			if len(m.used) == maxPerRule {
				break
			}
			m.used = append(m.used, [2]int{from, to})
			e := Evidence{Class: r.Class(), Rule: r.Name, Keyword: p.text, Text: m.original(), Field: f,
				Weight: r.Weight * weight, outage: r.Outage}
			if r.Negatable && !p.neg && m.negated(from) {
				e.Negated, e.Weight = true, 0
			}
			m.evidence = append(m.evidence, e)
		}
	}
}

// find returns the first place where all words of p occur within a short span of one
// sentence, in any order.
func (m *matcher) find(p phrase, quoted bool) (from, to int, ok bool) {
	for _, id := range p.words {
		if len(m.hits[id]) == 0 {
			return 0, 0, false
		}
	}
	span := int32(len(p.words) + phraseSlack)
	for _, at := range m.hits[p.words[0]] {
		if m.toks[at].literal && !quoted {
			continue
		}
		m.pick = append(m.pick[:0], at)
		if len(p.words) == 1 {
			return int(at), int(at), true
		}
		lo, hi := at, at
		all := true
		for _, id := range p.words[1:] {
			best := int32(-1)
			for _, q := range m.hits[id] {
				if q != at && abs32(q-at) < span && m.toks[q].sentence == m.toks[at].sentence &&
					m.toks[q].literal == m.toks[at].literal &&
					(best < 0 || abs32(q-at) < abs32(best-at)) {
					best = q
				}
			}
			if best < 0 {
				all = false
				break
			}
			lo, hi = min(lo, best), max(hi, best)
			m.pick = append(m.pick, best)
		}
		if all && hi-lo < span {
			return int(lo), int(hi), true
		}
	}
	return 0, 0, false
}

// negated reports whether a negation stands shortly before the word at i, in its sentence.
func (m *matcher) negated(i int) bool {
	for j := i - 1; j >= 0 && j >= i-negationWindow; j-- {
		if m.toks[j].sentence != m.toks[i].sentence {
			return false
		}
		if m.toks[j].negator {
			return true
		}
	}
	return false
}

// original returns the words of the last match (m.pick) as the ticket writes them, in
// the ticket's order, with "…" where other words stand between them.
func (m *matcher) original() string {
	if len(m.pick) == 1 {
		return m.toks[m.pick[0]].orig
	}
	slices.Sort(m.pick)
	var b strings.Builder
	for i, at := range m.pick {
		switch {
		case i == 0:
		case at == m.pick[i-1]+1:
			b.WriteByte(' ')
		default:
			b.WriteString(" … ")
		}
		b.WriteString(m.toks[at].orig)
	}
	return b.String()
}

func abs32(x int32) int32 {
	if x < 0 {
		return -x
	}
	return x
}
