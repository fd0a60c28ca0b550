// Command fakezammad runs the fake Zammad of zammadfake as a process of its own on a
// loopback port, for the load and fault suite (bench/run.sh). Besides Zammad's REST API
// it answers:
//
//	GET    /_requests?since=N  the recorded requests from index N on, compact JSON
//	POST   /_tickets           add or replace tickets (a JSON array of zammadfake.Ticket)
//	POST   /_fault             add a fault (a JSON zammadfake.Fault: Status, Times, RetryAfter…)
//	DELETE /_fault             clear every fault
//	GET    /_stats             {"requests": n, "webhooks": n, "tickets": n}
//
//	go run ./bench/fakezammad -addr 127.0.0.1:18093 [-webhook-url URL -webhook-secret S]
package main

import (
	"encoding/json"
	"flag"
	"log"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
)

// compact is a recorded request without headers or raw body.
type compact struct {
	I      int    `json:"i"`
	Method string `json:"m"`
	Path   string `json:"p"`
	Status int    `json:"s"`
	AtNano int64  `json:"at"`
	Body   any    `json:"b,omitempty"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:18093", "listen address (loopback)")
	token := flag.String("token", zammadfake.DefaultToken, "access token slaguard must send")
	hook := flag.String("webhook-url", "", "slaguard's webhook URL: after each write the fake posts the ticket back, as a Zammad trigger would")
	secret := flag.String("webhook-secret", "", "HMAC token for the webhooks it sends")
	flag.Parse()
	if !strings.HasPrefix(*addr, "127.0.0.1:") {
		log.Fatal("fakezammad: -addr must be on 127.0.0.1")
	}
	z := zammadfake.New(zammadfake.Options{Token: *token, WebhookURL: *hook, WebhookSecret: *secret})
	defer z.Close()
	var tickets atomic.Int64

	mux := http.NewServeMux()
	mux.HandleFunc("GET /_requests", func(w http.ResponseWriter, r *http.Request) {
		since, _ := strconv.Atoi(r.URL.Query().Get("since"))
		all := z.Requests()
		out := make([]compact, 0, max(0, len(all)-since))
		for i := since; i < len(all); i++ {
			q := all[i]
			out = append(out, compact{I: i, Method: q.Method, Path: q.Path, Status: q.Status, AtNano: q.At.UnixNano(), Body: q.Body})
		}
		writeJSON(w, out)
	})
	mux.HandleFunc("POST /_tickets", func(w http.ResponseWriter, r *http.Request) {
		var ts []zammadfake.Ticket
		if err := json.NewDecoder(r.Body).Decode(&ts); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		for _, t := range ts {
			z.AddTicket(t)
		}
		tickets.Add(int64(len(ts)))
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /_fault", func(w http.ResponseWriter, r *http.Request) {
		var f zammadfake.Fault
		if err := json.NewDecoder(r.Body).Decode(&f); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		z.Fail(f)
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("DELETE /_fault", func(w http.ResponseWriter, r *http.Request) {
		z.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /_stats", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]int64{"requests": int64(len(z.Requests())), "webhooks": int64(len(z.Webhooks())), "tickets": tickets.Load()})
	})
	mux.Handle("/", z) // Zammad's REST API
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	log.Printf("fakezammad on http://%s (token %q, webhooks to %q)", *addr, *token, *hook)
	log.Fatal(srv.ListenAndServe())
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
