#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A column of a memory file.
public enum MemoryColumn: Hashable, Sendable, CustomStringConvertible {
  case language(Language)
  /// Where the unit came from (`add`, `po:file.po`, `align:a.txt#3|b.txt#4`...).
  case origin
  /// When it was created, ISO 8601 UTC.
  case created
  /// Alignment score, empty when there is none.
  case score
  /// The unit's inline codes: present only in memories that hold units
  /// with codes (see `TranslationUnit.codes`).
  case codes

  public var name: String {
    switch self {
    case .language(let l): return l.tag
    case .origin: return "origin"
    case .created: return "created"
    case .score: return "score"
    case .codes: return "codes"
    }
  }

  public var description: String { name }

  /// Parses a header field: a language tag or a metadata name.
  public init?(name: String) {
    switch name {
    case "origin": self = .origin
    case "created": self = .created
    case "score": self = .score
    case "codes": self = .codes
    default:
      // Canonical tags only, plus the usual spellings of our languages.
      guard let l = Language(tag: name) else { return nil }
      self = .language(l)
    }
  }

  /// The columns a new memory with these languages gets.
  public static func standard(_ languages: [Language]) -> [MemoryColumn] {
    languages.map { .language($0) } + [.origin, .created, .score]
  }

  /// The standard columns, plus `codes` when `codes` is true (a memory
  /// gets the column with its first unit that has inline codes).
  public static func standard(_ languages: [Language], codes: Bool) -> [MemoryColumn] {
    standard(languages) + (codes ? [.codes] : [])
  }

  /// True when any of `units` has inline codes.
  public static func needCodes<Units: Sequence<TranslationUnit>>(_ units: Units) -> Bool {
    units.contains { !$0.codes.isEmpty }
  }
}

/// The TSV codec of memories (see Documentation/MemoryFormat.md).
///
/// Parsing works on bytes: lines are split on 0x0A, fields on 0x09, and only
/// fields holding a backslash are unescaped.
public enum TSVCodec {
  // MARK: Escaping

  /// Appends `s` escaped (`\t`, `\n`, `\r`, `\\`) to `out`.
  @inline(__always)
  static func appendEscaped(_ s: String, to out: inout [UInt8]) {
    for b in s.utf8 {
      switch b {
      case 0x09: out.append(0x5C); out.append(0x74)
      case 0x0A: out.append(0x5C); out.append(0x6E)
      case 0x0D: out.append(0x5C); out.append(0x72)
      case 0x5C: out.append(0x5C); out.append(0x5C)
      default: out.append(b)
      }
    }
  }

  /// `s` escaped for a memory field.
  public static func escape(_ s: String) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(s.utf8.count)
    appendEscaped(s, to: &out)
    return String(decoding: out, as: UTF8.self)
  }

  /// Reverses `escape`; throws on an unknown escape or a trailing backslash.
  public static func unescape(_ s: String, file: String? = nil, line: Int? = nil) throws -> String {
    let bytes = Array(s.utf8)
    return try bytes.withUnsafeBufferPointer { p in
      try decodeField(p, 0, p.count, file: file ?? "", line: line ?? 0, column: "")
    }
  }

  // MARK: Writing

  static func formatScore(_ s: Double) -> String {
    // Shortest representation that reads back to the same Double.
    var t = "\(s)"
    if t.hasSuffix(".0") { t.removeLast(2) }
    return t
  }

  static func headerLine(_ columns: [MemoryColumn], to out: inout [UInt8]) {
    for (i, c) in columns.enumerated() {
      if i > 0 { out.append(0x09) }
      out.append(contentsOf: c.name.utf8)
    }
    out.append(0x0A)
  }

  static func unitLine(_ u: TranslationUnit, _ columns: [MemoryColumn], to out: inout [UInt8]) {
    for (i, c) in columns.enumerated() {
      if i > 0 { out.append(0x09) }
      switch c {
      case .language(let l): if let t = u.texts[l] { appendEscaped(t, to: &out) }
      case .origin: appendEscaped(u.origin, to: &out)
      case .created: appendEscaped(u.created, to: &out)
      case .score: if let s = u.score { out.append(contentsOf: formatScore(s).utf8) }
      case .codes: appendEscaped(u.codes, to: &out)
      }
    }
    out.append(0x0A)
  }

  /// A whole memory file: header and one line per unit.
  public static func encode<Units: Sequence<TranslationUnit>>(_ units: Units, columns: [MemoryColumn]) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(64 + units.underestimatedCount * 96)
    headerLine(columns, to: &out)
    for u in units { unitLine(u, columns, to: &out) }
    return out
  }

  // MARK: Reading

  /// Parses a memory file's bytes.
  public static func decode(_ bytes: [UInt8], path: String) throws -> (columns: [MemoryColumn], units: [TranslationUnit]) {
    let t = try MemoryTable(bytes: bytes, path: path)
    return (t.columns, Array(t))
  }

  static func parseHeader(_ p: UnsafeBufferPointer<UInt8>, _ starts: [Int], _ ends: [Int], path: String) throws -> [MemoryColumn] {
    var columns: [MemoryColumn] = []
    for k in 0..<starts.count {
      let raw = UnsafeBufferPointer(rebasing: p[starts[k]..<ends[k]])
      guard let name = String(validating: raw, as: UTF8.self), !name.contains("\0") else {
        throw TMError(
          .malformedMemory, "this is not a memory: the first line is not text", file: path, line: 1,
          hint: "a memory is a UTF-8 TSV file whose first line names its columns (en, az, az-Cyrl, ru, origin, created, score)")
      }
      guard let c = MemoryColumn(name: name) else {
        let shown = name.count > 40 ? String(name.prefix(40)) + "…" : name
        throw TMError(
          .malformedMemory, "unknown column '\(shown)' in the header", file: path, line: 1,
          hint: "columns are language tags (" + Language.allCases.map(\.tag).joined(separator: ", ")
            + ") and origin, created, score")
      }
      if columns.contains(c) {
        throw TMError(.malformedMemory, "column '\(c.name)' appears twice in the header", file: path, line: 1)
      }
      columns.append(c)
    }
    if !columns.contains(where: { if case .language = $0 { return true } else { return false } }) {
      throw TMError(
        .malformedMemory, "the header names no language column", file: path, line: 1,
        hint: "name at least one language: " + Language.allCases.map(\.tag).joined(separator: ", "))
    }
    return columns
  }

  /// Decodes one field: UTF-8 validation and, only when it holds a
  /// backslash, unescaping.
  @inline(__always)
  static func decodeField(
    _ p: UnsafeBufferPointer<UInt8>, _ a: Int, _ b: Int, file: String, line: Int, column: String
  ) throws -> String {
    if a == b { return "" }
    var hasBackslash = false
    var i = a
    while i < b {
      if p[i] == 0x5C {
        hasBackslash = true
        break
      }
      i += 1
    }
    if !hasBackslash {
      guard let s = String(validating: UnsafeBufferPointer(rebasing: p[a..<b]), as: UTF8.self) else {
        throw invalidUTF8(p, a, b, file: file, line: line)
      }
      return s
    }
    var out: [UInt8] = []
    out.reserveCapacity(b - a)
    out.append(contentsOf: UnsafeBufferPointer(rebasing: p[a..<i]))
    while i < b {
      let c = p[i]
      if c != 0x5C {
        out.append(c)
        i += 1
        continue
      }
      guard i + 1 < b else {
        throw TMError(
          .malformedMemory, "a backslash ends the \(column) field", file: file, line: line, byteOffset: i,
          hint: "a literal backslash is written \\\\")
      }
      switch p[i + 1] {
      case 0x74: out.append(0x09)
      case 0x6E: out.append(0x0A)
      case 0x72: out.append(0x0D)
      case 0x5C: out.append(0x5C)
      default:
        let shown = String(decoding: [0x5C, p[i + 1]], as: UTF8.self)
        throw TMError(
          .malformedMemory, "unknown escape '\(shown)' in the \(column) field", file: file, line: line, byteOffset: i,
          hint: "only \\t, \\n, \\r and \\\\ are escapes; a literal backslash is written \\\\")
      }
      i += 2
    }
    guard let s = String(validating: out, as: UTF8.self) else {
      throw invalidUTF8(p, a, b, file: file, line: line)
    }
    return s
  }

  static func invalidUTF8(_ p: UnsafeBufferPointer<UInt8>, _ a: Int, _ b: Int, file: String, line: Int) -> TMError {
    let bad = TextDecoder.firstInvalidUTF8(UnsafeBufferPointer(rebasing: p[a..<b])).map { a + $0 } ?? a
    return TMError(
      .malformedMemory, "invalid UTF-8", file: file, line: line, byteOffset: bad,
      hint: "a memory is UTF-8; convert the file (e.g. iconv -f cp1251 -t utf-8) or import it with tm import --encoding")
  }
}
