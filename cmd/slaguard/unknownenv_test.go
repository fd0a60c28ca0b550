package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestUnknownVariablesAreNamedWithTheClosestSetting(t *testing.T) {
	got := unknownVariables([]string{
		"SLAGUARD_CONCURENCY=5", "SLAGUARD_ADMIN_TOKEN=x", "SLAGUARD_CONCURRENCY=4",
		"SLAGUARD_TEST_CLOCK=2026-12-01T10:00:00Z", "HOME=/root", "SLAGUARD_FROBNICATE=1",
	})
	want := []string{
		"SLAGUARD_ADMIN_TOKEN is not a slaguard setting and is ignored (did you mean SLAGUARD_ADMIN_TOKENS?)",
		"SLAGUARD_CONCURENCY is not a slaguard setting and is ignored (did you mean SLAGUARD_CONCURRENCY?)",
		"SLAGUARD_FROBNICATE is not a slaguard setting and is ignored",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// `slaguard config` (and every role at start) reports a typo instead of ignoring it.
func TestConfigWarnsAboutATypo(t *testing.T) {
	old := environ
	environ = func() []string { return []string{"SLAGUARD_SHUTDOWN_TIMOUT=5s"} }
	defer func() { environ = old }()
	var stderr bytes.Buffer
	if err := run(t.Context(), []string{"config"}, envOf(nil), &bytes.Buffer{}, &stderr); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "SLAGUARD_SHUTDOWN_TIMOUT is not a slaguard setting and is ignored (did you mean SLAGUARD_SHUTDOWN_TIMEOUT?)") {
		t.Errorf("no warning: %q", stderr.String())
	}
}
