#!/usr/bin/env bash
# PRF → FHIR conversion benchmark (issue 3): builds prf_conversion_bench and prints its figures.
# Usage: tests/bench/run_prf_conversion.sh [records] [rounds]
set -euo pipefail
cd "$(dirname "$0")/../.."
build_dir="${DUET_BENCH_BUILD_DIR:-build}"
# shellcheck source=tests/bench/bench_lib.sh
source tests/bench/bench_lib.sh
build_bench_target prf_conversion_bench
"$build_dir"/bin/prf_conversion_bench --records "${1:-10000}" --rounds "${2:-5}"
