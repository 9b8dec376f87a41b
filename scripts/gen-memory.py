#!/usr/bin/env python3
"""Writes an N-unit en/az/ru memory (our TSV format) to stdout, built from
real sentences and the shipped iso-codes names, varied with numbers, dates
and names so that every unit is distinct. Deterministic (fixed seed).
Usage: scripts/gen-memory.py N > big.tsv"""
import random, sys, os

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
rnd = random.Random(20261125)

# (en, az, ru) news-style sentences with slots: {n} number, {y} year, {c} country.
templates = [
    ("The President of {c} signed decree No. {n} on {d} {y}.",
     "{c} Prezidenti {y}-ci il {d} tarixində {n} saylı fərman imzalayıb.",
     "Президент страны {c} подписал {d} {y} г. указ № {n}."),
    ("Exports rose by {p}% to {m} million manats in {y} (report No. {n}).",
     "{y}-ci ildə ixrac {p}% artaraq {m} milyon manata çatıb ({n} saylı hesabat).",
     "В {y} г. экспорт вырос на {p}% и достиг {m} млн манатов (отчёт № {n})."),
    ("Prof. Aliyev said the {n}th round of talks in {c} had been \u201cconstructive\u201d.",
     "Prof. Əliyev bildirib ki, {c} ilə danışıqların {n}-cü raundu \u201ckonstruktiv\u201d keçib.",
     "Проф. Алиев заявил, что {n}-й раунд переговоров в стране {c} был «конструктивным»."),
    ("About {k} people attended concert No. {n} in Baku on {d}.",
     "{d} Bakıda keçirilən {n} saylı konsertdə təxminən {k} nəfər iştirak edib.",
     "На концерте № {n} в Баку {d} присутствовали около {k} человек."),
    ("Law No. {n} enters into force on 1 January {y}.",
     "{n} saylı qanun {y}-ci il yanvarın 1-dən qüvvəyə minir.",
     "Закон № {n} вступает в силу с 1 января {y} г."),
]
days = [("5 May", "5 may", "5 мая"), ("12 March", "12 mart", "12 марта"), ("1 October", "1 oktyabr", "1 октября"),
        ("28 May", "28 may", "28 мая"), ("18 October", "18 oktyabr", "18 октября"), ("9 November", "9 noyabr", "9 ноября")]

names = []
path = os.path.join(os.path.dirname(__file__), "..", "Memories", "iso-codes.tsv")
with open(path, encoding="utf-8") as f:
    next(f)
    for line in f:
        az, ru, en, origin = line.rstrip("\n").split("\t")[:4]
        if az and ru and "3166" in origin:  # countries with all three names
            names.append((en, az, ru))

out = sys.stdout
out.write("az\tru\ten\torigin\tcreated\tscore\n")
buf = []
for i in range(n):
    en, az, ru = rnd.choice(templates)
    c = rnd.choice(names)
    v = dict(n=f"{i}", y=str(1918 + i % 108), p=f"{rnd.randint(1, 99)},{rnd.randint(0, 9)}",
             m=f"{rnd.randint(1, 999)} {rnd.randint(100, 999)}", k=f"{rnd.randint(1, 70)}.000",
             )
    d = rnd.choice(days)
    score = "" if i % 3 else f"0.{rnd.randint(100, 999)}"
    buf.append(f"{az.format(c=c[1], d=d[1], **v)}\t{ru.format(c=c[2], d=d[2], **v)}\t{en.format(c=c[0], d=d[0], **v)}"
               f"\talign:news-{i // 1000}.az.txt#{i % 1000}|news-{i // 1000}.ru.txt#{i % 1000}"
               f"\t2026-11-{1 + i % 25:02d}T{i % 24:02d}:{i % 60:02d}:00Z\t{score}\n")
    if len(buf) >= 10000:
        out.write("".join(buf)); buf = []
out.write("".join(buf))
