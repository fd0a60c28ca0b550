package reconcile

import (
	"net/http"

	"golang.org/x/time/rate"
)

// LimitedClient returns a copy of base whose requests start at most perSecond times a
// second (a burst of one): the catch-up's cap on the helpdesk's API, apart from the
// write-backs' own client. perSecond <= 0 returns base unchanged.
func LimitedClient(base *http.Client, perSecond float64) *http.Client {
	if perSecond <= 0 {
		return base
	}
	c := *base
	next := base.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	c.Transport = limited{next: next, lim: rate.NewLimiter(rate.Limit(perSecond), 1)}
	return &c
}

type limited struct {
	next http.RoundTripper
	lim  *rate.Limiter
}

func (l limited) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := l.lim.Wait(req.Context()); err != nil {
		return nil, err
	}
	return l.next.RoundTrip(req)
}
