// Command payloads writes signed, realistic Zammad webhook bodies for the load test, one
// per line: signature TAB body. wrk's script (bench/post.lua) gives each request a fresh
// delivery id, and every 10th a repeated one (a redelivery).
//
//	go run ./bench/payloads -secret S -n 4000 > /tmp/reqs.tsv
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/monobunt/slaguard/helpdesk/zammad/zammadtest"
)

func main() {
	secret := flag.String("secret", "bench-secret", "the webhook's HMAC token")
	n := flag.Int("n", 4000, "how many bodies")
	tickets := flag.Int("tickets", 500, "how many distinct tickets they are about")
	flag.Parse()
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	t0 := time.Now().UTC()
	for i := 0; i < *n; i++ {
		id := 10000 + i%*tickets
		p := zammadtest.Payload{Ticket: zammadtest.Ticket{ID: id, Title: "Bilder laden langsam", State: "open",
			OrganizationID: 5, OrganizationName: "Load Corp", CustomerID: 12, CustomerEmail: "max@load.example",
			CreatedAt: t0, UpdatedAt: t0.Add(time.Duration(i) * time.Second)},
			Article: &zammadtest.Article{ID: 100000 + i, TicketID: id, Sender: "Customer", Type: "email",
				Body: "Die Produktbilder laden seit gestern sehr langsam, bitte prüfen.", CreatedAt: t0, CreatedByID: 12}}
		body := p.JSON()
		fmt.Fprintf(w, "%s\t%s\n", zammadtest.Sign(*secret, body), body)
	}
}
