#!/usr/bin/env python3
"""Fuzzy-ranking evaluation of `tm lookup` against a brute-force rapidfuzz ratio.

Data: the gettext catalogs on this machine, /usr/share/locale/{ru,az}/LC_MESSAGES/*.mo
(msgid = English source, msgstr = Russian or Azerbaijani translation), one memory
per pair (en-ru, en-az), deduplicated by msgid. A fixed shuffle holds a part out;
the rest is the memory, written to a temp folder (never Memories/).

Queries, all one line:
- near: held-out msgids that are not in the memory but whose closest memory
  source is close (best rapidfuzz ratio >= NEAR_MIN on processed text). The
  reference is the held-out msgstr. Split by a hash of the query into `dev`
  (for tuning) and `test` (held out from tuning; the figures to report).
- exact: memory sources looked up verbatim; exact@1 = the first match is that
  very source with kind exact.
- unrelated: held-out msgids with no related unit (best rapidfuzz ratio < 40
  and 3+ words) plus UDHR English paragraphs (legal prose against a software
  memory). A false match is a best match scoring >= 75 on one of them.

Per query each side picks one unit: ours = `tm lookup --batch --format jsonl
--min-score 1 --limit 1` (best match at any score), rapidfuzz =
`process.extractOne(scorer=fuzz.ratio, processor=default_process)` over every
source. Closeness = fuzz.ratio(picked unit's translation, reference), 0 when no
unit was picked, averaged. "confident wrong" counts near queries whose pick scored
>= 75 but whose translation has closeness < 40.

Usage: eval_fuzzy.py TM [--baseline OLD_TM] [--work DIR] [--split dev|test|both]
"""
import numpy
import argparse, glob, hashlib, json, os, random, re, subprocess, sys, time

from rapidfuzz import fuzz, process, utils

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mo_catalog  # noqa: E402

NEAR_MIN = 60.0
CTRL = re.compile(r"[\x00-\x1f\x7f]")


def read_mo(path):
    """One line each (the queries are lines of a batch file)."""
    out = []
    for msgid, msgstr in mo_catalog.read_mo(path):
        msgid, msgstr = msgid.strip(), msgstr.strip()
        if msgid and msgstr and not CTRL.search(msgid) and not CTRL.search(msgstr) and 2 <= len(msgid) <= 300:
            out.append((msgid, msgstr))
    return out


def load(lang):
    d = {}
    for p in sorted(glob.glob(f"/usr/share/locale/{lang}/LC_MESSAGES/*.mo")):
        for a, b in read_mo(p):
            d.setdefault(a, b)
    return sorted(d.items())


def esc(s):
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def split_of(q):
    return "dev" if hashlib.sha1(q.encode()).digest()[0] % 2 == 0 else "test"


def udhr_en():
    """UDHR English sentences and clauses (legal prose, unrelated to software strings)."""
    out = []
    for p in sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared",
                                           "corpora", "udhr", "ru-en", "tgt.en.txt"))):
        with open(p, encoding="utf-8") as f:
            for line in f:
                for part in re.split(r"(?<=[.;:,])\s+", line.strip()):
                    if len(part.split()) >= 3 and not CTRL.search(part):
                        out.append(part)
    return out


def build(lang, work, rng_seed=20261201, nmax_near=300):
    pairs = load(lang)
    rng = random.Random(rng_seed)
    rng.shuffle(pairs)
    hold = max(2000, len(pairs) // 12)
    held, mem = pairs[:hold], pairs[hold:]
    path = os.path.join(work, f"en-{lang}.tsv")
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"en\t{lang}\torigin\tcreated\tscore\n")
        for en, tr in mem:
            f.write(f"{esc(en)}\t{esc(tr)}\tmo\t2026-12-01T00:00:00Z\t\n")
    for ext in (".idx", ".idx.delta"):
        if os.path.exists(path + ext):
            os.remove(path + ext)
    srcs = [m[0] for m in mem]
    choices = [utils.default_process(s) for s in srcs]
    memset = set(srcs)
    near, unrelated = [], []
    cands = [(q, ref) for q, ref in held if q not in memset and utils.default_process(q)]
    chunk = 256
    for c0 in range(0, len(cands), chunk):
        if len(near) >= 2 * nmax_near + 100:
            break
        part = cands[c0:c0 + chunk]
        # Brute force over every memory source, both cores (rapidfuzz's own threads).
        m = process.cdist([utils.default_process(q) for q, _ in part], choices, scorer=fuzz.ratio,
                          dtype=numpy.float32, workers=-1)
        for (q, ref), row in zip(part, m):
            i = int(row.argmax())
            best = (choices[i], float(row[i]), i)
            if best[1] >= NEAR_MIN:
                near.append((q, ref, best))
            elif best[1] < 40 and len(q.split()) >= 3:
                unrelated.append(q)
    qrng = random.Random(rng_seed + 1)
    exact = qrng.sample(srcs, 200)
    by = {"dev": [], "test": []}
    for q, ref, best in near:
        by[split_of(q)].append((q, ref, best))
    for k in by:
        by[k] = by[k][:nmax_near]
    unrelated = unrelated[:100] + udhr_en()[:200 - min(100, len(unrelated))]
    return dict(lang=lang, path=path, mem=mem, srcs=srcs, choices=choices, near=by, exact=exact, unrelated=unrelated)


def run_tm(tm, mem, queries, work, tag):
    qpath = os.path.join(work, f"q-{tag}.txt")
    with open(qpath, "w", encoding="utf-8") as f:
        for q in queries:
            f.write(q + "\n")
    t = time.perf_counter()
    p = subprocess.run([tm, "lookup", "--memory", mem, "--from", "en", "--format", "jsonl", "--min-score", "1",
                        "--limit", "1", "--batch", qpath], capture_output=True, text=True)
    dt = time.perf_counter() - t
    if p.returncode not in (0, 1):
        sys.exit(f"tm failed ({p.returncode}): {p.stderr[:2000]}")
    best = {}
    for line in p.stdout.splitlines():
        o = json.loads(line)
        if "analysis" in o:
            continue
        best.setdefault(o["query"], o)
    return best, dt


def evaluate(tms, d, work, splits):
    rows = []
    # Warm the index once per binary (its format may differ between binaries).
    for name, tm in tms:
        for ext in (".idx", ".idx.delta"):
            if os.path.exists(d["path"] + ext):
                os.remove(d["path"] + ext)
        t = time.perf_counter()
        subprocess.run([tm, "lookup", "--memory", d["path"], "--from", "en", "warm up"], capture_output=True)
        build_s = time.perf_counter() - t
        res = {"name": name, "build_s": build_s}
        for split in splits:
            qs = d["near"][split]
            best, dt = run_tm(tm, d["path"], [q for q, _, _ in qs], work, f"{d['lang']}-{split}-{name}")
            res[split] = (best, dt)
        best, _ = run_tm(tm, d["path"], d["exact"], work, f"{d['lang']}-exact-{name}")
        res["exact"] = sum(1 for q in d["exact"] if best.get(q, {}).get("kind") == "exact" and best[q]["source"] == q)
        best, _ = run_tm(tm, d["path"], d["unrelated"], work, f"{d['lang']}-unrel-{name}")
        res["false"] = [(q, best[q]) for q in d["unrelated"] if q in best and best[q]["score"] >= 75]
        rows.append(res)
        # Remove the index so the next binary builds its own.
        for ext in (".idx", ".idx.delta"):
            if os.path.exists(d["path"] + ext):
                os.remove(d["path"] + ext)
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tm")
    ap.add_argument("--baseline", help="an older tm binary to show beside (before/after)")
    ap.add_argument("--work", default="/tmp/tm-eval-fuzzy")
    ap.add_argument("--split", default="both", choices=["dev", "test", "both"])
    ap.add_argument("--pairs", default="ru,az")
    ap.add_argument("--dump", help="write per-query picks (jsonl) here")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    splits = ["dev", "test"] if a.split == "both" else [a.split]
    tms = ([("before", a.baseline)] if a.baseline else []) + [("tm", a.tm)]
    dump = open(a.dump, "w", encoding="utf-8") if a.dump else None
    table = []
    for lang in a.pairs.split(","):
        d = build(lang, a.work)
        print(f"en-{lang}: memory {len(d['mem'])} units; near queries dev {len(d['near']['dev'])}, "
              f"test {len(d['near']['test'])}; exact {len(d['exact'])}; unrelated {len(d['unrelated'])}", flush=True)
        rows = evaluate(tms, d, a.work, splits)
        # rapidfuzz side.
        t = time.perf_counter()
        rfs = {}
        for split in splits:
            for q, ref, best in d["near"][split]:
                rfs[q] = best
        rf_dt = time.perf_counter() - t
        um = process.cdist([utils.default_process(q) for q in d["unrelated"]], d["choices"], scorer=fuzz.ratio,
                           dtype=numpy.float32, workers=-1)
        rf_false = int((um.max(axis=1) >= 75).sum())
        for split in splits:
            qs = d["near"][split]
            n = len(qs)
            rf_close = [fuzz.ratio(d["mem"][b[2]][1], ref) for q, ref, b in qs]
            rf_wrong = sum(1 for (q, ref, b), c in zip(qs, rf_close) if b[1] >= 75 and c < 40)
            line = {"pair": f"en-{lang}", "split": split, "n": n, "rapidfuzz": sum(rf_close) / n,
                    "rf_wrong": rf_wrong, "rf_false": rf_false}
            for r in rows:
                best, dt = r[split]
                close = []
                wrong = 0
                for (q, ref, b), rc in zip(qs, rf_close):
                    o = best.get(q)
                    c = fuzz.ratio(o.get("substituted") or o["target"], ref) if o and o.get("target") is not None else 0.0
                    close.append(c)
                    if o and o["score"] >= 75 and c < 40:
                        wrong += 1
                    if dump and r["name"] == "tm":
                        dump.write(json.dumps({"pair": lang, "split": split, "query": q, "ref": ref,
                                               "ours": o and o["source"], "ours_target": o and o.get("target"),
                                               "ours_score": o and o["score"], "ours_close": c,
                                               "rf": d["mem"][b[2]][0], "rf_target": d["mem"][b[2]][1],
                                               "rf_score": b[1], "rf_close": rc}, ensure_ascii=False) + "\n")
                ge = sum(1 for x, y in zip(close, rf_close) if x >= y - 1e-9)
                line[r["name"]] = sum(close) / n
                line[r["name"] + "_ge"] = ge
                line[r["name"] + "_wrong"] = wrong
                line[r["name"] + "_exact"] = r["exact"]
                line[r["name"] + "_false"] = len(r["false"])
                line[r["name"] + "_ms"] = 1000 * dt / max(1, n)
            table.append(line)
            print(json.dumps(line, ensure_ascii=False), flush=True)
        for r in rows:
            for q, o in r["false"][:5]:
                print(f"  false match ({r['name']}, en-{lang}): {o['score']} {q[:60]!r} -> {o['source'][:60]!r}", file=sys.stderr)
    names = [n for n, _ in tms]
    print()
    print("Closeness of the picked unit's translation to the reference (fuzz.ratio, 0-100, mean over near queries);")
    print("exact@1 over 200 exact queries; false = unrelated queries whose best match scores >= 75;")
    print("wrong = near queries picked at >= 75 whose translation has closeness < 40.")
    hdr = "| pair | split | n | rapidfuzz |" + "".join(f" {n} | {n}/rf | {n} >= rf |" for n in names) + \
        " exact@1 " + " · ".join(names) + " | false >=75 rf/" + "/".join(names) + " | wrong rf/" + "/".join(names) + " |"
    print(hdr)
    print("|" + "---|" * (hdr.count("|") - 1))
    for l in table:
        cells = [l["pair"], l["split"], str(l["n"]), f"{l['rapidfuzz']:.1f}"]
        for n in names:
            cells += [f"{l[n]:.1f}", f"{l[n] / l['rapidfuzz']:.3f}", f"{l[n + '_ge']}/{l['n']}"]
        cells.append(" · ".join(f"{l[n + '_exact']}/200" for n in names))
        cells.append("/".join([str(l["rf_false"])] + [str(l[n + "_false"]) for n in names]))
        cells.append("/".join([str(l["rf_wrong"])] + [str(l[n + "_wrong"]) for n in names]))
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
