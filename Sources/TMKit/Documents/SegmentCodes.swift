/// A document segment as memory text: its inline codes written as
/// OmegaT-style tags numbered from 1 in the order they open within the
/// segment (`<b1>Bakı</b1> şəhərində<fn2/>`), so the same formatting
/// pattern gives the same text in every document (and an exact match).
///
/// The numbers are the segment's own; `codes` maps them back to the
/// document's codes, so a translation with the tags (from the memory, after
/// `PlaceholderSubstitution`) goes back into the document with every code
/// where the translation puts it. See `InlineTags` for the tag grammar and
/// Documentation/MemoryFormat.md for the memory side.
public struct CodedSegment: Sendable, Hashable {
  /// The tagged text, trimmed of white space at both ends.
  public var text: String
  /// Tag number → the document's code.
  public var codes: [Int: InlineCode]
  /// True when the text has at least one code.
  public var hasCodes: Bool { !codes.isEmpty }
}

public enum SegmentCodes {
  /// The tagged text of a segment's content. A number whose tag the plain
  /// text already holds literally (a segment about `<b1>`) is skipped, so
  /// every tag of the result is a code.
  public static func encode(_ content: [Inline]) -> CodedSegment {
    var numbers: [Int: Int] = [:]
    var next = 1
    return encode(content, literal: literalNumbers([content]), numbers: &numbers, next: &next)
  }

  /// A source and its translation (a bilingual document's unit): a code
  /// of the translation with the same document id as one of the source's
  /// gets the same number.
  public static func encode(source: [Inline], target: [Inline]) -> (source: CodedSegment, target: CodedSegment) {
    var numbers: [Int: Int] = [:]
    var next = 1
    let literal = literalNumbers([source, target])
    let s = encode(source, literal: literal, numbers: &numbers, next: &next)
    let t = encode(target, literal: literal, numbers: &numbers, next: &next)
    return (s, t)
  }

  static func literalNumbers(_ contents: [[Inline]]) -> Set<Int> {
    var literal = Set<Int>()
    for content in contents {
      for case .text(let t) in content where InlineTags.mayContain(t) {
        for tag in InlineTags.scan(t) { literal.insert(tag.number) }
      }
    }
    return literal
  }

  /// `numbers`: document code id → tag number, shared by the calls for one
  /// unit; a code id met twice in one segment gets a new number.
  static func encode(_ content: [Inline], literal: Set<Int>, numbers: inout [Int: Int], next: inout Int)
    -> CodedSegment
  {
    var here = Set<Int>()
    func number(_ id: Int) -> Int {
      if let n = numbers[id], here.insert(n).inserted { return n }
      while literal.contains(next) { next += 1 }
      let n = next
      next += 1
      numbers[id] = n
      here.insert(n)
      return n
    }
    var s = ""
    var codes: [Int: InlineCode] = [:]
    var open: [Int: [(number: Int, letters: String)]] = [:]  // document id → stack
    for piece in content {
      switch piece {
      case .text(let t): s += t
      case .open(let c):
        let n = number(c.id)
        let l = InlineTags.letters(c.kind)
        codes[n] = c
        open[c.id, default: []].append((n, l))
        s += "<\(l)\(n)>"
      case .close(let id):
        if let top = open[id]?.popLast() {
          s += "</\(top.letters)\(top.number)>"
        }
      case .standalone(let c):
        let n = number(c.id)
        codes[n] = c
        s += "<\(InlineTags.letters(c.kind))\(n)/>"
      }
    }
    return CodedSegment(text: s.trimmingCharacters(in: .whitespacesAndNewlines), codes: codes)
  }

  /// Tagged texts of consecutive segments joined with a space, the tags of
  /// each renumbered after the ones before (a 2-1 bead of the aligner).
  public static func join(_ texts: [String]) -> String {
    var out: [String] = []
    var offset = 0
    for t in texts {
      let tags = InlineTags.scan(t)
      out.append(offset == 0 ? t : renumber(t, tags) { $0 + offset })
      offset += tags.map(\.number).max() ?? 0
    }
    return out.joined(separator: " ")
  }

  /// `translation` with its tags renumbered to pair with `source`'s: the
  /// n-th code of some letters in the translation takes the number of the
  /// n-th code with those letters in the source; any other code gets a
  /// number above all of the source's. (Two documents aligned: each
  /// numbers its own codes, and a bold word pairs with a bold word.)
  public static func pair(_ translation: String, with source: String) -> String {
    let st = InlineTags.scan(source)
    let tt = InlineTags.scan(translation)
    if tt.isEmpty { return translation }
    var bySource: [String: [Int]] = [:]  // letters → numbers, in order
    var seen = Set<String>()
    for t in st where seen.insert(t.name).inserted { bySource[t.letters, default: []].append(t.number) }
    var next = (st.map(\.number).max() ?? 0) + 1
    var map: [Int: Int] = [:]
    var taken = Set<Int>()
    seen = []
    for t in tt where seen.insert(t.name).inserted {
      if var q = bySource[t.letters], !q.isEmpty {
        let n = q.removeFirst()
        bySource[t.letters] = q
        map[t.number] = n
        taken.insert(n)
      } else {
        map[t.number] = next
        next += 1
      }
    }
    return renumber(translation, tt) { map[$0] ?? $0 }
  }

  static func renumber(_ text: String, _ tags: [InlineTag], _ f: (Int) -> Int) -> String {
    if tags.isEmpty { return text }
    let b = Array(text.utf8)
    var out: [UInt8] = []
    var last = 0
    for t in tags {
      out += b[last..<t.utf8Range.lowerBound]
      var r = t
      r.number = f(t.number)
      out += Array(r.text.utf8)
      last = t.utf8Range.upperBound
    }
    out += b[last...]
    return String(decoding: out, as: UTF8.self)
  }

  /// The content of a translation in tagged text, with the segment's codes:
  /// nil unless every code of `codes` is there exactly once (a paired code
  /// opened and closed, properly nested), which is when the document can
  /// take it as it is. Tags that are not the segment's codes stay text.
  public static func decode(_ text: String, codes: [Int: InlineCode]) -> [Inline]? {
    let b = Array(text.utf8)
    var out: [Inline] = []
    var last = 0
    var stack: [Int] = []
    var seen = Set<Int>()
    func flush(_ to: Int) {
      if to > last { out.append(.text(String(decoding: b[last..<to], as: UTF8.self))) }
    }
    for t in InlineTags.scan(bytes: b) {
      guard let c = codes[t.number], InlineTags.letters(c.kind) == t.letters else { continue }
      flush(t.utf8Range.lowerBound)
      last = t.utf8Range.upperBound
      switch t.role {
      case .open:
        guard seen.insert(t.number).inserted else { return nil }
        stack.append(t.number)
        out.append(.open(c))
      case .close:
        guard stack.last == t.number else { return nil }
        stack.removeLast()
        out.append(.close(c.id))
      case .standalone:
        guard seen.insert(t.number).inserted else { return nil }
        out.append(.standalone(c))
      }
    }
    flush(b.count)
    guard stack.isEmpty, seen == Set(codes.keys) else { return nil }
    return InlineText.normalized(out)
  }

  /// The document content for a tagged translation of `source`: its codes
  /// where the translation's tags are, or, when the tags do not fit, all of
  /// them placed into the translation's plain text (`PlaceholderTransfer`).
  public static func place(_ translation: String, source: [Inline], nameKey: ((String) -> String)? = nil) -> [Inline] {
    let coded = encode(source)
    guard coded.hasCodes else { return translation.isEmpty ? [] : [.text(translation)] }
    if let c = decode(translation, codes: coded.codes) { return c }
    return PlaceholderTransfer.place(source, into: InlineTags.stripped(translation), nameKey: nameKey)
  }
}
