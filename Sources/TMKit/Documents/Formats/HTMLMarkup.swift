/// The markup of an HTML page as byte ranges, found by our own tokenizer
/// over the raw bytes, so that a text slot from libxml2's positions can be
/// checked against it and never overlaps a tag.
///
/// libxml2's positions are where its parser had consumed to, not where a
/// tag starts or ends: a start tag's event is at its `>` or just past its
/// name, a text's at the next markup, and some markup (a second `<body>`, a
/// stray `</b>` in a script, `</ x>`) has no event at all. Finding a tag by
/// scanning back to a `<` and on to a `>` broke on a `>` inside a quoted
/// attribute value (`<a title="x > y">`, valid HTML): the text after it took
/// in the rest of the tag and writing a translation over it dropped markup
/// (found by scripts/fuzz.sh with TM_FUZZ_HTML_WRITE=1).
///
/// The tokenizer follows HTML5's tokenization of tags (a quoted attribute
/// value may hold `>` and `<`), and where libxml2 2.9 reads more as markup
/// than HTML5 does, it takes the larger view, so that anything either
/// parser may read as markup is markup here: a tag starts at `<` followed
/// by an ASCII letter (`<Тег>` is text to both), `</`, `<!` or `<?`; a comment runs to `-->`, a CDATA section to `]]>`; the
/// content of `script`, `style`, `xmp`, `noembed`, `noframes`, `iframe` and
/// `plaintext` runs to its end tag (it is never translated).
struct HTMLMarkup {
  enum Kind { case startTag, other }
  struct Span {
    var range: Range<Int>
    var kind: Kind
    /// The tag name's bytes (start tags).
    var name: Range<Int>
  }
  /// Sorted and disjoint.
  private(set) var spans: [Span] = []
  let count: Int

  static let rawText: Set<String> = ["script", "style", "xmp", "noembed", "noframes", "iframe", "plaintext"]

  init(_ bytes: [UInt8]) {
    count = bytes.count
    let n = bytes.count
    func space(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0C }
    func letter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }
    /// The offset just past the first `needle` at or after `from` (else the end).
    func past(_ needle: [UInt8], from: Int) -> Int {
      var i = from
      while i + needle.count <= n {
        if bytes[i] == needle[0] {
          var ok = true
          for k in 1..<needle.count where bytes[i + k] | (letter(needle[k]) ? 0x20 : 0) != needle[k] {
            ok = false
            break
          }
          if ok { return i + needle.count }
        }
        i += 1
      }
      return n
    }
    var i = 0
    while i < n {
      guard bytes[i] == 0x3C, i + 1 < n else {
        i += 1
        continue
      }
      let s = i
      let c = bytes[i + 1]
      if c == 0x21 {  // <!
        if i + 3 < n, bytes[i + 2] == 0x2D, bytes[i + 3] == 0x2D {
          i = past(Array("-->".utf8), from: i + 4)
        } else if bytes[(i + 2)...].starts(with: Array("[CDATA[".utf8)) {
          i = max(past(Array("]]>".utf8), from: i + 9), past([0x3E], from: i + 2))
        } else {
          i = past([0x3E], from: i + 2)
        }
        spans.append(Span(range: s..<i, kind: .other, name: s..<s))
      } else if c == 0x3F || c == 0x2F {  // <? and </ (an end tag, `</>` or a bogus comment)
        i = past([0x3E], from: i + 2)
        spans.append(Span(range: s..<i, kind: .other, name: s..<s))
      } else if letter(c) {
        // A start tag, tokenized as HTML5 does: attribute values in quotes
        // may hold `>`.
        var j = i + 1
        while j < n && !space(bytes[j]) && bytes[j] != 0x2F && bytes[j] != 0x3E { j += 1 }
        let name = (i + 1)..<j
        var end = n
        scan: while j < n {
          switch bytes[j] {
          case 0x3E:
            end = j + 1
            break scan
          case 0x3D:  // '=' after a name: a value, quoted or not
            j += 1
            while j < n && space(bytes[j]) { j += 1 }
            if j < n && (bytes[j] == 0x22 || bytes[j] == 0x27) {
              let q = bytes[j]
              j += 1
              while j < n && bytes[j] != q { j += 1 }
              j += 1
            } else {
              while j < n && !space(bytes[j]) && bytes[j] != 0x3E { j += 1 }
            }
          default:
            j += 1
          }
        }
        spans.append(Span(range: s..<end, kind: .startTag, name: name))
        i = end
        let lower = String(decoding: bytes[name], as: UTF8.self).lowercased()
        if Self.rawText.contains(lower), i < n {
          // The content up to the end tag (which is a span of its own).
          var k = i
          let close = Array("</\(lower)".utf8)
          var found = n
          while k + close.count <= n {
            if bytes[k] == 0x3C, bytes[k + 1] == 0x2F,
              zip(close.indices.dropFirst(2), close.dropFirst(2)).allSatisfy({ bytes[k + $0.0] | 0x20 == $0.1 })
            {
              found = k
              break
            }
            k += 1
          }
          if found > i { spans.append(Span(range: i..<found, kind: .other, name: i..<i)) }
          i = found
        }
      } else {
        i += 1
      }
    }
  }

  /// The first span that ends after `offset`.
  private func firstEnding(after offset: Int) -> Int {
    var lo = 0
    var hi = spans.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if spans[mid].range.upperBound <= offset { lo = mid + 1 } else { hi = mid }
    }
    return lo
  }

  /// The start tag libxml2 reported at `pos` (its `>` or just past its
  /// name), if it is in the source and has that name; nil for an implied
  /// tag.
  func startTag(at pos: Int, name: String, in bytes: [UInt8]) -> Range<Int>? {
    let k = firstEnding(after: pos)
    var candidates = [k]
    if k > 0 { candidates.append(k - 1) }  // a tag without '>' at the end of the file
    for c in candidates where c < spans.count {
      let span = spans[c]
      guard span.kind == .startTag, span.range.lowerBound < pos, pos <= span.range.upperBound else { continue }
      let key = Array(name.utf8)
      // A name that is not ASCII is UTF-8 in the event but maybe not in
      // the file (a windows-1251 page): the tag is the one at the position.
      if !key.allSatisfy({ $0 < 0x80 }) { return span.range }
      if span.name.count == key.count, zip(span.name, key).allSatisfy({ bytes[$0.0] | 0x20 == $0.1 | 0x20 }) { return span.range }
    }
    return nil
  }

  /// The text between markup in `range`: the parts of it no span covers.
  func textRuns(in range: Range<Int>) -> [Range<Int>] {
    var runs: [Range<Int>] = []
    var at = range.lowerBound
    var k = firstEnding(after: at)
    while at < range.upperBound {
      guard k < spans.count, spans[k].range.lowerBound < range.upperBound else {
        runs.append(at..<range.upperBound)
        break
      }
      let s = spans[k].range
      if s.lowerBound > at { runs.append(at..<s.lowerBound) }
      at = max(at, s.upperBound)
      k += 1
    }
    return runs
  }

  /// A place between text and markup at or near `offset`: the first offset
  /// at or after it that no span covers, but not the end of the file after a
  /// span never closed (that runs to the end of the file, and text written
  /// after it was inside it; found by scripts/fuzz.sh with `<<!D`): then the
  /// start of the markup `offset` is in.
  func boundary(near offset: Int, in bytes: [UInt8]) -> Int {
    var at = offset
    var k = firstEnding(after: at)
    let first = k
    while k < spans.count, spans[k].range.lowerBound <= at {
      at = max(at, spans[k].range.upperBound)
      k += 1
    }
    if at >= count, count > 0, bytes[count - 1] != 0x3E, first < spans.count, spans[first].range.lowerBound <= offset {
      // Back over the spans it follows without text between (the start tag
      // of a script whose content runs to the end: fuzz.sh found text
      // written inside it).
      var k = first
      while k > 0, spans[k - 1].range.upperBound == spans[k].range.lowerBound { k -= 1 }
      return spans[k].range.lowerBound
    }
    return min(at, count)
  }
}
