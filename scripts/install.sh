#!/usr/bin/env bash
# Installs Eider's Node dependencies: what `npm start` needs. Idempotent and quick when already done.
set -euo pipefail

cd "$(dirname "$0")/.."

# Native addons (better-sqlite3) build against the local Node headers, never downloaded ones.
export npm_config_nodedir=/usr

# node_modules: installed when missing or older than package-lock.json.
# Not `npm ci`: the registry reachable here has no packages for other platforms, so the lock
# holds no entries for @swc/core's and rollup's darwin/win32/... optional packages and `npm ci`
# refuses it ("Missing: @swc/core-darwin-arm64@ from lock file"). `npm install` installs the
# locked versions all the same; a lock it had to change means package.json and the lock disagree.
if [[ -f node_modules/.package-lock.json && ! package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "node_modules: up to date"
else
  echo "node_modules: npm install from package-lock.json (native addons build from source: minutes)"
  start=$SECONDS
  before=$(sha256sum package-lock.json)
  npm install --no-audit --no-fund
  touch node_modules/.package-lock.json # newer than the lock even if npm rewrote it
  if [[ $(sha256sum package-lock.json) != "$before" ]]; then
    echo "node_modules: package-lock.json was out of date with package.json and npm changed it; commit it"
    if [[ ${CI:-} == true ]]; then exit 1; fi
  fi
  echo "node_modules: installed in $((SECONDS - start)) s"
fi
