#!/usr/bin/env bash
# Makes development TLS material for Duet with the openssl command line:
#   ca.pem / ca.key          a development certificate authority (EC P-256, 5 years)
#   server.pem / server.key  the gateway's certificate for localhost, 127.0.0.1 and ::1 (RSA 2048)
#   client.pem / client.key  a client certificate for mutual TLS (EC P-256)
# into OUT_DIR (default: certs/out next to this script, which git ignores).
#
# Idempotent: keeps each file while it exists, verifies against the CA and does not expire within
# 30 days; otherwise makes it again (a new CA also renews both leaf certificates).
# Never use these files in production: see certs/README.md.
set -euo pipefail

script_dir="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$script_dir/out}"
renew_window_seconds=$((30 * 24 * 3600))

mkdir -p "$out"
out="$(cd "$out" && pwd)"  # absolute, so that it still names the folder after the cd below
cd "$out"
umask 077

# Serialize concurrent runs into the same directory (parallel builds or tests).
exec 9>"$out/.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi

log() { echo "make-dev-certs: $*" >&2; }

still_good() {  # still_good CERT KEY [CA]: exists, not expiring soon, key matches, chains to CA
  local cert="$1" key="$2" ca="${3:-}"
  [ -s "$cert" ] && [ -s "$key" ] || return 1
  openssl x509 -in "$cert" -noout -checkend "$renew_window_seconds" >/dev/null 2>&1 || return 1
  [ "$(openssl x509 -in "$cert" -noout -pubkey 2>/dev/null)" = \
    "$(openssl pkey -in "$key" -pubout 2>/dev/null)" ] || return 1
  if [ -n "$ca" ]; then openssl verify -CAfile "$ca" "$cert" >/dev/null 2>&1 || return 1; fi
}

random_serial() { echo "0x$(openssl rand -hex 16)"; }

make_ca() {
  log "making a development CA in $out"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca.key 2>/dev/null
  openssl req -x509 -new -key ca.key -sha256 -days 1825 -set_serial "$(random_serial)" \
    -subj "/O=Duet development/CN=Duet development CA" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" \
    -out ca.pem
}

sign_leaf() {  # sign_leaf NAME SUBJECT EXTENSIONS
  local name="$1" subject="$2" extensions="$3"
  local extfile
  extfile="$(mktemp)"
  printf '%s\n' "$extensions" >"$extfile"
  openssl req -new -key "$name.key" -subj "$subject" -out "$name.csr"
  openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -sha256 -days 397 \
    -set_serial "$(random_serial)" -extfile "$extfile" -out "$name.pem" 2>/dev/null
  rm -f "$name.csr" "$extfile"
}

make_server() {
  log "making the server certificate (localhost, 127.0.0.1, ::1) in $out"
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out server.key 2>/dev/null
  sign_leaf server "/O=Duet development/CN=localhost" \
    "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1
authorityKeyIdentifier=keyid"
}

make_client() {
  log "making the client certificate in $out"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out client.key 2>/dev/null
  sign_leaf client "/O=Duet development/CN=duet-dev-client" \
    "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
authorityKeyIdentifier=keyid"
}

renew_leaves=false
if ! still_good ca.pem ca.key; then
  make_ca
  renew_leaves=true
fi
if $renew_leaves || ! still_good server.pem server.key ca.pem; then make_server; fi
if $renew_leaves || ! still_good client.pem client.key ca.pem; then make_client; fi
chmod 600 ./*.key
chmod 644 ./*.pem
