package classify_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/monobunt/slaguard/classify"
	"github.com/monobunt/slaguard/internal/rulesfile"
	"github.com/monobunt/slaguard/sla"
)

func TestClassifyAlternatingRuleSets(t *testing.T) {
	small, err := classify.NewRules(classify.Scoring{}, []classify.Rule{
		{Name: "down", Priority: sla.High, Outage: true, Weight: 3, Keywords: []string{"kaputt"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	big := rulesfile.Default()
	for range 3 {
		if got := classify.Classify(small, "Alles kaputt", "").Class; got != classify.High {
			t.Fatalf("small rules: %s", got)
		}
		if got := classify.Classify(big, "Tippfehler", "Im Footer steht 'Kontackt'.").Class; got != classify.Low {
			t.Fatalf("default rules: %s", got)
		}
	}
	if res := classify.Classify(nil, "Shop down", ""); res.Class != "" || res.Verdict() != nil {
		t.Errorf("nil rules decided %+v", res)
	}
}

func TestNewRulesNamesEveryBadRule(t *testing.T) {
	cases := []struct {
		name string
		rule classify.Rule
		want string
	}{
		{"no name", classify.Rule{Priority: sla.High, Keywords: []string{"x"}}, `rule 2 "": has no name`},
		{"duplicate name", classify.Rule{Name: "OK", Priority: sla.High, Keywords: []string{"x"}}, `rule 2 "OK": has the same name as rule 1`},
		{"no keywords", classify.Rule{Name: "b", Priority: sla.High}, `has no keywords`},
		{"empty keyword", classify.Rule{Name: "b", Priority: sla.High, Keywords: []string{"x", " -- "}}, `keyword 2 "--" has no letters or digits`},
		{"star inside", classify.Rule{Name: "b", Priority: sla.High, Keywords: []string{"Zahl*ung"}}, `"*" is allowed only at the end`},
		{"same keyword twice", classify.Rule{Name: "b", Priority: sla.High, Keywords: []string{"Änderung"}}, `"Änderung" is already a keyword of rule 1`},
		{"bad priority", classify.Rule{Name: "b", Priority: "urgent", Keywords: []string{"x"}}, `priority "urgent" is not low, medium, high or critical`},
		{"neither", classify.Rule{Name: "b", Keywords: []string{"x"}}, "sets neither a priority nor change_request"},
		{"both", classify.Rule{Name: "b", Priority: sla.Low, ChangeRequest: true, Keywords: []string{"x"}}, "sets both"},
		{"outage change request", classify.Rule{Name: "b", ChangeRequest: true, Outage: true, Keywords: []string{"x"}}, "is both an outage and a change request"},
		{"weight", classify.Rule{Name: "b", Priority: sla.Low, Weight: 11, Keywords: []string{"x"}}, "weight 11 is not between 0 and 10"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := classify.NewRules(classify.Scoring{}, []classify.Rule{{Name: "ok", Priority: sla.Low, Keywords: []string{"Aenderung"}}, tc.rule})
			if err == nil || !errors.Is(err, classify.ErrInvalidRule) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want ErrInvalidRule containing %q", err, tc.want)
			}
		})
	}
	if _, err := classify.NewRules(classify.Scoring{Margin: -1}, []classify.Rule{{Name: "ok", Priority: sla.Low, Keywords: []string{"x"}}}); err == nil ||
		!strings.Contains(err.Error(), "scoring margin") {
		t.Errorf("negative margin: %v", err)
	}
}

func TestListIsACopy(t *testing.T) {
	r := rulesfile.Default()
	l := r.List()
	l[0].Keywords[0] = "changed"
	if r.List()[0].Keywords[0] == "changed" {
		t.Error("List shares its keywords with the rules")
	}
}
