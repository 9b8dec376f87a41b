#!/usr/bin/env python3
"""Writes a large DOCX for scripts/bench-documents.sh: N pages of az/ru/en news
paragraphs (about 12 paragraphs of ~40 words a page), with Word-like run splits
(rsid, spell-check marks), bold and italic inside sentences, hyperlinks, a table
every 10 pages and footnotes. Deterministic (seeded).
    scripts/gen-docx.py OUT.docx [PAGES]"""
import random, sys, zipfile

out = sys.argv[1]
pages = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
rnd = random.Random(1000)
S = [
    "Bakıda yeni metro stansiyası açıldı.", "Prezident İlham Əliyev açılış mərasimində iştirak edib.",
    "Stansiya Xətai rayonunda yerləşir.", "Gündə 45 000 sərnişin gözlənilir.", "Tikinti 2019-cu ildə başlayıb.",
    "Şəhərin mərkəzinə yol 12 dəqiqə çəkir.", "Sakinlər yeniliyi sevinclə qarşıladılar.",
    "В Баку открылась новая станция метро.", "Строительство началось в 2019 году.",
    "Жители встретили новость с радостью.", "The next station will open in 2026.",
]
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
def esc(s): return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
def run(text, rpr=""):
    props = f"<w:rPr>{rpr}</w:rPr>" if rpr else ""
    return f'<w:r w:rsidR="00{rnd.randrange(16**4):04X}">{props}<w:t xml:space="preserve">{esc(text)}</w:t></w:r>'
body, notes = [], []
for page in range(pages):
    body.append(f'<w:p><w:pPr><w:pStyle w:val="Heading2"/></w:pPr>{run(f"Bölmə {page + 1}")}</w:p>')
    for k in range(12):
        words = " ".join(rnd.choice(S) for _ in range(5)).split(" ")
        a = rnd.randrange(1, len(words) - 3); b = a + rnd.randrange(1, 3)
        parts = [run(" ".join(words[:a]) + " "), run(" ".join(words[a:b]), rnd.choice(["<w:b/>", "<w:i/>"])), run(" " + " ".join(words[b:]))]
        if k % 4 == 0:  # Word's split of one word into runs, with a spell-check mark between
            t = " ".join(words[b:]); c = len(t) // 2
            parts[2] = run(" " + t[:c]) + '<w:proofErr w:type="spellStart"/>' + run(t[c:], '<w:lang w:val="az-Latn-AZ"/>')
        if k == 5:
            parts.append('<w:hyperlink r:id="rIdL"><w:r><w:rPr><w:rStyle w:val="Hyperlink"/></w:rPr><w:t>metro.gov.az</w:t></w:r></w:hyperlink>')
        if k == 7:
            notes.append(len(notes) + 1)
            parts.append(f'<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteReference w:id="{len(notes)}"/></w:r>')
        body.append("<w:p>" + "".join(parts) + "</w:p>")
    if page % 10 == 0:
        cells = "".join(f"<w:tc><w:p>{run(rnd.choice(S))}</w:p></w:tc>" for _ in range(3))
        body.append(f"<w:tbl><w:tr>{cells}</w:tr><w:tr>{cells}</w:tr></w:tbl>")
doc = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document {W}><w:body>' + "".join(body) + '<w:sectPr/></w:body></w:document>'
fn = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:footnotes {W}>' + "".join(
    f'<w:footnote w:id="{n}"><w:p>{run("Mənbə: APA, " + str(n) + ".")}</w:p></w:footnote>' for n in notes) + "</w:footnotes>"
ct = '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>'
rels = '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'
drels = '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rIdL" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://metro.gov.az" TargetMode="External"/><Relationship Id="rIdF" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/></Relationships>'
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml", ct); z.writestr("_rels/.rels", rels)
    z.writestr("word/document.xml", doc); z.writestr("word/_rels/document.xml.rels", drels); z.writestr("word/footnotes.xml", fn)
print(f"{out}: {pages} pages, {len(body)} blocks, document.xml {len(doc.encode()) / 1e6:.1f} MB", file=sys.stderr)
