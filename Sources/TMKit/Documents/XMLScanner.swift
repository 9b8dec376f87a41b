/// A byte-level XML tokenizer that keeps offsets.
///
/// The document readers need to know *where* every piece of text is, so
/// that writing back changes those bytes and nothing else; an event parser
/// that re-serialises (Foundation's XMLParser) cannot give that. This one
/// reads UTF-8 XML as tags, text, comments, CDATA, processing instructions
/// and the DOCTYPE, checks that tags nest, and reports malformed input with
/// the line and byte offset. It does not expand external entities (there
/// are none in OOXML, ODF or XLIFF) and decodes only the five predefined
/// entities and character references.
struct XMLScanner {
  enum Kind: Equatable { case start, end, empty, text, comment, cdata, pi, doctype }

  struct Token {
    var kind: Kind
    /// The whole token, `<` to `>` or the text run.
    var range: Range<Int>
    /// The qualified name (start, end, empty tags).
    var name: Range<Int> = 0..<0
    /// Between the name and `>` / `/>`: the attributes (start, empty tags).
    var attributes: Range<Int> = 0..<0
  }

  let bytes: [UInt8]
  let part: String
  private(set) var pos = 0
  private var stack: [Range<Int>] = []

  init(_ bytes: [UInt8], part: String) {
    self.bytes = bytes
    self.part = part
    // UTF-8 BOM
    if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { pos = 3 }
  }

  var depth: Int { stack.count }

  func error(_ message: String, at offset: Int) -> TMError {
    var line = 1
    var i = 0
    let end = min(offset, bytes.count)
    while i < end {
      if bytes[i] == 0x0A { line += 1 }
      i += 1
    }
    return TMError(.invalidInput, "malformed XML: \(message)", file: part, line: line, byteOffset: offset)
  }

  mutating func next() throws -> Token? {
    let n = bytes.count
    guard pos < n else {
      if let open = stack.last {
        throw error("element <\(string(open))> is not closed", at: n)
      }
      return nil
    }
    let start = pos
    if bytes[pos] != 0x3C {  // text up to the next '<'
      var i = pos
      while i < n && bytes[i] != 0x3C { i += 1 }
      pos = i
      return Token(kind: .text, range: start..<i)
    }
    guard pos + 1 < n else { throw error("'<' at the end of the input", at: pos) }
    let c = bytes[pos + 1]
    if c == 0x21 {  // <!
      if matches("<!--", at: pos) {
        guard let e = find("-->", from: pos + 4) else { throw error("comment is not closed", at: start) }
        pos = e + 3
        return Token(kind: .comment, range: start..<pos)
      }
      if matches("<![CDATA[", at: pos) {
        guard let e = find("]]>", from: pos + 9) else { throw error("CDATA section is not closed", at: start) }
        pos = e + 3
        return Token(kind: .cdata, range: start..<pos)
      }
      // DOCTYPE, possibly with an internal subset in [ ].
      var i = pos + 2
      var bracket = 0
      while i < n {
        if bytes[i] == 0x5B { bracket += 1 } else if bytes[i] == 0x5D { bracket -= 1 } else if bytes[i] == 0x3E && bracket <= 0 { break }
        i += 1
      }
      guard i < n else { throw error("declaration is not closed", at: start) }
      pos = i + 1
      return Token(kind: .doctype, range: start..<pos)
    }
    if c == 0x3F {  // <?
      guard let e = find("?>", from: pos + 2) else { throw error("processing instruction is not closed", at: start) }
      pos = e + 2
      return Token(kind: .pi, range: start..<pos)
    }
    if c == 0x2F {  // </name>
      var i = pos + 2
      let ns = i
      while i < n && !isSpace(bytes[i]) && bytes[i] != 0x3E { i += 1 }
      let name = ns..<i
      while i < n && isSpace(bytes[i]) { i += 1 }
      guard i < n && bytes[i] == 0x3E else { throw error("end tag is not closed", at: start) }
      pos = i + 1
      guard let open = stack.popLast() else { throw error("end tag </\(string(name))> without a start tag", at: start) }
      if !same(open, name) {
        throw error("</\(string(name))> closes <\(string(open))>", at: start)
      }
      return Token(kind: .end, range: start..<pos, name: name)
    }
    // <name attrs> or <name attrs/>
    var i = pos + 1
    let ns = i
    while i < n && !isSpace(bytes[i]) && bytes[i] != 0x3E && bytes[i] != 0x2F { i += 1 }
    if i == ns { throw error("'<' not followed by a name", at: start) }
    let name = ns..<i
    let attrStart = i
    var quote: UInt8 = 0
    while i < n {
      let b = bytes[i]
      if quote != 0 {
        if b == quote { quote = 0 }
      } else if b == 0x22 || b == 0x27 {
        quote = b
      } else if b == 0x3E {
        break
      } else if b == 0x3C {
        throw error("'<' inside the tag <\(string(name))>", at: i)
      }
      i += 1
    }
    guard i < n else { throw error("tag <\(string(name))> is not closed", at: start) }
    let empty = bytes[i - 1] == 0x2F
    pos = i + 1
    let attrs = attrStart..<(empty ? i - 1 : i)
    if empty { return Token(kind: .empty, range: start..<pos, name: name, attributes: attrs) }
    stack.append(name)
    return Token(kind: .start, range: start..<pos, name: name, attributes: attrs)
  }

  /// The attributes of a tag: (qualified name, raw value range without quotes).
  func attributes(_ t: Token) -> [(name: Range<Int>, value: Range<Int>)] {
    var out: [(Range<Int>, Range<Int>)] = []
    var i = t.attributes.lowerBound
    let end = t.attributes.upperBound
    while i < end {
      while i < end && isSpace(bytes[i]) { i += 1 }
      let ns = i
      while i < end && bytes[i] != 0x3D && !isSpace(bytes[i]) { i += 1 }
      let name = ns..<i
      while i < end && isSpace(bytes[i]) { i += 1 }
      guard i < end, bytes[i] == 0x3D else { break }
      i += 1
      while i < end && isSpace(bytes[i]) { i += 1 }
      guard i < end else { break }
      let q = bytes[i]
      guard q == 0x22 || q == 0x27 else { break }
      i += 1
      let vs = i
      while i < end && bytes[i] != q { i += 1 }
      out.append((name, vs..<i))
      i += 1
    }
    return out
  }

  /// The decoded value of attribute `name` (qualified, e.g. `w:val`).
  func attribute(_ t: Token, _ name: String) -> String? {
    let key = Array(name.utf8)
    for a in attributes(t) where equal(a.name, key) {
      return XMLText.decode(bytes, a.value)
    }
    return nil
  }

  func attributeRange(_ t: Token, _ name: String) -> Range<Int>? {
    let key = Array(name.utf8)
    for a in attributes(t) where equal(a.name, key) { return a.value }
    return nil
  }

  // MARK: helpers

  func string(_ r: Range<Int>) -> String { String(decoding: bytes[r], as: UTF8.self) }

  func equal(_ r: Range<Int>, _ key: [UInt8]) -> Bool {
    guard r.count == key.count else { return false }
    var j = 0
    for i in r {
      if bytes[i] != key[j] { return false }
      j += 1
    }
    return true
  }

  /// The local part of a qualified name range (after the colon).
  func local(_ r: Range<Int>) -> Range<Int> {
    var i = r.lowerBound
    while i < r.upperBound {
      if bytes[i] == 0x3A { return (i + 1)..<r.upperBound }
      i += 1
    }
    return r
  }

  private func same(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
    guard a.count == b.count else { return false }
    var i = a.lowerBound
    var j = b.lowerBound
    while i < a.upperBound {
      if bytes[i] != bytes[j] { return false }
      i += 1
      j += 1
    }
    return true
  }

  private func matches(_ s: StaticString, at i: Int) -> Bool {
    let n = s.utf8CodeUnitCount
    guard i + n <= bytes.count else { return false }
    let p = s.utf8Start
    for k in 0..<n where bytes[i + k] != p[k] { return false }
    return true
  }

  private func find(_ s: StaticString, from: Int) -> Int? {
    let p = s.utf8Start
    let n = s.utf8CodeUnitCount
    var i = from
    while i + n <= bytes.count {
      if bytes[i] == p[0] {
        var k = 1
        while k < n && bytes[i + k] == p[k] { k += 1 }
        if k == n { return i }
      }
      i += 1
    }
    return nil
  }

  @inline(__always) private func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }
}

/// Escaping and unescaping of XML character data.
enum XMLText {
  /// Decodes entity and character references of a raw text or attribute range.
  static func decode(_ bytes: [UInt8], _ r: Range<Int>) -> String {
    var hasAmp = false
    for i in r where bytes[i] == 0x26 {
      hasAmp = true
      break
    }
    if !hasAmp { return String(decoding: bytes[r], as: UTF8.self) }
    var out: [UInt8] = []
    out.reserveCapacity(r.count)
    var i = r.lowerBound
    while i < r.upperBound {
      let b = bytes[i]
      if b == 0x26 {
        var j = i + 1
        while j < r.upperBound && j - i < 12 && bytes[j] != 0x3B { j += 1 }
        if j < r.upperBound && bytes[j] == 0x3B {
          let name = String(decoding: bytes[(i + 1)..<j], as: UTF8.self)
          if let s = entity(name) {
            out.append(contentsOf: s.utf8)
            i = j + 1
            continue
          }
        }
      }
      out.append(b)
      i += 1
    }
    return String(decoding: out, as: UTF8.self)
  }

  static func entity(_ name: String) -> String? {
    switch name {
    case "lt": return "<"
    case "gt": return ">"
    case "amp": return "&"
    case "quot": return "\""
    case "apos": return "'"
    default:
      guard name.hasPrefix("#") else { return nil }
      let digits = name.dropFirst()
      let value: UInt32?
      if digits.hasPrefix("x") || digits.hasPrefix("X") { value = UInt32(digits.dropFirst(), radix: 16) } else { value = UInt32(digits) }
      guard let v = value, let u = Unicode.Scalar(v) else { return nil }
      return String(Character(u))
    }
  }

  /// Escapes text for character data (`&`, `<`, `>`).
  static func escape(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.utf8.count + 8)
    for c in s.unicodeScalars {
      switch c {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      default: out.unicodeScalars.append(c)
      }
    }
    return out
  }

  /// Escapes text for an attribute value in double quotes.
  static func escapeAttribute(_ s: String) -> String {
    var out = ""
    for c in s.unicodeScalars {
      switch c {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "\n": out += "&#10;"
      case "\t": out += "&#9;"
      default: out.unicodeScalars.append(c)
      }
    }
    return out
  }
}
