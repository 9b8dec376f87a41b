#!/bin/sh
# Fuzzy-ranking evaluation of `tm lookup` against a brute-force rapidfuzz ratio
# on real gettext catalogs, en-ru and en-az (see scripts/eval_fuzzy.py).
#
# Usage: scripts/eval-fuzzy.sh [--baseline-rev REV | --baseline BIN] [--split dev|test|both]
#   --baseline-rev REV  also build REV (e.g. 4a83b1f, before the fuzzy score) in a
#                       temporary folder and print it beside (before/after)
#   --split             dev: what the weights were tuned on; test: held out (default both)
#
# Data: /usr/share/locale/{ru,az}/LC_MESSAGES/*.mo. More catalogs than a base system
# has come with these Debian packages (translations only, no programs started):
#   apt-get install --no-install-recommends plasma-workspace-data plasma-desktop-data \
#     kdeplasma-addons-data kwin-data kde-cli-tools-data libkf5xmlgui-data \
#     libkf5configwidgets-data libkf5kcmutils-data libkf5kdelibs4support-data \
#     libkf5khtml-data libkf5newstuff-data libkf5parts-data libkf5service-data \
#     libkf5textwidgets-data gnome-control-center-data gnome-desktop3-data \
#     gnome-panel-data gnome-applets-data gnome-terminal-data gedit-common \
#     evolution-common gnumeric-common gimp-data libgtk-3-common
# Work files (memories, indexes, queries) go to /tmp/tm-eval-fuzzy, never Memories/.
set -e
cd "$(dirname "$0")/.."
baseline=""
args=""
while [ $# -gt 0 ]; do
  case "$1" in
    --baseline) baseline="$2"; shift 2 ;;
    --baseline-rev)
      dir=/tmp/tm-eval-fuzzy/baseline-$2
      if [ ! -x "$dir/.build/release/tm" ]; then
        rm -rf "$dir" && mkdir -p "$dir"
        git archive "$2" | tar -x -C "$dir"
        (cd "$dir" && swift build -c release --product tm >/dev/null)
      fi
      baseline="$dir/.build/release/tm"; shift 2 ;;
    *) args="$args $1"; shift ;;
  esac
done
swift build -c release --product tm >/dev/null
python3 -c "import rapidfuzz, numpy" 2>/dev/null || pip install rapidfuzz numpy
if [ -n "$baseline" ]; then
  exec python3 scripts/eval_fuzzy.py .build/release/tm --baseline "$baseline" $args
fi
exec python3 scripts/eval_fuzzy.py .build/release/tm $args
