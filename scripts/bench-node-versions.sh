#!/usr/bin/env bash
# Runs the benchmark (bench/) on each given Node.js major, fetched by scripts/fetch-node.sh, and
# writes bench/results/node<major>-run<n>.md (+ .json) for each run. Every contender process is
# forked from the orchestrator, so all of them run on that Node.
#
# Usage: scripts/bench-node-versions.sh [major ...] [-- main.js args]   (default majors: 20 24)
# Environment: BENCH_RUNS (default 2), and every BENCH_* / OAUTHKIT_* variable of bench/README.md,
# e.g. OAUTHKIT_BASELINE_DIST with --only ...,oauthkit-baseline,... for the before/after ratio.
set -euo pipefail
cd "$(dirname "$0")/.."

majors=()
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do majors+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ "${#majors[@]}" -eq 0 ] && majors=(20 24)
runs="${BENCH_RUNS:-2}"

for major in "${majors[@]}"; do
  bin=$(scripts/fetch-node.sh "$major")
  for run in $(seq 1 "$runs"); do
    echo "bench-node-versions: Node $("$bin/node" --version), run $run of $runs" >&2
    (cd bench && PATH="$bin:$PATH" "$bin/node" src/main.js --out "results/node$major-run$run.md" "$@" >/dev/null)
  done
done
