package classify

import (
	"strings"
	"testing"
)

func TestStripMailKeepsOnlyTheCustomersText(t *testing.T) {
	cases := []struct {
		name, subject, body string
		keep, drop          []string
	}{
		{"greeting and signature", "Shop", "Hallo Team,\n\nder Shop ist down.\n\nMit freundlichen Grüßen\nAnna Muster\nMuster GmbH | Kasse 3 | Tel 123",
			[]string{"der Shop ist down"}, []string{"Hallo Team", "Kasse", "Anna"}},
		{"quoted reply German", "AW: Warenkorb", "Jetzt geht es wieder nicht.\n\nAm 02.12.2026 um 09:14 schrieb MONOBUNT Support <support@monobunt.at>:\n> Bitte Angebot prüfen",
			[]string{"Jetzt geht es wieder nicht"}, []string{"Angebot", "schrieb"}},
		{"quoted reply English", "Re: x", "Still broken.\n\nOn Tue, 1 Dec 2026 at 15:10, MONOBUNT <s@m.at> wrote:\n> the checkout was not touched",
			[]string{"Still broken"}, []string{"checkout"}},
		{"Outlook reply", "AW: Texte", "Danke, passt!\n\n-----Ursprüngliche Nachricht-----\nVon: MONOBUNT\nGesendet: Dienstag\nBetreff: Kasse\n\nDer Shop und die Kasse",
			[]string{"Danke, passt"}, []string{"Kasse"}},
		{"Outlook block without marker", "AW: Texte", "Danke!\n\nVon: MONOBUNT Support\nGesendet: Dienstag, 1. Dezember\nAn: Maria\n\nDie Kasse geht wieder",
			[]string{"Danke"}, []string{"Kasse"}},
		{"forwarded mail keeps its text", "WG: Bestellung nicht möglich", "Bitte um Hilfe. LG Eva\n\n---------- Weitergeleitete Nachricht ---------\nVon: Franz <f@gmx.at>\nDatum: Mi., 2. Dez.\nBetreff: Bestellung nicht möglich\nAn: office\n\nich kann nicht bestellen, es kommt ein Fehler.\nMit freundlichen Grüßen\nFranz Huber",
			[]string{"Bitte um Hilfe", "ich kann nicht bestellen"}, []string{"Betreff", "Franz Huber", "gmx"}},
		{"forward by subject with Outlook header", "FW: Correction", "Please change this.\n\nFrom: Priya <p@x.uk>\nSent: 01 December 2026\nTo: Rachel\nSubject: Correction\n\nmy bio says 2012, it was 2010",
			[]string{"Please change this", "my bio says"}, []string{"Subject"}},
		{"signature dashes and mobile footer", "x", "Seite lädt nicht.\nGesendet von meinem iPhone\n-- \nHarald Fink\nwww.fink.at",
			[]string{"Seite lädt nicht"}, []string{"iPhone", "Harald"}},
		{"greeting only at the start", "x", "Hallo,\nHallo? Ist da jemand?\nLG", []string{"Hallo? Ist da jemand?"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := stripMail(c.subject, c.body)
			for _, k := range c.keep {
				if !strings.Contains(got, k) {
					t.Errorf("lost %q:\n%s", k, got)
				}
			}
			for _, d := range c.drop {
				if strings.Contains(got, d) {
					t.Errorf("kept %q:\n%s", d, got)
				}
			}
		})
	}
}
