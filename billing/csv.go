package billing

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Dialect is a flavour of CSV.
type Dialect string

// The dialects. ExcelAT opens correctly in Excel set up for Austria: UTF-8 with a byte
// order mark, ";" between fields, decimal commas, dates dd.mm.yyyy, German headings, and
// text that Excel would run as a formula (starting with = + - @) prefixed with "'".
// RFC4180 is for scripts: "," between fields, decimal points, ISO dates, snake_case
// headings, no BOM. Both end lines with CRLF, as RFC 4180 and Excel expect.
const (
	ExcelAT Dialect = "excel-at"
	RFC4180 Dialect = "rfc4180"
)

// ErrBadDialect is returned for a dialect other than excel-at or rfc4180.
var ErrBadDialect = errors.New("billing: dialect must be excel-at or rfc4180")

// ParseDialect reads a dialect name; empty means ExcelAT.
func ParseDialect(s string) (Dialect, error) {
	switch Dialect(s) {
	case "", ExcelAT:
		return ExcelAT, nil
	case RFC4180:
		return RFC4180, nil
	}
	return "", fmt.Errorf("%w, not %q", ErrBadDialect, s)
}

var (
	columns = []string{"row", "month", "contract_id", "contract_name", "date", "helpdesk", "ticket_id",
		"ticket_number", "entry_id", "title", "category", "booked_minutes", "billed_minutes",
		"rate_eur_per_hour", "amount_eur", "reason", "adjustment_of"}
	spalten = []string{"Zeile", "Monat", "Vertrag-ID", "Vertrag", "Datum", "Helpdesk", "Ticket-ID",
		"Ticket-Nr.", "Eintrag-ID", "Titel", "Kategorie", "Minuten gebucht", "Minuten verrechnet",
		"Satz EUR/h", "Betrag EUR", "Grund", "Korrektur zu Monat"}
)

// WriteCSV writes x as CSV in dialect d: a heading, one row per line of the ledger (row
// "entry" or "adjustment"), then per contract a row per category that has lines and a
// row with category "total", and for a multi-contract export the same for all contracts
// (contract columns empty). Minutes have at most two decimals, euros exactly two.
func WriteCSV(w io.Writer, x Export, d Dialect) error {
	if _, err := ParseDialect(string(d)); err != nil {
		return err
	}
	f := csvFormat{d}
	if d == ExcelAT {
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return fmt.Errorf("billing: write csv: %w", err)
		}
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	head := columns
	if d == ExcelAT {
		cw.Comma = ';'
		head = spalten
	}
	rows := [][]string{head}
	for _, e := range x.Entries {
		kind := "entry"
		if e.AdjustmentOf != "" {
			kind = "adjustment"
		}
		rows = append(rows, []string{kind, x.Month, e.ContractID, f.text(e.ContractName), f.date(e.Date),
			e.Helpdesk, e.TicketID, f.text(e.TicketNumber), e.EntryID, f.text(e.Title), string(e.Category),
			f.minutes(e.BookedSeconds), f.minutes(e.BilledSeconds), f.euros(e.RateCentsPerHour),
			f.euros(e.AmountCents), f.text(e.Reason), e.AdjustmentOf})
	}
	for _, c := range x.Contracts {
		rows = append(rows, f.totals(x.Month, c.ContractID, f.text(c.ContractName), c.ByCategory, c.Total)...)
	}
	if x.ContractID == "" {
		rows = append(rows, f.totals(x.Month, "", "", x.ByCategory, x.Total)...)
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("billing: write csv: %w", err)
	}
	return nil
}

type csvFormat struct{ d Dialect }

func (f csvFormat) totals(month, id, name string, cats []CategorySum, total Sum) [][]string {
	var rows [][]string
	row := func(cat string, s Sum) []string {
		return []string{"total", month, id, name, "", "", "", "", "", "", cat,
			f.minutes(s.BookedSeconds), f.minutes(s.BilledSeconds), "", f.euros(s.AmountCents), "", ""}
	}
	for _, c := range cats {
		if c.Entries > 0 {
			rows = append(rows, row(string(c.Category), c.Sum))
		}
	}
	return append(rows, row("total", total))
}

func (f csvFormat) sep() string {
	if f.d == ExcelAT {
		return ","
	}
	return "."
}

func (f csvFormat) euros(cents int64) string     { return fixed2(cents, f.sep()) }
func (f csvFormat) minutes(seconds int64) string { return minutesText(seconds, f.sep()) }

func (f csvFormat) date(iso string) string {
	if f.d != ExcelAT || len(iso) != 10 {
		return iso
	}
	return iso[8:10] + "." + iso[5:7] + "." + iso[0:4]
}

// text keeps Excel from running customer-written text as a formula.
func (f csvFormat) text(s string) string {
	if f.d == ExcelAT && s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
