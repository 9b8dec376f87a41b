#!/usr/bin/env python3
"""Evaluate `tm align` on the UDHR pairs in ../shared/corpora/udhr (and on
harder variants built from them), optionally beside NLTK's Gale-Church.

Modes per pair:
  seg     --segmented, one gold unit per line; scored on the jsonl ids.
  text    the same files as running text (our segmenter re-splits them);
          scored with score_align.py's --text mapping.
  paras   running text with a blank line between units (paragraphs).
  hard    --segmented on a variant where about one unit in ten is merged with
          its neighbour or dropped, on either side (fixed seed, see make_hard).
  hardp   the hard variants as running text, one paragraph per unit.
  dict    the learned dictionary: a memory made (with `tm import`) of the
          gold units of the first half; hard variants of the second half
          aligned without and with it (columns: strict F1 without, with).

Usage: align_eval.py --tm PATH/TO/tm --shared DIR [--baseline] [--tsv OUT]
                     [--modes seg,text,paras,hard]
"""
import argparse
import importlib.util
import json
import os
import random
import subprocess
import sys
import tempfile

PAIRS = [
    ("az-en", "src.az.txt", "tgt.en.txt", "az", "en"),
    ("az-ru", "src.az.txt", "tgt.ru.txt", "az", "ru"),
    ("azcyrl-en", "src.azcyrl.txt", "tgt.en.txt", "az-Cyrl", "en"),
    ("azcyrl-ru", "src.azcyrl.txt", "tgt.ru.txt", "az-Cyrl", "ru"),
    ("ru-en", "src.ru.txt", "tgt.en.txt", "ru", "en"),
]


def load_scorer(shared):
    spec = importlib.util.spec_from_file_location("score_align", os.path.join(shared, "score_align.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return f.read().split("\n")[:-1] if f.seek(0) is not None else []


def lines_of(path):
    with open(path, encoding="utf-8") as f:
        t = f.read()
    if t.endswith("\n"):
        t = t[:-1]
    return t.split("\n")


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def make_hard(src, tgt, gold, seed, rate=0.1):
    """About one gold bead in ten (1-1 only) is changed, on a random side:
    half the changes merge the unit with the next bead's unit into one line
    (a 2-1 / 1-2 in the new gold), half drop the unit (a 1-0 / 0-1)."""
    rng = random.Random(seed)
    new_src, new_tgt, new_gold = [], [], []
    k = 0
    while k < len(gold):
        s, t = gold[k]
        r = rng.random()
        simple = len(s) == 1 and len(t) == 1
        nxt = gold[k + 1] if k + 1 < len(gold) else None
        nxt_simple = nxt is not None and len(nxt[0]) == 1 and len(nxt[1]) == 1
        if simple and r < rate / 2 and nxt_simple:
            # merge the units of beads k and k+1 on one side
            side = rng.choice("st")
            si, ti = len(new_src), len(new_tgt)
            if side == "s":
                new_src.append(src[s[0]] + " " + src[nxt[0][0]])
                new_tgt += [tgt[t[0]], tgt[nxt[1][0]]]
                new_gold.append(((si,), (ti, ti + 1)))
            else:
                new_src += [src[s[0]], src[nxt[0][0]]]
                new_tgt.append(tgt[t[0]] + " " + tgt[nxt[1][0]])
                new_gold.append(((si, si + 1), (ti,)))
            k += 2
            continue
        if simple and r < rate:
            side = rng.choice("st")
            if side == "s":
                new_gold.append(((), (len(new_tgt),)))
                new_tgt.append(tgt[t[0]])
            else:
                new_gold.append(((len(new_src),), ()))
                new_src.append(src[s[0]])
            k += 1
            continue
        ns = tuple(range(len(new_src), len(new_src) + len(s)))
        nt = tuple(range(len(new_tgt), len(new_tgt) + len(t)))
        new_src += [src[i] for i in s]
        new_tgt += [tgt[j] for j in t]
        new_gold.append((ns, nt))
        k += 1
    return new_src, new_tgt, new_gold


def gold_text(beads):
    return "".join(",".join(map(str, s)) + "\t" + ",".join(map(str, t)) + "\n" for s, t in beads)


def run_tm(tm, src, tgt, lf, lt, segmented, fmt, workdir):
    args = [tm, "align", src, tgt, "--from", lf, "--to", lt, "--dry-run", "--format", fmt,
            "--memories", os.path.join(workdir, "no-memories")]
    if segmented:
        args.append("--segmented")
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"tm align failed ({r.returncode}): {r.stderr}")
    return r.stdout


def jsonl_to_beads(out):
    beads = []
    for line in out.splitlines():
        if line.strip():
            o = json.loads(line)
            beads.append((tuple(o["source_ids"]), tuple(o["target_ids"])))
    return beads


def gale_church(src, tgt):
    from nltk.translate import gale_church as gc
    gc.MAX_ALIGN_BLOCKS = max(getattr(gc, "MAX_ALIGN_BLOCKS", 0), len(src), len(tgt)) + 1
    links = gc.align_blocks([max(1, len(s)) for s in src], [max(1, len(t)) for t in tgt])
    # Links -> beads: connected components; unlinked units are null beads.
    parent = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for a, b in links:
        parent[find(("s", a))] = find(("t", b))
    groups = {}
    for a, b in links:
        groups.setdefault(find(("s", a)), (set(), set()))
    for a, b in links:
        g = groups[find(("s", a))]
        g[0].add(a)
        g[1].add(b)
    beads = [(tuple(sorted(s)), tuple(sorted(t))) for s, t in groups.values()]
    linked_s = {a for a, _ in links}
    linked_t = {b for _, b in links}
    beads += [((i,), ()) for i in range(len(src)) if i not in linked_s]
    beads += [((), (j,)) for j in range(len(tgt)) if j not in linked_t]
    return beads


def score(sc, gold, pred):
    c = sc.Counter()
    c.add(gold, pred)
    s = c.scores()
    return s["strict"]["f1"], s["lax"]["f1"], s["link"]["f1"]


def dict_mode(a, sc, name, src, tgt, gold, lf, lt, work):
    """Strict F1 on hard variants of the second half, without and with a
    memory holding the gold units of the first half."""
    half = len(gold) // 2
    train, test = gold[:half], gold[half:]
    d = os.path.join(work, "dict-" + name)
    os.makedirs(os.path.join(d, "M"), exist_ok=True)
    write(os.path.join(d, "train.tsv"), "".join(
        " ".join(src[i] for i in s) + "\t" + " ".join(tgt[j] for j in t) + "\n" for s, t in train if s and t))
    order = ["az", "az-Cyrl", "ru", "en"]
    mem = os.path.join(d, "M", "-".join(sorted([lf, lt], key=order.index)) + ".tsv")
    r = subprocess.run([a.tm, "import", os.path.join(d, "train.tsv"), "--from", lf, "--to", lt, "--memory", mem],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return None
    s0 = min(i for s, t in test for i in s)
    t0 = min(j for s, t in test for j in t)
    ts, tt = src[s0:], tgt[t0:]
    tg = [(tuple(i - s0 for i in s), tuple(j - t0 for j in t)) for s, t in test]
    out = []
    for mdir in (os.path.join(d, "none"), os.path.join(d, "M")):
        tot = 0.0
        seeds = [int(x) for x in a.seeds.split(",")]
        for seed in seeds:
            hs, ht, hg = make_hard(ts, tt, tg, seed)
            write(os.path.join(d, "s"), "\n".join(hs) + "\n")
            write(os.path.join(d, "t"), "\n".join(ht) + "\n")
            args = [a.tm, "align", os.path.join(d, "s"), os.path.join(d, "t"), "--from", lf, "--to", lt,
                    "--segmented", "--dry-run", "--format", "jsonl", "--memories", mdir]
            pred = jsonl_to_beads(subprocess.run(args, capture_output=True, text=True).stdout)
            tot += score(sc, hg, pred)[0]
        out.append(tot / len(seeds))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tm", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--baseline", action="store_true", help="also run NLTK Gale-Church")
    ap.add_argument("--modes", default="seg,text,paras,hard,hardp,dict")
    ap.add_argument("--tsv", help="write the scores here (pair, mode, metric, value)")
    ap.add_argument("--seeds", default="1,2,3")
    a = ap.parse_args()
    sc = load_scorer(a.shared)
    udhr = os.path.join(a.shared, "corpora", "udhr")
    modes = a.modes.split(",")
    rows = []
    work = tempfile.mkdtemp(prefix="tm-align-eval-")
    hdr = f"{'pair':10} {'mode':6} {'strict':>7} {'lax':>7} {'link':>7}"
    if a.baseline:
        hdr += f"   {'GC strict':>9} {'GC lax':>7} {'GC link':>7}"
    print(hdr)
    for name, sf, tf, lf, lt in PAIRS:
        d = os.path.join(udhr, name)
        src, tgt = lines_of(os.path.join(d, sf)), lines_of(os.path.join(d, tf))
        gold = sc.read_beads(os.path.join(d, "gold.tsv"))
        for mode in modes:
            if mode == "dict":
                r = dict_mode(a, sc, name, src, tgt, gold, lf, lt, work)
                if r is None:
                    print(f"{name:10} dict   (tm import cannot write memories in this build)")
                else:
                    print(f"{name:10} dict   without {r[0]:.4f}  with the learned dictionary {r[1]:.4f}")
                    rows += [(name, "dict", "without", r[0]), (name, "dict", "with", r[1])]
                continue
            cases = []
            if mode == "seg":
                cases.append((os.path.join(d, sf), os.path.join(d, tf), gold, src, tgt, True, None))
            elif mode == "text":
                cases.append((os.path.join(d, sf), os.path.join(d, tf), gold, src, tgt, False, None))
            elif mode == "paras":
                ps, pt = os.path.join(work, f"{name}.src.p"), os.path.join(work, f"{name}.tgt.p")
                write(ps, "\n\n".join(src) + "\n")
                write(pt, "\n\n".join(tgt) + "\n")
                cases.append((ps, pt, gold, src, tgt, False, None))
            elif mode in ("hard", "hardp"):
                for seed in [int(x) for x in a.seeds.split(",")]:
                    hs, ht, hg = make_hard(src, tgt, gold, seed)
                    ps, pt = os.path.join(work, f"{name}.{seed}.src"), os.path.join(work, f"{name}.{seed}.tgt")
                    sep = "\n" if mode == "hard" else "\n\n"
                    write(ps, sep.join(hs) + "\n")
                    write(pt, sep.join(ht) + "\n")
                    write(os.path.join(work, f"{name}.{seed}.gold"), gold_text(hg))
                    cases.append((ps, pt, hg, hs, ht, mode == "hard", seed))
            tot = [0.0, 0.0, 0.0]
            gtot = [0.0, 0.0, 0.0]
            for ps, pt, g, us, ut, segmented, seed in cases:
                if segmented:
                    pred = jsonl_to_beads(run_tm(a.tm, ps, pt, lf, lt, True, "jsonl", work))
                else:
                    out = run_tm(a.tm, ps, pt, lf, lt, False, "tsv", work)
                    pf = os.path.join(work, "pred.tsv")
                    write(pf, "\n".join("\t".join(l.split("\t")[:2]) for l in out.splitlines()) + "\n")
                    pred = sc.text_to_beads(pf, us, ut, lambda w: None)
                r = score(sc, g, pred)
                tot = [x + y for x, y in zip(tot, r)]
                if a.baseline:
                    gr = score(sc, g, gale_church(us, ut))
                    gtot = [x + y for x, y in zip(gtot, gr)]
            k = len(cases)
            r = [x / k for x in tot]
            line = f"{name:10} {mode:6} {r[0]:7.4f} {r[1]:7.4f} {r[2]:7.4f}"
            rows += [(name, mode, m, v) for m, v in zip(("strict", "lax", "link"), r)]
            if a.baseline:
                g = [x / k for x in gtot]
                line += f"   {g[0]:9.4f} {g[1]:7.4f} {g[2]:7.4f}"
                rows += [(name, mode, "gc-" + m, v) for m, v in zip(("strict", "lax", "link"), g)]
            print(line, flush=True)
    if a.tsv:
        write(a.tsv, "".join(f"{p}\t{m}\t{k}\t{v:.4f}\n" for p, m, k, v in rows))


if __name__ == "__main__":
    main()
