#!/usr/bin/env python3
"""Two or more tm-servers on the realistic memory at fixed rates, interleaved.

    bench_fixed_rate.py [--units 100000] [--rates 500,1000,2000] [--rounds 2]
                        [--seconds 8] [--work /tmp/tm-bench-fixed] SERVER...

Per round and server: openloop.c (see bench_serve.py) at each rate for
`--seconds` (after 1 s not counted): p50/p99/p99.9, the server's CPU ms per
lookup, its context switches (voluntary and not, all threads) per lookup and
per thread group the cores busy and waiting; then wrk (closed loop, 32
connections) for its throughput. Servers alternate within each round, so a
change in the machine's load falls on both.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_serve as b  # noqa: E402


def switches(pid):
    n = 0
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{t}/status") as f:
                n += sum(int(line.split()[1]) for line in f if "ctxt_switches" in line)
        except OSError:
            pass
    return n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("servers", nargs="+")
    ap.add_argument("--units", type=int, default=100000)
    ap.add_argument("--rates", default="500,1000,2000")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--work", default="/tmp/tm-bench-fixed")
    a = ap.parse_args()
    d = os.path.join(a.work, f"realistic{a.units}")
    os.makedirs(d, exist_ok=True)
    mem, queries = b.realistic(d, a.units)
    paths = b.lookup_paths(queries, "en", "ru")
    exe = b.openloop_binary(a.work)
    token = os.path.join(a.work, "token")
    with open(token, "w") as f:
        f.write("bench-token-0123456789abcdef")
    for rnd in range(a.rounds):
        for i, server in enumerate(a.servers):
            # Each server its own hard link of the memory, so that servers
            # with different index formats keep their own index files
            # instead of rebuilding one another's at every start.
            mine = d if i == 0 else os.path.dirname(b.baseline_copy(mem, f"-{i}"))
            s = b.Served(server, mine, os.path.join(a.work, f"state-{i}"), token)
            try:
                b.openloop(exe, s.base, paths, 500, 3, a.work)  # warm-up
                # The character-key tables a server makes in the background
                # after its first lookups: waited for (up to 300 s), as in
                # bench_serve.py, so they do not fall on the first rate.
                t0, c = time.perf_counter(), b.cpu_seconds(s.p.pid)
                while time.perf_counter() - t0 < 300:
                    time.sleep(0.5)
                    c, prev = b.cpu_seconds(s.p.pid), c
                    if c - prev < 0.03:
                        break
                for rate in [int(x) for x in a.rates.split(",")]:
                    c0 = switches(s.p.pid)
                    o = s.measure(lambda: b.openloop(exe, s.base, paths, rate, a.seconds, a.work))
                    per = (switches(s.p.pid) - c0) / max(1, o["achieved"] * o["wall"])
                    print(f"round {rnd + 1} {server}: {rate}/s: p50 {o['p50']:.2f} ms, p99 {o['p99']:.2f} ms, "
                          f"p99.9 {o['p999']:.2f} ms, errors {o['errors'] + o['non2xx']}, {o['cpu_ms']:.3f} CPU ms/lookup, "
                          f"{per:.1f} context switches/lookup; {b.threads_text(o)}", flush=True)
                w = s.measure(lambda: b.wrk(s.base, queries, a.seconds, a.work, "en", "ru"))
                print(f"round {rnd + 1} {server}: wrk: {w['rps']:.0f}/s, p99 {w['p99']:.2f} ms, {w['cpu_ms']:.3f} CPU ms/lookup; "
                      f"{b.threads_text(w)}", flush=True)
            finally:
                s.close()


if __name__ == "__main__":
    main()
