# Shell functions shared by the benchmark scripts (the wrk ones: run_foundation.sh, run_auth.sh).
# They read $out (the output directory), $seconds and $connections.

# The foundation data set both benchmarks measure, and the server's worker threads.
plans=100000
patients=25000
threads="${DUET_BENCH_THREADS:-4}"

# Waits until an HTTPS URL answers (the dev CA in $out/certs), or exits.
wait_for() {
  for _ in $(seq 1 100); do
    if curl -sf --cacert "$out/certs/ca.pem" "$1" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "not answering: $1" >&2
  exit 1
}

# Runs wrk against a URL (extra arguments go to wrk) and prints "requests/s p50_ms p99_ms".
# Every wrk report is appended to $out/wrk.log; a run with non-2xx answers or socket errors is
# flagged on stderr (a benchmark of 401s or 429s would measure nothing).
measure() {
  local url="$1"; shift
  local report
  report=$(wrk -t2 -c"$connections" -d"${seconds}s" --latency "$@" "$url")
  echo "$report" >>"$out/wrk.log"
  if grep -qE 'Non-2xx|Socket errors' <<<"$report"; then
    echo "warning: $url: $(grep -E 'Non-2xx|Socket errors' <<<"$report" | tr -s ' ')" >&2
  fi
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 }
    $1 == "50.000%" || $1 == "50%" { p50 = ms($2) }
    $1 == "99.000%" || $1 == "99%" { p99 = ms($2) }
    END { printf "%.0f %.2f %.2f\n", rps, p50, p99 }' <<<"$report"
}

# Runs `measure` on two URLs at the same time (extra arguments go to both wrk processes) and
# prints "rps p50 p99 rps p50 p99", the first URL's figures first. Loaded at once, both servers
# share the machine and whatever else it is doing, so the ratio of their rates is the ratio of
# what a request costs each: much steadier than runs one after the other on a noisy machine.
measure_side_by_side() {  # url-1 url-2 wrk-args...
  local first="$1" second="$2"; shift 2
  measure "$first" "$@" >"$out/side.1" &
  local job=$!
  measure "$second" "$@" >"$out/side.2"
  wait "$job"
  echo "$(cat "$out/side.1") $(cat "$out/side.2")"
}

# The mean of two numbers, rounded.
avg() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (a + b) / 2 }'; }

# 100 * a / b with one decimal and a percent sign.
percent() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f%%", 100 * a / b }'; }

# Builds the given targets into $build_dir (DUET_BENCH_BUILD_DIR, default build/), unless
# DUET_BENCH_SKIP_BUILD=1 (then the binaries already there are used).
build_dir="${DUET_BENCH_BUILD_DIR:-build}"
build_targets() {
  if [ "${DUET_BENCH_SKIP_BUILD:-0}" = 1 ]; then return 0; fi
  scripts/setup
  if [ ! -f "$build_dir/CMakeCache.txt" ]; then
    cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  fi
  cmake --build "$build_dir" --target "$@" >/dev/null
}

# Background processes started with `start_background` are killed when the script exits.
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
start_background() {  # log-file command...
  local log="$1"; shift
  "$@" 2>"$log" &
  pids+=("$!")
}

# Writes a wrk Lua script that searches the active CarePlans of a random one of $1 patients.
write_search_lua() {  # patients file
  cat >"$2" <<LUA
math.randomseed(os.time())
request = function()
  local p = math.random(0, $1 - 1)
  return wrk.format("GET", "/fhir/CarePlan?patient=Patient/bench-patient-" .. p .. "&status=active")
end
LUA
}

# Builds one target in $build_dir (RelWithDebInfo) unless DUET_BENCH_SKIP_BUILD=1; used by the
# single-program benchmarks (run_prf_conversion.sh, run_convert_batch.sh).
build_bench_target() {
  if [ "${DUET_BENCH_SKIP_BUILD:-0}" = 1 ]; then return 0; fi
  scripts/setup
  if [ ! -f "$build_dir/CMakeCache.txt" ]; then
    cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  fi
  cmake --build "$build_dir" --target "$1" >/dev/null
}
