#!/usr/bin/env bash
# tm-server under load (wrk on loopback) against the CLI, at 100k and 1M
# units, plus 100 concurrent writers x 100 units. See scripts/bench_serve.py.
#   [BASELINE_SERVER=old/tm-server] [BASELINE_TM=old/tm] scripts/bench-serve.sh [sizes, default 100000,1000000]
# With BASELINE_SERVER the same memories and queries go through both servers in
# one run (lookups/s, CPU ms/lookup, ratios, and the per-request cost of HTTP:
# /healthz and a lookup with no candidates); with BASELINE_TM the answers of
# both `tm lookup --batch` are compared.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { export DEBIAN_FRONTEND=noninteractive; apt-get install -y -qq wrk >/dev/null; }
swift build -c release --product tm-server >/dev/null
swift build -c release --product tm >/dev/null
exec python3 scripts/bench_serve.py --server .build/release/tm-server --tm .build/release/tm --sizes "${1:-100000,1000000}"
