package main

import (
	"math/rand/v2"
	"sync"
	"time"

	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
)

// contract is a 24/7 sla1 contract for "Load Corp" with the given targets.
func contract(fr, res string, confirmation bool, atRisk int) map[string]any {
	all := func(d string) map[string]string {
		return map[string]string{"low": d, "medium": d, "high": d, "critical": d}
	}
	return map[string]any{
		"customer": "Load Corp", "plan": "sla1", "starts_on": "2020-01-01",
		"organizations": []string{"Load Corp"}, "calendar": map[string]any{"preset": "24x7"},
		"first_response": all(fr), "resolution": all(res), "at_risk_percent": atRisk,
		"hourly_rate_cents": 9600, "quota_per_month": 100000, "confirmation": confirmation,
		"emergency_phone": "+43 1 234 56 78",
	}
}

// newTicket is a new customer ticket of Load Corp.
func newTicket(id int, channel, title string, at time.Time) zammadfake.Ticket {
	return zammadfake.Ticket{ID: id, Title: title, State: "new", Priority: "2 normal",
		OrganizationID: 5, OrganizationName: "Load Corp", CustomerID: customerID,
		CustomerEmail: "max@load.example", CreateArticleType: channel, CreatedAt: at.UTC(), UpdatedAt: at.UTC()}
}

// created is the delivery of a ticket's creation: the snapshot and the customer's article.
func created(t zammadfake.Ticket, body string) zammadfake.Payload {
	return zammadfake.Payload{Ticket: t, Article: &zammadfake.Article{ID: t.ID*10 + 1, TicketID: t.ID,
		Sender: "Customer", Type: t.CreateArticleType, Subject: t.Title, Body: body,
		CreatedAt: t.CreatedAt, CreatedByID: customerID}}
}

// replied is the delivery of an agent's public reply a second after creation.
func replied(t zammadfake.Ticket) zammadfake.Payload {
	at := t.CreatedAt.Add(time.Second)
	t.State, t.UpdatedAt, t.UpdatedByID = "open", at, agentID
	return zammadfake.Payload{Ticket: t, Article: &zammadfake.Article{ID: t.ID*10 + 2, TicketID: t.ID,
		Sender: "Agent", Type: "email", Body: "Wir sehen uns das an.", CreatedAt: at, CreatedByID: agentID}}
}

// parallel runs f(0..n-1) on k goroutines.
func parallel(n, k int, f func(i int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < k; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}

func shuffle[T any](s []T) { rand.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] }) }
