package jobs

import (
	"context"

	"github.com/hibiken/asynq"

	"github.com/monobunt/slaguard/helpdesk"
)

func (w *Worker) maybeSyncTime(ctx context.Context, key string, ev helpdesk.Event) error { return nil }

func (w *Worker) handleTimeSync(ctx context.Context, t *asynq.Task) error { return nil }
