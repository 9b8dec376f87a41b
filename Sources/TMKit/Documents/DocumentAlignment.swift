/// Aligning documents with their inline codes: the aligner compares the
/// plain text of each segment, and the beads it makes get the segments'
/// tagged texts (`SegmentCodes`), so the memory keeps a bold word bold.
public enum DocumentAlignment {
  /// The aligner's segments of a document's blocks (a block boundary is a
  /// paragraph boundary) and, per segment id, its tagged text.
  public static func segments(blocks: [[Inline]], language: Language) throws -> (
    segments: [AlignSegment], tagged: [String]
  ) {
    let segmenter = try SentenceSegmenter(language: language)
    var out: [AlignSegment] = []
    var tagged: [String] = []
    for (b, content) in blocks.enumerated() {
      let sb = DocumentSegmentation.segment(content, block: b, with: segmenter)
      var first = true
      for i in 0..<sb.segmentCount {
        let c = sb.segment(i)
        let plain = InlineText.plain(c).trimmingCharacters(in: .whitespacesAndNewlines)
        if plain.isEmpty { continue }
        out.append(AlignSegment(text: plain.nfc, id: out.count, startsParagraph: first))
        tagged.append(SegmentCodes.encode(c).text.nfc)
        first = false
      }
    }
    return (out, tagged)
  }

  /// The beads with tagged texts where the documents gave them: the
  /// segments of a side joined (`SegmentCodes.join`), the target's codes
  /// numbered to pair with the source's (`SegmentCodes.pair`), and the
  /// bead's `codes` naming them.
  public static func withCodes(_ beads: [AlignedBead], source: [String]?, target: [String]?) -> [AlignedBead] {
    guard source != nil || target != nil else { return beads }
    return beads.map { b in
      var b = b
      if let source { b.source = SegmentCodes.join(b.sourceIDs.compactMap { $0 < source.count ? source[$0] : nil }) }
      if let target {
        b.target = SegmentCodes.pair(
          SegmentCodes.join(b.targetIDs.compactMap { $0 < target.count ? target[$0] : nil }), with: b.source)
      }
      let declared = UnitCodes.declaring([b.source, b.target])
      b.codes = declared.isEmpty ? nil : declared
      return b
    }
  }
}
