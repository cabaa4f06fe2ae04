#!/usr/bin/env bash
# Stops the partner FHIR server that start.sh started with this DATA_DIR: the nginx front, then the
# FHIR backend (which saves DATA_DIR/store.json on SIGTERM). Exits 0 when nothing was running.
# Usage: stop.sh DATA_DIR
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 DATA_DIR" >&2; exit 2; }
data="$1"
[ -d "$data" ] || exit 0

# stop_pid PIDFILE PATTERN: TERM the process if it is still the one we started, wait, then KILL.
stop_pid() {
  local pidfile="$1" pattern="$2" pid
  [ -s "$pidfile" ] || return 0
  pid="$(tr -dc 0-9 <"$pidfile")"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -qa -- "$pattern" "/proc/$pid/cmdline" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "duet-partner stop: PID $pid did not exit in 10 s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$pidfile"
}

stop_pid "$data/nginx/nginx.pid" "nginx"
stop_pid "$data/backend.pid" "server.mjs"
rm -f "$data/backend.port"
