#!/usr/bin/env bash
# Boundary precision / recall / F1 of `tm segment` on the gold sets, against ICU
# alone (`@ss=standard`), per language. The same figures are asserted by the test
# suite (SegmentationScoreTests: ours >= 0.99 and strictly better than ICU).
#   scripts/eval-segment.sh
set -euo pipefail
cd "$(dirname "$0")/.."
swift test --filter SegmentationScoreTests 2>&1 | grep -E "^segmentation |✘|passed|failed" | sed 's/^segmentation /  /'
