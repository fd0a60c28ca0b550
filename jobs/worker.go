package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/monobunt/slaguard/billing"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/monobunt/slaguard/classify"
	"github.com/monobunt/slaguard/contracts"
	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/sla"
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
}

// Worker runs slaguard's tasks.
type Worker struct {
	cfg Config
	log *Log
}

// New returns a worker; it fails when a required part is missing.
func New(cfg Config) (*Worker, error) {
	if cfg.Redis == nil || cfg.Queue == nil || cfg.Contracts == nil || len(cfg.Adapters) == 0 {
		return nil, errors.New("jobs: Redis, Queue, Contracts and at least one adapter are required")
	}
	if cfg.Clock == nil {
		cfg.Clock = func() time.Time { return time.Now().UTC() }
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.WriteMaxRetry == 0 {
		cfg.WriteMaxRetry = 25
	}
	return &Worker{cfg: cfg, log: NewLog(cfg.Redis)}, nil
}

// Register mounts the worker's handlers on mux.
func (w *Worker) Register(mux *asynq.ServeMux) {
	mux.HandleFunc(TypeTicketEvent, w.handleEvent)
	mux.HandleFunc(TypeTicketCheck, w.handleCheck)
	mux.HandleFunc(TypeWrite, w.handleWrite)
	mux.HandleFunc(TypeTimeSync, w.handleTimeSync)
}

// Log returns the worker's ticket log (read-only use by the API).
func (w *Worker) TicketLog() *Log { return w.log }

// SetSelfID records the id of the user slaguard writes as in a helpdesk. Call it before
// the worker starts.
func (w *Worker) SetSelfID(helpdeskName, id string) {
	if w.cfg.SelfIDs == nil {
		w.cfg.SelfIDs = map[string]string{}
	}
	w.cfg.SelfIDs[helpdeskName] = id
}

// OpenTicketsOf counts the open tickets under a contract (for the contracts API: a
// contract with open tickets is only ended, never removed).
func (w *Worker) OpenTicketsOf(ctx context.Context, contractID string) (int, error) {
	keys, err := w.log.Board(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, k := range keys {
		raw, err := w.cfg.Redis.HGet(ctx, ticketHash(k), "status").Bytes()
		if err != nil {
			continue
		}
		var sum Summary
		if json.Unmarshal(raw, &sum) == nil && sum.ContractID == contractID {
			n++
		}
	}
	return n, nil
}
