package jobs

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/monobunt/slaguard/billing"
	"github.com/monobunt/slaguard/classify"
	"github.com/monobunt/slaguard/contracts"
	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/internal/clock"
	"github.com/monobunt/slaguard/sla"
	"github.com/monobunt/slaguard/tasks"
	"github.com/monobunt/slaguard/ticketstore"
)

// Config is what a Worker needs. Redis, Queue, Adapters and Contracts are required.
type Config struct {
	Redis redis.UniversalClient
	Queue *asynq.Client
	// Adapters by helpdesk name; their Apply is how marks reach the helpdesk.
	Adapters map[string]helpdesk.Adapter
	// SelfIDs is, per helpdesk, the id of the user slaguard writes as: changes by it
	// are slaguard's own coming back and never count as a human's.
	SelfIDs   map[string]string
	Contracts *contracts.Repo
	Ledger    *billing.Ledger
	// Rules is sla's share of the agency's rules (the confirmation template); nil: default.
	Rules *sla.Rules
	// Classifier decides what the correction rules make of a new ticket's text, once,
	// before sla.Evaluate (sla.Ticket.Verdict); nil: the text decides nothing.
	Classifier *classify.Rules
	// Confirmation renders the real-time confirmation; nil uses sla's default template.
	Confirmation *sla.ConfirmationTemplate
	Clock        func() time.Time
	Log          *slog.Logger
	Metrics      *Metrics
	// WriteMaxRetry is how often a failing write-back is retried before it is archived.
	WriteMaxRetry int
	// WriteConcurrency caps the write-backs this worker has in flight per helpdesk (one
	// per ticket batch); 0 means DefaultWriteConcurrency.
	WriteConcurrency int
	// Notify is how the contracts' at-risk and breach warnings are pushed.
	Notify NotifyConfig
}

// DefaultWriteConcurrency is the default cap of write-backs in flight per helpdesk and
// worker.
const DefaultWriteConcurrency = 8

// Worker runs slaguard's tasks.
type Worker struct {
	cfg   Config
	store *ticketstore.Store
	slots map[string]chan struct{} // write-back slots per helpdesk
	// notifySlots caps the push notifications in flight.
	notifySlots chan struct{}
	// rules are the correction rules in force (Config.Classifier until rules are published).
	rules atomic.Pointer[loadedRules]
}

// New returns a worker; it fails when a required part is missing.
func New(cfg Config) (*Worker, error) {
	if cfg.Redis == nil || cfg.Queue == nil || cfg.Contracts == nil || len(cfg.Adapters) == 0 {
		return nil, errors.New("jobs: Redis, Queue, Contracts and at least one adapter are required")
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.System
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.WriteMaxRetry == 0 {
		cfg.WriteMaxRetry = 25
	}
	if cfg.WriteConcurrency <= 0 {
		cfg.WriteConcurrency = DefaultWriteConcurrency
	}
	if cfg.Notify.Concurrency <= 0 {
		cfg.Notify.Concurrency = DefaultNotifyConcurrency
	}
	w := &Worker{cfg: cfg, store: ticketstore.New(cfg.Redis), slots: map[string]chan struct{}{},
		notifySlots: make(chan struct{}, cfg.Notify.Concurrency)}
	for name := range cfg.Adapters {
		w.slots[name] = make(chan struct{}, cfg.WriteConcurrency)
	}
	w.rules.Store(&loadedRules{rules: cfg.Classifier})
	return w, nil
}

// Register mounts the worker's handlers on mux, and on every handler of mux the
// middleware that hands a failure back to asynq only once Redis answers (holdFailures).
func (w *Worker) Register(mux *asynq.ServeMux) {
	mux.Use(w.holdFailures)
	mux.HandleFunc(tasks.TypeDelivery, w.handleDelivery)
	mux.HandleFunc(tasks.TypeTicketEvent, w.handleEvent)
	mux.HandleFunc(tasks.TypeTicketCheck, w.handleCheck)
	mux.HandleFunc(tasks.TypeWrite, w.handleWrite)
	mux.HandleFunc(tasks.TypeTimeSync, w.handleTimeSync)
	mux.HandleFunc(tasks.TypeCatchup, w.handleCatchup)
	mux.HandleFunc(tasks.TypeRulesReevaluate, w.handleRulesReevaluate)
	mux.HandleFunc(tasks.TypeReevaluate, w.handleReevaluate)
	mux.HandleFunc(tasks.TypeNotify, w.handleNotify)
}

// Store returns the worker's ticket store.
func (w *Worker) Store() *ticketstore.Store { return w.store }

// SetSelfID records the id of the user slaguard writes as in a helpdesk. Call it before
// the worker starts.
func (w *Worker) SetSelfID(helpdeskName, id string) {
	if w.cfg.SelfIDs == nil {
		w.cfg.SelfIDs = map[string]string{}
	}
	w.cfg.SelfIDs[helpdeskName] = id
}

// OpenTicketsOf counts the open tickets under a contract (for the contracts API: a
// contract with open tickets is only ended, never removed), from the contract's index.
func (w *Worker) OpenTicketsOf(ctx context.Context, contractID string) (int, error) {
	return w.store.CountContractTickets(ctx, contractID)
}
