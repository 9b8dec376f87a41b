#!/usr/bin/env bash
# Text throughput, ours against peers, on the same ~10 MB of real Russian text:
#   transliteration: `transliterate --icu Russian-Latin/BGN`, `--scheme ru-latn-bgn`
#                    vs `uconv -x Russian-Latin/BGN` and PyICU's Transliterator;
#   segmentation:    `tm segment FILE --lang ru` vs PyICU's sentence BreakIterator.
# Prints MB/s (input bytes / best wall time of 5 runs) and ratios ours / peer
# (> 1: ours is faster). Installs its peers by package name when missing.
#   scripts/bench-text.sh [--mb 10] [--runs 5]
set -euo pipefail
cd "$(dirname "$0")/.."
MB=10
RUNS=5
while [ $# -gt 0 ]; do
  case "$1" in
    --mb) MB="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    *) echo "usage: $0 [--mb N] [--runs N]" >&2; exit 2 ;;
  esac
done

apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "$@" >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "$@" >/dev/null 2>&1; }
}
# Peers: uconv (icu-devtools), PyICU (pip, builds against libicu-dev).
command -v uconv >/dev/null || { echo "== installing icu-devtools (uconv)"; apt_install icu-devtools || true; }
PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import icu' 2>/dev/null; then
  echo "== installing PyICU (pip; needs pkg-config and libicu-dev)"
  command -v pkg-config >/dev/null && [ -f /usr/include/unicode/utypes.h ] || apt_install pkg-config libicu-dev || true
  "$PYTHON" -m pip install -q PyICU >/dev/null 2>&1 || echo "   PyICU could not be installed: its columns are skipped"
fi

echo "== building release"
swift build -c release >/dev/null
BIN="$(swift build -c release --show-bin-path)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# ~MB of real Russian: the ru strings of the machine's gettext catalogues
# (/usr/share/locale/ru/LC_MESSAGES/*.mo, joined into paragraph-like lines)
# and the Russian UDHR, repeated until the size is reached.
SHARED=""
for d in /work/shared ../shared shared; do [ -d "$d/corpora" ] && { SHARED="$d"; break; }; done
"$PYTHON" - "$TMP/ru.txt" "$MB" "$SHARED" <<'PY'
import glob, gettext, os, sys, re
out, mb, shared = sys.argv[1], float(sys.argv[2]), sys.argv[3]
cyr = re.compile('[а-яё]', re.I)
strings, seen = [], set()
for mo in sorted(glob.glob('/usr/share/locale/ru/LC_MESSAGES/*.mo')):
    try:
        with open(mo, 'rb') as f:
            cat = gettext.GNUTranslations(f)._catalog
    except Exception:
        continue
    for k, v in cat.items():
        if not k or not isinstance(v, str) or not cyr.search(v):
            continue
        v = ' '.join(v.split())
        if len(v) > 8 and v not in seen:
            seen.add(v); strings.append(v)
paras, cur = [], []
for s in strings:
    cur.append(s)
    if sum(len(x) for x in cur) > 400:
        paras.append(' '.join(cur)); cur = []
if cur: paras.append(' '.join(cur))
src = 'gettext catalogues: %d ru strings' % len(strings)
udhr = os.path.join(shared, 'corpora/udhr/ru-en/src.ru.txt') if shared else ''
if udhr and os.path.exists(udhr):
    paras += open(udhr, encoding='utf-8').read().splitlines()
    src += ' + UDHR ru'
if not paras:
    sys.exit('bench-text: no Russian text found (no ru .mo catalogues, no shared UDHR)')
block = '\n'.join(paras) + '\n'
target = int(mb * 1_000_000)
with open(out, 'w', encoding='utf-8') as f:
    n = 0
    while n < target:
        f.write(block); n += len(block.encode('utf-8'))
print('== text: %.2f MB, %d distinct paragraphs (%s)' % (n / 1e6, len(paras), src))
PY

"$PYTHON" - "$TMP" "$BIN" "$RUNS" <<'PY'
import os, subprocess, sys, time
tmp, bin_, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
text = os.path.join(tmp, 'ru.txt')
size = os.path.getsize(text) / 1e6

def run_once(cmd, out):
    with open(text, 'rb') as i, open(out, 'wb') as o:
        t = time.perf_counter()
        r = subprocess.run(cmd, stdin=i, stdout=o, stderr=subprocess.PIPE)
        return time.perf_counter() - t, r

def best_of(jobs):
    """jobs: name -> (cmd, out). Runs them round-robin `runs` times (so that
    load from other processes hits all alike); best time each, or an error."""
    times, errors = {n: [] for n in jobs}, {}
    for _ in range(runs):
        for n, (cmd, out) in jobs.items():
            if n in errors:
                continue
            try:
                t, r = run_once(cmd, out)
            except OSError as e:  # the peer is not installed
                errors[n] = [str(e)]
                continue
            if r.returncode != 0:
                lines = r.stderr.decode('utf-8', 'replace').strip().splitlines()
                errors[n] = ([l for l in lines if 'rror' in l] or lines)[:1] + ['(exit %d)' % r.returncode]
            else:
                times[n].append(t)
    return {n: (min(times[n]) if n not in errors else None, errors.get(n)) for n in jobs}

def py_job(name, code, out):
    prog = os.path.join(tmp, name + '.py')
    open(prog, 'w').write(code)
    return ([sys.executable, prog, text, out], os.devnull)

results = {}
def row(name, t, err=None):
    if t is None:
        print('  %-44s %s' % (name, 'not available: ' + (' '.join(err) if err else '')))
    else:
        results[name] = size / t
        print('  %-44s %7.3f s  %7.1f MB/s' % (name, t, size / t))

def ratio(a, b):
    if a in results and b in results:
        print('  %-44s %.2fx' % ('%s / %s' % (a, b), results[a] / results[b]))

print('== transliteration, Russian-Latin/BGN (best of %d, round-robin)' % runs)
jobs = {
    'ours transliterate --icu Russian-Latin/BGN': ([os.path.join(bin_, 'transliterate'), '--icu', 'Russian-Latin/BGN'], os.path.join(tmp, 'ours-icu.txt')),
    'ours transliterate --scheme ru-latn-bgn': ([os.path.join(bin_, 'transliterate'), '--scheme', 'ru-latn-bgn'], os.path.join(tmp, 'ours-scheme.txt')),
    'uconv -x Russian-Latin/BGN': (['uconv', '-f', 'utf-8', '-t', 'utf-8', '-x', 'Russian-Latin/BGN'], os.path.join(tmp, 'uconv.txt')),
}
try:
    import icu  # noqa: F401
    jobs['PyICU Transliterator (per line)'] = py_job('pytr', '''import sys, icu
tr = icu.Transliterator.createInstance("Russian-Latin/BGN")
with open(sys.argv[1], encoding="utf-8") as f, open(sys.argv[2], "w", encoding="utf-8") as o:
    for line in f:
        o.write(tr.transliterate(line))
''', os.path.join(tmp, 'pyicu.txt'))
except ImportError:
    row('PyICU Transliterator (per line)', None, ['PyICU is not installed'])
for n, (t, e) in best_of(jobs).items():
    row(n, t, e)
ratio('ours transliterate --icu Russian-Latin/BGN', 'uconv -x Russian-Latin/BGN')
ratio('ours transliterate --scheme ru-latn-bgn', 'uconv -x Russian-Latin/BGN')
ratio('ours transliterate --icu Russian-Latin/BGN', 'PyICU Transliterator (per line)')
a, b = os.path.join(tmp, 'ours-icu.txt'), os.path.join(tmp, 'uconv.txt')
if os.path.exists(a) and os.path.exists(b):
    same = open(a, 'rb').read() == open(b, 'rb').read()
    print('  output of ours --icu and uconv: %s' % ('byte-identical' if same else 'DIFFERENT'))
a = os.path.join(tmp, 'ours-scheme.txt')
if os.path.exists(a) and os.path.exists(b):
    x, y = open(a, encoding='utf-8').read().split('\n'), open(b, encoding='utf-8').read().split('\n')
    diff = sum(1 for p, q in zip(x, y) if p != q)
    print('  lines where --scheme ru-latn-bgn differs from ICU BGN: %d of %d' % (diff, len(y)))

print('== sentence segmentation, ru (best of %d, round-robin)' % runs)
jobs = {'ours tm segment --lang ru': ([os.path.join(bin_, 'tm'), 'segment', text, '--lang', 'ru'], os.path.join(tmp, 'seg.txt'))}
try:
    import icu  # noqa: F401
    jobs['PyICU sentence BreakIterator'] = py_job('pyseg', '''import sys, icu
text = open(sys.argv[1], encoding="utf-8").read()
bi = icu.BreakIterator.createSentenceInstance(icu.Locale("ru"))
u = icu.UnicodeString(text)
bi.setText(u)
out, start = [], 0
for end in bi:
    out.append(str(u[start:end]).strip()); start = end
open(sys.argv[2], "w", encoding="utf-8").write("\\n".join(out))
''', os.path.join(tmp, 'pyseg.txt'))
except ImportError:
    row('PyICU sentence BreakIterator', None, ['PyICU is not installed'])
for n, (t, e) in best_of(jobs).items():
    row(n, t, e)
ratio('ours tm segment --lang ru', 'PyICU sentence BreakIterator')
if 'ours tm segment --lang ru' in results:
    v = results['ours tm segment --lang ru']
    print('  segmentation target >= 100 MB/s: %s (%.1f MB/s)' % ('met' if v >= 100 else 'NOT met', v))
PY
