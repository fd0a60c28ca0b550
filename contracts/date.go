package contracts

import (
	"fmt"
	"time"

	"github.com/monobunt/slaguard/sla"
)

// Vienna is the time zone of contract dates (sla.Vienna).
var Vienna = sla.Vienna

// Date is a local calendar date in Europe/Vienna written YYYY-MM-DD. Valid dates compare
// correctly as strings.
type Date string

const dateLayout = "2006-01-02"

// DateOf returns the Vienna date of the instant t.
func DateOf(t time.Time) Date { return Date(t.In(Vienna).Format(dateLayout)) }

// Valid reports whether d is a real date written YYYY-MM-DD.
func (d Date) Valid() bool {
	t, err := time.Parse(dateLayout, string(d))
	return err == nil && t.Format(dateLayout) == string(d)
}

// ETagOf returns the quoted entity tag of a version: "v3".
func ETagOf(version int) string { return fmt.Sprintf(`"v%d"`, version) }
