#!/usr/bin/env bash
# Load time and peak memory of a 1,000,000-unit memory (release build).
#   scripts/bench-memory.sh [UNITS]      (default 1000000)
# Generates an en/az/ru memory from real sentences and the shipped iso-codes
# names (scripts/gen-memory.py), then measures with /usr/bin/time -v:
#   tm stats     open + validate + index the whole file, count pairs,
#                duplicates (byte hashes) — the load a lookup pays;
#   tm add       the same plus the duplicate check and an atomic rewrite;
#   MemoryFile.load / MemoryFile.open (scripts/loadbench.swift; SKIP_LOADBENCH=1 skips it);
#   tm export    every unit decoded to TMX.
# The goal: resident memory within about twice the file size.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000000}"
W="$(mktemp -d /tmp/tm-bench-memory.XXXXXX)"
trap 'rm -rf "$W"' EXIT
swift build -c release --product tm >/dev/null
TM="$(swift build -c release --show-bin-path)/tm"

python3 scripts/gen-memory.py "$N" > "$W/big.tsv"
size=$(stat -c %s "$W/big.tsv")
echo "memory: $N units, $size bytes ($((size / 1048576)) MiB)"

measure() {
  local label="$1"; shift
  /usr/bin/time -v "$@" > "$W/out" 2> "$W/time" || { cat "$W/time"; exit 1; }
  local secs rss
  secs=$(grep 'Elapsed (wall clock)' "$W/time" | awk '{print $NF}')
  rss=$(grep 'Maximum resident set size' "$W/time" | awk '{print $NF}')
  local user sys
  user=$(grep 'User time' "$W/time" | awk '{print $NF}')
  sys=$(grep 'System time' "$W/time" | awk '{print $NF}')
  printf '%-34s wall %8s  user %6s  sys %6s  peak RSS %5d MiB  (%.2f x file)\n' \
    "$label" "$secs" "$user" "$sys" $((rss / 1024)) "$(echo "$rss * 1024 / $size" | bc -l)"
}

measure "tm stats (load + count)" "$TM" stats --memory "$W/big.tsv"
grep -E 'units|duplicates' "$W/out" | head -2 | sed 's/^/    /'
measure "tm add (load + dedupe + rewrite)" "$TM" add "Su" "Вода" --from az --to ru --memory "$W/big.tsv"
measure "tm add (duplicate: no write)" "$TM" add "Su" "Вода" --from az --to ru --memory "$W/big.tsv"
if [ -z "${SKIP_LOADBENCH:-}" ]; then
  # The library calls other commands use: scripts/loadbench.swift in a small
  # package next to a link named tm to this repository (release build).
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
  measure "MemoryFile.load (all units)" "$LB" "$W/big.tsv"
  measure "MemoryFile.open + every ru text" "$LB" "$W/big.tsv" table
fi
measure "tm export --format tmx" "$TM" export --memory "$W/big.tsv" --format tmx --output "$W/big.tmx"
echo "TMX: $(stat -c %s "$W/big.tmx") bytes"
