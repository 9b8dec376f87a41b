#!/usr/bin/env bash
# Segmentation throughput on ~10 MB of Russian news-style text (release build).
#   scripts/bench-segment.sh [SIZE_MB]
# Prints the library's own rate (`tm segment --benchmark`: SentenceSegmenter's
# forEachSentence over the decoded text, no output) and the end-to-end rate of
# `tm segment FILE > /dev/null` (read, decode, segment, write), best of 3.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MB="${1:-10}"
swift build -c release --product tm >/dev/null
BIN="$(swift build -c release --show-bin-path)/tm"
CORPUS="${TMPDIR:-/tmp}/tm-bench-ru-${SIZE_MB}mb.txt"
# Paragraphs of the Russian gold set, shuffled with a fixed seed, up to SIZE_MB.
python3 - "$SIZE_MB" "$CORPUS" <<'PY'
import random, sys
size = int(sys.argv[1]) * 1_000_000
text = open("Tests/TMKitTests/Fixtures/segmentation/ru.gold.txt", encoding="utf-8").read()
paras = []
for p in text.split("\n\n"):
    lines = [l for l in p.split("\n") if l and not l.startswith("#")]
    if lines:
        paras.append(" ".join(lines))
rng = random.Random(42)
out, n = [], 0
while n < size:
    p = rng.choice(paras)
    out.append(p)
    n += len(p.encode()) + 2
open(sys.argv[2], "w", encoding="utf-8").write("\n\n".join(out) + "\n")
PY
BYTES=$(stat -c %s "$CORPUS")
echo "corpus: $CORPUS ($BYTES bytes)"
for i in 1 2 3; do "$BIN" segment --lang ru --benchmark "$CORPUS"; done
best=""
for i in 1 2 3; do
  s=$( { /usr/bin/time -f "%e %M" "$BIN" segment --lang ru "$CORPUS" >/dev/null; } 2>&1 | tail -1)
  echo "end-to-end run $i: ${s%% *} s, max RSS ${s##* } KB"
  t=${s%% *}
  if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
done
awk -v b="$BYTES" -v t="$best" 'BEGIN{ printf "end-to-end best: %.2f s = %.1f MB/s\n", t, b/1e6/t }'
