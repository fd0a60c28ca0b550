package sla

import (
	"html"
	"strings"
	"unicode"
)

// maxMatchText bounds how much of a ticket's text the correction reads: the first few
// kilobytes say what the problem is; a pasted log file must not make Evaluate slow.
const maxMatchText = 16 << 10

// normalizeWords lowercases s, folds umlauts the way Germans type them without a German
// keyboard (ä → ae, ö → oe, ü → ue, ß → ss, also when written with a combining diaeresis),
// turns HTML entities into text and splits it into words of letters and digits. Everything
// else separates words, so a keyword only matches whole words: "500" is not in "1500".
func normalizeWords(s string) []string {
	if len(s) > maxMatchText {
		s = s[:maxMatchText]
	}
	if strings.IndexByte(s, '&') >= 0 {
		s = html.UnescapeString(s)
	}
	// One folded string with single spaces between words, split without copying.
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	space := true
	for _, r := range s {
		var fold string
		switch r {
		case 'ä', 'Ä':
			fold = "ae"
		case 'ö', 'Ö':
			fold = "oe"
		case 'ü', 'Ü':
			fold = "ue"
		case 'ß', 'ẞ':
			fold = "ss"
		case '\u0308': // combining diaeresis after a, o or u: "a\u0308" is "ä"
			if !space {
				b.WriteByte('e')
			}
			continue
		}
		switch {
		case fold != "":
			b.WriteString(fold)
		case r < 0x80 && ('a' <= r && r <= 'z' || '0' <= r && r <= '9'):
			b.WriteByte(byte(r))
		case r < 0x80 && 'A' <= r && r <= 'Z':
			b.WriteByte(byte(r) + 'a' - 'A')
		case r >= 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(unicode.ToLower(r))
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
			continue
		}
		space = false
	}
	return strings.Fields(b.String())
}

// phrase is a compiled keyword: a sequence of words that must follow each other in the
// text. When prefix is set, the last word may be the start of a longer word ("Zahlung*"
// matches "Zahlungsanbieter"); every other word matches only as a whole word.
type phrase struct {
	text   string // as written in the rule, for notes
	words  []string
	prefix bool
}

func compilePhrase(keyword string) (phrase, bool) {
	k := strings.TrimSpace(keyword)
	p := phrase{text: k}
	if strings.HasSuffix(k, "*") {
		p.prefix = true
		k = strings.TrimSuffix(k, "*")
	}
	p.words = normalizeWords(k)
	return p, len(p.words) > 0
}

// in reports whether the phrase occurs in words.
func (p phrase) in(words []string) bool {
	n := len(p.words)
	for i := 0; i+n <= len(words); i++ {
		if p.at(words[i : i+n]) {
			return true
		}
	}
	return false
}

func (p phrase) at(w []string) bool {
	last := len(p.words) - 1
	for j, pw := range p.words {
		if j == last && p.prefix {
			if !strings.HasPrefix(w[j], pw) {
				return false
			}
			continue
		}
		if w[j] != pw {
			return false
		}
	}
	return true
}
