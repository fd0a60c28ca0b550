package classify

import (
	"strings"

	"github.com/blevesearch/snowballstem"
	englishstem "github.com/blevesearch/snowballstem/english"
	germanstem "github.com/blevesearch/snowballstem/german"
)

// A keyword word meets a word of the text when they are the same word or share a root:
// the Snowball stem (German or English) of the keyword word, cut back to what it has in
// common with the word itself ("delivery" → "deliveri" → "deliver"). A text word of the
// root plus anything is the same word inflected or the first part of a compound
// ("zahlung" in "zahlungsart"), when the root is long enough to say so (minFreeRoot);
// a shorter root needs the stemmers to agree ("kass" is the stem of "kassen", not of
// "kassel"). A root at the end of a longer word is the head of a compound ("shop" in
// "onlineshop", "seit" in "startseite").
const (
	minRoot     = 4 // shorter keyword words match only as they are written
	minFreeRoot = 5 // roots this long match any longer word they start
	minModifier = 3 // the part before a compound's head
	// minHead is the shortest keyword word found as the head of a compound: "seite"
	// in "startseite", "kasse" in "ladenkasse"; not "down" in "dropdown".
	minHead = 5
)

// vocab is every distinct keyword word of a rule set and the index to find them in text.
type vocab struct {
	words []vword
	exact map[string][]int32 // a keyword word or one of its stems → word ids
	roots map[string][]int32 // keyword words and their stems (≥ minRoot) → word ids
	// forms holds, per root, the ids whose keyword word is that root as written: only
	// such a root matches any longer word ("zahlung" in "zahlungsart"); a stem must be
	// confirmed by the stemmers ("rechn", the stem of "rechner", is not in "rechnung").
	forms map[string][]int32
	gate  *[gateSize / 64]uint64
	// maxRoot is the longest root, bounding the prefix lookups of a text word.
	maxRoot int
}

type vword struct {
	form   string // folded, as in the keyword
	prefix bool   // written with a trailing "*"
}

const gateSize = 1 << 16

// gateHash spreads the first three bytes of a root over the gate's bits: a text word
// whose three bytes at a position miss the gate holds no root there, checked without a
// map lookup.
func gateHash(s string) uint32 {
	return (uint32(s[0])*65599 + uint32(s[1])*257 + uint32(s[2])) & (gateSize - 1)
}

func (v *vocab) gated(s string) bool {
	h := gateHash(s)
	return v.gate[h/64]&(1<<(h%64)) != 0
}

// phrase is a compiled keyword: its words (ids into the vocab) and how it was written.
type phrase struct {
	text  string  // as written in the rule, for explanations
	key   string  // folded words, to find the same keyword twice
	words []int32 // vocab ids
	neg   bool    // the phrase itself says "nicht", "kein", "not" …: never negated again
}

type vocabBuilder struct {
	v   *vocab
	ids map[vword]int32
}

func newVocabBuilder() *vocabBuilder {
	return &vocabBuilder{
		v: &vocab{exact: map[string][]int32{}, roots: map[string][]int32{}, forms: map[string][]int32{},
			gate: new([gateSize / 64]uint64)},
		ids: map[vword]int32{},
	}
}

func (b *vocabBuilder) build() *vocab { return b.v }

// phraseKey returns a keyword's words as matched (folded, "*" kept), to find the same
// keyword twice; ok is false when it has no words.
func phraseKey(keyword string) (key string, ok bool) {
	k := strings.TrimSpace(keyword)
	prefix := strings.HasSuffix(k, "*")
	toks := tokenize(strings.TrimSuffix(k, "*"), nil)
	if len(toks) == 0 {
		return "", false
	}
	words := make([]string, len(toks))
	for i, t := range toks {
		words[i] = t.word
	}
	key = strings.Join(words, " ")
	if prefix {
		key += "*"
	}
	return key, true
}

// phrase compiles a keyword; ok is false when it has no words.
func (b *vocabBuilder) phrase(keyword string) (phrase, bool) {
	k := strings.TrimSpace(keyword)
	p := phrase{text: k}
	prefix := strings.HasSuffix(k, "*")
	k = strings.TrimSuffix(k, "*")
	toks := tokenize(k, nil)
	if len(toks) == 0 {
		return p, false
	}
	keys := make([]string, len(toks))
	for i, t := range toks {
		keys[i] = t.word
		p.neg = p.neg || t.negator
		p.words = append(p.words, b.word(vword{form: t.word, prefix: prefix && i == len(toks)-1}))
	}
	p.key = strings.Join(keys, " ")
	if prefix {
		p.key += "*"
	}
	return p, true
}

func (b *vocabBuilder) word(w vword) int32 {
	if id, ok := b.ids[w]; ok {
		return id
	}
	v := b.v
	id := int32(len(v.words))
	v.words = append(v.words, w)
	b.ids[w] = id
	add := func(m map[string][]int32, key string) {
		for _, have := range m[key] {
			if have == id {
				return
			}
		}
		m[key] = append(m[key], id)
	}
	add(v.exact, w.form)
	if !lettersOnly(w.form) {
		return id // "500", "404", "ssl3": as written only
	}
	if w.prefix {
		b.root(w.form, id, add)
		add(v.forms, w.form)
		return id
	}
	if len(w.form) < minRoot {
		return id
	}
	b.root(w.form, id, add)
	add(v.forms, w.form)
	for _, s := range stems(w.form) {
		if len(s) >= minRoot {
			add(v.exact, s)
		}
		if r := commonPrefix(s, w.form); len(r) >= minRoot {
			b.root(r, id, add)
		}
	}
	return id
}

func (b *vocabBuilder) root(r string, id int32, add func(map[string][]int32, string)) {
	v := b.v
	add(v.roots, r)
	if len(r) >= 3 {
		h := gateHash(r)
		v.gate[h/64] |= 1 << (h % 64)
	}
	v.maxRoot = max(v.maxRoot, len(r))
}

// match calls hit with the id of every keyword word that word (a folded text word)
// meets, possibly more than once for the same id.
func (v *vocab) match(word string, lang language, hit func(id int32)) {
	for _, id := range v.exact[word] {
		hit(id)
	}
	n := len(word)
	if n < minRoot || !lettersOnly(word) {
		return
	}
	// The word starts with a root: inflected, derived or the first part of a compound.
	if v.gated(word) {
		for l := min(n, v.maxRoot); l >= 3; l-- {
			for _, id := range v.roots[word[:l]] {
				if l == n || v.free(id, word[:l]) || sameStem(word, word[:l], lang) {
					hit(id)
				}
			}
		}
	}
	// A root ends the word: the head of a compound, perhaps inflected.
	for i := minModifier; i+minRoot <= n; i++ {
		if !v.gated(word[i:]) {
			continue
		}
		head := word[i:]
		for _, id := range v.exact[head] {
			if len(v.words[id].form) >= minHead {
				hit(id)
			}
		}
		for l := len(head); l >= len(head)-3 && l >= minRoot; l-- {
			for _, id := range v.roots[head[:l]] {
				if !v.words[id].prefix && len(v.words[id].form) >= minHead && (l == len(head) || sameStem(head, head[:l], lang)) {
					hit(id)
				}
			}
		}
	}
}

// free reports whether root r of word id matches any longer word it starts: r is the
// keyword word as written and long enough, or the keyword ends in "*".
func (v *vocab) free(id int32, r string) bool {
	w := v.words[id]
	return w.prefix || len(r) >= minFreeRoot && w.form == r
}

// stems returns the German and the English Snowball stem of a folded word.
func stems(w string) [2]string {
	env := snowballstem.NewEnv(w)
	germanstem.Stem(env)
	de := env.Current()
	env.SetCurrent(w)
	englishstem.Stem(env)
	return [2]string{de, env.Current()}
}

// sameStem reports whether the stemmer of lang (both when unknown) takes w to root r
// (or to r plus the letter the root was cut back from, as "deliveri" for "deliver").
func sameStem(w, r string, lang language) bool {
	env := snowballstem.NewEnv(w)
	for _, l := range [...]language{german, english} {
		if lang != unknown && lang != l {
			continue
		}
		env.SetCurrent(w)
		if l == german {
			germanstem.Stem(env)
		} else {
			englishstem.Stem(env)
		}
		s := env.Current()
		if s == r || len(s) == len(r)+1 && strings.HasPrefix(s, r) {
			return true
		}
	}
	return false
}

func commonPrefix(a, b string) string {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return a[:i]
		}
	}
	return a[:n]
}

func lettersOnly(w string) bool {
	for i := 0; i < len(w); i++ {
		c := w[i]
		if !('a' <= c && c <= 'z' || c >= 0x80 || c == '\'') {
			return false
		}
	}
	return true
}
