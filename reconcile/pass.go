package reconcile

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/tasks"
	"github.com/monobunt/slaguard/ticketstore"
)

// DefaultOverlap is how far before the watermark a pass starts reading.
const DefaultOverlap = 2 * time.Minute

// ErrBusy: another pass of the same helpdesk is running (on this or another process).
var ErrBusy = errors.New("reconcile: a pass of this helpdesk is already running")

// Config is what a Reconciler needs; Helpdesk, Redis, Queue and Store are required.
type Config struct {
	Helpdesk helpdesk.Catchup
	Redis    redis.UniversalClient
	// Queue takes the recovered events, as it takes a webhook's.
	Queue *asynq.Client
	Store *ticketstore.Store
	// SelfID is the helpdesk user slaguard writes as: its own changes coming back are fed
	// like any other but not counted as drift.
	SelfID string
	// Clock is the service's clock (nil: time.Now in UTC); a fresh install starts its
	// watermark at its first pass.
	Clock func() time.Time
	// Overlap is read again before the watermark (zero: DefaultOverlap).
	Overlap time.Duration
	// TimeOverlap is read again before the time watermark of a helpdesk.TimeCatchup
	// (zero: DefaultTimeOverlap).
	TimeOverlap time.Duration
	// MaxAttempts is how often one request is tried when the helpdesk answers 429, 5xx or
	// not at all (zero: 6); a 429's Retry-After is waited out.
	MaxAttempts int
	Log         *slog.Logger
	Metrics     *Metrics
	// Progress, when set, is told after every page (the reconcile command prints it).
	Progress func(Progress)
}

// Progress is where a pass is.
type Progress struct {
	Pages, Examined, Behind, Recovered int
	Watermark                          helpdesk.Watermark
}

// Result is what a pass did.
type Result struct {
	Progress
	// From is where the pass started reading.
	From time.Time
	// Tickets are the tickets it enqueued recovered events for.
	Tickets int
}

// Reconciler runs catch-up passes against one helpdesk.
type Reconciler struct {
	cfg Config
}

// New returns a reconciler; it fails when a required part is missing.
func New(cfg Config) (*Reconciler, error) {
	if cfg.Helpdesk == nil || cfg.Redis == nil || cfg.Queue == nil || cfg.Store == nil {
		return nil, errors.New("reconcile: Helpdesk, Redis, Queue and Store are required")
	}
	if cfg.Clock == nil {
		cfg.Clock = func() time.Time { return time.Now().UTC() }
	}
	if cfg.Overlap == 0 {
		cfg.Overlap = DefaultOverlap
	}
	if cfg.TimeOverlap == 0 {
		cfg.TimeOverlap = DefaultTimeOverlap
	}
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = 6
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Reconciler{cfg: cfg}, nil
}

// WithProgress returns a copy of r that reports each page to fn.
func (r *Reconciler) WithProgress(fn func(Progress)) *Reconciler {
	c := *r
	c.cfg.Progress = fn
	return &c
}

// Helpdesk names the helpdesk the reconciler reads.
func (r *Reconciler) Helpdesk() string { return r.cfg.Helpdesk.Name() }

// Pass reads the tickets changed since from (zero: the stored watermark less the overlap,
// or exactly the stored cursor of a helpdesk.CursorKeeper such as Zendesk's export) up to
// the newest and enqueues what the ticket store lacks; for a helpdesk.TimeCatchup it then
// reads the time booked since its own watermark and feeds the tickets with entries the
// store does not know. It stores the watermark after every page and, at the end, when
// the pass succeeded. Only one pass per helpdesk runs at a
// time (ErrBusy otherwise).
func (r *Reconciler) Pass(ctx context.Context, from time.Time) (Result, error) {
	name := r.cfg.Helpdesk.Name()
	unlock, err := r.lock(ctx, name)
	if err != nil {
		return Result{}, err
	}
	defer unlock()
	res, err := r.pass(ctx, name, from)
	if r.cfg.Metrics != nil {
		r.cfg.Metrics.observe(name, res, err, r.cfg.Clock())
	}
	if err != nil {
		return res, err
	}
	if err := saveSuccess(ctx, r.cfg.Redis, name, r.cfg.Clock(), res.Examined, res.Recovered); err != nil {
		return res, err
	}
	r.cfg.Log.Info("catch-up pass done", slog.String("helpdesk", name), slog.Int("examined", res.Examined),
		slog.Int("behind", res.Behind), slog.Int("recovered", res.Recovered), slog.Int("pages", res.Pages),
		slog.Time("watermark", res.Watermark.Since))
	return res, nil
}

func (r *Reconciler) pass(ctx context.Context, name string, from time.Time) (Result, error) {
	wm := helpdesk.Watermark{Since: from}
	if from.IsZero() {
		st, err := LoadState(ctx, r.cfg.Redis, name)
		if err != nil {
			return Result{}, err
		}
		wm = st.Watermark
		if keeper, ok := r.cfg.Helpdesk.(helpdesk.CursorKeeper); !ok || !keeper.KeepsCursor() || wm.Cursor == "" {
			// Read again from an overlap before the watermark (clock skew, same-second updates).
			if wm.Since.IsZero() {
				wm.Since = r.cfg.Clock() // a fresh install does not reach into the past by itself
			}
			wm = helpdesk.Watermark{Since: wm.Since.Add(-r.cfg.Overlap)}
		}
	}
	res := Result{From: wm.Since}
	// Paging by updated_at reads the tickets of a page's last instant again: look at each
	// update of a ticket once per pass.
	seen := map[string]time.Time{}
	for {
		var page helpdesk.ChangedPage
		err := r.retry(ctx, "read changed tickets", func() (err error) {
			page, err = r.cfg.Helpdesk.Changed(ctx, wm)
			return err
		})
		if err != nil {
			return res, err
		}
		if err := r.page(ctx, page.Tickets, seen, &res); err != nil {
			return res, err
		}
		res.Pages++
		wm = page.Next
		res.Watermark = wm
		if err := saveWatermark(ctx, r.cfg.Redis, name, wm); err != nil {
			return res, err
		}
		if r.cfg.Progress != nil {
			r.cfg.Progress(res.Progress)
		}
		if !page.More {
			break
		}
	}
	if tc, ok := r.cfg.Helpdesk.(helpdesk.TimeCatchup); ok {
		if err := r.timePass(ctx, tc, name, from, &res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// page compares a page of changed tickets with the store and feeds what it lacks.
func (r *Reconciler) page(ctx context.Context, all []helpdesk.Event, seen map[string]time.Time, res *Result) error {
	var tickets []helpdesk.Event
	for _, ev := range all {
		k := ticketstore.Key(ev.Helpdesk, ev.Ticket.ID)
		if at, ok := seen[k]; ok && at.Equal(ev.Ticket.UpdatedAt) {
			continue
		}
		seen[k] = ev.Ticket.UpdatedAt
		tickets = append(tickets, ev)
	}
	keys := make([]string, len(tickets))
	for i, ev := range tickets {
		keys[i] = ticketstore.Key(ev.Helpdesk, ev.Ticket.ID)
	}
	recs, err := r.cfg.Store.LoadMany(ctx, keys)
	if err != nil {
		return err
	}
	for i, cur := range tickets {
		res.Examined++
		if r.cfg.Metrics != nil {
			r.cfg.Metrics.Examined.WithLabelValues(cur.Helpdesk).Inc()
		}
		rec := recs[keys[i]]
		var feed []helpdesk.Event
		if behind(rec, cur) {
			res.Behind++
			var timeline []helpdesk.Event
			err := r.retry(ctx, "rebuild ticket "+cur.Ticket.ID, func() (err error) {
				timeline, err = r.cfg.Helpdesk.Timeline(ctx, cur)
				return err
			})
			if errors.Is(err, helpdesk.ErrNotFound) {
				continue // deleted meanwhile, or out of the API user's groups
			}
			if err != nil {
				return err
			}
			feed = missing(rec, timeline)
		}
		if len(feed) == 0 && !timeIDsSeen(rec, cur.Ticket.TimeAccountingIDs) {
			snap := cur
			snap.DeliveryID = "catchup:" + strconv.FormatInt(cur.Ticket.UpdatedAt.UnixNano(), 10) + ":-"
			feed = []helpdesk.Event{snap}
		}
		if len(feed) == 0 {
			continue
		}
		drift := 0
		for _, ev := range feed {
			if !r.own(ev) {
				drift++
			}
		}
		if err := r.enqueue(ctx, keys[i], feed); err != nil {
			return err
		}
		res.Tickets++
		res.Recovered += drift
		if r.cfg.Metrics != nil {
			r.cfg.Metrics.Recovered.WithLabelValues(cur.Helpdesk).Add(float64(drift))
		}
		if drift > 0 {
			r.cfg.Log.Warn("catch-up recovered events", slog.String("ticket", keys[i]), slog.Int("events", drift))
		}
	}
	return nil
}

// own reports whether ev is slaguard's own change coming back.
func (r *Reconciler) own(ev helpdesk.Event) bool {
	self := r.cfg.SelfID
	return self != "" && ev.Ticket.UpdatedBy == self && (ev.Article == nil || ev.Article.CreatedBy == self)
}

func (r *Reconciler) enqueue(ctx context.Context, key string, evs []helpdesk.Event) error {
	now := r.cfg.Clock()
	for i := range evs {
		evs[i].ReceivedAt = now
	}
	t, err := tasks.NewCatchup(key, evs)
	if err != nil {
		return err
	}
	_, err = r.cfg.Queue.EnqueueContext(ctx, t)
	if err != nil && !tasks.AlreadyQueued(err) {
		return fmt.Errorf("reconcile: enqueue recovered events of %s: %w", key, err)
	}
	return nil
}

// retry runs call until it succeeds, fails for good, or MaxAttempts pass; between tries
// it waits what a 429 asked for (Retry-After) or backs off 1 s, 2 s, 4 s … (at most 30 s).
func (r *Reconciler) retry(ctx context.Context, what string, call func() error) error {
	for attempt := 1; ; attempt++ {
		err := call()
		var re *helpdesk.RetryableError
		if err == nil || !errors.As(err, &re) || attempt >= r.cfg.MaxAttempts {
			return err
		}
		wait := re.After
		if wait <= 0 {
			wait = min(time.Second<<(attempt-1), 30*time.Second)
		}
		if r.cfg.Metrics != nil {
			r.cfg.Metrics.Retries.WithLabelValues(r.cfg.Helpdesk.Name(), strconv.Itoa(re.Status)).Inc()
		}
		r.cfg.Log.Warn("catch-up request failed, waiting", slog.String("what", what),
			slog.Int("status", re.Status), slog.Duration("wait", wait), slog.String("error", err.Error()))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// lock takes the helpdesk's pass lock for 15 minutes (a crashed pass frees it then).
func (r *Reconciler) lock(ctx context.Context, name string) (func(), error) {
	token := rand.Text()
	ok, err := r.cfg.Redis.SetNX(ctx, lockKey(name), token, 15*time.Minute).Result()
	if err != nil {
		return nil, fmt.Errorf("reconcile: lock %s: %w", name, err)
	}
	if !ok {
		return nil, ErrBusy
	}
	return func() {
		_ = unlockScript.Run(context.WithoutCancel(ctx), r.cfg.Redis, []string{lockKey(name)}, token).Err()
	}, nil
}

var unlockScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`)
