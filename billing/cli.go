package billing

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// RunExportCLI is `slaguard billing export --month 2026-11 [--contract ID] [--format
// csv|json] [--dialect excel-at|rfc4180] [-o file]`: the month's export without the web
// server. args are the arguments after "billing".
func RunExportCLI(ctx context.Context, args []string, l *Ledger, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "export" {
		return errors.New("usage: slaguard billing export --month YYYY-MM [--contract ID] [--format csv|json] [--dialect excel-at|rfc4180] [-o file]")
	}
	fs := flag.NewFlagSet("billing export", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	month := fs.String("month", "", "the month, YYYY-MM (Europe/Vienna)")
	contract := fs.String("contract", "", "only this contract")
	format := fs.String("format", "csv", "csv or json")
	dialect := fs.String("dialect", string(ExcelAT), "excel-at or rfc4180")
	out := fs.String("o", "", "write to this file instead of standard output")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("billing export: %w", err)
	}
	if *month == "" {
		return errors.New("billing export: --month is required (e.g. --month 2026-11)")
	}
	d, err := ParseDialect(*dialect)
	if err != nil {
		return err
	}
	if *format != "csv" && *format != "json" {
		return fmt.Errorf("billing export: --format must be csv or json, not %q", *format)
	}
	x, err := l.Export(ctx, *month, *contract)
	if err != nil {
		return err
	}
	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return fmt.Errorf("billing export: %w", err)
		}
		defer f.Close()
		w = f
	}
	if *format == "json" {
		return WriteJSON(w, x)
	}
	return WriteCSV(w, x, d)
}
