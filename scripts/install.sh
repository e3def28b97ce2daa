#!/usr/bin/env bash
# Installs Eider's Node dependencies: what `npm start` needs. Idempotent and quick when already done.
set -euo pipefail

cd "$(dirname "$0")/.."

# Native addons (better-sqlite3) build against the local Node headers, never downloaded ones.
export npm_config_nodedir=/usr

# node_modules: installed unless the stamp (node_modules/.eider-installed) holds the hashes of package.json and
# package-lock.json as they are now. The stamp is written only after an install that left the committed lock
# as it was, so a refused install is refused again on the next run, never marked fresh.
# Not `npm ci`: the lock holds every platform's optional packages (@rollup/rollup-*, @swc/core-*), as a fresh
# `npm install` writes it; `npm install` installs the locked versions and must leave the lock unchanged.
stamp=node_modules/.eider-installed
wanted=$(sha256sum package.json package-lock.json)
if [[ -f $stamp && $(cat "$stamp") == "$wanted" ]]; then
  echo "node_modules: up to date"
  exit 0
fi

echo "node_modules: npm install from package-lock.json (about 2 minutes on a fresh machine: 860 packages, better-sqlite3 builds from source)"
start=$SECONDS
before=$(sha256sum package-lock.json)
log=$(mktemp)
# A line every 20 s, so the quiet minutes of the native build do not look like a hang.
(while sleep 20; do echo "node_modules: still installing ($((SECONDS - start)) s)"; done) &
ticker=$!
status=0
npm install --no-audit --no-fund >"$log" 2>&1 || status=$?
kill "$ticker" 2>/dev/null || true
wait "$ticker" 2>/dev/null || true
# npm's EBADENGINE warnings all come from @graphql-codegen/cli's tree (listr2, sync-fetch, @whatwg-node/*),
# which declares Node 22 but runs on 20: codegen is a development tool and its tests pass here. One line, not 65.
engine=$(grep -A1 'EBADENGINE Unsupported engine' "$log" | grep -o "package: '[^']*'" | sort -u | wc -l || true)
grep -v 'EBADENGINE' "$log" || true
if [[ $engine -gt 0 ]]; then
  echo "node_modules: $engine packages of the codegen tool's tree declare Node >= 22; harmless on Node 20 (development tool only)"
fi
rm -f "$log"
if [[ $status -ne 0 ]]; then
  echo "node_modules: npm install failed (exit $status)"
  exit "$status"
fi
if [[ $(sha256sum package-lock.json) != "$before" ]]; then
  echo "node_modules: npm changed package-lock.json (it disagreed with package.json, or the registry answers differently); commit the new lock"
  if [[ ${CI:-} == true ]]; then exit 1; fi
fi
echo "$wanted" >"$stamp"
echo "node_modules: installed in $((SECONDS - start)) s"
