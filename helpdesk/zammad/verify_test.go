package zammad_test

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/helpdesk/zammad"
	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
)

const fixtureDir = "../../../shared/fixtures/zammad"

// fixtureSecret and fixtureSignature are the example delivery of SOURCES.md.
const (
	fixtureSecret    = "test-token-123"
	fixtureSignature = "sha1=610d39149ffaccb4a39f3b7251492578a1283bd8"
)

func fixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func newAdapter(tb testing.TB, cfg zammad.Config) *zammad.Adapter {
	tb.Helper()
	a, err := zammad.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

func TestVerifyAcceptsOnlyTheSecretsSignatureOverTheRawBody(t *testing.T) {
	body := fixture(t, "ticket_created.json")
	compact := zammadfake.Payload{Ticket: zammadfake.Ticket{ID: 1}}.JSON()
	tests := []struct {
		name   string
		secret string
		sig    string // "" sends no header
		body   []byte
		ok     bool
	}{
		{"fixture signature from SOURCES.md", fixtureSecret, fixtureSignature, body, true},
		{"upper-case hex", fixtureSecret, "sha1=610D39149FFACCB4A39F3B7251492578A1283BD8", body, true},
		{"signature of the builder", "s3cret", zammadfake.Sign("s3cret", compact), compact, true},
		{"missing header", fixtureSecret, "", body, false},
		{"other secret", "other", fixtureSignature, body, false},
		{"body changed by one byte", fixtureSecret, fixtureSignature, append([]byte(" "), body...), false},
		{"no sha1= prefix", fixtureSecret, "610d39149ffaccb4a39f3b7251492578a1283bd8", body, false},
		{"sha256 prefix", fixtureSecret, "sha256=610d39149ffaccb4a39f3b7251492578a1283bd8", body, false},
		{"not hex", fixtureSecret, "sha1=zz0d39149ffaccb4a39f3b7251492578a1283bd8", body, false},
		{"truncated", fixtureSecret, "sha1=610d39149ffaccb4", body, false},
		{"no secret configured fails closed", "", fixtureSignature, body, false},
		{"no secret and empty signature", "", "sha1=", body, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAdapter(t, zammad.Config{WebhookSecret: tt.secret})
			h := http.Header{}
			if tt.sig != "" {
				h.Set("X-Hub-Signature", tt.sig)
			}
			err := a.Verify(h, tt.body)
			if tt.ok && err != nil {
				t.Fatalf("Verify: %v, want nil", err)
			}
			if !tt.ok && !errors.Is(err, helpdesk.ErrSignature) {
				t.Fatalf("Verify: %v, want ErrSignature", err)
			}
		})
	}
}

func TestHasSecretReportsWhetherDeliveriesCanBeVerified(t *testing.T) {
	if newAdapter(t, zammad.Config{}).HasSecret() {
		t.Error("HasSecret without a secret = true")
	}
	if !newAdapter(t, zammad.Config{WebhookSecret: "x"}).HasSecret() {
		t.Error("HasSecret with a secret = false")
	}
}

// TestVerifyConcurrentlyKeepsEachVerdict: Verify reuses keyed HMAC states across calls;
// deliveries verified at the same time, good and forged mixed, each get their own verdict
// (a state shared between two calls would mix their bodies).
func TestVerifyConcurrentlyKeepsEachVerdict(t *testing.T) {
	a := newAdapter(t, zammad.Config{WebhookSecret: "s3cret"})
	const n = 200
	errs := make(chan error, n)
	for i := range n {
		go func() {
			body := []byte(fmt.Sprintf(`{"ticket":{"id":%d}}`, i+1))
			h := zammadfake.Headers(body, "s3cret", "", "d")
			forged := i%3 == 0
			if forged {
				h = zammadfake.Headers(body, "other", "", "d")
			}
			err := a.Verify(h, body)
			switch {
			case forged && !errors.Is(err, helpdesk.ErrSignature):
				errs <- fmt.Errorf("delivery %d: forged but verified (%v)", i, err)
			case !forged && err != nil:
				errs <- fmt.Errorf("delivery %d: signed but refused: %v", i, err)
			default:
				errs <- nil
			}
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
