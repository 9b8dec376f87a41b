/// Two-column TSV (LF Aligner, hunalign `-text`, spreadsheets): source,
/// target and an optional score, with `--from`/`--to`; or a header row that
/// names the columns. The fallback for text no other format claims.
public struct TSVFormat: InterchangeFormat {
  public init() {}
  public var id: String { "tsv" }
  public var displayName: String { "tsv" }
  public var extensions: [String] { [".tsv", ".txt", ".tab"] }

  public func read(
    _ bytes: [UInt8], path: String, options: MemoryImport.Options, _ body: (TranslationUnit) throws -> Void
  ) throws -> [String] {
    let text = try TextDecoder.decode(bytes, encoding: options.encoding, source: path)
    let r = try MemoryImport.delimitedUnits(Delimited.parseTSV(text, name: path), format: .tsv, path: path, options: options)
    for u in r.units { try body(u) }
    return r.notes
  }
}

/// RFC 4180 CSV: a header row naming the columns (as `tm export --format
/// csv` writes), or two columns with `--from`/`--to`. Chosen by `.csv`.
public struct CSVFormat: InterchangeWriter {
  public init() {}
  public var id: String { "csv" }
  public var displayName: String { "csv" }
  public var extensions: [String] { [".csv"] }

  public func read(
    _ bytes: [UInt8], path: String, options: MemoryImport.Options, _ body: (TranslationUnit) throws -> Void
  ) throws -> [String] {
    let text = try TextDecoder.decode(bytes, encoding: options.encoding, source: path)
    let r = try MemoryImport.delimitedUnits(try Delimited.parseCSV(text, name: path), format: .csv, path: path, options: options)
    for u in r.units { try body(u) }
    return r.notes
  }

  public func encoder(languages: [Language], sourceLanguage: Language) -> any UnitEncoder {
    Encoder(columns: MemoryColumn.standard(languages))
  }

  struct Encoder: UnitEncoder {
    let columns: [MemoryColumn]
    var summary = WriteSummary(units: 0)
    var text = ""

    func header(into out: inout [UInt8]) { out += Delimited.csvHeader(columns).utf8 }

    mutating func add(_ unit: TranslationUnit, into out: inout [UInt8]) -> Bool {
      text.removeAll(keepingCapacity: true)
      Delimited.csvRow(unit, columns, into: &text)
      out += text.utf8
      summary.units += 1
      return true
    }

    func footer(into out: inout [UInt8]) {}
  }
}
