#!/usr/bin/env python3
"""Benchmark `tm lookup` against rapidfuzz on memories of 10k, 100k and 1M units.

Data: the gettext catalogs Debian ships (/usr/share/locale/{ru,az}/LC_MESSAGES/*.mo),
English msgid -> Russian (and Azerbaijani where a catalog has it). Memories larger
than the real data are the real pairs plus variants (one word replaced by another
word of the corpus, or one word dropped), fixed seed.

Queries: real msgids held out of every memory (their msgstr is the reference
translation) plus edited memory sources (a word replaced/dropped; reference =
that unit's translation). Only queries of 3+ words (shorter ones are concordance).

With BASELINE_TM=path/to/old/tm, the same batches through that binary too,
and how many queries get identical answers (best match, and the default top 5).

Per size it reports: rapidfuzz `process.extract(scorer=fuzz.ratio)` ms/query,
`tm lookup --batch` ms/query (one process, index already built), the ratio,
cold start of a single `tm lookup` (fresh process, persisted index), index build
time, resident memory of both, how often our best match's source equals
rapidfuzz's best, and translation closeness to the reference (rapidfuzz ratio
of best-match translation vs reference) for both.
"""
import glob, json, os, random, re, subprocess, sys, time, resource

from rapidfuzz import fuzz, process, utils

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mo_catalog  # noqa: E402

TM = sys.argv[1] if len(sys.argv) > 1 else ".build/release/tm"
WORK = sys.argv[2] if len(sys.argv) > 2 else "/tmp/tm-bench-lookup"
SIZES = [int(s) for s in (sys.argv[3] if len(sys.argv) > 3 else "10000,100000,1000000").split(",")]
NQ = int(os.environ.get("NQUERIES", "300"))
os.makedirs(WORK, exist_ok=True)


def read_mo(path):
    return [(a, b) for a, b in mo_catalog.read_mo(path) if b]


CTRL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean(s):
    s = s.replace("\r", " ").strip()
    return "" if CTRL.search(s) else s


def load_pairs():
    ru = {}
    for p in sorted(glob.glob("/usr/share/locale/ru/LC_MESSAGES/*.mo")):
        for a, b in read_mo(p):
            a, b = clean(a), clean(b)
            if 2 <= len(a) <= 300 and b and a not in ru:
                ru[a] = b
    az = {}
    for p in sorted(glob.glob("/usr/share/locale/az/LC_MESSAGES/*.mo")):
        for a, b in read_mo(p):
            a, b = clean(a), clean(b)
            if b and a in ru and a not in az:
                az[a] = b
    return [(a, ru[a], az.get(a, "")) for a in sorted(ru)]


def esc(s):
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


WORD = re.compile(r"\w+", re.UNICODE)


def vary(text, rng, vocab):
    words = text.split(" ")
    if len(words) < 2:
        return text + " " + rng.choice(vocab)
    i = rng.randrange(len(words))
    if rng.random() < 0.3:
        del words[i]
    else:
        words[i] = rng.choice(vocab)
    return " ".join(words)


def write_memory(path, units):
    with open(path, "w", encoding="utf-8") as f:
        f.write("en\tru\taz\torigin\tcreated\tscore\n")
        for en, ru, az, origin in units:
            f.write(f"{esc(en)}\t{esc(ru)}\t{esc(az)}\t{origin}\t2026-11-25T20:00:00Z\t\n")


def run(cmd, **kw):
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    return p, time.perf_counter() - t


def timed_rss(cmd):
    p, dt = run(["/usr/bin/time", "-f", "%e %M"] + cmd)
    last = p.stderr.strip().splitlines()[-1].split()
    return p, dt, float(last[0]), int(last[1]) // 1024


def main():
    rng = random.Random(20261125)
    pairs = load_pairs()
    rng.shuffle(pairs)
    held = [p for p in pairs[:3000] if len(p[0].split()) >= 3][: NQ // 2]
    base = pairs[3000:]
    vocab = sorted({w for p in base for w in p[0].split(" ") if w.isalpha() and len(w) > 2})
    print(f"corpus: {len(pairs)} en-ru pairs from {len(glob.glob('/usr/share/locale/ru/LC_MESSAGES/*.mo'))} catalogs "
          f"({sum(1 for p in pairs if p[2])} with az); {len(held)} held-out queries", flush=True)
    results = []
    for size in SIZES:
        units = []
        k = 0
        while len(units) < size:
            for en, ru, az in base:
                if len(units) >= size:
                    break
                if k == 0:
                    units.append((en, ru, az, "mo"))
                else:
                    units.append((vary(en, rng, vocab), ru, az, f"variant{k}"))
            k += 1
        mem = os.path.join(WORK, f"mem{size}.tsv")
        write_memory(mem, units)
        for ext in (".idx",):
            if os.path.exists(mem + ext):
                os.remove(mem + ext)
        # Queries: held out + edited memory sources (from the real pairs in this memory).
        qrng = random.Random(size)
        edited = []
        cands = [u for u in units[: min(size, len(base))] if len(u[0].split()) >= 4]
        for u in qrng.sample(cands, min(NQ - len(held), len(cands))):
            edited.append((vary(u[0], qrng, vocab), u[1]))
        queries = [(q, ref) for q, ref, _ in held] + edited
        queries = [(q, r) for q, r in queries if "\n" not in q and "\t" not in q and len(q.split()) >= 3]
        qpath = os.path.join(WORK, f"queries{size}.txt")
        with open(qpath, "w", encoding="utf-8") as f:
            for q, _ in queries:
                f.write(q + "\n")

        # Index build (first run), then cold start with the persisted index.
        p, build_s = run([TM, "lookup", "--memory", mem, "--from", "en", "--to", "ru", queries[0][0]])
        p, dt, cold_s, cold_rss = timed_rss([TM, "lookup", "--memory", mem, "--from", "en", "--to", "ru", "--format", "jsonl", queries[1][0]])
        # Batch: per-query latency in one process. First with the product's
        # defaults (threshold 70, 5 matches), then asking for the best match
        # whatever its score (threshold 1, 1 match) like process.extract.
        p, dt, batch_s, batch_rss = timed_rss([TM, "lookup", "--memory", mem, "--from", "en", "--to", "ru", "--format", "jsonl",
                                               "--batch", qpath, "--timing"])
        m = re.search(r"(\d+) queries ([\d.]+) ms, ([\d.]+) ms/query", p.stderr)
        default_ms = float(m.group(3)) if m else float("nan")
        p, dt, batch_s, batch_rss = timed_rss([TM, "lookup", "--memory", mem, "--from", "en", "--to", "ru", "--format", "jsonl",
                                               "--min-score", "1", "--limit", "1", "--batch", qpath, "--timing"])
        m = re.search(r"(\d+) queries ([\d.]+) ms, ([\d.]+) ms/query", p.stderr)
        ours_ms = float(m.group(3)) if m else float("nan")
        # The same batch through a baseline binary (BASELINE_TM): identical
        # answers, so a faster search is shown to see the same top matches.
        same_as_baseline = None
        if os.environ.get("BASELINE_TM"):
            # A hard link: the baseline keeps its own index (another format
            # would make each binary rebuild the other's).
            bmem = mem[:-4] + "-baseline.tsv"
            if os.path.exists(bmem):
                os.remove(bmem)
            os.link(mem, bmem)
            pb, _ = run([os.environ["BASELINE_TM"], "lookup", "--memory", bmem, "--from", "en", "--to", "ru", "--format",
                         "jsonl", "--min-score", "1", "--limit", "1", "--batch", qpath])
            pd, _ = run([TM, "lookup", "--memory", mem, "--from", "en", "--to", "ru", "--format", "jsonl",
                         "--batch", qpath])
            pbd, _ = run([os.environ["BASELINE_TM"], "lookup", "--memory", bmem, "--from", "en", "--to", "ru", "--format",
                          "jsonl", "--batch", qpath])

            def per_query(out):
                d = {}
                for line in out.splitlines():
                    o = json.loads(line)
                    if "analysis" not in o:
                        o.pop("memory", None)
                        d.setdefault(o["query"], []).append(json.dumps(o, sort_keys=True, ensure_ascii=False))
                return d
            a, b = per_query(p.stdout), per_query(pb.stdout)
            ad, bd = per_query(pd.stdout), per_query(pbd.stdout)
            qs = {q for q, _ in queries}
            same_as_baseline = (f"{sum(a.get(q) == b.get(q) for q in qs)}/{len(qs)} best-match, "
                                f"{sum(ad.get(q) == bd.get(q) for q in qs)}/{len(qs)} top-5")
        best = {}
        for line in p.stdout.splitlines():
            o = json.loads(line)
            if "analysis" in o:
                continue
            if o["query"] not in best:
                best[o["query"]] = o

        # rapidfuzz over the same strings, in this process.
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        choices = [utils.default_process(u[0]) for u in units]
        t = time.perf_counter()
        rf = []
        for q, _ in queries:
            rf.append(process.extract(utils.default_process(q), choices, scorer=fuzz.ratio, limit=1))
        rf_ms = (time.perf_counter() - t) * 1000 / len(queries)
        rf_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024

        same = both = ours_only = rf_only = 0
        closer_ours = closer_rf = 0.0
        n_ref = 0
        ge = 0
        for (q, ref), r in zip(queries, rf):
            o = best.get(q)
            rbest = units[r[0][2]] if r else None
            if o and rbest:
                both += 1
                if o["source"] == rbest[0]:
                    same += 1
            elif o:
                ours_only += 1
            elif rbest:
                rf_only += 1
            # Translation closeness to the reference.
            co = fuzz.ratio(o["target"], ref) if o and o.get("target") else 0.0
            cr = fuzz.ratio(rbest[1], ref) if rbest else 0.0
            closer_ours += co
            closer_rf += cr
            n_ref += 1
            if co >= cr - 1e-9:
                ge += 1
        row = dict(size=size, queries=len(queries), rapidfuzz_ms=round(rf_ms, 3), ours_ms=ours_ms, ours_default_ms=default_ms,
                   speedup=round(rf_ms / ours_ms, 1) if ours_ms > 0 else None,
                   build_s=round(build_s, 2), cold_s=cold_s, cold_rss_mb=cold_rss, batch_rss_mb=batch_rss,
                   rapidfuzz_rss_mb=rf_rss - rss0, index_mb=round(os.path.getsize(mem + ".idx") / 1e6, 1),
                   tsv_mb=round(os.path.getsize(mem) / 1e6, 1),
                   same_best=f"{same}/{both}", ours_only=ours_only, rapidfuzz_only=rf_only,
                   ref_closeness_ours=round(closer_ours / n_ref, 1), ref_closeness_rapidfuzz=round(closer_rf / n_ref, 1),
                   ours_at_least_as_close=f"{ge}/{n_ref}", same_as_baseline=same_as_baseline)
        results.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    print()
    print("tm ms/q: best match at any score (--min-score 1 --limit 1), as process.extract(limit=1); "
          "in brackets: the defaults (--min-score 70 --limit 5)")
    print("| units | queries | rapidfuzz ms/q | tm ms/q | speed-up | cold start s | index build s | tm RSS MB (cold/batch) | rapidfuzz RSS MB | same best | ref closeness tm/rf | tm ≥ rf |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['size']} | {r['queries']} | {r['rapidfuzz_ms']} | {r['ours_ms']} ({r['ours_default_ms']}) | {r['speedup']}× | {r['cold_s']} | {r['build_s']} | "
              f"{r['cold_rss_mb']}/{r['batch_rss_mb']} | {r['rapidfuzz_rss_mb']} | {r['same_best']} | "
              f"{r['ref_closeness_ours']}/{r['ref_closeness_rapidfuzz']} | {r['ours_at_least_as_close']} |")


if __name__ == "__main__":
    main()
