import Foundation

#if canImport(FoundationXML)
  import FoundationXML
#endif

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
/// `az-Cyrl`; `ru-RU` → `ru`; `en-US` → `en`). Inline markup is stripped: the
/// native codes inside `bpt`, `ept`, `it`, `ph`, `ut` and the sub-flows in
/// `sub` are dropped, the text inside `hi` is kept.
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
    for l in present {
      out += "      <tuv xml:lang=\"\(l.tag)\"><seg>"
      if escape(u.texts[l] ?? "", into: &out) { dropped += 1 }
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
    // A stream, not one Data: XMLParser on Linux hands a Data to libxml2 in one
    // chunk, which fails on documents over 10 MB (libxml2's limit without
    // XML_PARSE_HUGE); from a stream it is fed in pieces.
    let parser = XMLParser(stream: InputStream(data: Data(bytes)))
    parser.shouldProcessNamespaces = false
    parser.shouldResolveExternalEntities = false
    let d = Reader(name: name, now: now)
    parser.delegate = d
    let ok = parser.parse()
    if let e = d.failure { throw e }
    if !ok {
      let err = parser.parserError as NSError?
      let code = err?.code ?? 0
      var what = xmlErrorText(code)
      if what.isEmpty { what = err?.localizedDescription ?? "malformed XML" }
      var line = max(1, parser.lineNumber)
      var shown = ""
      if code == 26 || code == 27, let (l, entity) = firstUndeclaredEntity(bytes) {
        // XMLParser on Linux reports this at the end of the document.
        line = l
        shown = " '&\(entity);'"
      }
      throw TMError(
        .invalidInput, "not well-formed TMX: \(what)\(shown) (XML error \(code))", file: name,
        line: line,
        hint: "check the file with 'xmllint --noout \(name)'; only the five XML entities and &#NN; are allowed")
    }
    if !d.sawTMX {
      throw TMError(.invalidInput, "not a TMX file: no <tmx> root element", file: name, line: 1)
    }
    if d.depth != 0 || !d.closedTMX {
      // XMLParser on Linux accepts a document cut short; the open elements say so.
      let lines = 1 + bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
      throw TMError(
        .invalidInput, "not well-formed TMX: the file ends inside <\(d.openElements.last ?? "tmx")> (truncated?)",
        file: name, line: lines, hint: "the file is incomplete; export or copy it again")
    }
    var notes: [String] = []
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

  /// The first entity reference other than the five XML predefines and
  /// character references, with its 1-based line.
  static func firstUndeclaredEntity(_ b: [UInt8]) -> (Int, String)? {
    var line = 1
    var i = 0
    while i < b.count {
      if b[i] == 0x0A { line += 1 }
      if b[i] == 0x26, i + 1 < b.count, b[i + 1] != 0x23 {
        var j = i + 1
        while j < b.count, j - i < 64, b[j] != 0x3B, b[j] != 0x20, b[j] != 0x3C, b[j] != 0x0A { j += 1 }
        let name = String(decoding: b[(i + 1)..<j], as: UTF8.self)
        if !["amp", "lt", "gt", "quot", "apos"].contains(name) { return (line, name) }
      }
      i += 1
    }
    return nil
  }

  /// libxml2 error codes XMLParser passes on (the ones bad files cause).
  static func xmlErrorText(_ code: Int) -> String {
    switch code {
    case 4: return "document is empty or not XML"
    case 5: return "the file ends too early (truncated?)"
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

  final class Reader: NSObject, XMLParserDelegate {
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
    var seg = ""
    var skipDepth = 0
    var propType: String?
    var propText = ""

    init(name: String, now: String) {
      self.name = name
      self.now = now
    }

    func parser(
      _ parser: XMLParser, didStartElement el: String, namespaceURI: String?, qualifiedName: String?,
      attributes a: [String: String] = [:]
    ) {
      depth += 1
      openElements.append(el)
      if inSeg {
        switch el {
        case "bpt", "ept", "it", "ph", "ut", "sub": skipDepth += 1
        case "hi": break
        default: skipDepth += 0
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
        seg = ""
        skipDepth = 0
      default: break
      }
    }

    func parser(_ parser: XMLParser, foundCharacters s: String) {
      if inSeg {
        if skipDepth == 0 { seg += s }
      } else if propType != nil {
        propText += s
      }
    }

    func parser(_ parser: XMLParser, foundCDATA data: Data) {
      let s = String(decoding: data, as: UTF8.self)
      if inSeg {
        if skipDepth == 0 { seg += s }
      } else if propType != nil {
        propText += s
      }
    }

    func parser(_ parser: XMLParser, didEndElement el: String, namespaceURI: String?, qualifiedName: String?) {
      depth -= 1
      if !openElements.isEmpty { openElements.removeLast() }
      if el == "tmx" && depth == 0 { closedTMX = true }
      if inSeg && el != "seg" {
        switch el {
        case "bpt", "ept", "it", "ph", "ut", "sub": skipDepth -= 1
        default: break
        }
        return
      }
      switch el {
      case "seg":
        inSeg = false
        if tuvKnown, let l = tuvLanguage, texts[l] == nil {
          let t = seg.nfc
          if !t.isEmpty { texts[l] = t }
        }
      case "tuv":
        tuvLanguage = nil
        tuvKnown = false
      case "prop":
        if let t = propType { props[t] = propText }
        propType = nil
      case "tu":
        inTU = false
        if texts.count < 2 {
          thinUnits += 1
          return
        }
        var u = TranslationUnit(texts: texts)
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
              .invalidInput, "x-score '\(s)' is not a number", file: name, line: parser.lineNumber)
            parser.abortParsing()
            return
          }
          u.score = v
        }
        units.append(u)
      default: break
      }
    }

    func parser(_ parser: XMLParser, resolveExternalEntityName name: String, systemID: String?) -> Data? {
      nil
    }
  }
}
