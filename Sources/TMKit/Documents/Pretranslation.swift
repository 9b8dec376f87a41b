/// Pretranslation of a document: every segment gets the best memory match
/// at or above a threshold, with the segment's inline codes moved into the
/// translation; the rest stays in the source language.
///
/// The lookup itself is a closure (the memory workflow's `Lookup`), so the
/// same code serves `tm pretranslate`, `tm extract --to` and a server.

/// The best match for one segment, as the document workflows need it.
public struct DocumentMatch: Sendable, Hashable {
  /// 0...100.
  public var score: Double
  /// The translation, numbers already substituted by value.
  public var target: String
  /// The stored source it came from.
  public var source: String
  /// Where it came from (memory file), for XLIFF's `origin`.
  public var origin: String

  public init(score: Double, target: String, source: String, origin: String) {
    self.score = score
    self.target = target
    self.source = source
    self.origin = origin
  }
}

/// Counts per match band, CAT style (segments and words), per document.
public struct DocumentAnalysis: Sendable, Codable, Hashable {
  public struct Band: Sendable, Codable, Hashable {
    public var band: String
    public var segments: Int
    public var words: Int
  }
  public var document: String
  public var format: String
  public var segments: Int
  public var words: Int
  /// Segments whose text occurred earlier in the document.
  public var repetitions: Int
  public var repetitionWords: Int
  public var bands: [Band]
  /// Segments that got a translation (score at or above the threshold).
  public var translated: Int
  public var translatedWords: Int
  public var minScore: Double
}

public struct PretranslationResult: Sendable {
  /// New content per block, for the blocks that changed.
  public var translations: [Int: [Inline]]
  /// Per block: the lowest score among its translated segments (bilingual
  /// formats record it as state and match %).
  public var annotations: [Int: TargetAnnotation]
  /// Per segment (in `DocumentSegmentation.segments` order): the
  /// translation and its annotation, when there is one (empty unless
  /// `keepSegments`: a large document's segments are not held twice).
  public var segments: [Int: ([Inline], TargetAnnotation)]
  public var analysis: DocumentAnalysis
}

public enum Pretranslation {
  /// Looks every segment up (each distinct text once) and builds the
  /// translated blocks. `lookup` returns the best match of a text or nil.
  public static func run(
    _ doc: Document, blocks: [SegmentedBlock], minScore: Double, keepSegments: Bool = true,
    lookup: (String) throws -> DocumentMatch?
  ) rethrows -> PretranslationResult {
    // Matches by text; texts without one and texts seen are kept as hashes
    // (a large document of distinct segments is not held again).
    var cache: [String: DocumentMatch] = [:]
    var misses = Set<UInt64>()
    var bandSegments = [Int](repeating: 0, count: MatchAnalysis.bands.count)
    var bandWords = [Int](repeating: 0, count: MatchAnalysis.bands.count)
    var seen = Set<UInt64>()
    var reps = 0
    var repWords = 0
    var total = 0
    var totalWords = 0
    var done = 0
    var doneWords = 0
    var translations: [Int: [Inline]] = [:]
    var annotations: [Int: TargetAnnotation] = [:]
    var perSegment: [Int: ([Inline], TargetAnnotation)] = [:]
    var global = 0
    // Names in another script (`Xətai` ↔ `Хатаи`) for placing codes.
    let cross = try? CrossScriptKey()
    let nameKey: (String) -> String = { cross?.key($0, language: nil) ?? $0 }
    for b in blocks {
      var changed: [Int: [Inline]] = [:]
      var lowest: TargetAnnotation?
      for i in 0..<b.segmentCount {
        defer { global += 1 }
        let content = b.segment(i)
        let text = InlineText.plain(content).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { continue }
        let words = text.split(whereSeparator: { $0.isWhitespace }).count
        total += 1
        totalWords += words
        if !seen.insert(fnv1a64(text.utf8)).inserted {
          reps += 1
          repWords += words
        }
        // The memory is asked with the codes as tags (`SegmentCodes`).
        let query = SegmentCodes.encode(content).text
        let match: DocumentMatch?
        let queryHash = fnv1a64(query.utf8)
        if let m = cache[query] {
          match = m
        } else if misses.contains(queryHash) {
          match = nil
        } else {
          match = try lookup(query)
          if let match { cache[query] = match } else { misses.insert(queryHash) }
        }
        let band = MatchAnalysis.band(of: match?.score)
        bandSegments[band] += 1
        bandWords[band] += words
        guard let m = match, m.score >= minScore else { continue }
        done += 1
        doneWords += words
        let placed = SegmentCodes.place(m.target, source: content, nameKey: nameKey)
        changed[i] = placed
        let note = TargetAnnotation(state: m.score >= 100 ? "translated" : "needs-review-translation", score: m.score, origin: m.origin)
        if keepSegments { perSegment[global] = (placed, note) }
        if lowest == nil || (lowest?.score ?? 100) > m.score { lowest = note }
      }
      if !changed.isEmpty {
        translations[b.block] = b.reassembled(changed)
        if let lowest { annotations[b.block] = lowest }
      }
    }
    let analysis = DocumentAnalysis(
      document: doc.name, format: doc.format, segments: total, words: totalWords, repetitions: reps,
      repetitionWords: repWords,
      bands: MatchAnalysis.bands.enumerated().map { DocumentAnalysis.Band(band: $0.element.0, segments: bandSegments[$0.offset], words: bandWords[$0.offset]) },
      translated: done, translatedWords: doneWords, minScore: minScore)
    return PretranslationResult(translations: translations, annotations: annotations, segments: perSegment, analysis: analysis)
  }
}

/// Moves a source segment's inline codes into a translation that has none.
///
/// Codes before the first text and after the last stay at the ends; a
/// paired code around all the text wraps all of the translation; a paired
/// code around text that appears as is in the translation (a name, a
/// number, a term left untranslated) wraps that, or, with `nameKey`, the
/// words of the translation whose key equals theirs (a name in another
/// script: `Xətai` ↔ `Хатаи` by `CrossScriptKey`); any other code goes to the
/// same relative position, moved to the nearest word boundary. Codes never
/// get lost: the writer needs every one.
public enum PlaceholderTransfer {
  public static func place(
    _ source: [Inline], into target: String, nameKey: ((String) -> String)? = nil
  ) -> [Inline] {
    let plainSource = Array(InlineText.plain(source))
    let t = Array(target)
    // Position (in source characters) of every code.
    var positions: [(pos: Int, piece: Inline)] = []
    var at = 0
    for piece in source {
      switch piece {
      case .text(let s): at += s.count
      case .standalone(let c):
        positions.append((at, piece))
        at += c.text.count
      default: positions.append((at, piece))
      }
    }
    if positions.isEmpty { return target.isEmpty ? [] : [.text(target)] }
    let firstText = plainSource.firstIndex(where: { !$0.isWhitespace }) ?? 0
    let lastText = (plainSource.lastIndex(where: { !$0.isWhitespace }) ?? max(0, plainSource.count - 1)) + 1
    let tFirst = t.firstIndex(where: { !$0.isWhitespace }) ?? 0
    let tLast = (t.lastIndex(where: { !$0.isWhitespace }) ?? max(0, t.count - 1)) + 1

    func boundary(_ p: Int) -> Int {
      var p = max(0, min(p, t.count))
      if p == 0 || p == t.count { return p }
      // Nearest whitespace boundary.
      var l = p
      var r = p
      while l > 0 && !t[l - 1].isWhitespace { l -= 1 }
      while r < t.count && !t[r].isWhitespace { r += 1 }
      p = (p - l <= r - p) ? l : r
      return p
    }
    func scaled(_ p: Int) -> Int {
      if p <= firstText { return tFirst }
      if p >= lastText { return tLast }
      let span = max(1, lastText - firstText)
      return boundary(tFirst + (p - firstText) * (tLast - tFirst) / span)
    }
    // Target positions; paired codes first try to find their text.
    var target: [Int: Int] = [:]  // index in positions -> target position
    var used: [Range<Int>] = []
    for (k, p) in positions.enumerated() {
      guard case .open(let c) = p.piece else { continue }
      guard let closeIndex = positions[(k + 1)...].firstIndex(where: { if case .close(let id) = $0.piece { return id == c.id } else { return false } }) else { continue }
      let a = p.pos
      let b = positions[closeIndex].pos
      if a <= firstText && b >= lastText {
        target[k] = tFirst
        target[closeIndex] = tLast
        continue
      }
      let inner = String(plainSource[min(a, plainSource.count)..<min(max(a, b), plainSource.count)]).trimmingCharacters(in: .whitespaces)
      if !inner.isEmpty,
        let r = find(Array(inner), in: t, avoiding: used) ?? findToken(of: inner, in: t, avoiding: used)
          ?? nameKey.flatMap({ findByKey(of: inner, in: t, avoiding: used, key: $0) })
      {
        target[k] = r.lowerBound
        target[closeIndex] = r.upperBound
        used.append(r)
      }
    }
    for (k, p) in positions.enumerated() where target[k] == nil {
      target[k] = scaled(p.pos)
    }
    // An open code goes after the spaces at its place, a close before them
    // (`Новый <b1>закон</b1>`, not `Новый<b1> закон</b1>`).
    for (k, p) in positions.enumerated() {
      guard var at = target[k] else { continue }
      switch p.piece {
      case .open: while at < t.count && t[at].isWhitespace { at += 1 }
      case .close: while at > 0 && t[at - 1].isWhitespace { at -= 1 }
      default: continue
      }
      target[k] = at
    }
    // Keep opens before their closes.
    for (k, p) in positions.enumerated() {
      guard case .close(let id) = p.piece else { continue }
      if let o = positions[..<k].lastIndex(where: { if case .open(let c) = $0.piece { return c.id == id } else { return false } }),
        let to = target[o], let tc = target[k], tc < to
      {
        target[k] = to
      }
    }
    let order = positions.indices.sorted { (target[$0] ?? 0, $0) < (target[$1] ?? 0, $1) }
    var out: [Inline] = []
    var cursor = 0
    for k in order {
      let p = target[k] ?? 0
      if p > cursor {
        out.append(.text(String(t[cursor..<p])))
        cursor = p
      }
      out.append(positions[k].piece)
    }
    if cursor < t.count { out.append(.text(String(t[cursor...]))) }
    return InlineText.normalized(out)
  }

  /// The longest word of `inner` (numbers first: `2019-cu` is `2019 году`)
  /// that occurs in the translation.
  private static func findToken(of inner: String, in hay: [Character], avoiding used: [Range<Int>]) -> Range<Int>? {
    let tokens = inner.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init).filter { $0.count >= 2 }
    let ordered = tokens.sorted { a, b in
      let an = a.allSatisfy(\.isNumber)
      let bn = b.allSatisfy(\.isNumber)
      return an != bn ? an : a.count > b.count
    }
    for tok in ordered {
      if let r = find(Array(tok), in: hay, avoiding: used) { return r }
    }
    return nil
  }

  /// The words of the translation whose keys are those of `inner`'s words
  /// (at least three letters), from the first found to the last.
  private static func findByKey(
    of inner: String, in hay: [Character], avoiding used: [Range<Int>], key: (String) -> String
  ) -> Range<Int>? {
    let wanted = Set(
      inner.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).filter { $0.count >= 3 }.map { key(String($0)) })
    if wanted.isEmpty { return nil }
    var found: [Range<Int>] = []
    var i = 0
    while i < hay.count {
      guard hay[i].isLetter || hay[i].isNumber else {
        i += 1
        continue
      }
      var j = i
      while j < hay.count && (hay[j].isLetter || hay[j].isNumber) { j += 1 }
      let r = i..<j
      if j - i >= 3, !used.contains(where: { $0.overlaps(r) }), wanted.contains(key(String(hay[r]))) { found.append(r) }
      i = j
    }
    guard let first = found.first, let last = found.last else { return nil }
    // Words far apart are not one phrase: keep the first.
    let words = inner.split(whereSeparator: { $0.isWhitespace }).count
    let between = hay[first.lowerBound..<last.upperBound].filter { $0.isWhitespace }.count
    return between < words + 2 ? first.lowerBound..<last.upperBound : first
  }

  private static func find(_ needle: [Character], in hay: [Character], avoiding used: [Range<Int>]) -> Range<Int>? {
    guard needle.count <= hay.count else { return nil }
    var i = 0
    while i + needle.count <= hay.count {
      if hay[i] == needle[0] && Array(hay[i..<(i + needle.count)]) == needle {
        let r = i..<(i + needle.count)
        if !used.contains(where: { $0.overlaps(r) }) { return r }
      }
      i += 1
    }
    return nil
  }
}
