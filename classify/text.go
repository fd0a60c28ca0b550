package classify

import (
	"html"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxText bounds how much of one text is read: the first kilobytes say what the problem
// is; a pasted log file must not make classifying slow.
const maxText = 16 << 10

// token is one word of a text, folded for matching.
type token struct {
	word     string // lower case, ä → ae, ö → oe, ü → ue, ß → ss
	orig     string // as written, for the deciding words
	sentence int32  // phrases and negation do not cross sentences
	literal  bool   // inside a quoted string: literal text, never evidence
	negator  bool   // nicht, kein, not, no, never, don't …
}

// tokenize splits s into folded words, marking quoted strings, sentences and negators.
// Quote marks open a literal only where a quotation can start (after a space or
// punctuation, before a non-space) and only when they close on the same line within a
// short span, so apostrophes ("don't", "Kunde's") and stray marks are no quotes. URLs and
// e-mail addresses are skipped: a path like /checkout names a page, not a problem.
func tokenize(s string, out []token) []token {
	if len(s) > maxText {
		n := maxText
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s = s[:n]
	}
	if strings.IndexByte(s, '&') >= 0 && strings.IndexByte(s, ';') >= 0 {
		s = html.UnescapeString(s)
	}
	// All folded words go into one buffer and become one string at the end.
	buf := make([]byte, 0, len(s)+len(s)/8)
	type span struct{ from, to, origFrom, origTo int }
	spans := make([]span, 0, len(s)/6)
	out = slices.Grow(out, len(s)/6)
	start := len(out)
	var sentence int32
	literalEnd := -1 // byte offset in s where the current literal closes
	wordStart, origStart := -1, -1
	var literal bool
	flush := func(end int) {
		if wordStart < 0 {
			return
		}
		spans = append(spans, span{wordStart, len(buf), origStart, end})
		out = append(out, token{sentence: sentence, literal: literal})
		wordStart = -1
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if wordStart < 0 && i > literalEnd && (i == 0 || isSpace(s[i-1])) {
			if n := skipAddress(s[i:]); n > 0 {
				i += n
				continue
			}
		}
		var fold string
		letter := false
		switch {
		case r < 0x80 && ('a' <= r && r <= 'z' || '0' <= r && r <= '9'):
			letter = true
		case r < 0x80 && 'A' <= r && r <= 'Z':
			letter = true
			r += 'a' - 'A'
		case r == 'ä' || r == 'Ä':
			letter, fold = true, "ae"
		case r == 'ö' || r == 'Ö':
			letter, fold = true, "oe"
		case r == 'ü' || r == 'Ü':
			letter, fold = true, "ue"
		case r == 'ß' || r == 'ẞ':
			letter, fold = true, "ss"
		case r == '\u0308': // combining diaeresis: "a\u0308" is "ä"
			if wordStart >= 0 {
				buf = append(buf, 'e')
			}
			i += size
			continue
		case r >= 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			letter = true
			r = unicode.ToLower(r)
		}
		if letter {
			if wordStart < 0 {
				wordStart, origStart = len(buf), i
				literal = i < literalEnd
			}
			if fold != "" {
				buf = append(buf, fold...)
			} else {
				buf = utf8.AppendRune(buf, r)
			}
			i += size
			continue
		}
		// An apostrophe between letters belongs to the word: don't, isn't, Kunde's.
		if (r == '\'' || r == '’') && wordStart >= 0 && i+size < len(s) && isWordByte(s[i+size]) {
			buf = append(buf, '\'')
			i += size
			continue
		}
		flush(i)
		if i >= literalEnd {
			if end := closingQuote(s, i, r, size); end > 0 {
				literalEnd = end
			}
		}
		switch r {
		case '.', '!', '?':
			if i+size >= len(s) || isSpace(s[i+size]) {
				sentence++
			}
		case ';':
			sentence++
		case '\n':
			if blankLineFollows(s[i+size:]) {
				sentence++
			}
		}
		i += size
	}
	flush(len(s))
	all := string(buf)
	for j, sp := range spans {
		t := &out[start+j]
		t.word = all[sp.from:sp.to]
		t.orig = s[sp.origFrom:sp.origTo]
		t.negator = isNegator(t.word)
	}
	return out
}

func isSpace(b byte) bool { return b == ' ' || b == '\n' || b == '\t' || b == '\r' }

func isWordByte(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || b >= 0x80
}

func blankLineFollows(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\r':
		case '\n':
			return true
		default:
			return false
		}
	}
	return true
}

// skipAddress returns the length of a URL or e-mail address at the start of s, or 0.
func skipAddress(s string) int {
	end, marks := len(s), false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\r', '\n', '<', '>', '(', ')', '[', ']', '"':
			end = i
		case '.', '@', ':':
			marks = true
			continue
		default:
			continue
		}
		break
	}
	if !marks {
		return 0 // most words: no dot, colon or at sign
	}
	w := s[:end]
	if strings.Contains(w, "://") || strings.HasPrefix(w, "www.") || strings.Contains(w, "@") && strings.Contains(w, ".") ||
		isDomain(strings.TrimRight(w, ".,;:!?")) {
		return end
	}
	return 0
}

// isDomain reports whether w looks like a host name: letters, digits, dots and dashes,
// ending in a dot and a top-level domain of two to four letters ("highlandguides.co.uk").
func isDomain(w string) bool {
	dot := strings.LastIndexByte(w, '.')
	if dot <= 0 || len(w)-dot-1 < 2 || len(w)-dot-1 > 4 {
		return false
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-') {
			return false
		}
		if i > dot && !('a' <= c && c <= 'z') {
			return false
		}
	}
	return true
}

// quotePairs maps an opening quote mark to the marks that may close it.
var quotePairs = map[rune]string{
	'"': `"”“`, '„': `“”"`, '“': `”“"`, '”': `”`, '«': `»`, '»': `«`,
	'‚': `‘’'`, '‘': `’‘'`, '\'': `'’`, '`': "`'´",
}

// maxQuote is the longest quoted string taken as literal text, in bytes.
const maxQuote = 120

// closingQuote returns the offset just past the mark closing a quotation opened by r at
// s[i:], or 0 when r opens none there.
func closingQuote(s string, i int, r rune, size int) int {
	closers, ok := quotePairs[r]
	if !ok {
		return 0
	}
	if i > 0 {
		if p, _ := utf8.DecodeLastRuneInString(s[:i]); unicode.IsLetter(p) || unicode.IsDigit(p) {
			return 0
		}
	}
	from := i + size
	if from >= len(s) || isSpace(s[from]) {
		return 0
	}
	limit := min(len(s), from+maxQuote)
	for j := from; j < limit; {
		c, n := utf8.DecodeRuneInString(s[j:])
		if c == '\n' {
			return 0
		}
		if strings.ContainsRune(closers, c) && j > from && !isSpace(s[j-1]) {
			next := j + n
			if next >= len(s) {
				return next
			}
			if nr, _ := utf8.DecodeRuneInString(s[next:]); !unicode.IsLetter(nr) && !unicode.IsDigit(nr) {
				return next
			}
		}
		j += n
	}
	return 0
}

// isNegator reports whether a folded word negates what follows it.
func isNegator(w string) bool {
	switch w {
	case "nicht", "kein", "keine", "keinen", "keinem", "keiner", "keines", "nie", "niemals", "nichts",
		"not", "no", "never", "cannot", "without", "ohne":
		return true
	}
	return strings.HasSuffix(w, "n't")
}

// language is what a text is written in, as far as stemming cares.
type language uint8

const (
	unknown language = iota
	german
	english
)

// detectLanguage guesses German or English from the function words of toks; unknown
// when neither has a clear lead (both stemmers are then asked).
func detectLanguage(toks []token) language {
	de, en := 0, 0
	for i := range toks {
		switch toks[i].word {
		case "der", "die", "das", "und", "ist", "nicht", "wir", "ich", "bitte", "ein", "eine", "mit", "auf",
			"fuer", "bei", "seit", "auch", "noch", "sind", "haben", "kann", "wird", "den", "dem", "von":
			de++
		case "the", "and", "is", "not", "we", "i", "please", "you", "it", "a", "an", "with", "on", "for",
			"at", "since", "also", "to", "of", "are", "have", "can", "will", "our", "this":
			en++
		}
	}
	switch {
	case de >= 2 && de >= 2*en:
		return german
	case en >= 2 && en >= 2*de:
		return english
	}
	return unknown
}
