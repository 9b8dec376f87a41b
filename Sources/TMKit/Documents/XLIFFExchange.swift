import Foundation

/// The hand-off to and from a CAT tool: `extract` makes a bilingual XLIFF
/// 1.2 from any document, `merge` writes a translated one back into the
/// original format.
///
/// The XLIFF carries the original document in `<header><skl><internal-file
/// form="base64">`, so merging needs nothing but the XLIFF. There is one
/// `<group restype="x-…">` per block and one `<trans-unit id="B-S">` per
/// segment (block B, segment S, both 1-based); codes are `<g id ctype>` and
/// `<x id ctype/>` with the ids of the document's own codes. Merge segments
/// the original again with the same rules, checks each unit's source
/// against it, and puts each target (or, with no target, the source) back.
public enum XLIFFExchange {
  public static let namespace = "urn:oasis:names:tc:xliff:document:1.2"

  /// The XLIFF 1.2 for `doc`. `pretranslated` gives targets per segment
  /// (global index, see `DocumentSegmentation.segments`); bilingual
  /// documents' own targets are used where there is none.
  public static func extract(
    _ doc: Document, blocks: [SegmentedBlock], source: Language, target: Language,
    pretranslated: [Int: ([Inline], TargetAnnotation)] = [:], original: [UInt8]? = nil
  ) -> [UInt8] {
    var s = """
      <?xml version="1.0" encoding="UTF-8"?>
      <xliff version="1.2" xmlns="\(namespace)">
      <file original="\(XMLText.escapeAttribute(baseName(doc.name)))" source-language="\(source.tag)" target-language="\(target.tag)" datatype="\(DocumentFormats.format(id: doc.format)?.xliffDatatype ?? "plaintext")" tool-id="tm">
      <header>
      <skl><internal-file form="base64">
      """
    let orig = original ?? originalBytes(doc)
    s += Data(orig).base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed])
    s += "</internal-file></skl>\n<tool tool-id=\"tm\" tool-name=\"tm\" tool-version=\"0.1.0\"/>\n</header>\n<body>\n"
    // The text goes to bytes group by group: never the whole XLIFF twice.
    var out: [UInt8] = []
    out += s.utf8
    s = ""
    let bilingual = DocumentFormats.format(id: doc.format)?.bilingual ?? false
    // Only an XLIFF's own codes are XLIFF markup; others become <g>/<x/>.
    let natives = doc.format == "xliff" && doc.properties["version"] != "2"
    func markup(_ c: [Inline]) -> String { XLIFFFormat.markup(c, natives: natives) }
    var global = 0
    for b in blocks {
      let block = doc.blocks[b.block]
      s += "<group id=\"b\(b.block + 1)\" restype=\"\(restype(block.kind))\">\n"
      for note in block.notes where !note.isEmpty { s += "<note>\(XMLText.escape(note))</note>\n" }
      for i in 0..<b.segmentCount {
        defer { global += 1 }
        let content = b.segment(i)
        s += "<trans-unit id=\"\(b.block + 1)-\(i + 1)\" xml:space=\"preserve\">\n<source>\(markup(content))</source>\n"
        if let (t, note) = pretranslated[global] {
          s += "<target state=\"\(note.state)\">\(markup(t))</target>\n"
          if let score = note.score {
            s += "<alt-trans match-quality=\"\(Int(score.rounded()))\" origin=\"\(XMLText.escapeAttribute(note.origin ?? "tm"))\"><target>\(markup(t))</target></alt-trans>\n"
          }
        } else if bilingual, b.segmentCount == 1, let t = block.target {
          s += "<target state=\"\(block.targetState ?? "translated")\">\(markup(t))</target>\n"
        }
        s += "</trans-unit>\n"
      }
      s += "</group>\n"
      if s.utf8.count >= 1 << 16 {
        out += s.utf8
        s.removeAll(keepingCapacity: true)
      }
    }
    s += "</body>\n</file>\n</xliff>\n"
    out += s.utf8
    return out
  }

  /// The bytes the document was read from (zip parts zipped again).
  static func originalBytes(_ doc: Document) -> [UInt8] {
    if doc.parts.count == 1 { return doc.parts[0].bytes }
    return (try? ZipParts.write(doc.parts, name: doc.name)) ?? []
  }

  static func baseName(_ path: String) -> String {
    path.split(separator: "/").last.map(String.init) ?? path
  }

  static func restype(_ k: BlockKind) -> String {
    switch k {
    case .paragraph: return "x-paragraph"
    case .heading: return "x-heading"
    case .listItem: return "x-list-item"
    case .tableCell: return "x-table-cell"
    case .caption: return "x-caption"
    case .footnote: return "x-footnote"
    case .cue: return "x-cue"
    case .header: return "x-header"
    case .footer: return "x-footer"
    case .title: return "x-title"
    case .attribute: return "x-attribute"
    case .unit: return "x-unit"
    }
  }

  /// What `merge` found: the original document, the translated content per
  /// block and the languages.
  public struct Merged: Sendable {
    public var document: Document
    public var translations: [Int: [Inline]]
    public var annotations: [Int: TargetAnnotation]
    public var source: Language
    public var target: Language
    public var untranslated: Int
  }

  /// Reads a bilingual XLIFF made by `extract` (and translated anywhere).
  /// `segmenter` makes one for the XLIFF's source language.
  public static func merge(
    xliff bytes: [UInt8], name: String, segmenter: (Language) throws -> SentenceSegmenter
  ) throws -> Merged {
    let x = try XLIFFFormat().read(DocumentProbe(name: name, bytes: bytes))
    let fileLine = lineOf(bytes, Array("<file".utf8))
    guard let srcTag = x.sourceLanguage, let src = Language(tag: srcTag) else {
      throw TMError(.invalidInput, "the XLIFF <file> has no source-language tm knows (az, az-Cyrl, ru, en)", file: name, line: fileLine)
    }
    guard let trgTag = x.targetLanguage else {
      throw TMError(
        .invalidInput, "the XLIFF <file> has no target-language", file: name, line: fileLine,
        hint: "add target-language=\"ru\" (or az, en) to <file>")
    }
    guard let trg = Language(tag: trgTag) else {
      throw TMError(.invalidInput, "unknown target-language '\(trgTag)'", file: name, line: fileLine)
    }
    guard let skl = skeleton(bytes) else {
      throw TMError(
        .invalidInput, "the XLIFF has no <internal-file> with the original document", file: name, line: fileLine,
        hint: "merge works on XLIFF made by 'tm extract'")
    }
    guard let orig = Data(base64Encoded: skl, options: .ignoreUnknownCharacters) else {
      throw TMError(.invalidInput, "the original document in <internal-file> is not valid base64", file: name)
    }
    let originalName = original(bytes) ?? "original"
    let probe = DocumentProbe(name: "\(name):\(originalName)", bytes: [UInt8](orig))
    guard let format = try DocumentFormats.detect(probe) else {
      throw TMError(.invalidInput, "the original document in the XLIFF is of no known format", file: name)
    }
    let doc = try format.read(probe)
    let seg = try segmenter(src)
    let blocks = DocumentSegmentation.segment(doc, with: seg)
    // Units by id.
    var units: [String: Block] = [:]
    for u in x.blocks { units[u.key] = u }
    var translations: [Int: [Inline]] = [:]
    var annotations: [Int: TargetAnnotation] = [:]
    var untranslated = 0
    for b in blocks {
      var changed: [Int: [Inline]] = [:]
      let block = doc.blocks[b.block]
      var codes: [Int: InlineCode] = [:]
      for piece in block.content {
        if case .open(let c) = piece { codes[c.id] = c }
        if case .standalone(let c) = piece { codes[c.id] = c }
      }
      var state: String?
      for i in 0..<b.segmentCount {
        let id = "\(b.block + 1)-\(i + 1)"
        guard let u = units[id] else {
          throw TMError(.invalidInput, "trans-unit '\(id)' is missing", file: name, hint: "the XLIFF does not match its original document")
        }
        // Text only: a standalone code's text (a space, a tab) is not in the XLIFF.
        let expected = InlineText.textOnly(b.segment(i))
        if InlineText.textOnly(u.content) != expected {
          throw TMError(
            .invalidInput, "trans-unit '\(id)': its source differs from the original document's segment", file: name,
            line: lineOf(bytes, Array("id=\"\(id)\"".utf8)), hint: "was the source edited, or the abbreviation lists changed since extraction?")
        }
        guard let t = u.target, !InlineText.textOnly(t).isEmpty || expected.isEmpty else {
          untranslated += 1
          continue
        }
        // The document's own codes, by id (the XLIFF markup is not theirs).
        changed[i] = t.map { piece in
          switch piece {
          case .open(let c): return .open(codes[c.id] ?? c)
          case .standalone(let c): return .standalone(codes[c.id] ?? c)
          default: return piece
          }
        }
        if let s = u.targetState, state == nil || s.hasPrefix("needs") { state = s }
      }
      if !changed.isEmpty {
        translations[b.block] = b.reassembled(changed)
        if format.bilingual, let state { annotations[b.block] = TargetAnnotation(state: state) }
      }
    }
    if format.bilingual {
      // A bilingual original gets targets only where the XLIFF had one.
      for (k, v) in translations where v == doc.blocks[k].content && doc.blocks[k].target == nil { translations[k] = nil }
    }
    return Merged(document: doc, translations: translations, annotations: annotations, source: src, target: trg, untranslated: untranslated)
  }

  static func skeleton(_ bytes: [UInt8]) -> String? {
    guard let a = find(bytes, Array("<internal-file".utf8), from: 0),
      let gt = bytes[a...].firstIndex(of: 0x3E),
      let b = find(bytes, Array("</internal-file>".utf8), from: gt)
    else { return nil }
    return String(decoding: bytes[(gt + 1)..<b], as: UTF8.self)
  }

  static func original(_ bytes: [UInt8]) -> String? {
    guard let a = find(bytes, Array("original=\"".utf8), from: 0) else { return nil }
    let s = a + 10
    guard let e = bytes[s...].firstIndex(of: 0x22) else { return nil }
    return XMLText.decode(bytes, s..<e)
  }

  static func find(_ bytes: [UInt8], _ needle: [UInt8], from: Int) -> Int? {
    guard !needle.isEmpty, bytes.count >= needle.count else { return nil }
    var i = from
    while i + needle.count <= bytes.count {
      if bytes[i] == needle[0] && Array(bytes[i..<(i + needle.count)]) == needle { return i }
      i += 1
    }
    return nil
  }

  static func lineOf(_ bytes: [UInt8], _ needle: [UInt8]) -> Int? {
    guard let at = find(bytes, needle, from: 0) else { return nil }
    return bytes[..<at].reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
  }
}
