#!/usr/bin/env bash
# Speed, peak memory and strict F1 of `tm align --segmented` (release build)
# beside hunalign (when HUNALIGN=/path/to/hunalign is given) and NLTK's
# Gale-Church (pip install nltk; only up to 2,000 lines: it fills the whole
# n*m matrix in Python), side by side in one run, with ratios.
#
# Material (built by scripts/align_eval.py, fixed seeds):
# - en-ru gettext: the English msgids and Russian msgstrs of the catalogs in
#   /usr/share/locale/ru/LC_MESSAGES, one message per line; about 15% of the
#   lines are passages repeated from earlier in the document; about 12% of
#   the beads damaged (a message merged with the next on one side: 2-1/1-2,
#   or dropped on one side: 1-0/0-1). At 100k lines also the same document
#   cut in ten pieces aligned one by one (the long one must stay within 0.01).
# - 10k lines with a 1,000-line block inserted on one side; the same with
#   the target's two halves swapped.
# - the UDHR az-en units repeated, with one in ten merged or dropped.
# cpu = user + system seconds (the figure the 20 s target is about; wall
# time depends on what else runs on the machine).
#   scripts/bench-align.sh [SIZES]        (default: 1000,10000,100000)
#   HUNALIGN=/tmp/hunalign/src/hunalign/hunalign scripts/bench-align.sh
set -euo pipefail
root="$(git rev-parse --show-toplevel)"
shared="$root/../shared"
cd "$root"
if [ ! -f "$shared/corpora/udhr/az-en/gold.tsv" ]; then
  echo "bench-align: $shared/corpora/udhr not found; nothing to measure"
  exit 0
fi
if ! python3 -c "import nltk.translate.gale_church" 2>/dev/null; then
  pip install -q nltk >&2 || python3 -m pip install -q --break-system-packages nltk >&2 || true
fi
swift build -c release --product tm 2>&1 | tail -n 1
args=(--bench --tm .build/release/tm --shared "$shared" --sizes "${1:-1000,10000,100000}")
[ -n "${HUNALIGN:-}" ] && args+=(--hunalign "$HUNALIGN")
python3 scripts/align_eval.py "${args[@]}"
