package helpdesk

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/monobunt/slaguard/sla"
)

func TestUnpostedDropsWhatTheTicketAlreadySays(t *testing.T) {
	w := Write{Priority: sla.High, Tags: []string{"sla-breach"}, Note: "SLA: first response\ndue 10:00",
		Reply: "We got your  message.", ReplySubject: "Re", ReplyTo: "max@load.example"}
	tagsOnly := Write{Priority: sla.High, Tags: []string{"sla-breach"}}
	cases := []struct {
		name   string
		posted []string
		want   Write
	}{
		{"nothing posted", nil, w},
		{"other articles", []string{"Eine Frage zum Shop.", "SLA: first response"}, w},
		{"the note, re-wrapped", []string{"  SLA: first response due\n10:00 "}, func() Write {
			v := w
			v.Note = ""
			return v
		}()},
		{"the reply inside a quoted mail", []string{"Hello,\nWe got your message.\n\n> old"}, func() Write {
			v := w
			v.Reply, v.ReplySubject, v.ReplyTo = "", "", ""
			return v
		}()},
		{"both", []string{"SLA: first response due 10:00", "We got your message."}, tagsOnly},
		{"both in one merged comment", []string{"SLA: first response due 10:00\n\nWe got your message."}, tagsOnly},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if diff := cmp.Diff(c.want, Unposted(w, c.posted)); diff != "" {
				t.Errorf("Unposted (-want +got):\n%s", diff)
			}
		})
	}
	if !Unposted(Write{Note: "n"}, []string{"n"}).Empty() {
		t.Error("a note-only write already posted is not empty")
	}
	if Unposted(Write{Tags: []string{"x"}}, nil).Empty() {
		t.Error("a tag write is empty")
	}
}
