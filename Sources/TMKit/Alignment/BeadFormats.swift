/// One bead of an alignment as text: what `tm align --dry-run` prints, what
/// `--review` writes (``ReviewFormat``) and what the memory receives.
/// Its JSON shape is `jsonLine`'s: `source`, `target`, `score`,
/// `source_ids`, `target_ids`, and `origin` when known.
public struct AlignedBead: Sendable, Hashable, Codable {
  public var source: String
  public var target: String
  public var score: Double
  /// Segment ids (sentence indices, or line numbers with `--segmented`).
  public var sourceIDs: [Int]
  public var targetIDs: [Int]
  /// Where it came from, `align:src.txt#3-4|tgt.txt#5` (set by `Align`).
  public var origin: String?
  /// The inline codes of its texts (`TranslationUnit.codes`), when the
  /// documents had any.
  public var codes: String?

  public init(source: String, target: String, score: Double, sourceIDs: [Int], targetIDs: [Int], origin: String? = nil) {
    self.source = source
    self.target = target
    self.score = score
    self.sourceIDs = sourceIDs
    self.targetIDs = targetIDs
    self.origin = origin
  }

  enum CodingKeys: String, CodingKey {
    case source, target, score, sourceIDs = "source_ids", targetIDs = "target_ids", origin, codes
  }

  /// Builds the printable beads: the segments of a bead are joined by a space.
  public static func make(_ beads: [Bead], source: [AlignSegment], target: [AlignSegment]) -> [AlignedBead] {
    beads.map { b in
      AlignedBead(
        source: b.source.map { source[$0].text }.joined(separator: " "),
        target: b.target.map { target[$0].text }.joined(separator: " "),
        score: b.score,
        sourceIDs: b.source.map { source[$0].id },
        targetIDs: b.target.map { target[$0].id })
    }
  }

  public var isNull: Bool { sourceIDs.isEmpty || targetIDs.isEmpty }
}

public enum BeadFormat: String, CaseIterable, Sendable {
  case tsv, jsonl, tmx
}

public enum BeadWriter {
  /// A score as printed: at most three decimals, no exponent.
  public static func score(_ s: Double) -> String {
    let r = (s * 1000).rounded() / 1000
    if r == r.rounded() { return "\(Int(r))" }
    var t = "\(r)"
    if t.contains("e") { t = "0" }
    return t
  }



  /// XML text as the TMX writer escapes it (`TMX.escape`): `&`, `<`, `>`,
  /// CR as `&#13;`; characters XML 1.0 forbids are dropped.
  public static func xml(_ s: String) -> String {
    var out = ""
    _ = TMX.escape(s, into: &out)
    return out
  }

  /// One line per bead: `source<TAB>target<TAB>score`.
  public static func tsvLine(_ b: AlignedBead) -> String {
    TSVCodec.escape(b.source) + "\t" + TSVCodec.escape(b.target) + "\t" + score(b.score)
  }

  public static func jsonLine(_ b: AlignedBead) -> String {
    "{\"source\":\(JSON.string(b.source)),\"target\":\(JSON.string(b.target)),\"score\":\(score(b.score)),"
      + "\"source_ids\":[\(b.sourceIDs.map(String.init).joined(separator: ","))],"
      + "\"target_ids\":[\(b.targetIDs.map(String.init).joined(separator: ","))]"
      + (b.origin.map { ",\"origin\":" + JSON.string($0) } ?? "") + "}"
  }
}
