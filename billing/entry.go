package billing

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/monobunt/slaguard/sla"
)

// ErrInvalidSource is returned by SyncTicket when an entry cannot be put on the ledger:
// an empty or duplicate id, negative time, a zero booking time, or ids containing "|".
var ErrInvalidSource = errors.New("billing: invalid time entry")

// Entry is one line of the ledger: a helpdesk's time entry, or an adjustment of one in a
// closed month. Times are exact in seconds; money is integer cents.
type Entry struct {
	ContractID   string `json:"contract_id"`
	ContractName string `json:"contract_name"`
	Helpdesk     string `json:"helpdesk"`
	EntryID      string `json:"entry_id"`
	TicketID     string `json:"ticket_id"`
	TicketNumber string `json:"ticket_number"`
	Title        string `json:"title"`
	// Date is the local date (Europe/Vienna, YYYY-MM-DD) the line is posted on: the
	// booking date, or for an adjustment the date it was made.
	Date string `json:"date"`
	// BookedSeconds is the time booked; BilledSeconds the time charged, after the
	// contract's billing increment (0 for included time).
	BookedSeconds    int64    `json:"booked_seconds"`
	BilledSeconds    int64    `json:"billed_seconds"`
	Category         Category `json:"category"`
	RateCentsPerHour int64    `json:"rate_cents_per_hour"`
	AmountCents      int64    `json:"amount_cents"`
	Reason           string   `json:"reason"`
	// AdjustmentOf is set on adjustments only: the closed month ("YYYY-MM") whose entry
	// this line corrects. An adjustment's seconds and amount are differences and may be
	// negative; its amount is not its seconds times its rate.
	AdjustmentOf string `json:"adjustment_of,omitempty"`
}

// MarshalJSON writes the entry with booked_minutes and billed_minutes added (decimals,
// at most two places) for readers who think in minutes; the seconds stay the exact value.
func (e Entry) MarshalJSON() ([]byte, error) {
	type plain Entry
	return json.Marshal(struct {
		plain
		BookedMinutes json.Number `json:"booked_minutes"`
		BilledMinutes json.Number `json:"billed_minutes"`
	}{plain(e), json.Number(minutesText(e.BookedSeconds, ".")), json.Number(minutesText(e.BilledSeconds, "."))})
}

// month is the month the line is posted in.
func (e Entry) month() string { return e.Date[:7] }

// key is the line's field in Redis; unique over the whole ledger.
func (e Entry) key() string {
	k := e.Helpdesk + "|" + e.TicketID + "|" + e.EntryID
	if e.AdjustmentOf != "" {
		k += "|adj|" + e.month() + "|" + e.ContractID + "|" + string(e.Category)
	}
	return k
}

// price turns a source into its ledger line under the ticket's contract terms.
func price(src Source, contractID string, terms sla.Terms, implementationTypeIDs []string) Entry {
	cat, reason := Classify(src, terms, implementationTypeIDs)
	e := Entry{
		ContractID: contractID, ContractName: terms.ContractName,
		Helpdesk: src.Helpdesk, EntryID: src.EntryID, TicketID: src.TicketID,
		TicketNumber: src.TicketNumber, Title: src.Title, Date: dateOf(src.BookedAt),
		BookedSeconds: src.Seconds, Category: cat, Reason: reason,
	}
	if cat != Included {
		e.BilledSeconds = RoundUp(src.Seconds, terms.BillingIncrement)
		e.RateCentsPerHour = rateOf(cat, terms)
		e.AmountCents = AmountCents(e.BilledSeconds, e.RateCentsPerHour)
	}
	return e
}

// checkSource fills the ticket's ids into src where empty and rejects what cannot be keyed.
func checkSource(src *Source, helpdesk, ticketID string) error {
	if src.Helpdesk == "" {
		src.Helpdesk = helpdesk
	}
	if src.TicketID == "" {
		src.TicketID = ticketID
	}
	switch {
	case src.EntryID == "" || strings.Contains(src.EntryID, "|"):
		return fmt.Errorf("%w: entry id %q", ErrInvalidSource, src.EntryID)
	case src.Helpdesk != helpdesk || src.TicketID != ticketID:
		return fmt.Errorf("%w: entry %s belongs to %s ticket %s, not %s ticket %s",
			ErrInvalidSource, src.EntryID, src.Helpdesk, src.TicketID, helpdesk, ticketID)
	case src.Seconds < 0:
		return fmt.Errorf("%w: entry %s has negative time", ErrInvalidSource, src.EntryID)
	case src.BookedAt.IsZero():
		return fmt.Errorf("%w: entry %s has no booking time", ErrInvalidSource, src.EntryID)
	}
	return nil
}
