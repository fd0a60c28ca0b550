package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/monobunt/slaguard/internal/apitest"
)

func TestRulesExplainEndpointShowsClassScoresAndWords(t *testing.T) {
	e := webApp(t).echo
	rec := apitest.Do(t, e, adminRequest(http.MethodPost, "/api/v1/rules/explain",
		`{"title":"Zahlungsart Kreditkarte","body":"Hallo,\nbei der Zahlungsart Kreditkarte kommt ein Fehler. Nicht dringend.\nLG Anna"}`))
	if rec.Code != http.StatusOK {
		t.Fatalf("got %d %s", rec.Code, rec.Body)
	}
	var got explanation
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Class != "high" || !got.Outage || len(got.Scores) != 5 || got.Scores[0].Class != "high" {
		t.Errorf("class %s outage %v scores %+v", got.Class, got.Outage, got.Scores)
	}
	if !strings.Contains(strings.Join(got.DecidingWords, ","), "Zahlungsart") {
		t.Errorf("deciding words %v", got.DecidingWords)
	}
	negated := false
	for _, ev := range got.Evidence {
		negated = negated || ev.Negated && ev.Keyword == "dringend"
	}
	if !negated {
		t.Errorf("no negated \"dringend\" in %+v", got.Evidence)
	}
}

func TestRulesExplainEndpointUndecided(t *testing.T) {
	e := webApp(t).echo
	rec := apitest.Do(t, e, adminRequest(http.MethodPost, "/api/v1/rules/explain", `{"title":"Hallo"}`))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"class":"none"`) {
		t.Errorf("got %d %s, want class none", rec.Code, rec.Body)
	}
}

func TestRulesExplainEndpointNamesTheBadField(t *testing.T) {
	e := webApp(t).echo
	for _, tc := range []struct{ name, body, field string }{
		{"empty", `{}`, `"field":"title"`},
		{"unknown field", `{"title":"x","priority":"high"}`, `"field":"priority"`},
		{"wrong type", `{"title":42}`, `"field":"title"`},
		{"too long", `{"body":"` + strings.Repeat("a", maxExplainText+1) + `"}`, `"field":"body"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := apitest.Do(t, e, adminRequest(http.MethodPost, "/api/v1/rules/explain", tc.body))
			if rec.Code == http.StatusRequestEntityTooLarge {
				return // the body limit came first; also a problem answer checked against the spec
			}
			if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), tc.field) {
				t.Errorf("got %d %s, want 400 naming %s", rec.Code, rec.Body, tc.field)
			}
		})
	}
}

func TestRulesExplainCommand(t *testing.T) {
	env := func(string) string { return "" }
	var out bytes.Buffer
	err := run(t.Context(), []string{"rules", "explain", "--title", "Tippfehler", "--body", "Auf der Startseite steht 'Angbot' statt 'Angebot'."}, env, &out, &out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"class:   low", "Tippfehler", "scores:  low", "evidence:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "change_request  ") && strings.Contains(out.String(), `"Angebot"`) {
		t.Errorf("the quoted word counted:\n%s", out.String())
	}

	// An own rules file, and JSON as the API answers.
	file := filepath.Join(t.TempDir(), "rules.yaml")
	if err := os.WriteFile(file, []byte("rules:\n  - {name: down, priority: high, outage: true, weight: 3, keywords: [kaputt]}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(t.Context(), []string{"rules", "explain", "--rules-file", file, "--json", "--title", "Alles kaputt"}, env, &out, &out); err != nil {
		t.Fatal(err)
	}
	var got explanation
	if err := json.Unmarshal(out.Bytes(), &got); err != nil || got.Class != "high" || got.DecidingRules[0] != "down" {
		t.Errorf("json %s (%v)", out.String(), err)
	}

	for _, args := range [][]string{{"rules"}, {"rules", "explain"}, {"rules", "nope"}, {"rules", "explain", "--title", "x", "extra"}} {
		if err := run(t.Context(), args, env, &out, &out); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
	out.Reset()
	if err := run(t.Context(), []string{"rules", "check"}, env, &out, &out); err != nil || !strings.Contains(out.String(), "valid") {
		t.Errorf("rules check: %v %s", err, out.String())
	}
}

// The README shows `slaguard rules explain` with its output; the command must still
// print exactly that.
func TestRulesExplainAsTheReadmeShows(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	const prompt = `$ slaguard rules explain --title "Tippfehler" --body "`
	_, after, ok := strings.Cut(string(readme), prompt)
	if !ok {
		t.Fatal("README has no rules explain example")
	}
	body, after, _ := strings.Cut(after, "\"\n")
	want, _, _ := strings.Cut(after, "```")
	var out bytes.Buffer
	if err := run(t.Context(), []string{"rules", "explain", "--title", "Tippfehler", "--body", body}, func(string) string { return "" }, &out, &out); err != nil {
		t.Fatal(err)
	}
	if out.String() != want {
		t.Errorf("README shows:\n%s\nthe command prints:\n%s", want, out.String())
	}
}
