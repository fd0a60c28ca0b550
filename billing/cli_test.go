package billing

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExportCLI(t *testing.T) {
	ctx := context.Background()
	l := newTestLedger(t)
	october(t, l)
	var out bytes.Buffer
	if err := RunExportCLI(ctx, []string{"export", "--month", "2026-10", "--contract", "c_joinery", "--dialect", "rfc4180"}, l, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "total,2026-10,c_joinery,Tischlerei Holz & Co,,,,,,,total,68.5,90,,144.00,,") || strings.Contains(out.String(), "c_bakery") {
		t.Errorf("CLI export:\n%s", out.String())
	}
	// The file holds the same bytes the web server serves.
	path := filepath.Join(t.TempDir(), "regie.json")
	if err := RunExportCLI(ctx, []string{"export", "--month", "2026-10", "--format", "json", "-o", path}, l, &out); err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := WriteJSON(&want, mustExport(t, l, "2026-10", "")); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, want.Bytes()) {
		t.Errorf("-o file differs from the export: %v", err)
	}
	for _, args := range [][]string{
		{"export"}, {"export", "--month", "2026-13"}, {"export", "--month", "2026-10", "--format", "pdf"},
		{"export", "--month", "2026-10", "--dialect", "tabs"}, {"export", "--month", "2026-10", "extra"}, {"import"}, {},
	} {
		if err := RunExportCLI(ctx, args, l, &out); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
	out.Reset()
	if err := RunExportCLI(ctx, []string{"export", "-h"}, l, &out); !errors.Is(err, flag.ErrHelp) || !strings.Contains(out.String(), "--month") {
		t.Errorf("-h: %v, printed %q", err, out.String())
	}
}
