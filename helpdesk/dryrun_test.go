package helpdesk_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/helpdesk/zammad"
	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
)

// A dry run keeps its adapter's routing, so its webhook door queues deliveries raw (as a
// real run's does) instead of parsing each one in full.
func TestADryRunRoutesAsItsAdapterDoes(t *testing.T) {
	z, err := zammad.New(zammad.Config{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	body := zammadfake.Payload{Ticket: zammadfake.Ticket{ID: 4711, Title: "Frage", State: "new",
		CreatedAt: now, UpdatedAt: now}}.JSON()
	hdr := zammadfake.Headers(body, "", "d-1", "slaguard")
	for name, a := range map[string]helpdesk.Adapter{
		"DryRun": helpdesk.DryRun(z, slog.New(slog.DiscardHandler)), "DryRunVia": helpdesk.DryRunVia(z)} {
		if !helpdesk.IsDryRun(a) {
			t.Errorf("%s: IsDryRun is false", name)
		}
		rt, ok := a.(helpdesk.Router)
		if !ok {
			t.Errorf("%s: %T is no helpdesk.Router", name, a)
			continue
		}
		d, err := rt.Route(hdr, body)
		if err != nil || d.ID != "d-1" || d.TicketID != "4711" {
			t.Errorf("%s: Route = %+v, %v; want delivery d-1 of ticket 4711", name, d, err)
		}
	}
}
