#!/usr/bin/env bash
# Foundation benchmark: in one run on this machine, measures with wrk (TLS, keep-alive)
#   1. a bare cpprestsdk TLS listener returning a fixed body the size of a CarePlan (the ceiling
#      of the HTTP stack),
#   2. GET /fhir/CarePlan/{id} on duet,
#   3. GET /fhir/CarePlan?patient=...&status=active on duet, a random patient per request,
# with 100,000 CarePlans stored, and duet's resident memory afterwards. Prints the figures and the
# read/bare ratio, from runs one after the other and from runs side by side (both loaded at once,
# the steadier figure on a shared machine). Usage: tests/bench/run_foundation.sh [seconds-per-run] [connections]
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/bench/bench_lib.sh

seconds="${1:-10}"
connections="${2:-32}"
out=tests/bench/out/foundation
duet_port=18443
bare_port=19443

# DUET_BENCH_BUILD_DIR picks the build tree (default build/); DUET_BENCH_SKIP_BUILD=1 uses the
# binaries already there.
build_targets duet bare_tls_listener seed_store

rm -rf "$out"
mkdir -p "$out"
certs/make-dev-certs.sh "$out/certs" >/dev/null

echo "seeding $plans CarePlans for $patients patients..." >&2
eval "$("$build_dir"/bin/seed_store --store "$out/bench.db" --patients "$patients" --plans "$plans")"

cat >"$out/duet.json" <<JSON
{
  "listen": {"host": "127.0.0.1", "port": $duet_port, "threads": $threads},
  "tls": {"certificate": "certs/server.pem", "private_key": "certs/server.key"},
  "store": {"path": "bench.db"},
  "practice": {"identifier_base": "https://sunrise-pt.example/sid"},
  "auth": {"mode": "development"},
  "limits": {"requests_per_second": 1000000, "burst": 1000000},
  "log": {"level": "warn"}
}
JSON

start_background "$out/duet.log" "$build_dir"/bin/duet serve --config "$out/duet.json"
duet_pid=${pids[0]}
wait_for "https://localhost:$duet_port/healthz"

read_path="/fhir/CarePlan/$careplan_id"
body_bytes=$(curl -sf --cacert "$out/certs/ca.pem" "https://localhost:$duet_port$read_path" | wc -c)

start_background "$out/bare.log" "$build_dir"/bin/bare_tls_listener \
  --cert "$out/certs/server.pem" --key "$out/certs/server.key" \
  --host 127.0.0.1 --port "$bare_port" --threads "$threads" --body-bytes "$body_bytes"
wait_for "https://localhost:$bare_port/healthz"

write_search_lua "$patients" "$out/search.lua"

# Warm up both, then alternate bare and duet reads so that drift hits both alike.
measure "https://127.0.0.1:$bare_port$read_path" >/dev/null
measure "https://127.0.0.1:$duet_port$read_path" >/dev/null
bare1=$(measure "https://127.0.0.1:$bare_port$read_path")
read1=$(measure "https://127.0.0.1:$duet_port$read_path")
bare2=$(measure "https://127.0.0.1:$bare_port$read_path")
read2=$(measure "https://127.0.0.1:$duet_port$read_path")
search=$(measure "https://127.0.0.1:$duet_port/fhir/CarePlan" -s "$out/search.lua")
side1=$(measure_side_by_side "https://127.0.0.1:$bare_port$read_path" "https://127.0.0.1:$duet_port$read_path")
side2=$(measure_side_by_side "https://127.0.0.1:$bare_port$read_path" "https://127.0.0.1:$duet_port$read_path")
rss_kb=$(ps -o rss= -p "$duet_pid" | tr -d ' ')
matches=$(curl -sf --cacert "$out/certs/ca.pem" \
  "https://localhost:$duet_port/fhir/CarePlan?patient=Patient/bench-patient-1&status=active&_summary=count" |
  sed -E 's/.*"total":([0-9]+).*/\1/')

bare_rps=$(avg "$(cut -d' ' -f1 <<<"$bare1")" "$(cut -d' ' -f1 <<<"$bare2")")
read_rps=$(avg "$(cut -d' ' -f1 <<<"$read1")" "$(cut -d' ' -f1 <<<"$read2")")

echo
echo "Foundation benchmark: $plans CarePlans, $patients patients, wrk -t2 -c$connections -d${seconds}s, TLS keep-alive"
echo "machine: $(nproc) cores, $(uname -r), body of a CarePlan read: $body_bytes bytes"
printf '%-44s %10s %9s %9s\n' "run" "req/s" "p50 ms" "p99 ms"
printf '%-44s %10s %9s %9s\n' "bare cpprestsdk TLS listener (1)" $bare1
printf '%-44s %10s %9s %9s\n' "duet GET /fhir/CarePlan/{id} (1)" $read1
printf '%-44s %10s %9s %9s\n' "bare cpprestsdk TLS listener (2)" $bare2
printf '%-44s %10s %9s %9s\n' "duet GET /fhir/CarePlan/{id} (2)" $read2
printf '%-44s %10s %9s %9s\n' "duet CarePlan?patient=...&status=active" $search
printf '%-44s %10s %9s %9s\n' "side by side: bare (1)" $(cut -d' ' -f1-3 <<<"$side1")
printf '%-44s %10s %9s %9s\n' "side by side: duet read (1)" $(cut -d' ' -f4-6 <<<"$side1")
printf '%-44s %10s %9s %9s\n' "side by side: bare (2)" $(cut -d' ' -f1-3 <<<"$side2")
printf '%-44s %10s %9s %9s\n' "side by side: duet read (2)" $(cut -d' ' -f4-6 <<<"$side2")
side_bare=$(avg "$(cut -d' ' -f1 <<<"$side1")" "$(cut -d' ' -f1 <<<"$side2")")
side_read=$(avg "$(cut -d' ' -f4 <<<"$side1")" "$(cut -d' ' -f4 <<<"$side2")")
echo "read / bare listener: $(percent "$read_rps" "$bare_rps") one after the other," \
  "$(percent "$side_read" "$side_bare") side by side (target >= 85%)"
echo "search p99: $(cut -d' ' -f3 <<<"$search") ms at $connections connections (target < 20 ms); matches for one patient: $matches"
echo "duet RSS after the runs: $((rss_kb / 1024)) MB with $plans CarePlans stored (target < 100 MB)"
