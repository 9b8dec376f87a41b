#!/usr/bin/env bash
# Appends, imports, the lookup index and the first lookup after an append on
# a 1,000,000-unit memory (release build), side by side with a baseline `tm`
# (the code before O(1) appends), printed as the Targets table of issue 9.
#
#   scripts/bench-memory.sh [UNITS]            (default 1000000)
#   BASELINE_TM=/path/to/old/tm scripts/bench-memory.sh
#   BASELINE_REF=4a83b1f scripts/bench-memory.sh   (builds that commit; the default)
#   BASELINE_TM=none ...                       (no baseline column)
#   LOAD=1 ...                                 (also tm stats, tm export, MemoryFile.load/open)
#   TM_BIN=/path/to/tm ...                     (measure this binary instead of building)
#
# The memory comes from scripts/gen-memory.py (en/az/ru news sentences with
# real names, numbers and dates; every unit distinct). Wall time and peak RSS
# from /usr/bin/time -v; each small operation is run 5 times on fresh units
# and the median is shown. Both binaries work on their own copy of the memory.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000000}"
W="$(mktemp -d /tmp/tm-bench-memory.XXXXXX)"
trap 'rm -rf "$W"; [ -n "${BASE_WT:-}" ] && git worktree remove --force "$BASE_WT" >/dev/null 2>&1 || true' EXIT
if [ -n "${TM_BIN:-}" ]; then
  TM="$TM_BIN"   # a binary built beforehand (so that builds meanwhile cannot swap it)
else
  swift build -c release --product tm >/dev/null
  TM="$(swift build -c release --show-bin-path)/tm"
fi

BASE="${BASELINE_TM:-}"
if [ -z "$BASE" ]; then
  ref="${BASELINE_REF:-4a83b1f}"
  BASE_WT="$W/baseline"
  git worktree add --detach "$BASE_WT" "$ref" >/dev/null 2>&1
  (cd "$BASE_WT" && swift build -c release --product tm >/dev/null)
  BASE="$(cd "$BASE_WT" && swift build -c release --show-bin-path)/tm"
fi
[ "$BASE" = none ] && BASE=""

python3 scripts/gen-memory.py "$N" > "$W/new.tsv"
size=$(stat -c %s "$W/new.tsv")
echo "memory: $N units, $size bytes ($((size / 1048576)) MiB), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
[ -n "$BASE" ] && cp "$W/new.tsv" "$W/old.tsv"

# timed LABEL CMD... -> sets T (seconds) and M (peak RSS, MiB)
timed() {
  local rc=0
  /usr/bin/time -v "$@" > "$W/out" 2> "$W/time" || rc=$?
  # 1 is "no match" for tm lookup.
  if [ "$rc" -gt 1 ]; then cat "$W/time" >&2; exit 1; fi
  T=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$W/time")
  M=$(( $(awk -F': ' '/Maximum resident set size/ {print $2}' "$W/time") / 1024 ))
  C=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$W/time")
}
median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

# The four targets for one binary ($1) on one memory ($2); results in R_*.
run() {
  local tm="$1" mem="$2" k t
  rm -f "$mem".idx*
  # 1. Index build: a one-word lookup of a word no unit has (nothing to score).
  timed "$tm" lookup "Zəfəranlı" --from az --memory "$mem"
  R_BUILD="$T"; R_BUILD_RSS="$M"; R_BUILD_CPU="$C"; R_IDX=$(cat "$mem".idx 2>/dev/null | wc -c)
  # 2. tm add of one new unit, 5 times.
  : > "$W/t"
  for k in 1 2 3 4 5; do
    timed "$tm" add "Bakı metrosunun $k-ci yeni stansiyası açıldı." "В бакинском метро открылась $k-я новая станция." \
      --from az --to ru --memory "$mem"
    echo "$T" >> "$W/t"
  done
  R_ADD=$(median < "$W/t")
  # 3. tm import of 1,000 new units, 5 times.
  : > "$W/t"
  for k in 1 2 3 4 5; do
    python3 - "$k" > "$W/in.tsv" <<'EOF'
import sys
k = sys.argv[1]
for i in range(1000):
    print(f"Sumqayıtda {k}-{i} nömrəli yeni məktəb tikilir.\tВ Сумгаите строится новая школа № {k}-{i}.")
EOF
    timed "$tm" import "$W/in.tsv" --from az --to ru --memory "$mem"
    echo "$T" >> "$W/t"
  done
  R_IMPORT=$(median < "$W/t")
  # 4. The first lookup after one tm add, 5 times.
  : > "$W/t"
  for k in 1 2 3 4 5; do
    "$tm" add "Gəncədə $k saylı yeni park salındı." "В Гяндже разбит новый парк № $k." --from az --to ru --memory "$mem" >/dev/null
    timed "$tm" lookup "Gəncədə $k saylı yeni park salındı." --from az --memory "$mem"
    grep -q "100% exact" "$W/out" || { echo "lookup after add did not find the new unit" >&2; cat "$W/out" >&2; exit 1; }
    echo "$T" >> "$W/t"
  done
  R_LOOK=$(median < "$W/t")
}

# The floor under every per-command figure: starting the process.
: > "$W/t"
for k in 1 2 3 4 5; do timed "$TM" --version; echo "$T" >> "$W/t"; done
START=$(median < "$W/t")

run "$TM" "$W/new.tsv"
N_BUILD=$R_BUILD N_RSS=$R_BUILD_RSS N_CPU=$R_BUILD_CPU N_IDX=$R_IDX N_ADD=$R_ADD N_IMPORT=$R_IMPORT N_LOOK=$R_LOOK
if [ -n "$BASE" ]; then
  run "$BASE" "$W/old.tsv"
  O_BUILD=$R_BUILD O_RSS=$R_BUILD_RSS O_CPU=$R_BUILD_CPU O_IDX=$R_IDX O_ADD=$R_ADD O_IMPORT=$R_IMPORT O_LOOK=$R_LOOK
fi

ms() { awk -v s="$1" 'BEGIN {printf (s < 10 ? "%.0f ms" : "%.1f s"), (s < 10 ? s * 1000 : s)}'; }
ratio() { [ -n "$BASE" ] && awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1fx", (b > 0 ? a / b : 0)}' || echo "-"; }
x() { awk -v a="$1" -v b="$size" 'BEGIN {printf "%.2fx", a / b}'; }
echo
echo "| operation | baseline | now | baseline/now | target |"
echo "|---|---|---|---|---|"
echo "| \`tm add\` one unit | ${BASE:+$(ms "$O_ADD")} | $(ms "$N_ADD") | $(ratio "${O_ADD:-0}" "$N_ADD") | <= 30 ms |"
echo "| \`tm import\` 1,000 units into it | ${BASE:+$(ms "$O_IMPORT")} | $(ms "$N_IMPORT") | $(ratio "${O_IMPORT:-0}" "$N_IMPORT") | <= 0.3 s |"
echo "| lookup index build | ${BASE:+$(ms "$O_BUILD"), $O_RSS MiB} | $(ms "$N_BUILD"), $N_RSS MiB | $(ratio "${O_BUILD:-0}" "$N_BUILD") | <= 8 s, <= 600 MB |"
echo "| lookup index build, CPU time (user + sys) | ${BASE:+$(ms "$O_CPU")} | $(ms "$N_CPU") | $(ratio "${O_CPU:-0}" "$N_CPU") | |"
echo "| index size / TSV | ${BASE:+$((O_IDX / 1048576)) MiB, $(x "$O_IDX")} | $((N_IDX / 1048576)) MiB, $(x "$N_IDX") | | <= 1.5x |"
echo "| first lookup after one \`tm add\` | ${BASE:+$(ms "$O_LOOK")} | $(ms "$N_LOOK") | $(ratio "${O_LOOK:-0}" "$N_LOOK") | <= 50 ms |"
echo "| (process start: \`tm --version\`) | | $(ms "$START") | | |"

if [ -n "${LOAD:-}" ]; then
  echo
  for label in "tm stats" "tm export --format tmx"; do
    if [ "$label" = "tm stats" ]; then timed "$TM" stats --memory "$W/new.tsv"; else timed "$TM" export --memory "$W/new.tsv" --format tmx --output "$W/big.tmx"; fi
    printf '%-24s wall %s  peak RSS %d MiB (%s file)\n' "$label" "$(ms "$T")" "$M" "$(x $((M * 1048576)))"
  done
  mkdir -p "$W/lb/Sources/loadbench"
  ln -s "$PWD" "$W/tm"
  cp scripts/loadbench.swift "$W/lb/Sources/loadbench/main.swift"
  cat > "$W/lb/Package.swift" <<EOF2
// swift-tools-version: 6.0
import PackageDescription
let package = Package(name: "loadbench", platforms: [.macOS(.v13)],
  dependencies: [.package(path: "$W/tm")],
  targets: [.executableTarget(name: "loadbench", dependencies: [.product(name: "TMKit", package: "tm")])])
EOF2
  (cd "$W/lb" && swift build -c release >/dev/null 2>&1)
  LB="$(cd "$W/lb" && swift build -c release --show-bin-path)/loadbench"
  timed "$LB" "$W/new.tsv"
  printf '%-24s wall %s  peak RSS %d MiB\n' "MemoryFile.load" "$(ms "$T")" "$M"
  timed "$LB" "$W/new.tsv" table
  printf '%-24s wall %s  peak RSS %d MiB\n' "MemoryFile.open + ru" "$(ms "$T")" "$M"
fi
