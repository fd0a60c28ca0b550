package billing

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Dialect is a CSV flavour.
type Dialect string

// The CSV dialects.
const (
	// ExcelAT opens correctly in Excel in Austria: UTF-8 with BOM, ";" separator,
	// decimal comma, dates dd.mm.yyyy, German headings, CRLF.
	ExcelAT Dialect = "excel-at"
	// RFC4180 is plain CSV for scripts: "," separator, decimal point, ISO dates.
	RFC4180 Dialect = "rfc4180"
)

// ParseDialect reads a dialect name; empty means ExcelAT.
func ParseDialect(s string) (Dialect, error) {
	switch Dialect(s) {
	case "", ExcelAT:
		return ExcelAT, nil
	case RFC4180:
		return RFC4180, nil
	}
	return "", fmt.Errorf("billing: unknown CSV dialect %q (want excel-at or rfc4180)", s)
}

// WriteJSON writes the export as indented JSON.
func WriteJSON(w io.Writer, x Export) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(x)
}

var germanCategory = map[Category]string{
	Implementation:   "Umsetzung (Regie)",
	OverQuota:        "Über Kontingent",
	CriticalOffHours: "Kritisch außerhalb der Öffnungszeiten",
	Included:         "Inklusive",
}

// WriteCSV writes the export's entries, then a total row per contract and a grand
// total, in the dialect d.
func WriteCSV(w io.Writer, x Export, d Dialect) error {
	de := d != RFC4180
	if de {
		if _, err := io.WriteString(w, "\uFEFF"); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(w)
	if de {
		cw.Comma, cw.UseCRLF = ';', true
	}
	head := []string{"contract_id", "customer", "date", "ticket", "title", "category",
		"booked_minutes", "billed_minutes", "rate_eur_per_hour", "amount_eur", "reason", "adjustment_of"}
	if de {
		head = []string{"Vertrag", "Kunde", "Datum", "Ticket", "Titel", "Kategorie",
			"Minuten gebucht", "Minuten verrechnet", "Stundensatz EUR", "Betrag EUR", "Begründung", "Korrektur zu"}
	}
	f := formatter{de: de}
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, e := range x.Entries {
		ticket := e.TicketNumber
		if ticket == "" {
			ticket = e.TicketID
		}
		if err := cw.Write([]string{e.ContractID, e.ContractName, f.date(e.Date), ticket, e.Title, f.category(e.Category),
			f.minutes(e.BookedSeconds), f.minutes(e.BilledSeconds), f.euros(e.RateCents), f.euros(e.AmountCents),
			e.Reason, e.AdjustmentOf}); err != nil {
			return err
		}
	}
	total := "total"
	grand := "grand total"
	if de {
		total, grand = "Summe", "Gesamtsumme"
	}
	for _, c := range x.Contracts {
		if err := cw.Write([]string{c.ContractID, c.ContractName, "", "", "", total,
			f.minutes(c.Total.BookedSeconds), f.minutes(c.Total.BilledSeconds), "", f.euros(c.Total.AmountCents), "", ""}); err != nil {
			return err
		}
	}
	if err := cw.Write([]string{"", "", "", "", "", grand, f.minutes(x.Total.BookedSeconds),
		f.minutes(x.Total.BilledSeconds), "", f.euros(x.Total.AmountCents), "", ""}); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

type formatter struct{ de bool }

func (f formatter) date(iso string) string {
	if !f.de {
		return iso
	}
	t, err := time.Parse("2006-01-02", iso)
	if err != nil {
		return iso
	}
	return t.Format("02.01.2006")
}

func (f formatter) category(c Category) string {
	if f.de {
		if s, ok := germanCategory[c]; ok {
			return s
		}
	}
	return string(c)
}

// euros writes cents as "160.00" (or "160,00"), exactly, without a float.
func (f formatter) euros(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	s := fmt.Sprintf("%s%d.%02d", sign, cents/100, cents%100)
	if f.de {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// minutes writes seconds as minutes with up to two decimals: "15", "7.5", "0.33".
func (f formatter) minutes(seconds int64) string {
	sign := ""
	if seconds < 0 {
		sign, seconds = "-", -seconds
	}
	hundredths := (seconds*100 + 30) / 60 // minutes × 100, rounded half up
	s := sign + strconv.FormatInt(hundredths/100, 10)
	if frac := hundredths % 100; frac != 0 {
		fs := fmt.Sprintf("%02d", frac)
		s += "." + strings.TrimRight(fs, "0")
	}
	if f.de {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}
