import Foundation
import Testing

@testable import TMKit

/// A gold set: running text rebuilt from one-sentence-per-line paragraphs,
/// with the byte offsets where a sentence starts inside a paragraph.
///
/// A line `#section NAME` starts a named section (the lines before the first
/// one are the section `main`); `section:` keeps only that section's
/// paragraphs, so that a batch written later can be scored on its own.
struct GoldSet {
  var text = ""
  var boundaries: Set<Int> = []
  var sentences = 0

  init(_ name: String, section: String? = nil) throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("Fixtures/segmentation/\(name).gold.txt")
    let raw = try String(contentsOf: url, encoding: .utf8)
    var paragraphs: [[String]] = [[]]
    var current = "main"
    for line in raw.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix("#section ") {
        current = line.dropFirst("#section ".count).trimmingCharacters(in: .whitespaces)
        if !(paragraphs.last?.isEmpty ?? true) { paragraphs.append([]) }
        continue
      }
      if line.hasPrefix("#") { continue }
      if let section, section != current { continue }
      if line.trimmingCharacters(in: .whitespaces).isEmpty {
        if !(paragraphs.last?.isEmpty ?? true) { paragraphs.append([]) }
      } else {
        paragraphs[paragraphs.count - 1].append(String(line))
      }
    }
    var bytes = 0
    for (pi, para) in paragraphs.enumerated() where !para.isEmpty {
      if pi > 0 {
        text += "\n\n"
        bytes += 2
      }
      for (si, s) in para.enumerated() {
        if si > 0 {
          // A heading (no final punctuation) stands on its own line.
          let sep = GoldSet.endsSentence(para[si - 1]) ? " " : "\n"
          text += sep
          bytes += 1
          boundaries.insert(bytes)
        }
        text += s
        bytes += s.utf8.count
        sentences += 1
      }
    }
  }

  static func endsSentence(_ s: String) -> Bool {
    guard let last = s.unicodeScalars.last else { return false }
    return ".!?…»”\")".unicodeScalars.contains(last)
  }

  /// Precision, recall, F1 of `predicted` boundaries; also the errors.
  func score(_ predicted: Set<Int>) -> (p: Double, r: Double, f1: Double, missed: [String], extra: [String]) {
    let tp = Double(predicted.intersection(boundaries).count)
    let p = predicted.isEmpty ? 1 : tp / Double(predicted.count)
    let r = boundaries.isEmpty ? 1 : tp / Double(boundaries.count)
    let f1 = p + r == 0 ? 0 : 2 * p * r / (p + r)
    let u8 = Array(text.utf8)
    func context(_ b: Int) -> String {
      let lo = max(0, b - 30)
      let hi = min(u8.count, b + 30)
      return String(decoding: u8[lo..<b], as: UTF8.self) + "│" + String(decoding: u8[b..<hi], as: UTF8.self)
    }
    return (
      p, r, f1, boundaries.subtracting(predicted).sorted().map(context),
      predicted.subtracting(boundaries).sorted().map(context)
    )
  }
}

/// Boundaries inside paragraphs found by our segmenter.
func oursBoundaries(_ text: String, _ language: Language) throws -> Set<Int> {
  let sentences = try SentenceSegmenter(language: language).segment(text)
  var out: Set<Int> = []
  for (i, s) in sentences.enumerated() where i > 0 && sentences[i - 1].paragraph == s.paragraph {
    out.insert(s.utf8Range.lowerBound)
  }
  return out
}

/// Boundaries inside paragraphs found by ICU alone (`@ss=standard`), the baseline.
func icuBoundaries(_ text: String, _ language: Language) throws -> Set<Int> {
  let it = try BreakIterator(.sentence, locale: language.icuLocale + "@ss=standard")
  var out: Set<Int> = []
  for (range, para) in Paragraphs.split(text, lines: false) {
    let bytes = Array(para.utf8)
    var first = true
    it.forEachPiece(in: String(para)) { start, end, _ in
      var s = start
      while s < end, bytes[s] == 0x20 || bytes[s] == 0x0A || bytes[s] == 0x0D || bytes[s] == 0x09 { s += 1 }
      if s == end { return }
      if !first { out.insert(range.lowerBound + s) }
      first = false
    }
  }
  return out
}

@Suite struct SegmentationScoreTests {
  @Test(arguments: [Language.ru, .en, .az, .azCyrl])
  func goldSetScoreBeatsICUAndReaches99Percent(language: Language) throws {
    let gold = try GoldSet(language.tag)
    #expect(gold.boundaries.count >= (language == .azCyrl ? 60 : 140))
    let ours = gold.score(try oursBoundaries(gold.text, language))
    let icu = gold.score(try icuBoundaries(gold.text, language))
    print(
      "segmentation \(language.tag): \(gold.boundaries.count) boundaries; ours P=\(ours.p) R=\(ours.r) F1=\(ours.f1); ICU@ss=standard P=\(icu.p) R=\(icu.r) F1=\(icu.f1)"
    )
    #expect(ours.f1 >= 0.99, "missed: \(ours.missed)\nextra: \(ours.extra)")
    #expect(ours.f1 > icu.f1)
  }

  /// The batch of issue 8's residual classes (letters ending a sentence,
  /// `in.`, titles, `D.C.`, an ellipsis opening a quotation, `сказал он. — «Мы`),
  /// scored on its own. Held out: its score before the rules were tuned on it
  /// is in the commit that added it.
  @Test(arguments: [Language.ru, .en, .az])
  func residualsSectionScore(language: Language) throws {
    let gold = try GoldSet(language.tag, section: "residuals")
    #expect(gold.boundaries.count >= 15)
    let ours = gold.score(try oursBoundaries(gold.text, language))
    let icu = gold.score(try icuBoundaries(gold.text, language))
    print(
      "segmentation \(language.tag) residuals: \(gold.boundaries.count) boundaries; ours P=\(ours.p) R=\(ours.r) F1=\(ours.f1); ICU@ss=standard P=\(icu.p) R=\(icu.r) F1=\(icu.f1)\n  missed: \(ours.missed)\n  extra: \(ours.extra)"
    )
    #expect(ours.f1 >= icu.f1)
    #expect(ours.f1 >= 0.95, "missed: \(ours.missed)\nextra: \(ours.extra)")
  }
}
