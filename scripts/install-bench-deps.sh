#!/usr/bin/env bash
# Installs what `npm run bench` compares Eider with: Debian's Dovecot LMTP, POP3 and IMAP servers (dovecot-lmtpd,
# dovecot-pop3d, dovecot-imapd). The bench starts its own Dovecot on loopback ports with a private config; the system
# service the package would start is kept from starting (policy-rc.d) and disabled in case it did.
# Idempotent: nothing is done when all are present.
set -euo pipefail

cd "$(dirname "$0")/.."

packages=(dovecot-lmtpd dovecot-pop3d dovecot-imapd)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then missing+=("$p"); fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "dovecot: present ($(dovecot --version))"
  exit 0
fi

echo "dovecot: installing ${missing[*]} from apt"
export DEBIAN_FRONTEND=noninteractive
# A policy-rc.d that answers 101 tells the package scripts not to start services; ours only for this install.
policy=/usr/sbin/policy-rc.d
own_policy=false
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod +x "$policy"
  own_policy=true
fi
cleanup() { if $own_policy; then rm -f "$policy"; fi; }
trap cleanup EXIT
# Other installs may hold the dpkg lock for a while (shared machines, parallel setup scripts): wait for it.
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
if command -v systemctl >/dev/null 2>&1; then systemctl disable --now dovecot >/dev/null 2>&1 || true; fi
# Without systemd a service may still have been started by the init script: stop it (the bench runs its own).
if [[ -x /etc/init.d/dovecot ]] && pidof dovecot >/dev/null 2>&1; then /etc/init.d/dovecot stop >/dev/null 2>&1 || true; fi
echo "dovecot: installed ($(dovecot --version))"
