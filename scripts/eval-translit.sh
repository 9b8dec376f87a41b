#!/usr/bin/env bash
# Evaluates the two Azerbaijani schemes on the UDHR in az Cyrillic and az Latin
# (official texts; rows with a flag differ in content and are skipped).
# Prints exact/total per direction and the first differences.
#   scripts/eval-translit.sh [path/to/az_cyrl_latn.udhr.tsv] [--release]
set -euo pipefail
cd "$(dirname "$0")/.."
TSV=""
CONF=debug
for a in "$@"; do
  case "$a" in
    --release) CONF=release ;;
    *) TSV="$a" ;;
  esac
done
if [ -z "$TSV" ]; then
  for d in /work/shared ../shared shared; do
    if [ -f "$d/corpora/udhr/az_cyrl_latn.udhr.tsv" ]; then TSV="$d/corpora/udhr/az_cyrl_latn.udhr.tsv"; break; fi
  done
fi
if [ -z "$TSV" ] || [ ! -f "$TSV" ]; then
  echo "eval-translit: the UDHR file az_cyrl_latn.udhr.tsv was not found (looked in /work/shared, ../shared, shared)" >&2
  exit 2
fi
swift build -c "$CONF" --product transliterate >/dev/null
BIN="$(swift build -c "$CONF" --show-bin-path)/transliterate"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# Unflagged rows: key, Cyrillic, Latin.
awk -F'\t' 'NR > 1 && $4 == "" { print $1 > K; print $2 > C; print $3 > L }' \
  K="$TMP/keys" C="$TMP/cyrl" L="$TMP/latn" "$TSV"
"$BIN" --scheme az-cyrl-latn --file "$TMP/cyrl" > "$TMP/cyrl2latn"
"$BIN" --scheme az-latn-cyrl --file "$TMP/latn" > "$TMP/latn2cyrl"

score() { # name got want
  local name="$1" got="$2" want="$3"
  local total exact
  total=$(wc -l < "$want")
  exact=$(paste -d '\t' "$got" "$want" | awk -F'\t' '$1 == $2' | wc -l)
  printf '%-14s exact %d/%d\n' "$name" "$exact" "$total"
  paste -d '\t' "$TMP/keys" "$got" "$want" | awk -F'\t' '$2 != $3' | head -n 5 | while IFS=$'\t' read -r key g w; do
    printf '  %s\n    got:  %s\n    want: %s\n' "$key" "$g" "$w"
  done
}
echo "UDHR az Cyrillic <-> Latin ($TSV; $(awk -F'\t' 'NR > 1 && $4 != ""' "$TSV" | wc -l) flagged rows skipped)"
score az-cyrl-latn "$TMP/cyrl2latn" "$TMP/latn"
score az-latn-cyrl "$TMP/latn2cyrl" "$TMP/cyrl"
# Baselines: what ICU alone gives (its az BGN; it has no az Latin->Cyrillic,
# so its generic Latin-Cyrillic stands in).
"$BIN" --icu Azerbaijani-Latin/BGN --file "$TMP/cyrl" > "$TMP/icu-c2l"
"$BIN" --icu Latin-Cyrillic --file "$TMP/latn" > "$TMP/icu-l2c"
base() {
  printf '%-14s exact %d/%d  (baseline: ICU %s)\n' "$1" \
    "$(paste -d '\t' "$2" "$3" | awk -F'\t' '$1 == $2' | wc -l)" "$(wc -l < "$3")" "$4"
}
base "  icu c->l" "$TMP/icu-c2l" "$TMP/latn" Azerbaijani-Latin/BGN
base "  icu l->c" "$TMP/icu-l2c" "$TMP/cyrl" Latin-Cyrillic
# Round trips of the official texts.
"$BIN" --scheme az-cyrl-latn --file "$TMP/latn2cyrl" > "$TMP/latn.rt"
rt=$(paste -d '\t' "$TMP/latn.rt" "$TMP/latn" | awk -F'\t' '$1 == $2' | wc -l)
printf '%-14s exact %d/%d\n' "latn round trip" "$rt" "$(wc -l < "$TMP/latn")"
