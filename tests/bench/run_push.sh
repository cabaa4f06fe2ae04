#!/usr/bin/env bash
# Push benchmark (issue 4): pushing plans of care to a partner through the gateway, as a ratio to
# the partner's own ingestion rate for the same Bundles posted directly. In one run, on loopback:
#   gateway: a fresh copy of the seeded gateway store; `duet sync run push-evim` pushes every
#            shared plan to a fresh partner Duet over mutual TLS (timed until its outbox is empty);
#            the partner must then hold exactly that many CarePlans;
#   direct:  the same Bundles (capture_push_bundles, built by the job's own code) posted serially
#            over one kept-alive libcurl connection (post_bundles) to another fresh partner Duet.
# Rounds alternate which goes first; prints every figure and the median ratio (target >= 0.8).
# Usage: tests/bench/run_push.sh [plans] [rounds]   # defaults: 10,000 plans, 3 rounds
set -euo pipefail
cd "$(dirname "$0")/../.."

plans="${1:-10000}"
rounds="${2:-3}"
threads="${DUET_BENCH_THREADS:-4}"
out=tests/bench/out/push
partner_port=18444
partner_npi=1620193841
identifier_base=https://sunrise-pt.example/sid
limit="timeout 3600"  # no step may hang the script

# DUET_BENCH_BUILD_DIR picks the build tree (default build/); DUET_BENCH_SKIP_BUILD=1 uses the
# binaries already there.
build_dir="${DUET_BENCH_BUILD_DIR:-build}"
if [ "${DUET_BENCH_SKIP_BUILD:-0}" != 1 ]; then
  scripts/setup
  if [ ! -f "$build_dir/CMakeCache.txt" ]; then
    cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  fi
  cmake --build "$build_dir" --target duet seed_push_store capture_push_bundles post_bundles \
    >/dev/null
fi
bin="$build_dir/bin"
# DUET_BENCH_GATEWAY_BIN runs the gateway side with another duet binary (e.g. an older build, for
# a before/after comparison); the partners always run $bin/duet.
gateway_bin="${DUET_BENCH_GATEWAY_BIN:-$bin/duet}"

rm -rf "$out"
mkdir -p "$out"
certs/make-dev-certs.sh "$out/certs" >/dev/null
certs="$(cd "$out/certs" && pwd)"

echo "seeding $plans plans of care..." >&2
$limit "$bin"/seed_push_store --store "$out/seed.db" --plans "$plans"
echo "capturing the Bundles..." >&2
captured=$($limit "$bin"/capture_push_bundles --store "$out/seed.db" --partner-npi "$partner_npi" \
  --identifier-base "$identifier_base" --out "$out/bundles.ndjson")
[ "$captured" = "plans=$plans" ] || { echo "captured $captured, expected $plans" >&2; exit 1; }
bundle_kb=$(($(wc -c <"$out/bundles.ndjson") / plans / 1024))

partner_pid=""
cleanup() { if [ -n "$partner_pid" ]; then kill "$partner_pid" 2>/dev/null || true; wait "$partner_pid" 2>/dev/null || true; fi; }
trap cleanup EXIT

# start_partner NAME: a fresh partner Duet (mutual TLS) on its own new store.
start_partner() {
  cat >"$out/$1.json" <<JSON
{
  "listen": {"host": "127.0.0.1", "port": $partner_port, "threads": $threads},
  "tls": {"certificate": "certs/server.pem", "private_key": "certs/server.key",
          "client_ca": "certs/ca.pem"},
  "store": {"path": "$1.db"},
  "practice": {"identifier_base": "https://evim.example/sid"},
  "log": {"level": "warn"},
  "auth": {"mode": "development"}
}
JSON
  "$bin"/duet serve --config "$out/$1.json" 2>"$out/$1.log" &
  partner_pid=$!
  for _ in $(seq 1 100); do
    if curl -sf --cacert "$certs/ca.pem" --cert "$certs/client.pem" --key "$certs/client.key" \
      "https://localhost:$partner_port/healthz" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "partner $1 does not answer" >&2
  exit 1
}
# stop_partner NAME: stops it and drops its store.
stop_partner() {
  kill "$partner_pid"
  wait "$partner_pid" 2>/dev/null || true
  partner_pid=""
  rm -f "$out/$1.db"*
}
# The partner's CarePlan count: the run must have delivered every plan.
check_partner_holds_all() {
  local total
  total=$(curl -sf --cacert "$certs/ca.pem" --cert "$certs/client.pem" --key "$certs/client.key" \
    "https://localhost:$partner_port/fhir/CarePlan?_summary=count" |
    sed -E 's/.*"total":([0-9]+).*/\1/')
  if [ "$total" != "$plans" ]; then
    echo "$1: the partner holds $total CarePlans, expected $plans" >&2
    exit 1
  fi
}
now() { date +%s.%N; }

# gateway_run ROUND: prints the seconds `duet sync run` took to push everything.
gateway_run() {
  local name="gateway-$1"
  cp "$out/seed.db" "$out/$name.db"
  if [ -f "$out/seed.db-wal" ]; then cp "$out/seed.db-wal" "$out/$name.db-wal"; fi
  start_partner "partner-$name"
  cat >"$out/$name.json" <<JSON
{
  "listen": {"host": "127.0.0.1", "port": 18443},
  "tls": {"certificate": "certs/server.pem", "private_key": "certs/server.key"},
  "store": {"path": "$name.db"},
  "practice": {"identifier_base": "$identifier_base"},
  "log": {"level": "warn"},
  "auth": {"mode": "development"},
  "endpoints": [{"name": "evim", "base_url": "https://localhost:$partner_port/fhir",
                 "organization_npi": "$partner_npi",
                 "tls": {"ca_file": "certs/ca.pem", "client_certificate": "certs/client.pem",
                         "client_key": "certs/client.key"},
                 "auth": {"method": "none"}}],
  "jobs": [{"name": "push-evim", "kind": "push_care_plans", "endpoint": "evim", "every": "1d"}]
}
JSON
  local seconds=0 started line waiting
  for _ in $(seq 1 100); do  # one run sends what is due; repeat until nothing waits
    started=$(now)
    line=$($limit "$gateway_bin" sync run push-evim --config "$out/$name.json")
    seconds=$(awk -v s="$seconds" -v a="$started" -v b="$(now)" 'BEGIN { printf "%.3f", s + b - a }')
    echo "$line" >>"$out/$name.runs"
    case "$line" in *", 0 failed,"*) ;; *) echo "$name: $line" >&2; exit 1 ;; esac
    waiting=$("$gateway_bin" sync status --config "$out/$name.json" | sed -nE 's/ *waiting: ([0-9]+)/\1/p')
    [ "$waiting" = 0 ] && break
  done
  check_partner_holds_all "$name"
  stop_partner "partner-$name"
  rm -f "$out/$name.db"*
  echo "$seconds"
}

# direct_run ROUND: prints the seconds the partner took to take in the captured Bundles.
direct_run() {
  local name="direct-$1" line
  start_partner "partner-$name"
  line=$($limit "$bin"/post_bundles --bundles "$out/bundles.ndjson" \
    --base "https://localhost:$partner_port/fhir" --ca "$certs/ca.pem" \
    --cert "$certs/client.pem" --key "$certs/client.key")
  check_partner_holds_all "$name"
  stop_partner "partner-$name"
  sed -nE 's/.*seconds=([0-9.]+).*/\1/p' <<<"$line"
}

rate() { awk -v n="$plans" -v s="$1" 'BEGIN { printf "%.1f", n / s }'; }
results=()
for round in $(seq 1 "$rounds"); do
  echo "round $round of $rounds..." >&2
  if [ $((round % 2)) = 1 ]; then
    gateway=$(gateway_run "$round"); direct=$(direct_run "$round")
  else
    direct=$(direct_run "$round"); gateway=$(gateway_run "$round")
  fi
  ratio=$(awk -v g="$gateway" -v d="$direct" 'BEGIN { printf "%.3f", d / g }')
  results+=("$round $(rate "$gateway") $(rate "$direct") $ratio $gateway $direct")
done

echo
echo "Push benchmark: $plans plans of care (~$bundle_kb KB Bundle each), partner Duet over mutual TLS, serial, keep-alive"
echo "machine: $(nproc) cores, $(uname -r); partner listen.threads $threads"
printf '%-6s %16s %16s %8s %12s %12s\n' round "gateway plans/s" "direct plans/s" ratio "gateway s" "direct s"
for result in "${results[@]}"; do printf '%-6s %16s %16s %8s %12s %12s\n' $result; done
median=$(printf '%s\n' "${results[@]}" | awk '{ print $4 }' | sort -n |
  awk '{ r[NR] = $1 } END { print (NR % 2) ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2 }')
echo "median ratio gateway / direct: $median (target >= 0.8)"
