package classify

import (
	"strings"
	"testing"
)

func words(toks []token) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.word)
		if t.literal {
			b.WriteString("*")
		}
	}
	return b.String()
}

func TestTokenizeFoldsCaseUmlautsAndSharpS(t *testing.T) {
	cases := map[string]string{
		"Änderung ÖFFNUNGSZEITEN Grüße":           "aenderung oeffnungszeiten gruesse",
		"Aenderung Oeffnungszeiten Gruesse":       "aenderung oeffnungszeiten gruesse",
		"Straße STRASSE ẞ":                        "strasse strasse ss",
		"Text a\u0308ndern":                       "text aendern",
		"wie &uuml;bersetze ich &amp; Fehler 500": "wie uebersetze ich fehler 500",
		"don't can't Kunde's":                     "don't can't kunde's",
		"error-500-page":                          "error 500 page",
	}
	for in, want := range cases {
		if got := words(tokenize(in, nil)); got != want {
			t.Errorf("tokenize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTokenizeMarksQuotedStringsLiteral(t *testing.T) {
	cases := map[string]string{
		"steht 'Angbot' statt 'Angebot'.":        "steht angbot* statt angebot*",
		"steht „Angbot“ statt „Angebot“":         "steht angbot* statt angebot*",
		`it says "Quote" here`:                   "it says quote* here",
		"the customer's cart isn't 'empty'":      "the customer's cart isn't empty*",
		"ein ' einzelnes Zeichen'":               "ein einzelnes zeichen",
		"offen \"bis zum Zeilenende\nund weiter": "offen bis zum zeilenende und weiter",
	}
	for in, want := range cases {
		if got := words(tokenize(in, nil)); got != want {
			t.Errorf("tokenize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTokenizeSkipsAddresses(t *testing.T) {
	got := words(tokenize("Siehe https://shop.example.at/checkout oder www.x.at/kasse, mail an office@shop.at oder highlandguides.co.uk.", nil))
	if got != "siehe oder mail an oder" {
		t.Errorf("got %q", got)
	}
}

func TestTokenizeSentencesAndNegators(t *testing.T) {
	toks := tokenize("Nicht dringend. Der Shop ist down! Not urgent; doesn't matter", nil)
	var sentences []int32
	var neg []string
	for _, tk := range toks {
		sentences = append(sentences, tk.sentence)
		if tk.negator {
			neg = append(neg, tk.word)
		}
	}
	if got := strings.Join(neg, ","); got != "nicht,not,doesn't" {
		t.Errorf("negators %q", got)
	}
	if sentences[0] != 0 || sentences[2] != 1 || sentences[len(sentences)-1] != 3 {
		t.Errorf("sentences %v", sentences)
	}
}

func TestTokenizeBoundsLongText(t *testing.T) {
	long := strings.Repeat("Wort ", maxText) + "Kasse"
	toks := tokenize(long, nil)
	if toks[len(toks)-1].word == "kasse" {
		t.Error("read past maxText")
	}
	if len(tokenize(strings.Repeat("ä", maxText), nil)) != 1 {
		t.Error("cutting inside a rune")
	}
}
