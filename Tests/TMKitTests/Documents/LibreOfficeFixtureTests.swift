import Foundation
import Testing

@testable import TMKit

/// Documents LibreOffice made (Fixtures/documents/README.md): what Word-
/// and ODF-writing software really produces, not our own test writer.
@Suite struct LibreOfficeFixtureTests {
  static func fixture(_ name: String) throws -> [UInt8] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Fixtures/documents/\(name)")
    return [UInt8](try Data(contentsOf: url))
  }

  static func read(_ name: String) throws -> (Document, [UInt8]) {
    let bytes = try fixture(name)
    let probe = DocumentProbe(name: name, bytes: bytes)
    guard let f = try DocumentFormats.detect(probe) else { throw TMError(.invalidInput, "no format", file: name) }
    return (try f.read(probe), bytes)
  }

  @Test(arguments: ["xeber.az.docx", "xeber.az.odt", "xeber.az.html"])
  func azNewsBlocksAndCodes(name: String) throws {
    let (doc, _) = try Self.read(name)
    var texts = doc.blocks.map { $0.plainText.trimmingCharacters(in: .whitespaces) }  // a footnote starts with a tab
    if name.hasSuffix("html") {
      // <title> first; LibreOffice's footnote anchors are plain links there.
      #expect(texts.first == "Xəbər")
      texts = Array(texts.dropFirst()).map { $0.replacingOccurrences(of: "edib.1", with: "edib.").replacingOccurrences(of: "1Mənbə", with: "Mənbə") }
    }
    #expect(texts == [
      "Bakıda yeni metro stansiyası açıldı",
      "Prezident İlham Əliyev Xətai stansiyasının açılış mərasimində iştirak edib. Stansiya gündə 45 000 sərnişinə xidmət edəcək.",
      "Ətraflı məlumat Bakı Metropoliteninin saytında verilib.",
      "Stansiya", "Açılış ili", "Xətai", "2024", "Mənbə: APA, 12.02.2024.",
    ])
    let tagged = doc.blocks.map { InlineText.tagged($0.content) }
    #expect(tagged.contains { $0.contains("<b1>Xətai</b1>") })
    #expect(tagged.contains { $0.contains("<a1>Bakı Metropoliteninin saytında</a1>") })
    if !name.hasSuffix("html") {
      #expect(tagged.contains { $0.contains("<fn2/>") })
      #expect(doc.blocks.map(\.kind).filter { $0 == .tableCell }.count == 4)
      #expect(doc.blocks.last?.kind == .footnote)
    }
  }

  @Test(arguments: ["xeber.az.docx", "xeber.az.odt", "novost.ru.docx", "novost.ru.odt", "xeber.az.html", "novost.ru.html"])
  func roundTripAndTranslation(name: String) throws {
    let (doc, bytes) = try Self.read(name)
    let lang: Language = name.contains(".az.") ? .az : .ru
    let blocks = DocumentSegmentation.segment(doc, with: try SentenceSegmenter(language: lang))
    let xliff = XLIFFExchange.extract(doc, blocks: blocks, source: lang, target: lang == .az ? .ru : .az, original: bytes)
    let merged = try XLIFFExchange.merge(xliff: xliff, name: name + ".xlf") { try SentenceSegmenter(language: $0) }
    let same = try DocumentFormats.write(merged.document, translations: merged.translations)
    if doc.parts.count > 1 {
      let a = try ZipParts.read(bytes, name: name)
      let b = try ZipParts.read(same, name: name)
      #expect(a.map(\.path) == b.map(\.path))
      #expect(zip(a, b).allSatisfy { $0.bytes == $1.bytes && $0.stored == $1.stored })
    } else {
      #expect(same == bytes)
    }
    // Every text run changed and read back: the new text, the same blocks.
    var translations: [Int: [Inline]] = [:]
    for (i, b) in doc.blocks.enumerated() {
      translations[i] = b.content.map { if case .text(let t) = $0 { return .text("«" + t.uppercased() + "»") } else { return $0 } }
    }
    let out = try DocumentFormats.write(doc, translations: translations)
    let back = try DocumentFormats.detect(DocumentProbe(name: name, bytes: out)).map { try $0.read(DocumentProbe(name: name, bytes: out)) }
    #expect(back?.blocks.count == doc.blocks.count)
    for (a, b) in zip(doc.blocks, back?.blocks ?? []) {
      #expect(InlineText.plain(b.content) == InlineText.plain(translations[doc.blocks.firstIndex(of: a) ?? 0] ?? []))
    }
  }
}
