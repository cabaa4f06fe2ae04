#!/usr/bin/env bash
# scripts/run, as a user runs it, on a free loopback port: the gateway must answer /fhir/metadata
# with a CapabilityStatement, hold the demo plan of care, and stop cleanly on SIGTERM.
# Usage: run_smoke_test.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")/../.."
build_dir="$(cd "$1" && pwd)"
work="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then kill -TERM "$server"; fi
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
repo="$PWD"
cat >"$work/duet.json" <<JSON
{
  "listen": {"host": "127.0.0.1", "port": $port, "threads": 4},
  "tls": {"certificate": "$repo/certs/out/server.pem", "private_key": "$repo/certs/out/server.key"},
  "store": {"path": "$work/duet.db"},
  "practice": {"identifier_base": "https://sunrise-pt.example/sid"},
  "auth": {"mode": "development"},
  "log": {"level": "warn"}
}
JSON

DUET_CONFIG="$work/duet.json" DUET_BUILD_DIR="$build_dir" scripts/run >"$work/run.log" 2>&1 &
server=$!
base="https://127.0.0.1:$port"
fetch() { curl -sf --cacert certs/out/ca.pem "$base$1"; }
for _ in $(seq 1 300); do
  grep -q "Duet is running" "$work/run.log" && break
  kill -0 "$server" 2>/dev/null || { cat "$work/run.log"; echo "scripts/run exited early"; exit 1; }
  sleep 0.2
done

fail() { echo "FAIL: $*"; cat "$work/run.log"; exit 1; }
fetch /fhir/metadata | grep -q '"resourceType":"CapabilityStatement"' || fail "no CapabilityStatement"
fetch /fhir/metadata | grep -q '"type":"CarePlan"' || fail "CarePlan is not in the CapabilityStatement"
grep -q "demo data loaded" "$work/run.log" || fail "the demo data did not load"
fetch '/fhir/CarePlan?status=active&_summary=count' | grep -q '"total":1' || fail "no demo CarePlan"

kill -TERM "$server"
wait "$server" || fail "scripts/run did not stop cleanly"
server=""
echo "scripts/run smoke test: 1 passed, 0 failed"
