#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A memory file kept as its bytes plus the offsets of its fields: units are
/// decoded only when asked for. This is how large memories are read (a
/// 1,000,000-unit memory costs its file size plus 4 bytes per field, instead
/// of a `String` per segment and a dictionary per unit).
///
/// Opening validates the whole file exactly as `MemoryFile.load` does (UTF-8,
/// header, field counts, escapes, scores), so reading a unit later cannot
/// fail. It is a random-access collection of `TranslationUnit`s, in file
/// order.
public final class MemoryTable: RandomAccessCollection, Sendable {
  public let path: String
  public let columns: [MemoryColumn]
  /// The language columns, in file order.
  public let languages: [Language]
  let bytes: [UInt8]
  /// For unit i, `stride` entries from `i * stride`: the start of each field,
  /// then one past the end of the line's last field plus one.
  let offsets: [UInt32]
  let stride: Int
  /// Column index of each language (by `Language.allCases` order), -1 if absent.
  let languageColumn: [Int]
  let originColumn: Int
  let createdColumn: Int
  let codesColumn: Int
  let scoreColumn: Int

  public var startIndex: Int { 0 }
  public var endIndex: Int { offsets.count / stride }

  /// Bytes at the end of the file that were left out: an append in
  /// progress, or one whose writer was killed (a torn last line). Readers
  /// should warn about it (`ignoredNote`); the next writer removes them.
  public let ignoredBytes: Int
  /// The file state the bytes were read from (nil when built from bytes).
  public let state: FileState?

  /// A warning about `ignoredBytes`, nil when nothing was left out.
  public var ignoredNote: String? {
    ignoredBytes == 0 ? nil
      : "\(path): ignored the last \(ignoredBytes) bytes: an append in progress or interrupted "
        + "(the next write or 'tm compact' removes them)"
  }

  /// Reads and validates a memory file (what readers see of it:
  /// `FileIO.readMemory`).
  public static func open(path: String) throws -> MemoryTable {
    let (bytes, state, ignored) = try FileIO.readMemory(path)
    return try MemoryTable(bytes: bytes, path: path, state: state, ignoredBytes: ignored)
  }

  /// Validates and indexes the bytes of a memory file; `path` names it in errors.
  public convenience init(bytes: [UInt8], path: String) throws {
    try self.init(bytes: bytes, path: path, state: nil, ignoredBytes: 0)
  }

  init(bytes: [UInt8], path: String, state: FileState?, ignoredBytes: Int) throws {
    self.path = path
    self.state = state
    self.ignoredBytes = ignoredBytes
    guard bytes.count < Int(UInt32.max) else {
      throw TMError(.malformedMemory, "memory files larger than 4 GiB are not supported", file: path,
        hint: "split it into several memories in the same folder")
    }
    var columns: [MemoryColumn] = []
    var offsets: [UInt32] = []
    try bytes.withUnsafeBufferPointer { p in
      // The header first: a file that is not a memory at all (a binary, a
      // document) is reported as such, on line 1.
      let firstLine = p.firstIndex(of: 0x0A) ?? p.count
      if firstLine > 0 {
        var starts: [Int] = [0]
        var ends: [Int] = []
        for i in 0..<firstLine where p[i] == 0x09 {
          ends.append(i)
          starts.append(i + 1)
        }
        ends.append(firstLine > 0 && p[firstLine - 1] == 0x0D ? firstLine - 1 : firstLine)
        if p.count >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF { starts[0] = Swift.min(3, ends[0]) }
        _ = try TSVCodec.parseHeader(p, starts, ends, path: path)
      }
      if let bad = TextDecoder.firstInvalidUTF8(p) {
        let line = 1 + p[..<bad].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        if line == 1 {
          throw TMError(
            .malformedMemory, "this is not a memory: the first line is not UTF-8 text", file: path, line: 1,
            byteOffset: bad,
            hint: "a memory is a UTF-8 TSV file whose first line names its columns (en, az, az-Cyrl, ru, origin, created, score)")
        }
        throw TMError(
          .malformedMemory, "invalid UTF-8", file: path, line: line, byteOffset: bad,
          hint: "a memory is UTF-8; convert the file (e.g. iconv -f cp1251 -t utf-8) or import it with tm import --encoding")
      }
      offsets.reserveCapacity(p.count / 40)
      columns = try MemoryTable.index(p, path: path, offsets: &offsets)
    }
    self.bytes = bytes
    self.columns = columns
    self.offsets = offsets
    self.stride = columns.count + 1
    self.languages = columns.compactMap { if case .language(let l) = $0 { return l } else { return nil } }
    self.languageColumn = Language.allCases.map { l in columns.firstIndex(of: .language(l)) ?? -1 }
    self.originColumn = columns.firstIndex(of: .origin) ?? -1
    self.createdColumn = columns.firstIndex(of: .created) ?? -1
    self.codesColumn = columns.firstIndex(of: .codes) ?? -1
    self.scoreColumn = columns.firstIndex(of: .score) ?? -1
  }

  // MARK: Access

  /// The raw (escaped) bytes of field `column` of unit `i`.
  @inline(__always)
  func fieldRange(_ i: Int, _ column: Int) -> Range<Int> {
    let base = i * stride + column
    return Int(offsets[base])..<(Int(offsets[base + 1]) - 1)
  }

  @inline(__always)
  func decode(_ r: Range<Int>) -> String {
    if r.isEmpty { return "" }
    return bytes.withUnsafeBufferPointer { p in
      var hasBackslash = false
      for k in r where p[k] == 0x5C {
        hasBackslash = true
        break
      }
      if !hasBackslash { return String(decoding: UnsafeBufferPointer(rebasing: p[r]), as: UTF8.self) }
      // Escapes were checked when the table was built.
      return (try? TSVCodec.decodeField(p, r.lowerBound, r.upperBound, file: path, line: 0, column: "")) ?? ""
    }
  }

  static func languageIndex(_ l: Language) -> Int {
    switch l {
    case .az: return 0
    case .azCyrl: return 1
    case .ru: return 2
    case .en: return 3
    }
  }

  /// The text of unit `i` in `language`, or nil when it has none.
  public func text(_ i: Int, _ language: Language) -> String? {
    let c = languageColumn[MemoryTable.languageIndex(language)]
    if c < 0 { return nil }
    let r = fieldRange(i, c)
    return r.isEmpty ? nil : decode(r)
  }

  /// Whether unit `i` has text in `language` (without decoding it).
  public func has(_ i: Int, _ language: Language) -> Bool {
    let c = languageColumn[MemoryTable.languageIndex(language)]
    return c >= 0 && !fieldRange(i, c).isEmpty
  }

  public func origin(_ i: Int) -> String { originColumn < 0 ? "" : decode(fieldRange(i, originColumn)) }
  public func created(_ i: Int) -> String { createdColumn < 0 ? "" : decode(fieldRange(i, createdColumn)) }
  public func score(_ i: Int) -> Double? {
    if scoreColumn < 0 { return nil }
    let r = fieldRange(i, scoreColumn)
    return r.isEmpty ? nil : Double(decode(r))
  }

  /// The unit's inline codes (empty without a `codes` column).
  public func codes(_ i: Int) -> String { codesColumn < 0 ? "" : decode(fieldRange(i, codesColumn)) }

  public subscript(i: Int) -> TranslationUnit {
    var u = TranslationUnit(texts: [:], origin: origin(i), created: created(i), score: score(i), codes: codes(i))
    for l in languages {
      if let t = text(i, l) { u.texts[l] = t }
    }
    return u
  }

  /// All units, decoded (what `MemoryFile.load` returns).
  public var memory: Memory { Memory(path: path, languages: languages, units: Array(self)) }

  // MARK: Identity of units without decoding

  /// The bytes of unit `i`'s line, without its line end.
  public func lineRange(_ i: Int) -> Range<Int> {
    let a = Int(offsets[i * stride])
    var b = Int(offsets[i * stride + stride - 1]) - 1
    if b > a && bytes[b - 1] == 0x0D { b -= 1 }
    return a..<b
  }

  /// A unit's key: a hash of its texts (escaped, by language in the fixed
  /// order az, az-Cyrl, ru, en) that is the same in every process, so an
  /// index can store it. Equal texts give equal keys.
  public func unitHash(_ i: Int) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    bytes.withUnsafeBufferPointer { p in
      for (k, c) in languageColumn.enumerated() where c >= 0 {
        let r = fieldRange(i, c)
        if r.isEmpty { continue }
        h = MemoryTable.mix(h, UInt64(k + 1))
        h = MemoryTable.hashBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: p[r])), h)
      }
    }
    return h
  }

  /// The same key for a unit not in a table (texts already NFC).
  public static func unitHash(_ u: TranslationUnit) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    var buf: [UInt8] = []
    for (k, l) in Language.allCases.enumerated() {
      guard let t = u.texts[l], !t.isEmpty else { continue }
      buf.removeAll(keepingCapacity: true)
      TSVCodec.appendEscaped(t, to: &buf)
      h = mix(h, UInt64(k + 1))
      h = buf.withUnsafeBytes { hashBytes($0, h) }
    }
    return h
  }

  @inline(__always) static func mix(_ h: UInt64, _ v: UInt64) -> UInt64 {
    var x = (h ^ v) &* 0x9E37_79B9_7F4A_7C15
    x ^= x >> 32
    return x
  }

  /// 8 bytes at a time, then the rest; the length is mixed in.
  static func hashBytes(_ p: UnsafeRawBufferPointer, _ seed: UInt64) -> UInt64 {
    var h = mix(seed, UInt64(p.count))
    let n = p.count / 8
    for i in 0..<n { h = mix(h, p.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)) }
    var tail: UInt64 = 0
    for i in (n * 8)..<p.count { tail = tail << 8 | UInt64(p[i]) }
    return mix(h, tail)
  }

  /// A hash of unit `i`'s texts (escaped bytes per language); equal texts
  /// give equal hashes within one process.
  func textHash(_ i: Int) -> Int {
    var h = Hasher()
    bytes.withUnsafeBufferPointer { p in
      for (k, c) in languageColumn.enumerated() where c >= 0 {
        let r = fieldRange(i, c)
        if r.isEmpty { continue }
        h.combine(k)
        h.combine(r.count)
        h.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: p[r])))
      }
    }
    return h.finalize()
  }

  /// The same hash for a unit not in the table (texts already NFC).
  static func textHash(_ u: TranslationUnit) -> Int {
    var h = Hasher()
    var buf: [UInt8] = []
    for (k, l) in Language.allCases.enumerated() {
      guard let t = u.texts[l], !t.isEmpty else { continue }
      buf.removeAll(keepingCapacity: true)
      TSVCodec.appendEscaped(t, to: &buf)
      h.combine(k)
      h.combine(buf.count)
      buf.withUnsafeBytes { h.combine(bytes: $0) }
    }
    return h.finalize()
  }

  /// Whether units `i` and `j` have the same texts.
  func sameTexts(_ i: Int, _ j: Int) -> Bool {
    for c in languageColumn where c >= 0 {
      let a = fieldRange(i, c)
      let b = fieldRange(j, c)
      if a.count != b.count || !bytes[a].elementsEqual(bytes[b]) { return false }
    }
    return true
  }

  /// Whether unit `i` has exactly the texts of `u` (NFC).
  func sameTexts(_ i: Int, _ u: TranslationUnit) -> Bool {
    for (k, l) in Language.allCases.enumerated() {
      let c = languageColumn[k]
      let mine = c >= 0 ? fieldRange(i, c) : 0..<0
      let theirs = u.texts[l] ?? ""
      if mine.isEmpty != theirs.isEmpty { return false }
      if mine.isEmpty { continue }
      if decode(mine) != theirs { return false }
    }
    return true
  }

  /// How many units repeat an earlier unit's texts.
  public func duplicateCount() -> Int {
    var index = TextIndex()
    var d = 0
    for i in indices where !index.insert(self, i) { d += 1 }
    return d
  }

  // MARK: Indexing

  static func index(_ p: UnsafeBufferPointer<UInt8>, path: String, offsets: inout [UInt32]) throws -> [MemoryColumn] {
    let n = p.count
    guard let base = p.baseAddress, n > 0 else {
      throw TMError(
        .malformedMemory, "empty file: a memory starts with a header line naming its columns", file: path, line: 1,
        hint: "write a header such as 'en<TAB>az<TAB>origin<TAB>created<TAB>score', or delete the file")
    }
    var start = 0
    if n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF { start = 3 }  // tolerate a BOM
    var lineNo = 0
    var columns: [MemoryColumn] = []
    var languageColumns: [Int] = []
    var scoreColumn = -1
    var k = 0
    while start < n {
      lineNo += 1
      var end = n
      if let hit = memchr(base + start, 0x0A, n - start) {
        end = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
      }
      var lineEnd = end
      if lineEnd > start && p[lineEnd - 1] == 0x0D { lineEnd -= 1 }  // CRLF from an editor
      if lineNo == 1 {
        var starts: [Int] = [start]
        var ends: [Int] = []
        for i in start..<lineEnd where p[i] == 0x09 {
          ends.append(i)
          starts.append(i + 1)
        }
        ends.append(lineEnd)
        columns = try TSVCodec.parseHeader(p, starts, ends, path: path)
        k = columns.count
        languageColumns = columns.indices.filter { if case .language = columns[$0] { return true } else { return false } }
        scoreColumn = columns.firstIndex(of: .score) ?? -1
      } else {
        if lineEnd == start {
          throw TMError(
            .malformedMemory, "empty line", file: path, line: lineNo,
            hint: "every line after the header is one unit; delete the empty line")
        }
        let first = offsets.count
        offsets.append(UInt32(start))
        var fields = 1
        var backslash = false
        var i = start
        while i < lineEnd {
          let c = p[i]
          if c == 0x09 {
            fields += 1
            if fields <= k { offsets.append(UInt32(i + 1)) }
          } else if c == 0x5C {
            backslash = true
          }
          i += 1
        }
        offsets.append(UInt32(lineEnd + 1))
        if fields != k {
          throw TMError(
            .malformedMemory,
            "\(fields) fields, but the header names \(k) (\(columns.map(\.name).joined(separator: ", ")))",
            file: path, line: lineNo,
            hint: "a tab inside a segment must be written \\t; every line needs one field per column, empty for a missing language")
        }
        // Escapes, scores, and at least one text.
        if backslash {
          for c in 0..<k {
            let a = Int(offsets[first + c])
            let b = Int(offsets[first + c + 1]) - 1
            _ = try TSVCodec.decodeField(p, a, b, file: path, line: lineNo, column: columns[c].name)
          }
        }
        if scoreColumn >= 0 {
          let a = Int(offsets[first + scoreColumn])
          let b = Int(offsets[first + scoreColumn + 1]) - 1
          if a < b {
            let s = String(decoding: UnsafeBufferPointer(rebasing: p[a..<b]), as: UTF8.self)
            guard let v = Double(s), v.isFinite else {
              throw TMError(
                .malformedMemory, "score '\(s)' is not a number", file: path, line: lineNo,
                hint: "write a decimal such as 0.87 (with a dot), or leave the field empty")
            }
          }
        }
        if !languageColumns.contains(where: { offsets[first + $0 + 1] - 1 > offsets[first + $0] }) {
          throw TMError(
            .malformedMemory, "no text in any language", file: path, line: lineNo,
            hint: "a unit needs at least one segment; delete the line")
        }
      }
      start = end + 1
    }
    if lineNo == 0 {
      throw TMError(.malformedMemory, "empty file: a memory starts with a header line naming its columns", file: path, line: 1)
    }
    return columns
  }
}

/// Finds units with the same texts in a table, by hash of their escaped
/// bytes, confirming every hash hit byte for byte (so it is exact).
struct TextIndex {
  var first: [Int: Int32] = [:]
  var more: [Int: [Int32]] = [:]

  init(capacity: Int = 0) { first.reserveCapacity(capacity) }

  /// Adds unit `i`; false when an earlier unit has the same texts.
  mutating func insert(_ t: MemoryTable, _ i: Int) -> Bool {
    let h = t.textHash(i)
    guard let j = first[h] else {
      first[h] = Int32(i)
      return true
    }
    if t.sameTexts(Int(j), i) { return false }
    if let list = more[h], list.contains(where: { t.sameTexts(Int($0), i) }) { return false }
    more[h, default: []].append(Int32(i))
    return true
  }

  /// Whether the table holds a unit with the texts of `u` (NFC).
  func contains(_ t: MemoryTable, _ u: TranslationUnit) -> Bool {
    let h = MemoryTable.textHash(u)
    guard let j = first[h] else { return false }
    if t.sameTexts(Int(j), u) { return true }
    return (more[h] ?? []).contains { t.sameTexts(Int($0), u) }
  }
}
