import CHTMLShim
import Foundation

/// TMX 1.4b, level 1 (plain-text segments), reading and writing.
///
/// Writing: `srclang`, `datatype="plaintext"`, `segtype="sentence"`,
/// `xml:lang` on every `tuv`; the unit's origin and score go into
/// `<prop type="x-origin">` / `<prop type="x-score">`, its creation time into
/// `creationdate` (and `<prop type="x-created">` when it is not in the
/// ISO form `2026-11-25T20:09:04Z`), so TSV → TMX → TSV is the identity.
/// Characters XML 1.0 forbids (C0 controls other than tab, LF, CR, and
/// U+FFFE/U+FFFF) are dropped and counted; CR is written `&#13;` so that
/// parsers do not turn it into LF.
///
/// Reading: `tu`/`tuv`/`seg`; `xml:lang` (or TMX 1.1 `lang`) is mapped with
/// `Language(tag:)` (`az-Latn`, `az-AZ`, `AZ` → `az`; `az-Cyrl-AZ` →
/// `az-Cyrl`; `ru-RU` → `ru`; `en-US` → `en`).
///
/// Inline codes (TMX level 2) travel: `bpt`/`ept`, `it`, `ph`, `ut` and
/// `hi` become OmegaT-style tags in the unit's texts (`<b1>…</b1>`,
/// `<fn2/>`) numbered across the unit (the same `x` is one code in every
/// language; without `x`, the n-th pair of each language), their native markup kept in
/// the unit's `codes` field (`UnitCodes`); the sub-flows in `sub` are
/// dropped. Writing turns them back into the same elements, so TMX → memory
/// → TMX keeps every code, its type and its native markup.
public enum TMX {
  public struct ExportResult: Sendable {
    public var bytes: [UInt8]
    public var units: Int
    /// Segments from which forbidden control characters were dropped.
    public var segmentsWithDroppedCharacters: Int
  }

  // MARK: Writing

  public static func encode<Units: Sequence<TranslationUnit>>(
    _ units: Units, languages: [Language], sourceLanguage: Language
  ) -> ExportResult {
    var bytes: [UInt8] = []
    let r = try? write(units, languages: languages, sourceLanguage: sourceLanguage) { bytes += $0 }
    return ExportResult(bytes: bytes, units: r?.units ?? 0, segmentsWithDroppedCharacters: r?.dropped ?? 0)
  }

  /// Streams a TMX document to `sink` in chunks of about 1 MiB, so that
  /// exporting a large memory does not hold the whole document.
  public static func write<Units: Sequence<TranslationUnit>>(
    _ units: Units, languages: [Language], sourceLanguage: Language, to sink: ([UInt8]) throws -> Void
  ) throws -> (units: Int, dropped: Int) {
    var out = ""
    out.reserveCapacity(1 << 20 + 4096)
    var dropped = 0
    var count = 0
    out += header(sourceLanguage: sourceLanguage)
    for u in units {
      guard let d = unit(u, languages: languages, into: &out) else { continue }
      count += 1
      dropped += d
      if out.utf8.count >= 1 << 20 {
        try sink(Array(out.utf8))
        out.removeAll(keepingCapacity: true)
      }
    }
    out += footer
    try sink(Array(out.utf8))
    return (count, dropped)
  }

  /// The XML declaration, the header and `<body>`.
  public static func header(sourceLanguage: Language) -> String {
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + "<tmx version=\"1.4\">\n"
      + "  <header creationtool=\"tm\" creationtoolversion=\"0.1.0\" datatype=\"plaintext\""
      + " segtype=\"sentence\" adminlang=\"en\" srclang=\"\(sourceLanguage.tag)\" o-tmf=\"tm-tsv\"/>\n"
      + "  <body>\n"
  }

  public static let footer = "  </body>\n</tmx>\n"

  /// Appends one `<tu>` for the unit's texts in `languages`; returns how
  /// many of its fields lost forbidden characters, or nil (nothing written)
  /// when it has none of the languages.
  @discardableResult
  public static func unit(_ u: TranslationUnit, languages: [Language], into out: inout String) -> Int? {
    let present = languages.filter { u.texts[$0] != nil }
    if present.isEmpty { return nil }
    var dropped = 0
    out += "    <tu"
    let tmxDate = tmxDate(fromISO: u.created)
    if let d = tmxDate { out += " creationdate=\"\(d)\"" }
    out += ">\n"
    if !u.origin.isEmpty {
      out += "      <prop type=\"x-origin\">"
      if escape(u.origin, into: &out) { dropped += 1 }
      out += "</prop>\n"
    }
    if tmxDate == nil {
      out += "      <prop type=\"x-created\">"
      if escape(u.created, into: &out) { dropped += 1 }
      out += "</prop>\n"
    }
    if let s = u.score {
      out += "      <prop type=\"x-score\">\(TSVCodec.formatScore(s))</prop>\n"
    }
    let codes = u.codes.isEmpty ? nil : UnitCodes(field: u.codes)
    for l in present {
      out += "      <tuv xml:lang=\"\(l.tag)\"><seg>"
      if let codes, !codes.codes.isEmpty {
        if segment(u.texts[l] ?? "", codes: codes, into: &out) { dropped += 1 }
      } else if escape(u.texts[l] ?? "", into: &out) {
        dropped += 1
      }
      out += "</seg></tuv>\n"
    }
    out += "    </tu>\n"
    return dropped
  }

  /// Escapes text for XML element content; returns true when a character
  /// XML 1.0 forbids was dropped.
  static func escape(_ s: String, into out: inout String) -> Bool {
    var dropped = false
    var plain = true
    for b in s.utf8 where b == 0x26 || b == 0x3C || b == 0x3E || b == 0x0D || b < 0x20 || b == 0xEF {
      plain = false
      break
    }
    if plain {
      out += s
      return false
    }
    for c in s.unicodeScalars {
      switch c.value {
      case 0x26: out += "&amp;"
      case 0x3C: out += "&lt;"
      case 0x3E: out += "&gt;"
      case 0x0D: out += "&#13;"
      case 0x09, 0x0A: out.unicodeScalars.append(c)
      case 0x00...0x1F, 0xFFFE, 0xFFFF: dropped = true
      default: out.unicodeScalars.append(c)
      }
    }
    return dropped
  }

  /// Writes a text with inline codes as TMX level-2 markup: a paired code
  /// as `<bpt i x type>native</bpt>…<ept i>native</ept>` (or `<hi x type>`
  /// when it came from one), a half of a pair as `<it pos="begin|end">`, a
  /// standalone code as `<ph x type>native</ph>`. Tags `codes` does not
  /// name are text. Returns true when a forbidden character was dropped.
  static func segment(_ text: String, codes: UnitCodes, into out: inout String) -> Bool {
    let tags = InlineTags.scan(text).filter { codes.names.contains($0.name) }
    if tags.isEmpty { return escape(text, into: &out) }
    var dropped = false
    let b = Array(text.utf8)
    var last = 0
    var opened: [String] = []  // names of the pairs open so far
    for (k, t) in tags.enumerated() {
      if escape(String(decoding: b[last..<t.utf8Range.lowerBound], as: UTF8.self), into: &out) { dropped = true }
      last = t.utf8Range.upperBound
      let c = codes.code(t.name) ?? UnitCodes.Code(name: t.name)
      let n = t.number
      let type = UnitCodes.tmxType(t.letters, paired: t.role != .standalone).map { " type=\"\($0)\"" } ?? ""
      func native(_ s: String) {
        if escape(s, into: &out) { dropped = true }
      }
      switch t.role {
      case .open:
        let closed = tags[(k + 1)...].contains { $0.role == .close && $0.name == t.name }
        if closed { opened.append(t.name) }
        if c.hi && closed {
          out += "<hi x=\"\(n)\"\(type)>"
        } else if closed {
          out += "<bpt i=\"\(n)\" x=\"\(n)\"\(type)>"
          native(c.open)
          out += "</bpt>"
        } else {
          out += "<it pos=\"begin\" x=\"\(n)\"\(type)>"
          native(c.open)
          out += "</it>"
        }
      case .close:
        if let i = opened.lastIndex(of: t.name) {
          opened.remove(at: i)
          if c.hi {
            out += "</hi>"
          } else {
            out += "<ept i=\"\(n)\">"
            native(c.close)
            out += "</ept>"
          }
        } else {
          out += "<it pos=\"end\" x=\"\(n)\"\(type)>"
          native(c.close)
          out += "</it>"
        }
      case .standalone:
        out += "<ph x=\"\(n)\"\(type)>"
        native(c.open)
        out += "</ph>"
      }
    }
    if escape(String(decoding: b[last...], as: UTF8.self), into: &out) { dropped = true }
    return dropped
  }

  /// `2026-11-25T20:09:04Z` → `20261125T200904Z`; nil for any other form.
  static func tmxDate(fromISO s: String) -> String? {
    let b = Array(s.utf8)
    guard b.count == 20, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54, b[13] == 0x3A, b[16] == 0x3A, b[19] == 0x5A
    else { return nil }
    for i in [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18] where !(0x30...0x39).contains(b[i]) { return nil }
    var d: [UInt8] = []
    for r in [0..<4, 5..<7, 8..<10, 10..<11, 11..<13, 14..<16, 17..<19, 19..<20] { d += b[r] }
    return String(decoding: d, as: UTF8.self)
  }

  /// `20261125T200904Z` → `2026-11-25T20:09:04Z`; nil for any other form.
  static func isoDate(fromTMX s: String) -> String? {
    let b = Array(s.utf8)
    guard b.count == 16, b[8] == 0x54, b[15] == 0x5A else { return nil }
    for i in [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14] where !(0x30...0x39).contains(b[i]) { return nil }
    var d: [UInt8] = []
    let parts: [(Range<Int>, UInt8?)] = [
      (0..<4, 0x2D), (4..<6, 0x2D), (6..<8, 0x54), (9..<11, 0x3A), (11..<13, 0x3A), (13..<15, 0x5A),
    ]
    for (r, sep) in parts {
      d += b[r]
      if let sep { d.append(sep) }
    }
    return String(decoding: d, as: UTF8.self)
  }

  // MARK: Reading

  public struct ImportResult: Sendable {
    public var units: [TranslationUnit]
    /// Human-readable notes on what was skipped (unknown languages, units
    /// with fewer than two known languages).
    public var notes: [String]
    public var sourceLanguage: Language?
  }

  /// Parses TMX bytes. `name` is used in errors and in the default origin.
  public static func decode(_ bytes: [UInt8], name: String, now: String) throws -> ImportResult {
    // libxml2's XML parser through our shim (CHTMLShim/xmlshim.c), which
    // checks every pointer libxml2 passes; FoundationXML's XMLParser, used
    // before, crashed on NULL ones the fuzzer kept finding. It sees valid
    // UTF-8 only, with the internal subset of the DOCTYPE blanked: TMX
    // defines no entities or defaults of its own, and an entity the subset
    // declared is then reported as undeclared (not silently dropped).
    let (bytes, hadSubset) = withoutInternalSubset(try utf8Document(bytes, name: name))
    var parsed = bytes.withUnsafeBufferPointer { tmxml_parse($0.baseAddress, Int64($0.count)) }
    defer { tmxml_free(&parsed) }
    guard parsed.status == 0 else {
      throw TMError(.io, "cannot read TMX: out of memory", file: name)
    }
    let d = Reader(name: name, now: now)
    if let events = parsed.events {
      d.read(UnsafeBufferPointer(start: events, count: Int(parsed.length)))
    }
    if let e = d.failure { throw e }
    if parsed.error_code != 0 {
      let code = Int(parsed.error_code)
      var what = xmlErrorText(code)
      if what.isEmpty {
        what = withUnsafeBytes(of: parsed.error_message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
      }
      if what.isEmpty { what = "malformed XML" }
      let line = max(1, Int(parsed.error_line))
      var shown = ""
      if code == 26 || code == 27, let entity = firstUndeclaredEntity(bytes) { shown = " '&\(entity);'" }
      throw TMError(
        .invalidInput, "not well-formed TMX: \(what)\(shown) (XML error \(code))", file: name,
        line: line,
        hint: "check the file with 'xmllint --noout \(name)'; only the five XML entities and &#NN; are allowed")
    }
    if !d.sawTMX {
      throw TMError(.invalidInput, "not a TMX file: no <tmx> root element", file: name, line: 1)
    }
    if d.depth != 0 || !d.closedTMX {
      // (libxml2 reports a document cut short itself; this is a second guard.)
      let lines = 1 + bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
      throw TMError(
        .invalidInput, "not well-formed TMX: the file ends inside <\(d.openElements.last ?? "tmx")> (truncated?)",
        file: name, line: lines, hint: "the file is incomplete; export or copy it again")
    }
    var notes: [String] = []
    if hadSubset {
      notes.append("\(name): the declarations inside <!DOCTYPE ... [ ]> were not read (TMX needs none)")
    }
    if !d.unknownLanguages.isEmpty {
      notes.append(
        "\(name): skipped segments in languages tm does not handle: "
          + d.unknownLanguages.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", "))
    }
    if d.thinUnits > 0 {
      notes.append("\(name): skipped \(d.thinUnits) units with fewer than two known languages")
    }
    return ImportResult(units: d.units, notes: notes, sourceLanguage: d.sourceLanguage)
  }

  /// The name of the first entity reference other than the five XML
  /// predefines and character references.
  static func firstUndeclaredEntity(_ b: [UInt8]) -> String? {
    var i = 0
    while i < b.count {
      if b[i] == 0x26, i + 1 < b.count, b[i + 1] != 0x23 {
        var j = i + 1
        while j < b.count, j - i < 64, b[j] != 0x3B, b[j] != 0x20, b[j] != 0x3C, b[j] != 0x0A { j += 1 }
        let name = String(decoding: b[(i + 1)..<j], as: UTF8.self)
        if !["amp", "lt", "gt", "quot", "apos"].contains(name) { return name }
      }
      i += 1
    }
    return nil
  }

  /// The document as valid UTF-8 bytes: UTF-8 (no BOM of UTF-16, no wide
  /// `<?`, and no `encoding=` or one naming UTF-8) is checked as it is;
  /// anything else is converted with ICU from its BOM or its declared
  /// encoding, and its XML declaration rewritten to say UTF-8 (with the
  /// same number of lines, so that line numbers in errors stay right).
  static func utf8Document(_ bytes: [UInt8], name: String) throws -> [UInt8] {
    func invalid(_ out: [UInt8], _ offset: Int) -> TMError {
      let line = 1 + out[..<offset].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
      return TMError(
        .invalidInput, String(format: "not well-formed TMX: invalid UTF-8 (byte 0x%02X)", out[offset]),
        file: name, line: line, byteOffset: offset,
        hint: "the file says it is UTF-8 (or says nothing, which means UTF-8); convert it or fix its encoding declaration")
    }
    var charset: String?
    if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0x3C, 0x00]) {
      charset = "UTF-16LE"
    } else if bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0x00, 0x3C]) {
      charset = "UTF-16BE"
    } else if let declared = declaredEncoding(bytes), declared != "utf-8" && declared != "utf8",
      !declared.hasPrefix("utf-16"), !declared.hasPrefix("utf16")
    {
      // (A declared UTF-16 in 8-bit bytes is a mislabelled UTF-8 file, as
      // libxml2 reads it too.)
      charset = declared
    }
    guard let charset else {
      let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes[3...] : bytes[...]
      if let bad = TextDecoder.firstInvalidUTF8Offset(body) { throw invalid(bytes, body.startIndex + bad) }
      return bytes
    }
    var text: String
    do {
      text = try TextDecoder.decodeLegacy(bytes, charset: charset, source: name)
    } catch let e as TMError {
      throw TMError(
        .invalidInput, "not well-formed TMX: \(e.message)", file: name, line: e.line ?? 1, byteOffset: e.byteOffset,
        hint: "declare an encoding ICU knows (UTF-8, UTF-16, windows-1251, ISO-8859-9 ...) or convert the file to UTF-8")
    }
    if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
    // Replace the declaration (its encoding no longer holds).
    if text.hasPrefix("<?xml"), let end = text.range(of: "?>") {
      let newlines = text[..<end.upperBound].filter { $0 == "\n" }.count
      text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + String(repeating: "\n", count: newlines)
        + text[end.upperBound...]
    }
    return Array(text.utf8)
  }

  /// `bytes` with the internal subset of its DOCTYPE (`[` to `]`, declarations,
  /// comments and quoted literals inside it) replaced by spaces, line breaks
  /// kept so that line numbers in errors stay right; and whether there was
  /// one. An internal subset that never ends is blanked to the end of the
  /// document (libxml2 then reports the DOCTYPE as unterminated). Only the
  /// prolog is searched, read both as XML and as the bytes before the first
  /// `<tmx`: a `<!DOCTYPE` after the root element starts is libxml2's to
  /// reject.
  static func withoutInternalSubset(_ bytes: [UInt8]) -> ([UInt8], Bool) {
    let n = bytes.count
    func starts(_ i: Int, _ u: String) -> Bool { bytes.hasBytes(Array(u.utf8), at: i) }
    func skip(past u: String, from i: Int) -> Int { bytes.index(past: Array(u.utf8), from: i) }
    // The prolog: the XML declaration, comments, PIs and white space. The
    // XML declaration ends at its first `>`, as libxml2 ends one that lacks
    // its `?` (it reads on after that error, DTD and all).
    var i = 0
    var doctypes: [Int] = []
    if starts(0, "<?xml") { i = skip(past: ">", from: 5) }
    while i < n {
      if bytes[i] != 0x3C {
        i += 1
        continue
      }
      if starts(i, "<!--") {
        i = skip(past: "-->", from: i + 4)
      } else if starts(i, "<?") {
        i = skip(past: "?>", from: i + 2)
      } else if starts(i, "<!DOCTYPE") {
        doctypes.append(i + 9)
        break
      } else {
        break  // the root element (or something libxml2 will reject)
      }
    }
    // And, whatever the scan above made of comments and PIs, every
    // `<!DOCTYPE` before the first `<tmx` (a TMX's root), so that a reading
    // of a broken prolog that differs from libxml2's cannot leave it one.
    var r = 0
    while r < n {
      guard bytes[r] == 0x3C else {
        r += 1
        continue
      }
      if starts(r, "<tmx") { break }
      if starts(r, "<!DOCTYPE"), !doctypes.contains(r + 9) { doctypes.append(r + 9) }
      r += 1
    }
    var out = bytes

    /// Blanks the internal subset of the DOCTYPE whose name starts at `j`.
    /// Just past the quoted literal that opens at `i` (its closing quote).
    func pastLiteral(_ i: Int) -> Int {
      var j = i + 1
      while j < n, bytes[j] != bytes[i] { j += 1 }
      return j + 1
    }
    func blankSubset(of d: Int) -> Bool {
      var j = d
      // To the `[` of the internal subset, past quoted system and public ids.
      var open: Int?
      while j < n {
        let c = bytes[j]
        if c == 0x22 || c == 0x27 {
          j = pastLiteral(j)
        } else if c == 0x3E {
          return false
        } else if c == 0x5B {
          open = j
          break
        } else {
          j += 1
        }
      }
      guard let start = open else { return false }
      // To the `]` that closes it: declarations may hold quoted literals,
      // comments and PIs, any of which may contain `]`.
      var k = start + 1
      var end = n
      while k < n {
        let c = bytes[k]
        if c == 0x22 || c == 0x27 {
          k = pastLiteral(k)
        } else if starts(k, "<!--") {
          k = skip(past: "-->", from: k + 4)
        } else if starts(k, "<?") {
          k = skip(past: "?>", from: k + 2)
        } else if c == 0x5D {
          end = k + 1
          break
        } else {
          k += 1
        }
      }
      for m in start..<min(end, n) where out[m] != 0x0A && out[m] != 0x0D { out[m] = 0x20 }
      return true
    }
    var blanked = false
    for d in doctypes where blankSubset(of: d) { blanked = true }
    return (out, blanked)
  }

  /// The lower-cased `encoding=` value of an XML declaration, if any.
  static func declaredEncoding(_ bytes: [UInt8]) -> String? {
    var head = bytes.prefix(256)
    if head.starts(with: [0xEF, 0xBB, 0xBF]) { head = head.dropFirst(3) }
    guard head.starts(with: Array("<?xml".utf8)), let end = head.firstIndex(of: 0x3E) else { return nil }
    let decl = String(decoding: head[..<end], as: UTF8.self).lowercased()
    guard let r = decl.range(of: "encoding") else { return nil }
    let value = decl[r.upperBound...].drop { $0 == " " || $0 == "=" || $0 == "\"" || $0 == "'" }
      .prefix { $0 != "\"" && $0 != "'" && $0 != " " && $0 != "?" }
    return value.isEmpty ? nil : String(value)
  }

  /// libxml2 error codes (the ones bad files cause).
  static func xmlErrorText(_ code: Int) -> String {
    switch code {
    case 4: return "document is empty or not XML"
    case 5: return "content after the end of the root element, or no root element at all"
    case 9: return "invalid character"
    case 23: return "'&' not followed by an entity name"
    case 26: return "undeclared entity"
    case 27: return "undeclared entity"
    case 38: return "'<' inside an attribute value"
    case 39, 40: return "an attribute value is not quoted"
    case 41: return "attribute without value"
    case 64, 65: return "a value is not quoted"
    case 73: return "'>' expected"
    case 76: return "an end tag does not match its start tag"
    case 77: return "the file ends inside an element (truncated?)"
    case 85: return "end tag without start tag"
    case 111: return "XML declaration expected"
    default: return ""
    }
  }

  final class Reader {
    let name: String
    let now: String
    var units: [TranslationUnit] = []
    var failure: TMError?
    var sawTMX = false
    var sourceLanguage: Language?
    var unknownLanguages: [String: Int] = [:]
    var thinUnits = 0
    var depth = 0
    var openElements: [String] = []
    var closedTMX = false

    // State of the unit being read.
    var inTU = false
    var texts: [Language: String] = [:]
    var props: [String: String] = [:]
    var creationdate: String?
    var tuvLanguage: Language?
    var tuvKnown = false
    var inSeg = false
    var propType: String?
    // Inline markup of the segment being read (see `UnitCodes`).
    enum Piece {
      case text(String)
      case code(InlineTag.Role, key: String, letters: String, native: String, hi: Bool)
    }
    var pieces: [Piece] = []
    var segs: [(Language, [Piece])] = []
    /// The native code being read: inside `bpt`, `ept`, `it`, `ph`, `ut`.
    var native: (role: InlineTag.Role, key: String, letters: String)?
    var nativeText = ""
    var nativeDepth = 0
    var subDepth = 0
    var hiStack: [(key: String, letters: String)] = []
    var pairs: [String: (key: String, letters: String)] = [:]  // bpt i → code
    var ordinals: [String: Int] = [:]
    var propText = ""

    init(name: String, now: String) {
      self.name = name
      self.now = now
    }

    /// The line of the event being read (for errors).
    var line = 1

    /// Reads the shim's events (`tmxml_parse` in htmlshim.h) until the end
    /// or the first failure.
    func read(_ events: UnsafeBufferPointer<UInt8>) {
      guard let base = events.baseAddress else { return }
      var ev = ShimEvents(base, count: events.count)
      while failure == nil, let kind = ev.u8(), let l = ev.i32() {
        line = l
        switch kind {
        case 0x53:  // S
          guard let el = ev.string(), let count = ev.u32() else { return }
          var attributes: [String: String] = [:]
          for _ in 0..<count {
            guard let k = ev.string(), let v = ev.string() else { return }
            if attributes[k] == nil { attributes[k] = v }
          }
          start(el, attributes)
        case 0x45:  // E
          guard let el = ev.string() else { return }
          end(el)
        case 0x54, 0x43:  // T, C
          guard let t = ev.string() else { return }
          characters(t)
        default: return
        }
      }
    }

    func start(_ el: String, _ a: [String: String]) {
      depth += 1
      openElements.append(el)
      if inSeg {
        if native != nil {
          nativeDepth += 1
          if el == "sub" { subDepth += 1 }
          return
        }
        // Without `x`, the n-th code of a kind in each language is one code.
        func key(_ kind: String) -> String {
          if let x = a["x"] { return "x" + x }
          ordinals[kind, default: 0] += 1
          return "\(kind)#\(ordinals[kind] ?? 0)"
        }
        switch el {
        case "bpt":
          // Without `x`, the n-th pair (`bpt`/`ept` or `hi`) of each language.
          let code = (key: key("pair"), letters: UnitCodes.letters(tmxType: a["type"], paired: true))
          pairs[a["i"] ?? ""] = code
          native = (.open, code.key, code.letters)
        case "ept":
          let code = pairs[a["i"] ?? ""] ?? (key: "ept" + (a["i"] ?? ""), letters: "g")
          native = (.close, code.key, code.letters)
        case "it":
          native = (a["pos"] == "end" ? .close : .open, key("it"), UnitCodes.letters(tmxType: a["type"], paired: true))
        case "ph", "ut":
          native = (.standalone, key("ph"), UnitCodes.letters(tmxType: a["type"], paired: false))
        case "hi":
          let code = (key: key("pair"), letters: UnitCodes.letters(tmxType: a["type"], paired: true))
          hiStack.append(code)
          pieces.append(.code(.open, key: code.key, letters: code.letters, native: "", hi: true))
        default: break
        }
        if native != nil {
          nativeText = ""
          nativeDepth = 0
          subDepth = 0
        }
        return
      }
      switch el {
      case "tmx": sawTMX = true
      case "header":
        if let s = a["srclang"] { sourceLanguage = Language(tag: s) }
      case "tu":
        inTU = true
        texts = [:]
        segs = []
        props = [:]
        creationdate = a["creationdate"] ?? a["changedate"]
      case "prop":
        propType = a["type"]
        propText = ""
      case "tuv":
        let tag = a["xml:lang"] ?? a["lang"] ?? ""
        tuvLanguage = Language(tag: tag)
        tuvKnown = tuvLanguage != nil
        if !tuvKnown { unknownLanguages[tag.isEmpty ? "(none)" : tag, default: 0] += 1 }
      case "seg":
        inSeg = true
        pieces = []
        native = nil
        hiStack = []
        pairs = [:]
        ordinals = [:]
      default: break
      }
    }

    func characters(_ s: String) {
      if inSeg {
        text(s)
      } else if propType != nil {
        propText += s
      }
    }

    func text(_ s: String) {
      if native != nil {
        if subDepth == 0 { nativeText += s }
      } else if case .text(let t)? = pieces.last {
        pieces[pieces.count - 1] = .text(t + s)
      } else {
        pieces.append(.text(s))
      }
    }

    func end(_ el: String) {
      depth -= 1
      if !openElements.isEmpty { openElements.removeLast() }
      if el == "tmx" && depth == 0 { closedTMX = true }
      if inSeg && el != "seg" {
        if let n = native {
          if nativeDepth > 0 {
            nativeDepth -= 1
            if el == "sub" { subDepth -= 1 }
            return
          }
          pieces.append(.code(n.role, key: n.key, letters: n.letters, native: nativeText, hi: false))
          native = nil
        } else if el == "hi", let code = hiStack.popLast() {
          pieces.append(.code(.close, key: code.key, letters: code.letters, native: "", hi: true))
        }
        return
      }
      switch el {
      case "seg":
        inSeg = false
        if tuvKnown, let l = tuvLanguage, !segs.contains(where: { $0.0 == l }) {
          segs.append((l, pieces))
        }
      case "tuv":
        tuvLanguage = nil
        tuvKnown = false
      case "prop":
        if let t = propType { props[t] = propText }
        propType = nil
      case "tu":
        inTU = false
        let codes = assemble()
        if texts.count < 2 {
          thinUnits += 1
          return
        }
        var u = TranslationUnit(texts: texts)
        u.codes = codes
        u.origin = props["x-origin"] ?? ("tmx:" + FileIO.baseName(of: name))
        if let c = props["x-created"] {
          u.created = c
        } else if let c = creationdate, let iso = TMX.isoDate(fromTMX: c) {
          u.created = iso
        } else {
          u.created = now
        }
        if let s = props["x-score"] {
          guard let v = Double(s.trimmingCharacters(in: .whitespaces)), v.isFinite else {
            failure = TMError(
              .invalidInput, "x-score '\(s)' is not a number", file: name, line: line)
            return
          }
          u.score = v
        }
        units.append(u)
      default: break
      }
    }

    /// The unit's texts from its segments, inline codes as tags numbered
    /// across the unit (the same `x`, or the same `i` pair, is the same
    /// code in every language), skipping numbers its texts hold literally;
    /// returns the `codes` field.
    func assemble() -> String {
      var literal = Set<Int>()
      var hasCodes = false
      for (_, ps) in segs {
        for p in ps {
          switch p {
          case .text(let t): for tag in InlineTags.scan(t) { literal.insert(tag.number) }
          case .code: hasCodes = true
          }
        }
      }
      var number: [String: (Int, String)] = [:]  // key → number, letters
      var entries: [Int: UnitCodes.Code] = [:]
      var next = 1
      if hasCodes {
        for (_, ps) in segs {
          for case .code(let role, let key, let letters, let nat, let hi) in ps {
            if number[key] == nil {
              while literal.contains(next) { next += 1 }
              number[key] = (next, letters)
              entries[next] = UnitCodes.Code(name: letters + String(next), hi: hi)
              next += 1
            }
            guard let (n, _) = number[key], var e = entries[n] else { continue }
            if role == .close {
              if e.close.isEmpty { e.close = nat }
            } else if e.open.isEmpty {
              e.open = nat
            }
            entries[n] = e
          }
        }
      }
      for (l, ps) in segs {
        var s = ""
        for p in ps {
          switch p {
          case .text(let t): s += t
          case .code(let role, let key, _, _, _):
            guard let (n, letters) = number[key] else { continue }
            let tag = InlineTag(role: role, letters: letters, number: n, utf8Range: 0..<0)
            s += tag.text
          }
        }
        let t = s.nfc
        if !t.isEmpty { texts[l] = t }
      }
      return UnitCodes(entries.keys.sorted().compactMap { entries[$0] }).field
    }
  }
}

// MARK: - Inline codes

/// The `codes` field of a unit (Documentation/MemoryFormat.md, "Inline
/// codes"): which tags of its texts are codes, and the native markup each
/// had in the TMX it came from.
///
/// `b1 a2=<a%20href="x">|</a> fn3=<sup>1</sup> b4:hi`: entries separated by
/// one space; an entry is the code's name, `:hi` when it was a TMX `<hi>`
/// (markup around text with no native code), then optionally `=` and the
/// native opening (or standalone) markup and `|` and the native closing
/// markup, with `%`, space, `|` and control characters percent-encoded.
public struct UnitCodes: Sendable, Hashable {
  public struct Code: Sendable, Hashable {
    public var name: String
    public var hi: Bool = false
    public var open: String = ""
    public var close: String = ""
    public init(name: String, hi: Bool = false, open: String = "", close: String = "") {
      self.name = name
      self.hi = hi
      self.open = open
      self.close = close
    }
  }

  public var codes: [Code]

  public init(_ codes: [Code]) { self.codes = codes }

  /// Parses a `codes` field; an entry that is not a tag name is ignored.
  public init(field: String) {
    var out: [Code] = []
    for entry in field.split(separator: " ", omittingEmptySubsequences: true) {
      var head = Substring(entry)
      var native: Substring? = nil
      if let eq = entry.firstIndex(of: "=") {
        head = entry[..<eq]
        native = entry[entry.index(after: eq)...]
      }
      var c = Code(name: String(head))
      if head.hasSuffix(":hi") {
        c.hi = true
        c.name = String(head.dropLast(3))
      }
      guard InlineTags.isTag("<\(c.name)/>") else { continue }
      if let native {
        let parts = native.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
        c.open = UnitCodes.decode(parts.first ?? "")
        c.close = parts.count > 1 ? UnitCodes.decode(parts[1]) : ""
      }
      out.append(c)
    }
    codes = out
  }

  /// The field's text.
  public var field: String {
    codes.map { c in
      var s = c.name + (c.hi ? ":hi" : "")
      if !c.open.isEmpty || !c.close.isEmpty {
        s += "=" + UnitCodes.encode(c.open)
        if !c.close.isEmpty { s += "|" + UnitCodes.encode(c.close) }
      }
      return s
    }.joined(separator: " ")
  }

  public func code(_ name: String) -> Code? { codes.first { $0.name == name } }
  public var names: Set<String> { Set(codes.map(\.name)) }

  /// The field for texts whose every tag is a code (a document's segments):
  /// their names in order of appearance, no native markup.
  public static func declaring<S: Sequence<String>>(_ texts: S) -> String {
    var seen = Set<String>()
    var names: [String] = []
    for t in texts { for n in InlineTags.names(t) where seen.insert(n).inserted { names.append(n) } }
    return names.joined(separator: " ")
  }

  static func encode(_ s: String) -> String {
    var out = ""
    for u in s.unicodeScalars {
      if u == "%" || u == " " || u == "|" || u.value < 0x20 || u.value == 0x7F {
        out += "%" + (u.value < 16 ? "0" : "") + String(u.value, radix: 16, uppercase: true)
      } else {
        out.unicodeScalars.append(u)
      }
    }
    return out
  }

  static func decode<S: StringProtocol>(_ s: S) -> String {
    guard s.contains("%") else { return String(s) }
    var bytes: [UInt8] = []
    let b = Array(s.utf8)
    var i = 0
    func hex(_ c: UInt8) -> UInt8? {
      switch c {
      case 0x30...0x39: return c - 0x30
      case 0x41...0x46: return c - 0x41 + 10
      case 0x61...0x66: return c - 0x61 + 10
      default: return nil
      }
    }
    while i < b.count {
      if b[i] == 0x25, i + 2 < b.count, let h = hex(b[i + 1]), let l = hex(b[i + 2]) {
        bytes.append(h << 4 | l)
        i += 3
      } else {
        bytes.append(b[i])
        i += 1
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// TMX `type` for tag letters, and back.
  static func tmxType(_ letters: String, paired: Bool) -> String? {
    switch letters {
    case "b": return "bold"
    case "i": return "italic"
    case "u": return "ulined"
    case "a": return "link"
    case "fn": return "fnote"
    case "br": return "lb"
    case "img": return "image"
    case "f": return "x-field"
    case "c": return "x-code"
    case "t": return "x-tab"
    case "s": return "x-space"
    case "g", "x": return nil
    default: return "x-" + letters
    }
  }

  static func letters(tmxType t: String?, paired: Bool) -> String {
    switch t ?? "" {
    case "bold": return "b"
    case "italic": return "i"
    case "ulined", "dulined": return "u"
    case "link": return "a"
    case "fnote", "enote": return "fn"
    case "lb": return "br"
    case "image": return "img"
    case "x-field": return "f"
    case "x-code": return "c"
    case "x-tab": return "t"
    case "x-space": return "s"
    case let x where x.hasPrefix("x-") && InlineTags.isTag("<\(x.dropFirst(2))1/>"): return String(x.dropFirst(2))
    default: return paired ? "g" : "x"
    }
  }
}

extension [UInt8] {
  /// Whether `u` is at `i` (the XML prolog scans of `TMX.decode`).
  fileprivate func hasBytes(_ u: [UInt8], at i: Int) -> Bool {
    i >= 0 && i + u.count <= count && self[i..<(i + u.count)].elementsEqual(u)
  }

  /// The index just past the first `u` at or after `i`, or `count` when
  /// there is none.
  fileprivate func index(past u: [UInt8], from i: Int) -> Int {
    guard let first = u.first else { return i }
    var j = i
    while j + u.count <= count {
      if self[j] == first && self[j..<(j + u.count)].elementsEqual(u) { return j + u.count }
      j += 1
    }
    return count
  }
}
