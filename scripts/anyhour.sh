#!/usr/bin/env bash
# Runs the README's test command with the clock the service under test sees shifted to the
# hours at which a wall-clock-dependent test would break: a Saturday and a Sunday night,
# Christmas Eve after closing, the October DST night (the clocks go back during the run),
# the last seconds of a month, and a plain Tuesday morning. Each run must pass.
# Tests read the shift through internal/clocktest (SLAGUARD_TEST_CLOCK); production never does.
#   bash scripts/anyhour.sh            # all instants
#   bash scripts/anyhour.sh 2026-12-05T03:00:00+01:00 ./cmd/slaguard   # one instant, some packages
set -euo pipefail
cd "$(dirname "$0")/.."
instants=(
  2026-12-05T03:00:00+01:00   # Saturday 03:00 Vienna
  2026-12-06T03:00:00+01:00   # Sunday 03:00 Vienna
  2026-12-24T18:00:00+01:00   # Christmas Eve, after closing, before two holidays
  2026-10-25T02:59:30+02:00   # October DST night: 03:00 CEST becomes 02:00 CET during the run
  2026-11-30T23:59:40+01:00   # the last seconds of November (Vienna)
  2026-11-24T10:00:00+01:00   # Tuesday 10:00, for comparison
)
pkgs=(./...)
if [ $# -gt 0 ]; then instants=("$1"); shift; fi
if [ $# -gt 0 ]; then pkgs=("$@"); fi
failed=0
for at in "${instants[@]}"; do
  printf '\n=== SLAGUARD_TEST_CLOCK=%s\n' "$at"
  if SLAGUARD_TEST_CLOCK="$at" go test -race -count=1 "${pkgs[@]}"; then
    printf '=== PASS at %s\n' "$at"
  else
    printf '=== FAIL at %s\n' "$at"; failed=1
  fi
done
exit $failed
