# Shared by scripts/check-tmx.sh and scripts/check-documents.sh: an OmegaT
# project on disk and a console-mode translation of it. Source it, then
#   omegat_project DIR SOURCE_LANG TARGET_LANG   (creates the folders and omegat.project)
#   omegat_translate DIR LOG                     (OmegaT console-translate, 300 s at most)
# OMEGAT_JAR may point to another OmegaT.jar (default: Debian's).
OMEGAT_JAR=${OMEGAT_JAR:-/usr/share/omegat/OmegaT.jar}

omegat_tokenizer() {
  case "$1" in
    en) echo org.omegat.tokenizer.LuceneEnglishTokenizer ;;
    ru) echo org.omegat.tokenizer.LuceneRussianTokenizer ;;
    az*) echo org.omegat.tokenizer.LuceneTurkishTokenizer ;; # OmegaT has no Azerbaijani one; Turkish shares its dotted/dotless i
    *) echo org.omegat.tokenizer.DefaultTokenizer ;;
  esac
}

omegat_project() {
  local dir=$1 src=$2 tgt=$3
  mkdir -p "$dir"/{source,target,tm/auto,omegat,glossary,dictionary}
  cat > "$dir/omegat.project" <<XML
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<omegat>
  <project version="1.0">
    <source_dir>__DEFAULT__</source_dir>
    <source_dir_excludes/>
    <target_dir>__DEFAULT__</target_dir>
    <tm_dir>__DEFAULT__</tm_dir>
    <glossary_dir>__DEFAULT__</glossary_dir>
    <glossary_file>__DEFAULT__</glossary_file>
    <dictionary_dir>__DEFAULT__</dictionary_dir>
    <source_lang>$src</source_lang>
    <target_lang>$tgt</target_lang>
    <source_tok>$(omegat_tokenizer "$src")</source_tok>
    <target_tok>$(omegat_tokenizer "$tgt")</target_tok>
    <sentence_seg>true</sentence_seg>
    <support_default_translations>true</support_default_translations>
    <remove_tags>false</remove_tags>
  </project>
</omegat>
XML
}

omegat_translate() {
  timeout 300 java -Djava.awt.headless=true -jar "$OMEGAT_JAR" "$1" --mode=console-translate > "$2" 2>&1
}
