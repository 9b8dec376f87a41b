#!/usr/bin/env python3
"""tm-server under load, side by side with the CLI, at 100k and 1M units.

    bench_serve.py --server .build/release/tm-server --tm .build/release/tm [--sizes 100000,1000000]

Per size: a memory from scripts/gen-memory.py; fuzzy queries made from its
sources (one word replaced, fixed seed); wrk on loopback with 2 threads and
32 connections for 20 s over GET /api/v1/lookup (fuzzy, az->ru): lookups/s,
p50, p99; the server's resident memory; the same queries through the CLI
(`tm lookup --batch --timing`: ms per query in one process, and one fresh
`tm lookup` process per query). Then 100 concurrent writers adding 100 units
each (one unit per request) and a count of what was stored.
"""
import argparse
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import http.client
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    return 0


def make_memory(path, n):
    if os.path.exists(path):
        return
    with open(path + ".tmp", "w") as f:
        subprocess.run([sys.executable, os.path.join(HERE, "gen-memory.py"), str(n)], stdout=f, check=True)
    os.rename(path + ".tmp", path)


def make_queries(path, count, rnd):
    """Fuzzy queries: az sources of random units with one word replaced."""
    lines = []
    with open(path, encoding="utf-8") as f:
        next(f)
        for i, line in enumerate(f):
            if i % 97 == 0:
                lines.append(line.split("\t")[0])
            if len(lines) >= count * 3:
                break
    out = []
    fillers = ["bu", "yeni", "böyük", "həmin", "rəsmi", "ilk", "son"]
    for s in rnd.sample(lines, count):
        words = s.split(" ")
        if len(words) > 4:
            words[rnd.randrange(1, len(words) - 1)] = rnd.choice(fillers)
        out.append(" ".join(words))
    return out


def wrk(base, queries, seconds, work):
    lua = os.path.join(work, "paths.lua")
    with open(lua, "w", encoding="utf-8") as f:
        f.write("paths = {\n")
        for q in queries:
            p = "/api/v1/lookup?" + urllib.parse.urlencode({"q": q, "from": "az", "to": "ru", "limit": "5"})
            f.write("  %s,\n" % json.dumps(p))
        f.write("}\ni = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format(\"GET\", paths[i])\nend\n")
        f.write("done = function(summary, latency, requests)\n"
                "  io.write(string.format(\"JSON {\\\"rps\\\": %f, \\\"p50\\\": %f, \\\"p99\\\": %f, \\\"errors\\\": %d, \\\"non2xx\\\": %d}\\n\",\n"
                "    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,\n"
                "    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, summary.errors.status))\n"
                "end\n")
    r = subprocess.run(["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", "-s", lua, base],
                       capture_output=True, text=True)
    m = re.search(r"JSON (\{.*\})", r.stdout)
    if not m:
        print(r.stdout, r.stderr)
        raise SystemExit("wrk gave no summary")
    return json.loads(m.group(1))


def cli(tm, memory, queries, work):
    if not os.path.exists(tm):
        return float("nan"), float("nan")
    qf = os.path.join(work, "queries.txt")
    with open(qf, "w", encoding="utf-8") as f:
        f.write("\n".join(queries) + "\n")
    env = dict(os.environ, NO_COLOR="1")
    r = subprocess.run([tm, "lookup", "--memory", memory, "--batch", qf, "--from", "az", "--to", "ru", "--timing",
                        "--format", "tsv"], capture_output=True, text=True, env=env)
    m = re.search(r"([0-9.]+) ms/query", r.stderr)
    batch = float(m.group(1)) if m else float("nan")
    times = []
    for q in queries[:20]:
        t = time.perf_counter()
        subprocess.run([tm, "lookup", "--memory", memory, "--from", "az", "--to", "ru", q],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        times.append((time.perf_counter() - t) * 1000)
    return batch, statistics.median(times)


def writers(base, token, n_writers, per_writer):
    errors = []
    lock = threading.Lock()
    added = [0]

    def run(w):
        c = http.client.HTTPConnection("127.0.0.1", int(base.rsplit(":", 1)[1]), timeout=60)
        for i in range(per_writer):
            body = json.dumps({"units": [{"source": f"Yazıçı {w} xəbər {i}: Bakıda yeni park açılıb.",
                                          "target": f"Писатель {w} новость {i}: в Баку открылся новый парк.",
                                          "from": "az", "to": "ru"}], "memory": "writers.tsv"})
            try:
                c.request("POST", "/api/v1/units", body=body,
                          headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
                r = c.getresponse()
                data = json.loads(r.read())
                if r.status != 200:
                    errors.append(data)
                else:
                    with lock:
                        added[0] += data["added"]
            except Exception as e:  # counted, not fatal
                errors.append(str(e))
                c = http.client.HTTPConnection("127.0.0.1", int(base.rsplit(":", 1)[1]), timeout=60)

    t = time.perf_counter()
    ts = [threading.Thread(target=run, args=(w,)) for w in range(n_writers)]
    for x in ts:
        x.start()
    for x in ts:
        x.join()
    return added[0], errors, time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", default=".build/release/tm-server")
    ap.add_argument("--tm", default=".build/release/tm")
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--work", default="/tmp/tm-bench-serve")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    rnd = random.Random(20261201)
    rows = []
    token = "bench-token-0123456789abcdef"
    with open(os.path.join(args.work, "token"), "w") as f:
        f.write(token)
    for n in [int(x) for x in args.sizes.split(",")]:
        d = os.path.join(args.work, f"m{n}")
        os.makedirs(d, exist_ok=True)
        mem = os.path.join(d, "news.tsv")
        make_memory(mem, n)
        for extra in os.listdir(d):
            if extra.startswith("writers.tsv"):
                os.remove(os.path.join(d, extra))
        queries = make_queries(mem, 500, rnd)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        t0 = time.perf_counter()
        p = subprocess.Popen([args.server, "--port", str(port), "--memories", d, "--token-file",
                              os.path.join(args.work, "token"), "--state", os.path.join(args.work, f"state{n}")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(24000):  # a 1M-unit index takes minutes to build on a busy machine
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=1).read()
                    break
                except OSError:
                    time.sleep(0.05)
            start_s = time.perf_counter() - t0
            # How many queries find a fuzzy match (so the load is real lookups).
            found = 0
            for q in queries[:50]:
                u = base + "/api/v1/lookup?" + urllib.parse.urlencode({"q": q, "from": "az", "to": "ru"})
                r = json.load(urllib.request.urlopen(u))
                found += bool(r["answers"][0]["matches"])
            wrk(base, queries, 3, args.work)  # warm-up
            w = wrk(base, queries, args.seconds, args.work)
            mem_mb = rss_mb(p.pid)
            batch_ms, fresh_ms = cli(args.tm, mem, queries, args.work)
            rows.append((n, w, mem_mb, batch_ms, fresh_ms, found, start_s))
            print(f"{n:>8} units: server {w['rps']:.0f} lookups/s, p50 {w['p50']:.2f} ms, p99 {w['p99']:.2f} ms, "
                  f"errors {w['errors']}, non-2xx {w['non2xx']}, RSS {mem_mb} MB, start {start_s:.1f} s, "
                  f"{found}/50 queries matched | CLI --batch {batch_ms:.2f} ms/query, fresh process {fresh_ms:.0f} ms/query",
                  flush=True)
            if n == int(args.sizes.split(",")[0]):
                added, errors, secs = writers(base, token, 100, 100)
                stored = sum(1 for _ in open(os.path.join(d, "writers.tsv"), encoding="utf-8")) - 1
                print(f"         100 writers x 100 units (one per request): {added} reported added, {stored} stored, "
                      f"{len(errors)} errors, {secs:.1f} s ({10000 / secs:.0f} writes/s)", flush=True)
        finally:
            p.terminate()
            p.wait(timeout=30)
    print()
    print("| units | server lookups/s (2 cores) | p50 ms | p99 ms | server RSS MB | CLI --batch ms/query | CLI process ms/query | server vs CLI process |")
    print("|---|---|---|---|---|---|---|---|")
    for n, w, mem_mb, batch_ms, fresh_ms, found, start_s in rows:
        per_q_server = 1000 / w["rps"] if w["rps"] else float("nan")
        print(f"| {n:,} | {w['rps']:.0f} | {w['p50']:.2f} | {w['p99']:.2f} | {mem_mb} | {batch_ms:.2f} | {fresh_ms:.0f} | "
              f"{fresh_ms / per_q_server:.0f}x |")


if __name__ == "__main__":
    main()
