package zammad_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/monobunt/slaguard/helpdesk/zammad"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// TestParseOfEveryFixtureMatchesItsGolden parses every Zammad fixture and compares the
// events, field by field as JSON, with what the parser made of them when the golden
// was written (testdata/parsed/<fixture>.golden; go test -run Golden -update rewrites
// them). A change to how a field is read shows here for every fixture at once.
func TestParseOfEveryFixtureMatchesItsGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(fixtureDir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures in %s: %v", fixtureDir, err)
	}
	a := newAdapter(t, zammad.Config{})
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			evs, err := a.Parse(deliveryHeader("d-"+name, "slaguard: ticket updated"), fixture(t, name))
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(evs, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("testdata", "parsed", strings.TrimSuffix(name, ".json")+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s parses differently from %s:\n%s", name, golden, got)
			}
		})
	}
}
