/// XLIFF 1.2 and 2.x as a source of units (`tm import story.ru.xlf`): every
/// translated unit (1.2 `<trans-unit>`, 2.x `<segment>`) with a non-empty
/// target becomes a memory unit, its inline codes (`<g>`, `<x/>`, `<bx/>`,
/// `<ph>`, `<pc>`...) kept as tags (`SegmentCodes`; a target code with the
/// id of a source code is the same code). Read through the XLIFF document
/// reader (`XLIFFFormat`), so whatever `tm extract` writes, or a CAT tool
/// sends back, is read the same way. Recognised by `<xliff` in the first
/// 64 KiB, else by `.xlf`/`.xliff`; it is asked before TMX (both are XML).
public struct XLIFFMemoryFormat: InterchangeFormat {
  public init() {}
  public var id: String { "xliff" }
  public var displayName: String { "xliff" }
  public var extensions: [String] { [".xlf", ".xliff"] }

  public func matches(content head: ArraySlice<UInt8>, path: String) throws -> Bool {
    let s = String(decoding: head.prefix(4096), as: UTF8.self)
    return s.contains("<xliff")
  }

  public func read(
    _ bytes: [UInt8], path: String, options: MemoryImport.Options, _ body: (TranslationUnit) throws -> Void
  ) throws -> [String] {
    let doc = try XLIFFFormat().read(DocumentProbe(name: path, bytes: bytes))
    guard let from = options.from ?? doc.sourceLanguage.flatMap({ Language(tag: $0) }) else {
      throw TMError(
        .invalidInput, "the XLIFF names no source language tm handles (source-language=\"\(doc.sourceLanguage ?? "")\")",
        file: path, hint: "give it with --from")
    }
    guard let to = options.to ?? doc.targetLanguage.flatMap({ Language(tag: $0) }) else {
      throw TMError(
        .invalidInput, "the XLIFF names no target language tm handles (target-language=\"\(doc.targetLanguage ?? "")\")",
        file: path, hint: "give it with --to")
    }
    guard from != to else {
      throw TMError(
        .invalidInput, "the XLIFF's source and target languages are both '\(from.tag)'", file: path,
        hint: "a unit pairs two different languages; give them with --from and --to")
    }
    var untranslated = 0
    let name = FileIO.baseName(of: path)
    for b in doc.blocks {
      guard let target = b.target, !InlineText.plain(target).allSatisfy(\.isWhitespace),
        b.targetState != "new", b.targetState != "needs-translation", b.targetState != "initial"
      else {
        untranslated += 1
        continue
      }
      let (s, t) = SegmentCodes.encode(source: b.content, target: target)
      guard !s.text.isEmpty, !t.text.isEmpty else {
        untranslated += 1
        continue
      }
      var u = TranslationUnit(
        texts: [from: s.text.nfc, to: t.text.nfc], origin: "xliff:\(name)#\(b.key)", created: options.now)
      u.codes = UnitCodes.declaring([s.text, t.text])
      try body(u)
    }
    return untranslated > 0 ? ["\(path): \(untranslated) units without a translation skipped"] : []
  }
}
