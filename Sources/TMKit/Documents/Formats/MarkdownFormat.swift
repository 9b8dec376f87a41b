/// Markdown (CommonMark blocks): headings (ATX `#` and setext), paragraphs,
/// list items, block quotes, table cells.
///
/// Fenced and indented code blocks, HTML blocks, front matter, thematic
/// breaks and link reference definitions are not text and are left alone.
/// Inline: code spans and images are standalone codes (untouched), `**`/`__`
/// and `*`/`_` emphasis and `[text](url)` links paired codes that keep their
/// markup; a soft line break (with the next line's `> ` or indentation) is a
/// standalone code, so a paragraph over several lines is one block.
public struct MarkdownFormat: DocumentFormat {
  public init() {}
  public var id: String { "markdown" }
  public var xliffDatatype: String { "x-markdown" }
  public var extensions: [String] { ["md", "markdown", "mdown"] }

  public func detect(_ probe: DocumentProbe) -> Int {
    guard probe.zipEntries == nil else { return 0 }
    return extensions.contains(probe.fileExtension) ? 30 : 0
  }

  private struct Line {
    var range: Range<Int>
    var text: String
  }

  public func read(_ probe: DocumentProbe) throws -> Document {
    _ = try TextDecoder.decode(probe.bytes, source: probe.name)
    let bytes = probe.bytes
    var lines: [Line] = []
    var s = 0
    func add(_ e: Int) {
      var end = e
      if end > s && bytes[end - 1] == 0x0D { end -= 1 }
      lines.append(Line(range: s..<end, text: String(decoding: bytes[s..<end], as: UTF8.self)))
    }
    for (i, b) in bytes.enumerated() where b == 0x0A {
      add(i)
      s = i + 1
    }
    if s < bytes.count { add(bytes.count) }

    var blocks: [Block] = []
    var i = 0
    var fence: String?
    // Paragraph being collected: (kind, [(line index, content start offset in bytes)])
    var para: [(Int, Int)] = []
    var paraKind: BlockKind = .paragraph

    func flush(_ kindOverride: BlockKind? = nil) {
      defer { para.removeAll() }
      guard let first = para.first, let last = para.last else { return }
      var content: [Inline] = []
      var nextID = 1
      for (k, (li, start)) in para.enumerated() {
        if k > 0 {
          // The soft break: line ending plus this line's prefix.
          let prev = lines[para[k - 1].0].range.upperBound
          let raw = String(decoding: bytes[prev..<start], as: UTF8.self)
          content.append(.standalone(InlineCode(id: nextID, kind: .space, text: " ", native: raw)))
          nextID += 1
        }
        var text = String(decoding: bytes[start..<lines[li].range.upperBound], as: UTF8.self)
        if k == para.count - 1, kindOverride == nil, paraKind == .heading {
          // ATX closing hashes stay out of the text.
          let trimmed = text.replacingOccurrences(of: "\\s+#+\\s*$", with: "", options: .regularExpression)
          text = trimmed
        }
        content.append(contentsOf: MarkdownInline.parse(text, nextID: &nextID))
      }
      var end = lines[last.0].range.upperBound
      if paraKind == .heading, kindOverride == nil {
        let full = String(decoding: bytes[first.1..<end], as: UTF8.self)
        if let r = full.range(of: "\\s+#+\\s*$", options: .regularExpression) {
          end -= full[r].utf8.count
        }
      }
      var b = Block(kind: kindOverride ?? paraKind, content: InlineText.normalized(content))
      b.slots = [Slot(part: 0, range: first.1..<end, span: 0, wrap: .render)]
      if b.plainText.contains(where: { !$0.isWhitespace }) { blocks.append(b) }
    }

    func indent(_ t: String) -> Int { t.prefix(while: { $0 == " " }).count }

    while i < lines.count {
      let line = lines[i]
      let t = line.text
      let trimmed = t.trimmingCharacters(in: .whitespaces)
      if let f = fence {
        if trimmed.hasPrefix(f) { fence = nil }
        i += 1
        continue
      }
      if i == 0 && trimmed == "---" {
        // Front matter up to the next ---.
        var j = 1
        while j < lines.count && lines[j].text.trimmingCharacters(in: .whitespaces) != "---" { j += 1 }
        if j < lines.count {
          i = j + 1
          continue
        }
      }
      if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
        flush()
        fence = String(trimmed.prefix(3))
        i += 1
        continue
      }
      if trimmed.isEmpty {
        flush()
        i += 1
        continue
      }
      if para.isEmpty && indent(t) >= 4 {  // indented code
        i += 1
        continue
      }
      // Setext underline
      if !para.isEmpty, paraKind == .paragraph, trimmed.allSatisfy({ $0 == "=" }) || (trimmed.allSatisfy({ $0 == "-" }) && trimmed.count >= 2) {
        flush(.heading)
        i += 1
        continue
      }
      if para.isEmpty && (trimmed.hasPrefix("<") && !trimmed.hasPrefix("<http")) {  // HTML block
        while i < lines.count && !lines[i].text.trimmingCharacters(in: .whitespaces).isEmpty { i += 1 }
        continue
      }
      if trimmed.range(of: "^([-*_])( *\\1){2,} *$", options: .regularExpression) != nil {
        flush()
        i += 1
        continue
      }
      if trimmed.range(of: "^\\[[^\\]]+\\]:\\s", options: .regularExpression) != nil && para.isEmpty {
        i += 1
        continue
      }
      let base = line.range.lowerBound
      func offset(_ chars: Int) -> Int { base + String(t.prefix(chars)).utf8.count }
      // ATX heading
      if let m = t.range(of: "^ {0,3}#{1,6}( +|$)", options: .regularExpression) {
        flush()
        paraKind = .heading
        para = [(i, offset(t.distance(from: t.startIndex, to: m.upperBound)))]
        flush()
        paraKind = .paragraph
        i += 1
        continue
      }
      // Table row
      if trimmed.hasPrefix("|") && trimmed.count > 1 {
        flush()
        if trimmed.range(of: "^\\|[ :|-]+\\|?$", options: .regularExpression) == nil {
          var cellStart: Int?
          var k = 0
          let u = Array(t.utf8)
          while k < u.count {
            if u[k] == 0x7C && (k == 0 || u[k - 1] != 0x5C) {
              if let cs = cellStart { addCell(cs, k) }
              cellStart = k + 1
            }
            k += 1
          }
          func addCell(_ a: Int, _ b: Int) {
            var a = a
            var b = b
            while a < b && u[a] == 0x20 { a += 1 }
            while b > a && u[b - 1] == 0x20 { b -= 1 }
            guard b > a else { return }
            var id = 1
            let text = String(decoding: u[a..<b], as: UTF8.self)
            var blk = Block(kind: .tableCell, content: MarkdownInline.parse(text, nextID: &id))
            blk.slots = [Slot(part: 0, range: (base + a)..<(base + b), span: 0, wrap: .render)]
            if blk.plainText.contains(where: { !$0.isWhitespace }) { blocks.append(blk) }
          }
        }
        i += 1
        continue
      }
      // Block quote / list item prefixes
      var prefixEnd = 0
      var isItem = false
      if let m = t.range(of: "^ {0,3}(> ?)+", options: .regularExpression) {
        prefixEnd = t.distance(from: t.startIndex, to: m.upperBound)
      }
      let rest = String(t.dropFirst(prefixEnd))
      if let m = rest.range(of: "^ {0,3}([-*+]|[0-9]{1,9}[.)])( +|$)", options: .regularExpression) {
        flush()
        prefixEnd += rest.distance(from: rest.startIndex, to: m.upperBound)
        isItem = true
      }
      if isItem {
        paraKind = .listItem
      } else if para.isEmpty {
        paraKind = .paragraph
      }
      if !isItem && !para.isEmpty && prefixEnd == 0 {
        prefixEnd = indent(t)
      }
      para.append((i, offset(prefixEnd)))
      i += 1
    }
    flush()
    return Document(format: id, parts: [Document.Part(path: probe.name, bytes: bytes)], blocks: blocks, name: probe.name)
  }

  public func write(_ document: Document, translations: [Int: [Inline]], annotations: [Int: TargetAnnotation]) throws -> [UInt8] {
    SlotWriter.apply(document, translations: translations) { text, _ in Array(text.utf8) }[0]
  }
}

/// Markdown inline markup as codes.
enum MarkdownInline {
  static func parse(_ s: String, nextID: inout Int) -> [Inline] {
    let c = Array(s.unicodeScalars)
    var out: [Inline] = []
    var text = ""
    var open: [(marker: String, index: Int, id: Int)] = []
    func flush() {
      if !text.isEmpty { out.append(.text(text)) }
      text = ""
    }
    func str(_ a: Int, _ b: Int) -> String {
      var r = ""
      r.unicodeScalars.append(contentsOf: c[a..<b])
      return r
    }
    var i = 0
    while i < c.count {
      let ch = c[i]
      if ch == "\\" && i + 1 < c.count {
        text += str(i, i + 2)
        i += 2
        continue
      }
      if ch == "`" {
        var n = 0
        while i + n < c.count && c[i + n] == "`" { n += 1 }
        let ticks = String(repeating: "`", count: n)
        var j = i + n
        var found: Int?
        while j + n <= c.count {
          if str(j, j + n) == ticks && (j + n == c.count || c[j + n] != "`") {
            found = j
            break
          }
          j += 1
        }
        if let f = found {
          flush()
          out.append(.standalone(InlineCode(id: nextID, kind: .code, text: str(i + n, f), native: str(i, f + n))))
          nextID += 1
          i = f + n
          continue
        }
      }
      if ch == "!" && i + 1 < c.count && c[i + 1] == "[", let end = linkEnd(c, i + 1) {
        flush()
        out.append(.standalone(InlineCode(id: nextID, kind: .image, native: str(i, end))))
        nextID += 1
        i = end
        continue
      }
      if ch == "[", let close = matching(c, i), close + 1 < c.count, c[close + 1] == "(", let end = parenEnd(c, close + 1) {
        flush()
        let id = nextID
        nextID += 1
        out.append(.open(InlineCode(id: id, kind: .link, native: "[", nativeClose: str(close, end))))
        var inner = parse(str(i + 1, close), nextID: &nextID)
        out.append(contentsOf: inner)
        inner.removeAll()
        out.append(.close(id))
        i = end
        continue
      }
      if ch == "*" || ch == "_" {
        var n = 0
        while i + n < c.count && c[i + n] == ch && n < 3 { n += 1 }
        let marker = String(repeating: String(ch), count: n)
        let before = i > 0 ? c[i - 1] : " "
        let after = i + n < c.count ? c[i + n] : " "
        let canClose = !before.properties.isWhitespace
        let canOpen = !after.properties.isWhitespace && !(ch == "_" && before.properties.isAlphabetic)
        if canClose, let k = open.lastIndex(where: { $0.marker == marker }) {
          flush()
          // Anything opened after it and not closed becomes text.
          for o in open[(k + 1)...].reversed() {
            if case .open(let code) = out[o.index] { out[o.index] = .text(code.native ?? "") }
          }
          if case .open(var code) = out[open[k].index] {
            code.nativeClose = marker
            out[open[k].index] = .open(code)
          }
          out.append(.close(open[k].id))
          open.removeSubrange(k...)
          i += n
          continue
        }
        if canOpen && (ch == "*" || !before.properties.isAlphabetic) {
          flush()
          let kind: InlineCode.Kind = n >= 2 ? .bold : .italic
          out.append(.open(InlineCode(id: nextID, kind: kind, native: marker, nativeClose: marker)))
          open.append((marker, out.count - 1, nextID))
          nextID += 1
          i += n
          continue
        }
        text += marker
        i += n
        continue
      }
      if ch == "<", let end = c[i...].firstIndex(of: ">"), end > i + 1, c[i + 1].properties.isAlphabetic || c[i + 1] == "/" {
        flush()
        out.append(.standalone(InlineCode(id: nextID, kind: .other, native: str(i, end + 1))))
        nextID += 1
        i = end + 1
        continue
      }
      text.unicodeScalars.append(ch)
      i += 1
    }
    flush()
    for o in open.reversed() {
      if case .open(let code) = out[o.index] { out[o.index] = .text(code.native ?? "") }
    }
    return InlineText.normalized(out)
  }

  /// `[`…`]` matching bracket index.
  static func matching(_ c: [Unicode.Scalar], _ i: Int) -> Int? {
    var depth = 0
    var j = i
    while j < c.count {
      if c[j] == "\\" {
        j += 2
        continue
      }
      if c[j] == "[" { depth += 1 }
      if c[j] == "]" {
        depth -= 1
        if depth == 0 { return j }
      }
      j += 1
    }
    return nil
  }

  static func parenEnd(_ c: [Unicode.Scalar], _ i: Int) -> Int? {
    var depth = 0
    var j = i
    while j < c.count {
      if c[j] == "(" { depth += 1 }
      if c[j] == ")" {
        depth -= 1
        if depth == 0 { return j + 1 }
      }
      j += 1
    }
    return nil
  }

  static func linkEnd(_ c: [Unicode.Scalar], _ i: Int) -> Int? {
    guard let close = matching(c, i), close + 1 < c.count, c[close + 1] == "(" else { return nil }
    return parenEnd(c, close + 1)
  }
}

import Foundation
