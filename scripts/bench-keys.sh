#!/usr/bin/env bash
# The per-segment key/token code and the fuzzy rescoring, this `tm` against a
# baseline `tm`, side by side in one run (alternating, so both see the same
# load on a shared machine), with ratios.
#
#   BASELINE_TM=/path/to/old/tm scripts/bench-keys.sh [UNITS] [ROUNDS]
#   TM_BIN=/path/to/tm ...   (measure this binary instead of building)
#
# 1. Index build of a UNITS-unit memory from scripts/gen-memory.py (default
#    50000): user+sys CPU, wall and peak RSS (/usr/bin/time), median of ROUNDS
#    (default 3).
# 2. Fuzzy lookup: `tm lookup --batch --timing` of 300 held-out msgids on the
#    en-ru gettext memory of scripts/eval_fuzzy.py (the catalogs in
#    /usr/share/locale), index prebuilt; ms a query, median of ROUNDS. Skipped
#    when the catalogs are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-50000}"
ROUNDS="${2:-3}"
: "${BASELINE_TM:?set BASELINE_TM to the tm to compare against}"
if [ -n "${TM_BIN:-}" ]; then TM="$TM_BIN"; else
  swift build -c release --product tm >/dev/null
  TM="$(swift build -c release --show-bin-path)/tm"
fi
W="$(mktemp -d /tmp/tm-bench-keys.XXXXXX)"
trap 'rm -rf "$W"' EXIT
python3 scripts/gen-memory.py "$N" > "$W/mem.tsv"
echo "memory: $N units, $(stat -c %s "$W/mem.tsv") bytes; $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

mkdir -p "$W/base" "$W/new"
build_once() {  # $1 tm, $2 tag -> appends "cpu wall rss idx" to $W/$2.build
  cp -p "$W/mem.tsv" "$W/$2/mem.tsv"; rm -f "$W/$2/mem.tsv".idx*  # -p: the header holds the mtime
  /usr/bin/time -f "%U %S %e %M" "$1" lookup "Zəfəranlı" --from az --memory "$W/$2/mem.tsv" > /dev/null 2> "$W/t" || true
  tail -n 1 "$W/t" | awk -v idx="$(stat -c %s "$W/$2/mem.tsv.idx")" '{print $1 + $2, $3, int($4 / 1024), idx}' >> "$W/$2.build"
}
for _ in $(seq "$ROUNDS"); do build_once "$BASELINE_TM" base; build_once "$TM" new; done
if cmp -s "$W/base/mem.tsv.idx" "$W/new/mem.tsv.idx"; then idx_same=identical; else idx_same=DIFFERENT; fi
col() { awk -v c="$2" '{print $c}' "$W/$1.build" | median; }
bc_=$(col base 1); nc=$(col new 1); bw=$(col base 2); nw=$(col new 2)
printf '| index build, %s units | baseline | this | ratio |\n|---|---|---|---|\n' "$N"
printf '| CPU s (user+sys) | %s | %s | %.2f |\n' "$bc_" "$nc" "$(echo "$bc_ / $nc" | bc -l)"
printf '| wall s | %s | %s | %.2f |\n' "$bw" "$nw" "$(echo "$bw / $nw" | bc -l)"
printf '| peak RSS MiB | %s | %s | |\n' "$(col base 3)" "$(col new 3)"
printf '| index bytes | %s | %s | |\n' "$(col base 4)" "$(col new 4)"
echo "index files: $idx_same"

if ls /usr/share/locale/ru/LC_MESSAGES/*.mo > /dev/null 2>&1; then
  (cd scripts && python3 - "$W" <<'PY'
import sys, random
sys.argv = [sys.argv[0], "tm", *sys.argv[1:]]
w = sys.argv[2]
import eval_fuzzy as e
pairs = e.load("ru")
rng = random.Random(20261201); rng.shuffle(pairs)
hold = max(2000, len(pairs) // 12)
held, mem = pairs[:hold], pairs[hold:]
with open(f"{w}/en-ru.tsv", "w") as f:
    f.write("en\tru\torigin\tcreated\tscore\n")
    for en, tr in mem:
        f.write(f"{e.esc(en)}\t{e.esc(tr)}\tmo\t2026-12-01T00:00:00Z\t\n")
memset = set(m[0] for m in mem)
qs = [q for q, _ in held if q not in memset and len(q.split()) >= 3][:300]
open(f"{w}/q.txt", "w").write("\n".join(qs) + "\n")
print(f"fuzzy: en-ru memory of {len(mem)} units, {len(qs)} queries")
PY
  )
  for tag in base new; do cp "$W/en-ru.tsv" "$W/$tag/en-ru.tsv"; done
  "$BASELINE_TM" lookup x --from en --memory "$W/base/en-ru.tsv" > /dev/null 2>&1 || true
  "$TM" lookup x --from en --memory "$W/new/en-ru.tsv" > /dev/null 2>&1 || true
  look_once() {  # $1 tm, $2 tag
    /usr/bin/time -f "%U %S %e" "$1" lookup --memory "$W/$2/en-ru.tsv" --from en --to ru --format jsonl \
      --batch "$W/q.txt" --timing > "$W/$2.out" 2> "$W/t" || true
    tail -n 1 "$W/t" | awk -v q="$(wc -l < "$W/q.txt")" '{printf "%.3f %.3f\n", 1000 * ($1 + $2) / q, 1000 * $3 / q}' >> "$W/$2.look"
  }
  for _ in $(seq "$ROUNDS"); do look_once "$BASELINE_TM" base; look_once "$TM" new; done
  # The same answers (the memory path differs only in its folder).
  if cmp -s <(sed "s|$W/base/||g; s|\"memory\":\"[^\"]*\"||g" "$W/base.out") <(sed "s|$W/new/||g; s|\"memory\":\"[^\"]*\"||g" "$W/new.out"); then same=identical; else same=DIFFERENT; fi
  lb=$(awk '{print $1}' "$W/base.look" | median); ln=$(awk '{print $1}' "$W/new.look" | median)
  wb=$(awk '{print $2}' "$W/base.look" | median); wn=$(awk '{print $2}' "$W/new.look" | median)
  printf '| fuzzy lookup --batch (whole process) | baseline | this | ratio |\n|---|---|---|---|\n'
  printf '| CPU ms/query | %s | %s | %.2f |\n' "$lb" "$ln" "$(echo "$lb / $ln" | bc -l)"
  printf '| wall ms/query | %s | %s | %.2f |\n' "$wb" "$wn" "$(echo "$wb / $wn" | bc -l)"
  echo "results (jsonl): $same"
fi
