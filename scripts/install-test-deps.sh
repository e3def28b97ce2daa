#!/usr/bin/env bash
# Installs what the test suite needs: redis-server, .tools/ferretdb and node_modules.
# Idempotent: each step is skipped when its result is already present and up to date.
set -euo pipefail

cd "$(dirname "$0")/.."

# Native addons (better-sqlite3, argon2) build against the local Node headers, never downloaded ones.
export npm_config_nodedir=/usr

# redis-server: Debian's package.
if command -v redis-server >/dev/null 2>&1; then
  echo "redis-server: present ($(redis-server --version | grep -o 'v=[0-9.]*'))"
else
  echo "redis-server: installing from apt"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq redis-server >/dev/null
  # Debian's package starts a system service on 6379; the tests start their own servers.
  if command -v systemctl >/dev/null 2>&1; then systemctl disable --now redis-server >/dev/null 2>&1 || true; fi
  echo "redis-server: installed ($(redis-server --version | grep -o 'v=[0-9.]*'))"
fi

# .tools/ferretdb: built from test/ferretdb (FerretDB v1 embedded; see shared/stack.md).
ferretdb=.tools/ferretdb
if [[ -x $ferretdb && ! test/ferretdb/main.go -nt $ferretdb && ! test/ferretdb/go.mod -nt $ferretdb \
  && ! test/ferretdb/go.sum -nt $ferretdb ]]; then
  echo "ferretdb: up to date ($ferretdb)"
else
  go=$(command -v go || echo /usr/local/go/bin/go)
  if [[ ! -x $go ]]; then
    echo "ferretdb: SKIPPED (no Go toolchain; the MongoDB-protocol suites will be skipped)"
    if [[ ${CI:-} == true ]]; then exit 1; fi # CI must not pass by skipping them
  else
    echo "ferretdb: building $ferretdb with $("$go" version | cut -d' ' -f3) (first build takes a few minutes)"
    mkdir -p .tools
    start=$SECONDS
    # go.sum is checked in: build with it as is (-mod=readonly) and use the local toolchain.
    (cd test/ferretdb && GOTOOLCHAIN=local "$go" build -mod=readonly -buildvcs=false -o ../../$ferretdb .)
    echo "ferretdb: built in $((SECONDS - start)) s"
  fi
fi

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
