#!/usr/bin/env bash
# Fault tests of the PostgreSQL store, on a throwaway cluster:
#  1. PostgreSQL restarted in the middle of a write load: every acknowledged
#     append is in the database, every failed one got an error, and the writer
#     carried on without a restart (its connections were reopened).
#  2. SIGKILL of a first load at three moments (its COPY, its index builds, near
#     its end): the database holds nothing of it, and the next load (which
#     waits for the killed one's connection to end) loads everything.
#  3. SIGKILL of a writer in the middle of a 2,000-unit append: all or nothing.
# Usage: scripts/pg-faults.sh   (builds tm-postgres; TM_BENCH_BUILD as in bench-postgres.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${TM_PG_CLUSTER:-}" ]; then exec scripts/pg-cluster.sh run "$0" "$@"; fi
if [ -n "${TM_PG_TOOL:-}" ]; then TOOL=$TM_PG_TOOL; else
  BUILD=${TM_BENCH_BUILD:-.build}
  swift build -c release --product tm-postgres --scratch-path "$BUILD" >/dev/null
  TOOL=$(cd "$BUILD" && pwd)/release/tm-postgres
fi
W=$(mktemp -d /tmp/tm-pg-faults.XXXXXX)
trap 'rm -rf "$W"' EXIT
python3 scripts/gen-memory.py 20000 > "$W/units.tsv"
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u "$TM_PG_OWNER" -- "$@"; else "$@"; fi; }
PGCTL=/usr/lib/postgresql/15/bin/pg_ctl
q() { psql -X -At -c "$1"; }
fail=0

echo "== 1. restart PostgreSQL during appends (batches of 20 units, one transaction each)"
"$TOOL" migrate >/dev/null
("$TOOL" append "$W/units.tsv" --batch 20 > "$W/log" 2>"$W/err" || true) &
writer=$!
sleep 3
as_owner "$PGCTL" -D "$TM_PG_CLUSTER/data" -m fast -w restart >/dev/null
wait $writer
acked=$(awk '$1=="ok" {n += $3-$2} END {print n+0}' "$W/log")
errors=$(grep -c '^error' "$W/log" || true)
stored=$(q "SELECT count(*) FROM tm_units")
after=$(awk '$1=="ok" {last=$3} END {print last+0}' "$W/log")
echo "acknowledged $acked units, $errors batches got an error, $stored units stored; last acknowledged batch ends at $after of 20000"
grep '^error' "$W/log" | head -n 2 | cut -c1-200
# Every acknowledged unit is there: re-appending the acknowledged batches adds nothing.
awk '$1=="ok"' "$W/log" > "$W/acked"
python3 - "$W/units.tsv" "$W/acked" "$W/acked.tsv" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
head, rows = lines[0], lines[1:]
out = [head]
for l in open(sys.argv[2]):
    _, a, b = l.split()
    out += rows[int(a):int(b)]
open(sys.argv[3], "w", encoding="utf-8").write("\n".join(out) + "\n")
PY
before=$(q "SELECT count(*) FROM tm_units")
"$TOOL" append "$W/acked.tsv" --batch 1000 >/dev/null
again=$(q "SELECT count(*) FROM tm_units")
[ "$before" = "$again" ] && echo "ok: every acknowledged unit is stored (re-adding them added 0)" || { echo "FAIL: $((again - before)) acknowledged units were missing"; fail=1; }
[ "$errors" -ge 1 ] && echo "ok: the writes during the restart got errors" || echo "note: the restart fell between two batches (no error seen)"
[ "$after" = 20000 ] && echo "ok: the writer carried on after the restart and finished" || { echo "FAIL: the writer stopped at $after"; fail=1; }
[ "$stored" -le $((acked + 20 * errors)) ] && echo "ok: nothing beyond the acknowledged units and the failed batches' (at most) was stored" || { echo "FAIL: more units stored than acknowledged"; fail=1; }

echo "== 2. SIGKILL a first load at three moments (COPY, index builds, near the end), then load"
q "DROP TABLE IF EXISTS tm_entries, tm_tokens, tm_units, tm_words, tm_meta, tm_schema_version CASCADE" >/dev/null
python3 scripts/gen-memory.py 200000 > "$W/big.tsv"
"$TOOL" migrate >/dev/null
# How long a whole load takes here, to kill at fractions of it.
start=$(date +%s.%N)
"$TOOL" load "$W/big.tsv" > /dev/null 2>"$W/err" || { cat "$W/err"; echo "FAIL: the first load failed"; exit 1; }
whole=$(echo "$(date +%s.%N) - $start" | bc)
expected=$(q "SELECT count(*) FROM tm_units")
q "DROP TABLE IF EXISTS tm_entries, tm_tokens, tm_units, tm_words, tm_meta, tm_schema_version CASCADE" >/dev/null
"$TOOL" migrate >/dev/null
for frac in 0.2 0.55 0.85; do
  "$TOOL" load "$W/big.tsv" 2>/dev/null &
  loader=$!
  sleep "$(echo "$whole * $frac" | bc)"
  if ! kill -9 $loader 2>/dev/null; then
    # The machine ran faster this time: the load ended first (and is whole).
    wait $loader 2>/dev/null || true
    n=$(q "SELECT count(*) FROM tm_units")
    [ "$n" = "$expected" ] && echo "ok: the load ended before the kill at $frac, with all $n units" || { echo "FAIL: $n of $expected units"; fail=1; }
    q "DROP TABLE IF EXISTS tm_entries, tm_tokens, tm_units, tm_words, tm_meta, tm_schema_version CASCADE" >/dev/null
    "$TOOL" migrate >/dev/null 2>&1
    continue
  fi
  wait $loader 2>/dev/null || true
  sleep 1
  n=$(q "SELECT count(*) FROM tm_units")
  [ "$n" = 0 ] && echo "ok: load killed at $frac of ${whole%.*} s left 0 units" || { echo "FAIL: $n units after a load killed at $frac"; fail=1; }
done
# The killed loads' staging tables are dropped by the next load, which loads everything.
"$TOOL" load "$W/big.tsv" > /dev/null 2>"$W/err" || { cat "$W/err"; echo "FAIL: the load after the killed ones failed"; fail=1; }
n=$(q "SELECT count(*) FROM tm_units")
left=$(q "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'tm\\_%\\_load'")
[ "$n" = "$expected" ] && [ "$left" = 0 ] && echo "ok: the next load stored all $n units and left no staging table" \
  || { echo "FAIL: next load stored $n of $expected units, $left staging tables left"; fail=1; }

echo "== 3. SIGKILL a writer in the middle of one 2,000-unit append"
for i in 1 2 3; do
  { head -n 1 "$W/units.tsv"; tail -n +2 "$W/units.tsv" | sed -n "$((i * 2000 + 1)),$((i * 2000 + 2000))p"; } > "$W/two.tsv"
  before=$(q "SELECT count(*) FROM tm_units")
  "$TOOL" append "$W/two.tsv" --batch 2000 >/dev/null 2>&1 &
  w=$!
  sleep 0.$((3 + i * 2))
  kill -9 $w 2>/dev/null || true; wait $w 2>/dev/null || true
  sleep 0.5
  n=$(q "SELECT count(*) FROM tm_units")
  d=$((n - before))
  { [ "$d" = 0 ] || [ "$d" = 2000 ]; } && echo "ok: after the kill the append is all or nothing ($d units added)" || { echo "FAIL: $d units of a 2000-unit append"; fail=1; }
done
exit $fail
