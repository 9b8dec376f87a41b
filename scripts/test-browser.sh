#!/usr/bin/env bash
# The browser page in a real headless Chromium (Debian chromium +
# chromium-driver, Selenium from PyPI): lookup, escaping, review merge that
# survives a reload, add to memory. Installs what is missing.
#   scripts/test-browser.sh [--server PATH] [--out DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  echo "== installing chromium and chromium-driver"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null
fi
if ! python3 -c 'import selenium' 2>/dev/null; then
  echo "== installing selenium"
  python3 -m pip install -q selenium
fi
server=.build/debug/tm-server
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --server) server="$2"; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
if [ ! -x "$server" ]; then
  echo "== swift build --product tm-server"
  swift build --product tm-server >/dev/null
fi
exec python3 scripts/test_browser.py --server "$server" "${args[@]+"${args[@]}"}"
