import Foundation

@testable import TMKit

/// Small real-looking documents in az, ru and en, made by the tests: a
/// DOCX and an ODT writer (just enough WordprocessingML / ODF), and text
/// formats, all from one description so every format gets the same text.
enum DocFixtures {
  static let sentences: [String: [String]] = [
    "az": [
      "Bakıda yeni metro stansiyası açıldı.", "Prezident İlham Əliyev açılış mərasimində iştirak edib.",
      "Stansiya Xətai rayonunda yerləşir.", "Gündə 45 000 sərnişin gözlənilir.",
      "Tikinti 2019-cu ildə başlayıb.", "Şəhərin mərkəzinə yol 12 dəqiqə çəkir.",
      "Sakinlər yeniliyi sevinclə qarşıladılar.", "Növbəti stansiya 2026-cı ildə açılacaq.",
    ],
    "ru": [
      "В Баку открылась новая станция метро.", "Президент Ильхам Алиев принял участие в церемонии открытия.",
      "Станция расположена в Хатаинском районе.", "Ожидается 45 000 пассажиров в день.",
      "Строительство началось в 2019 году.", "Дорога до центра города занимает 12 минут.",
      "Жители встретили новость с радостью.", "Следующая станция откроется в 2026 году.",
    ],
    "en": [
      "A new metro station opened in Baku.", "President Ilham Aliyev attended the opening ceremony.",
      "The station is in the Khatai district.", "About 45,000 passengers a day are expected.",
      "Construction began in 2019.", "The trip to the city centre takes 12 minutes.",
      "Residents welcomed the news.", "The next station will open in 2026.",
    ],
  ]

  /// A run of text with formatting.
  struct Run: Hashable {
    var text: String
    var bold = false
    var italic = false
    var link: String?
  }

  enum Kind { case heading, paragraph, cell, footnote }

  struct Para {
    var kind: Kind
    var runs: [Run]
    var plain: String { runs.map(\.text).joined() }
  }

  /// A random document: a heading, paragraphs of 1-3 sentences with bold,
  /// italic and links inside sentences, a table, a footnote.
  static func random(_ rng: inout SeededRandom, language: String = "az", paragraphs: Int = 4) -> [Para] {
    let pool = sentences[language] ?? sentences["az"] ?? []
    func sentence() -> String { pool[rng.below(pool.count)] }
    var out = [Para(kind: .heading, runs: [Run(text: String(sentence().dropLast()))])]
    for _ in 0..<paragraphs {
      var runs: [Run] = []
      for k in 0..<(1 + rng.below(3)) {
        let s = (k > 0 ? " " : "") + sentence()
        let words = s.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        // Split into up to three runs, formatting the middle one.
        if words.count >= 4 && rng.below(2) == 0 {
          let a = 1 + rng.below(words.count - 2)
          let b = a + 1 + rng.below(words.count - a - 1)
          var mid = Run(text: " " + words[a..<b].joined(separator: " "))
          switch rng.below(3) {
          case 0: mid.bold = true
          case 1: mid.italic = true
          default: mid.link = "https://az.wikipedia.org/wiki/Bak%C4%B1"
          }
          runs.append(Run(text: words[..<a].joined(separator: " ")))
          runs.append(mid)
          runs.append(Run(text: " " + words[b...].joined(separator: " ")))
        } else {
          runs.append(Run(text: s))
        }
      }
      out.append(Para(kind: .paragraph, runs: runs))
    }
    out.append(Para(kind: .cell, runs: [Run(text: String(sentence().dropLast()))]))
    out.append(Para(kind: .cell, runs: [Run(text: "\(1000 + rng.below(9000))")]))
    out.append(Para(kind: .footnote, runs: [Run(text: "Mənbə: APA, \(1 + rng.below(28)).02.2024.")]))
    return out
  }

  static func esc(_ s: String) -> String { XMLText.escape(s) }

  // MARK: DOCX

  static let w = #"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#

  /// A DOCX; runs are split again at random (the way Word's revision ids
  /// split them) when `splitRuns` is set.
  static func docx(_ paras: [Para], splitRuns: Bool = false, rng: inout SeededRandom) -> [UInt8] {
    var body = ""
    var links: [String] = []
    var cells: [String] = []
    var notes = ""
    func runs(_ p: Para) -> String {
      var s = ""
      for r in p.runs {
        var pieces = [r.text]
        if splitRuns && r.text.count > 6 && rng.below(2) == 0 {
          let cut = r.text.index(r.text.startIndex, offsetBy: 1 + rng.below(r.text.count - 2))
          pieces = [String(r.text[..<cut]), String(r.text[cut...])]
        }
        var runXML = ""
        for (k, piece) in pieces.enumerated() {
          let rpr = (r.bold ? "<w:b/>" : "") + (r.italic ? "<w:i/>" : "") + (r.link != nil ? "<w:rStyle w:val=\"Hyperlink\"/>" : "")
          let lang = k == 1 ? "<w:lang w:val=\"az-Latn-AZ\"/>" : ""
          let props = rpr.isEmpty && lang.isEmpty ? "" : "<w:rPr>\(rpr)\(lang)</w:rPr>"
          runXML += "<w:r w:rsidR=\"00\(k)A\">\(props)<w:t xml:space=\"preserve\">\(esc(piece))</w:t></w:r>"
          if k == 0 && pieces.count > 1 { runXML += "<w:proofErr w:type=\"spellStart\"/>" }
        }
        if let l = r.link {
          links.append(l)
          s += "<w:hyperlink r:id=\"rIdL\(links.count)\">\(runXML)</w:hyperlink>"
        } else {
          s += runXML
        }
      }
      return s
    }
    var noteCount = 0
    for p in paras {
      switch p.kind {
      case .heading: body += "<w:p><w:pPr><w:pStyle w:val=\"Heading1\"/></w:pPr>\(runs(p))</w:p>\n"
      case .paragraph:
        body += "<w:p><w:pPr><w:spacing w:after=\"120\"/><w:rPr><w:b/></w:rPr></w:pPr>\(runs(p))</w:p>\n"
      case .cell: cells.append("<w:tc><w:tcPr><w:tcW w:w=\"4000\" w:type=\"dxa\"/></w:tcPr><w:p>\(runs(p))</w:p></w:tc>")
      case .footnote:
        noteCount += 1
        notes += "<w:footnote w:id=\"\(noteCount)\"><w:p><w:r><w:footnoteRef/></w:r>\(runs(p))</w:p></w:footnote>"
        body += "<w:p><w:r><w:t xml:space=\"preserve\">Qeyd</w:t></w:r><w:r><w:rPr><w:vertAlign w:val=\"superscript\"/></w:rPr><w:footnoteReference w:id=\"\(noteCount)\"/></w:r></w:p>\n"
      }
    }
    if !cells.isEmpty { body += "<w:tbl><w:tr>\(cells.joined())</w:tr></w:tbl>\n" }
    let document = """
      <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
      <w:document \(w)><w:body>
      \(body)<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>
      """
    let footnotes = """
      <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
      <w:footnotes \(w)><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>\(notes)</w:footnotes>
      """
    let types = """
      <?xml version="1.0" encoding="UTF-8"?>
      <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>
      """
    let rels = """
      <?xml version="1.0" encoding="UTF-8"?>
      <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>
      """
    var drels = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    drels += "<Relationship Id=\"rIdF\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes\" Target=\"footnotes.xml\"/>"
    for (k, l) in links.enumerated() {
      drels += "<Relationship Id=\"rIdL\(k + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink\" Target=\"\(esc(l))\" TargetMode=\"External\"/>"
    }
    drels += "</Relationships>"
    let parts = [
      Document.Part(path: "[Content_Types].xml", bytes: Array(types.utf8)),
      Document.Part(path: "_rels/.rels", bytes: Array(rels.utf8)),
      Document.Part(path: "word/document.xml", bytes: Array(document.utf8)),
      Document.Part(path: "word/_rels/document.xml.rels", bytes: Array(drels.utf8)),
      Document.Part(path: "word/footnotes.xml", bytes: Array(footnotes.utf8)),
    ]
    return (try? ZipParts.write(parts, name: "test.docx")) ?? []
  }

  // MARK: ODT

  static func odt(_ paras: [Para]) -> [UInt8] {
    var body = ""
    var cells = ""
    func spans(_ p: Para) -> String {
      p.runs.map { r in
        var t = esc(r.text)
        if r.text.hasPrefix(" ") && r.text.count > 1 { t = "<text:s/>" + esc(String(r.text.dropFirst())) }
        if let l = r.link { return "<text:a xlink:type=\"simple\" xlink:href=\"\(esc(l))\">\(t)</text:a>" }
        if r.bold { return "<text:span text:style-name=\"T1\">\(t)</text:span>" }
        if r.italic { return "<text:span text:style-name=\"T2\">\(t)</text:span>" }
        return t
      }.joined()
    }
    for p in paras {
      switch p.kind {
      case .heading: body += "<text:h text:style-name=\"Heading_20_1\" text:outline-level=\"1\">\(spans(p))</text:h>\n"
      case .paragraph: body += "<text:p text:style-name=\"Standard\">\(spans(p))</text:p>\n"
      case .cell: cells += "<table:table-cell office:value-type=\"string\"><text:p>\(spans(p))</text:p></table:table-cell>"
      case .footnote:
        body += "<text:p>Qeyd<text:note text:id=\"ftn1\" text:note-class=\"footnote\"><text:note-citation>1</text:note-citation><text:note-body><text:p text:style-name=\"Footnote\">\(spans(p))</text:p></text:note-body></text:note></text:p>\n"
      }
    }
    if !cells.isEmpty { body += "<table:table table:name=\"Cədvəl1\"><table:table-column table:number-columns-repeated=\"2\"/><table:table-row>\(cells)</table:table-row></table:table>\n" }
    let content = """
      <?xml version="1.0" encoding="UTF-8"?>
      <office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" xmlns:xlink="http://www.w3.org/1999/xlink" office:version="1.3"><office:automatic-styles><style:style style:name="T1" style:family="text"><style:text-properties fo:font-weight="bold"/></style:style><style:style style:name="T2" style:family="text"><style:text-properties fo:font-style="italic"/></style:style></office:automatic-styles><office:body><office:text>
      \(body)</office:text></office:body></office:document-content>
      """
    let manifest = """
      <?xml version="1.0" encoding="UTF-8"?>
      <manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>
      """
    let parts = [
      Document.Part(path: "mimetype", bytes: Array("application/vnd.oasis.opendocument.text".utf8), stored: true),
      Document.Part(path: "content.xml", bytes: Array(content.utf8)),
      Document.Part(path: "META-INF/manifest.xml", bytes: Array(manifest.utf8)),
    ]
    return (try? ZipParts.write(parts, name: "test.odt")) ?? []
  }

  // MARK: text formats

  static func html(_ paras: [Para], lang: String = "az") -> String {
    func inline(_ p: Para) -> String {
      p.runs.map { r in
        let t = esc(r.text).replacingOccurrences(of: "ə", with: r.bold ? "ə" : "&#601;")
        if let l = r.link { return "<a href=\"\(esc(l))\" title=\"Vikipediya\">\(t)</a>" }
        if r.bold { return "<b>\(t)</b>" }
        if r.italic { return "<em>\(t)</em>" }
        return t
      }.joined()
    }
    var s = "<!DOCTYPE html>\n<html lang=\"\(lang)\">\n<head>\n<meta charset=\"utf-8\">\n<title>Xəbərlər</title>\n<style>p { margin: 0 }</style>\n</head>\n<body>\n"
    var cells = ""
    for p in paras {
      switch p.kind {
      case .heading: s += "<h1>\(inline(p))</h1>\n"
      case .paragraph: s += "<p>\(inline(p))</p>\n"
      case .cell: cells += "<td>\(inline(p))</td>"
      case .footnote: s += "<p class=\"note\"><small>\(inline(p))</small><br>\n<img src=\"logo.png\" alt=\"Agentliyin loqosu\"></p>\n"
      }
    }
    s += "<table><tr>\(cells)</tr></table>\n<script>var x = \"<p>not text</p>\";</script>\n<p translate=\"no\">APA-Economics</p>\n</body>\n</html>\n"
    return s
  }

  static func markdown(_ paras: [Para]) -> String {
    func inline(_ p: Para) -> String {
      p.runs.map { r in
        // Markers hug the text: keep the leading space outside.
        let lead = r.text.hasPrefix(" ") ? " " : ""
        let t = lead.isEmpty ? r.text : String(r.text.dropFirst())
        if let l = r.link { return "\(lead)[\(t)](\(l))" }
        if r.bold { return "\(lead)**\(t)**" }
        if r.italic { return "\(lead)*\(t)*" }
        return r.text
      }.joined()
    }
    var s = "---\ntitle: Xəbərlər\n---\n\n"
    var cells: [String] = []
    for p in paras {
      switch p.kind {
      case .heading: s += "# \(inline(p))\n\n"
      case .paragraph: s += "\(inline(p))\n\n"
      case .cell: cells.append(inline(p))
      case .footnote: s += "> \(inline(p))\n\n- Birinci bənd `kod`\n- İkinci bənd\n\n```\nkod bloku: toxunulmur\n```\n\n"
      }
    }
    if !cells.isEmpty { s += "| " + cells.joined(separator: " | ") + " |\n|---|---|\n| 1 | 2 |\n" }
    return s
  }

  static func srt(_ paras: [Para]) -> String {
    var s = ""
    var n = 0
    for p in paras where p.kind == .paragraph || p.kind == .heading {
      n += 1
      let text = p.runs.map { $0.italic ? "<i>\($0.text)</i>" : $0.text }.joined()
      s += "\(n)\n00:00:\(String(format: "%02d", n)),000 --> 00:00:\(String(format: "%02d", n + 1)),500\n\(text)\n\n"
    }
    return s
  }

  static func vtt(_ paras: [Para]) -> String {
    var s = "WEBVTT\n\nNOTE made by the tests\n\n"
    var n = 0
    for p in paras where p.kind == .paragraph || p.kind == .heading {
      n += 1
      s += "cue-\(n)\n00:00:\(String(format: "%02d", n)).000 --> 00:00:\(String(format: "%02d", n + 1)).500 line:90%\n\(p.plain)\n\n"
    }
    return s
  }

  static func po(_ paras: [Para], translated: Bool) -> String {
    var s = "msgid \"\"\nmsgstr \"\"\n\"Content-Type: text/plain; charset=UTF-8\\n\"\n\"Language: ru\\n\"\n\n"
    for (k, p) in paras.enumerated() {
      s += "#: news.c:\(k + 10)\nmsgctxt \"p\(k)\"\nmsgid \"\(p.plain.replacingOccurrences(of: "\"", with: "\\\""))\"\nmsgstr \"\(translated && k % 2 == 0 ? "Перевод \(k)" : "")\"\n\n"
    }
    return s
  }

  static func xliff12(_ paras: [Para]) -> String {
    var s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xliff version=\"1.2\" xmlns=\"urn:oasis:names:tc:xliff:document:1.2\">\n  <file original=\"news.html\" source-language=\"az\" target-language=\"ru\" datatype=\"html\">\n    <body>\n"
    for (k, p) in paras.enumerated() {
      let src = p.runs.enumerated().map { i, r in r.bold ? "<g id=\"\(i + 1)\" ctype=\"bold\">\(esc(r.text))</g>" : esc(r.text) }.joined()
      s += "      <trans-unit id=\"u\(k + 1)\">\n        <source>\(src)<x id=\"99\"/></source>\n"
      if k % 3 == 0 { s += "        <target state=\"translated\">Перевод \(k)</target>\n" }
      s += "        <note>Bölmə \(k)</note>\n      </trans-unit>\n"
    }
    return s + "    </body>\n  </file>\n</xliff>\n"
  }

  static func xliff2(_ paras: [Para]) -> String {
    var s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xliff version=\"2.0\" xmlns=\"urn:oasis:names:tc:xliff:document:2.0\" srcLang=\"az\" trgLang=\"ru\">\n  <file id=\"f1\">\n"
    for (k, p) in paras.enumerated() {
      let src = p.runs.enumerated().map { i, r in r.bold ? "<pc id=\"\(i + 1)\">\(esc(r.text))</pc>" : esc(r.text) }.joined()
      s += "    <unit id=\"u\(k + 1)\">\n      <segment\(k % 2 == 0 ? " state=\"initial\"" : "")>\n        <source>\(src)</source>\n"
      if k % 2 == 0 { s += "        <target>Перевод \(k)</target>\n" }
      s += "      </segment>\n    </unit>\n"
    }
    return s + "  </file>\n</xliff>\n"
  }

  /// Every format's file for one description, with its extension.
  static func all(_ paras: [Para], rng: inout SeededRandom) -> [(String, [UInt8])] {
    [
      ("docx", docx(paras, splitRuns: true, rng: &rng)), ("odt", odt(paras)), ("html", Array(html(paras).utf8)),
      ("md", Array(markdown(paras).utf8)), ("srt", Array(srt(paras).utf8)), ("vtt", Array(vtt(paras).utf8)),
      ("po", Array(po(paras, translated: true).utf8)), ("xlf", Array(xliff12(paras).utf8)),
      ("xliff", Array(xliff2(paras).utf8)),
    ]
  }
}
