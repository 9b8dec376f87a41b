/// What a user should know about an alignment before trusting it: the bead
/// kinds, the mean score, how much of each side was left without a
/// counterpart (1-0 / 0-1 beads) and how many beads score below the
/// threshold; and a warning when too much is unaligned.
public struct AlignmentSummary: Sendable, Codable, Hashable {
  public var sourceSegments: Int
  public var targetSegments: Int
  /// Bead counts by kind ("1-1", "2-1", "0-1", ...).
  public var kinds: [String: Int]
  public var beads: Int
  /// Mean score of the beads with both sides.
  public var meanScore: Double
  /// Source segments in 1-0 beads, target segments in 0-1 beads.
  public var unalignedSource: Int
  public var unalignedTarget: Int
  /// The threshold `belowThreshold` counts against: `--min-score` when it
  /// is set, else 0.4 (where `--review` marks a bead `check`).
  public var threshold: Double
  public var thresholdIsMinScore: Bool
  /// Beads with both sides scoring below `threshold`.
  public var belowThreshold: Int
  /// Segments of each side in those beads (left out of the memory when
  /// the threshold is `--min-score`).
  public var belowSource: Int
  public var belowTarget: Int

  /// Above this share of either side left unaligned, `warning` says so.
  public static let unalignedWarningShare = 0.10

  public init(beads: [AlignedBead], sourceSegments: Int, targetSegments: Int, minScore: Double = 0) {
    self.sourceSegments = sourceSegments
    self.targetSegments = targetSegments
    self.beads = beads.count
    var kinds: [String: Int] = [:]
    var sum = 0.0
    var scored = 0
    var us = 0
    var ut = 0
    threshold = minScore > 0 ? minScore : 0.4
    thresholdIsMinScore = minScore > 0
    var below = 0
    var bs = 0
    var bt = 0
    for b in beads {
      kinds["\(b.sourceIDs.count)-\(b.targetIDs.count)", default: 0] += 1
      if b.targetIDs.isEmpty { us += b.sourceIDs.count }
      if b.sourceIDs.isEmpty { ut += b.targetIDs.count }
      if !b.isNull {
        sum += b.score
        scored += 1
        if b.score < threshold {
          below += 1
          bs += b.sourceIDs.count
          bt += b.targetIDs.count
        }
      }
    }
    self.kinds = kinds
    meanScore = scored == 0 ? 0 : sum / Double(scored)
    unalignedSource = us
    unalignedTarget = ut
    belowThreshold = below
    belowSource = bs
    belowTarget = bt
  }

  public var unalignedSourceShare: Double { sourceSegments == 0 ? 0 : Double(unalignedSource) / Double(sourceSegments) }
  public var unalignedTargetShare: Double { targetSegments == 0 ? 0 : Double(unalignedTarget) / Double(targetSegments) }

  /// The summary line: `9906 beads (8869 1-1, 308 2-1, ...), mean score
  /// 0.705, unaligned 2.0% of source and 2.1% of target segments, 312
  /// below --min-score 0.5`.
  public var line: String {
    let order = ["1-1", "2-1", "1-2", "2-2", "1-0", "0-1"]
    let parts = order.compactMap { k in kinds[k].map { "\($0) \(k)" } }
    let name = thresholdIsMinScore ? "--min-score \(BeadWriter.score(threshold))" : BeadWriter.score(threshold)
    return "\(beads) beads (\(parts.joined(separator: ", "))), mean score \(BeadWriter.score(meanScore)), "
      + "unaligned \(Self.percent(unalignedSourceShare)) of source and \(Self.percent(unalignedTargetShare)) of target segments, "
      + "\(belowThreshold) below \(name)"
  }

  /// Set when more than 10% of either side ends up without a counterpart:
  /// in 1-0/0-1 beads, or (with `--min-score`) in beads left out for their
  /// score. The documents do not translate each other there, or the
  /// alignment is wrong.
  public var warning: String? {
    func share(_ x: Int, _ total: Int) -> Double { total == 0 ? 0 : Double(x) / Double(total) }
    let s = share(unalignedSource + (thresholdIsMinScore ? belowSource : 0), sourceSegments)
    let t = share(unalignedTarget + (thresholdIsMinScore ? belowTarget : 0), targetSegments)
    guard s > Self.unalignedWarningShare || t > Self.unalignedWarningShare else { return nil }
    let how = thresholdIsMinScore ? "unaligned (1-0/0-1) or below --min-score" : "unaligned (1-0/0-1)"
    return "\(Self.percent(s)) of the source and \(Self.percent(t)) of the target segments end up \(how): "
      + "either the documents do not translate each other there or the alignment is wrong; "
      + "check it with --review FILE before adding it to a memory"
  }

  static func percent(_ x: Double) -> String {
    let r = (x * 1000).rounded() / 10
    return "\(r)%"
  }
}
