package tasks_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/tasks"
)

// TestDeliveryRoundTrip: what the worker reads back from a delivery task is what the door
// queued — ids and headers with quotes, escapes and non-ASCII text, and the body byte
// for byte after a one-line envelope that any JSON reader takes.
func TestDeliveryRoundTrip(t *testing.T) {
	received := time.Date(2026, 12, 4, 16, 9, 2, 344_000_000, time.UTC)
	for _, tc := range []struct {
		name string
		d    tasks.Delivery
	}{
		{"plain", tasks.Delivery{Helpdesk: "zammad", Delivery: helpdesk.Delivery{ID: "0f6e1c1e-5b4a", TicketID: "4711",
			Header: http.Header{"X-Zammad-Delivery": {"0f6e1c1e-5b4a"}, "X-Zammad-Trigger": {"slaguard: any change"}}},
			ReceivedAt: received, Body: []byte(`{"ticket":{"id":4711}}`)}},
		{"no header", tasks.Delivery{Helpdesk: "zammad", Delivery: helpdesk.Delivery{ID: "sha256:ab", TicketID: "1"},
			ReceivedAt: received, Body: []byte("{}\n{\"two\":\"lines\"}")}},
		{"escapes", tasks.Delivery{Helpdesk: "zammad", Delivery: helpdesk.Delivery{ID: "a\"b\\c\nd\te\x01</script>&", TicketID: "7",
			Header: http.Header{"X-Zammad-Trigger": {"Größe: \u2028 \"hoch\"", "zweiter"}, "X-Empty": {}}},
			ReceivedAt: received, Body: []byte(`{"ticket":{"id":7}}`)}},
		{"envelope longer than the room", tasks.Delivery{Helpdesk: "zammad", Delivery: helpdesk.Delivery{
			ID: strings.Repeat("long-id-", 60), TicketID: "3"}, ReceivedAt: received, Body: []byte(`{"ticket":{"id":3}}`)}},
		{"before 1970", tasks.Delivery{Helpdesk: "zammad", Delivery: helpdesk.Delivery{ID: "old", TicketID: "2"},
			ReceivedAt: time.Date(1969, 7, 20, 20, 17, 40, 0, time.UTC), Body: nil}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			task, err := tasks.NewDelivery(tc.d)
			if err != nil {
				t.Fatal(err)
			}
			// The same delivery read into a buffer with room in front of the body (as the
			// webhook door reads it) makes the same payload, built in that buffer.
			buf := append(tasks.ReadBuffer(len(tc.d.Body)), tc.d.Body...)
			inPlace := tc.d
			inPlace.Buf, inPlace.Body = buf, buf[tasks.EnvelopeRoom:]
			task2, err := tasks.NewDelivery(inPlace)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(task2.Payload(), task.Payload()) {
				t.Fatalf("payload built in the body's buffer differs:\n%q\n%q", task2.Payload(), task.Payload())
			}
			fits := len(task.Payload())-len(tc.d.Body) <= tasks.EnvelopeRoom
			if p := task2.Payload(); fits && len(tc.d.Body) > 0 && &p[len(p)-1] != &buf[len(buf)-1] {
				t.Error("the payload built in the body's buffer is a copy")
			}
			line, _, _ := bytes.Cut(task.Payload(), []byte("\n"))
			if !json.Valid(line) {
				t.Fatalf("envelope is not JSON: %s", line)
			}
			got, err := tasks.ParseDelivery(task.Payload())
			if err != nil {
				t.Fatal(err)
			}
			want := tc.d
			if want.Header == nil {
				want.Header = http.Header{}
			}
			if want.Body == nil {
				want.Body = []byte{}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("read back (-queued +read):\n%s", diff)
			}
		})
	}
}

// FuzzDeliveryEnvelope: any delivery id and header text reads back as queued (invalid
// UTF-8 as U+FFFD, as encoding/json would), and the body is never touched.
func FuzzDeliveryEnvelope(f *testing.F) {
	f.Add("0f6e1c1e", "slaguard: any change", []byte(`{"ticket":{"id":1}}`))
	f.Add("a\"\\\n\x00\xff", "\u2028\xc3", []byte("\n\n"))
	f.Fuzz(func(t *testing.T, id, trigger string, body []byte) {
		d := tasks.Delivery{Helpdesk: "zammad", Delivery: helpdesk.Delivery{ID: id, TicketID: "1",
			Header: http.Header{"X-Zammad-Trigger": {trigger}}}, ReceivedAt: time.UnixMilli(1764864542344).UTC(), Body: body}
		if len(body)%2 == 1 { // half the cases read into a buffer with room in front, as the door does
			buf := append(tasks.ReadBuffer(len(body)), body...)
			d.Buf, d.Body = buf, buf[tasks.EnvelopeRoom:]
		}
		task, err := tasks.NewDelivery(d)
		if id == "" {
			if err == nil {
				t.Fatal("a delivery without an id was queued")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		got, err := tasks.ParseDelivery(task.Payload())
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != string([]rune(id)) {
			t.Errorf("id %q read back as %q", id, got.ID)
		}
		if g := got.Header.Get("X-Zammad-Trigger"); g != string([]rune(trigger)) {
			t.Errorf("trigger %q read back as %q", trigger, g)
		}
		if !bytes.Equal(got.Body, body) || !got.ReceivedAt.Equal(d.ReceivedAt) {
			t.Errorf("body or time changed: %q %v", got.Body, got.ReceivedAt)
		}
		if !utf8.ValidString(got.ID) {
			t.Errorf("id read back as invalid UTF-8: %q", got.ID)
		}
	})
}
