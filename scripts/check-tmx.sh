#!/usr/bin/env bash
# Checks that our TMX export is valid XML and that OmegaT reads it.
#   scripts/check-tmx.sh
# Needs libxml2-utils (xmllint) and omegat (Debian packages) and a JDK.
# Exports (1) the shipped sample memory and (2) a memory of awkward segments
# (tabs, newlines, CR, & < >, quotes, RTL marks, emoji, a BEL control
# character that XML 1.0 forbids) and (3) a memory with inline codes read from a
# TMX level 2 (bpt/ept, it, ph, hi; OmegaT reads them as its tags), then runs `xmllint --noout` and OmegaT's own
# TMX reader (scripts/omegat/TmxCheck.java, org.omegat.util.TMXReader2).
set -euo pipefail
cd "$(dirname "$0")/.."
W="$(mktemp -d /tmp/tm-check-tmx.XXXXXX)"
trap 'rm -rf "$W"' EXIT
swift build --product tm >/dev/null
TM="$(swift build --show-bin-path)/tm"
. scripts/omegat/project.sh

"$TM" export --memory Memories/iso-codes.tsv --format tmx --from en --output "$W/iso.tmx"

"$TM" add $'Line one\nline two\twith a tab & <b>markup</b> "quoted"' \
  $'Строка один\nстрока два\tс табуляцией & <b>разметкой</b> «кавычки»' --from en --to ru --memory "$W/odd.tsv" >/dev/null
"$TM" add $'Carriage\r\nreturn, RTL \u200F mark, emoji 👩‍👩‍👧 🇦🇿, bell \a here' \
  $'Возврат\r\nкаретки, знак RTL \u200F, эмодзи 👩‍👩‍👧 🇦🇿, звонок \a тут' --from en --to ru --memory "$W/odd.tsv" >/dev/null
"$TM" add "Prof. Əliyev 1918-ci ildə doğulub." "Проф. Алиев родился в 1918 г." --from az --to ru --memory "$W/odd.tsv" >/dev/null
"$TM" export --memory "$W/odd.tsv" --format tmx --from en --to ru --output "$W/odd.tmx"

# (3) a memory with inline codes (TMX level 2: bpt/ept, it, ph, hi), imported
# from a TMX with native markup and exported again.
cat > "$W/codes-in.tmx" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header creationtool="x" creationtoolversion="1" datatype="html" segtype="sentence" adminlang="en" srclang="en" o-tmf="x"/>
<body>
<tu><tuv xml:lang="en"><seg>The <bpt i="1" x="1" type="bold">&lt;b&gt;</bpt>new law<ept i="1">&lt;/b&gt;</ept> enters into force<ph x="2" type="fnote">&lt;sup&gt;1&lt;/sup&gt;</ph> on 1 January.</seg></tuv>
<tuv xml:lang="ru"><seg><bpt i="1" x="1" type="bold">&lt;b&gt;</bpt>Новый закон<ept i="1">&lt;/b&gt;</ept> вступает в силу<ph x="2" type="fnote">&lt;sup&gt;1&lt;/sup&gt;</ph> 1 января.</seg></tuv></tu>
<tu><tuv xml:lang="en"><seg>See <hi type="italic">the annex</hi> and <it pos="begin" x="3" type="link">&lt;a href="x"&gt;</it>this page</seg></tuv>
<tuv xml:lang="ru"><seg>См. <hi type="italic">приложение</hi> и <it pos="begin" x="3" type="link">&lt;a href="x"&gt;</it>эту страницу</seg></tuv></tu>
</body></tmx>
XML
"$TM" import --memory "$W/codes.tsv" "$W/codes-in.tmx" >/dev/null 2>&1
echo "== codes.tsv (imported from TMX level 2)"; cut -f1,2,6 "$W/codes.tsv" | sed 's/^/  /'
"$TM" export --memory "$W/codes.tsv" --format tmx --from en --to ru --output "$W/codes.tmx"

for f in "$W/iso.tmx" "$W/odd.tmx" "$W/codes.tmx"; do
  echo "== $(basename "$f")"
  xmllint --noout "$f" && echo "xmllint: well-formed"
done
echo "== OmegaT $(dpkg-query -W -f='${Version}' omegat 2>/dev/null || echo '?') TMXReader2"
for pair in "iso.tmx en az" "iso.tmx en ru" "odd.tmx en ru" "codes.tmx en ru level2"; do
  set -- $pair
  java -cp "$OMEGAT_JAR" scripts/omegat/TmxCheck.java "$W/$1" "$2" "$3" ${4:-} 2>/dev/null | grep -v '^[0-9]*: Info'
done

# A real OmegaT project, translated in console mode with our TMX in tm/auto
# (OmegaT inserts tm/auto matches as translations when it loads a project).
echo "== OmegaT console-translate, en → az, our TMX in tm/auto"
P="$W/proj"
omegat_project "$P" en az
printf 'Azerbaijan\n\nGeorgia\n\nNorway\n\nA sentence no memory holds.\n' > "$P/source/countries.txt"
cp "$W/iso.tmx" "$P/tm/auto/iso.tmx"
omegat_translate "$P" "$W/omegat.log"
echo "source:"; sed 's/^/  /' "$P/source/countries.txt"; echo
echo "target written by OmegaT:"; sed 's/^/  /' "$P/target/countries.txt"; echo
grep -q 'Azərbaycan' "$P/target/countries.txt" && grep -q 'Gürcüstan' "$P/target/countries.txt" \
  && echo "OmegaT console-translate: OK (translations came from our TMX)"
