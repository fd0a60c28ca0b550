package classify_test

import (
	"bufio"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/monobunt/slaguard/classify"
	"github.com/monobunt/slaguard/internal/rulesfile"
	"github.com/monobunt/slaguard/sla"
)

// corpusSeed fixes the split of the corpus into a tuning half and a held-out half. It is
// never changed to make a result look better.
const corpusSeed = "slaguard/issue-15/2026-12-04"

// heldOutGoal is the share of held-out tickets the rules must get right.
const heldOutGoal = 0.90

// labelled is one ticket of testdata/corpus and the outcome a support lead gives it.
type labelled struct {
	id, file, label, channel string
	chosen                   sla.Priority
	subject, body            string
}

func (l labelled) heldOut() bool {
	h := fnv.New64a()
	h.Write([]byte(corpusSeed + "/" + l.id))
	return h.Sum64()%2 == 1
}

func loadCorpus(tb testing.TB) []labelled {
	tb.Helper()
	files, err := filepath.Glob("testdata/corpus/*.txt")
	if err != nil || len(files) == 0 {
		tb.Fatalf("no corpus: %v", err)
	}
	var out []labelled
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		var cur *labelled
		inBody := false
		var body strings.Builder
		finish := func() {
			if cur != nil {
				cur.body = strings.TrimSpace(body.String())
				out = append(out, *cur)
			}
			body.Reset()
		}
		sc := bufio.NewScanner(strings.NewReader(string(b)))
		for n := 1; sc.Scan(); n++ {
			line := sc.Text()
			if id, ok := strings.CutPrefix(line, "### "); ok {
				finish()
				cur, inBody = &labelled{id: strings.TrimSpace(id), file: filepath.Base(f)}, false
				continue
			}
			if cur == nil {
				continue
			}
			if inBody {
				body.WriteString(line + "\n")
				continue
			}
			key, value, ok := strings.Cut(line, ":")
			value = strings.TrimSpace(value)
			switch {
			case !ok && strings.TrimSpace(line) == "":
			case !ok:
				tb.Fatalf("%s:%d: %q is no key: value line", f, n, line)
			case key == "label":
				cur.label = value
			case key == "channel":
				cur.channel = value
			case key == "priority":
				cur.chosen = sla.Priority(value)
			case key == "subject":
				cur.subject = value
			case key == "body":
				inBody = true
			default:
				tb.Fatalf("%s:%d: unknown key %q", f, n, key)
			}
		}
		finish()
	}
	return out
}

// outcome is what slaguard makes of a ticket: the verdict on its text, through
// sla.Evaluate on an SLA1 contract on a Tuesday morning, as a label.
func outcome(tb testing.TB, rules *classify.Rules, l labelled) string {
	at := time.Date(2026, 11, 24, 10, 0, 0, 0, sla.Vienna).UTC()
	p, _ := sla.LookupPlan("sla1")
	terms := sla.TermsOf(p)
	chosen := l.chosen
	if chosen == "" {
		chosen = sla.Medium // Zammad's "2 normal" for mail; the policy makes it low
	}
	ch := sla.ChannelWeb
	if l.channel == "email" {
		ch = sla.ChannelEmail
	}
	t := sla.Ticket{ID: l.id, Title: l.subject, Channel: ch, CreatedAt: at, Snapshots: []sla.Snapshot{{
		At: at, State: "new", Priority: chosen,
		Article: &sla.Message{ID: "a1", At: at, Public: true, Channel: ch, Subject: l.subject, Body: l.body},
	}}}
	subject, body := t.ClassifiedText()
	t.Verdict = classify.Classify(rules, subject, body).Verdict()
	st := sla.Evaluate(&terms, t, nil, at)
	if st.ChangeRequest {
		return string(classify.ChangeRequest)
	}
	return string(st.Priority)
}

var labels = []string{"high", "medium", "low", "change_request"}

func TestCorpusIsWellFormed(t *testing.T) {
	corpus := loadCorpus(t)
	if len(corpus) < 300 {
		t.Errorf("%d tickets, want at least 300", len(corpus))
	}
	ids := map[string]bool{}
	var de, en, held, mail, web int
	for _, l := range corpus {
		if ids[l.id] {
			t.Errorf("%s: duplicate id", l.id)
		}
		ids[l.id] = true
		if !slices.Contains(labels, l.label) {
			t.Errorf("%s: label %q", l.id, l.label)
		}
		switch l.channel {
		case "email":
			mail++
		case "web":
			web++
			if !l.chosen.Valid() {
				t.Errorf("%s: web ticket without the customer's priority", l.id)
			}
		default:
			t.Errorf("%s: channel %q", l.id, l.channel)
		}
		if l.subject == "" || l.body == "" {
			t.Errorf("%s: no subject or body", l.id)
		}
		switch {
		case strings.Contains(l.id, "-de-"):
			de++
		case strings.Contains(l.id, "-en-"):
			en++
		default:
			t.Errorf("%s: id names no language (-de- or -en-)", l.id)
		}
		if l.heldOut() {
			held++
		}
	}
	t.Logf("%d tickets: %d German, %d English; %d e-mail, %d web form; %d held out", len(corpus), de, en, mail, web, held)
	if held < len(corpus)*2/5 || held > len(corpus)*3/5 {
		t.Errorf("held-out half has %d of %d tickets", held, len(corpus))
	}
}

// report scores the rules on the tickets of one half and prints precision and recall
// per class; misses are listed only when listMisses (never for the held-out half).
func report(t *testing.T, heldOut, listMisses bool) float64 {
	rules := rulesfile.Default()
	type count struct{ tp, fp, fn int }
	per := map[string]*count{}
	for _, l := range labels {
		per[l] = &count{}
	}
	right, n := 0, 0
	var misses []string
	for _, l := range loadCorpus(t) {
		if l.heldOut() != heldOut {
			continue
		}
		n++
		got := outcome(t, rules, l)
		if got == l.label {
			right++
			per[got].tp++
			continue
		}
		if c, ok := per[got]; ok {
			c.fp++
		}
		per[l.label].fn++
		miss := fmt.Sprintf("%s (%s): want %s, got %s — %q", l.id, l.channel, l.label, got, l.subject)
		if listMisses {
			res := classify.Classify(rules, l.subject, l.body)
			miss += "; " + res.Reason
			for _, e := range res.Evidence {
				miss += fmt.Sprintf("\n      %s %g %s %s %q ← %q", e.Class, e.Weight, e.Field, e.Rule, e.Text, e.Keyword)
			}
		}
		misses = append(misses, miss)
	}
	half := "tuning"
	if heldOut {
		half = "held-out"
	}
	acc := float64(right) / float64(max(n, 1))
	t.Logf("%s half: %d of %d right (%.1f %%)", half, right, n, 100*acc)
	t.Logf("%-15s %9s %9s %5s", "class", "precision", "recall", "n")
	for _, l := range labels {
		c := per[l]
		prec, rec := ratio(c.tp, c.tp+c.fp), ratio(c.tp, c.tp+c.fn)
		t.Logf("%-15s %8.1f%% %8.1f%% %5d", l, 100*prec, 100*rec, c.tp+c.fn)
	}
	if listMisses {
		for _, m := range misses {
			t.Log("miss: " + m)
		}
	}
	return acc
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// TestCorpusHeldOutAccuracy is the goal of issue 15: at least 90 % of the tickets nobody
// tuned the rules on get the outcome a support lead gives them. It lists no single
// ticket, so that nobody tunes on them by reading its output.
func TestCorpusHeldOutAccuracy(t *testing.T) {
	if acc := report(t, true, false); acc < heldOutGoal {
		t.Errorf("held-out accuracy %.1f %%, want at least %.0f %%", 100*acc, 100*heldOutGoal)
	}
}

// TestCorpusTuningHalf shows how the rules do on the tuning half, misses included (run
// with -v): this is the half to read when changing default_rules.yaml.
func TestCorpusTuningHalf(t *testing.T) {
	report(t, false, true)
}
