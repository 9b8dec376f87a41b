/// Inline codes in memory text, and moving a query's codes into a match's
/// translation (as `NumberSubstitution` does for numbers).
///
/// A memory unit keeps the inline codes of its segments (a bold word, a
/// link, a footnote reference) as OmegaT-style tags in the text: `<b1>`
/// opens code 1, `</b1>` closes it, `<fn2/>` is a standalone code. The
/// letters say what the code is (`b` bold, `i` italic, `u` underline, `a`
/// link, `fn` footnote, `br` line break, `t` tab, `img` image, `f` field,
/// `c` code, `s` space, `g`/`x` anything else); the number is the code's
/// identity within the unit: the same number in two languages is the same
/// code. See Documentation/MemoryFormat.md ("Inline codes").
///
/// For lookup a tag is a placeholder token: it is left out of the match key
/// (so a text with codes and the same text without share their index
/// tokens and word skeleton), it counts as one token in the fuzzy score,
/// and a match that differs from the query only in its codes is near-exact
/// (difference `codes`, one point below 100). The translation then gets the
/// query's codes: the stored source's codes are paired with the query's by
/// kind and order, renamed in the translation, and codes the translation
/// lacks are placed the way `PlaceholderTransfer` places a document's codes.

/// One tag in a text.
public struct InlineTag: Sendable, Hashable {
  public enum Role: Sendable, Hashable { case open, close, standalone }
  public var role: Role
  /// The letters (`b`, `fn`).
  public var letters: String
  public var number: Int
  /// Where it is in the text (UTF-8 offsets).
  public var utf8Range: Range<Int>
  /// `b1`: the code's name, shared by its open and close tag.
  public var name: String { letters + String(number) }

  /// The tag as written.
  public var text: String {
    switch role {
    case .open: return "<\(name)>"
    case .close: return "</\(name)>"
    case .standalone: return "<\(name)/>"
    }
  }
}

public enum InlineTags {
  /// Every tag of the grammar `<name>`, `</name>`, `<name/>` with name =
  /// 1–4 ASCII lower-case letters and 1–4 digits.
  public static func scan(_ text: String) -> [InlineTag] {
    guard mayContain(text) else { return [] }
    return scan(bytes: Array(text.utf8))
  }

  /// False when the text certainly holds no tag (no `<`): the fast path.
  @inline(__always)
  public static func mayContain(_ text: String) -> Bool {
    text.utf8.withContiguousStorageIfAvailable { $0.contains(0x3C) } ?? text.utf8.contains(0x3C)
  }

  static func scan(bytes b: [UInt8]) -> [InlineTag] {
    var out: [InlineTag] = []
    let n = b.count
    var i = 0
    while i < n {
      guard b[i] == 0x3C else {
        i += 1
        continue
      }
      if let t = tag(b, at: i) {
        out.append(t)
        i = t.utf8Range.upperBound
      } else {
        i += 1
      }
    }
    return out
  }

  /// The tag starting at `i` (a `<`), if the bytes there are one.
  static func tag(_ b: [UInt8], at i: Int) -> InlineTag? {
    let n = b.count
    var k = i + 1
    var role = InlineTag.Role.open
    if k < n, b[k] == 0x2F {
      role = .close
      k += 1
    }
    let ls = k
    while k < n, k - ls < 4, b[k] >= 0x61, b[k] <= 0x7A { k += 1 }
    guard k > ls else { return nil }
    let ds = k
    var number = 0
    while k < n, k - ds < 4, b[k] >= 0x30, b[k] <= 0x39 {
      number = number * 10 + Int(b[k] - 0x30)
      k += 1
    }
    guard k > ds, k < n else { return nil }
    if b[k] == 0x2F {
      guard role == .open, k + 1 < n, b[k + 1] == 0x3E else { return nil }
      role = .standalone
      k += 1
    }
    guard b[k] == 0x3E else { return nil }
    return InlineTag(
      role: role, letters: String(decoding: b[ls..<ds], as: UTF8.self), number: number, utf8Range: i..<(k + 1))
  }

  /// True when the whole string is one tag (a placeholder token's text).
  public static func isTag(_ s: String) -> Bool {
    let b = Array(s.utf8)
    guard b.first == 0x3C, let t = tag(b, at: 0) else { return false }
    return t.utf8Range.upperBound == b.count
  }

  /// Letters of standalone codes that stand for white space.
  static let spacing: Set<String> = ["br", "t", "s"]

  /// The text without its tags (what the match key is made of): a
  /// line-break, tab or space code becomes one space, every other tag
  /// nothing, so `<b1>Bak</b1>ı` is `Bakı`.
  public static func stripped(_ text: String) -> String {
    guard mayContain(text) else { return text }
    let b = Array(text.utf8)
    let tags = scan(bytes: b)
    if tags.isEmpty { return text }
    var out: [UInt8] = []
    out.reserveCapacity(b.count)
    var last = 0
    for t in tags {
      out += b[last..<t.utf8Range.lowerBound]
      if t.role == .standalone && spacing.contains(t.letters) { out.append(0x20) }
      last = t.utf8Range.upperBound
    }
    out += b[last...]
    return String(decoding: out, as: UTF8.self)
  }

  /// The text with every tag replaced by as many spaces (UTF-8 offsets
  /// stay where they were): for finding numbers without the tags' digits.
  public static func masked(_ text: String) -> String {
    guard mayContain(text) else { return text }
    var b = Array(text.utf8)
    let tags = scan(bytes: b)
    if tags.isEmpty { return text }
    for t in tags { for j in t.utf8Range { b[j] = 0x20 } }
    return String(decoding: b, as: UTF8.self)
  }

  /// The distinct code names of `text` in order of first appearance.
  public static func names(_ text: String) -> [String] {
    var seen = Set<String>()
    var out: [String] = []
    for t in scan(text) where seen.insert(t.name).inserted { out.append(t.name) }
    return out
  }

  /// The letters a document code kind is written with.
  public static func letters(_ k: InlineCode.Kind) -> String {
    switch k {
    case .bold: return "b"
    case .italic: return "i"
    case .underline: return "u"
    case .link: return "a"
    case .lineBreak: return "br"
    case .tab: return "t"
    case .footnote: return "fn"
    case .image: return "img"
    case .field: return "f"
    case .code: return "c"
    case .space: return "s"
    case .format, .other: return "g"
    }
  }

  /// The code kind tag letters stand for (`x` and unknown letters: other).
  public static func kind(_ letters: String) -> InlineCode.Kind {
    switch letters {
    case "b": return .bold
    case "i": return .italic
    case "u": return .underline
    case "a": return .link
    case "br": return .lineBreak
    case "t": return .tab
    case "fn": return .footnote
    case "img": return .image
    case "f": return .field
    case "c": return .code
    case "s": return .space
    case "g": return .format
    default: return .other
    }
  }
}

public enum PlaceholderSubstitution {
  /// `codes` when query and source differ in their tags (and nothing
  /// else would tell: their texts without tags are compared by the
  /// caller), nil when both carry the same tags in the same order.
  public static func difference(query: String, source: String) -> String? {
    let q = InlineTags.scan(query).map(\.text)
    let s = InlineTags.scan(source).map(\.text)
    return q == s ? nil : "codes"
  }

  /// The tags of `source` paired with those of `query`: source name →
  /// query name. Codes pair by letters in order of appearance, then what
  /// is left pairs by order alone when the roles agree.
  static func pairing(query: [InlineTag], source: [InlineTag]) -> [String: String] {
    func codes(_ tags: [InlineTag]) -> [(name: String, letters: String, paired: Bool)] {
      var seen = Set<String>()
      var out: [(String, String, Bool)] = []
      for t in tags where seen.insert(t.name).inserted { out.append((t.name, t.letters, t.role != .standalone)) }
      return out
    }
    let qc = codes(query)
    let sc = codes(source)
    var map: [String: String] = [:]
    var usedQ = Set<String>()
    for s in sc {
      if let q = qc.first(where: { !usedQ.contains($0.name) && $0.letters == s.letters && $0.paired == s.paired }) {
        map[s.name] = q.name
        usedQ.insert(q.name)
      }
    }
    for s in sc where map[s.name] == nil {
      if let q = qc.first(where: { !usedQ.contains($0.name) && $0.paired == s.paired }) {
        map[s.name] = q.name
        usedQ.insert(q.name)
      }
    }
    return map
  }

  /// The translation with the query's codes: nil when neither the query
  /// nor the source has a tag (nothing to do) or when the translation
  /// already has exactly the query's tags.
  ///
  /// Tags of the translation whose code pairs with one of the query's are
  /// renamed to it, the others are removed; when a code of the query is
  /// then still missing, all of the query's codes are placed again into
  /// the translation's text (`PlaceholderTransfer`).
  public static func substitute(
    query: String, source: String, target: String, nameKey: ((String) -> String)? = nil
  ) -> String? {
    let qt = InlineTags.scan(query)
    let st = InlineTags.scan(source)
    let tt = InlineTags.scan(target)
    if qt.isEmpty && st.isEmpty && tt.isEmpty { return nil }
    let map = pairing(query: qt, source: st)
    let b = Array(target.utf8)
    var out: [UInt8] = []
    out.reserveCapacity(b.count + 16)
    var last = 0
    var written: [String] = []
    for t in tt {
      out += b[last..<t.utf8Range.lowerBound]
      last = t.utf8Range.upperBound
      guard let q = map[t.name], let qtag = qt.first(where: { $0.name == q }) else {
        // A code the query does not have: its text stays, the tag goes
        // (a line break keeps a space).
        if t.role == .standalone && InlineTags.spacing.contains(t.letters) { out.append(0x20) }
        continue
      }
      var renamed = t
      renamed.letters = qtag.letters
      renamed.number = qtag.number
      out += Array(renamed.text.utf8)
      written.append(renamed.text)
    }
    out += b[last...]
    var result = String(decoding: out, as: UTF8.self)
    let wanted = qt.map(\.text)
    if written.sorted() != wanted.sorted() {
      // Place every code of the query into the plain translation.
      let content = InlineTagText.inline(query)
      let placed = PlaceholderTransfer.place(content, into: InlineTags.stripped(result), nameKey: nameKey)
      result = InlineTagText.tagged(placed)
    }
    return result == target ? nil : result
  }
}

/// Tagged text ↔ inline content, with codes named after their tags (the
/// id of a code is its tag number).
public enum InlineTagText {
  /// Inline content from a tagged text: every tag becomes a code (open,
  /// close, standalone) with the kind its letters say; an unmatched close
  /// or open is kept as it is.
  public static func inline(_ text: String) -> [Inline] {
    let b = Array(text.utf8)
    var out: [Inline] = []
    var last = 0
    for t in InlineTags.scan(bytes: b) {
      if t.utf8Range.lowerBound > last { out.append(.text(String(decoding: b[last..<t.utf8Range.lowerBound], as: UTF8.self))) }
      last = t.utf8Range.upperBound
      let kind = InlineTags.kind(t.letters)
      let code = InlineCode(id: t.number, kind: kind, text: spacingText(t.letters), native: t.letters)
      switch t.role {
      case .open: out.append(.open(code))
      case .close: out.append(.close(t.number))
      case .standalone: out.append(.standalone(code))
      }
    }
    if last < b.count { out.append(.text(String(decoding: b[last...], as: UTF8.self))) }
    return out
  }

  static func spacingText(_ letters: String) -> String {
    switch letters {
    case "br": return "\n"
    case "t": return "\t"
    case "s": return " "
    default: return ""
    }
  }

  /// The tagged text of content whose codes came from `inline(_:)` (their
  /// `native` holds the letters) or from a document (letters from kind).
  public static func tagged(_ content: [Inline]) -> String {
    var s = ""
    var letters: [Int: String] = [:]
    for piece in content {
      switch piece {
      case .text(let t): s += t
      case .open(let c):
        let l = c.native.flatMap { isLetters($0) ? $0 : nil } ?? InlineTags.letters(c.kind)
        letters[c.id] = l
        s += "<\(l)\(c.id)>"
      case .close(let id): s += "</\(letters[id] ?? "g")\(id)>"
      case .standalone(let c):
        let l = c.native.flatMap { isLetters($0) ? $0 : nil } ?? InlineTags.letters(c.kind)
        s += "<\(l)\(c.id)/>"
      }
    }
    return s
  }

  static func isLetters(_ s: String) -> Bool {
    !s.isEmpty && s.utf8.count <= 4 && s.utf8.allSatisfy { $0 >= 0x61 && $0 <= 0x7A }
  }
}
