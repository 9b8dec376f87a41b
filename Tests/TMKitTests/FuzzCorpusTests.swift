import Foundation
import Testing

@testable import TMKit

/// Replays the fuzzers' seed corpus (`Fuzz/corpus/<reader>/`, including the
/// inputs that once crashed a reader) through the readers on every
/// `swift test`, with the contract scripts/fuzz.sh checks: no crash, and a
/// rejection is a TMError that says where (a line or a byte offset; for the
/// document readers at least the file), and a document read is written back
/// unchanged to the same bytes (a zip: the same parts).
@Suite struct FuzzCorpusTests {
  static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Fuzz/corpus")

  /// The same calls as Fuzz/FuzzReaders.swift's `run`.
  static func read(_ reader: String, _ bytes: [UInt8], name: String) throws {
    let now = "2026-12-01T00:00:00Z"
    switch reader {
    case "tsv": _ = try TSVCodec.decode(bytes, path: name)
    case "table":
      let t = try MemoryTable(bytes: bytes, path: name)
      for i in t.indices { _ = t[i] }
    case "tmx": _ = try TMX.decode(bytes, name: name, now: now)
    case "po": _ = try Gettext.parsePO(String(decoding: bytes, as: UTF8.self), name: name)
    case "mo": _ = try Gettext.parseMO(bytes, name: name)
    case "csv":
      let rows = try Delimited.parseCSV(String(decoding: bytes, as: UTF8.self), name: name)
      _ = try MemoryImport.delimitedUnits(rows, format: .csv, path: name, options: .init(from: .az, to: .ru, now: now))
    case "review":
      _ = try ReviewFormat().readAll(bytes, path: name, options: .init(now: now))
    case "docx": try document(DOCXFormat(), bytes, name: name)
    case "docx-xml":
      let zip = try ZipParts.write(
        [
          Document.Part(path: "[Content_Types].xml", bytes: Array("<Types/>".utf8), stored: true),
          Document.Part(path: "word/document.xml", bytes: bytes, stored: true),
        ], name: name)
      try document(DOCXFormat(), zip, name: name)
    case "odt": try document(ODTFormat(), bytes, name: name)
    case "odt-xml":
      let zip = try ZipParts.write(
        [
          Document.Part(path: "mimetype", bytes: Array("application/vnd.oasis.opendocument.text".utf8), stored: true),
          Document.Part(path: "content.xml", bytes: bytes, stored: true),
        ], name: name)
      try document(ODTFormat(), zip, name: name)
    case "html": try document(HTMLFormat(), bytes, name: name)
    case "markdown": try document(MarkdownFormat(), bytes, name: name)
    case "po-doc": try document(PODocumentFormat(), bytes, name: name)
    case "subtitles": try document(name.hasSuffix(".vtt") ? SubtitleFormat.vtt : .srt, bytes, name: name)
    case "xliff":
      try document(XLIFFFormat(), bytes, name: name)
      _ = try XLIFFMemoryFormat().readAll(bytes, path: name, options: .init(now: now))
      if XLIFFExchange.skeleton(bytes) != nil {
        let merged = try XLIFFExchange.merge(xliff: bytes, name: name) { try SentenceSegmenter(language: $0) }
        _ = try DocumentFormats.write(merged.document, translations: merged.translations, annotations: merged.annotations)
      }
    default: Issue.record("unknown reader folder '\(reader)'")
    }
  }

  /// A document read and written back with no changes: the same bytes, or
  /// for a zip the same parts.
  static func document(_ format: any DocumentFormat, _ bytes: [UInt8], name: String) throws {
    let doc = try format.read(DocumentProbe(name: name, bytes: bytes))
    let same = try format.write(doc, translations: [:], annotations: [:])
    if doc.parts.count > 1 || ZipParts.looksLikeZip(bytes) {
      let parts = try ZipParts.read(same, name: name)
      #expect(parts.map(\.path) == doc.parts.map(\.path) && parts.map(\.bytes) == doc.parts.map(\.bytes), "\(name)")
    } else {
      #expect(same == bytes, "\(name)")
    }
  }

  static let needsPosition: Set<String> = ["tsv", "table", "tmx", "po", "mo", "csv", "review", "markdown", "po-doc", "subtitles"]

  @Test(arguments: [
    "tsv", "table", "tmx", "po", "mo", "csv", "review", "docx", "docx-xml", "odt", "odt-xml", "html", "markdown", "po-doc",
    "subtitles", "xliff",
  ])
  func seedsKeepTheReaderContract(reader: String) throws {
    let dir = Self.corpus.appendingPathComponent(reader)
    let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
    #expect(files.count >= 2)
    var accepted = 0
    for f in files {
      let bytes = try [UInt8](Data(contentsOf: dir.appendingPathComponent(f)))
      do {
        try Self.read(reader, bytes, name: f)
        accepted += 1
      } catch let e as TMError {
        if Self.needsPosition.contains(reader) {
          #expect(e.line != nil || e.byteOffset != nil, "\(reader)/\(f): \(e)")
        } else {
          #expect(e.file != nil, "\(reader)/\(f): \(e)")
        }
      }
    }
    // The seeds are real-looking files: most of them read.
    #expect(accepted >= 1)
  }
}
