#!/usr/bin/env bash
# `cmake --install` as an admin runs it, into a temporary DESTDIR: the layout, the systemd units
# (systemd-analyze verify, when available), and the installed program run from the installed
# layout with the source and build trees out of reach (hidden by a private mount namespace when
# the system allows one): validate, convert, and serve with the installed production example
# configuration adapted to a temporary directory until /healthz answers, then `duet backup`.
# Usage: install_test.sh SOURCE_DIR BUILD_DIR INSTALL_PREFIX CERTS_DIR
set -euo pipefail
source_dir="$(cd "$1" && pwd)"
build_dir="$(cd "$2" && pwd)"
prefix="$3"
certs="$(cd "$4" && pwd)"
work="$(mktemp -d /tmp/duet-install-test.XXXXXX)"
server=""
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then kill -KILL "$server"; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
checked=0
pass() { checked=$((checked + 1)); echo "ok: $*"; }

# --- install -----------------------------------------------------------------------------------
DESTDIR="$work/root" cmake --install "$build_dir" >"$work/install.log" || {
  cat "$work/install.log"; fail "cmake --install failed"; }
root="$work/root$prefix"
for file in bin/duet lib/systemd/system/duet.service lib/systemd/system/duet-backup.service \
            lib/systemd/system/duet-backup.timer lib/sysusers.d/duet.conf lib/tmpfiles.d/duet.conf \
            share/doc/duet/examples/duet.json share/doc/duet/admin-guide.md \
            share/doc/duet/configuration.md share/doc/duet/certificates.md; do
  [ -f "$root/$file" ] || fail "$prefix/$file was not installed"
done
[ -x "$root/bin/duet" ] || fail "$prefix/bin/duet is not executable"
outside="$(cd "$work/root" && find . -type f | grep -v "^.$prefix/" || true)"
[ -z "$outside" ] || fail "installed outside the prefix: $outside"
pass "layout under $prefix"

unit="$root/lib/systemd/system/duet.service"
grep -qx "ExecStart=$prefix/bin/duet serve --config /etc/duet/duet.json" "$unit" ||
  fail "ExecStart of duet.service: $(grep ExecStart "$unit")"
grep -qx "User=duet" "$unit" || fail "duet.service does not run as duet"
grep -qE "@[A-Z_]+@" "$unit" "$root/lib/systemd/system/duet-backup.service" &&
  fail "an unsubstituted @VARIABLE@ is left in a unit"
grep -q "^u duet " "$root/lib/sysusers.d/duet.conf" || fail "sysusers.d does not make duet"
grep -q "^d /var/lib/duet 0750 duet duet" "$root/lib/tmpfiles.d/duet.conf" ||
  fail "tmpfiles.d does not make /var/lib/duet"
pass "units run $prefix/bin/duet as duet"

# --- systemd-analyze verify --------------------------------------------------------------------
if command -v systemd-analyze >/dev/null; then
  # The units name the installed paths; verify copies whose paths point into DESTDIR, so that
  # nothing is installed system-wide for the check.
  mkdir -p "$work/units"
  for name in duet.service duet-backup.service duet-backup.timer; do
    sed "s#$prefix/bin/duet#$root/bin/duet#g" "$root/lib/systemd/system/$name" >"$work/units/$name"
  done
  if ! SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no \
      "$work/units/duet.service" "$work/units/duet-backup.service" \
      "$work/units/duet-backup.timer" >"$work/verify.log" 2>&1; then
    cat "$work/verify.log"; fail "systemd-analyze verify"
  fi
  # verify prints problems as warnings too; anything about our units is a failure.
  if grep -E "duet(-backup)?\.(service|timer)" "$work/verify.log"; then
    fail "systemd-analyze verify reported the lines above"
  fi
  pass "systemd-analyze verify"
else
  echo "skip: systemd-analyze is not installed; the units were not verified"
fi

# --- run from the installed layout -------------------------------------------------------------
duet="$root/bin/duet"
# Runs a command with the source and build trees hidden behind empty file systems, when the
# kernel lets us make a private mount namespace; otherwise as is, saying so once.
# ("${hidden[@]}" COMMAND: a plain command, so that COMMAND & gives the program's own pid.)
if unshare --user --map-root-user --mount true 2>/dev/null; then
  hidden=(unshare --user --map-root-user --mount bash -c
          'mount -t tmpfs none "$1" && mount -t tmpfs none "$2" && shift 2 && exec "$@"'
          _ "$build_dir" "$source_dir")
  "${hidden[@]}" test ! -e "$source_dir/CMakeLists.txt" || fail "the source tree is not hidden"
  pass "source and build trees hidden from the installed program"
else
  hidden=()
  echo "note: no private mount namespace here; the source tree stays visible to the program"
fi
cd "$work"

"$duet" version | grep -q "^duet " || fail "duet version"
echo '{"resourceType": "Patient", "id": "p1", "gender": "female"}' >"$work/patient.json"
echo '{"resourceType": "Patient", "id": "p1", "favouriteColour": "teal"}' >"$work/bad.json"
"${hidden[@]}" "$duet" validate "$work/patient.json" | grep -qx "OK Patient" || fail "duet validate"
set +e
validate_out="$("${hidden[@]}" "$duet" validate "$work/bad.json")"
validate_rc=$?
set -e
[ "$validate_rc" = 1 ] || fail "duet validate of a bad Patient exited $validate_rc: $validate_out"
echo "$validate_out" | grep -q "favouriteColour" || fail "duet validate: $validate_out"
cp "$source_dir/tests/fixtures/prf/patient.json" "$work/record.json"
cp "$source_dir/tests/fixtures/prf/batch.json" "$work/batch.json"
convert_out="$("${hidden[@]}" "$duet" convert to-fhir "$work/record.json" 2>&1)" ||
  fail "duet convert to-fhir: $convert_out"
echo "$convert_out" | grep -q '"resourceType": *"Bundle"' || fail "convert printed no Bundle"
pass "validate and convert from the installed layout"

# The installed example, as an admin adapts it: its /etc/duet and /var/lib/duet under $work.
mkdir -p "$work/etc/duet/tls" "$work/etc/duet/secrets" "$work/var/lib/duet"
cp "$certs/server.pem" "$work/etc/duet/tls/fullchain.pem"
cp "$certs/server.key" "$work/etc/duet/tls/privkey.pem"
head -c 48 /dev/urandom | base64 | tr -d '\n/+=' >"$work/etc/duet/secrets/practice.token"
chmod 600 "$work/etc/duet/tls/privkey.pem" "$work/etc/duet/secrets/practice.token"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 - "$root/share/doc/duet/examples/duet.json" "$work" "$port" >"$work/etc/duet/duet.json" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
work, port = sys.argv[2], int(sys.argv[3])
assert config["auth"]["mode"] == "smart", "the example must be production-style (smart mode)"
def relocate(value):
    if isinstance(value, dict):
        return {key: relocate(item) for key, item in value.items()}
    if isinstance(value, list):
        return [relocate(item) for item in value]
    if isinstance(value, str) and value.startswith(("/etc/duet/", "/var/lib/duet/")):
        return work + value
    return value
config = relocate(config)
config["listen"]["host"] = "127.0.0.1"
config["listen"]["port"] = port
config["listen"]["threads"] = 4
config["fhir"]["base_url"] = "https://127.0.0.1:%d/fhir" % port
json.dump(config, sys.stdout, indent=2)
PY

"${hidden[@]}" "$duet" serve --config "$work/etc/duet/duet.json" >"$work/serve.log" 2>&1 &
server=$!
base="https://127.0.0.1:$port"
healthz=""
for _ in $(seq 1 150); do
  healthz="$(curl -s --cacert "$certs/ca.pem" "$base/healthz" || true)"
  [ -n "$healthz" ] && break
  kill -0 "$server" 2>/dev/null || { cat "$work/serve.log"; fail "duet serve exited early"; }
  sleep 0.2
done
[ "$healthz" = '{"status":"ok"}' ] || { cat "$work/serve.log"; fail "/healthz answered '$healthz'"; }
pass "duet serve with the installed example answers /healthz"
curl -s --cacert "$certs/ca.pem" "$base/fhir/metadata" | grep -q '"CapabilityStatement"' ||
  fail "/fhir/metadata"
status=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$certs/ca.pem" "$base/fhir/Patient")
[ "$status" = 401 ] || fail "/fhir/Patient without a token answered $status, not 401 (smart mode)"
status=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$certs/ca.pem" \
  -H "Authorization: Bearer $(cat "$work/etc/duet/secrets/practice.token")" \
  -H 'Content-Type: application/json' --data @"$work/batch.json" "$base/practice/v1/records")
[ "$status" = 200 ] || fail "practice upload answered $status"
pass "smart mode: metadata open, FHIR needs a token, the EMR's token uploads"

mkdir -p "$work/backups"
backup_out="$("${hidden[@]}" "$duet" backup --config "$work/etc/duet/duet.json" \
  --to "$work/backups/duet.db" 2>&1)" || fail "duet backup while serving: $backup_out"
echo "$backup_out" | grep -q "integrity check ok" || fail "duet backup said: $backup_out"
pass "duet backup while serving"

kill -TERM "$server"
wait "$server" || { cat "$work/serve.log"; fail "duet serve did not stop cleanly on SIGTERM"; }
server=""
pass "SIGTERM stops it with exit 0"
echo "install test: $checked passed, 0 failed"
