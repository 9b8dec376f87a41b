#!/bin/sh
# Benchmark of the PostgreSQL store against pg_trgm similarity() ranking alone
# (Weblate's memory, the amaGama family), see scripts/bench_postgres.py.
# Usage: scripts/bench-postgres.sh [units, default 1000000]
# Starts a throwaway PostgreSQL 15 cluster (scripts/pg-cluster.sh), or uses the
# database in the PG* variables when TM_BENCH_PG_EXISTING=1 (its tm_* tables
# are dropped!). Needs rapidfuzz (installed when missing). Work files go to
# TM_BENCH_WORK (default /tmp/tm-bench-postgres).
set -e
cd "$(dirname "$0")/.."
BUILD=${TM_BENCH_BUILD:-.build}
swift build -c release --product tm-postgres --scratch-path "$BUILD" >/dev/null
# The server only for the parts that run it (BENCH_PARTS=load or short need none).
case "${BENCH_PARTS:-all}" in
  load|short) ;;
  *) swift build -c release --product tm-server --scratch-path "$BUILD" >/dev/null ;;
esac
python3 -c "import rapidfuzz" 2>/dev/null || pip install -q rapidfuzz
TOOL=$(cd "$BUILD" && pwd)/release/tm-postgres
WORK=${TM_BENCH_WORK:-/tmp/tm-bench-postgres}
if [ "${TM_BENCH_PG_EXISTING:-}" = 1 ]; then
  exec python3 scripts/bench_postgres.py "$TOOL" "$WORK" "${1:-1000000}"
fi
exec scripts/pg-cluster.sh run python3 scripts/bench_postgres.py "$TOOL" "$WORK" "${1:-1000000}"
