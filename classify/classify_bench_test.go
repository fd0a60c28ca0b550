package classify_test

import (
	"strings"
	"testing"

	"github.com/monobunt/slaguard/classify"
	"github.com/monobunt/slaguard/internal/rulesfile"
)

// fiveKB is a 5 KB mail of the customer's own text (no quoted reply to cut off, so all
// of it is analysed): the bodies of corpus tickets one after the other, German and
// English, then a signature.
func fiveKB(tb testing.TB) string {
	tb.Helper()
	var b strings.Builder
	for _, l := range loadCorpus(tb) {
		if b.Len() >= 5000 {
			break
		}
		if i := strings.Index(l.body, "\n\n"); i > 0 && strings.Contains(l.id, "long") {
			b.WriteString(l.body[i:])
			b.WriteString("\n")
		}
	}
	out := b.String()
	if len(out) > 5*1024 {
		out = out[:5*1024]
	}
	return out + "\n\nMit freundlichen Grüßen\nAnna Muster\n"
}

// BenchmarkClassify5KB is issue 15's budget: a 5 KB mail in at most 100 µs.
func BenchmarkClassify5KB(b *testing.B) {
	rules := rulesfile.Default()
	body := fiveKB(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		classify.Classify(rules, "AW: Shop nicht erreichbar – Zahlungsart Kreditkarte", body)
	}
}

func TestFiveKBMailIsFiveKB(t *testing.T) {
	if n := len(fiveKB(t)); n < 5000 || n > 5300 {
		t.Errorf("the benchmark's mail has %d bytes", n)
	}
}
