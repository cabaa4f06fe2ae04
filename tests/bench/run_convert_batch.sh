#!/usr/bin/env bash
# `duet convert to-fhir` on one large batch (issue 3): makes a batch of N plans of care from
# tests/fixtures/prf/plan_of_care.json (distinct ids), converts it, and prints the command's wall
# time, CPU time and peak memory with the sizes of its input and output.
# Usage: tests/bench/run_convert_batch.sh [records]   (default 10,000)
set -euo pipefail
cd "$(dirname "$0")/../.."
build_dir="${DUET_BENCH_BUILD_DIR:-build}"
# shellcheck source=tests/bench/bench_lib.sh
source tests/bench/bench_lib.sh
build_bench_target duet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "${1:-10000}" "$build_dir/bin/duet" "$work" <<'PY'
import json, os, resource, subprocess, sys, time
count, duet, work = int(sys.argv[1]), sys.argv[2], sys.argv[3]
fixture = open("tests/fixtures/prf/plan_of_care.json").read()
records = [json.loads(fixture.replace("POC-8812-1", "POC-%d" % (100000 + i))) for i in range(count)]
batch, bundle = os.path.join(work, "batch.json"), os.path.join(work, "bundle.json")
json.dump({"record": "batch", "records": records}, open(batch, "w"))
start = time.perf_counter()
with open(bundle, "w") as out:
    subprocess.run([duet, "convert", "to-fhir", batch], stdout=out, check=True)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"duet convert to-fhir, a batch of {count} plans of care: "
      f"{os.path.getsize(batch) / 1e6:.1f} MB in, {os.path.getsize(bundle) / 1e6:.1f} MB out")
print(f"wall {wall:.2f} s, user {usage.ru_utime:.2f} s, sys {usage.ru_stime:.2f} s, "
      f"peak memory {usage.ru_maxrss / 1024:.0f} MB")
PY
