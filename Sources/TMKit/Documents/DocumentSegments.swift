/// Segmentation inside blocks, and putting translated segments back.
///
/// The block's plain text (text runs plus the text of standalone codes) is
/// split by `SentenceSegmenter`; a block boundary is always a segment
/// boundary. The block's content is cut into regions: the whitespace and
/// codes between sentences (gaps) and the sentences themselves. A paired
/// code that spans a boundary is closed at the end of a region and opened
/// again at the start of the next, so every segment has balanced codes;
/// putting the regions back together merges such a close/open pair again.
/// A close code at a sentence's end and a zero-width standalone code right
/// after it (a footnote reference after the full stop) stay with the
/// sentence; an open code there goes with what follows.

/// One segment of a document: the unit looked up and translated.
public struct DocumentSegment: Sendable, Hashable {
  /// Index of its block in `Document.blocks`.
  public var block: Int
  /// Index of the segment inside the block.
  public var index: Int
  public var content: [Inline]
  /// The plain text (codes removed, standalone codes as their text).
  public var text: String
}

/// A block cut into regions: `regions[k]` for even k are gaps, for odd k
/// the segments (k = 2 * segment + 1).
public struct SegmentedBlock: Sendable, Hashable {
  public var block: Int
  public var regions: [[Inline]]
  public var segmentCount: Int { regions.count / 2 }

  public func segment(_ i: Int) -> [Inline] { regions[2 * i + 1] }

  /// The block's content with segment i replaced by `translations[i]`.
  public func reassembled(_ translations: [Int: [Inline]]) -> [Inline] {
    var out: [Inline] = []
    for (k, r) in regions.enumerated() {
      if k % 2 == 1, let t = translations[k / 2] { out.append(contentsOf: t) } else { out.append(contentsOf: r) }
    }
    return InlineText.normalized(out)
  }
}

public enum DocumentSegmentation {
  /// Every block of `doc` segmented with `segmenter`.
  public static func segment(_ doc: Document, with segmenter: SentenceSegmenter) -> [SegmentedBlock] {
    doc.blocks.indices.map { segment(doc.blocks[$0].content, block: $0, with: segmenter) }
  }

  /// The segments of `blocks`, in document order.
  public static func segments(_ blocks: [SegmentedBlock]) -> [DocumentSegment] {
    var out: [DocumentSegment] = []
    for b in blocks {
      for i in 0..<b.segmentCount {
        let c = b.segment(i)
        out.append(DocumentSegment(block: b.block, index: i, content: c, text: InlineText.plain(c)))
      }
    }
    return out
  }

  public static func segment(_ content: [Inline], block: Int, with segmenter: SentenceSegmenter) -> SegmentedBlock {
    // Positions of every piece in the plain text (UTF-8 offsets).
    var plain = ""
    var starts: [Int] = []
    for piece in content {
      starts.append(plain.utf8.count)
      switch piece {
      case .text(let t): plain += t
      case .standalone(let c): plain += c.text
      default: break
      }
    }
    let sentences = segmenter.segment(plain)
    if sentences.isEmpty { return SegmentedBlock(block: block, regions: [content]) }
    // Region boundaries: gap0 [0, a0) seg0 [a0, b0) gap1 [b0, a1) ...
    var bounds: [Int] = [0]
    for s in sentences {
      bounds.append(s.utf8Range.lowerBound)
      bounds.append(s.utf8Range.upperBound)
    }
    let total = plain.utf8.count
    bounds.append(total)
    let regionCount = bounds.count - 1
    var regions = [[Inline]](repeating: [], count: regionCount)
    var stack: [InlineCode] = []
    var region = 0

    // Moves to region r, closing and reopening the open codes.
    func move(to r: Int) {
      guard r > region else { return }
      for c in stack.reversed() { regions[region].append(.close(c.id)) }
      region = r
      for c in stack { regions[region].append(.open(c)) }
    }
    // The region holding offset p, start-inclusive (p in [start, end)).
    func regionStarting(_ p: Int) -> Int {
      var r = region
      while r < regionCount - 1 && p >= bounds[r + 1] { r += 1 }
      // Skip empty regions that end at p.
      return r
    }
    func isSegment(_ r: Int) -> Bool { r % 2 == 1 }

    for (k, piece) in content.enumerated() {
      let p = starts[k]
      switch piece {
      case .text(let t):
        var utf8 = Array(t.utf8)
        var offset = p
        while !utf8.isEmpty {
          let r = regionStarting(offset)
          move(to: r)
          let end = r + 1 < bounds.count ? bounds[r + 1] : total
          let take = max(1, min(utf8.count, end - offset))
          // Never cut inside a UTF-8 sequence (boundaries are on scalars).
          var n = take
          while n < utf8.count && (utf8[n] & 0xC0) == 0x80 { n += 1 }
          regions[region].append(.text(String(decoding: utf8[0..<n], as: UTF8.self)))
          utf8.removeFirst(n)
          offset += n
        }
      case .open(let c):
        move(to: regionStarting(p))
        regions[region].append(.open(c))
        stack.append(c)
      case .close(let id):
        // End-inclusive: a close at a sentence's end stays in the sentence.
        var r = regionStarting(p)
        if r > region, r > 0, bounds[r] == p, isSegment(r - 1) { r -= 1 }
        move(to: max(r, region))
        regions[region].append(.close(id))
        if let i = stack.lastIndex(where: { $0.id == id }) { stack.remove(at: i) }
      case .standalone(let c):
        var r = regionStarting(p)
        if c.text.isEmpty, r > region, r > 0, bounds[r] == p, isSegment(r - 1) { r -= 1 }
        move(to: max(r, region))
        regions[region].append(.standalone(c))
      }
    }
    move(to: regionCount - 1)
    // An even count of regions: pad so that regions = gap, (seg, gap)*.
    return SegmentedBlock(block: block, regions: regions)
  }
}

/// Small operations on inline content.
public enum InlineText {
  /// Plain text: text runs and standalone codes' text.
  public static func plain(_ content: [Inline]) -> String {
    var s = ""
    for i in content {
      switch i {
      case .text(let t): s += t
      case .standalone(let c): s += c.text
      default: break
      }
    }
    return s
  }

  /// The text runs only (no code contributes).
  public static func textOnly(_ content: [Inline]) -> String {
    var s = ""
    for case .text(let t) in content { s += t }
    return s
  }

  /// Merges adjacent text runs and drops `close(id)` directly followed by
  /// `open(id)` (a code split at a segment boundary).
  public static func normalized(_ content: [Inline]) -> [Inline] {
    var out: [Inline] = []
    out.reserveCapacity(content.count)
    for piece in content {
      if case .open(let c) = piece, case .close(let id)? = out.last, id == c.id {
        out.removeLast()
        continue
      }
      if case .text(let t) = piece {
        if t.isEmpty { continue }
        if case .text(let prev)? = out.last {
          out[out.count - 1] = .text(prev + t)
          continue
        }
      }
      out.append(piece)
    }
    return out
  }

  /// The content with OmegaT-style tags: `<b0>bold</b0>`, `<x1/>` (letter
  /// from the code's kind, number its id), for display and tests.
  public static func tagged(_ content: [Inline]) -> String {
    var s = ""
    var kinds: [Int: String] = [:]
    let letter = InlineTags.letters
    for i in content {
      switch i {
      case .text(let t): s += t
      case .open(let c):
        kinds[c.id] = letter(c.kind)
        s += "<\(letter(c.kind))\(c.id)>"
      case .close(let id): s += "</\(kinds[id] ?? "g")\(id)>"
      case .standalone(let c): s += "<\(letter(c.kind))\(c.id)/>"
      }
    }
    return s
  }
}
