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
    try ByteLines.requireUTF8(probe.bytes, name: probe.name)  // valid UTF-8, else line and offset
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
          let cut = MarkdownLine.closingHashes(text)
          if cut > 0 { text = String(decoding: Array(text.utf8).dropLast(cut), as: UTF8.self) }
        }
        content.append(contentsOf: MarkdownInline.parse(text, nextID: &nextID))
      }
      var end = lines[last.0].range.upperBound
      if paraKind == .heading, kindOverride == nil {
        end -= MarkdownLine.closingHashes(String(decoding: bytes[first.1..<end], as: UTF8.self))
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
      if MarkdownLine.isThematicBreak(trimmed) {
        flush()
        i += 1
        continue
      }
      if para.isEmpty && MarkdownLine.isLinkReference(trimmed) {
        i += 1
        continue
      }
      let base = line.range.lowerBound
      func offset(_ chars: Int) -> Int { base + String(t.prefix(chars)).utf8.count }
      // ATX heading
      if let m = MarkdownLine.atxHeadingPrefix(t) {
        flush()
        paraKind = .heading
        para = [(i, offset(m))]
        flush()
        paraKind = .paragraph
        i += 1
        continue
      }
      // Table row
      if trimmed.hasPrefix("|") && trimmed.count > 1 {
        flush()
        if !trimmed.dropFirst().allSatisfy({ $0 == " " || $0 == ":" || $0 == "|" || $0 == "-" }) {
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
      if let m = MarkdownLine.quotePrefix(t) { prefixEnd = m }
      if let m = MarkdownLine.listItemPrefix(t.dropFirst(prefixEnd)) {
        flush()
        prefixEnd += m
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

/// The block-level line tests, by hand rather than as regular expressions:
/// Foundation compiles a pattern on every `range(of:options:.regularExpression)`,
/// which made a 30,000-line paragraph take 28 s under the fuzzer (found by
/// scripts/fuzz.sh). Prefix lengths are in Characters, as `offset` takes them.
enum MarkdownLine {
  /// `^([-*_])( *\1){2,} *$`: three or more of one of `-*_`, spaces between.
  static func isThematicBreak(_ s: String) -> Bool {
    guard let f = s.first, f == "-" || f == "*" || f == "_" else { return false }
    var n = 0
    for ch in s {
      if ch == f { n += 1 } else if ch != " " { return false }
    }
    return n >= 3
  }

  /// `^\[[^\]]+\]:\s`: a link reference definition.
  static func isLinkReference(_ s: String) -> Bool {
    let u = Array(s.unicodeScalars)
    guard u.count > 1, u[0] == "[", u[1] != "]", let close = u[1...].firstIndex(of: "]") else { return false }
    return close + 2 < u.count && u[close + 1] == ":" && isSpace(u[close + 2])
  }

  /// `^ {0,3}#{1,6}( +|$)`: the length of an ATX heading's opening.
  static func atxHeadingPrefix(_ t: String) -> Int? {
    var s = t[...]
    var n = 0
    while n < 3 && s.first == " " {
      s = s.dropFirst()
      n += 1
    }
    let hashes = s.prefix(while: { $0 == "#" }).count
    guard (1...6).contains(hashes) else { return nil }
    s = s.dropFirst(hashes)
    return spacesOrEnd(s).map { n + hashes + $0 }
  }

  /// `^ {0,3}(> ?)+`: the length of a block quote's markers.
  static func quotePrefix(_ t: String) -> Int? {
    var s = t[...]
    var n = 0
    while n < 3 && s.first == " " {
      s = s.dropFirst()
      n += 1
    }
    guard s.first == ">" else { return nil }
    while s.first == ">" {
      s = s.dropFirst()
      n += 1
      if s.first == " " {
        s = s.dropFirst()
        n += 1
      }
    }
    return n
  }

  /// `^ {0,3}([-*+]|[0-9]{1,9}[.)])( +|$)`: the length of a list item's marker.
  static func listItemPrefix(_ rest: Substring) -> Int? {
    var s = rest
    var n = 0
    while n < 3 && s.first == " " {
      s = s.dropFirst()
      n += 1
    }
    guard let f = s.first else { return nil }
    if f == "-" || f == "*" || f == "+" {
      s = s.dropFirst()
      n += 1
    } else {
      let digits = s.prefix(while: { $0.isASCII && $0.isNumber }).count
      guard (1...9).contains(digits) else { return nil }
      s = s.dropFirst(digits)
      guard s.first == "." || s.first == ")" else { return nil }
      s = s.dropFirst()
      n += digits + 1
    }
    return spacesOrEnd(s).map { n + $0 }
  }

  /// `( +|$)`: the number of spaces, 0 at the end (or before a last `\r`), else nil.
  private static func spacesOrEnd(_ s: Substring) -> Int? {
    if s.isEmpty || s == "\r" { return 0 }
    let spaces = s.prefix(while: { $0 == " " }).count
    return spaces > 0 ? spaces : nil
  }

  /// The UTF-8 length of an ATX heading's closing sequence (`\s+#+\s*$`), or 0.
  static func closingHashes(_ s: String) -> Int {
    let u = Array(s.unicodeScalars)
    var i = u.count
    while i > 0 && isSpace(u[i - 1]) { i -= 1 }
    let hashEnd = i
    while i > 0 && u[i - 1] == "#" { i -= 1 }
    guard i < hashEnd, i > 0, isSpace(u[i - 1]) else { return 0 }
    while i > 0 && isSpace(u[i - 1]) { i -= 1 }
    return u[i...].reduce(0) { $0 + UTF8.width($1) }
  }

  /// ICU's `\s`: `[\t\n\f\r\p{Z}]`.
  static func isSpace(_ u: Unicode.Scalar) -> Bool {
    switch u.properties.generalCategory {
    case .spaceSeparator, .lineSeparator, .paragraphSeparator: return true
    default: return u == "\t" || u == "\n" || u == "\u{0C}" || u == "\r"
    }
  }
}

/// Markdown inline markup as codes.
enum MarkdownInline {
  /// Every scan forward from one position (the bracket or parenthesis that
  /// closes this one, the next `>`, a closing run of backticks) is made at
  /// most once per text, so a line of 60,000 unmatched `[` is linear, not
  /// quadratic (it hung the fuzzer). Link text nests at most `maxDepth`
  /// links deep; deeper, it is plain text (the recursion stays shallow).
  static func parse(_ s: String, nextID: inout Int, depth: Int = 0) -> [Inline] {
    let c = Array(s.unicodeScalars)
    var scans = Scans(c)
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
        if let f = scans.closingTicks(n, after: i + n) {
          flush()
          out.append(.standalone(InlineCode(id: nextID, kind: .code, text: str(i + n, f), native: str(i, f + n))))
          nextID += 1
          i = f + n
          continue
        }
      }
      if ch == "!" && i + 1 < c.count && c[i + 1] == "[", let end = scans.linkEnd(i + 1) {
        flush()
        out.append(.standalone(InlineCode(id: nextID, kind: .image, native: str(i, end))))
        nextID += 1
        i = end
        continue
      }
      if ch == "[", let close = scans.matching(i), close + 1 < c.count, c[close + 1] == "(", let end = scans.parenEnd(close + 1) {
        flush()
        let id = nextID
        nextID += 1
        out.append(.open(InlineCode(id: id, kind: .link, native: "[", nativeClose: str(close, end))))
        if depth < maxDepth {
          out.append(contentsOf: parse(str(i + 1, close), nextID: &nextID, depth: depth + 1))
        } else if close > i + 1 {
          out.append(.text(str(i + 1, close)))
        }
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
      if ch == "<", let end = scans.nextGreater(i), end > i + 1, c[i + 1].properties.isAlphabetic || c[i + 1] == "/" {
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

  static let maxDepth = 16

  /// The forward scans of one text, each answered from one pass over it.
  struct Scans {
    let c: [Unicode.Scalar]
    /// For each `[` the scan from the start counts: its `]`, or -1.
    private var brackets: [Int: Int]?
    /// For each `(`: its `)`, or -1 (the scan has no escapes).
    private var parens: [Int: Int]?
    private var greater: (from: Int, at: Int?)?
    /// Backtick run lengths with no closing run after where they were asked.
    private var unclosedTicks: Set<Int> = []

    init(_ c: [Unicode.Scalar]) { self.c = c }

    /// `MarkdownInline.matching(c, i)`: from the pass when `i` is a `[` it
    /// counted (so the pass and a scan from `i` see the same escapes).
    mutating func matching(_ i: Int) -> Int? {
      if brackets == nil {
        var map: [Int: Int] = [:]
        var stack: [Int] = []
        var j = 0
        while j < c.count {
          if c[j] == "\\" {
            j += 2
            continue
          }
          if c[j] == "[" {
            stack.append(j)
            map[j] = -1
          } else if c[j] == "]", let o = stack.popLast() {
            map[o] = j
          }
          j += 1
        }
        brackets = map
      }
      guard let m = brackets?[i] else { return MarkdownInline.matching(c, i) }
      return m < 0 ? nil : m
    }

    /// `MarkdownInline.parenEnd(c, i)`.
    mutating func parenEnd(_ i: Int) -> Int? {
      if parens == nil {
        var map: [Int: Int] = [:]
        var stack: [Int] = []
        for (j, ch) in c.enumerated() {
          if ch == "(" {
            stack.append(j)
            map[j] = -1
          } else if ch == ")", let o = stack.popLast() {
            map[o] = j
          }
        }
        parens = map
      }
      guard let m = parens?[i] else { return nil }
      return m < 0 ? nil : m + 1
    }

    mutating func linkEnd(_ i: Int) -> Int? {
      guard let close = matching(i), close + 1 < c.count, c[close + 1] == "(" else { return nil }
      return parenEnd(close + 1)
    }

    /// The first `>` at or after `i`.
    mutating func nextGreater(_ i: Int) -> Int? {
      if let g = greater, g.from <= i, g.at.map({ $0 >= i }) ?? true { return g.at }
      let at = c[i...].firstIndex(of: ">")
      greater = (i, at)
      return at
    }

    /// The first place at or after `from` where `n` backticks end a run
    /// (not followed by another), as the code span scan always had it; a
    /// length once found unclosed stays unclosed further on.
    mutating func closingTicks(_ n: Int, after from: Int) -> Int? {
      if unclosedTicks.contains(n) { return nil }
      var j = from
      while j + n <= c.count {
        var k = 0
        while k < n && c[j + k] == "`" { k += 1 }
        if k == n && (j + n == c.count || c[j + n] != "`") { return j }
        j += 1
      }
      unclosedTicks.insert(n)
      return nil
    }
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
