#!/usr/bin/env bash
# The proofs of `tm serve --store postgres://…` (scripts/prove_postgres.py says
# what each shows): 4 servers x 16 clients = exactly 8,000 units; PostgreSQL
# restarted under a write load (acknowledged = stored, the rest a 5xx JSON
# error, servers recover by themselves); SIGKILL mid-import is all or nothing;
# export through the server byte for byte the CLI's TSV export.
#
# Usage: scripts/prove-postgres.sh
#   Builds tm and tm-server (TM_PROVE_CONFIG=release|debug, default debug),
#   starts a throwaway cluster (scripts/pg-cluster.sh), runs the proofs, stops
#   it. Work files go to a temporary folder, removed at exit. Exit 1 when a
#   proof fails.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${TM_PG_CLUSTER:-}" ]; then exec scripts/pg-cluster.sh run "$0" "$@"; fi
CONFIG=${TM_PROVE_CONFIG:-debug}
swift build -c "$CONFIG" --product tm >/dev/null
swift build -c "$CONFIG" --product tm-server >/dev/null
BIN=$(swift build -c "$CONFIG" --show-bin-path)
W=$(mktemp -d /tmp/tm-prove-postgres.XXXXXX)
trap 'rm -rf "$W"' EXIT
python3 scripts/prove_postgres.py "$BIN/tm" "$W"
