#!/usr/bin/env bash
# Alignment quality on the UDHR pairs (../shared/corpora/udhr), ours beside
# NLTK's Gale-Church (nltk.translate.gale_church, installed from PyPI here).
#   scripts/eval-align.sh                 # all modes: seg, text, paras, hard, hardp, dict
#   scripts/eval-align.sh --modes seg     # options go to scripts/align_eval.py
# Modes: seg = --segmented (gold units one per line); text = the same files as
# running text (our segmenter re-splits them; scored with score_align.py's
# --text mapping); paras = running text with blank lines between paragraphs;
# hard = --segmented on variants where ~1 unit in 10 is merged with its
# neighbour or dropped, either side (seeds 1,2,3); hardp = those as running
# text with paragraphs; dict = hard variants of the second half aligned
# without and with a memory of the first half (the learned dictionary).
# Gale-Church always gets the gold units' lengths (it cannot segment).
set -euo pipefail
root="$(git rev-parse --show-toplevel)"
shared="$root/../shared"
cd "$root"
if [ ! -f "$shared/corpora/udhr/az-en/gold.tsv" ]; then
  echo "eval-align: $shared/corpora/udhr not found; nothing to evaluate"
  exit 0
fi
if ! python3 -c "import nltk.translate.gale_church" 2>/dev/null; then
  echo "== pip install nltk" >&2
  pip install -q nltk >&2 || python3 -m pip install -q --break-system-packages nltk >&2
fi
swift build -c release --product tm 2>&1 | tail -n 1 >&2
python3 scripts/align_eval.py --tm .build/release/tm --shared "$shared" --baseline "$@"
