import Foundation
import Testing

@testable import TMKit

private let xmllint = "/usr/bin/xmllint"
private let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  .appendingPathComponent("shared/schemas/xliff-core-1.2-strict.xsd").path

/// Runs xmllint on a file; returns its exit status and stderr.
private func lint(_ args: [String]) throws -> (Int32, String) {
  let p = Process()
  p.executableURL = URL(fileURLWithPath: xmllint)
  p.arguments = args
  let err = Pipe()
  p.standardError = err
  p.standardOutput = Pipe()
  try p.run()
  let data = err.fileHandleForReading.readDataToEndOfFile()
  p.waitUntilExit()
  return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// The quick part of scripts/check-documents.sh: what we write is
/// well-formed XML in every part, and our XLIFF 1.2 is valid against the
/// OASIS strict schema. Runs when xmllint (libxml2-utils) is installed.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: xmllint)))
struct DocumentXMLLintTests {
  @Test func writtenPartsAreWellFormedAndXLIFFIsSchemaValid() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tm-lint-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    var rng = SeededRandom(seed: 5)
    let seg = try SentenceSegmenter(language: .az)
    for round in 0..<3 {
      let paras = DocFixtures.random(&rng, paragraphs: 3)
      for (ext, bytes) in DocFixtures.all(paras, rng: &rng) {
        let doc = try DocumentFormats.detect(DocumentProbe(name: "d.\(ext)", bytes: bytes)).map { try $0.read(DocumentProbe(name: "d.\(ext)", bytes: bytes)) }
        guard let doc else {
          Issue.record("d.\(ext) not read")
          continue
        }
        let blocks = DocumentSegmentation.segment(doc, with: seg)
        // Pretranslated with text that needs escaping, codes kept.
        var pre: [Int: ([Inline], TargetAnnotation)] = [:]
        for (k, s) in DocumentSegmentation.segments(blocks).enumerated() {
          pre[k] = (s.content.map { if case .text(let t) = $0 { return .text(t + " <&> \"ə\"") } else { return $0 } }, TargetAnnotation(state: "needs-review-translation", score: 87, origin: "az-ru.tsv"))
        }
        let xliff = XLIFFExchange.extract(doc, blocks: blocks, source: .az, target: .ru, pretranslated: pre, original: bytes)
        let xf = dir.appendingPathComponent("r\(round)-\(ext).xlf")
        try Data(xliff).write(to: xf)
        let (status, err) = try lint(["--noout", "--schema", schema, xf.path])
        #expect(status == 0, "\(ext): \(err)")
        // The translated document: every XML part well-formed.
        let merged = try XLIFFExchange.merge(xliff: xliff, name: xf.path) { try SentenceSegmenter(language: $0) }
        let out = try DocumentFormats.write(merged.document, translations: merged.translations, annotations: merged.annotations)
        let parts = doc.parts.count > 1 ? try ZipParts.read(out, name: "o") : []
        for p in parts where p.path.hasSuffix(".xml") || p.path.hasSuffix(".rels") {
          let f = dir.appendingPathComponent("r\(round)-\(ext)-" + p.path.replacingOccurrences(of: "/", with: "_"))
          try Data(p.bytes).write(to: f)
          let (s, e) = try lint(["--noout", f.path])
          #expect(s == 0, "\(ext) \(p.path): \(e)")
        }
        if ["xlf", "xliff", "po"].contains(ext) == false && doc.parts.count == 1 && ext != "html" && ext != "md" && ext != "srt" && ext != "vtt" {
          Issue.record("unexpected single-part \(ext)")
        }
        if ext == "xlf" {
          let f = dir.appendingPathComponent("r\(round)-out.xlf")
          try Data(out).write(to: f)
          let (s, e) = try lint(["--noout", f.path])
          #expect(s == 0, "pretranslated XLIFF 1.2: \(e)")
        }
      }
    }
  }
}
