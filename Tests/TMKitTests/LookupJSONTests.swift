import Testing
@testable import TMKit

/// The server's hand-written encoder of lookup reports (`jsonLine`) against
/// the generic `Codable` encoder it replaces (`JSON.line`), byte for byte, on
/// random reports: escapes and control characters, non-BMP scalars, az/ru/en
/// text, every form a Double takes, and optional fields absent or present.
@Suite struct LookupJSONTests {
  typealias Rng = FastPathTests.Rng

  static let pieces: [String] = [
    "Bakı", "şəhərin", "İlham Əliyev", "Шәһәр", "ҹәми", "Президент", "указа", "ёлка", "Open", "_Open", "&File",
    "%s", "{0}", "<b>", "</b>", "\"", "\\", "/", "\n", "\r", "\t", "\u{0}", "\u{1}", "\u{1F}", "\u{7F}", "\u{80}",
    "\u{A0}", "\u{2028}", "\u{FEFF}", "😀", "𝔸", "👩‍👩‍👧", "e\u{301}", " ", "  ", "", "100%", "1.5", "a\"b\\c",
  ]

  static func text(_ r: inout Rng) -> String {
    var s = ""
    for _ in 0..<Int(r.next() % 8) { s += r.pick(pieces) }
    return s
  }

  static let doubles: [Double] = [
    0, -0.0, 1, 99, 100, 95.5, 87.25, 70.01, 0.1, 1.0 / 3, 2.0 / 3 * 100, 1e-5, 1e-7, 123.456e-10, 5e-324,
    2.2250738585072014e-308, 1e14, 1e15 - 1, 1e15, 1e15 + 2, 1e16, 1e21, 1.5e300, .greatestFiniteMagnitude,
    -1, -42.5, -1e15, -1e20, .nan, .infinity, -.infinity, 0.000123, 12345.678, 4.35, 0.077,
  ]

  static func double(_ r: inout Rng) -> Double {
    switch r.next() % 3 {
    case 0: return r.pick(doubles)
    case 1: return Double(r.next() % 10001) / 100
    default: return Double(bitPattern: r.next())
    }
  }

  static func match(_ r: inout Rng) -> LookupMatch {
    var m = Match(
      kind: r.pick([.exact, .nearExact, .fuzzy, .concordance]), score: double(&r), memory: text(&r) + ".tsv",
      unit: Int(r.next() % 2_000_000) - (r.next() % 9 == 0 ? 1_000_000 : 0), sourceLanguage: r.pick(Language.allCases),
      source: text(&r), targets: [], differences: [], marks: [])
    for _ in 0..<Int(r.next() % 3) {
      m.targets.append(
        MatchTarget(language: r.pick(Language.allCases), text: text(&r), substituted: r.next() % 2 == 0 ? nil : text(&r)))
    }
    for _ in 0..<Int(r.next() % 3) { m.differences.append(text(&r)) }
    for _ in 0..<Int(r.next() % 3) {
      let a = Int(r.next() % 500)
      m.marks.append(a..<(a + Int(r.next() % 40)))
    }
    let refs = r.next() % 2 == 0 ? [:] : [m.memory: MemoryRef(id: m.memory, name: text(&r))]
    return LookupMatch(m, refs: refs)
  }

  static func report(_ r: inout Rng) -> LookupReport {
    var answers: [LookupAnswer] = []
    for n in 0..<Int(r.next() % 4) {
      var a = LookupAnswer(
        query: text(&r), number: n + 1, language: r.pick(Language.allCases), languageGuessed: r.next() % 2 == 0,
        matches: [], concordance: [], moreConcordance: Int(r.next() % 50), error: nil)
      for _ in 0..<Int(r.next() % 4) { a.matches.append(match(&r)) }
      for _ in 0..<Int(r.next() % 3) { a.concordance.append(match(&r)) }
      if r.next() % 4 == 0 {
        a.error = TMError(
          r.pick([.usage, .invalidInput, .notFound, .io]), text(&r), file: r.next() % 2 == 0 ? nil : text(&r),
          line: r.next() % 2 == 0 ? nil : Int(r.next() % 1000), byteOffset: r.next() % 2 == 0 ? nil : Int(r.next() % 99999),
          hint: r.next() % 2 == 0 ? nil : text(&r))
      }
      answers.append(a)
    }
    var analysis: AnalysisReport? = nil
    if r.next() % 3 == 0 {
      var a = MatchAnalysis()
      for _ in 0..<Int(r.next() % 20) { a.add(score: r.next() % 5 == 0 ? nil : double(&r), words: Int(r.next() % 30)) }
      analysis = AnalysisReport(a)
    }
    let timing: LookupTiming? =
      r.next() % 2 == 0
      ? nil : LookupTiming(openMilliseconds: double(&r), queriesMilliseconds: double(&r), totalMilliseconds: double(&r))
    return LookupReport(
      language: r.next() % 2 == 0 ? nil : r.pick(Language.allCases), answers: answers, analysis: analysis,
      notes: (0..<Int(r.next() % 3)).map { _ in text(&r) }, timing: timing)
  }

  @Test func sameBytesAsTheCodableEncoder() {
    var r = Rng(s: 20_261_201)
    for _ in 0..<3000 {
      let rep = LookupJSONTests.report(&r)
      let slow = Array(JSON.line(rep).utf8)
      let fast = rep.jsonLine()
      #expect(fast == slow, "\(String(decoding: fast, as: UTF8.self))\n\(String(decoding: slow, as: UTF8.self))")
      if fast != slow { return }
    }
  }

  @Test func numbersAndStringsOneByOne() {
    for d in LookupJSONTests.doubles {
      var w = JSONWriter()
      w.number(d)
      let node = JSON.line([d])
      #expect("[" + String(decoding: w.bytes, as: UTF8.self) + "]" == node, "\(d)")
    }
    for p in LookupJSONTests.pieces {
      var w = JSONWriter()
      w.string(p)
      #expect(String(decoding: w.bytes, as: UTF8.self) == JSON.string(p), "\(p.debugDescription)")
    }
    for v in [0, 1, -1, 9, 10, 99, 100, 1_000_000, Int.max, Int.min] {
      var w = JSONWriter()
      w.integer(v)
      #expect(String(decoding: w.bytes, as: UTF8.self) == String(v))
    }
  }
}
