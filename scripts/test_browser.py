#!/usr/bin/env python3
"""Drives tm-server's page in a real, headless Chromium (Debian's chromium and
chromium-driver, Selenium from PyPI).

    scripts/test_browser.py --server .build/debug/tm-server --out /tmp/tm-browser

Checks, each against a freshly started server over a temporary memory:
  1. lookup: type a query, see the exact match with its %, the language guess,
     the az script switch turns the az text Cyrillic;
  2. a unit holding <script> shows as text (no alert, no script element);
  3. review: align two pasted documents, merge two beads with the keyboard,
     reload, see them merged;
  4. confirm a bead, "add to memory", and find the unit through the API.
Screenshots of each page go to --out. Exit 0 when all pass, 1 otherwise.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netport import free_port  # noqa: E402

MEMORY = """az\tru\ten\torigin\tcreated\tscore
Bakıda hava yağışlı olacaq.\tВ Баку будет дождливая погода.\tThe weather in Baku will be rainy.\ttest\t2026-11-01T10:00:00Z\t
Prezident İlham Əliyev Gəncədə olub.\tПрезидент Ильхам Алиев побывал в Гяндже.\tPresident Ilham Aliyev visited Ganja.\ttest\t2026-11-01T10:00:00Z\t
<script>alert(1)</script> xəbərləri\t<script>alert(1)</script> новости\t<img src=x onerror=alert(2)> news\ttest\t2026-11-01T10:00:00Z\t
"""

SOURCE = "Azərbaycan Respublikası 1918-ci ildə yaradılıb. Paytaxtı Bakıdır. Əhalisi 10 milyon nəfərdir."
TARGET = "Азербайджанская Республика основана в 1918 г. Столица — Баку. Население — 10 млн человек."
TOKEN = "browser-test-token-0123456789"



class Check:
    def __init__(self):
        self.failures = 0

    def __call__(self, ok, what):
        print(("ok    " if ok else "FAIL  ") + what, flush=True)
        if not ok:
            self.failures += 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", default=".build/debug/tm-server")
    ap.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "tm-browser-test"))
    ap.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    ap.add_argument("--driver", default=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    work = tempfile.mkdtemp(prefix="tm-browser-")
    mem = os.path.join(work, "Memories")
    os.makedirs(mem)
    with open(os.path.join(mem, "news.tsv"), "w", encoding="utf-8") as f:
        f.write(MEMORY)
    token_file = os.path.join(work, "token")
    with open(token_file, "w") as f:
        f.write(TOKEN + "\n")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(os.path.join(args.out, "server.log"), "w")
    server = subprocess.Popen(
        [args.server, "--port", str(port), "--memories", mem, "--token-file", token_file],
        stdout=log, stderr=subprocess.STDOUT)
    check = Check()
    driver = None
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.05)
        opts = webdriver.ChromeOptions()
        opts.binary_location = args.chromium
        for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--window-size=1280,900", "--lang=en-US"]:
            opts.add_argument(a)
        driver = webdriver.Chrome(service=Service(args.driver), options=opts)
        wait = WebDriverWait(driver, 10)

        # 1. Lookup.
        driver.get(base + "/")
        q = driver.find_element(By.ID, "q")
        q.send_keys("Bakıda hava yağışlı olacaq")
        try:
            wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#results li.match"))
        except TimeoutException:
            pass
        first = driver.find_elements(By.CSS_SELECTOR, "#results li.match")
        text = first[0].text if first else ""
        check("В Баку будет дождливая погода." in text, "lookup: the match's translation is shown")
        check(any(p in text for p in ("100%", "99%", "98%", "97%", "96%", "95%")), "lookup: the match % is shown")
        guess = driver.find_element(By.ID, "guess").text
        check("az" in guess and "guessed" in guess, f"lookup: the language guess is shown ({guess!r})")
        driver.save_screenshot(os.path.join(args.out, "lookup.png"))
        # A fuzzy match with the differing word highlighted.
        q.clear()
        q.send_keys("Prezident İlham Əliyev Bakıda olub")
        try:
            wait.until(lambda d: "Gəncədə" in d.find_element(By.ID, "results").text)
            marks = driver.find_elements(By.CSS_SELECTOR, "#results li.match mark")
            check(any(m.text == "Gəncədə" for m in marks), "lookup: the differing word is highlighted")
        except TimeoutException:
            check(False, "lookup: fuzzy match shown")
        driver.find_element(By.CSS_SELECTOR, ".script-switch button[data-script=cyrl]").click()
        try:
            wait.until(lambda d: "Ҝәнҹәдә" in d.find_element(By.ID, "results").text)
            check(True, "lookup: the az script switch shows Cyrillic")
        except TimeoutException:
            check(False, "lookup: the az script switch shows Cyrillic")
        driver.save_screenshot(os.path.join(args.out, "lookup-fuzzy-cyrillic.png"))
        driver.find_element(By.CSS_SELECTOR, ".script-switch button[data-script=as-stored]").click()

        # 2. Markup in a unit shows as text.
        q.clear()
        q.send_keys("news")
        driver.find_element(By.ID, "concordance").click()
        try:
            wait.until(lambda d: "<script>" in d.find_element(By.ID, "results").text)
            shown = True
        except TimeoutException:
            shown = False
        try:
            driver.switch_to.alert
            alert = True
        except NoAlertPresentException:
            alert = False
        injected = driver.execute_script(
            "return document.querySelectorAll('#results script, #results img').length")
        check(shown and not alert and injected == 0, "escaping: <script> and <img onerror> show as text")
        driver.save_screenshot(os.path.join(args.out, "lookup-markup.png"))
        driver.find_element(By.ID, "concordance").click()

        # 3. Review: align, merge with the keyboard, reload.
        tok = driver.find_element(By.ID, "token")
        tok.send_keys(TOKEN)
        tok.send_keys(Keys.TAB)
        driver.find_element(By.ID, "tab-review").click()
        wait.until(lambda d: d.find_element(By.ID, "src-text").is_displayed())
        driver.find_element(By.ID, "src-text").send_keys(SOURCE)
        driver.find_element(By.ID, "tgt-text").send_keys(TARGET)
        driver.find_element(By.CSS_SELECTOR, "#review-form button[type=submit]").click()
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#beads tbody tr")) == 3)
        check(True, "review: three beads in two columns")
        driver.save_screenshot(os.path.join(args.out, "review.png"))
        rows = driver.find_elements(By.CSS_SELECTOR, "#beads tbody tr")
        rows[0].click()
        driver.find_element(By.TAG_NAME, "body").send_keys("m")
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#beads tbody tr")) == 2)
        driver.refresh()
        try:
            wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#beads tbody tr")) == 2)
            segs = driver.find_elements(By.CSS_SELECTOR, "#beads tbody tr:first-child td.side:nth-child(2) .segment")
            check(len(segs) == 2, "review: the merge survives a reload")
        except TimeoutException:
            check(False, "review: the merge survives a reload")
        driver.save_screenshot(os.path.join(args.out, "review-merged.png"))

        # 4. Confirm the second bead (j, Enter) and add it to the memory.
        body = driver.find_element(By.TAG_NAME, "body")
        driver.find_elements(By.CSS_SELECTOR, "#beads tbody tr")[1].click()
        body = driver.find_element(By.TAG_NAME, "body")
        body.send_keys(Keys.ENTER)
        wait.until(lambda d: "confirmed" in d.execute_script(
            "const r = document.querySelectorAll('#beads tbody tr'); return r.length > 1 ? r[1].className : ''"))
        driver.find_element(By.ID, "add-to-memory").click()
        try:
            wait.until(lambda d: "added 1 unit" in d.find_element(By.ID, "status").text)
            check(True, "review: add to memory")
        except TimeoutException:
            check(False, "review: add to memory (" + driver.find_element(By.ID, "status").text + ")")
        driver.save_screenshot(os.path.join(args.out, "review-added.png"))
        url = base + "/api/v1/lookup?" + urllib.parse.urlencode({"q": "Əhalisi 10 milyon nəfərdir.", "to": "ru"})
        r = json.load(urllib.request.urlopen(url, timeout=5))
        ms = r["answers"][0]["matches"]
        ok = bool(ms) and ms[0]["kind"] == "exact" and ms[0]["targets"][0]["text"] == "Население — 10 млн человек."
        check(ok, "review: the added unit is found through the API")
    except Exception as e:  # a crash in the script is a failure, with the reason
        check(False, f"unexpected {type(e).__name__}: {e}")
        if driver:
            driver.save_screenshot(os.path.join(args.out, "failure.png"))
    finally:
        if driver:
            driver.quit()
        server.terminate()
        try:
            code = server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            code = -9
        check(code == 0, f"server: SIGTERM drains and exits 0 (got {code})")
        shutil.rmtree(work, ignore_errors=True)
    print(f"screenshots in {args.out}")
    return 1 if check.failures else 0


if __name__ == "__main__":
    sys.exit(main())
