#!/usr/bin/env bash
# Smoke test of the partner FHIR server through its TLS front, with curl: starts it on PORT (default
# 18443) with the project's dev certificates (made into a temp dir), mutual TLS and a bearer token,
# checks what Duet's sync jobs rely on, stops it, and prints "N passed, N failed".
# Usage: smoke.sh [PORT]
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
port="${1:-18443}"
work="$(mktemp -d)"
trap '"$here/stop.sh" "$work/data" >/dev/null 2>&1; rm -rf "$work"' EXIT
"$here/../../certs/make-dev-certs.sh" "$work/certs" 2>/dev/null || { echo "make-dev-certs.sh failed" >&2; exit 1; }
C="$work/certs"
echo "smoke-token-$RANDOM$RANDOM" >"$work/token"
TOK="$(cat "$work/token")"
"$here/start.sh" "$port" "$work/data" --tls-cert "$C/server.pem" --tls-key "$C/server.key" \
  --client-ca "$C/ca.pem" --bearer-token-file "$work/token" >/dev/null || exit 1
B="https://127.0.0.1:$port/fhir"

passed=0; failed=0
check() {  # check NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then passed=$((passed + 1)); echo "ok   $1"
  else failed=$((failed + 1)); echo "FAIL $1: expected '$2', got '$3'"; fi
}
cc() { curl -s --cacert "$C/ca.pem" --cert "$C/client.pem" --key "$C/client.key" -H "Authorization: Bearer $TOK" "$@"; }
json() { python3 -c "import json,sys; b=json.load(sys.stdin); print($1)"; }

check "metadata answers" "200 4.0.1" "$(cc -o "$work/md" -w '%{http_code}' "$B/metadata") $(json 'b["fhirVersion"]' <"$work/md")"
check "no client certificate is refused" 403 "$(curl -s --cacert "$C/ca.pem" -H "Authorization: Bearer $TOK" -o /dev/null -w '%{http_code}' "$B/Patient")"
check "wrong bearer token gets 401" 401 "$(curl -s --cacert "$C/ca.pem" --cert "$C/client.pem" --key "$C/client.key" -H 'Authorization: Bearer wrong-token' -o /dev/null -w '%{http_code}' "$B/Patient")"

cat >"$work/tx.json" <<'EOF'
{"resourceType":"Bundle","type":"transaction","entry":[
 {"fullUrl":"urn:uuid:6f1c2a52-93f4-4a57-9f1e-0b7c1b8f0a11","resource":{"resourceType":"Patient","identifier":[{"system":"urn:duet:mrn","value":"P1"}]},
  "request":{"method":"POST","url":"Patient","ifNoneExist":"identifier=urn:duet:mrn|P1"}},
 {"resource":{"resourceType":"CarePlan","identifier":[{"system":"urn:duet:careplan","value":"CP1"}],"status":"active","intent":"plan","subject":{"reference":"urn:uuid:6f1c2a52-93f4-4a57-9f1e-0b7c1b8f0a11"}},
  "request":{"method":"PUT","url":"CarePlan?identifier=urn:duet:careplan|CP1"}}]}
EOF
statuses() { json '" ".join(e["response"]["status"] for e in b["entry"])'; }
check "transaction creates" "201 201" "$(cc -XPOST -H 'Content-Type: application/fhir+json' --data @"$work/tx.json" "$B" | statuses)"
check "same transaction again updates" "200 200" "$(cc -XPOST -H 'Content-Type: application/fhir+json' --data @"$work/tx.json" "$B" | statuses)"
check "nothing new was created" "1 1" "$(cc "$B/Patient" | json 'b["total"]') $(cc "$B/CarePlan" | json 'b["total"]')"

id="$(cc "$B/CarePlan?identifier=urn:duet:careplan|CP1" | json 'b["entry"][0]["resource"]["id"]')"
etag="$(cc -D - -o "$work/cp.json" "$B/CarePlan/$id" | awk -F': ' 'tolower($1)=="etag"{print $2}' | tr -d '\r')"
check "ETag is weak" 'W/"' "${etag:0:3}"
check "If-Match current version" 200 "$(cc -o /dev/null -w '%{http_code}' -XPUT -H 'Content-Type: application/fhir+json' -H "If-Match: $etag" --data @"$work/cp.json" "$B/CarePlan/$id")"
check "If-Match stale version gives 412" 412 "$(cc -o /dev/null -w '%{http_code}' -XPUT -H 'Content-Type: application/fhir+json' -H "If-Match: $etag" --data @"$work/cp.json" "$B/CarePlan/$id")"

t0="$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)"; sleep 0.01
for i in 1 2 3 4 5; do
  cc -o /dev/null -XPOST -H 'Content-Type: application/fhir+json' "$B/ServiceRequest" \
    --data "{\"resourceType\":\"ServiceRequest\",\"status\":\"active\",\"intent\":\"order\",\"identifier\":[{\"value\":\"sr$i\"}],\"subject\":{\"reference\":\"Patient/x\"}}"
done
url="$B/ServiceRequest?_lastUpdated=gt$t0&_sort=_lastUpdated&_count=2"; seen=""; pages=0
while [ -n "$url" ] && [ "$pages" -lt 10 ]; do
  page="$(cc -g "$url")"; pages=$((pages + 1))
  seen="$seen$(echo "$page" | json '"".join(e["resource"]["identifier"][0]["value"] for e in b.get("entry", []))')"
  url="$(echo "$page" | json 'next((l["url"] for l in b.get("link", []) if l["relation"] == "next"), "")')"
done
check "_lastUpdated=gt + _sort + _count=2 pages with next links" "3 sr1sr2sr3sr4sr5" "$pages $seen"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
