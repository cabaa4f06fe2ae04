#!/usr/bin/env bash
# PRF → FHIR conversion benchmark (issue 3): builds prf_conversion_bench and prints its figures.
# Usage: tests/bench/run_prf_conversion.sh [records] [rounds]
set -euo pipefail
cd "$(dirname "$0")/../.."
build_dir="${DUET_BENCH_BUILD_DIR:-build}"
if [ "${DUET_BENCH_SKIP_BUILD:-0}" != 1 ]; then
  scripts/setup
  if [ ! -f "$build_dir/CMakeCache.txt" ]; then
    cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  fi
  cmake --build "$build_dir" --target prf_conversion_bench >/dev/null
fi
"$build_dir"/bin/prf_conversion_bench --records "${1:-10000}" --rounds "${2:-5}"
