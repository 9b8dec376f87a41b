/// gettext catalogs (`.po` text, `.mo` binary) as translation units.
///
/// msgid is the source (English unless told otherwise), msgstr the target
/// (the header's `Language:` unless told otherwise). Fuzzy, obsolete (`#~`)
/// and untranslated entries are skipped; the header entry (empty msgid) is
/// not a unit. Plural entries give one unit per form: msgid ↔ msgstr[0],
/// msgid_plural ↔ each further msgstr[n].
public enum Gettext {
  public struct Entry: Sendable, Equatable {
    public var context: String?
    public var msgid: String
    public var msgidPlural: String?
    /// msgstr, or msgstr[0], msgstr[1]... for plurals.
    public var msgstr: [String]
    public var fuzzy: Bool
    /// 1-based line of the entry's msgid (PO only).
    public var line: Int
  }

  public struct Catalog: Sendable {
    public var entries: [Entry]
    /// The `Language:` of the header, if any (raw value, e.g. `az`, `ru_RU`).
    public var language: String?
    /// Entries skipped as fuzzy or untranslated.
    public var fuzzy = 0
    public var untranslated = 0
  }

  // MARK: Units

  public static func units(
    _ c: Catalog, source: Language, target: Language, origin: String, created: String
  ) -> [TranslationUnit] {
    var out: [TranslationUnit] = []
    for e in c.entries {
      var pairs: [(String, String)] = []
      if e.msgidPlural == nil {
        pairs.append((e.msgid, e.msgstr.first ?? ""))
      } else {
        for (k, s) in e.msgstr.enumerated() { pairs.append((k == 0 ? e.msgid : (e.msgidPlural ?? e.msgid), s)) }
      }
      for (a, b) in pairs where !a.isEmpty && !b.isEmpty {
        out.append(TranslationUnit(texts: [source: a.nfc, target: b.nfc], origin: origin, created: created))
      }
    }
    return out
  }

  /// The header's `Language:` field.
  static func headerLanguage(_ header: String) -> String? {
    for line in header.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
      let t = line.drop { $0 == " " }
      if t.lowercased().hasPrefix("language:") {
        let v = t.dropFirst("language:".count).trimmed(" \t")
        return v.isEmpty ? nil : v
      }
    }
    return nil
  }

  // MARK: PO

  public static func parsePO(_ text: String, name: String) throws -> Catalog {
    var catalog = Catalog(entries: [])
    enum Field { case none, ctx, id, idPlural, str(Int) }
    var field = Field.none
    var ctx: String?
    var msgid: String?
    var msgidPlural: String?
    var msgstr: [Int: String] = [:]
    var fuzzy = false
    var obsolete = false
    var entryLine = 0
    var lineNo = 0

    func flush() throws {
      defer {
        ctx = nil
        msgid = nil
        msgidPlural = nil
        msgstr = [:]
        fuzzy = false
        obsolete = false
        field = .none
      }
      guard let id = msgid else {
        if !msgstr.isEmpty || ctx != nil {
          throw TMError(.invalidInput, "msgstr without msgid", file: name, line: entryLine)
        }
        return
      }
      if obsolete { return }
      if msgstr.isEmpty {
        throw TMError(
          .invalidInput, "msgid without msgstr", file: name, line: entryLine,
          hint: "every entry needs a msgstr line (empty when untranslated)")
      }
      let n = (msgstr.keys.max() ?? 0) + 1
      var strs: [String] = []
      for k in 0..<n {
        guard let s = msgstr[k] else {
          throw TMError(.invalidInput, "msgstr[\(k)] is missing", file: name, line: entryLine)
        }
        strs.append(s)
      }
      if id.isEmpty && ctx == nil {
        catalog.language = headerLanguage(strs.first ?? "")
        return
      }
      if fuzzy {
        catalog.fuzzy += 1
        return
      }
      if strs.allSatisfy(\.isEmpty) {
        catalog.untranslated += 1
        return
      }
      catalog.entries.append(
        Entry(context: ctx, msgid: id, msgidPlural: msgidPlural, msgstr: strs, fuzzy: false, line: entryLine))
    }

    func append(_ s: String) throws {
      switch field {
      case .ctx: ctx = (ctx ?? "") + s
      case .id: msgid = (msgid ?? "") + s
      case .idPlural: msgidPlural = (msgidPlural ?? "") + s
      case .str(let k): msgstr[k] = (msgstr[k] ?? "") + s
      case .none:
        throw TMError(.invalidInput, "a quoted string outside any msgid/msgstr", file: name, line: lineNo)
      }
    }

    var hasString = false  // the current entry has seen a msgstr
    // Split bytes, not Characters: "\r\n" is one Character in Swift.
    for rawLine in text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false) {
      lineNo += 1
      var bytes = rawLine[...]
      if bytes.last == 0x0D { bytes = bytes.dropLast() }
      var line = Substring(String(decoding: bytes, as: UTF8.self))
      line = line.drop { $0 == " " || $0 == "\t" }
      if line.isEmpty {
        if hasString {
          try flush()
          hasString = false
        }
        continue
      }
      var isObsolete = false
      if line.hasPrefix("#~") {
        isObsolete = true
        line = line.dropFirst(2).drop { $0 == " " }
        if line.isEmpty { continue }
        if line.hasPrefix("#") { continue }  // #~| previous
      } else if line.hasPrefix("#") {
        if hasString {
          try flush()
          hasString = false
        }
        if line.hasPrefix("#,") && line.contains("fuzzy") { fuzzy = true }
        continue
      }
      if line.hasPrefix("\"") {
        try append(try quoted(line, name: name, line: lineNo))
        continue
      }
      // A keyword line.
      let keyword = line.prefix { $0 != " " && $0 != "\t" && $0 != "\"" }
      let rest = line.dropFirst(keyword.count).drop { $0 == " " || $0 == "\t" }
      if (keyword == "msgctxt" || keyword == "msgid") && hasString {
        try flush()
        hasString = false
      }
      if isObsolete { obsolete = true }
      switch keyword {
      case "msgctxt":
        field = .ctx
        ctx = ""
        entryLine = lineNo
      case "msgid":
        field = .id
        msgid = ""
        if ctx == nil { entryLine = lineNo }
      case "msgid_plural":
        guard msgid != nil else {
          throw TMError(.invalidInput, "msgid_plural without msgid", file: name, line: lineNo)
        }
        field = .idPlural
        msgidPlural = ""
      case "msgstr":
        guard msgid != nil else { throw TMError(.invalidInput, "msgstr without msgid", file: name, line: lineNo) }
        field = .str(0)
        msgstr[0] = ""
        hasString = true
      default:
        if keyword.hasPrefix("msgstr["), keyword.hasSuffix("]"),
          let k = Int(keyword.dropFirst(7).dropLast()), k >= 0, k < 100
        {
          guard msgid != nil else {
            throw TMError(.invalidInput, "msgstr without msgid", file: name, line: lineNo)
          }
          field = .str(k)
          msgstr[k] = ""
          hasString = true
        } else {
          let shown = keyword.count > 30 ? String(keyword.prefix(30)) + "…" : String(keyword)
          throw TMError(
            .invalidInput, "unexpected '\(shown)' in a PO file", file: name, line: lineNo,
            hint: "lines are comments (#), keywords (msgctxt, msgid, msgid_plural, msgstr, msgstr[N]) or quoted strings")
        }
      }
      try append(try quoted(rest, name: name, line: lineNo))
    }
    if msgid != nil || !msgstr.isEmpty { try flush() }
    return catalog
  }

  /// A PO string literal `"..."` with C escapes.
  static func quoted(_ s: Substring, name: String, line: Int) throws -> String {
    var t = s
    while let last = t.last, last == " " || last == "\t" { t = t.dropLast() }
    guard t.count >= 2, t.first == "\"", t.last == "\"" else {
      throw TMError(
        .invalidInput, "broken quoting: a string must be enclosed in double quotes", file: name, line: line,
        hint: "write the text as \"...\" and escape inner quotes as \\\"")
    }
    let body = Array(t.dropFirst().dropLast().utf8)
    var out: [UInt8] = []
    out.reserveCapacity(body.count)
    var i = 0
    while i < body.count {
      let c = body[i]
      if c == 0x22 {
        throw TMError(
          .invalidInput, "broken quoting: an unescaped \" inside a string", file: name, line: line,
          hint: "escape inner quotes as \\\"")
      }
      if c != 0x5C {
        out.append(c)
        i += 1
        continue
      }
      guard i + 1 < body.count else {
        throw TMError(.invalidInput, "broken quoting: the string ends with a backslash", file: name, line: line)
      }
      let e = body[i + 1]
      i += 2
      switch e {
      case UInt8(ascii: "n"): out.append(0x0A)
      case UInt8(ascii: "t"): out.append(0x09)
      case UInt8(ascii: "r"): out.append(0x0D)
      case UInt8(ascii: "a"): out.append(0x07)
      case UInt8(ascii: "b"): out.append(0x08)
      case UInt8(ascii: "f"): out.append(0x0C)
      case UInt8(ascii: "v"): out.append(0x0B)
      case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "?"): out.append(e)
      case UInt8(ascii: "0")...UInt8(ascii: "7"):
        var v = Int(e - 0x30)
        var k = 0
        while k < 2, i < body.count, (0x30...0x37).contains(body[i]) {
          v = v * 8 + Int(body[i] - 0x30)
          i += 1
          k += 1
        }
        out.append(UInt8(truncatingIfNeeded: v))
      case UInt8(ascii: "x"):
        var v = 0
        var k = 0
        while i < body.count, let h = hexValue(body[i]) {
          v = (v * 16 + h) & 0xFF
          i += 1
          k += 1
        }
        if k == 0 { throw TMError(.invalidInput, "broken escape \\x without hex digits", file: name, line: line) }
        out.append(UInt8(v))
      default:
        throw TMError(
          .invalidInput, "unknown escape '\\\(String(decoding: [e], as: UTF8.self))'", file: name, line: line,
          hint: "a literal backslash is written \\\\")
      }
    }
    guard let r = String(validating: out, as: UTF8.self) else {
      throw TMError(.invalidInput, "an escape makes invalid UTF-8", file: name, line: line)
    }
    return r
  }

  static func hexValue(_ b: UInt8) -> Int? {
    switch b {
    case 0x30...0x39: return Int(b - 0x30)
    case 0x41...0x46: return Int(b - 0x41 + 10)
    case 0x61...0x66: return Int(b - 0x61 + 10)
    default: return nil
    }
  }

  // MARK: MO

  /// Parses a compiled catalog (GNU .mo, either byte order).
  public static func parseMO(_ b: [UInt8], name: String) throws -> Catalog {
    func bad(_ what: String, _ offset: Int) -> TMError {
      TMError(
        .invalidInput, "not a valid .mo file: \(what)", file: name, byteOffset: offset,
        hint: "compile it again with msgfmt, or import the .po file")
    }
    guard b.count >= 28 else { throw bad("too short for a header", 0) }
    let little: Bool
    if b[0] == 0xDE && b[1] == 0x12 && b[2] == 0x04 && b[3] == 0x95 {
      little = true
    } else if b[0] == 0x95 && b[1] == 0x04 && b[2] == 0x12 && b[3] == 0xDE {
      little = false
    } else {
      throw bad("wrong magic number", 0)
    }
    func u32(_ o: Int) throws -> Int {
      guard o >= 0, o + 4 <= b.count else { throw bad("offset out of range", o) }
      let v =
        little
        ? UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24
        : UInt32(b[o + 3]) | UInt32(b[o + 2]) << 8 | UInt32(b[o + 1]) << 16 | UInt32(b[o]) << 24
      return Int(v)
    }
    let revision = try u32(4)
    guard revision >> 16 <= 1 else { throw bad("unknown revision \(revision)", 4) }
    let n = try u32(8)
    let origTable = try u32(12)
    let transTable = try u32(16)
    guard n <= b.count / 8 else { throw bad("entry count \(n) larger than the file", 8) }
    // Strings are disjoint parts of the file, so the original and the
    // translated ones add up to at most twice its size. A crafted file whose
    // entries all point at one large region would otherwise make a 1 MB
    // file cost minutes and gigabytes.
    var total = 0
    func string(_ table: Int, _ k: Int) throws -> [UInt8] {
      let len = try u32(table + 8 * k)
      let off = try u32(table + 8 * k + 4)
      guard off >= 0, len >= 0, off + len <= b.count else { throw bad("string \(k) out of range", table + 8 * k) }
      total += len
      guard total <= 2 * b.count else {
        throw bad("the strings overlap (their lengths add up to more than the file)", table + 8 * k)
      }
      return Array(b[off..<(off + len)])
    }
    func text(_ bytes: ArraySlice<UInt8>, at offset: Int) throws -> String {
      guard let s = String(validating: bytes, as: UTF8.self) else {
        throw TMError(
          .invalidInput, "a string in the catalog is not UTF-8", file: name, byteOffset: offset,
          hint: "only UTF-8 catalogs are supported; convert with msgconv --to-code=UTF-8")
      }
      return s
    }
    var catalog = Catalog(entries: [])
    for k in 0..<n {
      let o = try string(origTable, k)
      let t = try string(transTable, k)
      let oOff = try u32(origTable + 8 * k + 4)
      var ctx: String?
      var idBytes = o[...]
      if let eot = o.firstIndex(of: 0x04) {
        ctx = try text(o[..<eot], at: oOff)
        idBytes = o[(eot + 1)...]
      }
      let idParts = idBytes.split(separator: 0, omittingEmptySubsequences: false)
      let msgid = try text(idParts.first ?? [], at: oOff)
      let plural = idParts.count > 1 ? try text(idParts[1], at: oOff) : nil
      let strs = try t.split(separator: 0, omittingEmptySubsequences: false).map { try text($0, at: oOff) }
      if msgid.isEmpty && ctx == nil {
        catalog.language = headerLanguage(strs.first ?? "")
        continue
      }
      if strs.allSatisfy(\.isEmpty) {
        catalog.untranslated += 1
        continue
      }
      catalog.entries.append(
        Entry(context: ctx, msgid: msgid, msgidPlural: plural, msgstr: strs, fuzzy: false, line: 0))
    }
    return catalog
  }
}

extension Substring {
  func trimmed(_ set: String) -> String {
    var s = self
    while let f = s.first, set.contains(f) { s = s.dropFirst() }
    while let l = s.last, set.contains(l) { s = s.dropLast() }
    return String(s)
  }
}
