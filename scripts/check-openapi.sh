#!/usr/bin/env bash
# schemathesis (PyPI) against the OpenAPI document the server serves
# (Sources/TMServer/Resources/openapi.yaml at /api/v1/openapi.yaml): generated
# and mutated requests must never get a 5xx, and every answer must match the
# document (status codes, content types, schemas).
#   scripts/check-openapi.sh [--server PATH] [--max-examples N]
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${SCHEMATHESIS_VENV:-/tmp/tm-st-venv}
if [ ! -x "$venv/bin/schemathesis" ]; then
  echo "== installing schemathesis into $venv"
  python3 -m venv "$venv" && "$venv/bin/pip" install -q schemathesis
fi
server=.build/debug/tm-server
examples=30
while [ $# -gt 0 ]; do
  case "$1" in
    --server) server="$2"; shift 2 ;;
    --max-examples) examples="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ -x "$server" ] || swift build --product tm-server >/dev/null
work=$(mktemp -d /tmp/tm-openapi.XXXXXX)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/Memories"
cp Memories/iso-codes.tsv "$work/Memories/"
token=openapi-check-token-0123456789
echo "$token" > "$work/token"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$server" --port "$port" --memories "$work/Memories" --token-file "$work/token" 2>"$work/server.log" &
pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
"$venv/bin/schemathesis" run "http://127.0.0.1:$port/api/v1/openapi.yaml" \
  --url "http://127.0.0.1:$port" \
  -H "Authorization: Bearer $token" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --phases examples,coverage,fuzzing --max-examples "$examples" --workers 2 \
  --suppress-health-check all
