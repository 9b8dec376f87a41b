#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif
import Dispatch

/// A bead: consecutive source segments that translate consecutive target
/// segments (either side may be empty: 1-0, 0-1).
public struct Bead: Sendable, Hashable {
  /// Indices into the source segment array given to the aligner.
  public var source: Range<Int>
  /// Indices into the target segment array.
  public var target: Range<Int>
  /// Confidence in [0, 1]; 0 for 1-0 and 0-1 beads.
  public var score: Double

  public init(source: Range<Int>, target: Range<Int>, score: Double) {
    self.source = source
    self.target = target
    self.score = score
  }

  /// "1-1", "2-1", "0-1"...
  public var kind: String { "\(source.count)-\(target.count)" }
}

/// The result of an alignment, with what a user should know about it.
public struct Alignment: Sendable {
  public var beads: [Bead]
  /// Target characters per source character used for the length model.
  public var lengthRatio: Double
  /// Things worth a warning (length ratio far from the language pair's).
  public var notes: [String]
}

/// Sentence alignment for az, az-Cyrl, ru and en.
///
/// A dynamic programme over beads 1-1, 1-0, 0-1, 2-1, 1-2 and 2-2 (Gale &
/// Church's bead set plus 2-2), minimising a cost per bead that is the sum of
///
/// - the bead type's prior, `-log P(type)`;
/// - the Gale–Church length cost `-log 2(1 - Φ(|δ|))`, with
///   `δ = (lt/c - ls) / sqrt(s² · (ls + lt/c)/2)`, `c` the target characters per
///   source character for this language pair, re-estimated on the document
///   when the document agrees with the pair's figure;
/// - minus the lexical evidence: numbers compared by value, names and
///   cognates through cross-script keys, a dictionary learned from memories,
///   punctuation. Each kind is capped (`Evidence`), so that no single kind,
///   say a run of numbered headings, can drag the path off (hunalign #2);
/// - paragraph agreement: when both documents have comparable paragraph
///   structure, a bead that starts a paragraph on one side only, or merges
///   across a paragraph break, pays a penalty.
///
/// The search runs in a band around the length diagonal, widened around the
/// path found whenever the path comes near the band's edge, so time and
/// memory are linear in the document length times the band width.
///
/// A bead's score is the product of two confidences: the bead's own,
/// `1 / (1 + exp(q - 2))` where `q` is its cost without the type prior
/// (length cost + paragraph penalty - evidence), and that of its two
/// boundaries, `1 / (1 + exp(1 - margin))` where `margin` is how much more the
/// best path that avoids the boundary costs (the smaller of the two). A bead
/// that fits but could as well have taken its neighbour in scores low.
public final class Aligner {
  public let sourceLanguage: Language
  public let targetLanguage: Language
  private let sourceExtractor: FeatureExtractor
  private let targetExtractor: FeatureExtractor
  private let sourceDictionary: [String: [String]]
  /// Up to this many cells the search covers the whole matrix; above it, a
  /// band of ±`band` segments around the coarse path.
  var fullSearchCells = 250_000.0
  /// Half-width of the band of the fine search around the coarse path.
  var band = 24
  /// See `Model.cacheCells` (tests set it to 0 to exercise the recomputation).
  var cacheCells = 20_000_000

  /// Characters of each language relative to English for the same content,
  /// measured on the UDHR (1-1 gold beads, all four texts).
  static let lengthFactor: [Language: Double] = [.en: 1.0, .az: 1.013, .azCyrl: 1.014, .ru: 1.10]
  /// Variance of the length difference per character (UDHR: 1.4–2.3;
  /// set higher for less literal translations).
  static let variance = 4.0

  /// Gale-Church length cost of pairing `ls` source characters with `lt`
  /// target characters at the calibrated `ratio`: −log of the two-sided
  /// normal tail of the length difference (capped at 27.6). The fine search
  /// and the coarse path both use this one.
  @inline(__always)
  static func lengthCost(_ ls: Double, _ lt: Double, ratio: Double) -> Double {
    let t = lt / ratio
    let mean = max((ls + t) / 2, 1)
    let delta = abs(t - ls) / (variance * mean).squareRoot()
    if delta < 0.05 { return 0 }
    let p = erfc(delta / 2.0.squareRoot())
    return p > 1e-12 ? -log(p) : 27.6
  }

  /// The caps on each kind of evidence, in log-probability units.
  public enum Evidence {
    public static let numbers = 3.0
    public static let names = 2.5
    public static let cognates = 2.0
    public static let dictionary = 3.0
    public static let punctuation = 1.2
  }

  // Bead types: (source count, target count, -log prior).
  static let types: [(Int, Int, Double)] = [
    (1, 1, -log(0.89)), (1, 0, -log(0.015)), (0, 1, -log(0.015)),
    (2, 1, -log(0.03)), (1, 2, -log(0.03)), (2, 2, -log(0.005)),
  ]

  /// - Parameter dictionary: source word → target words, both case-folded
  ///   (see `BilingualDictionary`).
  public init(from source: Language, to target: Language, dictionary: BilingualDictionary? = nil) throws {
    sourceLanguage = source
    targetLanguage = target
    sourceDictionary = dictionary?.translations ?? [:]
    sourceExtractor = try FeatureExtractor(language: source, dictionary: sourceDictionary)
    targetExtractor = try FeatureExtractor(language: target)
  }

  /// Aligns two segment lists. `progress` receives values in [0, 1].
  public func align(
    _ source: [AlignSegment], _ target: [AlignSegment], progress: ((Double) -> Void)? = nil
  ) -> Alignment {
    let n = source.count
    let m = target.count
    if n == 0 || m == 0 {
      var beads: [Bead] = []
      for i in 0..<n { beads.append(Bead(source: i..<i + 1, target: 0..<0, score: 0)) }
      for j in 0..<m { beads.append(Bead(source: 0..<0, target: j..<j + 1, score: 0)) }
      return Alignment(beads: beads, lengthRatio: 1, notes: [])
    }
    progress?(0)
    var model = Model(n: n, m: m)
    model.cacheCells = cacheCells
    let (sf, tf) = extractFeatures(source.map(\.text), target.map(\.text))
    progress?(0.1)
    model.src1 = FeatureTable(sf)
    model.tgt1 = FeatureTable(tf)
    model.src2 = FeatureTable((0..<n).map { $0 + 1 < n ? sf[$0].merged(sf[$0 + 1]) : sf[$0] })
    model.tgt2 = FeatureTable((0..<m).map { $0 + 1 < m ? tf[$0].merged(tf[$0 + 1]) : tf[$0] })
    model.srcPara = source.map(\.startsParagraph) + [true]
    model.tgtPara = target.map(\.startsParagraph) + [true]
    model.srcPara[0] = true
    model.tgtPara[0] = true

    // Length ratio: the pair's figure, or the document's when they agree.
    var notes: [String] = []
    let prior = (Self.lengthFactor[targetLanguage] ?? 1) / (Self.lengthFactor[sourceLanguage] ?? 1)
    let sl = model.src1.length.reduce(0, +)
    let tl = model.tgt1.length.reduce(0, +)
    var ratio = prior
    // The document's own ratio once there is enough text to measure it.
    if sl > 0 && tl > 0 {
      let doc = tl / sl
      let agrees = doc > prior / 1.5 && doc < prior * 1.5
      if agrees && sl >= 500 && tl >= 500 { ratio = doc }
      if !agrees && sl + tl >= 1000 {
        notes.append(
          "the target is \(format2(doc / prior)) times as long as expected for \(sourceLanguage)→\(targetLanguage); "
            + "expect many unaligned (1-0/0-1) beads")
      }
    }
    model.ratio = ratio

    // Paragraph evidence only when both sides have comparable paragraphs.
    let ps = model.srcPara.dropLast().filter { $0 }.count
    let pt = model.tgtPara.dropLast().filter { $0 }.count
    if ps > 1 && pt > 1 && !(ps == n && pt == m) {
      let agreement = Double(min(ps, pt)) / Double(max(ps, pt))
      model.paragraphWeight = agreement >= 0.9 ? 2.0 : agreement >= 0.7 ? 0.8 : 0.2
    }

    // Small documents: the whole matrix. Long ones: a band of ±`band`
    // segments around the path that the coarse-to-fine search finds
    // (`CoarsePath`), never widened, so time and memory stay
    // O((n + m) · band).
    let center: [Int]
    var width = band
    if Double(n + 1) * Double(m + 1) <= fullSearchCells {
      center = Self.lengthDiagonal(model)
      width = m + 1
    } else {
      center = CoarsePath(src: model.src1, tgt: model.tgt1, n: n, m: m, ratio: ratio).center()
    }
    let searched = Band(center: center, width: width, m: m, reach: CoarsePath.finest)
    var (path, _, forward, beadCost) = model.search(searched, progress: progress)
    // Confidence of each bead boundary: how much the best path that avoids
    // it costs more (a max-marginal; Viterbi's stand-in for a posterior).
    let band = searched
    let backward = model.backward(band, beadCost)
    beadCost = []
    progress?(1)
    let total = forward[band.cells - 1]
    var beads: [Bead] = []
    beads.reserveCapacity(path.count)
    var startMargin = 20.0
    var si = 0
    var sj = 0
    for (i, j, t) in path {
      let (di, dj, _) = Self.types[t]
      let endMargin = model.boundaryMargin(i, j, band, forward, backward, total: total)
      var score = 0.0
      if di > 0 && dj > 0 {
        let (fit, content) = model.confidence(i - di, di, j - dj, dj)
        let boundary = 1 / (1 + exp(1 - min(startMargin, endMargin)))
        score = fit * content * boundary
      }
      beads.append(Bead(source: si..<i, target: sj..<j, score: (score * 1000).rounded() / 1000))
      startMargin = endMargin
      si = i
      sj = j
    }
    return Alignment(beads: beads, lengthRatio: ratio, notes: notes)
  }

  /// Features of both sides, on all cores for big documents (each worker
  /// has its own ICU objects).
  func extractFeatures(_ s: [String], _ t: [String]) -> ([SegmentFeatures], [SegmentFeatures]) {
    let cores = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    if s.count + t.count < 2000 || cores == 1 {
      return (s.map { sourceExtractor.features($0) }, t.map { targetExtractor.features($0) })
    }
    // Jobs: chunks of either side.
    let chunk = max(500, (s.count + t.count) / (cores * 4))
    var jobs: [(Bool, Range<Int>)] = []
    for lo in stride(from: 0, to: s.count, by: chunk) { jobs.append((true, lo..<min(s.count, lo + chunk))) }
    for lo in stride(from: 0, to: t.count, by: chunk) { jobs.append((false, lo..<min(t.count, lo + chunk))) }
    let slots = ResultSlots<[SegmentFeatures]>(count: jobs.count)
    let jobList = jobs
    let dict = sourceDictionary
    let (sl, tl) = (sourceLanguage, targetLanguage)
    DispatchQueue.concurrentPerform(iterations: jobs.count) { k in
      let (isSource, range) = jobList[k]
      let texts = isSource ? s : t
      guard let ex = try? FeatureExtractor(language: isSource ? sl : tl, dictionary: isSource ? dict : [:]) else { return }
      slots.set(k, range.map { ex.features(texts[$0]) })
    }
    var sf: [SegmentFeatures] = []
    var tf: [SegmentFeatures] = []
    sf.reserveCapacity(s.count)
    tf.reserveCapacity(t.count)
    for (k, (isSource, range)) in jobs.enumerated() {
      // A worker that could not open ICU leaves its slot empty: redo here.
      let ex = isSource ? sourceExtractor : targetExtractor
      let part = slots.get(k) ?? range.map { ex.features((isSource ? s : t)[$0]) }
      if isSource { sf += part } else { tf += part }
    }
    return (sf, tf)
  }

  /// For each source row, the target position at the same fraction of the
  /// text (in characters).
  static func lengthDiagonal(_ model: Model) -> [Int] {
    let n = model.n
    let m = model.m
    var cs = [Double](repeating: 0, count: n + 1)
    for i in 0..<n { cs[i + 1] = cs[i] + model.src1.length[i] + 1 }
    var ct = [Double](repeating: 0, count: m + 1)
    for j in 0..<m { ct[j + 1] = ct[j] + model.tgt1.length[j] + 1 }
    var out = [Int](repeating: 0, count: n + 1)
    var j = 0
    for i in 0...n {
      let f = cs[i] / cs[n] * ct[m]
      while j < m && ct[j + 1] <= f { j += 1 }
      out[i] = j
    }
    out[n] = m
    return out
  }
}

/// One result slot per parallel job; each slot is written by one job only.
final class ResultSlots<T>: @unchecked Sendable {
  private let slots: UnsafeMutablePointer<T?>
  let count: Int

  init(count: Int) {
    self.count = count
    slots = .allocate(capacity: count)
    slots.initialize(repeating: nil, count: count)
  }

  deinit {
    slots.deinitialize(count: count)
    slots.deallocate()
  }

  func set(_ k: Int, _ value: T) { slots[k] = value }
  func get(_ k: Int) -> T? { slots[k] }
}

/// Allowed target range per source row.
struct Band {
  var lo: [Int]
  var hi: [Int]
  var offset: [Int]
  var cells: Int

  /// Row i spans the centers of rows i - reach ... i + reach, ± width: a
  /// jump of the center (a run of 0-1 beads) is open to the `reach` rows
  /// on either side of it, which is how far a coarse path's jump can be
  /// from the true one.
  init(center: [Int], width: Int, m: Int, reach: Int = 1) {
    let rows = center.count
    lo = [Int](repeating: 0, count: rows)
    hi = [Int](repeating: 0, count: rows)
    offset = [Int](repeating: 0, count: rows + 1)
    for i in 0..<rows {
      var a = center[i]
      var b = center[i]
      for k in max(0, i - reach)...min(rows - 1, i + reach) {
        a = min(a, center[k])
        b = max(b, center[k])
      }
      lo[i] = max(0, a - width)
      hi[i] = min(m, b + width)
      // Rows must overlap so that a path always exists.
      if i > 0 {
        lo[i] = min(lo[i], hi[i - 1])
        hi[i - 1] = max(hi[i - 1], lo[i])
      }
    }
    lo[0] = 0
    hi[rows - 1] = m
    for i in 0..<rows { offset[i + 1] = offset[i] + (hi[i] - lo[i] + 1) }
    cells = offset[rows]
  }
}

struct Model {
  var n: Int
  var m: Int
  var src1 = FeatureTable([])
  var src2 = FeatureTable([])
  var tgt1 = FeatureTable([])
  var tgt2 = FeatureTable([])
  var srcPara: [Bool] = []
  var tgtPara: [Bool] = []
  var ratio = 1.0
  var paragraphWeight = 0.0
  /// Bands up to this many cells keep each bead's cost for the backward pass.
  var cacheCells = 20_000_000

  init(n: Int, m: Int) {
    self.n = n
    self.m = m
  }

  /// Dynamic programme in a band. Returns the best path as (i, j, type)
  /// for each bead ending at (i, j), the rows where it touched the band's
  /// edge, the forward costs and the bead costs kept for `backward`.
  func search(_ band: Band, progress: ((Double) -> Void)?) -> ([(Int, Int, Int)], [Int], [Float], [Float]) {
    let inf = Float.greatestFiniteMagnitude
    var cost = [Float](repeating: inf, count: band.cells)
    // Each bead's cost (prior + quality) by its end cell, for the backward pass.
    // (Kept only for bands of up to 20M cells, 480 MB; above, the backward
    // pass recomputes them.)
    let cache = band.cells <= cacheCells
    var beadCost = [Float](repeating: inf, count: cache ? band.cells * 6 : 0)
    var back = [UInt8](repeating: 255, count: band.cells)
    cost[0] = 0
    let types = Aligner.types
    for i in 0...n {
      if i & 1023 == 0, let progress { progress(0.1 + 0.85 * Double(i) / Double(n + 1)) }
      let lo = band.lo[i]
      let hi = band.hi[i]
      let base = band.offset[i]
      for j in lo...hi {
        if i == 0 && j == 0 { continue }
        var best = inf
        var bestT: UInt8 = 255
        let cell = cellCost(i, j)
        for (t, (di, dj, prior)) in types.enumerated() {
          let pi = i - di
          let pj = j - dj
          if pi < 0 || pj < 0 || pj < band.lo[pi] || pj > band.hi[pi] { continue }
          let prev = cost[band.offset[pi] + pj - band.lo[pi]]
          if prev == inf { continue }
          let bc = Float(prior + quality(pi, di, pj, dj))
          if cache { beadCost[(base + j - lo) * 6 + t] = bc }
          let c = prev + bc + Float(cell)
          if c < best {
            best = c
            bestT = UInt8(t)
          }
        }
        cost[base + j - lo] = best
        back[base + j - lo] = bestT
      }
    }
    var path: [(Int, Int, Int)] = []
    var i = n
    var j = m
    var touched: [Int] = []
    let margin = 3
    while i > 0 || j > 0 {
      let t = Int(back[band.offset[i] + j - band.lo[i]])
      if t == 255 { break }
      if (band.lo[i] > 0 && j - band.lo[i] < margin) || (band.hi[i] < m && band.hi[i] - j < margin) {
        touched.append(i)
      }
      path.append((i, j, t))
      i -= types[t].0
      j -= types[t].1
    }
    return (path.reversed(), touched, cost, beadCost)
  }

  /// Best cost from each cell to the end (the mirror of `search`, without
  /// the cell's own paragraph cost, which the forward cost holds).
  func backward(_ band: Band, _ beadCost: [Float]) -> [Float] {
    let inf = Float.greatestFiniteMagnitude
    var cost = [Float](repeating: inf, count: band.cells)
    cost[band.cells - 1] = 0
    let types = Aligner.types
    for i in stride(from: n, through: 0, by: -1) {
      let lo = band.lo[i]
      let hi = band.hi[i]
      let base = band.offset[i]
      for j in stride(from: hi, through: lo, by: -1) {
        if i == n && j == m { continue }
        var best = inf
        for (t, (di, dj, _)) in types.enumerated() {
          let ni = i + di
          let nj = j + dj
          if ni > n || nj > m || nj < band.lo[ni] || nj > band.hi[ni] { continue }
          let k = band.offset[ni] + nj - band.lo[ni]
          let next = cost[k]
          let bc = beadCost.isEmpty ? Float(types[t].2 + quality(i, di, j, dj)) : beadCost[k * 6 + t]
          if next == inf || bc == inf { continue }
          let c = next + bc + Float(cellCost(ni, nj))
          if c < best { best = c }
        }
        cost[base + j - lo] = best
      }
    }
    return cost
  }

  /// How much worse (in nats) the best path is that does not pass through
  /// the boundary (i, j): the other cells of row i and of column j nearby.
  func boundaryMargin(_ i: Int, _ j: Int, _ band: Band, _ fwd: [Float], _ bwd: [Float], total: Float) -> Double {
    if (i == 0 && j == 0) || (i == n && j == m) { return 20 }
    let inf = Float.greatestFiniteMagnitude
    var other = inf
    let reach = 6
    for jj in max(band.lo[i], j - reach)...min(band.hi[i], j + reach) where jj != j {
      let k = band.offset[i] + jj - band.lo[i]
      if fwd[k] < inf && bwd[k] < inf { other = min(other, fwd[k] + bwd[k]) }
    }
    for ii in max(0, i - reach)...min(n, i + reach) where ii != i {
      if j < band.lo[ii] || j > band.hi[ii] { continue }
      let k = band.offset[ii] + j - band.lo[ii]
      if fwd[k] < inf && bwd[k] < inf { other = min(other, fwd[k] + bwd[k]) }
    }
    if other == inf { return 20 }
    return Double(max(0, other - total))
  }

  /// Paragraph agreement at a bead boundary.
  @inline(__always)
  func cellCost(_ i: Int, _ j: Int) -> Double {
    if paragraphWeight == 0 { return 0 }
    return srcPara[i] == tgtPara[j] ? 0 : paragraphWeight
  }

  /// Cost of a bead without its type prior: length cost + paragraph
  /// penalty - evidence. Null beads cost nothing here (their prior says it).
  @inline(__always)
  func quality(_ i: Int, _ di: Int, _ j: Int, _ dj: Int) -> Double {
    if di == 0 || dj == 0 { return 0 }
    let a = di == 1 ? src1 : src2
    let b = dj == 1 ? tgt1 : tgt2
    var length = lengthCost(a.length[i], b.length[j])
    if di == 2 && dj == 2 {
      // A 2-2 bead gains nothing on length over its split into two 1-1
      // beads: only content evidence can make it win.
      length = max(length, lengthCost(src1.length[i], tgt1.length[j]) + lengthCost(src1.length[i + 1], tgt1.length[j + 1]))
    }
    var q = length - evidence(a, i, b, j)
    if paragraphWeight > 0 {
      if di == 2 && srcPara[i + 1] { q += paragraphWeight }
      if dj == 2 && tgtPara[j + 1] { q += paragraphWeight }
    }
    return q
  }

  /// A bead's own confidences: how well its lengths (and paragraphs) fit,
  /// `1 / (1 + exp(q - 3))` with q its quality without the evidence, and how
  /// much its content agrees, `1 / (1 + exp(0.6 - e))` with e the evidence:
  /// 0.35 with no evidence at all, 0.8 at 2, 0.92 at 3. A bead whose only
  /// support is its length scores low however well the lengths fit.
  func confidence(_ i: Int, _ di: Int, _ j: Int, _ dj: Int) -> (fit: Double, content: Double) {
    let a = di == 1 ? src1 : src2
    let b = dj == 1 ? tgt1 : tgt2
    let e = evidence(a, i, b, j)
    let q = quality(i, di, j, dj) + e
    return (1 / (1 + exp(q - 3)), 1 / (1 + exp(0.6 - e)))
  }

  @inline(__always)
  func lengthCost(_ ls: Double, _ lt: Double) -> Double { Aligner.lengthCost(ls, lt, ratio: ratio) }

  static let punctWeights: [(UInt8, Double)] = [
    (Punct.question, 0.5), (Punct.exclamation, 0.4), (Punct.quote, 0.3), (Punct.parenthesis, 0.3),
    (Punct.colon, 0.15), (Punct.semicolon, 0.1), (Punct.dash, 0.05),
  ]

  /// Evidence from what two segments share (names, cognates): the Dice
  /// overlap of their lists, 0 at `neutral`, `cap` at `full` above it,
  /// never below -0.5 nor above `cap`; nothing when either list is empty.
  @inline(__always)
  func sharedEvidence(
    _ a: Pool<UInt32>, _ i: Int, _ b: Pool<UInt32>, _ j: Int, cap: Double, neutral: Double, full: Double
  ) -> Double {
    let na = a.count(i)
    let nb = b.count(j)
    guard na > 0 && nb > 0 else { return 0 }
    let dice = Double(2 * a.overlap(i, b, j)) / Double(na + nb)
    return min(cap, max(-0.5, cap * (dice - neutral) / full))
  }

  func evidence(_ a: FeatureTable, _ i: Int, _ b: FeatureTable, _ j: Int) -> Double {
    var e = 0.0
    // Numbers, by value.
    let na = a.numbers.count(i)
    let nb = b.numbers.count(j)
    if na + nb > 0 {
      let k = a.numbers.overlap(i, b.numbers, j)
      if k == 0 {
        e -= (na > 0 && nb > 0 ? 0.6 : 0.5) * Aligner.Evidence.numbers
      } else {
        e += Aligner.Evidence.numbers * Double(2 * k) / Double(na + nb)
      }
    }
    // Names (capitalised words) through cross-script keys.
    e += sharedEvidence(a.names, i, b.names, j, cap: Aligner.Evidence.names, neutral: 0.1, full: 0.6)
    // Cognates.
    e += sharedEvidence(a.cognates, i, b.cognates, j, cap: Aligner.Evidence.cognates, neutral: 0.08, full: 0.35)
    // Dictionary learned from the memories.
    let da = Int(a.dictionaryWords[i])
    let wb = b.words.count(j)
    if da > 0 && wb > 0 {
      let k = a.translations.overlap(i, b.words, j)
      let frac = min(1, Double(k) / Double(min(da, wb)))
      e += min(Aligner.Evidence.dictionary, max(-1, Aligner.Evidence.dictionary * (frac - 0.2) / 0.6))
    }
    // Punctuation: questions, exclamations, quotes, parentheses count more
    // than colons, semicolons and dashes, which translators move around.
    let pa = a.punct[i]
    let pb = b.punct[j]
    if pa | pb != 0 {
      var p = 0.0
      for (bit, w) in Self.punctWeights {
        let x = pa & bit != 0
        let y = pb & bit != 0
        if x && y { p += w } else if x != y { p -= w }
      }
      e += min(Aligner.Evidence.punctuation, max(-Aligner.Evidence.punctuation, p))
    }
    return e
  }
}

func format2(_ x: Double) -> String {
  let r = (x * 10).rounded() / 10
  return "\(r)"
}
