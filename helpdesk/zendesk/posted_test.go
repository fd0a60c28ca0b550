package zendesk_test

import (
	"context"
	"testing"

	"github.com/monobunt/slaguard/helpdesk"
)

// Posted reads back the note and the reply Apply wrote, so that Unposted drops both
// from a write that is sent again.
func TestPostedReadsBackTheNoteAndReplyApplyWrote(t *testing.T) {
	ctx := context.Background()
	_, a := account(t)
	ref := ticket4711
	w := helpdesk.Write{Tags: []string{"sla-breach"}, Note: "SLA <first response> & due\n10:00",
		Reply: "Dear customer,\n\nwe got \"your\" message.", ReplyTo: "max@customer.example"}
	before, err := a.Posted(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	if got := helpdesk.Unposted(w, before); got.Note == "" || got.Reply == "" {
		t.Fatalf("before the write, Unposted dropped %+v (posted %q)", got, before)
	}
	if err := a.Apply(ctx, ref, w); err != nil {
		t.Fatal(err)
	}
	after, err := a.Posted(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	if got := helpdesk.Unposted(w, after); got.Note != "" || got.Reply != "" || len(got.Tags) != 1 {
		t.Errorf("after the write, Unposted left %+v (posted %q)", got, after)
	}
}
