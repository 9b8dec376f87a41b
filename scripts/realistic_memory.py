#!/usr/bin/env python3
"""A realistic en->ru memory and a realistic query mix, for the lookup
benchmarks (bench_serve.py, and by hand: `realistic_memory.py N OUT.tsv QUERIES.txt`).

Memory: the gettext catalogs Debian ships (English msgid -> Russian msgstr,
bench_lookup.py's reader) plus the UDHR (en -> ru, one paragraph a unit, from
/work/shared/corpora/udhr); larger sizes are grown with variants of those
units (one word replaced by another word of the corpus, or dropped; fixed
seed), as bench_lookup.py does.

Queries (fixed seed), a mix a CAT tool sends:
- exact: a unit's source as stored;
- near-exact: a unit's source with its case, final punctuation or spacing changed;
- fuzzy: a unit's source with one or two words replaced or dropped;
- unrelated: held-out msgids (never in the memory) and sentences made of
  random corpus words;
- short: one to three words (UI strings: "Save As", "Open file").
"""
import importlib.util
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
UDHR = os.path.join(HERE, "..", "..", "shared", "corpora", "udhr", "ru-en")
if not os.path.isdir(UDHR):
    UDHR = "/work/shared/corpora/udhr/ru-en"


def _bench_lookup():
    argv = sys.argv
    sys.argv = [argv[0], "", "/tmp/tm-realistic-helpers", "1"]
    spec = importlib.util.spec_from_file_location("bench_lookup", os.path.join(HERE, "bench_lookup.py"))
    bl = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bl)
    sys.argv = argv
    return bl


def udhr_pairs():
    """(en, ru) paragraphs of the UDHR, by the gold beads."""
    try:
        ru = open(os.path.join(UDHR, "src.ru.txt"), encoding="utf-8").read().split("\n")
        en = open(os.path.join(UDHR, "tgt.en.txt"), encoding="utf-8").read().split("\n")
        out = []
        for line in open(os.path.join(UDHR, "gold.tsv"), encoding="utf-8"):
            a, _, b = line.rstrip("\n").partition("\t")
            if not a or not b or "," in a or "," in b or a.startswith("#"):
                continue
            try:
                r, e = ru[int(a)].strip(), en[int(b)].strip()
            except (ValueError, IndexError):
                continue
            if r and e:
                out.append((e, r))
        return out
    except OSError:
        return []


def build(n, seed=20261201):
    """(units, queries): units (en, ru, az, origin); queries [(kind, text)]."""
    bl = _bench_lookup()
    rng = random.Random(seed)
    pairs = bl.load_pairs()
    rng.shuffle(pairs)
    held = [p[0] for p in pairs[:2000] if len(p[0].split()) >= 3]
    base = [(en, ru, az) for en, ru, az in pairs[2000:]] + [(e, r, "") for e, r in udhr_pairs()]
    vocab = sorted({w for p in base for w in p[0].split(" ") if w.isalpha() and len(w) > 2})
    units, k = [], 0
    while len(units) < n:
        for en, ru, az in base:
            if len(units) >= n:
                break
            units.append((en, ru, az, "mo") if k == 0 else (bl.vary(en, rng, vocab), ru, az, f"variant{k}"))
        k += 1
    qr = random.Random(seed + n)
    real = [u[0] for u in units[: min(n, len(base))]]
    longer = [s for s in real if len(s.split()) >= 4 and "\n" not in s and "\t" not in s]
    short = [s for s in real if 1 <= len(s.split()) <= 3 and "\n" not in s and "\t" not in s]
    queries = []
    for s in qr.sample(longer, 100):
        queries.append(("exact", s))
    for s in qr.sample(longer, 100):
        c = qr.randrange(3)
        if c == 0:
            t = s.lower() if s != s.lower() else s.upper()
        elif c == 1:
            t = s.rstrip(".!?:") if s[-1:] in ".!?:" else s + "."
        else:
            t = s.replace(" ", "  ", 1)
        queries.append(("near-exact", t))
    for s in qr.sample(longer, 200):
        t = bl.vary(s, qr, vocab)
        if qr.random() < 0.5:
            t = bl.vary(t, qr, vocab)
        queries.append(("fuzzy", t))
    for s in qr.sample(held, min(50, len(held))):
        queries.append(("unrelated", s))
    for _ in range(50):
        queries.append(("unrelated", " ".join(qr.choice(vocab) for _ in range(qr.randint(4, 12)))))
    for s in qr.sample(short, 100):
        queries.append(("short", s))
    queries = [(k, q) for k, q in queries if q.strip() and "\n" not in q and "\t" not in q]
    qr.shuffle(queries)
    return units, queries


def main():
    n, out, qpath = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    bl = _bench_lookup()
    units, queries = build(n)
    if not os.path.exists(out):
        bl.write_memory(out + ".tmp", units)
        os.rename(out + ".tmp", out)
    with open(qpath, "w", encoding="utf-8") as f:
        for _, q in queries:
            f.write(q + "\n")
    print(f"{len(units)} units, {len(queries)} queries", file=sys.stderr)


if __name__ == "__main__":
    main()
