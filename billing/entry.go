package billing

import (
	"time"

	"github.com/monobunt/slaguard/sla"
)

// Entry is one line of the ledger: a priced time-accounting entry, or an adjustment of
// one whose month was closed before it changed.
type Entry struct {
	// Key is the entry's identity in its month: the source key, or for an adjustment
	// "adj:<source key>:<n>".
	Key          string `json:"key"`
	ContractID   string `json:"contract_id"`
	ContractName string `json:"contract_name,omitempty"`
	Helpdesk     string `json:"helpdesk"`
	EntryID      string `json:"entry_id"`
	TicketID     string `json:"ticket_id"`
	TicketNumber string `json:"ticket_number,omitempty"`
	Title        string `json:"title,omitempty"`
	// Date is the local date (Europe/Vienna) the time was booked, or an adjustment made.
	Date string `json:"date"`
	// BookedSeconds is the time as booked; BilledSeconds after the contract's increment.
	BookedSeconds int64    `json:"booked_seconds"`
	BilledSeconds int64    `json:"billed_seconds"`
	Category      Category `json:"category"`
	RateCents     int64    `json:"rate_cents"`
	AmountCents   int64    `json:"amount_cents"`
	Reason        string   `json:"reason"`
	// AdjustmentOf names the source entry an adjustment corrects, and its original month.
	AdjustmentOf      string `json:"adjustment_of,omitempty"`
	AdjustedFromMonth string `json:"adjusted_from_month,omitempty"`
}

var vienna = func() *time.Location {
	l, err := time.LoadLocation("Europe/Vienna")
	if err != nil {
		panic("billing: no Europe/Vienna zone data: " + err.Error())
	}
	return l
}()

// MonthOf is the billing month (Europe/Vienna) of an instant: "2026-11".
func MonthOf(t time.Time) string { return t.In(vienna).Format("2006-01") }

func dateOf(t time.Time) string { return t.In(vienna).Format("2006-01-02") }

// Price turns a source into its ledger entry under the contract's terms.
func Price(s Source, contractID string, terms sla.Terms, implementationTypes map[string]bool) Entry {
	cat, rate, reason := Classify(s, terms, implementationTypes)
	billed := s.Seconds
	if cat != Included {
		billed = RoundUp(s.Seconds, terms.BillingIncrement)
	}
	return Entry{
		Key: s.Key(), ContractID: contractID, ContractName: terms.ContractName,
		Helpdesk: s.Helpdesk, EntryID: s.EntryID, TicketID: s.TicketID, TicketNumber: s.TicketNumber, Title: s.Title,
		Date: dateOf(s.BookedAt), BookedSeconds: s.Seconds, BilledSeconds: billed,
		Category: cat, RateCents: rate, AmountCents: Amount(billed, rate), Reason: reason,
	}
}

func (e Entry) month() string { return e.Date[:7] }

// sameMoney reports whether two versions of an entry bill the same.
func sameMoney(a, b Entry) bool {
	return a.BookedSeconds == b.BookedSeconds && a.BilledSeconds == b.BilledSeconds &&
		a.Category == b.Category && a.RateCents == b.RateCents && a.AmountCents == b.AmountCents &&
		a.ContractID == b.ContractID && a.Date == b.Date
}
