package classify_test

import (
	"slices"
	"testing"

	"github.com/monobunt/slaguard/classify"
	"github.com/monobunt/slaguard/internal/rulesfile"
)

// FuzzClassify feeds the analyser arbitrary subjects and bodies (ticket text comes from
// outside): it never panics, decides the same twice, and what it reports adds up — the
// scores are the sums of the evidence, and the deciding words are evidence of the class.
func FuzzClassify(f *testing.F) {
	for _, s := range [][2]string{
		{"Shop nicht erreichbar", "Hallo,\n> alt\nNicht dringend. 'Angebot' „Kasse“ don't\n-- \nSig"},
		{"WG: x", "---------- Weitergeleitete Nachricht ---------\nVon: a\nBetreff: b\n\nZahlungsart kaputt"},
		{"a\u0308&amp;ß", "\xff\xfe\"unclosed 'quote"},
	} {
		f.Add(s[0], s[1])
	}
	rules := rulesfile.Default()
	f.Fuzz(func(t *testing.T, subject, body string) {
		a, b := classify.Classify(rules, subject, body), classify.Classify(rules, subject, body)
		if a.Class != b.Class || a.Reason != b.Reason || !slices.Equal(a.Scores, b.Scores) || len(a.Evidence) != len(b.Evidence) {
			t.Fatalf("two answers: %+v / %+v", a, b)
		}
		sum := map[classify.Class]float64{}
		for _, e := range a.Evidence {
			sum[e.Class] += e.Weight
		}
		for _, s := range a.Scores {
			if d := s.Score - sum[s.Class]; d > 1e-9 || d < -1e-9 {
				t.Fatalf("score %v of %s, evidence adds to %v", s.Score, s.Class, sum[s.Class])
			}
		}
		if (a.Class == "") != (a.Verdict() == nil) {
			t.Fatalf("class %q but verdict %+v", a.Class, a.Verdict())
		}
		for _, w := range a.Words(5) {
			found := false
			for _, e := range a.Evidence {
				found = found || e.Class == a.Class && e.Text == w
			}
			if !found {
				t.Fatalf("deciding word %q is no evidence of %s", w, a.Class)
			}
		}
	})
}
