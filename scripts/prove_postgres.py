#!/usr/bin/env python3
"""The PostgreSQL proofs of `tm serve --store`, against real servers and a real
database (run by scripts/prove-postgres.sh, which builds tm and tm-server and
starts a throwaway cluster).

  1. 4 servers on one database, 16 clients adding 500 units each (one unit per
     request, client i talking to server i mod 4): exactly 8,000 units, no
     duplicates, and every server sees every other's writes.
  2. PostgreSQL restarted in the middle of a write load: every acknowledged
     write is in the database, every one that was not acknowledged got a 5xx
     with a JSON error body (never a hang), /healthz says 503 meanwhile, and
     the servers take writes again without a restart.
  3. SIGKILL of a server in the middle of a several-file `tm import --server`:
     all or nothing, at several moments; a bad file among good ones stores
     nothing.
  4. Import and export through the server: `tm export --server --format tsv`
     of the whole database loads with the CLI and is byte for byte what the
     CLI's own export of those units from a TSV memory gives.
  5. Lookup parity: 2,000 queries (held-out gettext msgids and edited stored
     sources) and 500 short ones (1-3 words: words, misspelt words, spans of
     stored sources) on an 18,000-unit en-ru memory give the same matches
     (kind, score, source, translations, differences, marks) through a server
     on the database with its derived index, one with the index off (every
     lookup in the database) and one on its exported TSV memory.

Usage: prove_postgres.py TM_BINARY WORKDIR   (PG* and TM_PG_CLUSTER, TM_PG_OWNER set)
Exits 1 when a proof fails.
"""
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netport import free_port  # noqa: E402
from short_queries import short_queries  # noqa: E402

TM, WORK = sys.argv[1], sys.argv[2]
os.makedirs(WORK, exist_ok=True)
PGCTL = os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin") + "/pg_ctl"
CLUSTER = os.environ.get("TM_PG_CLUSTER", "")
OWNER = os.environ.get("TM_PG_OWNER", "")
URL = "postgres://%s@%s:%s/%s" % (os.environ["PGUSER"], os.environ["PGHOST"], os.environ["PGPORT"], os.environ["PGDATABASE"])
TOKEN_FILE = os.path.join(WORK, "token")
with open(TOKEN_FILE, "w") as f:
    f.write("prove-postgres-token-0123456789\n")
TOKEN = "prove-postgres-token-0123456789"
failures = []


def check(ok, what):
    print(("  ok   " if ok else "  FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


def psql(sql):
    return subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql], capture_output=True, text=True,
                          check=True).stdout.strip()



class Server:
    def __init__(self, i):
        self.i = i
        self.port = free_port()
        self.log = open(os.path.join(WORK, f"server{i}.log"), "ab")
        self.start()

    def start(self):
        self.proc = subprocess.Popen(
            [TM, "serve", "--store", URL, "--port", str(self.port), "--token-file", TOKEN_FILE,
             "--state", os.path.join(WORK, f"state{self.i}")],
            stdout=self.log, stderr=self.log)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if http("GET", self.url("/healthz"))[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise SystemExit(f"server {self.i} did not start; see {self.log.name}")

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


def http(method, url, body=None, timeout=30, content_type="application/json"):
    """(status, parsed JSON or None, raw bytes); raises OSError when there is no answer."""
    data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Authorization", "Bearer " + TOKEN)
    if data is not None:
        req.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw = r.read()
            status = r.status
    except urllib.error.HTTPError as e:
        raw = e.read()
        status = e.code
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    return status, parsed, raw


def unit(tag, n):
    return {"from": "en", "to": "ru", "source": f"Desk {tag} report number {n} is ready for review.",
            "target": f"Отчёт {tag} номер {n} готов к проверке.", "origin": "prove"}


def count():
    return int(psql("SELECT count(*) FROM tm_units"))


# ---------------------------------------------------------------------------
print("== tm serve migrate, then 4 servers on one database", flush=True)
p = subprocess.run([TM, "serve", "migrate", "--store", URL], capture_output=True, text=True)
print("  " + (p.stdout + p.stderr).strip())
check(p.returncode == 0, "tm serve migrate exits 0")
p = subprocess.run([TM, "serve", "--store", URL.replace("://", "://u:secret@"), "--port", "0"], capture_output=True, text=True)
check(p.returncode == 2 and "password" in p.stderr, "an address with a password is refused: " + p.stderr.strip()[:120])
servers = [Server(i) for i in range(4)]
h = http("GET", servers[0].url("/healthz"))[1]
print("  /healthz: " + json.dumps(h, ensure_ascii=False))

# ---------------------------------------------------------------------------
print("== 1. 16 clients x 500 units through 4 servers", flush=True)
base = count()
results = [[0, 0, []] for _ in range(16)]


def client(c):
    s = servers[c % 4]
    for n in range(500):
        try:
            st, body, raw = http("POST", s.url("/api/v1/units"), {"units": [unit(f"c{c}", n)]})
        except OSError as e:
            st, body, raw = 0, None, str(e).encode()
        if st == 200 and body and body.get("added") == 1:
            results[c][0] += 1
        else:
            results[c][1] += 1
            results[c][2].append((st, raw[:200]))


t0 = time.time()
threads = [threading.Thread(target=client, args=(c,)) for c in range(16)]
for t in threads:
    t.start()
for t in threads:
    t.join()
dt = time.time() - t0
ok = sum(r[0] for r in results)
bad = sum(r[1] for r in results)
total = count() - base
distinct = int(psql("SELECT count(DISTINCT text_hash) FROM tm_units WHERE origin = 'prove'"))
print(f"  {ok} requests added a unit, {bad} did not, in {dt:.1f} s ({8000 / dt:.0f} writes/s); "
      f"the database holds {total} new units, {distinct} distinct")
for r in results:
    for e in r[2][:2]:
        print("   ", e)
check(total == 8000 and distinct == 8000 and ok == 8000, "exactly 8,000 units, no duplicates")
seen = [http("GET", s.url("/healthz"))[1].get("units") for s in servers]
check(all(u == base + 8000 for u in seen), f"every server counts the same units: {seen}")
# A unit written through server 3 is found through server 0 (its derived index catches up first).
st, body, _ = http("GET", servers[0].url("/api/v1/lookup?q=" + urllib.parse.quote(unit("c3", 7)["source"]) + "&from=en&to=ru"))
m = (body or {}).get("answers", [{}])[0].get("matches", [])
check(st == 200 and m and m[0]["score"] == 100, "a unit added through server 3 is an exact match through server 0")
# Each server's derived lookup index holds every unit once a lookup has
# brought it up to the database (or, after its rebuild, by itself).
deadline = time.time() + 120
while time.time() < deadline:
    for s in servers:
        http("GET", s.url("/api/v1/lookup?q=warm+up+now&from=en&to=ru"))
    hs = [http("GET", s.url("/healthz"))[1] for s in servers]
    if all(h.get("index") == "warm" and h.get("index_units") == base + 8000 for h in hs):
        break
    time.sleep(0.5)
print("  derived indexes: " + ", ".join(f"{h.get('index')} {h.get('index_units')}" for h in hs), flush=True)
check(all(h.get("index") == "warm" and h.get("index_units") == base + 8000 for h in hs),
      "every server's derived index holds the 8,000 units")
# Read-your-writes with warm indexes: 4 writers each add a unit through one
# server, look it up at once through the same server, and through the next
# one once the servers' staleness (--staleness, 10 ms by default) has passed
# since the write was acknowledged, 50 times, while the others do the same.
ryw = [0, 0]
STALENESS = 0.010


def ryw_client(c):
    for n in range(50):
        u = unit(f"ryw{c}", n)
        st, body, _ = http("POST", servers[c].url("/api/v1/units"), {"units": [u]})
        acked = time.perf_counter()
        if st != 200 or not body or body.get("added") != 1:
            ryw[1] += 1
            continue

        def found(server):
            st, body, _ = http("GET", server.url("/api/v1/lookup?" + urllib.parse.urlencode(
                {"q": u["source"], "from": "en", "to": "ru", "limit": "1"})))
            m = (body or {}).get("answers", [{}])[0].get("matches", [])
            return st == 200 and m and m[0]["score"] == 100 and m[0]["targets"][0]["text"] == u["target"]
        same = found(servers[c])
        time.sleep(max(0.0, acked + STALENESS - time.perf_counter()))
        if same and found(servers[(c + 1) % 4]):
            ryw[0] += 1
        else:
            ryw[1] += 1


threads = [threading.Thread(target=ryw_client, args=(c,)) for c in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(f"  read-your-writes: {ryw[0]} of 200 units added through one server were the exact match of an "
      f"immediate lookup through it and of one through another 10 ms after the write, {ryw[1]} were not", flush=True)
check(ryw == [200, 0], "a unit written through a server is in its next lookup, and in any other's after the staleness")
base += 200

# ---------------------------------------------------------------------------
print("== 2. restart PostgreSQL during a write load (8 writers, 4 servers)", flush=True)
stop = threading.Event()
log = []  # (source text, status, error json ok)
lock = threading.Lock()
health_during = []


def writer(w):
    s = servers[w % 4]
    n = 0
    while not stop.is_set():
        u = unit(f"fault-w{w}", n)
        n += 1
        t = time.time()
        try:
            st, body, raw = http("POST", s.url("/api/v1/units"), {"units": [u]}, timeout=20)
        except OSError as e:
            st, body, raw = 0, None, str(e).encode()
        el = time.time() - t
        with lock:
            log.append((u["source"], st, isinstance(body, dict) and ("error" in body) and st >= 500, el, raw[:160]))


threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
for t in threads:
    t.start()
time.sleep(3)
as_owner = ["runuser", "-u", OWNER, "--"] if os.getuid() == 0 else []
restart = subprocess.Popen(as_owner + [PGCTL, "-D", os.path.join(CLUSTER, "data"), "-m", "fast", "-w", "restart"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
while restart.poll() is None:
    try:
        health_during.append(http("GET", servers[1].url("/healthz"), timeout=10)[0])
    except OSError:
        health_during.append(0)
    time.sleep(0.05)
time.sleep(3)
stop.set()
for t in threads:
    t.join()
acked = [l for l in log if l[1] == 200]
failed = [l for l in log if l[1] != 200]
stored = set(psql("SELECT en FROM tm_units WHERE origin = 'prove' AND en LIKE 'Desk fault-%'").split("\n")) - {""}
missing = [l for l in acked if l[0] not in stored]
not_json_5xx = [l for l in failed if not l[2]]
unknown_but_stored = [l for l in failed if l[0] in stored]
slowest = max(l[3] for l in log)
print(f"  {len(log)} writes: {len(acked)} acknowledged, {len(failed)} got an error "
      f"({', '.join(sorted(set(str(l[1]) for l in failed)))}); slowest answer {slowest:.2f} s")
for l in failed[:2]:
    print("   ", l[1], l[4].decode(errors="replace"))
print(f"  /healthz while PostgreSQL restarted: {sorted(set(health_during))}")
check(not missing, f"every acknowledged write is stored ({len(acked) - len(missing)} of {len(acked)})")
check(failed and not not_json_5xx, f"every unacknowledged write got a 5xx with a JSON error ({len(failed) - len(not_json_5xx)} of {len(failed)})")
print(f"  (of the failed writes, {len(unknown_but_stored)} are stored: the connection died after COMMIT was sent, "
      "so the server could not know; a retry adds nothing)")
check(503 in health_during, "/healthz answered 503 while the database was down")
after = [http("POST", s.url("/api/v1/units"), {"units": [unit(f"after-{s.i}", 0)]})[0] for s in servers]
check(after == [200] * 4, f"every server takes writes after the restart, without a restart of its own: {after}")
check(all(s.proc.poll() is None for s in servers), "no server exited")

# ---------------------------------------------------------------------------
print("== 3. SIGKILL a server during a 3-file tm import --server", flush=True)


def tmx(path, tag, n):
    with open(path, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header srclang="en" datatype="plaintext" '
                'segtype="sentence" adminlang="en" creationtool="prove" creationtoolversion="1" o-tmf="tm"/><body>\n')
        for i in range(n):
            f.write(f'<tu><tuv xml:lang="en"><seg>Import {tag} sentence {i} about the budget of the ministry.</seg></tuv>'
                    f'<tuv xml:lang="ru"><seg>Импорт {tag} предложение {i} о бюджете министерства.</seg></tuv></tu>\n')
        f.write("</body></tmx>\n")


env = dict(os.environ, TM_SERVER="", PGPASSWORD="")
rounds = []
victim = servers[2]
# How long one such import takes uninterrupted, then kills at fractions of
# it: early ones land before the commit (nothing stored), the last after it
# (everything stored); none may store part.
files = []
for k in range(3):
    path = os.path.join(WORK, f"time-{k}.tmx")
    tmx(path, f"timing{k}", 4000)
    files.append(path)
t0 = time.time()
p = subprocess.run([TM, "import", "--server", victim.url(""), "--token-file", TOKEN_FILE] + files, capture_output=True,
                   text=True, env=env)
T = time.time() - t0
print(f"  an uninterrupted 3 x 4,000-unit import takes {T:.1f} s (exit {p.returncode})")
for r, delay in enumerate([0.1 * T, 0.4 * T, 0.7 * T, 0.9 * T, 1.5 * T]):
    files = []
    for k in range(3):
        path = os.path.join(WORK, f"kill{r}-{k}.tmx")
        tmx(path, f"r{r}f{k}", 4000)
        files.append(path)
    before = count()
    client = subprocess.Popen([TM, "import", "--server", victim.url(""), "--token-file", TOKEN_FILE] + files,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    time.sleep(delay)
    in_tx = psql("SELECT count(*) FROM pg_stat_activity WHERE state IN ('active', 'idle in transaction') "
                 "AND query NOT LIKE '%pg_stat_activity%' AND backend_type = 'client backend'")
    victim.kill()
    out, err = client.communicate()
    time.sleep(0.5)  # PostgreSQL notices the dead connection and rolls back
    got = count() - before
    rounds.append((delay, got, client.returncode, in_tx))
    print(f"  killed after {delay:.1f} s (statements in flight: {in_tx}): {got} of 12000 units stored; "
          f"the client exited {client.returncode}: {(err.strip().splitlines() or [''])[-1][:110]}")
    victim.start()
check(all(g in (0, 12000) for _, g, _, _ in rounds), "every killed import stored all or nothing")
check(any(g == 0 and rc != 0 for _, g, rc, _ in rounds), "at least one import was killed before its commit and stored nothing")
print(f"  outcomes: {sum(1 for _, g, _, _ in rounds if g == 0)} nothing, {sum(1 for _, g, _, _ in rounds if g == 12000)} all, "
      f"{sum(1 for _, g, _, _ in rounds if g not in (0, 12000))} partial")
# A bad file among good ones: nothing.
good = os.path.join(WORK, "good.tmx")
tmx(good, "good", 50)
badf = os.path.join(WORK, "bad.tmx")
with open(badf, "w") as f:
    f.write('<?xml version="1.0"?><tmx version="1.4"><body><tu><tuv xml:lang="en"><seg>unclosed')
before = count()
p = subprocess.run([TM, "import", "--server", servers[0].url(""), "--token-file", TOKEN_FILE, good, badf],
                   capture_output=True, text=True, env=env)
check(p.returncode == 2 and count() == before, f"good.tmx + bad.tmx: exit {p.returncode}, nothing stored: {p.stderr.strip()[:120]}")
p = subprocess.run([TM, "import", "--server", servers[1].url(""), "--token-file", TOKEN_FILE, good,
                    os.path.join(WORK, "kill0-0.tmx")], capture_output=True, text=True, env=env)
print("  " + p.stdout.strip().replace("\n", "\n  "))
check(p.returncode == 0 and count() == before + 4050, "two files in one request: both stored")
print("  (" + str(count()) + " units now)")

# ---------------------------------------------------------------------------
print("== 4. tm export --server of the whole database", flush=True)
exported = os.path.join(WORK, "export.tsv")
p = subprocess.run([TM, "export", "--server", servers[3].url(""), "--format", "tsv", "-o", exported],
                   capture_output=True, text=True, env=env)
check(p.returncode == 0, "tm export --server --format tsv: " + p.stderr.strip())
n = count()
p2 = subprocess.run([TM, "stats", "--memory", exported], capture_output=True, text=True)
print("  tm stats --memory export.tsv: " + " ".join(p2.stdout.split())[:200])
again = os.path.join(WORK, "again.tsv")
p3 = subprocess.run([TM, "export", "--memory", exported, "--format", "tsv", "-o", again], capture_output=True, text=True)
same = p3.returncode == 0 and open(exported, "rb").read() == open(again, "rb").read()
lines = sum(1 for _ in open(exported, "rb")) - 1
check(lines == n, f"the export holds every unit ({lines} of {n})")
check(same, "it loads with the CLI, and the CLI's export of it from a TSV memory is byte for byte the same")
# And back: the exported TSV imported into a fresh TSV memory, exported again.
fresh = os.path.join(WORK, "fresh")
os.makedirs(fresh, exist_ok=True)
p4 = subprocess.run([TM, "import", "--memory", os.path.join(fresh, "m.tsv"), exported], capture_output=True, text=True)
p5 = subprocess.run([TM, "export", "--memory", os.path.join(fresh, "m.tsv"), "--format", "tsv"], capture_output=True)
check(p4.returncode == 0 and p5.stdout == open(exported, "rb").read(),
      "imported into a new TSV memory by the CLI and exported again: the same bytes")

print("== 5. the same lookups on PostgreSQL and on the TSV memory holding the same units", flush=True)
# A realistic memory (the gettext catalogs Debian ships, en -> ru, with
# variants, as in scripts/bench_lookup.py) imported through a server into a
# database of its own; a TSV server on its export (the same units in the same
# order). Queries made from stored sources and held-out msgids; every match of
# the top 5 must agree in kind, score, source, translations, differences and
# marks (unit numbers aside). The memory of proofs 1-4 is one sentence
# template 37,000 times: there every unit ties with every other, which proves
# little about candidates and takes minutes per query on a debug build.
import importlib.util
_argv = sys.argv
sys.argv = [_argv[0], "", os.path.join(WORK, "lookup-helpers"), "1"]
spec = importlib.util.spec_from_file_location("bench_lookup", os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench_lookup.py"))
bl = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bl)
sys.argv = _argv
NPAR = int(os.environ.get("PROVE_PARITY_QUERIES", "2000"))
NSHORT = int(os.environ.get("PROVE_SHORT_QUERIES", "500"))
rng = random.Random(12)
pairs = bl.load_pairs()
rng.shuffle(pairs)
held, base = pairs[:NPAR], pairs[NPAR:NPAR + 12000]
vocab = sorted({w for p in base for w in p[0].split(" ") if w.isalpha() and len(w) > 2})
units = [(en, ru, az, "mo") for en, ru, az in base] + [(bl.vary(en, rng, vocab), ru, az, "variant") for en, ru, az in base[:6000]]
mem = os.path.join(WORK, "parity.tsv")
bl.write_memory(mem, units)
psql("CREATE DATABASE tm_parity")
pg = Server.__new__(Server)
pg.i, pg.port = "parity", free_port()
pg.log = open(os.path.join(WORK, "server-parity.log"), "ab")
pg.proc = subprocess.Popen([TM, "serve", "--store", URL.rsplit("/", 1)[0] + "/tm_parity", "--port", str(pg.port),
                            "--token-file", TOKEN_FILE, "--state", os.path.join(WORK, "state-parity")], stdout=pg.log, stderr=pg.log)
tsv = None
try:
    for _ in range(600):
        try:
            if http("GET", pg.url("/healthz"))[0] == 200:
                break
        except OSError:
            time.sleep(0.1)
    p = subprocess.run([TM, "import", "--server", pg.url(""), "--token-file", TOKEN_FILE, mem], capture_output=True, text=True, env=env)
    check(p.returncode == 0, "the parity memory imported through the server: " + (p.stdout + p.stderr).strip()[:160])
    # A second server on the same database with the derived index off: every
    # lookup retrieves its candidates in the database.
    off = Server.__new__(Server)
    off.i, off.port = "parity-off", free_port()
    off.log = open(os.path.join(WORK, "server-parity-off.log"), "ab")
    off.proc = subprocess.Popen([TM, "serve", "--store", URL.rsplit("/", 1)[0] + "/tm_parity", "--port", str(off.port),
                                 "--token-file", TOKEN_FILE, "--state", os.path.join(WORK, "state-parity-off")],
                                stdout=off.log, stderr=off.log, env=dict(os.environ, TM_PG_INDEX_CACHE="off"))
    stored_units = http("GET", pg.url("/healthz"))[1]["units"]
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < 600:
        h = http("GET", pg.url("/healthz"))[1]
        if h.get("index") == "warm" and h.get("index_units") == stored_units:
            break
        # A lookup brings a warm index up to the import.
        if h.get("index") == "warm":
            http("GET", pg.url("/api/v1/lookup?q=warm&from=en&to=ru"))
        time.sleep(0.2)
    print(f"  derived index of {stored_units} units warm {time.perf_counter() - t0:.1f} s after the import "
          f"(its build: {h.get('index_build_seconds')} s)", flush=True)
    for _ in range(600):
        try:
            if http("GET", off.url("/healthz"))[0] == 200:
                break
        except OSError:
            time.sleep(0.1)
    check(http("GET", off.url("/healthz"))[1].get("index") == "off", "TM_PG_INDEX_CACHE=off turns the derived index off")
    exported2 = os.path.join(WORK, "parity-export.tsv")
    p = subprocess.run([TM, "export", "--server", pg.url(""), "--format", "tsv", "-o", exported2], capture_output=True, text=True, env=env)
    tsv_port = free_port()
    tsv = subprocess.Popen([TM, "serve", "--memory", exported2, "--port", str(tsv_port), "--token-file", TOKEN_FILE,
                            "--state", os.path.join(WORK, "state-tsv")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(1200):
        try:
            if http("GET", f"http://127.0.0.1:{tsv_port}/healthz")[0] == 200:
                break
        except OSError:
            time.sleep(0.1)
    stored = [u[0] for u in units if len(u[0].split()) >= 3]
    queries = [h[0] for h in held[: NPAR // 2] if "\n" not in h[0] and "\t" not in h[0] and h[0].strip()]
    while len(queries) < NPAR:
        queries.append(bl.vary(rng.choice(stored), rng, vocab))
    # Short queries (1-3 words), which also take the segments holding a word
    # spelt like theirs (Matcher.similarWordEntries; in the database through
    # tm_words): single words, some with a typo, and spans of stored sources.
    short = short_queries(vocab, stored, NSHORT)
    queries += [q for q in short if q.strip()]

    def answer(base, q):
        st, body, _ = http("GET", base + "/api/v1/lookup?" + urllib.parse.urlencode(
            {"q": q, "from": "en", "to": "ru", "limit": "5", "concordance": "false"}), timeout=300)
        if st != 200 or not body:
            return ("status", st)
        ms = body["answers"][0]["matches"]
        return [(m["kind"], m["score"], m["source"], json.dumps(m["targets"], ensure_ascii=False, sort_keys=True),
                 m.get("differences"), m.get("marks")) for m in ms]

    import re as _re
    same = differ = with_matches = short_total = short_same = 0
    warm_differ = 0
    first = first_warm = None
    t0 = time.perf_counter()
    for q in queries:
        a = answer(off.url(""), q)
        b = answer(f"http://127.0.0.1:{tsv_port}", q)
        w = answer(pg.url(""), q)
        if w != b:
            warm_differ += 1
            first_warm = first_warm or (q, w, b)
        is_short = len(_re.findall(r"\w+", q)) <= 3
        short_total += 1 if is_short else 0
        if a == b:
            same += 1
            with_matches += 1 if a else 0
            short_same += 1 if is_short else 0
        else:
            differ += 1
            first = first or (q, a, b)
    print(f"  {len(units)} units, {len(queries)} queries in {time.perf_counter() - t0:.1f} s (each on 3 servers)")
    print(f"  derived index (warm): {len(queries) - warm_differ} the same as the TSV memory, {warm_differ} differ"
          + (f"; first: {first_warm[0]!r}: postgres {first_warm[1]!r} tsv {first_warm[2]!r}" if first_warm else ""))
    print(f"  index off (in-database retrieval): {same} the same "
          f"({with_matches} with matches), {differ} differ; of the {short_total} queries of at most 3 words "
          f"{short_same} the same"
          + (f"; first: {first[0]!r}: postgres {first[1]!r} tsv {first[2]!r}" if first else ""))
    check(warm_differ == 0, "every lookup through the derived index gives the same matches as the TSV memory")
    check(differ == 0, "every lookup in the database (short queries too) gives the same matches as the TSV memory")
finally:
    if tsv:
        tsv.terminate()
        tsv.wait()
    pg.stop()
    try:
        off.stop()
    except NameError:
        pass

for s in servers:
    s.stop()
print()
print("all proofs passed" if not failures else f"{len(failures)} proofs FAILED: " + "; ".join(failures))
sys.exit(1 if failures else 0)
