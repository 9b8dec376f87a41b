import Foundation
import TMKit

/// What the document commands share: reading a document, its language,
/// and writing a file atomically (or to stdout for `-`).
enum DocumentIO {
  static func read(_ path: String) throws -> (Document, [UInt8]) {
    let bytes = try TextDecoder.readBytes(path: path)
    let probe = DocumentProbe(name: path, bytes: bytes)
    guard let format = try DocumentFormats.detect(probe) else {
      throw TMError(
        .invalidInput, "not a document tm reads (DOCX, ODT, HTML, Markdown, XLIFF, PO, SRT, WebVTT)", file: path,
        hint: "for plain text use 'tm segment' or 'tm lookup --batch'")
    }
    return (try format.read(probe), bytes)
  }

  static func language(_ explicit: Language?, _ doc: Document) -> Language {
    if let explicit { return explicit }
    if let tag = doc.sourceLanguage, let l = Language(tag: tag) { return l }
    let l = LanguageGuess.language(of: String(doc.plainText.prefix(5000)))
    warn("source language: \(l.tag) (\(l.name), guessed; set it with --from)")
    return l
  }

  static func write(_ bytes: [UInt8], to path: String) throws {
    if path == "-" {
      Output.standard.write(bytes: bytes)
      Output.standard.flush()
      return
    }
    let f = try AtomicFile(path: path)
    try f.write(bytes)
    try f.commit()
  }

  /// `story.docx` -> `story.ru.docx`.
  static func derivedName(_ path: String, language: Language, ext: String? = nil) -> String {
    let url = URL(fileURLWithPath: path)
    let e = ext ?? url.pathExtension
    let base = url.deletingPathExtension().path
    return e.isEmpty ? "\(base).\(language.tag)" : "\(base).\(language.tag).\(e)"
  }

  static func printAnalysis(_ a: DocumentAnalysis) {
    warn("\(a.document) (\(a.format)): \(a.segments) segments, \(a.words) words, \(a.repetitions) repetitions (\(a.repetitionWords) words)")
    for b in a.bands {
      let pad = String(repeating: " ", count: max(0, 9 - b.band.count))
      warn("  \(b.band)\(pad) \(String(format: "%6d", b.segments)) segments \(String(format: "%8d", b.words)) words")
    }
    warn("translated (score >= \(Int(a.minScore))): \(a.translated) segments, \(a.translatedWords) words")
  }

  static func json<T: Encodable>(_ value: T) throws -> [UInt8] {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return Array(try e.encode(value)) + [0x0A]
  }
}
