package jobs

import (
	"slices"
	"testing"

	"github.com/monobunt/slaguard/contracts"
	"github.com/monobunt/slaguard/ticketstore"
)

func TestNotificationsAreIssuedWithTheMarksTheyAnnounce(t *testing.T) {
	all := &contracts.Notify{SlackURL: "https://hooks.slack.com/services/x", Email: []string{"ops@example.at"}}
	breachOnly := &contracts.Notify{TeamsURL: "https://example.logic.azure.com/workflows/x", Marks: []string{"breach"}}
	issue := func(marks ...string) []ticketstore.Issue {
		var out []ticketstore.Issue
		for _, m := range marks {
			out = append(out, ticketstore.Issue{Mark: m})
		}
		return out
	}
	cases := []struct {
		name   string
		notify *contracts.Notify
		issued []ticketstore.Issue
		want   []string
	}{
		{"no notify setting", nil, issue("at-risk-resolution"), nil},
		{"an at-risk mark, to every channel", all, issue("confirmation", "at-risk-first-response"),
			[]string{"notify:slack:at-risk-first-response", "notify:email:at-risk-first-response"}},
		{"other marks are not pushed", all, issue("correction", "over-quota", "no-contract", "critical"), nil},
		{"only the marks asked for", breachOnly, issue("at-risk-resolution", "breached-first-response"),
			[]string{"notify:teams:breached-first-response"}},
		{"a late evaluation: the breach, not the at-risk of the same clock", all,
			issue("at-risk-first-response", "breached-first-response", "at-risk-resolution"),
			[]string{"notify:slack:breached-first-response", "notify:email:breached-first-response",
				"notify:slack:at-risk-resolution", "notify:email:at-risk-resolution"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, is := range notifications(c.notify, c.issued) {
				got = append(got, is.Mark)
				if ch, mark, ok := splitNotifyMark(is.Mark); !ok || !isNotifyMark(is.Mark) || notifyMark(ch, mark) != is.Mark {
					t.Errorf("%q does not split back", is.Mark)
				}
			}
			slices.Sort(got)
			want := slices.Clone(c.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}
