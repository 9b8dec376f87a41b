import Foundation
import Testing

@testable import TMKit

private func read(_ name: String, _ bytes: [UInt8]) throws -> Document {
  let probe = DocumentProbe(name: name, bytes: bytes)
  guard let f = try DocumentFormats.detect(probe) else { throw TMError(.invalidInput, "no format", file: name) }
  return try f.read(probe)
}

private func azSegmenter() throws -> SentenceSegmenter { try SentenceSegmenter(language: .az) }

/// The unzipped parts of a zip, by name, for part-by-part comparison.
private func parts(_ bytes: [UInt8]) throws -> [String: [UInt8]] {
  var out: [String: [UInt8]] = [:]
  for p in try ZipParts.read(bytes, name: "t") { out[p.path] = p.bytes }
  return out
}

@Suite struct DocumentModelTests {
  @Test func docxBlocksCodesAndTrackedChanges() throws {
    let W = DocFixtures.w
    let body = """
      <w:document \(W)><w:body>
      <w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Bakıda yeni stansiya</w:t></w:r></w:p>
      <w:p><w:r w:rsidR="1"><w:t xml:space="preserve">Prezident </w:t></w:r><w:proofErr w:type="spellStart"/><w:r w:rsidR="2"><w:rPr><w:lang w:val="az"/></w:rPr><w:t>İlham Əliyev</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve"> açılışda</w:t></w:r><w:r><w:t xml:space="preserve"> iştirak edib.</w:t></w:r><w:r><w:footnoteReference w:id="1"/></w:r></w:p>
      <w:p><w:r><w:t xml:space="preserve">Köhnə </w:t></w:r><w:del w:id="1"><w:r><w:delText>silinən </w:delText></w:r></w:del><w:ins w:id="2"><w:r><w:t xml:space="preserve">əlavə </w:t></w:r></w:ins><w:r><w:t>mətn.</w:t></w:r></w:p>
      <w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> DATE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>01.12.2026</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>
      <w:tbl><w:tr><w:tc><w:p><w:r><w:t>Sərnişin</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
      </w:body></w:document>
      """
    let zip = try ZipParts.write(
      [Document.Part(path: "[Content_Types].xml", bytes: Array("<Types/>".utf8)), Document.Part(path: "word/document.xml", bytes: Array(body.utf8))],
      name: "t.docx")
    let doc = try read("story.bin", zip)  // content, not the name, decides
    #expect(doc.format == "docx")
    #expect(doc.blocks.map(\.kind) == [.heading, .paragraph, .paragraph, .paragraph, .tableCell])
    // Runs split by Word (rsid, lang, proofErr) are one span; bold is a code.
    #expect(InlineText.tagged(doc.blocks[1].content) == "Prezident İlham Əliyev<b1> açılışda</b1> iştirak edib.<fn2/>")
    #expect(doc.blocks[2].plainText == "Köhnə əlavə mətn.")  // tracked changes accepted
    #expect(doc.blocks[3].plainText == "01.12.2026")  // a field's shown text, not its code
  }

  @Test func segmentsInsideBlocksKeepCodesBalanced() throws {
    let content: [Inline] = [
      .text("Birinci cümlə "), .open(InlineCode(id: 1, kind: .bold)), .text("qalın. İkinci"), .close(1),
      .text(" cümlə."), .standalone(InlineCode(id: 2, kind: .footnote)),
    ]
    let seg = DocumentSegmentation.segment(content, block: 0, with: try azSegmenter())
    #expect(seg.segmentCount == 2)
    #expect(InlineText.tagged(seg.segment(0)) == "Birinci cümlə <b1>qalın.</b1>")
    #expect(InlineText.tagged(seg.segment(1)) == "<b1>İkinci</b1> cümlə.<fn2/>")
    #expect(seg.reassembled([:]) == content)
  }

  @Test func placeholdersMoveIntoTheTranslation() {
    let src: [Inline] = [
      .text("Prezident "), .open(InlineCode(id: 1, kind: .bold)), .text("İlham Əliyev"), .close(1),
      .text(" 2024-cü ildə gəldi."), .standalone(InlineCode(id: 2, kind: .footnote)),
    ]
    // The bold name is not in the Russian text: it goes by position.
    let ru = PlaceholderTransfer.place(src, into: "Президент Ильхам Алиев приехал в 2024 году.")
    #expect(InlineText.plain(ru) == "Президент Ильхам Алиев приехал в 2024 году.")
    #expect(InlineText.tagged(ru).hasSuffix("<fn2/>"))
    #expect(InlineText.tagged(ru).contains("<b1>"))
    // A code around a number found as is wraps it.
    let num: [Inline] = [.text("Gündə "), .open(InlineCode(id: 1, kind: .bold)), .text("45 000"), .close(1), .text(" sərnişin.")]
    #expect(InlineText.tagged(PlaceholderTransfer.place(num, into: "В день 45 000 пассажиров.")) == "В день <b1>45 000</b1> пассажиров.")
    // A code around everything wraps everything.
    let all: [Inline] = [.open(InlineCode(id: 1, kind: .italic)), .text("Salam."), .close(1)]
    #expect(InlineText.tagged(PlaceholderTransfer.place(all, into: "Привет.")) == "<i1>Привет.</i1>")
  }

  @Test func htmlLegacyEncodingAttributesAndSkippedParts() throws {
    let html = """
      <html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251"><title>Новости</title>
      <script>var s = "<p>не текст</p>";</script></head>
      <body><p>Президент &laquo;открыл&raquo; <b>новую</b> станцию.<br>Вторая строка.</p>
      <p translate="no">APA</p><img src="a.png" alt="Логотип агентства"></body></html>
      """
    guard let data = html.data(using: .windowsCP1251) else {
      Issue.record("no cp1251 encoder")
      return
    }
    let bytes = [UInt8](data)
    let doc = try read("news.html", bytes)
    #expect(doc.properties["encoding"] == "windows-1251")
    #expect(doc.blocks.map(\.plainText) == ["Новости", "Президент «открыл» новую станцию.\nВторая строка.", "Логотип агентства"])
    #expect(doc.blocks.map(\.kind) == [.title, .paragraph, .attribute])
    // Unchanged: byte for byte; changed: written in cp1251 in place.
    #expect(try DocumentFormats.write(doc, translations: [:]) == bytes)
    var t = doc.blocks[2].content
    t = [.text("Agentliyin loqosu \"APA\" ə")]
    let out = try DocumentFormats.write(doc, translations: [2: t])
    let back = try read("news.html", out)
    #expect(back.blocks[2].plainText == "Agentliyin loqosu \"APA\" ə")
    #expect(back.blocks[1].plainText == doc.blocks[1].plainText)
  }

  @Test func htmlUnquotedAttributeAndPOWithoutBlankLines() throws {
    let html = "<html><body><p>Salam <img src=a.png alt=Loqo> dünya.</p></body></html>"
    let doc = try read("a.html", Array(html.utf8))
    let i = try #require(doc.blocks.firstIndex { $0.kind == .attribute })
    let out = String(decoding: try DocumentFormats.write(doc, translations: [i: [.text("Agentliyin loqosu")]]), as: UTF8.self)
    #expect(out == "<html><body><p>Salam <img src=a.png alt=\"Agentliyin loqosu\"> dünya.</p></body></html>")
    let po = "msgid \"Bir\"\nmsgstr \"\"\n#: a.c:2\nmsgid \"İki\"\nmsgstr \"Два\"\n"
    let d = try read("a.po", Array(po.utf8))
    #expect(d.blocks.map(\.plainText) == ["Bir", "İki"])
    #expect(d.blocks[1].target == [.text("Два")])
  }

  @Test func pdfAndBrokenInputsAreClearErrors() throws {
    #expect(throws: TMError.self) { try read("a.pdf", Array("%PDF-1.7\n...".utf8)) }
    do {
      _ = try read("a.pdf", Array("%PDF-1.7\n".utf8))
    } catch let e as TMError {
      #expect(e.description.contains("pdftotext -layout"))
    }
    // A zip cut in half.
    var rng = SeededRandom(seed: 7)
    let docx = DocFixtures.docx(DocFixtures.random(&rng), rng: &rng)
    do {
      _ = try read("cut.docx", Array(docx.prefix(docx.count / 2)))
      Issue.record("a truncated zip was read")
    } catch let e as TMError {
      #expect(e.file == "cut.docx")
    }
    // A DOCX without word/document.xml.
    let noBody = try ZipParts.write([Document.Part(path: "word/styles.xml", bytes: Array("<w:styles/>".utf8))], name: "x")
    do {
      _ = try read("nobody.docx", noBody)
      Issue.record("a DOCX without its body was read")
    } catch let e as TMError {
      #expect(e.message.contains("word/document.xml"))
    }
    // Malformed XML in the body: part and line.
    let bad = try ZipParts.write([Document.Part(path: "word/document.xml", bytes: Array("<w:document \(DocFixtures.w)>\n<w:body><w:p></w:body>".utf8))], name: "x")
    do {
      _ = try read("bad.docx", bad)
      Issue.record("malformed XML was read")
    } catch let e as TMError {
      #expect(e.file == "bad.docx:word/document.xml")
      #expect(e.line == 2)
    }
    // Invalid UTF-8 in Markdown: line and offset.
    do {
      _ = try read("a.md", Array("# Başlıq\n\nSalam \u{FF}".utf8) + [0xFF, 0x0A])
      Issue.record("invalid UTF-8 was read")
    } catch let e as TMError {
      #expect(e.line != nil || e.byteOffset != nil)
    }
  }

  @Test func bilingualFormatsRecordStateAndMatchScore() throws {
    var rng = SeededRandom(seed: 21)
    let paras = DocFixtures.random(&rng, paragraphs: 2)
    let note = TargetAnnotation(state: "needs-review-translation", score: 87, origin: "az-ru.tsv")
    // XLIFF 1.2: target state and <alt-trans match-quality>.
    let x1 = try read("a.xlf", Array(DocFixtures.xliff12(paras).utf8))
    let t1 = try DocumentFormats.write(x1, translations: [1: [.text("Перевод")]], annotations: [1: note])
    let s1 = String(decoding: t1, as: UTF8.self)
    #expect(s1.contains("<target state=\"needs-review-translation\">Перевод</target>"))
    #expect(s1.contains("<alt-trans match-quality=\"87\" origin=\"az-ru.tsv\">"))
    #expect(try read("a.xlf", t1).blocks[1].target == [.text("Перевод")])
    // XLIFF 2: segment state (a fuzzy match stays `initial`) and a note in the unit.
    let x2 = try read("a.xliff", Array(DocFixtures.xliff2(paras).utf8))
    let t2 = try DocumentFormats.write(x2, translations: [1: [.text("Перевод")], 2: [.text("Ещё")]], annotations: [1: note, 2: note])
    let back = try read("a.xliff", t2)
    #expect(back.blocks[1].target == [.text("Перевод")])
    #expect(back.blocks[1].targetState == "initial")
    #expect(back.blocks[1].notes == ["tm: 87% match from az-ru.tsv, to review"])
    #expect(back.blocks[2].notes == ["tm: 87% match from az-ru.tsv, to review"])
    // PO: msgstr filled, `#, fuzzy` added.
    let po = try read("a.po", Array(DocFixtures.po(paras, translated: false).utf8))
    let t3 = String(decoding: try DocumentFormats.write(po, translations: [0: [.text("Заголовок \"новости\"")]], annotations: [0: note]), as: UTF8.self)
    #expect(t3.contains("#, fuzzy\nmsgctxt \"p0\"\nmsgid"))
    #expect(t3.contains("msgstr \"Заголовок \\\"новости\\\"\""))
  }

  @Test func xliffMergeWithoutTargetLanguageIsAnError() throws {
    var rng = SeededRandom(seed: 3)
    let doc = try read("n.md", Array(DocFixtures.markdown(DocFixtures.random(&rng)).utf8))
    let blocks = DocumentSegmentation.segment(doc, with: try azSegmenter())
    var x = String(decoding: XLIFFExchange.extract(doc, blocks: blocks, source: .az, target: .ru), as: UTF8.self)
    x = x.replacingOccurrences(of: " target-language=\"ru\"", with: "")
    do {
      _ = try XLIFFExchange.merge(xliff: Array(x.utf8), name: "n.xlf") { try SentenceSegmenter(language: $0) }
      Issue.record("merged an XLIFF without target-language")
    } catch let e as TMError {
      #expect(e.message.contains("target-language"))
      #expect(e.line == 3)
    }
  }
}

/// Round trips on generated documents in every format: extract → merge
/// with the source (or, for bilingual formats, the existing targets) gives
/// the same bytes; translating every segment and reading the result back
/// gives the translation, with every code still there.
@Suite struct DocumentRoundTripTests {
  @Test(arguments: ["az", "ru", "en"]) func identityRoundTripEveryFormat(language: String) throws {
    var rng = SeededRandom(seed: language == "az" ? 11 : language == "ru" ? 12 : 13)
    let seg = try SentenceSegmenter(language: Language(tag: language) ?? .az)
    for round in 0..<12 {
      let paras = DocFixtures.random(&rng, language: language, paragraphs: 2 + rng.below(5))
      for (ext, bytes) in DocFixtures.all(paras, rng: &rng) {
        let name = "news\(round).\(ext)"
        let doc = try read(name, bytes)
        #expect(!doc.blocks.isEmpty, "\(name): no blocks")
        let blocks = DocumentSegmentation.segment(doc, with: seg)
        let xliff = XLIFFExchange.extract(doc, blocks: blocks, source: Language(tag: language) ?? .az, target: .ru, original: bytes)
        let merged = try XLIFFExchange.merge(xliff: xliff, name: name + ".xlf") { try SentenceSegmenter(language: $0) }
        var d = merged.document
        if ext == "po" || ext == "xlf" || ext == "xliff" { d.targetLanguage = "ru" }
        let out = try DocumentFormats.write(d, translations: merged.translations, annotations: merged.annotations)
        if ext == "docx" || ext == "odt" {
          #expect(try parts(out) == parts(bytes), "\(name): parts differ")
        } else {
          #expect(out == bytes, "\(name): bytes differ\n\(String(decoding: out, as: UTF8.self))")
        }
        // The XLIFF itself round-trips: merging it as a document changes nothing.
        let xdoc = try read("x.xlf", xliff)
        #expect(try DocumentFormats.write(xdoc, translations: [:]) == xliff)
      }
    }
  }

  /// Every text run upper-cased (codes untouched) through XLIFF and back.
  @Test func translatedRoundTripKeepsCodes() throws {
    var rng = SeededRandom(seed: 99)
    let seg = try azSegmenter()
    func upper(_ c: [Inline]) -> [Inline] {
      c.map { if case .text(let t) = $0 { return .text(t.uppercased(with: Locale(identifier: "az"))) } else { return $0 } }
    }
    for round in 0..<10 {
      let paras = DocFixtures.random(&rng, paragraphs: 3)
      for (ext, bytes) in DocFixtures.all(paras, rng: &rng) where !["po", "xlf", "xliff"].contains(ext) {
        let name = "t\(round).\(ext)"
        let doc = try read(name, bytes)
        let blocks = DocumentSegmentation.segment(doc, with: seg)
        var pre: [Int: ([Inline], TargetAnnotation)] = [:]
        for (k, s) in DocumentSegmentation.segments(blocks).enumerated() {
          pre[k] = (upper(s.content), TargetAnnotation(state: "translated", score: 100))
        }
        let xliff = XLIFFExchange.extract(doc, blocks: blocks, source: .az, target: .ru, pretranslated: pre, original: bytes)
        let merged = try XLIFFExchange.merge(xliff: xliff, name: name) { try SentenceSegmenter(language: $0) }
        let out = try DocumentFormats.write(merged.document, translations: merged.translations)
        let back = try read(name, out)
        #expect(back.blocks.count == doc.blocks.count, "\(name)")
        for (a, b) in zip(doc.blocks, back.blocks) {
          #expect(b.plainText == InlineText.plain(upper(a.content)), "\(name): \(b.plainText)")
          // The same codes in the same order.
          let codes = { (c: [Inline]) in c.compactMap { p -> String? in if case .text = p { return nil } else { return InlineText.tagged([p]) } } }
          #expect(codes(b.content) == codes(a.content), "\(name): \(InlineText.tagged(b.content))")
        }
      }
    }
  }

  /// Mutated bytes never crash a reader: a document or a TMError.
  @Test func fuzzedDocumentsFailCleanly() throws {
    var rng = SeededRandom(seed: 2026)
    let seg = try azSegmenter()
    let paras = DocFixtures.random(&rng)
    for (ext, bytes) in DocFixtures.all(paras, rng: &rng) {
      for _ in 0..<40 {
        var b = bytes
        for _ in 0..<(1 + rng.below(8)) {
          let i = rng.below(b.count)
          switch rng.below(3) {
          case 0: b[i] = UInt8(rng.below(256))
          case 1: b.remove(at: i)
          default: b.insert(Array("<>&\"".utf8)[rng.below(4)], at: i)
          }
        }
        do {
          let d = try read("f.\(ext)", b)
          _ = DocumentSegmentation.segment(d, with: seg)
          _ = try DocumentFormats.write(d, translations: [0: [.text("Yeni")]])
        } catch is TMError {
        }
      }
    }
  }
}

/// Pretranslation from a real memory (a TSV folder in a temp dir).
@Suite struct PretranslateWorkflowTests {
  @Test func docxPretranslatedFromAMemoryKeepsFormattingAndCountsBands() async throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tm-docs-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let tsv = """
      az\tru\torigin\tcreated\tscore
      Bakıda yeni metro stansiyası açıldı.\tВ Баку открылась новая станция метро.\ttest\t2026-11-25T20:09:04Z\t
      Tikinti 2018-ci ildə başlayıb.\tСтроительство началось в 2018 году.\ttest\t2026-11-25T20:09:04Z\t
      Stansiya Xətai rayonunda yerləşir.\tСтанция расположена в Хатаинском районе.\ttest\t2026-11-25T20:09:04Z\t

      """
    try Data(tsv.utf8).write(to: dir.appendingPathComponent("az-ru.tsv"))
    var rng = SeededRandom(seed: 1)
    let paras: [DocFixtures.Para] = [
      .init(kind: .heading, runs: [.init(text: "Bakıda yeni metro stansiyası açıldı.")]),
      .init(kind: .paragraph, runs: [.init(text: "Tikinti "), .init(text: "2019-cu", bold: true), .init(text: " ildə başlayıb. Sakinlər yeniliyi sevinclə qarşıladılar.")]),
      .init(kind: .cell, runs: [.init(text: "Stansiya Xətai rayonunda yerləşir.")]),
    ]
    let bytes = DocFixtures.docx(paras, rng: &rng)
    let doc = try read("story.docx", bytes)
    let blocks = DocumentSegmentation.segment(doc, with: try azSegmenter())
    let store = TSVFolderStore(folder: dir.path)
    let result = try await Pretranslate(store: store).run(doc, blocks: blocks, from: .az, to: .ru, minScore: 75)
    #expect(result.analysis.segments == 4)
    #expect(result.analysis.translated == 3)
    #expect(result.analysis.bands.first?.segments == 2)  // two 100% matches
    let out = try DocumentFormats.write(doc, translations: result.translations)
    let back = try read("story.ru.docx", out)
    #expect(back.blocks.map(\.plainText) == [
      "В Баку открылась новая станция метро.",
      "Строительство началось в 2019 году. Sakinlər yeniliyi sevinclə qarşıladılar.",
      "Станция расположена в Хатаинском районе.",
    ])
    // The bold number found by value is bold in the translation.
    #expect(InlineText.tagged(back.blocks[1].content).contains("<b1>2019</b1>"))
    // Every part but the body is byte-identical.
    let a = try parts(bytes)
    let b = try parts(out)
    for (k, v) in a where k != "word/document.xml" { #expect(b[k] == v, "\(k)") }
  }
}

/// A UTF-8 HTML page past libxml2's first conversion chunk (~32 KB): with a
/// converter installed its byte offsets drifted and later blocks were
/// written back at wrong places (or not at all).
@Suite struct LargeHTMLTests {
  @Test func everyBlockOfA140KBPageIsWrittenBackInPlace() throws {
    var rng = SeededRandom(seed: 11)
    var paras: [DocFixtures.Para] = []
    while paras.count < 1200 { paras += DocFixtures.random(&rng, language: "az", paragraphs: 6) }
    let html = Array(DocFixtures.html(paras).utf8)
    #expect(html.count > 100_000)
    let doc = try read("big.html", html)
    var translations: [Int: [Inline]] = [:]
    for (i, b) in doc.blocks.enumerated() where b.kind != .attribute {
      translations[i] = b.content.map { piece in
        if case .text(let t) = piece { return .text("[\(i)]" + t.uppercased()) }
        return piece
      }
    }
    let out = try DocumentFormats.write(doc, translations: translations)
    let back = try read("big.ru.html", out)
    #expect(back.blocks.count == doc.blocks.count)
    var wrong = 0
    for (i, b) in back.blocks.enumerated() where translations[i] != nil {
      if b.plainText != InlineText.plain(translations[i] ?? []) { wrong += 1 }
    }
    #expect(wrong == 0)
  }
}
