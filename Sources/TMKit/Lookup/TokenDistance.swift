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
