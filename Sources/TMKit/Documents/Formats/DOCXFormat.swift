/// DOCX (WordprocessingML, ECMA-376): a zip whose `word/document.xml` is the
/// body; footnotes, endnotes, headers and footers are parts of their own.
///
/// Read: every `<w:p>` with text is a block (heading when its style is a
/// heading or the title, list item when numbered, table cell inside
/// `<w:tc>`, footnote/header/footer by part). Runs with equal formatting
/// (`<w:rPr>` minus spell-check noise, and the same hyperlink) are merged
/// into one span, however Word split them; spans that differ from the
/// paragraph's first formatting become paired codes (bold, italic, link...).
/// `<w:tab/>`, `<w:br/>`, footnote references, drawings are standalone
/// codes. Tracked changes are read accepted (`<w:del>` skipped, `<w:ins>`
/// kept); fields give their shown text (`<w:instrText>` is not text);
/// `mc:Fallback` copies of text boxes are skipped.
///
/// Write: the translated text of a span goes into the span's first `<w:t>`
/// (with `xml:space="preserve"`), the span's other `<w:t>`s are emptied;
/// every other byte of the part, and every other part, is left as it was.
public struct DOCXFormat: DocumentFormat {
  public init() {}
  public var id: String { "docx" }
  public var xliffDatatype: String { "x-docx" }
  public var extensions: [String] { ["docx", "docm", "dotx"] }

  static let mainNamespace = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

  public func detect(_ probe: DocumentProbe) -> Int {
    if let e = probe.zipEntries {
      if e.contains("word/document.xml") { return 100 }
      if e.contains(where: { $0.hasPrefix("word/") }) { return 60 }
    }
    return extensions.contains(probe.fileExtension) && ZipParts.looksLikeZip(probe.bytes) ? 20 : 0
  }

  public func read(_ probe: DocumentProbe) throws -> Document {
    let parts = try ZipParts.read(probe.bytes, name: probe.name)
    guard let main = parts.firstIndex(where: { $0.path == "word/document.xml" }) else {
      throw TMError(
        .invalidInput, "a DOCX without word/document.xml (the body part is missing)", file: probe.name,
        hint: "entries: \(parts.prefix(6).map(\.path).joined(separator: ", "))")
    }
    var order = [main]
    func kind(_ path: String) -> BlockKind? {
      if path.hasPrefix("word/header") { return .header }
      if path.hasPrefix("word/footer") { return .footer }
      if path == "word/footnotes.xml" || path == "word/endnotes.xml" { return .footnote }
      return nil
    }
    for (i, p) in parts.enumerated() where i != main && kind(p.path) != nil && p.path.hasSuffix(".xml") && !p.path.contains("/_rels/") {
      order.append(i)
    }
    var blocks: [Block] = []
    for i in order {
      try readPart(parts[i].bytes, part: i, name: "\(probe.name):\(parts[i].path)", partKind: kind(parts[i].path), into: &blocks)
    }
    var doc = Document(format: id, parts: parts, blocks: blocks, name: probe.name)
    doc.properties["prefix"] = "w"
    return doc
  }

  private struct Para {
    var builder: BlockBuilder
    var styled = false
  }

  func readPart(_ bytes: [UInt8], part: Int, name: String, partKind: BlockKind?, into blocks: inout [Block]) throws {
    var sc = XMLScanner(bytes, part: name)
    var prefix = "w"
    var names = Names(prefix: prefix)
    var first = true
    var paras: [Para] = []
    var inPPr = false
    var inRun = false
    var runKey = ""
    var rPrStart: Int?
    var skipDepth = 0  // inside <w:del>, <w:moveFrom>, mc:Fallback
    var skipName: Range<Int>?
    var skipOpen = 0
    var cellDepth = 0
    var links: [String] = []
    var tStart: Int?
    var tText = ""
    while let t = try sc.next() {
      if skipDepth > 0 {
        if let s = skipName {
          if t.kind == .start, sc.equal(t.name, Array(sc.bytes[s])) { skipOpen += 1 }
          if t.kind == .end, sc.equal(t.name, Array(sc.bytes[s])) {
            skipOpen -= 1
            if skipOpen == 0 {
              skipDepth = 0
              skipName = nil
            }
          }
        }
        continue
      }
      switch t.kind {
      case .start, .empty:
        if first {
          first = false
          for a in sc.attributes(t) {
            let n = sc.string(a.name)
            if n.hasPrefix("xmlns:"), XMLText.decode(sc.bytes, a.value) == Self.mainNamespace {
              prefix = String(n.dropFirst(6))
              names = Names(prefix: prefix)
            }
          }
        }
        let nm = t.name
        if t.kind == .start && (sc.equal(nm, names.del) || sc.equal(nm, names.moveFrom) || sc.equal(sc.local(nm), Names.fallback)) {
          skipDepth = 1
          skipName = nm
          skipOpen = 1
          continue
        }
        if sc.equal(nm, names.p) {
          var k: BlockKind = partKind ?? (cellDepth > 0 ? .tableCell : .paragraph)
          if partKind == nil && cellDepth > 0 { k = .tableCell }
          if t.kind == .start { paras.append(Para(builder: BlockBuilder(kind: k))) }
        } else if sc.equal(nm, names.pPr) {
          if t.kind == .start { inPPr = true }
        } else if inPPr {
          if sc.equal(nm, names.pStyle), !paras.isEmpty, let v = sc.attribute(t, "\(prefix):val") {
            let s = v.lowercased()
            if s.hasPrefix("heading") || s == "title" || s == "subtitle" || s.hasPrefix("berschrift") {
              paras[paras.count - 1].builder.kind = .heading
            } else if s == "caption" {
              paras[paras.count - 1].builder.kind = .caption
            } else if s.hasPrefix("list") && paras[paras.count - 1].builder.kind == .paragraph {
              paras[paras.count - 1].builder.kind = .listItem
            }
          } else if sc.equal(nm, names.numPr), !paras.isEmpty, paras[paras.count - 1].builder.kind == .paragraph {
            paras[paras.count - 1].builder.kind = .listItem
          }
        } else if sc.equal(nm, names.tc) {
          if t.kind == .start { cellDepth += 1 }
        } else if sc.equal(nm, names.hyperlink) {
          if t.kind == .start {
            links.append(sc.attribute(t, "r:id") ?? sc.attribute(t, "\(prefix):anchor") ?? "link\(links.count)")
          }
        } else if sc.equal(nm, names.r) {
          if t.kind == .start {
            inRun = true
            runKey = ""
          }
        } else if sc.equal(nm, names.rPr) {
          if inRun && t.kind == .start { rPrStart = t.range.upperBound }
        } else if inRun && rPrStart == nil && !paras.isEmpty {
          if sc.equal(nm, names.t) {
            if t.kind == .empty {
              paras[paras.count - 1].builder.text("", key: key(runKey, links), code: code(runKey, links), slot: (part, t.range, .wordText))
            } else {
              tStart = t.range.lowerBound
              tText = ""
            }
          } else if sc.equal(nm, names.tab) {
            paras[paras.count - 1].builder.standalone(.tab, text: "\t")
          } else if sc.equal(nm, names.br) || sc.equal(nm, names.cr) {
            let type = sc.attribute(t, "\(prefix):type")
            if type == "page" || type == "column" {
              paras[paras.count - 1].builder.standalone(.other)
            } else {
              paras[paras.count - 1].builder.standalone(.lineBreak, text: "\n")
            }
          } else if sc.equal(nm, names.footnoteReference) || sc.equal(nm, names.endnoteReference) {
            paras[paras.count - 1].builder.standalone(.footnote)
          } else if sc.equal(nm, names.drawing) || sc.equal(nm, names.pict) || sc.equal(nm, names.object) {
            // Scanning goes on inside: a text box's <w:p>s are paragraphs of their own.
            paras[paras.count - 1].builder.standalone(.image)
          } else if sc.equal(nm, names.sym) {
            paras[paras.count - 1].builder.standalone(.other)
          } else if sc.equal(nm, names.noBreakHyphen) {
            paras[paras.count - 1].builder.standalone(.other, text: "\u{2011}")
          } else if sc.equal(nm, names.softHyphen) {
            paras[paras.count - 1].builder.standalone(.other, text: "\u{00AD}")
          }
        }
      case .end:
        let nm = t.name
        if sc.equal(nm, names.p) {
          if var para = paras.popLast(), let b = para.builder.finish() { blocks.append(b) }
        } else if sc.equal(nm, names.pPr) {
          inPPr = false
        } else if sc.equal(nm, names.tc) {
          cellDepth -= 1
        } else if sc.equal(nm, names.hyperlink) {
          _ = links.popLast()
        } else if sc.equal(nm, names.r) {
          inRun = false
        } else if sc.equal(nm, names.rPr) {
          if let s = rPrStart {
            runKey = canonicalKey(sc.bytes, s..<t.range.lowerBound)
            rPrStart = nil
          }
        } else if sc.equal(nm, names.t), let s = tStart {
          tStart = nil
          if !paras.isEmpty && inRun {
            paras[paras.count - 1].builder.text(tText, key: key(runKey, links), code: code(runKey, links), slot: (part, s..<t.range.upperBound, .wordText))
          }
        }
      case .text:
        if tStart != nil { tText += XMLText.decode(sc.bytes, t.range) }
      case .cdata:
        if tStart != nil { tText += String(decoding: sc.bytes[(t.range.lowerBound + 9)..<(t.range.upperBound - 3)], as: UTF8.self) }
      default:
        break
      }
    }
  }

  private func key(_ run: String, _ links: [String]) -> String {
    links.isEmpty ? run : "link=\(links.last ?? "")|" + run
  }

  private func code(_ run: String, _ links: [String]) -> InlineCode.Kind {
    if !links.isEmpty { return .link }
    if run.contains(":b/>") || run.contains(":b ") && !run.contains(":b w:val=\"0\"") { return .bold }
    if run.contains(":i/>") || run.contains(":i ") { return .italic }
    if run.contains(":u ") || run.contains(":u/>") { return .underline }
    return .format
  }

  /// The run properties as a formatting key: spell-check and language
  /// marks (`<w:lang>`, `<w:noProof/>`, `<w:rPrChange>`...) removed, since
  /// Word changes them without the reader seeing any difference.
  private func canonicalKey(_ bytes: [UInt8], _ r: Range<Int>) -> String {
    var s = String(decoding: bytes[r], as: UTF8.self)
    for noise in [":lang ", ":noProof", ":spellStart", ":lang/", ":rPrChange", ":webHidden"] {
      while let range = s.range(of: noise) {
        // Cut the whole element around it.
        guard let open = s[..<range.lowerBound].lastIndex(of: "<") else { break }
        guard let close = s[range.upperBound...].firstIndex(of: ">") else { break }
        s.removeSubrange(open...close)
      }
    }
    return s.filter { !$0.isWhitespace }
  }

  public func write(_ document: Document, translations: [Int: [Inline]], annotations: [Int: TargetAnnotation]) throws -> [UInt8] {
    let prefix = document.properties["prefix"] ?? "w"
    let open = Array("<\(prefix):t xml:space=\"preserve\">".utf8)
    let close = Array("</\(prefix):t>".utf8)
    let empty = Array("<\(prefix):t/>".utf8)
    let bytes = SlotWriter.apply(document, translations: translations) { text, _ in
      if text.isEmpty { return empty }
      return open + Array(XMLText.escape(text).utf8) + close
    }
    var parts = document.parts
    for i in parts.indices { parts[i].bytes = bytes[i] }
    return try ZipParts.write(parts, name: document.name)
  }

  /// The qualified names of the elements read, for one namespace prefix.
  struct Names {
    let p, pPr, pStyle, numPr, r, rPr, t, tab, br, cr, tc, hyperlink, del, moveFrom: [UInt8]
    let footnoteReference, endnoteReference, drawing, pict, object, sym, noBreakHyphen, softHyphen: [UInt8]
    static let fallback = Array("Fallback".utf8)
    init(prefix: String) {
      func q(_ s: String) -> [UInt8] { Array("\(prefix):\(s)".utf8) }
      p = q("p")
      pPr = q("pPr")
      pStyle = q("pStyle")
      numPr = q("numPr")
      r = q("r")
      rPr = q("rPr")
      t = q("t")
      tab = q("tab")
      br = q("br")
      cr = q("cr")
      tc = q("tc")
      hyperlink = q("hyperlink")
      del = q("del")
      moveFrom = q("moveFrom")
      footnoteReference = q("footnoteReference")
      endnoteReference = q("endnoteReference")
      drawing = q("drawing")
      pict = q("pict")
      object = q("object")
      sym = q("sym")
      noBreakHyphen = q("noBreakHyphen")
      softHyphen = q("softHyphen")
    }
  }
}
