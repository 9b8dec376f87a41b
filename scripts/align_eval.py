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


def gettext_units(locale_dir="/usr/share/locale", lang="ru"):
    """(English msgid, translated msgstr) pairs from the gettext catalogs
    installed on this machine (`LOCALE/LANG/LC_MESSAGES/*.mo`), in catalog
    order, each message on one line, each pair once. Plural forms give their
    first form; the header entry is left out."""
    import gettext
    import glob
    seen = set()
    out = []
    for f in sorted(glob.glob(os.path.join(locale_dir, lang, "LC_MESSAGES", "*.mo"))):
        try:
            with open(f, "rb") as fh:
                cat = gettext.GNUTranslations(fh)._catalog
        except Exception:
            continue
        for k, v in cat.items():
            if isinstance(k, tuple):
                if k[1] != 0:
                    continue
                k = k[0]
            k = " ".join(str(k).split("\x04")[-1].split())  # without its msgctxt
            v = " ".join(str(v).split())
            if not k or not v or (k, v) in seen:
                continue
            seen.add((k, v))
            out.append((k, v))
    return out


def gettext_document(units, n, seed=11, recur=0.15, damage=0.12):
    """A document of about `n` lines a side made of real gettext messages,
    one per line: runs of consecutive catalog messages, and every so often a
    passage (20-200 messages) that already appeared earlier, repeated
    (recurring passages make up about `recur` of the lines). Then about
    `damage` of the 1-1 beads are damaged (half merged with the next
    message on one side: 2-1/1-2; half dropped on one side: 1-0/0-1; see
    make_hard). Returns (source lines, target lines, gold beads)."""
    rng = random.Random(seed)
    seq = []  # indices into units
    pos = 0
    while len(seq) < n:
        if len(seq) > 400 and rng.random() < recur / (1 - recur) / 60:
            ln = rng.randint(20, 200)
            start = rng.randrange(0, len(seq) - ln)
            seq += seq[start:start + ln]
            continue
        seq.append(pos % len(units))
        pos += 1
    seq = seq[:n]
    src = [units[k][0] for k in seq]
    tgt = [units[k][1] for k in seq]
    return make_hard(src, tgt, [((i,), (i,)) for i in range(len(seq))], seed, rate=damage)


def make_gettext_main(argv):
    """align_eval.py --make-gettext N OUT [SEED]: writes OUT.en, OUT.ru, OUT.gold."""
    n, out = int(argv[0]), argv[1]
    seed = int(argv[2]) if len(argv) > 2 else 11
    units = gettext_units()
    if len(units) < 1000:
        raise SystemExit("align_eval: fewer than 1000 en-ru gettext messages under /usr/share/locale")
    # Merges take about 6% of the lines away: start with that many more.
    s, t, g = gettext_document(units, round(n * 1.064), seed)
    write(out + ".en", "\n".join(s) + "\n")
    write(out + ".ru", "\n".join(t) + "\n")
    write(out + ".gold", gold_text(g))


# --------------------------------------------------------------------------- benchmark
def timed(args, stdout_path):
    """Runs args under /usr/bin/time -v; returns (user+sys s, wall s, peak MB, rc)."""
    tf = stdout_path + ".time"
    with open(stdout_path, "w") as out:
        r = subprocess.run(["/usr/bin/time", "-v", "-o", tf] + args, stdout=out, stderr=subprocess.PIPE, text=True)
    info = {}
    for l in open(tf):
        if ":" in l:
            k, v = l.strip().rsplit(": ", 1) if ": " in l else (l, "")
            info[k.strip()] = v.strip()
    cpu = float(info.get("User time (seconds)", 0)) + float(info.get("System time (seconds)", 0))
    w = info.get("Elapsed (wall clock) time (h:mm:ss or m:ss)", "0:0")
    parts = [float(x) for x in w.split(":")]
    wall = parts[-1] + 60 * parts[-2] + (3600 * parts[-3] if len(parts) > 2 else 0)
    mb = int(info.get("Maximum resident set size (kbytes)", 0)) // 1024
    return cpu, wall, mb, r.returncode, r.stderr


def ladder_to_beads(text):
    """hunalign's ladder (`i<TAB>j<TAB>score`, the last rung at the ends)
    as beads between consecutive rungs."""
    rungs = [tuple(int(x) for x in l.split("\t")[:2]) for l in text.splitlines() if l.strip()]
    beads = []
    for (i0, j0), (i1, j1) in zip(rungs, rungs[1:]):
        if i1 > i0 or j1 > j0:
            beads.append((tuple(range(i0, i1)), tuple(range(j0, j1))))
    return beads


def run_tool(tool, binary, src, tgt, lf, lt, work, tag):
    """Aligns src/tgt with one tool; returns (beads, cpu, wall, MB)."""
    out = os.path.join(work, tag + "." + tool)
    if tool == "tm":
        args = [binary, "align", src, tgt, "--from", lf, "--to", lt, "--segmented", "--dry-run",
                "--format", "jsonl", "--memories", os.path.join(work, "no-memories")]
        cpu, wall, mb, rc, err = timed(args, out)
        if rc != 0:
            raise SystemExit(f"tm align failed: {err}")
        return jsonl_to_beads(open(out, encoding="utf-8").read()), cpu, wall, mb
    if tool == "hunalign":
        dic = os.path.join(work, "empty.dic")
        write(dic, "")
        cpu, wall, mb, rc, err = timed([binary, dic, src, tgt, "-utf"], out)
        if rc != 0:
            return None, cpu, wall, mb
        return ladder_to_beads(open(out).read()), cpu, wall, mb
    if tool == "gale-church":
        import time
        import resource
        s, t = lines_of(src), lines_of(tgt)
        t0 = time.process_time()
        w0 = time.time()
        beads = gale_church(s, t)
        return beads, time.process_time() - t0, time.time() - w0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def cut(src, tgt, gold, pieces):
    """The document cut at gold bead boundaries into `pieces` parts:
    [(src lines, tgt lines, gold beads renumbered, source offset, target offset)]."""
    out = []
    step = (len(gold) + pieces - 1) // pieces
    for k in range(0, len(gold), step):
        part = gold[k:k + step]
        s0 = min((i for b in gold[k:] for i in b[0]), default=len(src))
        t0 = min((j for b in gold[k:] for j in b[1]), default=len(tgt))
        s1 = max((i for b in part for i in b[0]), default=s0 - 1) + 1
        t1 = max((j for b in part for j in b[1]), default=t0 - 1) + 1
        g = [(tuple(i - s0 for i in a), tuple(j - t0 for j in b)) for a, b in part]
        out.append((src[s0:s1], tgt[t0:t1], g, s0, t0))
    return out


def bench_main(argv):
    """align_eval.py --bench --tm TM --shared DIR [--hunalign BIN] [--sizes 1000,10000,100000]"""
    ap = argparse.ArgumentParser()
    ap.add_argument("--tm", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--hunalign")
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--gc-max", type=int, default=2000, help="NLTK Gale-Church only up to this many lines (O(n*m) in Python)")
    ap.add_argument("--hunalign-max", type=int, default=20000,
                    help="hunalign on whole documents only up to this many lines (its README: chop longer ones, "
                         "partialAlign.py); longer ones it gets in the ten pieces")
    a = ap.parse_args(argv)
    sc = load_scorer(a.shared)
    work = tempfile.mkdtemp(prefix="tm-align-bench-")
    units = gettext_units()
    have_gc = importlib.util.find_spec("nltk") is not None
    tools = [("tm", a.tm)] + ([("hunalign", a.hunalign)] if a.hunalign else []) + ([("gale-church", None)] if have_gc else [])
    print(f"en-ru gettext material: {len(units)} catalog messages from /usr/share/locale/ru; "
          "~88% 1-1, the rest 2-1/1-2/1-0/0-1, ~15% of lines in recurring passages")
    print(f"{'material':24} {'lines':>7} {'tool':12} {'cpu s':>7} {'wall s':>7} {'MB':>6} {'strict':>7}   ratios vs tm (cpu, strict)")
    rows = {}

    def report(name, n, results):
        base = results.get("tm")
        for tool, r in results.items():
            if r is None:
                why = "O(n*m)" if tool == "gale-church" else "too long whole; see the pieces"
                print(f"{name:24} {n:7} {tool:12}   (not run: {why})")
                continue
            f1, cpu, wall, mb = r
            ratio = ""
            if base and tool != "tm":
                ratio = f"   {cpu / max(base[1], 1e-3):6.2f}x  {f1 - base[0]:+.4f}"
            print(f"{name:24} {n:7} {tool:12} {cpu:7.2f} {wall:7.2f} {mb:6} {f1:7.4f}{ratio}", flush=True)
            rows[(name, n, tool)] = r

    def one(name, src, tgt, gold, tag, lf="en", lt="ru"):
        ps, pt = os.path.join(work, tag + ".s"), os.path.join(work, tag + ".t")
        write(ps, "\n".join(src) + "\n")
        write(pt, "\n".join(tgt) + "\n")
        res = {}
        for tool, binary in tools:
            if tool == "gale-church" and max(len(src), len(tgt)) > a.gc_max or \
                    tool == "hunalign" and max(len(src), len(tgt)) > a.hunalign_max:
                res[tool] = None
                continue
            beads, cpu, wall, mb = run_tool(tool, binary, ps, pt, lf, lt, work, tag)
            golds = gold if isinstance(gold[0], list) else [gold]
            f1 = max(score(sc, x, beads)[0] for x in golds) if beads is not None else 0.0
            res[tool] = (f1, cpu, wall, mb)
        report(name, max(len(src), len(tgt)), res)
        return res

    for n in [int(x) for x in a.sizes.split(",")]:
        s, t, g = gettext_document(units, round(n * 1.064), 11)
        one("gettext", s, t, g, f"g{n}")
        if n >= 20000:
            # The same document in ten pieces aligned one by one: the
            # figure a long document must stay within 0.01 of.
            res = {}
            for tool, binary in tools:
                if tool == "gale-church":
                    continue
                allb, cpu, wall, mb = [], 0.0, 0.0, 0
                for k, (ps_, pt_, pg, s0, t0) in enumerate(cut(s, t, g, 10)):
                    fs, ft = os.path.join(work, f"piece{k}.s"), os.path.join(work, f"piece{k}.t")
                    write(fs, "\n".join(ps_) + "\n")
                    write(ft, "\n".join(pt_) + "\n")
                    beads, c, w, m = run_tool(tool, binary, fs, ft, "en", "ru", work, f"piece{k}")
                    cpu, wall, mb = cpu + c, wall + w, max(mb, m)
                    if beads is None:
                        allb = None
                        break
                    allb += [(tuple(i + s0 for i in x), tuple(j + t0 for j in y)) for x, y in beads]
                res[tool] = (score(sc, g, allb)[0] if allb is not None else 0.0, cpu, wall, mb)
            report("gettext in 10 pieces", n, res)
    # Derailers, at 10,000 lines: a 1,000-line block on one side only; the
    # target's two halves swapped (the right answer: one long 0-1 run, the
    # aligned half, one long 1-0 run).
    s, t, g = gettext_document(units, 10000, 13)
    half = len(g) // 2
    s0 = min(i for b in g[half:] for i in b[0])
    t0 = min(j for b in g[half:] for j in b[1])
    extra = gettext_document(units[len(units) // 2:], 1000, 5, recur=0, damage=0)[1]
    ins_t = t[:t0] + extra + t[t0:]
    ins_g = g[:half] + [((), (t0 + k,)) for k in range(1000)] + [(a_, tuple(j + 1000 for j in b_)) for a_, b_ in g[half:]]
    one("1000 lines inserted", s, ins_t, ins_g, "ins")
    sw_t = t[t0:] + t[:t0]
    nt2 = len(t) - t0
    # Gold for swapped halves: the first source half pairs with the second
    # target half and the other way round. A monotone alignment can keep
    # only one of the two; either is right (scored against both, best kept):
    # one half aligned, the other half unaligned on both sides.
    first = [(a_, tuple(j + nt2 for j in b_)) for a_, b_ in g[:half]]
    second = [(a_, tuple(j - t0 for j in b_)) for a_, b_ in g[half:]]
    keep_first = [((), (j,)) for b_ in second for j in b_[1]] + first + [((i,), ()) for b_ in second for i in b_[0]]
    keep_second = [((i,), ()) for b_ in first for i in b_[0]] + second + [((), (j,)) for b_ in first for j in b_[1]]
    sw_g = [[b_ for b_ in x if b_[0] or b_[1]] for x in (keep_first, keep_second)]
    one("target halves swapped", s, sw_t, sw_g, "swap")
    # UDHR az-en, repeated, one unit per line (the recurring material of the
    # earlier benchmark), with its hard variant.
    udhr = os.path.join(a.shared, "corpora", "udhr", "az-en")
    us, ut = lines_of(os.path.join(udhr, "src.az.txt")), lines_of(os.path.join(udhr, "tgt.en.txt"))
    ug = sc.read_beads(os.path.join(udhr, "gold.tsv"))
    S = [" ".join(us[i] for i in x) for x, y in ug]
    T = [" ".join(ut[j] for j in y) for x, y in ug]
    for n in [int(x) for x in a.sizes.split(",") if int(x) <= 10000]:
        src = [S[i % len(S)] for i in range(n)]
        tgt = [T[i % len(T)] for i in range(n)]
        hs, ht, hg = make_hard(src, tgt, [((i,), (i,)) for i in range(n)], 7)
        one("UDHR az-en repeated, hard", hs, ht, hg, f"u{n}", "az", "en")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tm", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--baseline", action="store_true", help="also run NLTK Gale-Church")
    ap.add_argument("--modes", default="seg,text,paras,hard,hardp,dict")
    ap.add_argument("--tsv", help="write the scores here (pair, mode, metric, value)")
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--hunalign", help="hunalign binary: also run it (empty dictionary, -utf) on the segmented modes")
    a = ap.parse_args()
    sc = load_scorer(a.shared)
    udhr = os.path.join(a.shared, "corpora", "udhr")
    modes = a.modes.split(",")
    rows = []
    work = tempfile.mkdtemp(prefix="tm-align-eval-")
    hdr = f"{'pair':10} {'mode':6} {'strict':>7} {'lax':>7} {'link':>7}"
    if a.baseline:
        hdr += f"   {'GC strict':>9} {'GC lax':>7} {'GC link':>7}"
    if a.hunalign:
        hdr += f"   {'hunalign strict':>15}"
    print(hdr)
    for name, sf, tf, lf, lt in PAIRS:
        d = os.path.join(udhr, name)
        src, tgt = lines_of(os.path.join(d, sf)), lines_of(os.path.join(d, tf))
        gold = sc.read_beads(os.path.join(d, "gold.tsv"))
        for mode in modes:
            if mode in ("gclean", "gdamaged"):
                continue
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
            htot = 0.0
            for ps, pt, g, us, ut, segmented, seed in cases:
                if a.hunalign and segmented:
                    hb = run_tool("hunalign", a.hunalign, ps, pt, lf, lt, work, "h")[0]
                    htot += score(sc, g, hb)[0] if hb is not None else 0.0
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
            if a.hunalign and mode in ("seg", "hard"):
                line += f"   {htot / k:15.4f}"
            print(line, flush=True)
    gmodes = [x for x in modes if x in ("gclean", "gdamaged")]
    if gmodes:
        # Held-out en-ru gettext messages (a stretch of the catalogs no
        # tuning looked at), one per line, all 1-1 ("gclean") or with one
        # message in eight merged with the next or dropped, either side
        # ("gdamaged"); seeds as for hard.
        units = gettext_units()
        held = units[len(units) // 2:len(units) // 2 + 1000]
        print(f"{'':10} {'mode':9} {'tm':>7} {'hunalign':>9} {'GC':>7}   (strict F1, en-ru gettext, 1000 messages)")
        for mode in gmodes:
            res = {"tm": 0.0, "hunalign": 0.0, "gale-church": 0.0}
            seeds = [int(x) for x in a.seeds.split(",")]
            for seed in seeds:
                s_, t_, g_ = gettext_document(held, len(held), seed, recur=0, damage=0 if mode == "gclean" else 0.125)
                ps, pt = os.path.join(work, f"{mode}.{seed}.s"), os.path.join(work, f"{mode}.{seed}.t")
                write(ps, "\n".join(s_) + "\n")
                write(pt, "\n".join(t_) + "\n")
                for tool, binary in [("tm", a.tm), ("hunalign", a.hunalign), ("gale-church", None)]:
                    if tool == "hunalign" and not binary or tool == "gale-church" and not a.baseline:
                        continue
                    b_ = run_tool(tool, binary, ps, pt, "en", "ru", work, mode)[0]
                    res[tool] += score(sc, g_, b_)[0] / len(seeds) if b_ is not None else 0.0
            print(f"{'en-ru':10} {mode:9} {res['tm']:7.4f} {res['hunalign'] if a.hunalign else float('nan'):9.4f} "
                  f"{res['gale-church'] if a.baseline else float('nan'):7.4f}", flush=True)
            rows.append(("en-ru", mode, "strict", res["tm"]))
    if a.tsv:
        write(a.tsv, "".join(f"{p}\t{m}\t{k}\t{v:.4f}\n" for p, m, k, v in rows))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--bench":
        bench_main(sys.argv[2:])
    elif len(sys.argv) > 1 and sys.argv[1] == "--make-gettext":
        make_gettext_main(sys.argv[2:])
    else:
        main()
