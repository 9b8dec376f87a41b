#!/usr/bin/env bash
# Checks that real tools read the documents and XLIFF tm writes.
#   scripts/check-documents.sh
# Needs (Debian): libxml2-utils (xmllint), libreoffice-writer-nogui, omegat + a JDK;
# (PyPI): translate-toolkit (xliff2po). A missing tool skips its part with a note.
#
# 1. pretranslate the LibreOffice-made fixtures (DOCX, ODT, HTML) from a small az→ru
#    memory; LibreOffice opens our DOCX and ODT (--convert-to txt) and shows Russian;
# 2. xmllint --noout every XML part of what we wrote;
# 3. tm extract → XLIFF 1.2, validated against the OASIS strict schema
#    (../shared/schemas/xliff-core-1.2-strict.xsd); translate-toolkit's xliff2po reads it;
# 4. extract → merge with no translation gives the same document (every zip part);
# 5. OmegaT (console mode) opens our XLIFF and a DOCX we wrote and writes its targets.
set -euo pipefail
cd "$(dirname "$0")/.."
W="$(mktemp -d /tmp/tm-check-docs.XXXXXX)"
trap 'rm -rf "$W"' EXIT
swift build --product tm >/dev/null
TM="$(swift build --show-bin-path)/tm"
FIX=Tests/TMKitTests/Fixtures/documents
SCHEMA=../shared/schemas/xliff-core-1.2-strict.xsd
fail=0
. scripts/omegat/project.sh
ok() { echo "  ok: $*"; }
bad() { echo "  FAIL: $*"; fail=1; }
have() { command -v "$1" >/dev/null 2>&1; }

mkdir -p "$W/mem"
printf 'az\tru\torigin\tcreated\tscore\n' > "$W/mem/az-ru.tsv"
printf '%s\t%s\tcheck\t2026-12-01T00:00:00Z\t\n' \
  "Bakıda yeni metro stansiyası açıldı" "В Баку открылась новая станция метро" \
  "Prezident İlham Əliyev Xətai stansiyasının açılış mərasimində iştirak edib." \
  "Президент Ильхам Алиев принял участие в церемонии открытия станции Хатаи." \
  "Stansiya gündə 40 000 sərnişinə xidmət edəcək." "Станция будет обслуживать 40 000 пассажиров в день." \
  "Açılış ili" "Год открытия" >> "$W/mem/az-ru.tsv"

echo "== tm pretranslate (az → ru) of the LibreOffice fixtures"
for ext in docx odt html; do
  "$TM" pretranslate "$FIX/xeber.az.$ext" --from az --to ru --memories "$W/mem" -o "$W/xeber.ru.$ext" \
    --report "$W/report-$ext.json" 2>>"$W/tm.log"
  ok "xeber.ru.$ext: $(python3 -c "import json,sys; a=json.load(open('$W/report-$ext.json')); print(a['translated'], 'of', a['segments'], 'segments translated;', ', '.join(f\"{b['band']}: {b['segments']}\" for b in a['bands'] if b['segments']))")"
done
grep -q '45 000 пассажиров' "$W/xeber.ru.docx" 2>/dev/null || true

echo "== LibreOffice $(soffice --version 2>/dev/null | awk '{print $2}' || echo '?') opens what we wrote"
if have soffice; then
  for ext in docx odt; do
    timeout 180 soffice --headless --convert-to txt:Text --outdir "$W/lo" "$W/xeber.ru.$ext" >/dev/null 2>&1 || true
    t="$W/lo/xeber.ru.txt"
    if [ -f "$t" ] && grep -q 'В Баку открылась новая станция метро' "$t" && grep -q '45 000 пассажиров' "$t" \
      && grep -q 'Год открытия' "$t" && grep -q 'Ətraflı məlumat' "$t"; then
      ok "$ext: LibreOffice shows the translation (numbers substituted: 45 000), untranslated text kept:"
      sed 's/^\xEF\xBB\xBF//; s/^/      /' "$t" | head -n 12
    else
      bad "$ext: LibreOffice did not show the translated text"; [ -f "$t" ] && cat "$t"
    fi
    rm -f "$t"
  done
else
  echo "  skipped: no soffice (apt-get install libreoffice-writer-nogui)"
fi

echo "== xmllint --noout every XML part we wrote"
if have xmllint; then
  for ext in docx odt; do
    rm -rf "$W/unz" && mkdir -p "$W/unz" && (cd "$W/unz" && python3 -c "import zipfile,sys; zipfile.ZipFile(sys.argv[1]).extractall('.')" "$W/xeber.ru.$ext")
    n=0
    while IFS= read -r -d '' f; do
      xmllint --noout "$f" || bad "$ext: $f"
      n=$((n + 1))
    done < <(find "$W/unz" \( -name '*.xml' -o -name '*.rels' \) -print0)
    ok "$ext: $n XML parts well-formed"
  done
else
  echo "  skipped: no xmllint (apt-get install libxml2-utils)"
fi

echo "== tm extract → XLIFF 1.2 (strict schema), xliff2po"
for f in "$FIX/xeber.az.docx" "$FIX/xeber.az.odt" "$FIX/xeber.az.html" "$FIX/novost.ru.docx"; do
  b="$(basename "$f")"
  from=az; to=ru; case "$b" in *.ru.*) from=ru; to=az ;; esac
  "$TM" extract "$f" --from "$from" --to "$to" --pretranslate --memories "$W/mem" -o "$W/$b.xlf" 2>>"$W/tm.log"
  if have xmllint; then
    xmllint --noout --schema "$SCHEMA" "$W/$b.xlf" 2>"$W/lint.log" && ok "$b.xlf valid against xliff-core-1.2-strict.xsd" \
      || { bad "$b.xlf schema"; cat "$W/lint.log"; }
  fi
  if have xliff2po; then
    xliff2po --progress=none "$W/$b.xlf" "$W/$b.po" >/dev/null 2>&1 \
      && ok "xliff2po read $b.xlf: $(grep -c '^msgid "[^"]' "$W/$b.po" || true) units" || bad "xliff2po $b.xlf"
  fi
done
have xliff2po || echo "  skipped xliff2po: pip install translate-toolkit"

echo "== extract → merge with no translation: the same document"
for f in "$FIX"/*.docx "$FIX"/*.odt "$FIX"/*.html; do
  b="$(basename "$f")"
  from=az; case "$b" in *.ru.*) from=ru ;; esac
  "$TM" extract "$f" --from "$from" --to en -o "$W/rt.xlf" 2>/dev/null
  "$TM" merge "$W/rt.xlf" -o "$W/rt.$b" 2>/dev/null
  if python3 - "$f" "$W/rt.$b" <<'PY'
import sys, zipfile
a, b = sys.argv[1], sys.argv[2]
if zipfile.is_zipfile(a):
    za, zb = zipfile.ZipFile(a), zipfile.ZipFile(b)
    assert za.namelist() == zb.namelist(), "entry order"
    for n in za.namelist():
        assert za.read(n) == zb.read(n), n
else:
    assert open(a, 'rb').read() == open(b, 'rb').read()
PY
  then ok "$b: identical (part by part for zips)"; else bad "$b round trip"; fi
done

echo "== inline codes travel: align two DOCX → memory with codes → pretranslate a changed DOCX"
# The az fixture and its ru version (pretranslated above, the bold name kept bold)
# aligned into a new memory: the codes go in as tags.
mkdir -p "$W/codes"
"$TM" align "$FIX/xeber.az.docx" "$W/xeber.ru.docx" --from az --to ru --memories "$W/codes" --no-dictionary 2>>"$W/tm.log"
if grep -q $'\tcodes$' "$W/codes/az-ru.tsv" && grep -q '<b1>Xətai</b1>' "$W/codes/az-ru.tsv"; then
  ok "memory with codes:"; cut -f1,2,6 "$W/codes/az-ru.tsv" | grep '<' | sed 's/^/      /'
else
  bad "no codes in the aligned memory"; cat "$W/codes/az-ru.tsv"
fi
# A changed story: another number, the rest as it was.
python3 - "$FIX/xeber.az.docx" "$W/xeber2.az.docx" <<'PY'
import sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
zi, zo = zipfile.ZipFile(src), zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED)
for info in zi.infolist():
    data = zi.read(info.filename)
    if info.filename == "word/document.xml":
        data = data.replace("45 000".encode(), "50 000".encode())
    zo.writestr(info, data)
zo.close()
PY
"$TM" pretranslate "$W/xeber2.az.docx" --from az --to ru --memories "$W/codes" -o "$W/xeber2.ru.docx" 2>>"$W/tm.log"
if have soffice; then
  timeout 180 soffice --headless --convert-to html --outdir "$W/lo3" "$W/xeber2.ru.docx" >/dev/null 2>&1 || true
  h="$W/lo3/xeber2.ru.html"
  if [ -f "$h" ] && python3 - "$h" <<'PY'
import re, sys, html
t = html.unescape(open(sys.argv[1], encoding="utf-8", errors="replace").read())
t = re.sub(r"\s+", " ", t)
bold = re.findall(r"<b>(.*?)</b>", t)
ok = any("Хата" in b for b in bold) and "50 000" in t
print("      bold in LibreOffice's reading:", [re.sub("<[^>]+>", "", b) for b in bold])
sys.exit(0 if ok else 1)
PY
  then ok "LibreOffice opens the pretranslated DOCX: the bold name is bold in Russian, 50 000 substituted"
  else bad "LibreOffice: bold or number missing in xeber2.ru.docx"; fi
fi
"$TM" export --memory "$W/codes/az-ru.tsv" --format tmx --from az --to ru --output "$W/codes.tmx" 2>/dev/null
if have xmllint; then xmllint --noout "$W/codes.tmx" && ok "TMX with <bpt>/<ept>/<ph> well-formed: $(grep -c '<bpt' "$W/codes.tmx") bpt"; fi
if [ -f "$OMEGAT_JAR" ] && have java; then
  java -cp "$OMEGAT_JAR" scripts/omegat/TmxCheck.java "$W/codes.tmx" az ru level2 2>/dev/null | grep -v '^[0-9]*: Info' | sed 's/^/      /'
fi

echo "== OmegaT $(dpkg-query -W -f='${Version}' omegat 2>/dev/null || echo '?'): our XLIFF and our DOCX in a project"
if [ -f "$OMEGAT_JAR" ] && have java; then
  P="$W/proj"
  omegat_project "$P" az ru
  cp "$W/xeber.az.docx.xlf" "$P/source/xeber.xlf"
  cp "$FIX/xeber.az.docx" "$P/source/xeber.docx"
  # A DOCX we wrote (pretranslated to ru, so its text is partly Russian) is read as a source too.
  cp "$W/xeber.ru.docx" "$P/source/ours.docx"
  omegat_translate "$P" "$W/omegat.log" || true
  for f in xeber.xlf xeber.docx ours.docx; do
    if [ -f "$P/target/$f" ]; then ok "OmegaT read source/$f and wrote target/$f"; else bad "OmegaT did not write target/$f"; tail -n 20 "$W/omegat.log"; fi
  done
  if [ -f "$P/target/xeber.xlf" ] && grep -q 'В Баку открылась новая станция метро' "$P/target/xeber.xlf"; then
    ok "OmegaT kept our pretranslated targets in the XLIFF"
  fi
  if [ -f "$P/target/ours.docx" ]; then
    timeout 180 soffice --headless --convert-to txt:Text --outdir "$W/lo2" "$P/target/ours.docx" >/dev/null 2>&1 || true
    grep -q 'В Баку' "$W/lo2/ours.txt" 2>/dev/null && ok "OmegaT's copy of our DOCX still shows the Russian text in LibreOffice"
  fi
else
  echo "  skipped: no OmegaT (apt-get install omegat)"
fi

if [ "$fail" = 0 ]; then echo "check-documents: all checks passed"; else echo "check-documents: FAILURES"; exit 1; fi
