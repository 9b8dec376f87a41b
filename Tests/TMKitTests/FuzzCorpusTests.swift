import Foundation
import Testing

@testable import TMKit

/// Replays the fuzzers' seed corpus (`Fuzz/corpus/<reader>/`, including the
/// inputs that once crashed a reader) through the readers on every
/// `swift test`, with the contract scripts/fuzz.sh checks: no crash, and a
/// rejection is a TMError that says where (a line or a byte offset).
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
    default: Issue.record("unknown reader folder '\(reader)'")
    }
  }

  @Test(arguments: ["tsv", "table", "tmx", "po", "mo", "csv"])
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
        #expect(e.line != nil || e.byteOffset != nil, "\(reader)/\(f): \(e)")
      }
    }
    // The seeds are real-looking files: most of them read.
    #expect(accepted >= 1)
  }
}
