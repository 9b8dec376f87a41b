/// TMX 1.4b, inline codes at level 2 (the codec is `TMX`): recognised by an XML declaration
/// or a `<tmx` root at the start, else by `.tmx`.
public struct TMXFormat: InterchangeWriter {
  public init() {}
  public var id: String { "tmx" }
  public var displayName: String { "tmx" }
  public var extensions: [String] { [".tmx"] }

  public func matches(content head: ArraySlice<UInt8>, path: String) throws -> Bool {
    let start = String(decoding: head.prefix(200), as: UTF8.self).drop { $0.isWhitespace }
    return start.hasPrefix("<?xml") || start.hasPrefix("<tmx")
  }

  /// With `--from` and `--to`, only units holding both, with just those two.
  public func read(
    _ bytes: [UInt8], path: String, options: MemoryImport.Options, _ body: (TranslationUnit) throws -> Void
  ) throws -> [String] {
    let r = try TMX.decode(bytes, name: path, now: options.now)
    var notes = r.notes
    var skipped = 0
    for u in r.units {
      if let v = restrict(u, to: options) { try body(v) } else { skipped += 1 }
    }
    if skipped > 0, let f = options.from, let t = options.to {
      notes.append("\(path): \(skipped) units without both \(f.tag) and \(t.tag) skipped")
    }
    return notes
  }

  public func encoder(languages: [Language], sourceLanguage: Language) -> any UnitEncoder {
    Encoder(languages: languages, sourceLanguage: sourceLanguage)
  }

  struct Encoder: UnitEncoder {
    let languages: [Language]
    let sourceLanguage: Language
    var summary = WriteSummary(units: 0)
    var text = ""

    func header(into out: inout [UInt8]) { out += TMX.header(sourceLanguage: sourceLanguage).utf8 }

    mutating func add(_ unit: TranslationUnit, into out: inout [UInt8]) -> Bool {
      text.removeAll(keepingCapacity: true)
      guard let dropped = TMX.unit(unit, languages: languages, into: &text) else { return false }
      out += text.utf8
      summary.units += 1
      summary.segmentsWithDroppedCharacters += dropped
      return true
    }

    func footer(into out: inout [UInt8]) { out += TMX.footer.utf8 }
  }
}
