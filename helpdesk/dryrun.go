package helpdesk

import (
	"context"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// DryRunVia wraps an adapter whose REST calls go nowhere (e.g. zammad's DryRunClient,
// which logs each request it would send): it verifies, parses and applies as usual, and
// it answers TimeEntries from the accounted time of the articles it has parsed, so a
// trial run can show a billing export without a helpdesk API. It is what slaguard runs
// with when no helpdesk API is configured. The booked time lives in this process's
// memory: a trial is one `slaguard serve`.
func DryRunVia(a Adapter) Adapter {
	return routed(&dryRun{a: a, booked: map[string]map[string]TimeEntry{}, apply: true})
}

// DryRun is DryRunVia for an adapter that cannot be pointed at a fake: its writes are
// not applied at all, only summarised in log.
func DryRun(a Adapter, log *slog.Logger) Adapter {
	return routed(&dryRun{a: a, booked: map[string]map[string]TimeEntry{}, log: log})
}

// routed keeps the wrapped adapter's Router: a dry run's webhook door queues deliveries
// raw as a real run's does (without it the door parsed every delivery in full), and the
// worker's Parse books the accounted time in the process that reads it back.
func routed(d *dryRun) Adapter {
	if _, ok := d.a.(Router); ok {
		return dryRunRouter{d}
	}
	return d
}

// dryRunRouter is a dry run of an adapter that routes deliveries (helpdesk.Router).
type dryRunRouter struct{ *dryRun }

func (d dryRunRouter) Route(h http.Header, body []byte) (Delivery, error) {
	return d.a.(Router).Route(h, body)
}

// IsDryRun reports whether a is a dry run (its writes are counted as such, not as sent).
func IsDryRun(a Adapter) bool {
	switch a.(type) {
	case *dryRun, dryRunRouter:
		return true
	}
	return false
}

type dryRun struct {
	a      Adapter
	apply  bool
	log    *slog.Logger
	mu     sync.Mutex
	booked map[string]map[string]TimeEntry // ticket id → article id → entry
}

func (d *dryRun) Name() string                            { return d.a.Name() }
func (d *dryRun) Verify(h http.Header, body []byte) error { return d.a.Verify(h, body) }

func (d *dryRun) Parse(h http.Header, body []byte) ([]Event, error) {
	evs, err := d.a.Parse(h, body)
	if err != nil {
		return evs, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, ev := range evs {
		if ev.Article == nil || ev.Article.AccountedMinutes <= 0 || ev.Article.ID == "" {
			continue
		}
		m := d.booked[ev.Ticket.ID]
		if m == nil {
			m = map[string]TimeEntry{}
			d.booked[ev.Ticket.ID] = m
		}
		m[ev.Article.ID] = TimeEntry{ID: "dry-" + ev.Article.ID, TicketID: ev.Ticket.ID, ArticleID: ev.Article.ID,
			Minutes: ev.Article.AccountedMinutes, CreatedAt: ev.Article.CreatedAt, UpdatedAt: ev.Article.CreatedAt}
	}
	return evs, nil
}

func (d *dryRun) Apply(ctx context.Context, t TicketRef, w Write) error {
	if d.apply {
		return d.a.Apply(ctx, t, w)
	}
	d.log.LogAttrs(ctx, slog.LevelInfo, "dry run: write-back not sent", slog.String("helpdesk", t.Helpdesk),
		slog.String("ticket_id", t.ID), slog.String("priority", string(w.Priority)),
		slog.String("tags", strings.Join(w.Tags, ",")), slog.Bool("note", w.Note != ""), slog.Bool("reply", w.Reply != ""))
	return nil
}

func (d *dryRun) TimeEntries(ctx context.Context, t TicketRef) ([]TimeEntry, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]TimeEntry, 0, len(d.booked[t.ID]))
	for _, e := range d.booked[t.ID] {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

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
