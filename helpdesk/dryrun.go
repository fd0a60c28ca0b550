package helpdesk

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// DryRun wraps an adapter so that it verifies and parses webhooks as usual but only logs
// the writes it would make, and reads no time entries. It is what slaguard runs with when
// no helpdesk API is configured, so a trial run never touches a real helpdesk.
func DryRun(a Adapter, log *slog.Logger) Adapter { return &dryRun{a: a, log: log} }

type dryRun struct {
	a   Adapter
	log *slog.Logger
}

func (d *dryRun) Name() string                                      { return d.a.Name() }
func (d *dryRun) Verify(h http.Header, body []byte) error           { return d.a.Verify(h, body) }
func (d *dryRun) Parse(h http.Header, body []byte) ([]Event, error) { return d.a.Parse(h, body) }

func (d *dryRun) Apply(ctx context.Context, t TicketRef, w Write) error {
	attrs := []slog.Attr{slog.String("helpdesk", t.Helpdesk), slog.String("ticket_id", t.ID)}
	if w.Priority != "" {
		attrs = append(attrs, slog.String("priority", string(w.Priority)))
	}
	if len(w.Tags) > 0 {
		attrs = append(attrs, slog.String("tags", strings.Join(w.Tags, ",")))
	}
	if w.Note != "" {
		attrs = append(attrs, slog.Int("note_chars", len(w.Note)))
	}
	if w.Reply != "" {
		attrs = append(attrs, slog.Int("reply_chars", len(w.Reply)))
	}
	d.log.LogAttrs(ctx, slog.LevelInfo, "dry run: write-back not sent (no helpdesk API configured)", attrs...)
	return nil
}

func (d *dryRun) TimeEntries(ctx context.Context, t TicketRef) ([]TimeEntry, error) { return nil, nil }

// HasSecret passes through whether the wrapped adapter can verify signatures (see
// webhook.Signed), so a dry run is as strict about webhooks as a real run.
func (d *dryRun) HasSecret() bool {
	s, ok := d.a.(interface{ HasSecret() bool })
	return !ok || s.HasSecret()
}

// ReplayWindow passes through the wrapped adapter's replay window (0 when it has none).
func (d *dryRun) ReplayWindow() time.Duration {
	if rw, ok := d.a.(interface{ ReplayWindow() time.Duration }); ok {
		return rw.ReplayWindow()
	}
	return 0
}
