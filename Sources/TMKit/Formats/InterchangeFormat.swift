/// An interchange format `tm` reads (import) and perhaps writes (export):
/// one file per format in `Formats/`, each listed once in
/// ``FormatRegistry``. Callers never `switch` over formats: they ask the
/// registry for the format of some bytes, or for a format by name.
public protocol InterchangeFormat: Sendable {
  /// The name on the command line and in JSON (`tmx`, `po`, `memory-tsv`).
  var id: String { get }
  /// The name shown to people (`tm import` prints it: `(memory TSV)`).
  var displayName: String { get }
  /// File name endings, lower case, with the dot (`.tmx`).
  var extensions: [String] { get }
  /// Whether the start of a file (up to 64 KiB, a UTF-8 BOM removed) is
  /// certainly in this format. Detection asks every format's content test
  /// first and falls back to extensions.
  func matches(content head: ArraySlice<UInt8>, path: String) throws -> Bool
  /// Reads a whole file, calling `body` with each unit in file order, and
  /// returns notes for a person (what was skipped and why). Throws a
  /// `TMError` naming file and line on anything malformed.
  func read(
    _ bytes: [UInt8], path: String, options: MemoryImport.Options, _ body: (TranslationUnit) throws -> Void
  ) throws -> [String]
}

/// A format that can also be written (`tm export`). Writing is pushed one
/// unit at a time (``UnitEncoder``), so a store can stream its units in
/// batches without holding them all.
public protocol InterchangeWriter: InterchangeFormat {
  /// An encoder for units in `languages` (`sourceLanguage` first where the
  /// format names one).
  func encoder(languages: [Language], sourceLanguage: Language) -> any UnitEncoder
}

/// Encodes one document: a header, the units, a footer.
public protocol UnitEncoder {
  func header(into out: inout [UInt8])
  /// Appends one unit; false when the unit has nothing in this format (no
  /// text in any of the languages) and nothing was written.
  mutating func add(_ unit: TranslationUnit, into out: inout [UInt8]) -> Bool
  func footer(into out: inout [UInt8])
  /// What was written so far.
  var summary: WriteSummary { get }
}

/// Feeds an encoder and hands its bytes to a sink in chunks of about 1 MiB.
public struct ChunkedWriter {
  var encoder: any UnitEncoder
  let sink: ([UInt8]) throws -> Void
  var buffer: [UInt8] = []

  public init(_ encoder: any UnitEncoder, sink: @escaping ([UInt8]) throws -> Void) {
    self.encoder = encoder
    self.sink = sink
    buffer.reserveCapacity(1 << 20 + 4096)
    encoder.header(into: &buffer)
  }

  public mutating func add(_ unit: TranslationUnit) throws {
    _ = encoder.add(unit, into: &buffer)
    if buffer.count >= 1 << 20 {
      try sink(buffer)
      buffer.removeAll(keepingCapacity: true)
    }
  }

  /// Writes the footer and the rest; returns what was written.
  public mutating func finish() throws -> WriteSummary {
    encoder.footer(into: &buffer)
    try sink(buffer)
    buffer = []
    return encoder.summary
  }
}

extension InterchangeWriter {
  /// Writes a sequence of units.
  public func write<Units: Sequence<TranslationUnit>>(
    _ units: Units, languages: [Language], sourceLanguage: Language, to sink: @escaping ([UInt8]) throws -> Void
  ) throws -> WriteSummary {
    var w = ChunkedWriter(encoder(languages: languages, sourceLanguage: sourceLanguage), sink: sink)
    for u in units { try w.add(u) }
    return try w.finish()
  }

  /// The whole document as bytes.
  public func encode<Units: Sequence<TranslationUnit>>(
    _ units: Units, languages: [Language], sourceLanguage: Language
  ) -> (bytes: [UInt8], summary: WriteSummary) {
    var e = encoder(languages: languages, sourceLanguage: sourceLanguage)
    var out: [UInt8] = []
    e.header(into: &out)
    for u in units { _ = e.add(u, into: &out) }
    e.footer(into: &out)
    return (out, e.summary)
  }
}

/// What a writer did.
public struct WriteSummary: Sendable, Codable, Equatable {
  public var units: Int
  /// Segments from which characters the format cannot hold were dropped
  /// (TMX: XML 1.0's forbidden control characters).
  public var segmentsWithDroppedCharacters: Int

  public init(units: Int, segmentsWithDroppedCharacters: Int = 0) {
    self.units = units
    self.segmentsWithDroppedCharacters = segmentsWithDroppedCharacters
  }
}

extension InterchangeFormat {
  public func matches(content head: ArraySlice<UInt8>, path: String) throws -> Bool { false }

  /// Reads every unit of a file into an array.
  public func readAll(_ bytes: [UInt8], path: String, options: MemoryImport.Options) throws -> (
    units: [TranslationUnit], notes: [String]
  ) {
    var units: [TranslationUnit] = []
    let notes = try read(bytes, path: path, options: options) { units.append($0) }
    return (units, notes)
  }

  /// Whether `path` ends with one of the format's extensions.
  public func hasExtension(_ path: String) -> Bool {
    let lower = path.lowercased()
    return extensions.contains { lower.hasSuffix($0) }
  }
}

/// Keeps only the units holding both languages, with just those two.
func restrict(_ u: TranslationUnit, to options: MemoryImport.Options) -> TranslationUnit? {
  guard let f = options.from, let t = options.to else { return u }
  guard let a = u.texts[f], let b = u.texts[t] else { return nil }
  var v = u
  v.texts = [f: a, t: b]
  return v
}
