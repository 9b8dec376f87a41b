#!/usr/bin/env bash
# Rebuilds Memories/iso-codes.tsv, the sample memory shipped with tm: country
# names (ISO 3166-1) and language names (ISO 639-3) in English, Azerbaijani and
# Russian, from the gettext catalogs of Debian's iso-codes package.
#
# How the three languages are joined: each catalog maps an English msgid to
# its translation; `tm import --join` puts units that share the same English
# text (and do not disagree in another language) into one en+az+ru unit.
# Names only one catalog translates stay two-language units (en+ru mostly:
# the az catalog of ISO 639-3 has 25 entries).
#
# The `created` column is the catalogs' file date (SOURCE_DATE_EPOCH), so the
# same iso-codes version rebuilds a byte-identical file.
set -euo pipefail
cd "$(dirname "$0")/.."

L=/usr/share/locale
if [ ! -f "$L/ru/LC_MESSAGES/iso_3166-1.mo" ]; then
  echo "iso-codes catalogs missing: apt-get install iso-codes" >&2
  exit 2
fi
swift build --product tm >/dev/null
TM="$(swift build --show-bin-path)/tm"

export SOURCE_DATE_EPOCH="$(stat -c %Y "$L/ru/LC_MESSAGES/iso_3166-1.mo")"
out=Memories/iso-codes.tsv
rm -f "$out"
"$TM" import --join --memory "$out" \
  "$L/az/LC_MESSAGES/iso_3166-1.mo" "$L/ru/LC_MESSAGES/iso_3166-1.mo" \
  "$L/az/LC_MESSAGES/iso_639-3.mo" "$L/ru/LC_MESSAGES/iso_639-3.mo"
rm -f "$out.lock"
echo "iso-codes $(dpkg-query -W -f='${Version}' iso-codes 2>/dev/null || echo '?')"
"$TM" stats --memory "$out"
