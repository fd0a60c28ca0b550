// Command ceiling is the ingest benchmark's yardstick: a bare echo handler that only
// enqueues the raw body as an asynq task, with the same TaskID, queue and retention as
// slaguard's event tasks — no signature check, no parsing. slaguard's POST
// /webhooks/zammad can at best match it.
//
//	go run ./bench/ceiling 127.0.0.1:18091 127.0.0.1:6379
package main

import (
	"io"
	"log"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/labstack/echo/v4"

	"github.com/monobunt/slaguard/tasks"
)

func main() {
	if len(os.Args) != 3 || !strings.HasPrefix(os.Args[1], "127.0.0.1:") {
		log.Fatal("usage: ceiling 127.0.0.1:PORT REDIS_ADDR")
	}
	c := asynq.NewClient(asynq.RedisClientOpt{Addr: os.Args[2]})
	defer c.Close()
	e := echo.New()
	e.HideBanner = true
	e.POST("/webhooks/zammad", func(ctx echo.Context) error {
		b, err := io.ReadAll(io.LimitReader(ctx.Request().Body, 1<<20))
		if err != nil {
			return ctx.NoContent(http.StatusBadRequest)
		}
		id := ctx.Request().Header.Get("X-Zammad-Delivery")
		_, err = c.EnqueueContext(ctx.Request().Context(), asynq.NewTask(tasks.TypeTicketEvent, b,
			asynq.TaskID(tasks.EventID("zammad", id)), asynq.Queue(tasks.QueueEvents),
			asynq.MaxRetry(25), asynq.Retention(tasks.EventRetention)))
		if err != nil && !tasks.AlreadyQueued(err) {
			return ctx.NoContent(http.StatusServiceUnavailable)
		}
		return ctx.NoContent(http.StatusAccepted)
	})
	srv := &http.Server{Addr: os.Args[1], Handler: e, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}
