#!/usr/bin/env bash
# Speed and peak memory of `tm align` (release build) on 1k, 10k and 100k
# segments per side: one message per line (like a gettext catalogue), the
# UDHR az/en text repeated, with --segmented. A second run per size uses a
# "hard" variant (about one line in ten merged or dropped, fixed seed) so
# the band search has to follow a path off the diagonal.
#   scripts/bench-align.sh [SIZES...]      (default: 1000 10000 100000)
set -euo pipefail
root="$(git rev-parse --show-toplevel)"
shared="$root/../shared"
cd "$root"
udhr="$shared/corpora/udhr/az-en"
if [ ! -f "$udhr/gold.tsv" ]; then
  echo "bench-align: $udhr not found; nothing to measure"
  exit 0
fi
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000)
swift build -c release --product tm 2>&1 | tail -n 1
tm=.build/release/tm
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 - "$udhr" "$work" "${sizes[@]}" <<'PY'
import sys
sys.path.insert(0, "scripts")
import align_eval as ae
udhr, work, sizes = sys.argv[1], sys.argv[2], [int(x) for x in sys.argv[3:]]
s = ae.lines_of(udhr + "/src.az.txt"); t = ae.lines_of(udhr + "/tgt.en.txt")
gold = [l.rstrip("\n").split("\t") for l in open(udhr + "/gold.tsv")]
S = [" ".join(s[int(x)] for x in a.split(",") if x) for a, b in gold]
T = [" ".join(t[int(x)] for x in b.split(",") if x) for a, b in gold]
for n in sizes:
    src = [S[i % len(S)] for i in range(n)]; tgt = [T[i % len(T)] for i in range(n)]
    ae.write(f"{work}/{n}.az", "\n".join(src) + "\n"); ae.write(f"{work}/{n}.en", "\n".join(tgt) + "\n")
    hs, ht, hg = ae.make_hard(src, tgt, [((i,), (i,)) for i in range(n)], 7)
    ae.write(f"{work}/h{n}.az", "\n".join(hs) + "\n"); ae.write(f"{work}/h{n}.en", "\n".join(ht) + "\n")
    ae.write(f"{work}/h{n}.gold", ae.gold_text(hg))
PY
printf "%-8s %-6s %9s %12s %s\n" size input seconds "peak MB" "strict F1 (hard)"
for n in "${sizes[@]}"; do
  for kind in plain hard; do
    p=""; [ $kind = hard ] && p=h
    /usr/bin/time -v -o "$work/time" "$tm" align --segmented --dry-run --format jsonl --from az --to en \
      --memories "$work/none" "$work/$p$n.az" "$work/$p$n.en" >"$work/out.jsonl" 2>/dev/null
    secs=$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$work/time")
    kb=$(awk -F': ' '/Maximum resident set size/{print $2}' "$work/time")
    f1=""
    if [ $kind = hard ]; then
      python3 -c "
import json,sys
for l in open('$work/out.jsonl'):
    o=json.loads(l); print(','.join(map(str,o['source_ids']))+'\t'+','.join(map(str,o['target_ids'])))" >"$work/pred"
      f1=$(python3 "$shared/score_align.py" "$work/h$n.gold" "$work/pred" | awk '$1=="strict"{print $4}')
    fi
    printf "%-8s %-6s %9s %12d %s\n" "$n" "$kind" "$secs" $((kb / 1024)) "$f1"
  done
done
