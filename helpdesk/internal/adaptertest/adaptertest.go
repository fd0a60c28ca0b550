// Package adaptertest holds the checks every helpdesk adapter's tests run against that
// helpdesk's fake, so the three adapters are held to one behaviour. Only tests import it.
package adaptertest

import (
	"context"
	"testing"

	"github.com/monobunt/slaguard/helpdesk"
)

// PostedApplier is an adapter that writes to tickets and reads back what they show.
type PostedApplier interface {
	helpdesk.PostedReader
	Apply(ctx context.Context, t helpdesk.TicketRef, w helpdesk.Write) error
}

// PostedReadsBackWhatApplyWrote: Posted reads back the note and the reply Apply wrote —
// with markup characters, quotes and line breaks, which helpdesks store escaped or
// re-wrapped — so that Unposted drops both from a write that is sent again, and neither
// before it was sent.
func PostedReadsBackWhatApplyWrote(t *testing.T, a PostedApplier, ref helpdesk.TicketRef) {
	t.Helper()
	ctx := context.Background()
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
