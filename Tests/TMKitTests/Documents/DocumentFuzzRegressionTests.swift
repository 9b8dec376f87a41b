import Foundation
import Testing

@testable import TMKit

/// Inputs scripts/fuzz.sh found that crashed, hung or broke a document
/// reader, each kept as a seed in Fuzz/corpus/<target>/regression-*.
@Suite struct DocumentFuzzRegressionTests {
  static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz/corpus")

  static func seed(_ target: String, _ name: String) throws -> [UInt8] {
    try [UInt8](Data(contentsOf: corpus.appendingPathComponent(target).appendingPathComponent(name)))
  }

  static func fixture(_ name: String) throws -> [UInt8] {
    try [UInt8](
      Data(
        contentsOf: corpus.deletingLastPathComponent().deletingLastPathComponent()
          .appendingPathComponent("Tests/TMKitTests/Fixtures/documents").appendingPathComponent(name)))
  }

  /// The central directory record of `entry` in `zip` (offset of its signature).
  static func centralRecord(_ zip: [UInt8], _ entry: String) -> Int? {
    let name = Array(entry.utf8)
    var i = 0
    while i + 46 + name.count <= zip.count {
      if zip[i] == 0x50, zip[i + 1] == 0x4B, zip[i + 2] == 1, zip[i + 3] == 2,
        Int(zip[i + 28]) | Int(zip[i + 29]) << 8 == name.count, Array(zip[(i + 46)..<(i + 46 + name.count)]) == name
      {
        return i
      }
      i += 1
    }
    return nil
  }

  @Test func aZipEntryClaimingExabytesIsAnErrorNotATrap() throws {
    // The header's uncompressed size was reserved as is (Data.reserveCapacity trapped).
    var odt = try Self.fixture("xeber.az.odt")
    let cd = try #require(Self.centralRecord(odt, "content.xml"))
    for k in 0..<4 { odt[cd + 24 + k] = 0xF0 }  // uncompressed size 0xF0F0F0F0
    let parts = try ZipParts.read(odt, name: "big.odt")  // the data itself is fine
    #expect(parts.contains { $0.path == "content.xml" && !$0.bytes.isEmpty })
    // The input the fuzzer found (sizes and method damaged): an error with the entry's offset.
    do {
      _ = try ODTFormat().read(DocumentProbe(name: "regression.odt", bytes: try Self.seed("odt", "regression-huge-size.odt")))
      Issue.record("a damaged ODT was read")
    } catch let e as TMError {
      #expect(e.byteOffset != nil)
    }
  }

  @Test func aZIP64ArchiveIsAClearErrorNotATrap() throws {
    // ZIPFoundation's in-memory reader trapped on the fuzzer's ZIP64 end
    // record whose offsets point past the file; ZIP64 is refused by name.
    for bytes in [try Self.seed("docx", "regression-zip64-offsets-past-end.docx")] + (try Self.zip64Variants()) {
      do {
        _ = try DOCXFormat().read(DocumentProbe(name: "zip64.docx", bytes: bytes))
        Issue.record("a ZIP64 archive was read")
      } catch let e as TMError {
        #expect(e.message.contains("ZIP64"))
        #expect(e.byteOffset != nil)
      }
      #expect(ZipParts.entryNames(bytes) == nil)
    }
  }

  /// A real DOCX marked as ZIP64 in its end record (entries 0xFFFF) and in
  /// its document's central record (compressed size 0xFFFFFFFF).
  static func zip64Variants() throws -> [[UInt8]] {
    var rng = SeededRandom(seed: 64)
    let good = DocFixtures.docx(DocFixtures.random(&rng), rng: &rng)
    var end = good
    let marker: [UInt8] = [0x50, 0x4B, 5, 6]
    let found: Int? = (0...(end.count - 22)).reversed().first { (i: Int) -> Bool in Array(end[i..<(i + 4)]) == marker }
    let eocd = try #require(found)
    end[eocd + 10] = 0xFF
    end[eocd + 11] = 0xFF
    var entry = good
    let cd = try #require(Self.centralRecord(entry, "word/document.xml"))
    for k in 0..<4 { entry[cd + 20 + k] = 0xFF }
    return [end, entry]
  }

  @Test func aDamagedDeflateStreamIsAnErrorNotAHang() throws {
    // ZIPFoundation's inflate loop asked for input past the entry forever.
    let docx = try Self.seed("docx", "regression-damaged-deflate.docx")
    do {
      _ = try DOCXFormat().read(DocumentProbe(name: "damaged.docx", bytes: docx))
      Issue.record("a damaged deflate stream was read")
    } catch let e as TMError {
      #expect(e.message.contains("cannot be extracted"))
      #expect(e.byteOffset != nil)
    }
    // A deflated entry cut short: the stream does not end within it.
    var rng = SeededRandom(seed: 11)
    let good = DocFixtures.docx(DocFixtures.random(&rng), rng: &rng)
    var cut = good
    let cd = try #require(Self.centralRecord(cut, "word/document.xml"))
    let local = Int(cut[cd + 42]) | Int(cut[cd + 43]) << 8 | Int(cut[cd + 44]) << 16 | Int(cut[cd + 45]) << 24
    let dataStart = local + 30 + (Int(cut[local + 26]) | Int(cut[local + 27]) << 8) + (Int(cut[local + 28]) | Int(cut[local + 29]) << 8)
    for i in dataStart..<(dataStart + 8) { cut[i] = 0 }  // a stored block header that claims more than is there
    #expect(throws: TMError.self) { try DOCXFormat().read(DocumentProbe(name: "cut.docx", bytes: cut)) }
    // And the reader still reads what it read before.
    let doc = try DOCXFormat().read(DocumentProbe(name: "good.docx", bytes: good))
    #expect(!doc.blocks.isEmpty)
  }

  @Test(arguments: ["a.srt", "a.vtt", "a.md", "a.po"])
  func utf16TextIsRefusedByTheLineReaders(name: String) throws {
    // TextDecoder accepted the BOM, the readers then patched the bytes as UTF-8.
    let text = name.hasSuffix(".po") ? "msgid \"Salam\"\nmsgstr \"Привет\"\n" : "1\n00:00:01,000 --> 00:00:02,000\nSalam\n"
    var bytes: [UInt8] = [0xFF, 0xFE]
    for u in text.utf16 { bytes += [UInt8(u & 0xFF), UInt8(u >> 8)] }
    let formats: [String: any DocumentFormat] = [
      "srt": SubtitleFormat.srt, "vtt": SubtitleFormat.vtt, "md": MarkdownFormat(), "po": PODocumentFormat(),
    ]
    let format = try #require(formats[String(name.dropFirst(2))])
    do {
      _ = try format.read(DocumentProbe(name: name, bytes: bytes))
      Issue.record("UTF-16 was read as UTF-8 lines")
    } catch let e as TMError {
      #expect(e.message.contains("UTF-16"))
      #expect(e.line == 1)
    }
    _ = try format.read(DocumentProbe(name: name, bytes: Array(text.utf8)))
  }

  @Test func aPOStringWithCRLFIsWrittenBackEscaped() throws {
    // "\r\n" is one Character: split and escaped by Characters, it went out raw.
    let po = "msgid \"Sətir 1\\r\\nSətir 2\"\nmsgstr \"\"\n"
    let f = PODocumentFormat()
    let doc = try f.read(DocumentProbe(name: "crlf.po", bytes: Array(po.utf8)))
    #expect(doc.blocks.first?.plainText == "Sətir 1\r\nSətir 2")
    let out = try f.write(doc, translations: [0: [.text("Строка 1\r\nСтрока 2")]], annotations: [:])
    let again = try f.read(DocumentProbe(name: "crlf.po", bytes: out))
    #expect(again.blocks.first?.target == [.text("Строка 1\r\nСтрока 2")])
    #expect(!String(decoding: out, as: UTF8.self).contains("\r"))
    // The fuzzer's input: what it reads, it writes back readable.
    let seed = try Self.seed("po-doc", "regression-crlf-in-string.po")
    let d = try f.read(DocumentProbe(name: "seed.po", bytes: seed))
    let changed = try f.write(d, translations: [0: d.blocks[0].content + [.text("ş")]], annotations: [:])
    #expect(try f.read(DocumentProbe(name: "seed.po", bytes: changed)).blocks.count == d.blocks.count)
  }

  @Test func aNonASCIITagInALegacyPageKeepsItsBytes() throws {
    // The tag's UTF-8 name never matched its windows-1251 bytes: the tag went
    // into the next text slot, and writing that text removed the tag.
    let html = "<html><head><meta charset=\"windows-1251\"></head><body><p>Новости</p><Тег x>Текст</Тег><p>Конец</p></body></html>"
    let bytes = try LegacyEncoding.encode(html, to: "windows-1251")
    let f = HTMLFormat()
    let doc = try f.read(DocumentProbe(name: "cp1251.html", bytes: bytes))
    var translations: [Int: [Inline]] = [:]
    for (i, b) in doc.blocks.enumerated() { translations[i] = b.content + [.text("ş")] }
    let out = try f.write(doc, translations: translations, annotations: [:])
    #expect(try f.read(DocumentProbe(name: "cp1251.html", bytes: out)).blocks.count == doc.blocks.count)
    let seed = try f.read(DocumentProbe(name: "seed.html", bytes: try Self.seed("html", "regression-non-ascii-tag-cp1251.html")))
    var all: [Int: [Inline]] = [:]
    for (i, b) in seed.blocks.enumerated() { all[i] = b.content + [.text("ş")] }
    let written = try f.write(seed, translations: all, annotations: [:])
    #expect(try f.read(DocumentProbe(name: "seed.html", bytes: written)).blocks.count == seed.blocks.count)
  }

  @Test func anEncodingTheWriterCannotWriteIsRefusedWhenRead() throws {
    // libxml2 read a page declared 'windows-12-51'; writing it back then failed.
    do {
      _ = try HTMLFormat().read(DocumentProbe(name: "enc.html", bytes: try Self.seed("html", "regression-unwritable-encoding.html")))
      Issue.record("an encoding iconv cannot write was read")
    } catch let e as TMError {
      #expect(e.message.contains("windows-12-51"))
      #expect(e.file == "enc.html")
    }
  }

  @Test func anEncoderErrorInALegacyPageIsNoTrap() throws {
    // libxml2 reported its consumed count as -1 after "encoder error".
    let bytes = try Self.seed("html", "regression-encoder-error.html")
    do {
      let doc = try HTMLFormat().read(DocumentProbe(name: "enc.html", bytes: bytes))
      _ = try HTMLFormat().write(doc, translations: [:], annotations: [:])
    } catch let e as TMError {
      #expect(e.file == "enc.html")
    }
  }

  /// The line tests that replaced the regular expressions answer as they did.
  @Test func markdownLineTestsMatchTheOldRegularExpressions() throws {
    func re(_ pattern: String, _ s: String) -> Int? {
      s.range(of: pattern, options: .regularExpression).map { s.distance(from: s.startIndex, to: $0.upperBound) }
    }
    let pieces = [
      "", " ", "  ", "   ", "    ", "#", "##", "#######", "-", "*", "_", "+", ">", "> ", "|", ":", "[", "]", "]:", "1.", "1)",
      "1234567890.", "12.", "a", "Başlıq", "Заголовок", "\t", "\r", "(", "x",
    ]
    var rng = SeededRandom(seed: 8)
    var lines: [String] = []
    for _ in 0..<4000 {
      var s = ""
      for _ in 0..<(1 + rng.below(5)) { s += pieces[rng.below(pieces.count)] }
      lines.append(s)
    }
    lines += ["# Bakı #", "## Xəbər ##  ", "***", "- - -", "_ _ _ _", "--", "[a]: http://x", "[]: x", "|---|:-:|", "> > - item", "   > quote"]
    for t in lines {
      let trimmed = t.trimmingCharacters(in: .whitespaces)
      #expect(MarkdownLine.isThematicBreak(trimmed) == (re("^([-*_])( *\\1){2,} *$", trimmed) != nil), "\(t.debugDescription)")
      #expect(MarkdownLine.isLinkReference(trimmed) == (re("^\\[[^\\]]+\\]:\\s", trimmed) != nil), "\(t.debugDescription)")
      #expect(MarkdownLine.atxHeadingPrefix(t) == re("^ {0,3}#{1,6}( +|$)", t), "\(t.debugDescription)")
      #expect(MarkdownLine.quotePrefix(t) == re("^ {0,3}(> ?)+", t), "\(t.debugDescription)")
      let rest = String(t.dropFirst(MarkdownLine.quotePrefix(t) ?? 0))
      #expect(MarkdownLine.listItemPrefix(rest[...]) == re("^ {0,3}([-*+]|[0-9]{1,9}[.)])( +|$)", rest), "\(t.debugDescription)")
      let closing = t.range(of: "\\s+#+\\s*$", options: .regularExpression).map { t[$0].utf8.count } ?? 0
      #expect(MarkdownLine.closingHashes(t) == closing, "\(t.debugDescription)")
    }
  }

  @Test func pathologicalMarkupReadsInOnePass() throws {
    // Each of these took from seconds to minutes (quadratic scans), hanging the fuzzer.
    let md = String(repeating: "[", count: 20_000) + " " + String(repeating: "![", count: 5_000) + " "
      + String(repeating: "[a](", count: 5_000) + String(repeating: "<a", count: 5_000)
    let doc = try MarkdownFormat().read(DocumentProbe(name: "brackets.md", bytes: Array(md.utf8)))
    #expect(doc.blocks.count == 1)
    #expect(doc.blocks[0].plainText.count == md.count)
    let lines = String(repeating: "Salam dünya\n", count: 10_000)
    let para = try MarkdownFormat().read(DocumentProbe(name: "lines.md", bytes: Array(lines.utf8)))
    #expect(para.blocks.count == 1)
    // Links nest MarkdownInline.maxDepth deep; deeper, the markup is text.
    let nested = String(repeating: "[", count: 40) + "mətn" + String(repeating: "](x)", count: 40)
    let n = try MarkdownFormat().read(DocumentProbe(name: "nested.md", bytes: Array(nested.utf8)))
    #expect(n.blocks.count == 1)
    #expect(n.blocks.first?.plainText.hasPrefix(String(repeating: "[", count: 40 - MarkdownInline.maxDepth - 1) + "mətn") == true)
    let shallow = try MarkdownFormat().read(DocumentProbe(name: "links.md", bytes: Array("[[[mətn](x)](y)](z)".utf8)))
    #expect(shallow.blocks.first?.plainText == "mətn")
    let srt = "1\n00:00:01,000 --> 00:00:02,000\n" + String(repeating: "<i>a</b>", count: 5_000) + "\n"
    let cue = try SubtitleFormat.srt.read(DocumentProbe(name: "tags.srt", bytes: Array(srt.utf8)))
    #expect(cue.blocks.count == 1)
    let html = "<html><body><p>" + String(repeating: "<b>a", count: 5_000) + "</p></body></html>"
    let page = try HTMLFormat().read(DocumentProbe(name: "deep.html", bytes: Array(html.utf8)))
    #expect(page.blocks.count == 1)
    #expect(page.blocks.first?.plainText == String(repeating: "a", count: 5_000))
  }
}
