package reconcile

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/ticketstore"
)

// DefaultTimeOverlap is how far before its time watermark a pass reads the time booked
// in a helpdesk.TimeCatchup: an agent may log the day's work in the evening with the
// hours it was done at (Freshdesk's executed_at), so an entry can turn up up to a day in
// the past. One booked further back is not found by the catch-up.
const DefaultTimeOverlap = 24 * time.Hour

// timePass reads the time booked since the time watermark less TimeOverlap (or since
// from, when given) and feeds each ticket that has an entry its record does not know, the
// way page feeds a changed ticket: a snapshot whose time-accounting ids make the worker
// sync the ticket's time, as a webhook's would. A ticket slaguard has no record of is
// left to the ticket catch-up (it has nothing to bill against yet). The watermark, the
// service's clock when the pass began reading, is stored when every page was read; a pass
// cut short reads the same window again, which feeds nothing twice.
func (r *Reconciler) timePass(ctx context.Context, tc helpdesk.TimeCatchup, name string, from time.Time, res *Result) error {
	start := r.cfg.Clock()
	wm := helpdesk.Watermark{Since: from}
	if from.IsZero() {
		st, err := loadState(ctx, r.cfg.Redis, name, timeKey(name))
		if err != nil {
			return err
		}
		since := st.Watermark.Since
		if since.IsZero() {
			since = start
		}
		wm = helpdesk.Watermark{Since: since.Add(-r.cfg.TimeOverlap)}
	}
	seen := map[string]time.Time{}
	for {
		var page helpdesk.TimePage
		err := r.retry(ctx, "read booked time", func() (err error) {
			page, err = tc.BookedTime(ctx, wm)
			return err
		})
		if err != nil {
			return err
		}
		if err := r.timePage(ctx, tc, page.Entries, seen, res); err != nil {
			return err
		}
		res.Pages++
		if !page.More {
			return saveWatermarkAt(ctx, r.cfg.Redis, name, timeKey(name), helpdesk.Watermark{Since: start})
		}
		wm = page.Next
	}
}

// timePage feeds the tickets of a page of booked time whose records lack an entry.
func (r *Reconciler) timePage(ctx context.Context, tc helpdesk.TimeCatchup, entries []helpdesk.TimeEntry, seen map[string]time.Time, res *Result) error {
	name := r.cfg.Helpdesk.Name()
	ids := map[string][]string{} // ticket key → entry ids on this page
	var keys []string
	ticket := map[string]string{}
	for _, e := range entries {
		k := ticketstore.Key(name, e.TicketID)
		if _, ok := ids[k]; !ok {
			keys = append(keys, k)
			ticket[k] = e.TicketID
		}
		ids[k] = append(ids[k], e.ID)
	}
	recs, err := r.cfg.Store.LoadMany(ctx, keys)
	if err != nil {
		return err
	}
	var snaps []helpdesk.Event
	for _, k := range keys {
		rec := recs[k]
		if rec == nil || len(rec.Events) == 0 || timeIDsKnown(rec, ids[k]) {
			continue
		}
		var snap helpdesk.Event
		err := r.retry(ctx, "read ticket "+ticket[k], func() (err error) {
			snap, err = tc.Snapshot(ctx, ticket[k])
			return err
		})
		if errors.Is(err, helpdesk.ErrNotFound) {
			continue // deleted meanwhile, or out of the API user's groups
		}
		if err != nil {
			return err
		}
		snaps = append(snaps, snap)
	}
	return r.page(ctx, snaps, seen, res)
}

// timeIDsKnown reports whether the record knows every one of ids: synced (TimeIDs) or
// listed by one of its events.
func timeIDsKnown(rec *ticketstore.Record, ids []string) bool {
	known := strings.Split(rec.TimeIDs, ",")
	for _, e := range rec.Events {
		known = append(known, e.Ticket.TimeAccountingIDs...)
	}
	for _, id := range ids {
		if !slices.Contains(known, id) {
			return false
		}
	}
	return true
}
