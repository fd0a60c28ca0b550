package sla

import (
	"errors"
	"strings"
	"testing"
)

// testRules is a small rule set in the shape of the shipped defaults (which live in
// internal/rulesfile and are tested there through Evaluate).
func testRules(tb testing.TB) *Rules {
	tb.Helper()
	r, err := NewRules([]Rule{
		{Name: "site-down", Priority: High, Outage: true, Keywords: []string{"Shop nicht erreichbar", "nicht erreichbar", "Website down", "offline", "500"}},
		{Name: "shop-broken", Priority: High, Outage: true, Keywords: []string{"Warenkorb*", "Kasse", "Zahlung*", "payment"}},
		{Name: "change-request", ChangeRequest: true, Keywords: []string{"Anpassung*", "neue Funktion*", "Angebot", "feature request"}},
		{Name: "urgent-settings", Priority: Medium, Keywords: []string{"falsche Einstellung*", "dringend"}},
		{Name: "text-and-questions", Priority: Low, Keywords: []string{"Text ändern", "Textänderung*", "Einstellung*", "wie funktioniert", "how do I"}},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

func TestRulesMatchWholeWordsCaseAndUmlautTolerant(t *testing.T) {
	r := testRules(t)
	cases := []struct {
		text string
		rule string // "" = no match
		kw   string
	}{
		{"SHOP NICHT ERREICHBAR!!!", "site-down", "Shop nicht erreichbar"},
		{"Der Shop ist seit heute nicht erreichbar", "site-down", "nicht erreichbar"},
		{"Fehler 500 beim Login", "site-down", "500"},
		{"Wir haben 1500 Artikel", "", ""},
		{"error-500-page", "site-down", "500"},
		{"Textaenderung auf der Startseite", "text-and-questions", "Textänderung*"},
		{"Textänderungen bitte", "text-and-questions", "Textänderung*"},
		{"Text a\u0308ndern", "text-and-questions", "Text ändern"},
		{"Zahlungsanbieter meldet Fehler", "shop-broken", "Zahlung*"},
		{"Mein Warenkörbchen", "", ""},
		{"Bitte um ein Angebot", "change-request", "Angebot"},
		{"Angebotsseite", "", ""},
		{"falsche Einstellungen im Theme", "urgent-settings", "falsche Einstellung*"},
		{"Einstellungen im Theme", "text-and-questions", "Einstellung*"},
		{"How do I add a user?", "text-and-questions", "how do I"},
		{"wie &uuml;bersetze ich &amp; wie funktioniert das", "text-and-questions", "wie funktioniert"},
		{"Text: ändern", "text-and-questions", "Text ändern"},
		{"kontext ändern", "", ""},
	}
	for _, tc := range cases {
		got, kw, ok := r.Match(tc.text)
		if ok != (tc.rule != "") || got.Name != tc.rule || kw != tc.kw {
			t.Errorf("Match(%q) = %q %q %v, want %q %q", tc.text, got.Name, kw, ok, tc.rule, tc.kw)
		}
	}
}

func TestRulesFirstMatchingRuleWins(t *testing.T) {
	r := testRules(t)
	got, _, _ := r.Match("Angebot für die Anpassung", "Der Warenkorb ist kaputt")
	if got.Name != "shop-broken" {
		t.Errorf("got %q, want the earlier rule shop-broken", got.Name)
	}
}

func TestRulesPhraseDoesNotSpanTitleAndBody(t *testing.T) {
	r := testRules(t)
	if got, kw, ok := r.Match("Text", "ändern wir morgen"); ok {
		t.Errorf("matched %q via %q across title and body", got.Name, kw)
	}
}

func TestNewRulesNamesEveryBadRule(t *testing.T) {
	cases := []struct {
		name string
		rule Rule
		want string
	}{
		{"no name", Rule{Priority: High, Keywords: []string{"x"}}, `rule 2 "": has no name`},
		{"duplicate name", Rule{Name: "OK", Priority: High, Keywords: []string{"x"}}, `rule 2 "OK": has the same name as rule 1`},
		{"no keywords", Rule{Name: "b", Priority: High}, `rule 2 "b": has no keywords`},
		{"empty keyword", Rule{Name: "b", Priority: High, Keywords: []string{"x", " -- "}}, `rule 2 "b": keyword 2 " -- " has no letters or digits`},
		{"star inside", Rule{Name: "b", Priority: High, Keywords: []string{"Zahl*ung"}}, `keyword 1 "Zahl*ung": "*" is allowed only at the end`},
		{"bad priority", Rule{Name: "b", Priority: "urgent", Keywords: []string{"x"}}, `priority "urgent" is not low, medium, high or critical`},
		{"neither", Rule{Name: "b", Keywords: []string{"x"}}, "sets neither a priority nor change_request"},
		{"both", Rule{Name: "b", Priority: Low, ChangeRequest: true, Keywords: []string{"x"}}, "sets both"},
		{"outage change request", Rule{Name: "b", ChangeRequest: true, Outage: true, Keywords: []string{"x"}}, "is both an outage and a change request"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewRules([]Rule{{Name: "ok", Priority: Low, Keywords: []string{"y"}}, tc.rule})
			if err == nil || !errors.Is(err, ErrInvalidRule) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want ErrInvalidRule containing %q", err, tc.want)
			}
		})
	}
}

func TestRulesListIsACopy(t *testing.T) {
	r := testRules(t)
	l := r.List()
	l[0].Keywords[0] = "changed"
	if r.List()[0].Keywords[0] != "Shop nicht erreichbar" {
		t.Error("List shares its keywords with the rules")
	}
	var none *Rules
	if _, _, ok := none.Match("Shop nicht erreichbar"); ok {
		t.Error("nil rules matched")
	}
}
