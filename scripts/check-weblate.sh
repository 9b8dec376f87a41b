#!/usr/bin/env bash
# Weblate's own tmserver client against tm-server (see scripts/check_weblate.py).
# Weblate needs Python >= 3.12 and a few -dev packages; the venv is kept in
# $WEBLATE_VENV (default /tmp/tm-weblate-venv) so a second run takes seconds.
# The first install takes about 2-3 minutes and 740 MB, so CI does not run it.
#   scripts/check-weblate.sh [--server PATH]
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${WEBLATE_VENV:-/tmp/tm-weblate-venv}
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import weblate' 2>/dev/null; then
  py=""
  for c in python3.12 python3.13 /root/.pyenv/versions/3.12*/bin/python /root/.pyenv/versions/3.13*/bin/python; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then py=$c; break; fi
  done
  [ -n "$py" ] || { echo "check-weblate: needs Python >= 3.12 (apt-get install python3.12 or pyenv)" >&2; exit 2; }
  echo "== installing weblate into $venv (with $py)"
  export DEBIAN_FRONTEND=noninteractive
  dpkg -s liblz4-dev libzstd-dev libxxhash-dev libacl1-dev >/dev/null 2>&1 ||
    apt-get install -y -qq liblz4-dev libzstd-dev libxxhash-dev libacl1-dev >/dev/null
  "$py" -m venv "$venv"
  "$venv/bin/pip" install -q weblate "psycopg[binary]"
fi
server=.build/debug/tm-server
[ "${1:-}" = "--server" ] && server="$2"
[ -x "$server" ] || swift build --product tm-server >/dev/null
exec "$venv/bin/python" scripts/check_weblate.py --server "$server"
