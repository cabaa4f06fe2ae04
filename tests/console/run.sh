#!/usr/bin/env bash
# Browser test of the admin console: starts a partner gateway (mutual TLS) and a practice gateway
# (smart mode with an admin token), both real `duet serve` processes on free loopback ports, loads
# the PRF fixtures into the practice, then drives the console in headless Chromium
# (console_test.mjs). Screenshots go to <build>/console-screenshots/. Stops both gateways on exit.
#   usage: tests/console/run.sh <build dir>       (DUET_BINARY overrides <build>/bin/duet)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:?usage: run.sh <build dir>}" && pwd)
duet=${DUET_BINARY:-$build/bin/duet}
certs=$build/test-certs
screenshots=$build/console-screenshots

[ -x /usr/bin/chromium ] || { echo "run.sh: /usr/bin/chromium is missing (scripts/setup installs it)" >&2; exit 1; }
[ -d "$root/console/node_modules/playwright-core" ] ||
  (cd "$root/console" && npm ci --no-audit --no-fund --loglevel=error)
[ -f "$certs/client.pem" ] || "$root/certs/make-dev-certs.sh" "$certs" >/dev/null

work=$(mktemp -d /tmp/duet-console-test.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -z "${DUET_KEEP_TEST_DIRS:-}" ]; then rm -rf "$work"; else echo "kept $work" >&2; fi
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start <name> <auth json> <extra tls json>: writes <work>/<name>/duet.json and starts the gateway.
start() {
  local name=$1 auth=$2 tls_extra=$3 port
  port=$(free_port)
  mkdir -p "$work/$name"
  cat >"$work/$name/duet.json" <<JSON
{
  "listen": {"host": "127.0.0.1", "port": $port, "threads": 4},
  "tls": {"certificate": "$certs/server.pem", "private_key": "$certs/server.key"$tls_extra},
  "store": {"path": "duet.db"},
  "practice": {"identifier_base": "https://sunrise-pt.example/sid"},
  "log": {"level": "info"},
  "auth": $auth
}
JSON
  "$duet" serve --config "$work/$name/duet.json" 2>"$work/$name/duet.stderr.log" &
  pids+=($!)
  local url="https://127.0.0.1:$port"
  for _ in $(seq 1 150); do
    if curl -sf --cacert "$certs/ca.pem" $4 "$url/healthz" >/dev/null 2>&1; then
      echo "$url" >"$work/$name/url"
      return 0
    fi
    sleep 0.2
  done
  echo "run.sh: the $name gateway did not start:" >&2
  cat "$work/$name/duet.stderr.log" >&2
  exit 1
}

admin_token=$(head -c 32 /dev/urandom | base64 | tr -d '/+=' | head -c 40)
practice_token=$(head -c 32 /dev/urandom | base64 | tr -d '/+=' | head -c 40)
mkdir -p "$work/practice"
printf '%s' "$admin_token" >"$work/practice/admin.token"
printf '%s' "$practice_token" >"$work/practice/practice.token"
chmod 600 "$work/practice/"*.token

start partner '{"mode": "development"}' ", \"client_ca\": \"$certs/ca.pem\"" \
  "--cert $certs/client.pem --key $certs/client.key"
start practice "{\"mode\": \"smart\", \"admin_token_file\": \"$work/practice/admin.token\",
  \"practice_token_file\": \"$work/practice/practice.token\"}" "" ""
partner=$(cat "$work/partner/url")
practice=$(cat "$work/practice/url")

# The practice's records, through the practice API; the plan of care comes during the test.
records=""
for f in patient provider provider-ot provider-referring referral; do
  records+="${records:+,}$(cat "$root/tests/fixtures/prf/$f.json")"
done
status=$(printf '{"record":"batch","records":[%s]}' "$records" |
  curl -s -o "$work/upload.json" -w '%{http_code}' --cacert "$certs/ca.pem" \
    -H "Authorization: Bearer $practice_token" -H 'Content-Type: application/json' \
    --data-binary @- "$practice/practice/v1/records")
if [ "$status" != 200 ]; then
  echo "run.sh: uploading the PRF fixtures answered $status:" >&2
  head -c 2000 "$work/upload.json" >&2
  exit 1
fi

# The partner's server certificate expiry as the console shows it (ISO 8601 UTC).
cert_expires=$(date -u -d "$(openssl x509 -noout -enddate -in "$certs/server.pem" | cut -d= -f2)" \
  +%Y-%m-%dT%H:%M:%SZ)

rm -rf "$screenshots"
set +e
CONSOLE_URL="$practice/admin/" PARTNER_URL="$partner" CERTS="$certs" ADMIN_TOKEN="$admin_token" \
  PRACTICE_URL="$practice" PRACTICE_TOKEN="$practice_token" NODE_EXTRA_CA_CERTS="$certs/ca.pem" \
  SCREENSHOTS="$screenshots" CERT_EXPIRES="$cert_expires" node "$here/console_test.mjs"
result=$?
set -e
if [ $result -ne 0 ]; then
  echo "--- practice gateway log (tail)" >&2; tail -n 40 "$work/practice/duet.stderr.log" >&2
  echo "--- partner gateway log (tail)" >&2; tail -n 20 "$work/partner/duet.stderr.log" >&2
fi
exit $result
