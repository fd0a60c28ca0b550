package billing

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

const cliUsage = "usage: slaguard billing export --month YYYY-MM [--contract ID] [--format csv|json] [--dialect excel-at|rfc4180] [-o file]"

// RunExportCLI is `slaguard billing export --month 2026-11 [--contract ID] [--format
// csv|json] [--dialect excel-at|rfc4180] [-o file]`: the export the web server gives, without
// it. args are the arguments after "billing" (so args[0] is "export"). The default format
// is csv in the excel-at dialect. With -o the file is replaced only once the whole export
// is written; otherwise it goes to stdout. -h prints the usage to stdout and returns an
// error wrapping flag.ErrHelp.
func RunExportCLI(ctx context.Context, args []string, l *Ledger, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "export" {
		return errors.New(cliUsage)
	}
	fs := flag.NewFlagSet("billing export", flag.ContinueOnError)
	var flagErrs bytes.Buffer
	fs.SetOutput(&flagErrs)
	month := fs.String("month", "", "the month, YYYY-MM (Europe/Vienna)")
	contract := fs.String("contract", "", "only this contract")
	format := fs.String("format", "csv", "csv or json")
	dialect := fs.String("dialect", string(ExcelAT), "CSV dialect: excel-at or rfc4180")
	out := fs.String("o", "", "write to this file instead of standard output")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, cliUsage)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
		}
		return fmt.Errorf("billing export: %w", err)
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("billing export: unexpected argument %q\n%s", fs.Arg(0), cliUsage)
	case *month == "":
		return fmt.Errorf("billing export: --month is required (e.g. --month 2026-11)\n%s", cliUsage)
	case *format != "csv" && *format != "json":
		return fmt.Errorf("billing export: --format must be csv or json, not %q", *format)
	}
	d, err := ParseDialect(*dialect)
	if err != nil {
		return fmt.Errorf("billing export: --dialect: %w", err)
	}
	x, err := l.Export(ctx, *month, *contract)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if *format == "json" {
		err = WriteJSON(&buf, x)
	} else {
		err = WriteCSV(&buf, x, d)
	}
	if err != nil {
		return err
	}
	if *out == "" {
		_, err = stdout.Write(buf.Bytes())
		return err
	}
	return writeFile(*out, buf.Bytes())
}

// writeFile replaces path with b atomically, so a failed run never leaves half an export.
func writeFile(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("billing export: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("billing export: write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("billing export: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("billing export: write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("billing export: %w", err)
	}
	return nil
}
