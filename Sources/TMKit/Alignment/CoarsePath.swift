#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where the path of a long alignment runs, found coarse to fine (the
/// approach of vecalign, Thompson & Koehn 2019), before the full model
/// searches a narrow band around it.
///
/// The documents are cut into blocks of `b` lines (b = 4, 16, 64, ... up to
/// the smallest size at which the whole block matrix has at most
/// `fullCells` cells). At the coarsest size the whole matrix is searched;
/// at each finer size only a band of ±`width` blocks around the path of the
/// size above. A block is compared to a block by
///
/// - its content: a 2048-bit signature of the content features of its lines
///   (names and cognates through cross-script keys, numbers by value), the
///   overlap of two signatures corrected for chance
///   (`(I - E) / (min(A, B) - E)`, `E = A·B/2048`);
/// - its length: the Gale–Church cost of the two blocks' characters.
///
/// A bead of blocks costs, per line matched, `unrelated - related · overlap`
/// (a line pair with no shared content costs more than half of leaving both
/// lines out), and `null` per line left without a counterpart. So a path that
/// leaves the diagonal to reach another copy of a recurring passage pays
/// `null` for every line it jumps over: it never does unless the lines in
/// between really have no counterpart; and swapped halves give one long
/// 0-1 run and one long 1-0 run instead of a diagonal of unrelated pairs.
///
/// Time and memory: the coarsest search has at most `fullCells` cells; each
/// finer size has (rows at that size) × (2·width + 1 + the path's own jumps)
/// cells, and the sizes shrink by 4, so the whole costs O(n · width) plus
/// `fullCells`. There is no widening.
struct CoarsePath {
  static let words = 32
  static let bits = words * 64
  /// Cost per matched line pair of two blocks with nothing in common.
  static let unrelated = 8.0
  /// ... and of two blocks with nothing to compare.
  static let uninformed = 3.0
  /// Rare features per line at which a block's signature counts fully.
  static let featuresPerLine = 0.25
  /// What full content agreement takes off that cost.
  static let related = 8.0
  /// Cost per line left out (the fine model's -log P(1-0)).
  static let null = -log(0.015)
  static let fullCells = 40_000
  static let width = 6
  /// The finest block size (lines).
  static let finest = 4

  /// Per line: its length and the signature bit positions of its features.
  var srcLength: [Double]
  var tgtLength: [Double]
  var srcBits: Pool<UInt16>
  var tgtBits: Pool<UInt16>
  var ratio: Double

  init(src: FeatureTable, tgt: FeatureTable, n: Int, m: Int, ratio: Double) {
    srcLength = Array(src.length.prefix(n))
    tgtLength = Array(tgt.length.prefix(m))
    (srcBits, tgtBits) = Self.bits(src, n, tgt, m)
    self.ratio = ratio
  }

  /// The signature bits of each line of both sides: one per content
  /// feature that occurs on both sides (a feature only one side has can
  /// match nothing: the capitalised first word of an English sentence) and
  /// is rare on each, in at most 0.2% of its lines (at least 3). A feature
  /// that recurs all over the document (a word of every article, a number
  /// of every heading) says nothing about where a block belongs, and in a
  /// document that repeats itself it would make every copy look alike.
  static func bits(_ a: FeatureTable, _ n: Int, _ b: FeatureTable, _ m: Int) -> (Pool<UInt16>, Pool<UInt16>) {
    func hashes(_ t: FeatureTable, _ count: Int) -> ([[UInt32]], [UInt32: Int32]) {
      var out: [[UInt32]] = []
      out.reserveCapacity(count)
      var freq: [UInt32: Int32] = [:]
      for i in 0..<count {
        var line: [UInt32] = []
        for k in Int(t.names.start[i])..<Int(t.names.start[i + 1]) { line.append(t.names.values[k] &* 0x9E37_79B1) }
        for k in Int(t.cognates.start[i])..<Int(t.cognates.start[i + 1]) {
          line.append((t.cognates.values[k] ^ 0x5bd1_e995) &* 0x85EB_CA6B)
        }
        for k in Int(t.numbers.start[i])..<Int(t.numbers.start[i + 1]) {
          let v = t.numbers.values[k].bitPattern
          line.append(UInt32(truncatingIfNeeded: v ^ (v >> 29)) &* 0xC2B2_AE35)
        }
        for h in Set(line) { freq[h, default: 0] += 1 }
        out.append(line)
      }
      return (out, freq)
    }
    let (ha, fa) = hashes(a, n)
    let (hb, fb) = hashes(b, m)
    let la = Int32(max(3, n / 500))
    let lb = Int32(max(3, m / 500))
    func keep(_ h: UInt32) -> Bool {
      guard let x = fa[h], let y = fb[h] else { return false }
      return x <= la && y <= lb
    }
    func pool(_ hs: [[UInt32]]) -> Pool<UInt16> {
      var out = Pool<UInt16>()
      out.values.reserveCapacity(hs.count * 4)
      out.start.reserveCapacity(hs.count + 1)
      var bits: [UInt16] = []
      for line in hs {
        bits.removeAll(keepingCapacity: true)
        for h in line where keep(h) { bits.append(bit(h)) }
        out.append(bits)
      }
      return out
    }
    return (pool(ha), pool(hb))
  }

  @inline(__always) static func bit(_ h: UInt32) -> UInt16 { UInt16(truncatingIfNeeded: (h >> 7) % UInt32(bits)) }

  /// Blocks of `b` lines of one side: character totals, line counts and
  /// signatures (`words` words each).
  struct Blocks {
    var length: [Double] = []
    var lines: [Int] = []
    var sig: [UInt64] = []
    var pop: [Int] = []
    /// The signature of the block with its two neighbours (a window of
    /// three blocks), so that a block whose counterpart straddles two blocks
    /// of the other side is still found whole.
    var wide: [UInt64] = []
    var count: Int { lines.count }

    init(_ len: [Double], _ bits: Pool<UInt16>, _ b: Int) {
      let n = len.count
      let c = (n + b - 1) / b
      length = [Double](repeating: 0, count: c)
      lines = [Int](repeating: 0, count: c)
      sig = [UInt64](repeating: 0, count: c * CoarsePath.words)
      pop = [Int](repeating: 0, count: c)
      for i in 0..<n {
        let k = i / b
        length[k] += len[i]
        lines[k] += 1
        for x in Int(bits.start[i])..<Int(bits.start[i + 1]) {
          let v = Int(bits.values[x])
          sig[k * CoarsePath.words + v >> 6] |= 1 << UInt64(v & 63)
        }
      }
      let W = CoarsePath.words
      wide = [UInt64](repeating: 0, count: c * W)
      for k in 0..<c {
        var p = 0
        for w in 0..<W {
          p += sig[k * W + w].nonzeroBitCount
          var x = sig[k * W + w]
          if k > 0 { x |= sig[(k - 1) * W + w] }
          if k + 1 < c { x |= sig[(k + 1) * W + w] }
          wide[k * W + w] = x
        }
        pop[k] = p
      }
    }
  }

  /// The center of the band for the fine search: for each source line
  /// boundary 0...n, the target boundary the coarse path passes.
  func center() -> [Int] {
    let n = srcLength.count
    let m = tgtLength.count
    var sizes: [Int] = []
    var b = Self.finest
    while true {
      sizes.append(b)
      let cells = ((n + b - 1) / b + 1) * ((m + b - 1) / b + 1)
      if cells <= Self.fullCells || b >= max(n, m) { break }
      b *= 4
    }
    // Coarsest first; `points` are (source line, target line) corners.
    var points: [(Int, Int)] = []
    for (level, b) in sizes.reversed().enumerated() {
      let sb = Blocks(srcLength, srcBits, b)
      let tb = Blocks(tgtLength, tgtBits, b)
      let band: Band
      if level == 0 {
        band = Band(center: [Int](repeating: 0, count: sb.count + 1), width: tb.count + 1, m: tb.count)
      } else {
        band = Band(center: Self.interpolate(points, rows: n, m: m, step: b), width: Self.width, m: tb.count, reach: 4)
      }
      points = search(sb, tb, band, b)
    }
    return Self.interpolate(points, rows: n, m: m, step: 1)
  }

  /// The piecewise-linear path through `points` (line coordinates), sampled
  /// at every `step` source lines, in units of `step` target lines.
  static func interpolate(_ points: [(Int, Int)], rows n: Int, m: Int, step: Int) -> [Int] {
    let rows = (n + step - 1) / step
    let cols = (m + step - 1) / step
    var out = [Int](repeating: 0, count: rows + 1)
    var k = 0
    for r in 0...rows {
      let i = min(n, r * step)
      while k + 1 < points.count && points[k + 1].0 < i { k += 1 }
      var j = Double(points[k].1)
      if k + 1 < points.count {
        let (i0, j0) = points[k]
        let (i1, j1) = points[k + 1]
        // Within a vertical run (a 0-1 stretch) take its middle.
        j = i1 == i0 ? Double(j0 + j1) / 2 : Double(j0) + Double(j1 - j0) * Double(i - i0) / Double(i1 - i0)
      }
      out[r] = min(cols, max(0, Int((j / Double(step)).rounded())))
    }
    out[rows] = cols
    return out
  }

  static let types: [(Int, Int)] = [(1, 1), (1, 0), (0, 1), (2, 1), (1, 2)]

  /// Best path over blocks in `band`; returns its corners in line units.
  func search(_ s: Blocks, _ t: Blocks, _ band: Band, _ b: Int) -> [(Int, Int)] {
    let n = s.count
    let m = t.count
    let inf = Double.greatestFiniteMagnitude
    var cost = [Double](repeating: inf, count: band.cells)
    var back = [UInt8](repeating: 255, count: band.cells)
    cost[0] = 0
    let W = Self.words
    for i in 0...n {
      let lo = band.lo[i]
      let hi = band.hi[i]
      let base = band.offset[i]
      for j in lo...hi {
        if i == 0 && j == 0 { continue }
        var best = inf
        var bestT: UInt8 = 255
        for (k, (di, dj)) in Self.types.enumerated() {
          let pi = i - di
          let pj = j - dj
          if pi < 0 || pj < 0 || pj < band.lo[pi] || pj > band.hi[pi] { continue }
          let prev = cost[band.offset[pi] + pj - band.lo[pi]]
          if prev == inf { continue }
          var c: Double
          if di == 0 || dj == 0 {
            c = Self.null * Double(di == 0 ? t.lines[pj] : s.lines[pi])
          } else {
            // Lines, characters and signature of each side of the bead.
            var ls = s.lines[pi]
            var cs = s.length[pi]
            var lt = t.lines[pj]
            var ct = t.length[pj]
            if di == 2 {
              ls += s.lines[pi + 1]
              cs += s.length[pi + 1]
            }
            if dj == 2 {
              lt += t.lines[pj + 1]
              ct += t.length[pj + 1]
            }
            // How much of each side's content is found in a window of the
            // other side around it (chance-corrected), averaged.
            var ia = 0
            var ib = 0
            var pa = 0
            var pb = 0
            var pwa = 0
            var pwb = 0
            let sa = pi * W
            let sb = pj * W
            for w in 0..<W {
              var x = s.sig[sa + w]
              var xw = s.wide[sa + w]
              if di == 2 {
                x |= s.sig[sa + W + w]
                xw |= s.wide[sa + W + w]
              }
              var y = t.sig[sb + w]
              var yw = t.wide[sb + w]
              if dj == 2 {
                y |= t.sig[sb + W + w]
                yw |= t.wide[sb + W + w]
              }
              ia += (x & yw).nonzeroBitCount
              ib += (xw & y).nonzeroBitCount
              pa += x.nonzeroBitCount
              pb += y.nonzeroBitCount
              pwa += xw.nonzeroBitCount
              pwb += yw.nonzeroBitCount
            }
            let matched = Double(min(ls, lt))
            c = matched * Self.matchCost(ia, ib, pa, pb, pwa, pwb, matched) + Self.null * Double(abs(ls - lt))
            c += lengthCost(cs, ct)
          }
          let total = prev + c
          if total < best {
            best = total
            bestT = UInt8(k)
          }
        }
        cost[base + j - lo] = best
        back[base + j - lo] = bestT
      }
    }
    // Corners, in line units (a block's first line is k·b).
    var points: [(Int, Int)] = []
    var i = n
    var j = m
    let srcLines = srcLength.count
    let tgtLines = tgtLength.count
    while i > 0 || j > 0 {
      points.append((min(srcLines, i * b), min(tgtLines, j * b)))
      let k = Int(back[band.offset[i] + j - band.lo[i]])
      if k == 255 { break }
      i -= Self.types[k].0
      j -= Self.types[k].1
    }
    points.append((0, 0))
    return points.reversed()
  }

  /// Cost per matched line pair of two blocks with `pa` and `pb` signature
  /// bits (`pwa`, `pwb` with their neighbours), `ia` bits of the source
  /// block found in the target window and `ib` the other way round:
  /// `uninformed` when neither carries a rare feature, rising to
  /// `unrelated` when one carries enough (one per `featuresPerLine` lines)
  /// and they share none (a block of unique numbers against one without
  /// any is evidence too), falling by `related` times the chance-corrected
  /// containment.
  @inline(__always)
  static func matchCost(_ ia: Int, _ ib: Int, _ pa: Int, _ pb: Int, _ pwa: Int, _ pwb: Int, _ matched: Double) -> Double {
    guard pa > 0 || pb > 0 else { return uninformed }
    func contained(_ i: Int, _ p: Int, _ pw: Int) -> Double {
      if p == 0 { return 0 }
      let e = Double(p) * Double(pw) / Double(bits)
      return min(1, max(-0.5, (Double(i) - e) / max(1, Double(p) - e)))
    }
    let overlap = (contained(ia, pa, pwb) + contained(ib, pb, pwa)) / 2
    let info = min(1, Double(max(pa, pb)) / (featuresPerLine * matched))
    return uninformed + info * (unrelated - uninformed - related * overlap)
  }

  @inline(__always)
  func lengthCost(_ ls: Double, _ lt: Double) -> Double { Aligner.lengthCost(ls, lt, ratio: ratio) }
}
