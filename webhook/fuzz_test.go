package webhook_test

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
	"github.com/monobunt/slaguard/internal/redistest"
	"github.com/monobunt/slaguard/webhook"
)

// FuzzWebhook: a correctly signed body of any content never gets a 5xx (Redis is up),
// and every answer is 202, 400, 413 or 422.
func FuzzWebhook(f *testing.F) {
	files, _ := filepath.Glob("../../shared/fixtures/zammad/*.json")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "d-seed")
	}
	f.Add([]byte(`{"ticket":{"id":1},"article":{}}`), "")
	f.Add([]byte(`{"ticket":{"id":1,"created_at":"2026-12-02T08:00:00Z"},"article":{}}`), "")
	f.Add([]byte(`{"ticket":{"id":1,"updated_at":"0000-01-01T00:00:00+01:00"}}`), "x")
	r := newRig(f, redistest.Addr(f), "s3cret", func(c *webhook.Config) { c.BodyLimit = 64 << 10 })
	f.Fuzz(func(t *testing.T, body []byte, delivery string) {
		rec := r.post("/webhooks/zammad", body, zammadfake.Headers(body, "s3cret", delivery, "fuzz"))
		switch rec.Code {
		case http.StatusAccepted, http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
		default:
			t.Fatalf("status %d for a signed body: %s", rec.Code, rec.Body)
		}
	})
}
