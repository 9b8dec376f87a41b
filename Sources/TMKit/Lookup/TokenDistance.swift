/// Levenshtein distance over token sequences, the measure behind the fuzzy
/// score `100 × (1 − distance / longer length)` (OmegaT's
/// `FuzzyMatcher.calcSimilarity`).
public enum TokenDistance {
  /// The most tokens a query may have. Edit distance is quadratic, so like
  /// OmegaT (1000) and SYSTRAN (300) the work is capped; longer queries are
  /// refused with a clear message rather than hanging.
  public static let maxQueryTokens = 500

  /// The distance between `a` and `b`, or nil when it exceeds `limit`
  /// (the computation stops as soon as every cell of a row is over it).
  public static func distance<T: Equatable>(_ a: [T], _ b: [T], limit: Int = .max) -> Int? {
    if a.isEmpty { return b.count <= limit ? b.count : nil }
    if b.isEmpty { return a.count <= limit ? a.count : nil }
    if abs(a.count - b.count) > limit { return nil }
    var prev = Array(0...b.count)
    var cur = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
      cur[0] = i
      var rowMin = i
      let ai = a[i - 1]
      for j in 1...b.count {
        let sub = prev[j - 1] + (ai == b[j - 1] ? 0 : 1)
        let v = min(sub, prev[j] + 1, cur[j - 1] + 1)
        cur[j] = v
        if v < rowMin { rowMin = v }
      }
      if rowMin > limit { return nil }
      swap(&prev, &cur)
    }
    let d = prev[b.count]
    return d <= limit ? d : nil
  }

  /// The score of a distance between sequences of these lengths.
  public static func score(distance: Int, _ la: Int, _ lb: Int) -> Double {
    let m = max(la, lb)
    if m == 0 { return 100 }
    return 100 * Double(m - distance) / Double(m)
  }

  /// Which positions of `b` are not matched one to one with an equal token
  /// of `a` in a minimal alignment: the words to mark as different.
  public static func unmatched<T: Equatable>(_ a: [T], in b: [T]) -> Set<Int> {
    let n = a.count, m = b.count
    if m == 0 { return [] }
    if n == 0 { return Set(0..<m) }
    var d = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
    for i in 0...n { d[i][0] = i }
    for j in 0...m { d[0][j] = j }
    for i in 1...n {
      for j in 1...m {
        d[i][j] = min(d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1), d[i - 1][j] + 1, d[i][j - 1] + 1)
      }
    }
    var out = Set<Int>()
    var i = n, j = m
    while i > 0 || j > 0 {
      if i > 0, j > 0, a[i - 1] == b[j - 1], d[i][j] == d[i - 1][j - 1] {
        i -= 1; j -= 1
      } else if i > 0, j > 0, d[i][j] == d[i - 1][j - 1] + 1 {
        out.insert(j - 1); i -= 1; j -= 1
      } else if j > 0, d[i][j] == d[i][j - 1] + 1 {
        out.insert(j - 1); j -= 1
      } else {
        i -= 1
      }
    }
    return out
  }

  /// Character-level similarity in [0, 1] (1 − distance / longer length),
  /// used only to order matches whose token scores tie.
  public static func characterSimilarity(_ a: String, _ b: String) -> Double {
    let x = Array(a.unicodeScalars.prefix(400)), y = Array(b.unicodeScalars.prefix(400))
    let m = max(x.count, y.count)
    if m == 0 { return 1 }
    let d = distance(x, y) ?? m
    return Double(m - d) / Double(m)
  }
}

/// Reusable buffers for the inner loop of fuzzy search.
struct DistanceScratch {
  var prev: [Int32] = []
  var cur: [Int32] = []

  /// Token distance between `a` (the query) and `b`, or nil above `limit`.
  mutating func distance(_ a: [UInt32], _ b: UnsafeBufferPointer<UInt32>, limit: Int) -> Int? {
    let n = a.count, m = b.count
    if abs(n - m) > limit { return nil }
    if n == 0 { return m <= limit ? m : nil }
    if m == 0 { return n <= limit ? n : nil }
    if prev.count < m + 1 {
      prev = [Int32](repeating: 0, count: m + 1)
      cur = [Int32](repeating: 0, count: m + 1)
    }
    let lim = Int32(limit)
    return prev.withUnsafeMutableBufferPointer { pp -> Int? in
      cur.withUnsafeMutableBufferPointer { cp -> Int? in
        var p = pp.baseAddress!, c = cp.baseAddress!
        for j in 0...m { p[j] = Int32(j) }
        for i in 1...n {
          c[0] = Int32(i)
          var rowMin = Int32(i)
          let ai = a[i - 1]
          for j in 1...m {
            var v = p[j - 1] + (ai == b[j - 1] ? 0 : 1)
            let up = p[j] + 1
            if up < v { v = up }
            let left = c[j - 1] + 1
            if left < v { v = left }
            c[j] = v
            if v < rowMin { rowMin = v }
          }
          if rowMin > lim { return nil }
          swap(&p, &c)
        }
        let d = Int(p[m])
        return d <= limit ? d : nil
      }
    }
  }
}

/// The fuzzy score of `tm lookup`: a translator's measure of how much of a
/// stored segment can be reused for the query.
///
/// `score = tokenShare × tokenScore + (1 − tokenShare) × characterScore`
///
/// - `tokenScore = 100 × (1 − D / max(W(query), W(stored)))`, where `W` sums
///   the weights of a side's ``ScoreToken``s (word and number 1, placeholder
///   ``placeholderWeight``, accelerator mark ``mnemonicWeight``, punctuation
///   mark ``punctuationWeight``) and `D` is the weighted token edit distance:
///   deleting or inserting a token costs its weight, substituting a token of
///   the same kind costs the larger weight, except that two words cost only
///   `min(1, wordGrading × (1 − s))` where `s` is their character similarity
///   (`file`/`files` ≈ 0.44, not 1), and two different placeholders
///   ``placeholderSubstitution`` (`%s`/`%d`); a token of another kind costs
///   deletion plus insertion.
/// - `characterScore = 100 × 2·LCS / (|a| + |b|)` (the Indel ratio that
///   rapidfuzz's `fuzz.ratio` computes) over the two keys' characters.
///
/// The token part keeps whole words as the unit a translator edits; the
/// character part separates the many ties token counts give on short UI
/// strings and rewards a shared stem.
public struct FuzzyScore: Sendable {
  public var placeholderWeight = 1.0
  public var mnemonicWeight = 0.25
  public var punctuationWeight = 0.3
  public var placeholderSubstitution = 0.5
  public var wordGrading = 4.0
  public var tokenShare = 0.4

  public init() {}

  /// The weights and shares `tm lookup` uses.
  public static let standard = FuzzyScore()

  func weight(_ k: ScoreToken.Kind) -> Double {
    switch k {
    case .word, .number: return 1
    case .placeholder: return placeholderWeight
    case .mnemonic: return mnemonicWeight
    case .punctuation: return punctuationWeight
    }
  }

  func substitution(_ a: ScoreToken, _ b: ScoreToken, _ wa: Double, _ wb: Double) -> Double {
    if a.kind != b.kind { return wa + wb }
    if a.key == b.key { return 0 }
    switch a.kind {
    case .word:
      let s = TokenDistance.scalarIndelSimilarity(a.key, b.key)
      return min(1, wordGrading * (1 - s))
    case .placeholder: return placeholderSubstitution * max(wa, wb)
    default: return max(wa, wb)
    }
  }

  /// The weighted token edit distance and both sides' total weights.
  public func tokenDistance(_ a: [ScoreToken], _ b: [ScoreToken]) -> (distance: Double, weightA: Double, weightB: Double) {
    let wa = a.map { weight($0.kind) }, wb = b.map { weight($0.kind) }
    let ta = wa.reduce(0, +), tb = wb.reduce(0, +)
    if a.isEmpty || b.isEmpty { return (max(ta, tb), ta, tb) }
    var prev = [Double](repeating: 0, count: b.count + 1)
    for j in 0..<b.count { prev[j + 1] = prev[j] + wb[j] }
    var cur = prev
    for i in 0..<a.count {
      cur[0] = prev[0] + wa[i]
      for j in 0..<b.count {
        let sub = prev[j] + substitution(a[i], b[j], wa[i], wb[j])
        cur[j + 1] = min(sub, prev[j + 1] + wa[i], cur[j] + wb[j])
      }
      swap(&prev, &cur)
    }
    return (prev[b.count], ta, tb)
  }

  /// `tokenDistance` for one query `a` against many stored segments: the
  /// substitution costs of a stored word against every query token are
  /// computed once per distinct word and kept in `rows` (same results).
  public func tokenDistance(_ a: [ScoreToken], _ b: [ScoreToken], rows: inout [String: [Double]]) -> (
    distance: Double, weightA: Double, weightB: Double
  ) {
    let wa = a.map { weight($0.kind) }, wb = b.map { weight($0.kind) }
    let ta = wa.reduce(0, +), tb = wb.reduce(0, +)
    if a.isEmpty || b.isEmpty { return (max(ta, tb), ta, tb) }
    let na = a.count, nb = b.count
    // The substitution costs in one flat table, query token `i` against
    // stored token `j` at `i * nb + j` (the inner loop reads a row in
    // order; no optional row per stored token).
    var cost = [Double](repeating: 0, count: na * nb)
    for j in 0..<nb {
      if b[j].kind == .word {
        let r: [Double]
        if let x = rows[b[j].key] {
          r = x
        } else {
          r = a.indices.map { a[$0].kind == .word ? substitution(a[$0], b[j], wa[$0], wb[j]) : wa[$0] + wb[j] }
          rows[b[j].key] = r
        }
        for i in 0..<na { cost[i * nb + j] = r[i] }
      } else {
        for i in 0..<na { cost[i * nb + j] = substitution(a[i], b[j], wa[i], wb[j]) }
      }
    }
    var prev = [Double](repeating: 0, count: nb + 1)
    for j in 0..<nb { prev[j + 1] = prev[j] + wb[j] }
    var cur = prev
    var d = prev[nb]
    cost.withUnsafeBufferPointer { cb in
      wb.withUnsafeBufferPointer { wbp in
        prev.withUnsafeMutableBufferPointer { pp in
          cur.withUnsafeMutableBufferPointer { cp in
            guard var p = pp.baseAddress, var c = cp.baseAddress, let w = wbp.baseAddress, let k = cb.baseAddress
            else { return }
            for i in 0..<na {
              let wai = wa[i]
              let row = k + i * nb
              c[0] = p[0] + wai
              for j in 0..<nb {
                let sub = p[j] + row[j]
                c[j + 1] = min(sub, p[j + 1] + wai, c[j] + w[j])
              }
              swap(&p, &c)
            }
            d = p[nb]
          }
        }
      }
    }
    return (d, ta, tb)
  }

  /// `score` with the substitution rows of `tokenDistance(_:_:rows:)`.
  public func score(tokens a: [ScoreToken], _ b: [ScoreToken], characterScore c: Double, rows: inout [String: [Double]])
    -> Double
  {
    let (d, ta, tb) = tokenDistance(a, b, rows: &rows)
    let m = max(ta, tb)
    let t = m == 0 ? 100 : max(0, 100 * (1 - d / m))
    return tokenShare * t + (1 - tokenShare) * c
  }

  /// 0–100 over the token sequences.
  public func tokenScore(_ a: [ScoreToken], _ b: [ScoreToken]) -> Double {
    let (d, ta, tb) = tokenDistance(a, b)
    let m = max(ta, tb)
    if m == 0 { return 100 }
    return max(0, 100 * (1 - d / m))
  }

  /// The combined score, 0–100.
  public func score(tokens a: [ScoreToken], _ b: [ScoreToken], characterScore c: Double) -> Double {
    tokenShare * tokenScore(a, b) + (1 - tokenShare) * c
  }

  /// The form the character part compares: the key's scalars (folded,
  /// NFKC, accelerator marks left out), punctuation and spaces included.
  public static func characterKey(_ key: String) -> [Unicode.Scalar] {
    Array(key.unicodeScalars)
  }
}

extension TokenDistance {
  /// 2·LCS / (|a| + |b|) in [0, 1] (1 when both are empty).
  public static func indelSimilarity<T: Hashable>(_ a: [T], _ b: [T]) -> Double {
    if a.isEmpty && b.isEmpty { return 1 }
    let lcs = LCSPattern(a).lcs(b)
    return 2 * Double(lcs) / Double(a.count + b.count)
  }
}

extension TokenDistance {
  /// `indelSimilarity` over the Unicode scalars of two strings, without
  /// building arrays or a mask table when one of them has at most 64
  /// scalars (a word): the single-word bit-parallel LCS, each character's
  /// match mask found by scanning the short side.
  public static func scalarIndelSimilarity(_ a: String, _ b: String) -> Double {
    // Both ASCII (an en word): the bytes are the scalars.
    if let r = a.utf8.withContiguousStorageIfAvailable({ x in
      b.utf8.withContiguousStorageIfAvailable { y in asciiIndelSimilarity(x, y) } ?? nil
    }) ?? nil {
      return r
    }
    let la = a.unicodeScalars.count, lb = b.unicodeScalars.count
    if la == 0 && lb == 0 { return 1 }
    let (p, t, lp) = la <= lb ? (a, b, la) : (b, a, lb)
    guard lp <= 64 else { return indelSimilarity(Array(a.unicodeScalars), Array(b.unicodeScalars)) }
    if lp == 0 { return 0 }
    var v: UInt64 = ~0
    for c in t.unicodeScalars {
      var pm: UInt64 = 0
      var bit: UInt64 = 1
      for x in p.unicodeScalars {
        if x == c { pm |= bit }
        bit &<<= 1
      }
      if pm == 0 { continue }
      v = (v &+ (v & pm)) | (v & ~pm)
    }
    let mask: UInt64 = lp == 64 ? ~0 : (1 << UInt64(lp)) - 1
    let lcs = (~v & mask).nonzeroBitCount
    return 2 * Double(lcs) / Double(la + lb)
  }
}

extension TokenDistance {
  /// `scalarIndelSimilarity` of two ASCII byte strings (nil when either is
  /// not ASCII or the shorter is longer than 64).
  static func asciiIndelSimilarity(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Double? {
    let (p, t) = a.count <= b.count ? (a, b) : (b, a)
    if p.count > 64 { return nil }
    for c in a where c >= 0x80 { return nil }
    for c in b where c >= 0x80 { return nil }
    if a.isEmpty && b.isEmpty { return 1 }
    if p.isEmpty { return 0 }
    var v: UInt64 = ~0
    for c in t {
      var pm: UInt64 = 0
      for (k, x) in p.enumerated() where x == c { pm |= 1 << UInt64(k) }
      if pm == 0 { continue }
      v = (v &+ (v & pm)) | (v & ~pm)
    }
    let mask: UInt64 = p.count == 64 ? ~0 : (1 << UInt64(p.count)) - 1
    return 2 * Double((~v & mask).nonzeroBitCount) / Double(a.count + b.count)
  }
}

/// ``LCSPattern`` over Unicode scalars with the masks of U+0000–U+04FF
/// (ASCII, Latin, Cyrillic: nearly every character of an az/ru/en key) in a
/// flat table instead of a dictionary; other scalars go through one.
struct ScalarLCSPattern {
  static let direct = 0x500
  let count: Int
  let words: Int
  var table: [UInt64]
  var other: [Unicode.Scalar: [UInt64]] = [:]

  init(_ pattern: [Unicode.Scalar]) {
    count = pattern.count
    words = max(1, (pattern.count + 63) / 64)
    table = [UInt64](repeating: 0, count: Self.direct * words)
    for (i, c) in pattern.enumerated() {
      let bit: UInt64 = 1 << UInt64(i & 63)
      if Int(c.value) < Self.direct {
        table[Int(c.value) * words + i >> 6] |= bit
      } else {
        var m = other[c] ?? [UInt64](repeating: 0, count: words)
        m[i >> 6] |= bit
        other[c] = m
      }
    }
  }

  @inline(__always)
  static func step(_ v: inout [UInt64], _ pm: UnsafePointer<UInt64>, _ words: Int) {
    var carry: UInt64 = 0
    for w in 0..<words {
      let u = v[w] & pm[w]
      let (s1, o1) = v[w].addingReportingOverflow(u)
      let (s2, o2) = s1.addingReportingOverflow(carry)
      carry = (o1 || o2) ? 1 : 0
      v[w] = s2 | (v[w] & ~pm[w])
    }
  }

  func lcs(_ text: [Unicode.Scalar]) -> Int {
    if count == 0 || text.isEmpty { return 0 }
    var v = [UInt64](repeating: ~0, count: words)
    for c in text {
      let idx = Int(c.value)
      if idx < Self.direct {
        table.withUnsafeBufferPointer { tb in Self.step(&v, tb.baseAddress! + idx * words, words) }
      } else if let pm = other[c] {
        pm.withUnsafeBufferPointer { Self.step(&v, $0.baseAddress!, words) }
      }
    }
    var zeros = 0
    for w in 0..<words {
      let bits = w == words - 1 && count & 63 != 0 ? count & 63 : 64
      let mask: UInt64 = bits == 64 ? ~0 : (1 << UInt64(bits)) - 1
      zeros += (~v[w] & mask).nonzeroBitCount
    }
    return zeros
  }
}

extension ScalarLCSPattern {
  /// `lcs` over the scalars of valid UTF-8 (a `String`'s), and how many
  /// scalars it holds: the same as `lcs(Array(string.unicodeScalars))`
  /// without building the array.
  func lcs(utf8 s: UnsafeBufferPointer<UInt8>) -> (lcs: Int, scalars: Int) {
    var scalars = 0
    var v = [UInt64](repeating: ~0, count: words)
    let n = s.count
    var i = 0
    table.withUnsafeBufferPointer { tb in
      guard let tbase = tb.baseAddress else { return }
      while i < n {
        let b0 = UInt32(s[i])
        var c: UInt32
        if b0 < 0x80 {
          c = b0
          i += 1
        } else if b0 < 0xE0, i + 1 < n {
          c = (b0 & 0x1F) << 6 | UInt32(s[i + 1] & 0x3F)
          i += 2
        } else if b0 < 0xF0, i + 2 < n {
          c = (b0 & 0x0F) << 12 | UInt32(s[i + 1] & 0x3F) << 6 | UInt32(s[i + 2] & 0x3F)
          i += 3
        } else if i + 3 < n {
          c = (b0 & 0x07) << 18 | UInt32(s[i + 1] & 0x3F) << 12 | UInt32(s[i + 2] & 0x3F) << 6
            | UInt32(s[i + 3] & 0x3F)
          i += 4
        } else {
          break
        }
        scalars += 1
        if count == 0 { continue }
        if c < UInt32(Self.direct) {
          Self.step(&v, tbase + Int(c) * words, words)
        } else if let u = Unicode.Scalar(c), let pm = other[u] {
          pm.withUnsafeBufferPointer { p in if let pb = p.baseAddress { Self.step(&v, pb, words) } }
        }
      }
    }
    if count == 0 { return (0, scalars) }
    var zeros = 0
    for w in 0..<words {
      let bits = w == words - 1 && count & 63 != 0 ? count & 63 : 64
      let mask: UInt64 = bits == 64 ? ~0 : (1 << UInt64(bits)) - 1
      zeros += (~v[w] & mask).nonzeroBitCount
    }
    return (zeros, scalars)
  }
}

/// Bit-parallel longest common subsequence (Hyyrö 2004): one pattern, many
/// texts, O(⌈|pattern| / 64⌉ × |text|) per text.
struct LCSPattern<T: Hashable> {
  let count: Int
  let words: Int
  var masks: [T: [UInt64]] = [:]

  init(_ pattern: [T]) {
    count = pattern.count
    words = max(1, (pattern.count + 63) / 64)
    for (i, c) in pattern.enumerated() {
      var m = masks[c] ?? [UInt64](repeating: 0, count: words)
      m[i >> 6] |= 1 << UInt64(i & 63)
      masks[c] = m
    }
  }

  func lcs<C: Collection>(_ text: C) -> Int where C.Element == T {
    if count == 0 || text.isEmpty { return 0 }
    var v = [UInt64](repeating: ~0, count: words)
    for c in text {
      guard let pm = masks[c] else { continue }
      var carry: UInt64 = 0
      for w in 0..<words {
        let u = v[w] & pm[w]
        let (s1, o1) = v[w].addingReportingOverflow(u)
        let (s2, o2) = s1.addingReportingOverflow(carry)
        carry = (o1 || o2) ? 1 : 0
        v[w] = s2 | (v[w] & ~pm[w])
      }
    }
    var zeros = 0
    for w in 0..<words {
      let bits = w == words - 1 && count & 63 != 0 ? count & 63 : 64
      let mask: UInt64 = bits == 64 ? ~0 : (1 << UInt64(bits)) - 1
      zeros += (~v[w] & mask).nonzeroBitCount
    }
    return zeros
  }
}
