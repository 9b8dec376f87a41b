#!/usr/bin/env python3
"""Weblate's own tmserver client (weblate.machinery.tmserver.TMServerTranslation)
against a running tm-server.

    check_weblate.py --server .build/debug/tm-server     # starts one on a temp memory

Runs, with the client as Weblate runs it: the settings check (languages/ then
en/de/unit/test), the language list, lookups az->ru, ru->en with '/', '?' and
'%' in the text, a 500-character Cyrillic text, Weblate's [X6X] placeholders,
and a closed server reached through /tmserver/k/TOKEN/. Exit 0 when all pass.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netport import free_port  # noqa: E402

MEMORY = """az\tru\ten\torigin\tcreated\tscore
Bakıda hava yağışlı olacaq.\tВ Баку будет дождливая погода.\tThe weather in Baku will be rainy.\ttest\t2026-11-01T10:00:00Z\t
Gəlir/xərc hesabatı hazırdır?\tОтчёт о доходах/расходах готов?\tIs the income/expense report ready?\ttest\t2026-11-01T10:00:00Z\t
Qiymətlər 5% artıb.\tЦены выросли на 5%.\tPrices rose by 5%.\ttest\t2026-11-01T10:00:00Z\t
Hello %s\tПривет, %s\tHello %s\ttest\t2026-11-01T10:00:00Z\t
"""
TOKEN = "weblate-check-token-0123456789"



def setup_django(work):
    with open(os.path.join(work, "tmcheck_settings.py"), "w") as f:
        f.write(
            "from weblate.settings_example import *  # noqa\n"
            "SECRET_KEY = 'tm-check'\n"
            "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': ':memory:'}}\n"
            "CACHES = {'default': {'BACKEND': 'django.core.cache.backends.locmem.LocMemCache'},\n"
            "          'avatar': {'BACKEND': 'django.core.cache.backends.locmem.LocMemCache'}}\n"
            f"DATA_DIR = {os.path.join(work, 'data')!r}\n"
            f"CACHE_DIR = {os.path.join(work, 'cache')!r}\n")
    sys.path.insert(0, work)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tmcheck_settings"
    import django
    django.setup()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", default=".build/debug/tm-server")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="tm-weblate-")
    mem = os.path.join(work, "Memories")
    os.makedirs(mem)
    with open(os.path.join(mem, "news.tsv"), "w", encoding="utf-8") as f:
        f.write(MEMORY)
    token_file = os.path.join(work, "token")
    with open(token_file, "w") as f:
        f.write(TOKEN)
    servers = []
    failures = 0

    def check(ok, what):
        nonlocal failures
        print(("ok    " if ok else "FAIL  ") + what, flush=True)
        failures += 0 if ok else 1

    def start(extra):
        port = free_port()
        p = subprocess.Popen([args.server, "--port", str(port), "--memories", mem, "--token-file", token_file,
                              "--state", os.path.join(work, f"state-{port}")] + extra,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        servers.append(p)
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.05)
        return f"http://127.0.0.1:{port}"

    try:
        setup_django(work)
        import weblate
        from weblate.machinery.tmserver import TMServerTranslation
        print(f"weblate {weblate.__version__ if hasattr(weblate, '__version__') else ''}".strip())
        base = start([])
        m = TMServerTranslation({"url": base + "/tmserver/"})
        try:
            m.validate_settings()
            check(True, "settings check: languages/ and en/de/unit/test accepted")
        except Exception as e:  # ValidationError says why
            check(False, f"settings check: {e}")
        pairs = set(m.download_languages())
        check(("az", "ru") in pairs and ("az_cyrl", "en") in pairs, f"languages: {len(pairs)} pairs, az_cyrl among them")

        def lookup(src, tgt, text, threshold=10):
            return list(m.download_translations(src, tgt, text, None, None, threshold))

        r = lookup("az", "ru", "Bakıda hava yağışlı olacaq")
        check(bool(r) and r[0]["text"] == "В Баку будет дождливая погода." and r[0]["quality"] >= 90,
              f"az->ru fuzzy: {r[:1]}")
        r = lookup("az", "ru", "Gəlir/xərc hesabatı hazırdır?")
        check(bool(r) and r[0]["quality"] == 100 and r[0]["text"] == "Отчёт о доходах/расходах готов?",
              f"'/' and '?' in the text: {r[:1]}")
        r = lookup("ru", "en", "Цены выросли на 7%.")
        check(bool(r) and r[0]["text"] == "Prices rose by 7%.", f"'%' and a number substituted: {r[:1]}")
        r = lookup("en", "ru", "Hello [X6X]")
        check(bool(r) and r[0]["text"] == "Привет, %s", f"placeholder [X6X]: {r[:1]}")
        r = lookup("az", "ru", "Tamamilə başqa bir mətn")
        check(r == [], "no match is an empty list")
        long_text = ("Отчёт о доходах и расходах готов. " * 20)[:500]
        r = lookup("ru", "az", long_text)
        check(isinstance(r, list), "500 Cyrillic characters (a 6 KB path) answer a list")
        r = lookup("az", "ru", "Bakıda hava yağışlı olacaq", threshold=80)
        check(all(x["quality"] >= 80 for x in r) and bool(r), "Weblate's 80 threshold keeps the good match")

        closed = start(["--closed-reads"])
        shut = TMServerTranslation({"url": closed + "/tmserver/"})
        try:
            shut.validate_settings()
            check(False, "closed server without the secret refuses")
        except Exception:
            check(True, "closed server without the secret refuses")
        opened = TMServerTranslation({"url": closed + f"/tmserver/k/{TOKEN}/"})
        try:
            opened.validate_settings()
            r = list(opened.download_translations("az", "ru", "Bakıda hava yağışlı olacaq.", None, None, 75))
            check(bool(r) and r[0]["quality"] == 100, "closed server through /tmserver/k/TOKEN/")
        except Exception as e:
            check(False, f"closed server through /tmserver/k/TOKEN/: {e}")
    finally:
        for p in servers:
            p.terminate()
            p.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
