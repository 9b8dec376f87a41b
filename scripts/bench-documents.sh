#!/usr/bin/env bash
# Extraction and write-back of a generated 1,000-page DOCX, tm against pandoc and
# LibreOffice in one run, with ratios.
#   scripts/bench-documents.sh [PAGES]
# Needs pandoc and libreoffice-writer-nogui (Debian). Builds tm in release mode.
# Each command runs 3 times; the best wall time and its CPU time (user+sys, which
# is what to compare on a loaded machine) are printed.
#   extract: tm extract (DOCX -> segmented XLIFF 1.2) | pandoc -t plain | soffice --convert-to txt
#   write:   tm merge (XLIFF -> DOCX, every segment replaced) | pandoc md -> docx | soffice docx -> docx
#   round trip: tm pretranslate (read, segment, look up in a memory, write DOCX)
set -euo pipefail
cd "$(dirname "$0")/.."
PAGES="${1:-1000}"
W="$(mktemp -d /tmp/tm-bench-docs.XXXXXX)"
trap 'rm -rf "$W"' EXIT
swift build -c release --product tm >/dev/null
TM="$(swift build -c release --show-bin-path)/tm"
python3 scripts/gen-docx.py "$W/big.docx" "$PAGES"

# A translated XLIFF: every target = the source upper-cased (codes kept), so the
# write-back replaces every segment.
"$TM" extract "$W/big.docx" --from az --to ru -o "$W/big.xlf" 2>/dev/null
python3 - "$W/big.xlf" "$W/big.ru.xlf" <<'PY'
import re, sys
s = open(sys.argv[1], encoding="utf-8").read()
def tgt(m):
    src = m.group(1)
    up = re.sub(r">([^<]*)<", lambda t: ">" + t.group(1).upper() + "<", ">" + src + "<")[1:-1]
    return f"<source>{src}</source>\n<target state=\"translated\">{up}</target>"
open(sys.argv[2], "w", encoding="utf-8").write(re.sub(r"<source>(.*?)</source>", tgt, s, flags=re.S))
PY
pandoc "$W/big.docx" -t markdown -o "$W/big.md"
mkdir -p "$W/mem"
printf 'az\tru\torigin\tcreated\tscore\n' > "$W/mem/az-ru.tsv"
printf '%s\t%s\tbench\t2026-12-01T00:00:00Z\t\n' \
  "Bakıda yeni metro stansiyası açıldı." "В Баку открылась новая станция метро." \
  "Stansiya Xətai rayonunda yerləşir." "Станция расположена в Хатаинском районе." \
  "Tikinti 2019-cu ildə başlayıb." "Строительство началось в 2019 году." >> "$W/mem/az-ru.tsv"

python3 - "$W" "$TM" <<'PY'
import os, resource, subprocess, sys, time
W, TM = sys.argv[1], sys.argv[2]
def run(cmd):
    best = None
    for _ in range(3):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=W)
        wall = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if best is None or wall < best[0]: best = (wall, cpu)
    return best
so = ["soffice", "--headless", "-env:UserInstallation=file://" + W + "/lo-profile"]
cases = [
    ("extract", "tm extract docx -> xliff", [TM, "extract", "big.docx", "--from", "az", "--to", "ru", "-o", "x.xlf"]),
    ("extract", "pandoc docx -> plain", ["pandoc", "big.docx", "-t", "plain", "-o", "p.txt"]),
    ("extract", "soffice docx -> txt", so + ["--convert-to", "txt:Text", "--outdir", "lo", "big.docx"]),
    ("write", "tm merge xliff -> docx", [TM, "merge", "big.ru.xlf", "-o", "merged.docx"]),
    ("write", "pandoc markdown -> docx", ["pandoc", "big.md", "-o", "pandoc.docx"]),
    ("write", "soffice docx -> docx", so + ["--convert-to", "docx:MS Word 2007 XML", "--outdir", "lo2", "big.docx"]),
    ("round", "tm pretranslate docx -> docx", [TM, "pretranslate", "big.docx", "--from", "az", "--to", "ru", "--memories", "mem", "-o", "pre.docx"]),
]
size = os.path.getsize(os.path.join(W, "big.docx"))
print(f"big.docx: {size/1e6:.2f} MB zipped; machine load {os.getloadavg()[0]:.1f}")
res = {}
for group, name, cmd in cases:
    wall, cpu = run(cmd)
    res[name] = (wall, cpu)
    print(f"  {group:8s} {name:32s} wall {wall:7.2f} s   cpu {cpu:7.2f} s")
def ratio(a, b):
    (wa, ca), (wb, cb) = res[a], res[b]
    print(f"  {b} / {a}: wall {wb / wa:5.1f}x, cpu {cb / max(ca, 1e-9):5.1f}x")
print("ratios (peer / tm; >1 means tm is faster):")
ratio("tm extract docx -> xliff", "pandoc docx -> plain")
ratio("tm extract docx -> xliff", "soffice docx -> txt")
ratio("tm merge xliff -> docx", "pandoc markdown -> docx")
ratio("tm merge xliff -> docx", "soffice docx -> docx")
PY
# The merged DOCX really holds the upper-cased text and LibreOffice opens it.
timeout 300 soffice --headless "-env:UserInstallation=file://$W/lo-profile" --convert-to txt:Text --outdir "$W/chk" "$W/merged.docx" >/dev/null 2>&1 || true
grep -q 'BAKIDA YENI METRO' "$W/chk/merged.txt" 2>/dev/null && echo "merged.docx: LibreOffice shows the replaced text" || echo "merged.docx: NOT checked by LibreOffice"
