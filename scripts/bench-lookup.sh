#!/bin/sh
# Benchmark of `tm lookup` vs rapidfuzz (see scripts/bench_lookup.py).
# Usage: scripts/bench-lookup.sh [sizes, default 10000,100000,1000000]
# Needs: pip install rapidfuzz. Work files go to /tmp/tm-bench-lookup.
set -e
cd "$(dirname "$0")/.."
swift build -c release --product tm >/dev/null
python3 -c "import rapidfuzz" 2>/dev/null || pip install rapidfuzz
exec python3 scripts/bench_lookup.py .build/release/tm /tmp/tm-bench-lookup "${1:-10000,100000,1000000}"
