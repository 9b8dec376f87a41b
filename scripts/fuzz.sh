#!/usr/bin/env bash
# Fuzzes every reader with libFuzzer: the memory formats (memory TSV as
# TSVCodec and as MemoryTable, TMX, PO, MO, CSV, the review TSV) and the
# documents (DOCX and ODT whole and as their XML inside a valid zip, HTML,
# Markdown, PO as a document, SRT/VTT, XLIFF as document, memory and merge). TMKit is compiled as a module of its own with
# `swiftc -sanitize=fuzzer,address` and Fuzz/FuzzReaders.swift linked against
# it, into .build-fuzz/ (the normal `swift build` is untouched);
# TM_FUZZ_TARGET picks the reader (see Fuzz/README.md).
#
#   scripts/fuzz.sh                 # CI: a fixed number of runs per target (~2.5 min in all;
#                                   # with CI=true also a fixed seed, TM_FUZZ_SEED, default 1)
#   scripts/fuzz.sh --time 600      # by hand: 600 s per target
#   scripts/fuzz.sh --runs 20000 tmx po
#
# Seeds: Fuzz/corpus/<target>/ (committed). New interesting inputs go to
# .build-fuzz/corpus/<target>/ (not committed); a crash, a hang (-timeout) or
# a rejection that is not a TMError with a line or byte offset stops the run
# and leaves the input in .build-fuzz/crashes/<target>/. Leak detection is off
# (libFuzzer's and ASan's at exit): the one leak seen is in FoundationXML's
# error path (libxml2 errors), not in tm.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
out="$root/.build-fuzz"

runs=""
time=""
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --time) time="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
all=(tsv table tmx po mo csv review docx docx-xml odt odt-xml html markdown po-doc subtitles xliff)
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
# CI budget (no --runs/--time): executions per target, sized to its speed here
# so that all targets together take about two and a half minutes.
ci_runs() {
  case "$1" in
    docx|odt) echo 6000 ;;
    docx-xml|odt-xml|xliff) echo 15000 ;;
    *) echo 40000 ;;
  esac
}

bin="$out/tm-fuzz"
mkdir -p "$out/include" "$out/obj"
flags=(-parse-as-library -swift-version 6 -O -gline-tables-only -sanitize=fuzzer,address)
sources=$(find Sources/TMKit -name '*.swift' | sort)
lib="$out/obj/TMKit.o"
# TMKit's dependencies: the ICU and libxml2 shims (C, instrumented) and
# ZIPFoundation (Swift, from the package's checkout, not instrumented).
zipsrc="$root/.build/checkouts/ZIPFoundation/Sources"
# (resolve only when needed: it waits for any `swift build` running here)
[ -d "$zipsrc/ZIPFoundation" ] || swift package resolve >/dev/null
[ -d "$zipsrc/ZIPFoundation" ] || { echo "fuzz: ZIPFoundation checkout not found in $zipsrc" >&2; exit 2; }
# 1. TMKit as a module of its own (-enable-testing: the harness reaches the
#    internal readers with @testable import), rebuilt when its sources change.
newest=$(ls -t $sources Sources/CICUShim/icushim.c Sources/CICUShim/include/icushim.h \
  Sources/CHTMLShim/htmlshim.c Sources/CHTMLShim/xmlshim.c Sources/CHTMLShim/include/htmlshim.h | head -n 1)
if [ ! -f "$lib" ] || [ "$newest" -nt "$lib" ]; then
  echo "== building TMKit for fuzzing (swiftc -sanitize=fuzzer,address into $out)"
  cat > "$out/include/module.modulemap" <<MAP
module CICUShim {
  header "$root/Sources/CICUShim/include/icushim.h"
  export *
}
module CHTMLShim {
  header "$root/Sources/CHTMLShim/include/htmlshim.h"
  export *
}
MAP
  clang -c -O1 -gline-tables-only -fsanitize=fuzzer-no-link,address -I Sources/CICUShim/include \
    Sources/CICUShim/icushim.c -o "$out/obj/icushim.o"
  clang -c -O1 -gline-tables-only -fsanitize=fuzzer-no-link,address -I Sources/CHTMLShim/include \
    -I/usr/include/libxml2 Sources/CHTMLShim/htmlshim.c -o "$out/obj/htmlshim.o"
  clang -c -O1 -gline-tables-only -fsanitize=fuzzer-no-link,address -I Sources/CHTMLShim/include \
    -I/usr/include/libxml2 Sources/CHTMLShim/xmlshim.c -o "$out/obj/xmlshim.o"
  swiftc -module-name ZIPFoundation -parse-as-library -swift-version 5 -O -wmo -Xcc -D_GNU_SOURCE=1 \
    -I "$zipsrc/CZLib" -emit-module -emit-module-path "$out/obj/ZIPFoundation.swiftmodule" \
    -c "$zipsrc"/ZIPFoundation/*.swift -o "$out/obj/ZIPFoundation.o" 2>&1 | grep -v '^warning: ' || true
  [ -f "$out/obj/ZIPFoundation.o" ] || { echo "fuzz: building ZIPFoundation failed" >&2; exit 2; }
  swiftc -module-name TMKit -enable-testing -wmo "${flags[@]}" -I "$out/include" -I "$out/obj" -I "$zipsrc/CZLib" \
    -emit-module -emit-module-path "$out/obj/TMKit.swiftmodule" -c $sources -o "$lib" 2>&1 \
    | grep -v '^warning: ' || true
  [ -f "$lib" ] || { echo "fuzz: building TMKit failed" >&2; exit 2; }
  rm -f "$bin"
fi
# 2. The harness (libFuzzer provides main()).
if [ ! -x "$bin" ] || [ Fuzz/FuzzReaders.swift -nt "$bin" ]; then
  echo "== linking $bin"
  swiftc -module-name TMFuzz "${flags[@]}" -I "$out/include" -I "$out/obj" \
    -I "$zipsrc/CZLib" Fuzz/FuzzReaders.swift "$lib" "$out/obj/icushim.o" "$out/obj/htmlshim.o" "$out/obj/xmlshim.o" \
    "$out/obj/ZIPFoundation.o" -licui18n -licuuc -licudata -lxml2 -lz -o "$bin" 2>&1 \
    | grep -v 'ld.gold: warning: Cannot export local symbol' || true
  [ -x "$bin" ] || { echo "fuzz: linking the harness failed" >&2; exit 2; }
fi

status=0
total=0
for t in "${targets[@]}"; do
  seeds="Fuzz/corpus/$t"
  [ -d "$seeds" ] || { echo "fuzz: no seed corpus $seeds" >&2; exit 2; }
  work="$out/corpus/$t"
  crashes="$out/crashes/$t"
  mkdir -p "$work" "$crashes"
  limit=(-runs="${runs:-$(ci_runs "$t")}")
  [ -n "$time" ] && limit=(-max_total_time="$time")
  # CI's gate replays the same executions every time (a fixed seed), so it
  # goes red on a reader that changed, not on the luck of a draw; runs by
  # hand draw a new seed each time and are where new crashes are found.
  if [ -z "$runs$time" ] && [ "${CI:-}" = true ]; then limit+=(-seed="${TM_FUZZ_SEED:-1}"); fi
  log="$out/$t.log"
  start=$(date +%s)
  # SWIFT_BACKTRACE off: libFuzzer reports the trap and saves the input itself.
  if ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}" SWIFT_BACKTRACE=enable=no TM_FUZZ_TARGET="$t" "$bin" "${limit[@]}" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -detect_leaks=0 \
      -artifact_prefix="$crashes/" -print_final_stats=1 "$work" "$seeds" > "$log" 2>&1; then
    execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
    cov=$(grep -E '^#[0-9]+.*(DONE|cov:)' "$log" | tail -n 1 | grep -oE 'cov: [0-9]+' || true)
    rss=$(grep -E '^stat::peak_rss_mb' "$log" | awk '{print $2}')
    echo "fuzz $t: ok, ${execs:-?} executions in $(( $(date +%s) - start )) s${cov:+, $cov}, peak RSS ${rss:-?} MB"
    total=$(( total + ${execs:-0} ))
  else
    status=1
    echo "fuzz $t: FAILED (log: $log)" >&2
    grep -E 'fuzz\(|ERROR|SUMMARY|Fatal error|Test unit written' "$log" | head -n 20 >&2
  fi
done
echo "fuzz: $total executions over ${#targets[@]} targets"
exit $status
