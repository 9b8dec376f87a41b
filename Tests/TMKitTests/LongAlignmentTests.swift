import Foundation
import Testing

@testable import TMKit

/// Real parallel text: 1,600 English messages of GNU tools (coreutils,
/// grep, sed, tar, ...) and their Russian translations from the gettext
/// catalogs, one per line (Fixtures/gettext-en-ru.tsv).
private let catalog: [(en: String, ru: String)] = {
  let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/gettext-en-ru.tsv")
  let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
  return text.split(separator: "\n").compactMap { line in
    let f = line.split(separator: "\t", omittingEmptySubsequences: false)
    return f.count == 2 ? (String(f[0]), String(f[1])) : nil
  }
}()

private func segs(_ lines: [String]) -> [AlignSegment] {
  lines.enumerated().map { AlignSegment(text: $0.element, id: $0.offset, startsParagraph: true) }
}

/// A gold bead as (source lines, target lines).
private struct Gold: Hashable {
  var s: [Int]
  var t: [Int]
}

private func beads(_ r: Alignment) -> Set<Gold> {
  Set(r.beads.map { Gold(s: Array($0.source), t: Array($0.target)) })
}

/// Longest run of consecutive beads of one kind ("0-1", "1-0").
private func longestRun(_ r: Alignment, _ kind: String) -> Int {
  var best = 0
  var cur = 0
  for b in r.beads {
    cur = b.kind == kind ? cur + 1 : 0
    best = max(best, cur)
  }
  return best
}

@Suite struct LongAlignmentTests {
  /// Units `order` (indices into the catalog) as a document pair; every
  /// `dropEvery`-th unit loses its Russian side (a 1-0 bead).
  private func document(_ order: [Int], dropEvery: Int = 0) -> ([String], [String], [Gold]) {
    var en: [String] = []
    var ru: [String] = []
    var gold: [Gold] = []
    for (k, u) in order.enumerated() {
      if dropEvery > 0 && k % dropEvery == dropEvery - 1 {
        gold.append(Gold(s: [en.count], t: []))
        en.append(catalog[u].en)
        continue
      }
      gold.append(Gold(s: [en.count], t: [ru.count]))
      en.append(catalog[u].en)
      ru.append(catalog[u].ru)
    }
    return (en, ru, gold)
  }

  /// A long document whose passages recur (the same messages again further
  /// down, as in manuals and legal codes): the path stays on the diagonal,
  /// and no line is paired with the other copy of its passage.
  @Test func recurringPassagesAreNotChainedToTheirOtherCopy() throws {
    try #require(catalog.count == 1600)
    var order: [Int] = []
    var next = 0
    var rng = SeededRandom(seed: 8)
    while order.count < 2600 {
      if order.count > 300 && rng.below(6) == 0 {
        let len = 40 + rng.below(120)
        let start = rng.below(order.count - len)
        order += order[start..<start + len]
      } else {
        order += (next..<min(catalog.count, next + 30))
        next = (next + 30) % catalog.count
      }
    }
    let (en, ru, gold) = document(order, dropEvery: 37)
    let a = try Aligner(from: .en, to: .ru)
    let r = a.align(segs(en), segs(ru))
    let found = beads(r)
    let right = gold.filter { found.contains($0) }.count
    #expect(Double(right) / Double(gold.count) >= 0.93, "\(right) of \(gold.count) gold beads")
    // No 1-1 bead joins a line to a target line far from its own: a copy
    // further down the document.
    let truth = Dictionary(uniqueKeysWithValues: gold.compactMap { g in g.t.first.map { (g.s[0], $0) } })
    let far = r.beads.filter { b in
      guard b.source.count == 1, b.target.count == 1, let j = truth[b.source.lowerBound] else { return false }
      return abs(b.target.lowerBound - j) > 30
    }
    #expect(far.isEmpty, "\(far.count) beads joined to a far copy")
  }

  /// A 1,000-line block on one side only (an appendix never translated):
  /// one long 0-1 run, and the text on both sides of it aligned.
  @Test func thousandLineInsertionIsOneRun() throws {
    try #require(catalog.count == 1600)
    let (en, ru, gold) = document(Array(0..<600))
    let extra = (600..<1600).map { catalog[$0].ru }
    let ruIns = Array(ru[..<300]) + extra + Array(ru[300...])
    let goldIns =
      gold.prefix(300) + (0..<1000).map { Gold(s: [], t: [300 + $0]) }
      + gold.dropFirst(300).map { Gold(s: $0.s, t: $0.t.map { $0 + 1000 }) }
    let r = try Aligner(from: .en, to: .ru).align(segs(en), segs(ruIns))
    let found = beads(r)
    let right = goldIns.filter { found.contains($0) }.count
    #expect(longestRun(r, "0-1") >= 950)
    #expect(Double(right) / Double(goldIns.count) >= 0.95, "\(right) of \(goldIns.count)")
    let summary = AlignmentSummary(
      beads: AlignedBead.make(r.beads, source: segs(en), target: segs(ruIns)), sourceSegments: en.count,
      targetSegments: ruIns.count)
    // 1,000 of 1,600 target lines are unaligned: said, with --review.
    #expect(summary.unalignedTargetShare > 0.6)
    #expect(summary.warning?.contains("--review") == true)
  }

  /// The target's two halves swapped: a monotone alignment can keep one
  /// half; the other must come out as a long 0-1 run and a long 1-0 run,
  /// never as a diagonal of unrelated pairs.
  @Test func swappedHalvesGiveTwoLongRunsNotAGarbageDiagonal() throws {
    try #require(catalog.count == 1600)
    let (en, ru, _) = document(Array(0..<1600))
    let swapped = Array(ru[800...]) + Array(ru[..<800])
    let r = try Aligner(from: .en, to: .ru).align(segs(en), segs(swapped))
    // Most of one half is unaligned on each side, in long runs (a few
    // near-identical messages of the two halves may pair up inside them).
    #expect(r.beads.filter { $0.kind == "0-1" }.count >= 700)
    #expect(r.beads.filter { $0.kind == "1-0" }.count >= 700)
    #expect(longestRun(r, "0-1") >= 50)
    #expect(longestRun(r, "1-0") >= 50)
    // The pairs that are kept are right: en line i goes with ru line i ± 800.
    let pairs = r.beads.filter { $0.source.count == 1 && $0.target.count == 1 }
    let right = pairs.filter { ($0.target.lowerBound + 800) % 1600 == $0.source.lowerBound }.count
    #expect(Double(right) / Double(max(1, pairs.count)) >= 0.9, "\(right) of \(pairs.count) 1-1 beads right")
  }

  /// A bead scores low when nothing but its length supports it, however
  /// well the lengths fit.
  @Test func weakContentEvidenceScoresLow() throws {
    let a = try Aligner(from: .en, to: .ru)
    let en = ["Article 17 of the Constitution of Azerbaijan (1995)", "Please wait a moment"]
    let ru = ["Статья 17 Конституции Азербайджана (1995)", "Подождите немного"]
    let r = a.align(segs(en), segs(ru))
    #expect(r.beads.count == 2)
    #expect(r.beads[0].score > 0.6)
    #expect(r.beads[1].score < 0.4)
  }

  /// The summary: unaligned shares, beads below --min-score, and the
  /// warning above 10% unaligned on either side.
  @Test func summaryCountsAndWarns() {
    func bead(_ s: [Int], _ t: [Int], _ score: Double) -> AlignedBead {
      AlignedBead(source: "s", target: "t", score: score, sourceIDs: s, targetIDs: t)
    }
    var bs = (0..<20).map { bead([$0], [$0], 0.9) }
    bs += (20..<30).map { bead([$0], [], 0) }
    bs.append(bead([30], [20], 0.3))
    let s = AlignmentSummary(beads: bs, sourceSegments: 31, targetSegments: 21, minScore: 0.5)
    #expect(s.unalignedSource == 10)
    #expect(s.unalignedTarget == 0)
    #expect(s.belowThreshold == 1)
    #expect(s.line.contains("32.3% of source"))
    #expect(s.line.contains("1 below --min-score 0.5"))
    // 10 unaligned and 1 left out below --min-score, of 31.
    #expect(s.warning?.contains("35.5% of the source") == true)
    let clean = AlignmentSummary(beads: Array(bs.prefix(20)), sourceSegments: 20, targetSegments: 20)
    #expect(clean.warning == nil)
    #expect(clean.line.contains("0 below 0.4"))
  }
}
