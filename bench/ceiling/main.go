// Command ceiling is the load suite's yardstick: a bare echo handler that only enqueues
// the body as an asynq task (TaskID from X-Zammad-Delivery), as fast as ingest can be.
//
//	go run ./bench/ceiling 127.0.0.1:18091 127.0.0.1:6379
package main

import (
	"errors"
	"io"
	"log"
	"net/http"
	"os"

	"github.com/hibiken/asynq"
	"github.com/labstack/echo/v4"
)

func main() {
	if len(os.Args) != 3 {
		log.Fatal("usage: ceiling LISTEN_ADDR REDIS_ADDR")
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
		_, err = c.EnqueueContext(ctx.Request().Context(), asynq.NewTask("ticket:event", b,
			asynq.TaskID("event:zammad:"+id), asynq.Queue("events")))
		if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
			return ctx.NoContent(http.StatusServiceUnavailable)
		}
		return ctx.NoContent(http.StatusAccepted)
	})
	log.Fatal(http.ListenAndServe(os.Args[1], e))
}
