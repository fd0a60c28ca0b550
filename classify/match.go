package classify

import (
	"slices"
	"strings"
	"sync"
)

// matchers keeps matchers and their buffers between calls: Classify allocates little.
var matchers = sync.Pool{New: func() any { return new(matcher) }}

// release returns m to the pool; scan resizes its hits when the next rules differ.
func (m *matcher) release() {
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
