// Command payloads pre-generates the ingest benchmark's requests: signed, realistic
// Zammad webhook deliveries about a mix of tickets, one per line as
// "delivery-id TAB signature TAB body". Every tenth line repeats an earlier line's
// delivery (same id and body: a redelivery). bench/post.lua cycles through them and
// suffixes the delivery id with the cycle number, so each cycle is new deliveries.
//
//	go run ./bench/payloads -secret S -n 4000 > /tmp/reqs.tsv
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
)

func main() {
	secret := flag.String("secret", "bench-webhook-secret", "the webhook's HMAC token")
	n := flag.Int("n", 4000, "how many lines")
	tickets := flag.Int("tickets", 500, "how many distinct tickets they are about")
	flag.Parse()
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	t0 := time.Now().UTC().Add(-time.Hour)
	type line struct{ id, sig, body string }
	var lines []line
	states := []string{"new", "open", "open", "pending reminder"}
	for i := 0; i < *n; i++ {
		if i%10 == 9 {
			lines = append(lines, lines[rand.IntN(len(lines))])
			continue
		}
		id := 10000 + rand.IntN(*tickets)
		at := t0.Add(time.Duration(i) * time.Second)
		sender, by, typ := "Customer", 12, "email"
		if i%3 == 1 {
			sender, by = "Agent", 7
		}
		if i%5 == 0 {
			typ = "web"
		}
		p := zammadfake.Payload{Ticket: zammadfake.Ticket{ID: id, Number: fmt.Sprint(31000 + id), Title: "Bilder laden langsam",
			State: states[i%len(states)], Priority: "2 normal", Group: "Support",
			OrganizationID: 5, OrganizationName: "Load Corp", CustomerID: 12, CustomerEmail: "max@load.example",
			CreateArticleType: "email", CreatedAt: t0, UpdatedAt: at, UpdatedByID: by, ArticleIDs: []int{id * 10, 100000 + i}},
			Article: &zammadfake.Article{ID: 100000 + i, TicketID: id, Sender: sender, Type: typ,
				Subject: "Bilder laden langsam", From: "Max Muster <max@load.example>",
				Body:      "Die Produktbilder laden seit gestern sehr langsam, bitte prüfen. Danke und liebe Grüße, Max",
				CreatedAt: at, CreatedByID: by}}
		body := p.JSON()
		lines = append(lines, line{zammadfake.NewDeliveryID(), zammadfake.Sign(*secret, body), string(body)})
	}
	for _, l := range lines {
		fmt.Fprintf(w, "%s\t%s\t%s\n", l.id, l.sig, l.body)
	}
}
