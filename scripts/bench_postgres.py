#!/usr/bin/env python3
"""Benchmark of the PostgreSQL store (see scripts/bench-postgres.sh).

Data as in scripts/bench_lookup.py (its helpers are imported): English msgid ->
Russian msgstr from the gettext catalogs Debian ships
(/usr/share/locale/ru/LC_MESSAGES/*.mo), grown to N units with variants (one
word replaced or dropped, fixed seed). Queries: real msgids held out of the
memory (reference = their msgstr) and edited memory sources (reference = that
unit's translation), 3+ words.

Reports, side by side on the same database and queries:
- first load of N units by COPY (`tm-postgres load`), with its phases;
- lookups/s and p50/p99 for our lookup (GIN candidates + TMKit Matcher) with
  one client thread, two client threads, and two client processes (the
  stand-in for two servers on one database), against pg_trgm `similarity()`
  ranking alone (Weblate's memory: gin_trgm_ops index, `%` with the threshold
  lowered in 0.05 steps);
- usefulness of the top match: rapidfuzz ratio of the returned translation to
  the reference translation (0 when nothing is returned), as in the lookup
  benchmark;
- through the servers, beside wrk's closed-loop throughput, latency at fixed
  rates in all (250, 500 and 1,000 lookups/s, the issue's target, split evenly
  over the servers, where they can carry it): scripts/openloop.c, as in
  bench_serve.py, OPEN_SECONDS (default 10, 0 skips it) per rate.
"""
import glob, importlib.util, json, os, random, re, socket, subprocess, sys, threading, time, urllib.parse, urllib.request

TOOL, WORK, N = sys.argv[1], sys.argv[2], int(sys.argv[3])
SERVER = os.environ.get("TM_BENCH_SERVER", os.path.join(os.path.dirname(TOOL), "tm-server"))
NQ = int(os.environ.get("NQUERIES", "2000"))
SERVE_SECONDS = int(os.environ.get("SERVE_SECONDS", "30"))
# The newest /work/baselineN holding the binary (TM_BENCH_BASELINE_DIR names one).
def _baseline(name):
    named = os.environ.get("TM_BENCH_BASELINE_DIR")
    dirs = [named] if named else sorted(
        glob.glob("/work/baseline[0-9]*"), key=lambda d: int(re.sub(r"\D", "", os.path.basename(d)) or 0), reverse=True)
    for d in dirs:
        if os.path.exists(os.path.join(d, name)):
            return os.path.join(d, name)
    return ""


# The in-memory peer through HTTP: a TSV server (the baseline's) on the same memory file.
PEER_SERVER = os.environ.get("TM_BENCH_PEER_SERVER", _baseline("tm-server"))
# The baseline's tm-server on the same database (its derived index), beside ours.
BASE_SERVER = os.environ.get("TM_BENCH_BASE_SERVER", _baseline("tm-server"))
# The baseline's tm-postgres: its first load and its in-database lookup of
# the short queries, in the same run (none when the file is missing).
BASE_TOOL = os.environ.get("TM_BENCH_BASELINE", _baseline("tm-postgres"))
# What to run: all (default), or "load" (the first load, ours and the
# baseline's) or "short" (the load, then the short queries) alone, or
# "serve" (the load, then the servers: ours and the baseline's derived index,
# the TSV server, pg_trgm on the first TRGM_QUERIES queries; no in-process
# in-database rows).
PARTS = os.environ.get("BENCH_PARTS", "all")
NSHORT = int(os.environ.get("NSHORT", "300"))
os.makedirs(WORK, exist_ok=True)

_argv = sys.argv
sys.argv = [_argv[0], "", os.path.join(WORK, "lookup-helpers"), "1"]
spec = importlib.util.spec_from_file_location("bench_lookup", os.path.join(os.path.dirname(__file__), "bench_lookup.py"))
bl = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bl)
sys.argv = _argv
from rapidfuzz import fuzz

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from short_queries import short_queries  # noqa: E402
from bench_serve import lookup_paths, open_rates, openloop, openloop_binary  # noqa: E402

OPEN_SECONDS = int(os.environ.get("OPEN_SECONDS", "10"))
TARGET_RATE = 1000  # lookups/s at 1M units, in all, the PostgreSQL issue asks for


def sh(cmd, **kw):
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        sys.stderr.write(p.stderr)
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return p, time.perf_counter() - t


def psql(sql):
    return sh(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql])[0].stdout


def pg_cpu():
    """CPU seconds of the cluster's PostgreSQL processes so far (user + system
    of the live ones, from /proc; the backends of finished connections are
    counted through their parent's cutime/cstime)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                st = f.read()
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read()
        except OSError:
            continue
        if b"postgres" not in cmd.split(b"\0")[0]:
            continue
        fields = st.rsplit(")", 1)[1].split()
        total += sum(int(x) for x in fields[11:15]) / tick
    return total


def main():
    rng = random.Random(20261125)
    pairs = bl.load_pairs()
    rng.shuffle(pairs)
    held = [p for p in pairs[:6000] if len(p[0].split()) >= 3][: NQ // 2]
    base = pairs[6000:]
    vocab = sorted({w for p in base for w in p[0].split(" ") if w.isalpha() and len(w) > 2})
    units, k = [], 0
    while len(units) < N:
        for en, ru, az in base:
            if len(units) >= N:
                break
            units.append((en, ru, az, "mo") if k == 0 else (bl.vary(en, rng, vocab), ru, az, f"variant{k}"))
        k += 1
    mem = os.path.join(WORK, f"mem{N}.tsv")
    bl.write_memory(mem, units)
    qrng = random.Random(N)
    cands = [u for u in units[: min(N, len(base))] if len(u[0].split()) >= 4]
    edited = [(bl.vary(u[0], qrng, vocab), u[1]) for u in qrng.sample(cands, min(NQ - len(held), len(cands)))]
    queries = [(q, r) for q, r, _ in held] + edited
    queries = [(q, r) for q, r in queries if "\n" not in q and "\t" not in q and len(q.split()) >= 3]
    qpath = os.path.join(WORK, "queries.tsv")
    with open(qpath, "w", encoding="utf-8") as f:
        for q, _ in queries:
            f.write(f"en\t{q}\n")
    print(f"memory: {len(units)} units ({len(pairs)} real en-ru pairs from the catalogs, the rest variants); "
          f"{len(queries)} queries ({len(held)} held-out msgids)", flush=True)

    # First load: the baseline's, then ours (the one kept), on the same cluster.
    def timed_load(tool):
        psql("DROP TABLE IF EXISTS tm_entries, tm_tokens, tm_units, tm_words, tm_meta, tm_schema_version CASCADE")
        sh([tool, "migrate"])
        before = pg_cpu()
        p, load_s = sh(["/usr/bin/time", "-f", "TIME %U %S", tool, "load", mem, "--threads", "2"])
        m = re.search(r"TIME ([\d.]+) ([\d.]+)", p.stderr)
        cpu = float(m.group(1)) + float(m.group(2)) if m else float("nan")
        return re.sub(r"\s*TIME [\d.]+ [\d.]+\s*", " ", p.stderr).strip(), load_s, cpu, pg_cpu() - before
    if os.path.exists(BASE_TOOL):
        msg, load_s, cpu, pgc = timed_load(BASE_TOOL)
        print(f"first load, baseline {BASE_TOOL}: wall {load_s:.1f} s, its CPU {cpu:.1f} s, PostgreSQL CPU {pgc:.1f} s: {msg}", flush=True)
    msg, load_s, cpu, pgc = timed_load(TOOL)
    print(f"first load, ours: wall {load_s:.1f} s, its CPU {cpu:.1f} s, PostgreSQL CPU {pgc:.1f} s (target <= 60 s): {msg}", flush=True)
    words = psql("SELECT count(*), pg_size_pretty(pg_total_relation_size('tm_words')) FROM tm_words").strip()
    print(f"tm_words (the vocabulary for short queries): rows | size with indexes: {words}", flush=True)
    if PARTS == "load":
        return
    size = psql("SELECT pg_size_pretty(pg_database_size(current_database())), "
                "pg_size_pretty(sum(pg_relation_size(indexrelid))) FROM pg_index "
                "WHERE indrelid = 'tm_entries'::regclass AND indexrelid::regclass::text LIKE 'tm_entries_keys%'").strip()
    print(f"database size | GIN index: {size}; memory TSV {os.path.getsize(mem) / 1e6:.0f} MB", flush=True)

    # The peer's index (Weblate: gin_trgm_ops on the source).
    psql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    t = time.perf_counter()
    psql("SET maintenance_work_mem = '512MB'; CREATE INDEX IF NOT EXISTS bench_trgm_en ON tm_units USING gin (en gin_trgm_ops)")
    print(f"pg_trgm index on en: {time.perf_counter() - t:.1f} s", flush=True)
    # VACUUM as well: autovacuum's first pass over the freshly loaded tables
    # (about a minute after the load) could otherwise land in the first
    # measured server's window (about 1 s when done here).
    psql("VACUUM (ANALYZE)")

    def bench(mode, threads, procs=1, label="", qfile=None, env=None, tool=None):
        outs = []
        t = time.perf_counter()
        ps = []
        extra = ["--memory", mem] if mode == "tsv" else []
        nq = len(queries) if qfile is None else sum(1 for _ in open(qfile, encoding="utf-8"))
        for i in range(procs):
            ps.append(subprocess.Popen([tool or TOOL, "bench", qfile or qpath, "--mode", mode, "--threads", str(threads)] + extra,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                       env=dict(os.environ, **(env or {}))))
        lat = []
        for pr in ps:
            out, err = pr.communicate()
            outs.append(out)
            m = re.search(r"([\d.]+) lookups/s, p50 ([\d.]+) ms, p99 ([\d.]+) ms", err)
            lat.append((float(m.group(2)), float(m.group(3))) if m else (float("nan"), float("nan")))
            if pr.returncode != 0:
                sys.stderr.write(err)
        wall = time.perf_counter() - t
        rate = nq * procs / wall
        p99 = max(l[1] for l in lat)
        p50 = max(l[0] for l in lat)
        print(f"  {label:<38} {rate:7.0f} lookups/s  p50 {p50:6.2f} ms  p99 {p99:7.2f} ms", flush=True)
        return outs[0], rate, p99

    def usefulness(out):
        got = {}
        for line in out.splitlines():
            parts = line.split("\t")
            if len(parts) >= 3 and parts[1] not in ("", "error"):
                got[int(parts[0])] = (float(parts[1]), parts[2])
        scores = [fuzz.ratio(got[i][1], ref) if i in got else 0.0 for i, (_, ref) in enumerate(queries)]
        return got, scores

    def proc_cpu(pid):
        """CPU seconds (user + system) of a process so far."""
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def proc_mem(pid):
        got = {}
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
                    got[k] = int(v.split()[0]) / 1024
        return got

    def healthz(b):
        return json.loads(urllib.request.urlopen(b + "/healthz", timeout=5).read())

    def serve(count, label, env=None, binary=None, args=None, warm=False, top=False, settle=0):
        """`count` tm-server processes (--store postgres: the PG* variables,
        unless `args` says otherwise), one wrk per server (1 thread, 8
        connections) over GET /api/v1/lookup, all at once: total lookups/s,
        worst p50/p99, the servers' CPU seconds per lookup and memory.
        `warm`: wait until each server's derived index is built (reports how
        long that took). `top`: also fetch every query's top match from the
        first server (for parity and usefulness). `settle`: seconds to wait
        after the warm-up queries (a TSV server makes its character-key
        tables in the background after its first lookups; the derived index
        makes them before it says warm)."""
        procs, bases = [], []
        t0 = time.perf_counter()
        for i in range(count):
            s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
            state = os.path.join(WORK, f"serve-state-{i}")
            os.makedirs(state, exist_ok=True)
            procs.append(subprocess.Popen([binary or SERVER, "--port", str(port), "--state", state] + (args or ["--store", "postgres"]),
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                          env=dict(os.environ, **(env or {}))))
            bases.append(f"http://127.0.0.1:{port}")
        result = {}
        try:
            for b in bases:
                deadline = time.perf_counter() + 300  # a TSV server builds its index before it listens
                while time.perf_counter() < deadline:
                    try:
                        urllib.request.urlopen(b + "/healthz", timeout=1).read()
                        break
                    except OSError:
                        time.sleep(0.1)
            if warm:
                builds = []
                for b in bases:
                    while healthz(b).get("index") != "warm":
                        time.sleep(0.5)
                    builds.append(healthz(b).get("index_build_seconds", float("nan")))
                wall = time.perf_counter() - t0
                # Ours makes the character-key tables right after it is
                # warm (lookups use the index meanwhile): measured once
                # they are made, as for the TSV server (`settle`).
                for b in bases:
                    while healthz(b).get("index_tables") == "building":
                        time.sleep(0.5)
                tables = time.perf_counter() - t0
                cpu = [proc_cpu(p.pid) for p in procs]
                mem = [proc_mem(p.pid) for p in procs]
                print(f"  derived index warm on {count} server(s) {wall:.1f} s after their start, tables made {tables:.1f} s (build "
                      + ", ".join(f"{x:.1f} s" for x in builds) + "; server CPU so far "
                      + ", ".join(f"{c:.1f} s" for c in cpu) + "; RSS "
                      + ", ".join(f"{m.get('VmRSS', 0):.0f} MiB" for m in mem) + ")", flush=True)
                result["warmup"] = (wall, builds, cpu)
            # A short warm-up of each server (matchers, character tables, the statements).
            for b in bases:
                for q, _ in queries[:20]:
                    urllib.request.urlopen(b + "/api/v1/lookup?" + urllib.parse.urlencode(
                        {"q": q, "from": "en", "to": "ru", "limit": "1"}), timeout=60).read()
            if settle:
                time.sleep(settle)
            lua = os.path.join(WORK, "paths.lua")
            with open(lua, "w", encoding="utf-8") as f:
                f.write("paths = {\n")
                for path in lookup_paths([q for q, _ in queries], "en", "ru", limit=1):
                    f.write("  %s,\n" % json.dumps(path))
                f.write("}\ni = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format(\"GET\", paths[i])\nend\n")
                f.write("done = function(summary, latency, requests)\n"
                        "  io.write(string.format(\"JSON {\\\"rps\\\": %f, \\\"p50\\\": %f, \\\"p99\\\": %f, \\\"non2xx\\\": %d}\\n\",\n"
                        "    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,\n"
                        "    summary.errors.status))\nend\n")
            cpu0 = [proc_cpu(p.pid) for p in procs]
            ws = [subprocess.Popen(["wrk", "-t1", "-c8", f"-d{SERVE_SECONDS}s", "--timeout", "30s", "--latency", "-s", lua, b],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for b in bases]
            rs = []
            for w in ws:
                out, _ = w.communicate()
                m = re.search(r"JSON (\{.*\})", out)
                rs.append(json.loads(m.group(1)) if m else {"rps": float("nan"), "p50": float("nan"), "p99": float("nan"), "non2xx": -1})
            cpu = sum(proc_cpu(p.pid) for p in procs) - sum(cpu0)
            mem = [proc_mem(p.pid) for p in procs]
            rate = sum(r["rps"] for r in rs)
            done = rate * SERVE_SECONDS
            print(f"  {label:<44} {rate:7.0f} lookups/s  p50 {max(r['p50'] for r in rs):6.2f} ms  "
                  f"p99 {max(r['p99'] for r in rs):7.2f} ms  (server CPU {1000 * cpu / max(done, 1):.2f} ms/lookup; "
                  f"RSS " + ", ".join(f"{m.get('VmRSS', 0):.0f}" for m in mem) + " MiB; non-2xx "
                  f"{sum(r['non2xx'] for r in rs)})", flush=True)
            result.update(rate=rate, p50=max(r["p50"] for r in rs), p99=max(r["p99"] for r in rs), mem=mem)
            result["fixed"] = fixed_rates(procs, bases, rate) if OPEN_SECONDS and rate > 0 else []
            if top:
                got = {}
                for i, (q, _) in enumerate(queries):
                    a = json.loads(urllib.request.urlopen(bases[0] + "/api/v1/lookup?" + urllib.parse.urlencode(
                        {"q": q, "from": "en", "to": "ru", "limit": "1"}), timeout=60).read())
                    ms = a["answers"][0].get("matches", [])
                    if ms and ms[0].get("targets"):
                        got[i] = (round(ms[0]["score"], 2), ms[0]["targets"][0]["text"])
                result["top"] = got
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                p.wait()
        return result

    def fixed_rates(procs, bases, capacity):
        """Open loop at fixed rates in all, split evenly over the servers
        (one openloop per server, at once): achieved rate, the worse server's
        p50/p99/p99.9 (percentiles of two servers do not merge), CPU per lookup."""
        exe = openloop_binary(WORK)
        paths = lookup_paths([q for q, _ in queries], "en", "ru", limit=1)
        rows = []
        for total in open_rates(capacity, TARGET_RATE):
            per = total / len(bases)
            outs = [None] * len(bases)

            def run(i, b):
                outs[i] = openloop(exe, b, paths, per, OPEN_SECONDS, WORK, tag=str(i))
            cpu0 = sum(proc_cpu(p.pid) for p in procs)
            ts = [threading.Thread(target=run, args=(i, b)) for i, b in enumerate(bases)]
            for t in ts:
                t.start()
            for t in ts:
                t.join()
            cpu = sum(proc_cpu(p.pid) for p in procs) - cpu0
            done = sum(o["achieved"] for o in outs) * (OPEN_SECONDS + 1)
            row = dict(rate=total, achieved=sum(o["achieved"] for o in outs), errors=sum(o["errors"] + o["non2xx"] for o in outs),
                       cpu_ms=1000 * cpu / max(done, 1), **{k: max(o[k] for o in outs) for k in ("p50", "p99", "p999", "max")})
            print(f"    at {total}/s in all (open loop, {per:.0f}/s per server): achieved {row['achieved']:.0f}/s, "
                  f"p50 {row['p50']:.2f} ms, p99 {row['p99']:.2f} ms, p99.9 {row['p999']:.2f} ms, max {row['max']:.1f} ms, "
                  f"errors {row['errors']}, server CPU {row['cpu_ms']:.2f} ms/lookup", flush=True)
            rows.append(row)
        return rows

    # Short queries (1-3 words: words of the memory, some misspelt, and spans
    # of its sources), which also take the segments holding a word spelt
    # like theirs: in the database through tm_words. Parity of the top match
    # with the TSV memory's index, ours and the baseline's in-database path.
    stored = [u[0] for u in units[:50000] if len(u[0].split()) >= 3]
    short = short_queries(vocab, stored, NSHORT) if PARTS != "serve" else []
    spath = os.path.join(WORK, "queries-short.tsv")
    with open(spath, "w", encoding="utf-8") as f:
        for q in short:
            f.write(f"en\t{q}\n")
    if PARTS == "serve":
        return serve_only(serve, bench, queries, mem)
    print(f"short queries ({len(short)}, 1-3 words) at {len(units)} units, top match, in process:", flush=True)
    psql("ANALYZE")
    sh([TOOL, "bench", spath, "--mode", "tsv", "--memory", mem])  # builds the TSV index once
    stsv = bench("tsv", 1, label="TSV memory's index, 1 thread", qfile=spath)
    sours = bench("tm", 1, label="ours in the database, 1 thread", qfile=spath)
    def same_lines(a, b):
        return sum(1 for x, y in zip(a.splitlines(), b.splitlines()) if x == y)
    answered = sum(1 for l in stsv[0].splitlines() if len(l.split("\t")) >= 3 and l.split("\t")[1] not in ("", "error"))
    print(f"  parity of the top match with the TSV memory (in the database): ours {same_lines(sours[0], stsv[0])}/{len(short)}"
          f" ({answered} with a match on TSV)", flush=True)
    if os.path.exists(BASE_TOOL):
        # The baseline's statements name no section, so they cannot use the
        # per-section GIN indexes (migration 004): its schema's one index
        # on the keys, made for its run and dropped after.
        one = psql("SELECT to_regclass('tm_entries_keys') IS NULL").strip() == "t"
        if one:
            psql("SET maintenance_work_mem = '512MB'; CREATE INDEX tm_entries_keys ON tm_entries USING gin (keys); ANALYZE tm_entries")
        sbase = bench("tm", 1, label=f"baseline {BASE_TOOL}, 1 thread", qfile=spath, tool=BASE_TOOL)
        if one:
            psql("DROP INDEX tm_entries_keys")
        print(f"  parity of the baseline's in-database path: {same_lines(sbase[0], stsv[0])}/{len(short)}; "
              f"ours/baseline speed {sours[1] / sbase[1]:.2f}x", flush=True)
    if PARTS == "short":
        return

    print(f"lookups at {len(units)} units, {len(queries)} queries en->ru, top match:", flush=True)
    warm = bench("tm", 2, label="(warm-up: ours, 2 threads)")
    ours1 = bench("tm", 1, label="ours, 1 client thread")
    ours2 = bench("tm", 2, label="ours, 2 client threads")
    oursP = bench("tm", 1, procs=2, label="ours, 2 client processes")
    # main's lookup (the unstaged wide candidate query, still in the store
    # behind TM_PG_UNSTAGED=1) on the first queries only: it is slow.
    nbase = int(os.environ.get("BASELINE_QUERIES", "100"))
    qbase = os.path.join(WORK, "queries-baseline.tsv")
    with open(qbase, "w", encoding="utf-8") as f:
        for q, _ in queries[:nbase]:
            f.write(f"en\t{q}\n")
    base1 = bench("tm", 1, label=f"main's unstaged lookup, first {nbase}", qfile=qbase, env={"TM_PG_UNSTAGED": "1"})
    same1 = bench("tm", 1, label=f"ours on the same {nbase}", qfile=qbase)
    print(f"  ours/main on those {nbase}: {same1[1] / base1[1]:.1f}x; same top match on "
          f"{sum(1 for a, b in zip(base1[0].splitlines(), same1[0].splitlines()) if a == b)}/{nbase}", flush=True)
    served = {}
    if os.path.exists(SERVER) and subprocess.run(["which", "wrk"], capture_output=True).returncode == 0:
        served["d1"] = serve(1, "derived index, 1 tm serve --store postgres", warm=True, top=True)
        served["d2"] = serve(2, "derived index, 2 tm serve --store postgres", warm=True)
        off = ["--store", "postgres", "--no-index-cache"]
        served["o1"] = serve(1, "--no-index-cache (in-DB), 1 tm serve", args=off)
        served["o2"] = serve(2, "--no-index-cache (in-DB), 2 tm serve", args=off)
        if PEER_SERVER and os.path.exists(PEER_SERVER):
            served["t1"] = serve(1, f"TSV server ({os.path.basename(os.path.dirname(PEER_SERVER))}), --memory", binary=PEER_SERVER,
                                 args=["--memory", mem])
    else:
        print(f"  (no {SERVER} or no wrk: the lookups through tm serve were not measured)", flush=True)
    trgm1 = bench("trgm", 1, label="pg_trgm similarity(), 1 thread")
    trgm2 = bench("trgm", 2, label="pg_trgm similarity(), 2 threads")
    sh([TOOL, "bench", qpath, "--mode", "tsv", "--memory", mem])  # builds the TSV index once
    tsv1 = bench("tsv", 1, label="TSV memory's index (tm lookup), 1 thread")
    same = sum(1 for a, b in zip(ours1[0].splitlines(), tsv1[0].splitlines()) if a == b)
    print(f"  parity: {same}/{len(queries)} queries give the same top match (score and translation) "
          f"on PostgreSQL and on the TSV memory", flush=True)
    print(f"  speed ratio ours/pg_trgm: 1 thread {ours1[1] / trgm1[1]:.1f}x, 2 threads {ours2[1] / trgm2[1]:.1f}x; "
          f"target >= 1000/s, p99 <= 30 ms", flush=True)
    if "top" in served.get("d1", {}):
        dt = served["d1"]["top"]
        tsvtop = {}
        for line in tsv1[0].splitlines():
            parts = line.split("\t")
            if len(parts) >= 3 and parts[1] not in ("", "error"):
                tsvtop[int(parts[0])] = (round(float(parts[1]), 2), parts[2])
        # `tm-postgres bench` prints scores with one decimal and line breaks as spaces, the server's JSON in full.
        def flat(t):
            return t.replace("\r", " ").replace("\n", " ").replace("\t", " ")

        def same_top(a, b):
            return a is None and b is None or (
                a is not None and b is not None and abs(a[0] - b[0]) < 0.051 and flat(a[1]) == flat(b[1]))
        same_d = sum(1 for i in range(len(queries)) if same_top(dt.get(i), tsvtop.get(i)))
        print(f"  parity through the server with the derived index: {same_d}/{len(queries)} the same top match "
              f"(score and translation) as the TSV memory", flush=True)
        sd = [fuzz.ratio(dt[i][1], ref) if i in dt else 0.0 for i, (_, ref) in enumerate(queries)]
        print(f"  usefulness through the derived index: answered {len(dt)}/{len(queries)}, mean closeness "
              f"{sum(sd) / max(1, len(sd)):.1f}", flush=True)
    go, so = usefulness(ours1[0])
    gt, st = usefulness(trgm1[0])
    both = [i for i in range(len(queries)) if i in go and i in gt]
    mean = lambda xs: sum(xs) / max(1, len(xs))
    print(f"usefulness (rapidfuzz ratio of the top match's translation to the reference, 0 = none):", flush=True)
    print(f"  ours (min score 70): answered {len(go)}/{len(queries)}, mean closeness {mean(so):.1f}; "
          f"pg_trgm: answered {len(gt)}/{len(queries)}, mean {mean(st):.1f}", flush=True)
    print(f"  on the {len(both)} queries both answered: ours {mean([so[i] for i in both]):.1f}, "
          f"pg_trgm {mean([st[i] for i in both]):.1f}; top translations differ on "
          f"{sum(1 for i in both if go[i][1] != gt[i][1])}", flush=True)


def serve_only(serve, bench, queries, mem):
    """The rows through servers, ours beside the baseline's, in one run."""
    print(f"lookups through tm serve at 1 and 2 servers, {len(queries)} queries en->ru, limit 1, "
          f"wrk 8 connections per server for {SERVE_SECONDS} s:", flush=True)
    d1 = serve(1, "ours: derived index, 1 server (--staleness 10 ms, the default)", warm=True)
    # Every lookup checking the database (read-your-writes across servers).
    serve(1, "ours: derived index, 1 server, --staleness 0", args=["--store", "postgres", "--staleness", "0"], warm=True)
    b1 = serve(1, "baseline: derived index, 1 server", binary=BASE_SERVER, warm=True) if BASE_SERVER else None
    d2 = serve(2, "ours: derived index, 2 servers", warm=True)
    b2 = serve(2, "baseline: derived index, 2 servers", binary=BASE_SERVER, warm=True) if BASE_SERVER else None
    settle = int(os.environ.get("TSV_SETTLE_SECONDS", "30"))
    # (TM_BENCH_PEER_SERVER, else the baseline's: named by its path.)
    peer = f"TSV server ({PEER_SERVER})"
    t1 = serve(1, f"{peer}, --memory", binary=PEER_SERVER, args=["--memory", mem], settle=settle) if PEER_SERVER else None
    t2 = serve(2, f"{peer}, --memory, 2 servers", binary=PEER_SERVER, args=["--memory", mem], settle=settle) if PEER_SERVER else None
    if b1 and b2:
        print(f"  ours/baseline: 1 server {d1['rate'] / b1['rate']:.2f}x, 2 servers {d2['rate'] / b2['rate']:.2f}x", flush=True)
    if t1:
        print(f"  ours (1 server) / TSV server: {d1['rate'] / t1['rate']:.2f}x; 2 servers {d2['rate'] / t2['rate']:.2f}x", flush=True)
    n = int(os.environ.get("TRGM_QUERIES", "100"))
    qt = os.path.join(WORK, "queries-trgm.tsv")
    with open(qt, "w", encoding="utf-8") as f:
        for q, _ in queries[:n]:
            f.write(f"en\t{q}\n")
    bench("trgm", 1, label=f"pg_trgm similarity(), 1 thread, first {n}", qfile=qt)
    bench("trgm", 2, label=f"pg_trgm similarity(), 2 threads, first {n}", qfile=qt)


main()
