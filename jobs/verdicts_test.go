package jobs

import (
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/monobunt/slaguard/classify"
	"github.com/monobunt/slaguard/internal/rulesfile"
)

// TestVerdictMemoGivesWhatClassifyingGives: the memo's verdict is the rules' verdict on
// that very text — the same subject with another body, or the same words split otherwise
// between subject and body, is its own text — whether it comes fresh or from the memo, and
// a caller changing its copy changes nothing for the next.
func TestVerdictMemoGivesWhatClassifyingGives(t *testing.T) {
	rules := rulesfile.Default()
	texts := [][2]string{
		{"Shop down", "Der Online-Shop ist seit 10 Minuten nicht erreichbar, niemand kann bestellen!"},
		{"Shop down", "Kurze Frage: wie ändere ich mein Passwort?"},
		{"Neue Funktion", "Bitte bauen Sie uns einen neuen Newsletter-Bereich mit Anmeldeformular."},
		{"Frage", "Wie lange dauert eine Lieferung nach Österreich?"},
		{"Der Shop", "ist down"},
		{"Der Shop ist", "down"},
		{"", ""},
	}
	var vm verdictMemo
	for round := range 2 {
		for _, tx := range texts {
			want := classify.Classify(rules, tx[0], tx[1]).Verdict()
			got := vm.classify(rules, tx[0], tx[1])
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("round %d, %q / %q (-classify +memo):\n%s", round, tx[0], tx[1], diff)
			}
			if got != nil {
				got.Priority, got.Rule = "changed by the caller", "changed"
			}
		}
	}
	if len(vm.m) != len(texts) {
		t.Errorf("the memo holds %d texts, want %d", len(vm.m), len(texts))
	}
}

// TestVerdictMemoIsBounded: however many texts pass, the memo holds at most maxVerdicts.
func TestVerdictMemoIsBounded(t *testing.T) {
	rules := rulesfile.Default()
	var vm verdictMemo
	for i := range maxVerdicts + 100 {
		vm.classify(rules, "Frage "+strconv.Itoa(i), "Text")
		if len(vm.m) > maxVerdicts {
			t.Fatalf("%d texts in the memo after %d, want at most %d", len(vm.m), i+1, maxVerdicts)
		}
	}
}
