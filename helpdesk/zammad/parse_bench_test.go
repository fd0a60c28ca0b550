package zammad_test

import (
	"net/http"
	"testing"

	"github.com/monobunt/slaguard/helpdesk/zammad"
)

// BenchmarkParse is Parse of the largest fixture (pretty-printed, about 9 KB): the
// worker's full parse.
func BenchmarkParse(b *testing.B) {
	benchFixture(b, func(a *zammad.Adapter, h http.Header, body []byte) error {
		_, err := a.Parse(h, body)
		return err
	})
}

// BenchmarkRoute is the webhook door's look at the same fixture: delivery id, ticket id
// and the checks that refuse an event that is not one.
func BenchmarkRoute(b *testing.B) {
	benchFixture(b, func(a *zammad.Adapter, h http.Header, body []byte) error {
		_, err := a.Route(h, body)
		return err
	})
}

func benchFixture(b *testing.B, do func(*zammad.Adapter, http.Header, []byte) error) {
	body := fixture(b, "article_internal_note.json")
	a, err := zammad.New(zammad.Config{WebhookSecret: fixtureSecret})
	if err != nil {
		b.Fatal(err)
	}
	h := http.Header{}
	h.Set("X-Zammad-Delivery", "d")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := do(a, h, body); err != nil {
			b.Fatal(err)
		}
	}
}
