/// Our own memory TSV (Documentation/MemoryFormat.md), recognised by a
/// first line that names its columns (`az<TAB>ru<TAB>origin…`). Written by
/// `tm export --format tsv`.
public struct MemoryTSVFormat: InterchangeWriter {
  public init() {}
  public var id: String { "memory-tsv" }
  public var displayName: String { "memory TSV" }
  public var extensions: [String] { [] }

  public func matches(content head: ArraySlice<UInt8>, path: String) throws -> Bool {
    try MemoryImport.headerColumns(MemoryImport.firstLineFields(head, separator: 0x09), path: path) != nil
  }

  /// With `--from` and `--to`, only units holding both, with just those two;
  /// units without a date get the import's time.
  public func read(
    _ bytes: [UInt8], path: String, options: MemoryImport.Options, _ body: (TranslationUnit) throws -> Void
  ) throws -> [String] {
    let text = try TextDecoder.decode(bytes, encoding: options.encoding, source: path)
    for var u in try TSVCodec.decode(Array(text.utf8), path: path).units {
      guard var v = restrict(u, to: options) else { continue }
      if v.created.isEmpty { v.created = options.now }
      u = v
      try body(u)
    }
    return []
  }

  public func encoder(languages: [Language], sourceLanguage: Language) -> any UnitEncoder {
    Encoder(columns: MemoryColumn.standard(languages))
  }

  struct Encoder: UnitEncoder {
    let columns: [MemoryColumn]
    var summary = WriteSummary(units: 0)

    func header(into out: inout [UInt8]) { TSVCodec.headerLine(columns, to: &out) }

    mutating func add(_ unit: TranslationUnit, into out: inout [UInt8]) -> Bool {
      TSVCodec.unitLine(unit, columns, to: &out)
      summary.units += 1
      return true
    }

    func footer(into out: inout [UInt8]) {}
  }
}
