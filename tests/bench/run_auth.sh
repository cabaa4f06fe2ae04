#!/usr/bin/env bash
# Auth benchmark (issue 5): what SMART authorization costs on the foundation benchmark's read and
# search. In one run on this machine, with 100,000 CarePlans stored, it alternates with wrk (TLS,
# keep-alive) between two duet processes on copies of the same store:
#   development  auth.mode "development": no token, no filtering;
#   smart        auth.mode "smart": every request carries a real access token that a registered
#                client (organization NPI 1620193841, scope system/CarePlan.rs) obtained at
#                POST /auth/token with a signed ES384 assertion; every answer is filtered to the
#                patients shared with that organization (all of the benchmark's patients are).
# for GET /fhir/CarePlan/{id} and GET /fhir/CarePlan?patient=...&status=active (a random patient
# per request), and prints requests/s, p50, p99, the server's CPU time per request and the
# smart/development ratios of both (the CPU ratio is the steadier one on a shared machine).
#
# Usage: tests/bench/run_auth.sh [seconds-per-run] [connections]   (defaults: 10 s, 32)
# Environment: DUET_BENCH_BUILD_DIR (default build), DUET_BENCH_SKIP_BUILD=1 (use the binaries
# there), DUET_BENCH_THREADS (default 4), DUET_BENCH_RATE_LIMIT (limits.requests_per_second and
# burst of both servers; default 1000000 so that rate limiting never throttles the benchmark).
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/bench/bench_lib.sh

seconds="${1:-10}"
connections="${2:-32}"
rate_limit="${DUET_BENCH_RATE_LIMIT:-1000000}"
out=tests/bench/out/auth
dev_port=18543
smart_port=18544
partner_npi=1620193841
client_id=bench-ehr

build_targets duet seed_store bench_token

rm -rf "$out"
mkdir -p "$out"
certs/make-dev-certs.sh "$out/certs" >/dev/null

echo "seeding $plans CarePlans for $patients patients, shared with NPI $partner_npi..." >&2
eval "$("$build_dir"/bin/seed_store --store "$out/development.db" --patients "$patients" \
  --plans "$plans" --partner-npi "$partner_npi")"
for file in "$out"/development.db*; do cp "$file" "${file/development.db/smart.db}"; done
"$build_dir"/bin/bench_token keys --dir "$out"

write_config() {  # name port auth-json
  cat >"$out/$1.json" <<JSON
{
  "listen": {"host": "127.0.0.1", "port": $2, "threads": $threads},
  "tls": {"certificate": "certs/server.pem", "private_key": "certs/server.key"},
  "store": {"path": "$1.db"},
  "practice": {"identifier_base": "https://sunrise-pt.example/sid"},
  "limits": {"requests_per_second": $rate_limit, "burst": $rate_limit},
  "auth": $3,
  "log": {"level": "warn"}
}
JSON
}
write_config development "$dev_port" '{"mode": "development"}'
write_config smart "$smart_port" '{"mode": "smart", "clients": [{"client_id": "'"$client_id"'",
    "organization_npi": "'"$partner_npi"'", "scopes": ["system/CarePlan.rs"],
    "jwks_file": "client.jwks.json"}]}'

for mode in development smart; do
  start_background "$out/$mode.log" "$build_dir"/bin/duet serve --config "$out/$mode.json"
done
dev_pid=${pids[0]}
smart_pid=${pids[1]}
wait_for "https://localhost:$dev_port/healthz"
wait_for "https://localhost:$smart_port/healthz"

# A fresh access token (they live five minutes): a new assertion traded at /auth/token.
token() {
  local token_url="https://localhost:$smart_port/auth/token" assertion answer
  assertion=$("$build_dir"/bin/bench_token assertion --key "$out/client.pem" \
    --client-id "$client_id" --aud "$token_url")
  answer=$(curl -sf --cacert "$out/certs/ca.pem" "$token_url" \
    -d grant_type=client_credentials -d scope=system/CarePlan.rs \
    --data-urlencode client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer \
    -d client_assertion="$assertion")
  sed -E 's/.*"access_token":"([^"]+)".*/\1/' <<<"$answer"
}

read_path="/fhir/CarePlan/$careplan_id"
search_path="/fhir/CarePlan?patient=Patient/bench-patient-1&status=active"
# The smart client must see what it reads and searches, or the benchmark measures 404s.
bearer="Authorization: Bearer $(token)"
dev_read=$(curl -sf --cacert "$out/certs/ca.pem" "https://localhost:$dev_port$read_path")
smart_read=$(curl -sf --cacert "$out/certs/ca.pem" -H "$bearer" "https://localhost:$smart_port$read_path")
if [ "$dev_read" != "$smart_read" ]; then
  echo "the smart client does not read the same CarePlan" >&2
  exit 1
fi
dev_total=$(curl -sf --cacert "$out/certs/ca.pem" "https://localhost:$dev_port$search_path" |
  sed -E 's/.*"total":([0-9]+).*/\1/')
smart_total=$(curl -sf --cacert "$out/certs/ca.pem" -H "$bearer" \
  "https://localhost:$smart_port$search_path" | sed -E 's/.*"total":([0-9]+).*/\1/')
if [ "$dev_total" != "$smart_total" ] || [ "$dev_total" = 0 ]; then
  echo "the smart client's search finds $smart_total, development $dev_total" >&2
  exit 1
fi

write_search_lua "$patients" "$out/search.lua"

# Runs wrk against one of the servers and prints "requests/s p50_ms p99_ms cpu_us_per_request":
# the server process's own CPU time (user + system, from /proc) over the requests it answered.
# On a machine shared with other work, requests/s moves with the load; the CPU a request costs
# the server moves much less, so the CPU ratio is the steadier figure.
run() {  # pid port path wrk-args...
  local pid="$1" port="$2" path="$3"; shift 3
  local before after figures
  before=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
  figures=$(measure "https://127.0.0.1:$port$path" "$@")
  after=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
  awk -v f="$figures" -v ticks="$((after - before))" -v hz="$(getconf CLK_TCK)" -v s="$seconds" \
    'BEGIN { split(f, x, " "); printf "%s %.0f\n", f, ticks * 1e6 / hz / (x[1] * s) }'
}
dev_run() { run "$dev_pid" "$dev_port" "$@"; }
smart_run() { run "$smart_pid" "$smart_port" "$1" -H "Authorization: Bearer $(token)" "${@:2}"; }

# Warm up both (read cache, patient decisions), then alternate development, smart, smart,
# development so that drift hits both alike.
for path in "$read_path" /fhir/CarePlan; do
  lua=(); [ "$path" = /fhir/CarePlan ] && lua=(-s "$out/search.lua")
  dev_run "$path" "${lua[@]}" >/dev/null
  smart_run "$path" "${lua[@]}" >/dev/null
done
dev_read1=$(dev_run "$read_path")
smart_read1=$(smart_run "$read_path")
smart_read2=$(smart_run "$read_path")
dev_read2=$(dev_run "$read_path")
dev_search1=$(dev_run /fhir/CarePlan -s "$out/search.lua")
smart_search1=$(smart_run /fhir/CarePlan -s "$out/search.lua")
smart_search2=$(smart_run /fhir/CarePlan -s "$out/search.lua")
dev_search2=$(dev_run /fhir/CarePlan -s "$out/search.lua")
# Side by side: both servers loaded at once by two wrk processes, so that whatever else the machine
# is doing slows both alike; each server's share of the CPU then sets its rate, and the ratio of
# the rates is the ratio of what a request costs. Two runs of each, summed.
side_by_side() {  # path wrk-args...
  local header="Authorization: Bearer $(token)"
  dev_run "$@" >"$out/side.development" &
  local dev_job=$!
  run "$smart_pid" "$smart_port" "$1" -H "$header" "${@:2}" >"$out/side.smart" &
  wait "$dev_job" "$!"
  echo "$(cat "$out/side.development") $(cat "$out/side.smart")"
}
side_read1=$(side_by_side "$read_path")
side_read2=$(side_by_side "$read_path")
side_search1=$(side_by_side /fhir/CarePlan -s "$out/search.lua")
side_search2=$(side_by_side /fhir/CarePlan -s "$out/search.lua")
dev_rss=$(ps -o rss= -p "$dev_pid" | tr -d ' ')
smart_rss=$(ps -o rss= -p "$smart_pid" | tr -d ' ')

field() { cut -d' ' -f"$1" <<<"$2"; }
mean() { avg "$(field "$1" "$2")" "$(field "$1" "$3")"; }
read_dev=$(mean 1 "$dev_read1" "$dev_read2")
read_smart=$(mean 1 "$smart_read1" "$smart_read2")
search_dev=$(mean 1 "$dev_search1" "$dev_search2")
search_smart=$(mean 1 "$smart_search1" "$smart_search2")
read_cpu_dev=$(mean 4 "$dev_read1" "$dev_read2")
read_cpu_smart=$(mean 4 "$smart_read1" "$smart_read2")
search_cpu_dev=$(mean 4 "$dev_search1" "$dev_search2")
search_cpu_smart=$(mean 4 "$smart_search1" "$smart_search2")

echo
echo "Auth benchmark: $plans CarePlans, $patients patients, wrk -t2 -c$connections -d${seconds}s, TLS keep-alive, $threads threads"
echo "machine: $(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg); $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
row() { printf '%-52s %10s %9s %9s %12s\n' "$@"; }
row "run" "req/s" "p50 ms" "p99 ms" "CPU us/req"
row "development GET /fhir/CarePlan/{id} (1)" $dev_read1
row "smart       GET /fhir/CarePlan/{id} (1)" $smart_read1
row "smart       GET /fhir/CarePlan/{id} (2)" $smart_read2
row "development GET /fhir/CarePlan/{id} (2)" $dev_read2
row "development CarePlan?patient=...&status=active (1)" $dev_search1
row "smart       CarePlan?patient=...&status=active (1)" $smart_search1
row "smart       CarePlan?patient=...&status=active (2)" $smart_search2
row "development CarePlan?patient=...&status=active (2)" $dev_search2
echo "authorized / unauthenticated reads:    $(percent "$read_smart" "$read_dev") of the requests/s (target >= 90%)," \
  "$(percent "$read_cpu_dev" "$read_cpu_smart") by server CPU per request"
echo "authorized / unauthenticated searches: $(percent "$search_smart" "$search_dev") of the requests/s," \
  "$(percent "$search_cpu_dev" "$search_cpu_smart") by server CPU per request"
echo
echo "side by side (both servers under load at once, $connections connections each)"
row "run" "dev req/s" "smart req/s" "dev CPU us" "smart CPU us"
side_row() { row "$1" "$(field 1 "$2")" "$(field 5 "$2")" "$(field 4 "$2")" "$(field 8 "$2")"; }
side_row "GET /fhir/CarePlan/{id} (1)" "$side_read1"
side_row "GET /fhir/CarePlan/{id} (2)" "$side_read2"
side_row "CarePlan?patient=...&status=active (1)" "$side_search1"
side_row "CarePlan?patient=...&status=active (2)" "$side_search2"
sum() { awk -v a="$(field "$1" "$2")" -v b="$(field "$1" "$3")" 'BEGIN { print a + b }'; }
echo "side by side, authorized / unauthenticated reads:    $(percent "$(sum 5 "$side_read1" "$side_read2")" \
  "$(sum 1 "$side_read1" "$side_read2")") of the requests/s (target >= 90%)," \
  "$(percent "$(sum 4 "$side_read1" "$side_read2")" "$(sum 8 "$side_read1" "$side_read2")") by server CPU per request"
echo "side by side, authorized / unauthenticated searches: $(percent "$(sum 5 "$side_search1" "$side_search2")" \
  "$(sum 1 "$side_search1" "$side_search2")") of the requests/s," \
  "$(percent "$(sum 4 "$side_search1" "$side_search2")" "$(sum 8 "$side_search1" "$side_search2")") by server CPU per request"
echo "RSS after the runs: development $((dev_rss / 1024)) MB, smart $((smart_rss / 1024)) MB"
