/// ODT (OpenDocument text): a zip with `mimetype` first (stored) and the
/// body in `content.xml`.
///
/// Read: `<text:p>` and `<text:h>` with text are blocks (heading, list
/// item inside `<text:list-item>`, table cell inside `<table:table-cell>`,
/// footnote inside `<text:note-body>`, caption for a frame's paragraphs).
/// Character data is mixed with `<text:span text:style-name>` and
/// `<text:a xlink:href>`: text under the same spans and link is one
/// formatting span; spans differing from the paragraph's first become
/// paired codes. `<text:s/>` (spaces), `<text:tab/>`, `<text:line-break/>`
/// and a footnote's anchor are standalone codes; a footnote's citation
/// number and annotations are not text.
///
/// Write: a span's translated text replaces its first run of character
/// data, its other runs are emptied; all other bytes and parts are kept.
public struct ODTFormat: DocumentFormat {
  public init() {}
  public var id: String { "odt" }
  public var xliffDatatype: String { "x-odt" }
  public var extensions: [String] { ["odt", "ott"] }

  static let textNamespace = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
  static let tableNamespace = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"

  public func detect(_ probe: DocumentProbe) -> Int {
    if let e = probe.zipEntries, e.contains("content.xml") {
      if probe.head(90).contains("opendocument.text") { return 100 }
      return e.contains("mimetype") ? 80 : 50
    }
    return extensions.contains(probe.fileExtension) && ZipParts.looksLikeZip(probe.bytes) ? 20 : 0
  }

  public func read(_ probe: DocumentProbe) throws -> Document {
    let parts = try ZipParts.read(probe.bytes, name: probe.name)
    guard let main = parts.firstIndex(where: { $0.path == "content.xml" }) else {
      throw TMError(.invalidInput, "an ODT without content.xml (the body part is missing)", file: probe.name)
    }
    var blocks: [Block] = []
    try readContent(parts[main].bytes, part: main, name: "\(probe.name):content.xml", into: &blocks)
    return Document(format: id, parts: parts, blocks: blocks, name: probe.name)
  }

  private struct Para {
    var builder: BlockBuilder
    var depth: Int
  }

  func readContent(_ bytes: [UInt8], part: Int, name: String, into blocks: inout [Block]) throws {
    var sc = XMLScanner(bytes, part: name)
    var t = "text"
    var tb = "table"
    var first = true
    var paras: [Para] = []
    var spans: [String] = []  // formatting context: style names and links
    var spanDepth: [Int] = []  // scanner depth at which each context opened
    var listDepth = 0
    var cellDepth = 0
    var noteBody = 0
    var frameDepth = 0
    var skipUntil: Int?  // skip everything until depth drops below this
    var notes: [Block] = []  // footnotes go after the body, as DOCX has them in their own part
    var styleKinds: [String: InlineCode.Kind] = [:]  // automatic text styles: T1 -> bold
    var styleName: String?
    func q(_ s: String, _ p: String) -> [UInt8] { Array("\(p):\(s)".utf8) }
    var N = (p: q("p", t), h: q("h", t), span: q("span", t), a: q("a", t), s: q("s", t), tab: q("tab", t),
             lb: q("line-break", t), note: q("note", t), cite: q("note-citation", t), body: q("note-body", t),
             li: q("list-item", t), lh: q("list-header", t), cell: q("table-cell", tb),
             annotation: Array("office:annotation".utf8), frame: Array("draw:frame".utf8),
             tracked: q("tracked-changes", t))
    while let tok = try sc.next() {
      if let s = skipUntil {
        if sc.depth < s { skipUntil = nil }
        continue
      }
      switch tok.kind {
      case .start, .empty:
        if first {
          first = false
          for a in sc.attributes(tok) {
            let n = sc.string(a.name)
            guard n.hasPrefix("xmlns:") else { continue }
            let v = XMLText.decode(sc.bytes, a.value)
            if v == Self.textNamespace { t = String(n.dropFirst(6)) }
            if v == Self.tableNamespace { tb = String(n.dropFirst(6)) }
          }
          N = (p: q("p", t), h: q("h", t), span: q("span", t), a: q("a", t), s: q("s", t), tab: q("tab", t),
               lb: q("line-break", t), note: q("note", t), cite: q("note-citation", t), body: q("note-body", t),
               li: q("list-item", t), lh: q("list-header", t), cell: q("table-cell", tb),
               annotation: Array("office:annotation".utf8), frame: Array("draw:frame".utf8),
               tracked: q("tracked-changes", t))
        }
        let nm = tok.name
        let open = tok.kind == .start
        if sc.string(nm) == "style:style" {
          styleName = open ? sc.attribute(tok, "style:name") : nil
        } else if sc.string(nm) == "style:text-properties", let name = styleName {
          if sc.attribute(tok, "fo:font-weight") == "bold" {
            styleKinds[name] = .bold
          } else if sc.attribute(tok, "fo:font-style") == "italic" {
            styleKinds[name] = .italic
          } else if let u = sc.attribute(tok, "style:text-underline-style"), u != "none" {
            styleKinds[name] = .underline
          }
        }
        if open && (sc.equal(nm, N.cite) || sc.equal(nm, N.annotation) || sc.equal(nm, N.tracked)) {
          skipUntil = sc.depth
          continue
        }
        if sc.equal(nm, N.p) || sc.equal(nm, N.h) {
          guard open else { continue }
          var k: BlockKind = .paragraph
          if sc.equal(nm, N.h) { k = .heading } else if noteBody > 0 { k = .footnote } else if cellDepth > 0 { k = .tableCell } else if listDepth > 0 { k = .listItem } else if frameDepth > 0 { k = .caption }
          paras.append(Para(builder: BlockBuilder(kind: k), depth: sc.depth))
          spans.removeAll()
          spanDepth.removeAll()
        } else if sc.equal(nm, N.span) || sc.equal(nm, N.a) {
          if open {
            let key = sc.equal(nm, N.a) ? "a=\(sc.attribute(tok, "xlink:href") ?? "")" : "s=\(sc.attribute(tok, "\(t):style-name") ?? "")"
            spans.append(key)
            spanDepth.append(sc.depth)
          }
        } else if sc.equal(nm, N.s), !paras.isEmpty {
          let c = Int(sc.attribute(tok, "\(t):c") ?? "1") ?? 1
          paras[paras.count - 1].builder.standalone(.space, text: String(repeating: " ", count: max(1, min(c, 1000))))
        } else if sc.equal(nm, N.tab), !paras.isEmpty {
          paras[paras.count - 1].builder.standalone(.tab, text: "\t")
        } else if sc.equal(nm, N.lb), !paras.isEmpty {
          paras[paras.count - 1].builder.standalone(.lineBreak, text: "\n")
        } else if sc.equal(nm, N.note), open, !paras.isEmpty {
          paras[paras.count - 1].builder.standalone(.footnote)
        } else if sc.equal(nm, N.body), open {
          noteBody += 1
        } else if sc.equal(nm, N.li) || sc.equal(nm, N.lh), open {
          listDepth += 1
        } else if sc.equal(nm, N.cell), open {
          cellDepth += 1
        } else if sc.equal(nm, N.frame), open {
          frameDepth += 1
          if !paras.isEmpty { paras[paras.count - 1].builder.standalone(.image) }
        }
      case .end:
        let nm = tok.name
        if sc.string(nm) == "style:style" { styleName = nil }
        if sc.equal(nm, N.p) || sc.equal(nm, N.h) {
          if var para = paras.popLast(), let b = para.builder.finish() {
            if b.kind == .footnote { notes.append(b) } else { blocks.append(b) }
          }
        } else if sc.equal(nm, N.span) || sc.equal(nm, N.a) {
          if let d = spanDepth.last, d == sc.depth + 1 {
            spans.removeLast()
            spanDepth.removeLast()
          }
        } else if sc.equal(nm, N.body) {
          noteBody -= 1
        } else if sc.equal(nm, N.li) || sc.equal(nm, N.lh) {
          listDepth -= 1
        } else if sc.equal(nm, N.cell) {
          cellDepth -= 1
        } else if sc.equal(nm, N.frame) {
          frameDepth -= 1
        }
      case .text:
        guard let para = paras.last, sc.depth >= para.depth else { continue }
        let key = spans.joined(separator: "|")
        var kind: InlineCode.Kind = .format
        if let last = spans.last {
          kind = last.hasPrefix("a=") ? .link : styleKinds[String(last.dropFirst(2))] ?? .format
        }
        paras[paras.count - 1].builder.text(
          XMLText.decode(sc.bytes, tok.range), key: key, code: kind, slot: (part, tok.range, .none))
      default:
        break
      }
    }
    blocks.append(contentsOf: notes)
  }

  public func write(_ document: Document, translations: [Int: [Inline]], annotations: [Int: TargetAnnotation]) throws -> [UInt8] {
    let bytes = SlotWriter.apply(document, translations: translations) { text, _ in Array(XMLText.escape(text).utf8) }
    var parts = document.parts
    for i in parts.indices { parts[i].bytes = bytes[i] }
    return try ZipParts.write(parts, name: document.name)
  }
}
