#!/usr/bin/env bash
# Installs what the test suite needs: redis-server, strace, swaks, fetchmail, curl, isync (mbsync), neomutt, rspamd, .tools/ferretdb and node_modules (scripts/install.sh).
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

# Debian packages a test drives as a real client or tool. Each is installed only when its command is missing,
# and all missing ones go in one apt run, so a machine that has them all spends no time here.
#   strace: the durability test reads the system calls of a write to check its fsyncs;
#   swaks: the LMTP tests' SMTP/LMTP client; fetchmail: drains a mailbox over POP3; curl: pop3:// and imap://
#   URLs; mbsync (Debian's isync): syncs an IMAP mailbox with a Maildir both ways; neomutt: reads over IMAP;
#   rspamd: the MX's spam scoring (test/harness/rspamd.ts starts its own, in the foreground).
declare -A apt_tools=([strace]=strace [swaks]=swaks [fetchmail]=fetchmail [curl]=curl [mbsync]=isync [neomutt]=neomutt [rspamd]=rspamd)
tools=(strace swaks fetchmail curl mbsync neomutt rspamd)
missing=()
for tool in "${tools[@]}"; do
  if command -v "$tool" >/dev/null 2>&1; then
    echo "$tool: present"
  else
    missing+=("${apt_tools[$tool]}")
  fi
done
if ((${#missing[@]})); then
  echo "${missing[*]}: installing from apt"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  for tool in "${tools[@]}"; do
    command -v "$tool" >/dev/null 2>&1 || { echo "$tool: still missing after apt-get install" >&2; exit 1; }
  done
  # Debian's rspamd starts a system service on 11333; the tests start their own.
  if command -v systemctl >/dev/null 2>&1; then systemctl disable --now rspamd >/dev/null 2>&1 || true; fi
  echo "${missing[*]}: installed"
fi

# swaks speaks TLS (the submission tests' STARTTLS) only with Perl's TLS modules, which it merely recommends.
if perl -MNet::SSLeay -MIO::Socket::SSL -e1 >/dev/null 2>&1; then
  echo "perl TLS modules (swaks --tls): present"
else
  echo "perl TLS modules (swaks --tls): installing from apt"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends libnet-ssleay-perl libio-socket-ssl-perl >/dev/null
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

# node_modules: the same step as the start command's.
bash scripts/install.sh
