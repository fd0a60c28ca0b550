package reconcile

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/ticketstore"
)

var t0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// snap is a snapshot at t0+min minutes in state, with an article when art is not "".
func snap(min int, state, art string) helpdesk.Event {
	ev := helpdesk.Event{Helpdesk: "zammad", DeliveryID: "d", Ticket: helpdesk.Ticket{ID: "1", State: state,
		PriorityName: "2 normal", UpdatedAt: t0.Add(time.Duration(min) * time.Minute)}}
	if art != "" {
		ev.Article = &helpdesk.Article{ID: art}
	}
	return ev
}

func describe(evs []helpdesk.Event) []string {
	var out []string
	for _, ev := range evs {
		s := ev.Ticket.UpdatedAt.Sub(t0).String() + " " + ev.Ticket.State
		if ev.Article != nil {
			s += " #" + ev.Article.ID
		}
		out = append(out, s)
	}
	return out
}

func TestMissingFindsLostPausesAndArticlesButNotWhatTheLogShows(t *testing.T) {
	timeline := []helpdesk.Event{
		snap(0, "new", "1"), snap(2, "new", "2"), snap(3, "pending reminder", ""), snap(7, "open", "3"), snap(8, "open", ""),
	}
	cases := []struct {
		name string
		log  []helpdesk.Event
		want []string
	}{
		{"nothing known", nil, []string{"0s new #1", "2m0s new #2", "3m0s pending reminder", "7m0s open #3"}},
		{"all webhooks arrived", []helpdesk.Event{snap(0, "new", "1"), snap(2, "new", "2"), snap(3, "pending reminder", ""), snap(7, "open", "3")}, nil},
		{"the pause and the reopening were lost", []helpdesk.Event{snap(0, "new", "1"), snap(2, "new", "2")},
			[]string{"3m0s pending reminder", "7m0s open #3"}},
		{"only the pause was lost", []helpdesk.Event{snap(0, "new", "1"), snap(2, "new", "2"), snap(7, "open", "3")},
			[]string{"3m0s pending reminder"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var rec *ticketstore.Record
			if tc.log != nil {
				rec = &ticketstore.Record{Key: "zammad:1", Events: tc.log}
			}
			if diff := cmp.Diff(tc.want, describe(missing(rec, timeline))); diff != "" {
				t.Errorf("missing (-want +got):\n%s", diff)
			}
		})
	}
}

func TestATicketTouchedWithoutChangeIsNotBehindOnceItsLastUpdateIsKnown(t *testing.T) {
	rec := &ticketstore.Record{Events: []helpdesk.Event{snap(0, "new", "1"), snap(5, "open", "")}}
	if behind(rec, snap(5, "open", "")) {
		t.Error("the newest update is in the log, yet the ticket counts as behind")
	}
	if !behind(rec, snap(9, "open", "")) {
		t.Error("an update after the newest one in the log is not noticed")
	}
	if !behind(nil, snap(0, "new", "")) {
		t.Error("an unknown ticket is not behind")
	}
}
