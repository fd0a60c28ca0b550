#!/usr/bin/env bash
# Runs README.md's "Try the API" walk-through as written: starts the service as the
# README's first block says (on port 18080 instead of 8080, so it runs beside anything),
# pastes every following sh block, and checks that the SLA was applied and the billing
# export has numbers. Needs curl, openssl, sed, python3. Exit 0 = the README works.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${PORT:-18080}
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/slaguard" ./cmd/slaguard
python3 - "$tmp" "$port" <<'PY'
import re, sys
tmp, port = sys.argv[1], sys.argv[2]
s = open('README.md').read()
sec = s[s.index('## Try the API'):s.index('## How it works')]
blocks = re.findall(r'```sh\n(.*?)```', sec, re.S)
start, rest = blocks[0].strip(), blocks[1:]
env = start.replace('go run ./cmd/slaguard', '').strip()
open(tmp + '/env', 'w').write(env + ' SLAGUARD_ADDR=127.0.0.1:' + port + '\n')
open(tmp + '/walk.sh', 'w').write('\n'.join(b.replace('localhost:8080', 'localhost:' + port) for b in rest))
PY
env $(cat "$tmp/env") "$tmp/slaguard" >"$tmp/log" 2>&1 &
pid=$!
for _ in $(seq 50); do curl -sf "localhost:$port/healthz" >/dev/null && break; sleep 0.2; done
(cd "$tmp" && bash walk.sh) >"$tmp/out" 2>&1
sleep 3 # time syncs wait a second for bookings to settle
TOKEN=$(sed -n 's/.*TOKEN=\([^ ]*\).*/\1/p' "$tmp/walk.sh" | head -1)
curl -s "localhost:$port/api/v1/billing/2026-12?format=csv&dialect=rfc4180" -H "Authorization: Bearer $TOKEN" >>"$tmp/out"
fail=0
for want in '"state":"breached"' '"to":"high"' 'implementation,90,90,96.00,144.00' '"who":"dev","action":"patch"'; do
  grep -qF -- "$want" "$tmp/out" || { echo "README walk-through: output lacks $want"; fail=1; }
done
grep -q '"level":"ERROR"' "$tmp/log" && { echo "README walk-through: the service logged an error"; grep '"level":"ERROR"' "$tmp/log"; fail=1; }
grep -q 'dry run: request not sent' "$tmp/log" || { echo "README walk-through: no dry-run request in the log"; fail=1; }
if [ $fail = 1 ]; then cat "$tmp/out"; exit 1; fi
echo "README walk-through: OK"
