/// Delimited text: RFC 4180 CSV (reading and writing) and the plain
/// two-column TSV that LF Aligner, hunalign `-text` and spreadsheets give.
public enum Delimited {
  /// One row with the 1-based line it starts on.
  public struct Row: Sendable {
    public var fields: [String]
    public var line: Int
  }

  /// Parses CSV (RFC 4180: fields in double quotes may hold commas,
  /// newlines and doubled quotes; CRLF or LF rows).
  public static func parseCSV(_ text: String, name: String, separator: UInt8 = 0x2C) throws -> [Row] {
    let b = Array(text.utf8)
    var rows: [Row] = []
    var fields: [String] = []
    var field: [UInt8] = []
    var line = 1
    var rowLine = 1
    var i = 0
    var atFieldStart = true
    func endField() {
      fields.append(String(decoding: field, as: UTF8.self))
      field.removeAll(keepingCapacity: true)
      atFieldStart = true
    }
    while i < b.count {
      let c = b[i]
      if atFieldStart && c == 0x22 {
        // Quoted field.
        let startLine = line
        i += 1
        var closed = false
        while i < b.count {
          if b[i] == 0x22 {
            if i + 1 < b.count && b[i + 1] == 0x22 {
              field.append(0x22)
              i += 2
              continue
            }
            closed = true
            i += 1
            break
          }
          if b[i] == 0x0A { line += 1 }
          field.append(b[i])
          i += 1
        }
        if !closed {
          throw TMError(
            .invalidInput, "a quoted field is never closed", file: name, line: startLine,
            hint: "a double quote inside a quoted field is written twice (\"\")")
        }
        atFieldStart = false
        if i < b.count && b[i] != separator && b[i] != 0x0A && b[i] != 0x0D {
          throw TMError(
            .invalidInput, "text after the closing quote of a field", file: name, line: line,
            hint: "a double quote inside a quoted field is written twice (\"\")")
        }
        continue
      }
      atFieldStart = false
      if c == separator {
        endField()
        i += 1
      } else if c == 0x0D && i + 1 < b.count && b[i + 1] == 0x0A {
        i += 1
      } else if c == 0x0A {
        endField()
        rows.append(Row(fields: fields, line: rowLine))
        fields = []
        line += 1
        rowLine = line
        i += 1
      } else {
        field.append(c)
        i += 1
      }
    }
    if !field.isEmpty || !fields.isEmpty || !atFieldStart {
      endField()
      rows.append(Row(fields: fields, line: rowLine))
    }
    // Blank rows carry nothing.
    return rows.filter { !($0.fields.count == 1 && $0.fields[0].isEmpty) }
  }

  /// Plain TSV: one row per line, fields split on tabs, no quoting or
  /// escapes (what aligners write).
  public static func parseTSV(_ text: String, name: String) -> [Row] {
    var rows: [Row] = []
    var line = 0
    for raw in text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false) {
      line += 1
      var l = raw[...]
      if l.last == 0x0D { l = l.dropLast() }
      if l.isEmpty { continue }
      let fields = l.split(separator: 0x09, omittingEmptySubsequences: false).map {
        String(decoding: $0, as: UTF8.self)
      }
      rows.append(Row(fields: fields, line: line))
    }
    return rows
  }

  /// One CSV field, quoted when it holds a comma, quote, CR or LF.
  public static func csvField(_ s: String) -> String {
    if s.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) {
      return "\"" + s.replacingAll("\"", with: "\"\"") + "\""
    }
    return s
  }

  /// A memory as CSV: a header row (language tags, origin, created, score),
  /// then one row per unit; CRLF row ends as RFC 4180 asks.
  public static func encodeCSV<Units: Sequence<TranslationUnit>>(_ units: Units, languages: [Language]) -> [UInt8] {
    var bytes: [UInt8] = []
    try? writeCSV(units, languages: languages) { bytes += $0 }
    return bytes
  }

  /// Streams CSV to `sink` in chunks of about 1 MiB.
  public static func writeCSV<Units: Sequence<TranslationUnit>>(
    _ units: Units, languages: [Language], to sink: ([UInt8]) throws -> Void
  ) throws {
    let columns = MemoryColumn.standard(languages)
    var out = csvHeader(columns)
    for u in units {
      if out.utf8.count >= 1 << 20 {
        try sink(Array(out.utf8))
        out.removeAll(keepingCapacity: true)
      }
      csvRow(u, columns, into: &out)
    }
    try sink(Array(out.utf8))
  }

  /// The header row (CRLF-terminated).
  static func csvHeader(_ columns: [MemoryColumn]) -> String {
    columns.map(\.name).joined(separator: ",") + "\r\n"
  }

  /// One unit as a CSV row (CRLF-terminated).
  static func csvRow(_ u: TranslationUnit, _ columns: [MemoryColumn], into out: inout String) {
    var first = true
    for c in columns {
      if !first { out += "," }
      first = false
      switch c {
      case .language(let l): out += csvField(u.texts[l] ?? "")
      case .origin: out += csvField(u.origin)
      case .created: out += csvField(u.created)
      case .score: out += u.score.map(TSVCodec.formatScore) ?? ""
      case .codes: out += csvField(u.codes)
      }
    }
    out += "\r\n"
  }
}

extension String {
  /// Replaces every occurrence of `a` (no Foundation needed).
  func replacingAll(_ a: String, with b: String) -> String {
    guard !a.isEmpty, contains(a) else { return self }
    var out = ""
    var rest = self[...]
    while let r = rest.firstRange(of: a) {
      out += rest[..<r.lowerBound]
      out += b
      rest = rest[r.upperBound...]
    }
    out += rest
    return out
  }
}
