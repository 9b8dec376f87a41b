"""Short lookup queries (one to three words) for the PostgreSQL parity proof
and benchmark (prove_postgres.py, bench_postgres.py): single vocabulary
words, some with a typo (a letter dropped or two swapped), and spans of one
to three words of stored sources. Short queries also take the segments
holding a word spelt like theirs (Matcher.similarWordEntries; in the
database through tm_words), the path these queries are there to check.
"""
import random


def short_queries(vocab, stored, count, seed=5):
    rng = random.Random(seed)
    out = []
    while len(out) < count:
        kind = rng.randrange(4)
        if kind <= 1:
            w = rng.choice(vocab)
            if kind == 1 and len(w) > 4:
                i = rng.randrange(1, len(w) - 1)
                w = w[:i] + w[i + 1:] if rng.random() < 0.5 else w[:i] + w[i + 1] + w[i] + w[i + 2:]
            out.append(w)
        else:
            ws = rng.choice(stored).split()
            n = min(len(ws), kind)
            i = rng.randrange(0, len(ws) - n + 1)
            out.append(" ".join(ws[i:i + n]))
    return out
