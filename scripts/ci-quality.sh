#!/usr/bin/env bash
# Quality gate (called by .ci/run): aligns the UDHR pairs and fails when a
# score falls below the figure recorded in scripts/align-baseline.tsv (the
# way hunalign's regtest does). Without ../shared beside the repository it
# fails under CI (CI=true: CI always has the corpus, so a missing one is a
# broken checkout, not a pass) and skips with a message on a user's clone.
# Re-record after a deliberate improvement:  scripts/ci-quality.sh --record
set -euo pipefail
root="$(git rev-parse --show-toplevel)"
shared="$root/../shared"
cd "$root"
if [ ! -f "$shared/corpora/udhr/az-en/gold.tsv" ] || [ ! -f "$shared/score_align.py" ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "ci-quality: $shared (UDHR corpus and scorer) not found; CI needs ../shared beside the clone" >&2
    exit 1
  fi
  echo "ci-quality: $shared (UDHR corpus and scorer) not found; alignment quality gate skipped"
  exit 0
fi
swift build --product tm 2>&1 | tail -n 1
bin="$(swift build --show-bin-path)"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
python3 scripts/align_eval.py --tm "$bin/tm" --shared "$shared" --modes seg,text,paras,hard --seeds 1,2,3 --tsv "$out"
if [ "${1:-}" = "--record" ]; then
  cp "$out" scripts/align-baseline.tsv
  echo "ci-quality: recorded scripts/align-baseline.tsv"
  exit 0
fi
python3 - "$out" scripts/align-baseline.tsv <<'PY'
import sys
now = {tuple(l.split("\t")[:3]): float(l.split("\t")[3]) for l in open(sys.argv[1]) if l.strip()}
base = {tuple(l.split("\t")[:3]): float(l.split("\t")[3]) for l in open(sys.argv[2]) if l.strip() and not l.startswith("#")}
bad = [(k, base[k], now.get(k)) for k in base if now.get(k) is None or now[k] < base[k] - 0.0005]
for k, b, n in bad:
    print(f"ci-quality: REGRESSION {' '.join(k)}: {n} < recorded {b:.4f}")
if bad:
    sys.exit(1)
print(f"ci-quality: {len(base)} alignment scores at or above scripts/align-baseline.tsv")
PY
