/// XLIFF 1.2 and 2.x as a document: one block per translatable unit
/// (1.2 `<trans-unit>`, 2.x `<segment>`), with its source, existing target,
/// state and notes.
///
/// Inline codes keep their markup: 1.2 `<g>`, `<mrk>`, 2.x `<pc>` are paired
/// codes, `<x/>`, `<bx/>`, `<ex/>`, `<ph>…</ph>`, `<bpt>`, `<ept>`, `<it>`,
/// `<sc/>`, `<ec/>` standalone ones (their whole element is the native
/// markup). Writing puts a `<target state="…">` in place (replacing the old
/// one or after `</source>`), and in 1.2 an `<alt-trans match-quality>`
/// with the match score; in 2.x the `state` goes on `<segment>`. Everything
/// else is left byte for byte. `translate="no"` units and 2.x `<ignorable>`
/// are not blocks.
public struct XLIFFFormat: DocumentFormat {
  public init() {}
  public var id: String { "xliff" }
  public var xliffDatatype: String { "xml" }
  public var extensions: [String] { ["xlf", "xliff", "sdlxliff", "mqxliff"] }
  public var bilingual: Bool { true }

  public func detect(_ probe: DocumentProbe) -> Int {
    guard probe.zipEntries == nil else { return 0 }
    let head = probe.head(2048)
    if head.contains("<xliff") { return 95 }
    return extensions.contains(probe.fileExtension) ? 10 : 0
  }

  /// Positions kept per block for writing (in `Block.slots`):
  /// slot 0 = the `<target>` element (or an empty range after `</source>`),
  /// span = 1 when a target exists; slot 1 = the insertion point or value
  /// of the 2.x segment's `state`; slot 2 = the whitespace before `<source>`.
  public func read(_ probe: DocumentProbe) throws -> Document {
    var sc = XMLScanner(probe.bytes, part: probe.name)
    var blocks: [Block] = []
    var version2 = false
    var src: String?
    var trg: String?
    var current: Block?
    var unitNotes: [String] = []
    var skipDepth: Int?
    var capture: (which: Int, start: Int, depth: Int)?  // 0 source, 1 target, 2 note
    var captureTokens: [XMLScanner.Token] = []
    var targetRange: Range<Int>?
    var sourceEnd = 0
    var sourceIndent = 0..<0
    var stateSlot = 0..<0
    var stateValue: String?
    var lastText: Range<Int> = 0..<0
    var sawFile = false
    var unitID = ""
    var unitInsert = 0  // 2.x: where a <note> about a match goes (after <unit>, or before </notes>)
    var unitHasNotes = false

    func local(_ t: XMLScanner.Token) -> String { sc.string(sc.local(t.name)) }

    while let t = try sc.next() {
      if let d = skipDepth {
        if sc.depth < d { skipDepth = nil }
        continue
      }
      if var c = capture {
        if t.kind == .end && sc.depth == c.depth - 1 && ["source", "target", "note"].contains(local(t)) {
          let content = try inline(sc, captureTokens, version2: version2)
          switch c.which {
          case 0:
            current?.content = content
            sourceEnd = t.range.upperBound
          case 1:
            current?.target = content
            targetRange = c.start..<t.range.upperBound
          default:
            let note = InlineText.plain(content).trimmingCharacters(in: .whitespacesAndNewlines)
            if current != nil { current?.notes.append(note) } else { unitNotes.append(note) }
          }
          capture = nil
          captureTokens.removeAll()
          c.which = -1
          continue
        }
        captureTokens.append(t)
        continue
      }
      switch t.kind {
      case .text:
        lastText = t.range
      case .start, .empty:
        let name = local(t)
        switch name {
        case "xliff":
          let v = sc.attribute(t, "version") ?? "1.2"
          version2 = v.hasPrefix("2")
          if version2 {
            src = sc.attribute(t, "srcLang")
            trg = sc.attribute(t, "trgLang")
          }
        case "file":
          sawFile = true
          if !version2 {
            src = src ?? sc.attribute(t, "source-language")
            trg = trg ?? sc.attribute(t, "target-language")
          }
        case "trans-unit" where !version2:
          if sc.attribute(t, "translate") == "no" {
            if t.kind == .start { skipDepth = sc.depth }
            continue
          }
          current = Block(kind: .unit, content: [])
          current?.key = sc.attribute(t, "id") ?? "\(blocks.count + 1)"
          targetRange = nil
        case "unit" where version2:
          unitID = sc.attribute(t, "id") ?? "\(blocks.count + 1)"
          unitNotes = []
          unitInsert = t.range.upperBound
          unitHasNotes = false
          if sc.attribute(t, "translate") == "no", t.kind == .start { skipDepth = sc.depth }
        case "ignorable" where version2:
          if t.kind == .start { skipDepth = sc.depth }
        case "segment" where version2:
          current = Block(kind: .unit, content: [])
          current?.key = "\(unitID)/\(sc.attribute(t, "id") ?? "\(blocks.count + 1)")"
          current?.notes = unitNotes
          targetRange = nil
          if let r = sc.attributeRange(t, "state") {
            stateSlot = r
            stateValue = sc.attribute(t, "state")
          } else {
            stateSlot = t.name.upperBound..<t.name.upperBound
            stateValue = nil
          }
        case "source", "target", "note":
          if name == "note" && current == nil && !version2 { break }
          if name == "source" { sourceIndent = lastText }
          if name == "target", !version2 { current?.targetState = sc.attribute(t, "state") }
          if name == "target", version2 { current?.targetState = stateValue }
          if t.kind == .empty {
            if name == "target" { targetRange = t.range }
            continue
          }
          capture = (name == "source" ? 0 : name == "target" ? 1 : 2, t.range.lowerBound, sc.depth)
        case "alt-trans", "seg-source", "originalData", "context-group", "count-group", "prop-group":
          if t.kind == .start { skipDepth = sc.depth }
        default:
          break
        }
      case .end:
        let name = local(t)
        if name == "notes" && version2 {
          unitInsert = t.range.lowerBound
          unitHasNotes = true
        }
        if (name == "trans-unit" && !version2) || (name == "segment" && version2), var b = current {
          let tr = targetRange ?? sourceEnd..<sourceEnd
          b.slots = [
            Slot(part: 0, range: tr, span: targetRange == nil ? 0 : 1),
            Slot(part: 0, range: stateSlot, span: stateValue == nil ? 0 : 1),
            Slot(part: 0, range: sourceIndent, span: 0),
          ]
          if version2 { b.slots.append(Slot(part: 0, range: unitInsert..<unitInsert, span: unitHasNotes ? 1 : 0)) }
          if b.plainText.contains(where: { !$0.isWhitespace }) { blocks.append(b) }
          current = nil
        }
      default:
        break
      }
    }
    guard sawFile else {
      throw TMError(.invalidInput, "an XLIFF without a <file> element", file: probe.name)
    }
    var doc = Document(format: id, parts: [Document.Part(path: probe.name, bytes: probe.bytes)], blocks: blocks, name: probe.name)
    doc.sourceLanguage = src
    doc.targetLanguage = trg
    doc.properties["version"] = version2 ? "2" : "1.2"
    return doc
  }

  /// The inline content of a source/target from its tokens.
  func inline(_ sc: XMLScanner, _ tokens: [XMLScanner.Token], version2: Bool) throws -> [Inline] {
    var out: [Inline] = []
    var ids: [String: Int] = [:]
    var stack: [Int] = []
    var nextID = 1
    func codeID(_ s: String?) -> Int {
      let key = s ?? "#\(nextID)"
      if let v = ids[key] { return v }
      let v = Int(key).map { $0 > 0 ? $0 : nextID } ?? nextID
      let chosen = ids.values.contains(v) ? (ids.values.max() ?? 0) + 1 : v
      ids[key] = chosen
      nextID = max(nextID, chosen + 1)
      return chosen
    }
    func kind(_ ctype: String?, _ name: String) -> InlineCode.Kind {
      switch ctype ?? "" {
      case "bold", "x-bold": return .bold
      case "italic", "x-italic": return .italic
      case "underlined", "x-underline": return .underline
      case "link", "x-link": return .link
      case "lb", "x-lb": return .lineBreak
      case "image": return .image
      case let c where c.hasPrefix("x-"):
        // Ours (`ctype(_:)` writes `x-footnote`, `x-field`...).
        return InlineCode.Kind(rawValue: String(c.dropFirst(2))) ?? .format
      default: return .format
      }
    }
    var k = 0
    while k < tokens.count {
      let t = tokens[k]
      let name = sc.string(sc.local(t.name))
      switch t.kind {
      case .text:
        let s = XMLText.decode(sc.bytes, t.range)
        if case .text(let p)? = out.last { out[out.count - 1] = .text(p + s) } else { out.append(.text(s)) }
      case .cdata:
        out.append(.text(String(decoding: sc.bytes[(t.range.lowerBound + 9)..<(t.range.upperBound - 3)], as: UTF8.self)))
      case .start where name == "g" || name == "mrk" || name == "pc":
        let id = codeID(sc.attribute(t, "id") ?? sc.attribute(t, "mid"))
        let ctype = sc.attribute(t, "ctype") ?? sc.attribute(t, "type")
        out.append(.open(InlineCode(id: id, kind: kind(ctype, name), native: sc.string(t.range), nativeClose: "</\(sc.string(t.name))>")))
        stack.append(id)
      case .end where name == "g" || name == "mrk" || name == "pc":
        if let id = stack.popLast() { out.append(.close(id)) }
      case .start:
        // A code element with native content (<ph>, <bpt>, <ept>, <it>, <sub>): the whole element.
        var depth = 1
        var j = k + 1
        while j < tokens.count && depth > 0 {
          if tokens[j].kind == .start { depth += 1 }
          if tokens[j].kind == .end { depth -= 1 }
          j += 1
        }
        let end = j - 1 < tokens.count ? tokens[j - 1].range.upperBound : t.range.upperBound
        let ctype = sc.attribute(t, "ctype")
        out.append(.standalone(InlineCode(id: codeID(sc.attribute(t, "id") ?? sc.attribute(t, "rid")), kind: kind(ctype, name), native: String(decoding: sc.bytes[t.range.lowerBound..<end], as: UTF8.self))))
        k = j
        continue
      case .empty:
        if name == "cp", let hex = sc.attribute(t, "hex"), let v = UInt32(hex, radix: 16), let u = Unicode.Scalar(v) {
          out.append(.text(String(Character(u))))
        } else {
          let ctype = sc.attribute(t, "ctype") ?? sc.attribute(t, "type")
          out.append(.standalone(InlineCode(id: codeID(sc.attribute(t, "id") ?? sc.attribute(t, "rid")), kind: kind(ctype, name), native: sc.string(t.range))))
        }
      default:
        break
      }
      k += 1
    }
    return InlineText.normalized(out)
  }

  /// Inline content as XLIFF markup: text escaped, codes with their native
  /// markup, codes from other formats as 1.2 `<g>`/`<x/>` (2.x `<pc>`/`<ph/>`).
  static func markup(_ content: [Inline], version2: Bool = false, natives: Bool = true) -> String {
    var s = ""
    var closes: [Int: String] = [:]
    for piece in content {
      switch piece {
      case .text(let t): s += XMLText.escape(t)
      case .open(let c):
        if natives, let n = c.native, n.hasPrefix("<") {
          s += n
          closes[c.id] = c.nativeClose ?? (version2 ? "</pc>" : "</g>")
        } else if version2 {
          s += "<pc id=\"\(c.id)\">"
          closes[c.id] = "</pc>"
        } else {
          s += "<g id=\"\(c.id)\" ctype=\"\(ctype(c.kind))\">"
          closes[c.id] = "</g>"
        }
      case .close(let id): s += closes[id] ?? (version2 ? "</pc>" : "</g>")
      case .standalone(let c):
        if natives, let n = c.native, n.hasPrefix("<") {
          s += n
        } else if version2 {
          s += "<ph id=\"\(c.id)\"/>"
        } else {
          s += "<x id=\"\(c.id)\" ctype=\"\(ctype(c.kind))\"/>"
        }
      }
    }
    return s
  }

  /// The XLIFF 1.2 ctype of a code kind (strict schema values or `x-`).
  static func ctype(_ k: InlineCode.Kind) -> String {
    switch k {
    case .bold: return "bold"
    case .italic: return "italic"
    case .underline: return "underlined"
    case .link: return "link"
    case .lineBreak: return "lb"
    case .image: return "image"
    default: return "x-\(k.rawValue)"
    }
  }

  public func write(_ document: Document, translations: [Int: [Inline]], annotations: [Int: TargetAnnotation]) throws -> [UInt8] {
    let v2 = document.properties["version"] == "2"
    var patches: [(Range<Int>, [UInt8])] = []
    var notes2: [Int: (inside: Bool, texts: [String])] = [:]
    let src = document.parts[0].bytes
    for (i, content) in translations {
      guard i < document.blocks.count else { continue }
      let b = document.blocks[i]
      guard b.slots.count >= 3 else { continue }
      let note = annotations[i]
      if content == (b.target ?? []) && note == nil { continue }
      if content == (b.target ?? []) && note?.state == b.targetState { continue }
      let state = note?.state ?? "translated"
      let indent = String(decoding: src[b.slots[2].range], as: UTF8.self)
      let ws = indent.contains("\n") ? indent : ""
      var target = ""
      if v2 {
        // 2.x states: a fuzzy match stays `initial` (to review), with a note.
        let s2 = state == "needs-review-translation" ? "initial" : state == "final" ? "final" : "translated"
        target = "<target>\(Self.markup(content, version2: true))</target>"
        let st = b.slots[1]
        patches.append((st.range, Array((st.span == 1 ? s2 : " state=\"\(s2)\"").utf8)))
        if let score = note?.score, b.slots.count >= 4 {
          let text = "tm: \(Int(score.rounded()))% match\(note?.origin.map { " from \($0)" } ?? "")\(s2 == "initial" ? ", to review" : "")"
          notes2[b.slots[3].range.lowerBound, default: (b.slots[3].span == 1, [])].1.append(text)
        }
      } else {
        target = "<target state=\"\(state)\">\(Self.markup(content))</target>"
        if let score = note?.score {
          let q = Int(score.rounded())
          target += "\(ws)<alt-trans match-quality=\"\(q)\"\(note?.origin.map { " origin=\"\(XMLText.escapeAttribute($0))\"" } ?? "")>"
          target += "<target>\(Self.markup(content))</target></alt-trans>"
        }
      }
      let slot = b.slots[0]
      if slot.span == 1 {
        patches.append((slot.range, Array(target.utf8)))
      } else {
        patches.append((slot.range, Array((ws + target).utf8)))
      }
    }
    for (at, n) in notes2 {
      let notes = n.texts.map { "<note category=\"tm\">\(XMLText.escape($0))</note>" }.joined()
      patches.append((at..<at, Array((n.inside ? notes : "<notes>\(notes)</notes>").utf8)))
    }
    return BytePatches.apply(patches, to: src)  // insertions at one offset keep their order
  }
}

import Foundation
