import Testing
@testable import TMKit

/// The fast paths of lookup (ASCII keys, one-conversion folding, the
/// allocation-free word LCS) against the straightforward code they replace,
/// on random az/ru/en text.
@Suite struct FastPathTests {
  /// A deterministic generator (SplitMix64), so a failure repeats.
  struct Rng {
    var s: UInt64
    mutating func next() -> UInt64 {
      s &+= 0x9E37_79B9_7F4A_7C15
      var z = s
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    mutating func pick<T>(_ a: [T]) -> T { a[Int(next() % UInt64(a.count))] }
  }

  static let alphabets: [[String]] = [
    Array("abcçdeəfgğhxıijkqlmnoöprsştuüvyzABCÇDEƏFGĞHXIİJKQLMNOÖPRSŞTUÜVYZ").map(String.init),
    Array("абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯҹҝғөүһәЈ").map(String.init),
    Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ").map(String.init),
    ["0", "1", "5", "9", " ", " ", ",", ".", "-", "'", "’", "ʼ", "‘", "…", "ﬁ", "Ａ", "I\u{307}", "e\u{301}", "%s", "_", "&", "\u{00A0}"],
  ]

  static func randomText(_ r: inout Rng, maxLength: Int = 40) -> String {
    let len = Int(r.next() % UInt64(maxLength + 1))
    let main = Int(r.next() % 3)
    var s = ""
    for _ in 0..<len {
      let a = r.next() % 5 == 0 ? alphabets[3] : alphabets[r.next() % 6 == 0 ? Int(r.next() % 3) : main]
      s += r.pick(a)
    }
    return s
  }

  /// The key as it was computed before the fast paths.
  static func slowMatchKey(_ text: String, _ language: Language?) -> String {
    var key = text.normalized(.nfkc).caseFolded(for: language)
    if key.unicodeScalars.contains(where: { $0 == "\u{2019}" || $0 == "\u{02BC}" || $0 == "\u{2018}" || $0 == "ё" }) {
      var scalars = String.UnicodeScalarView()
      for u in key.unicodeScalars {
        switch u {
        case "\u{2019}", "\u{02BC}", "\u{2018}": scalars.append("'")
        case "ё" where language == .ru || language == nil: scalars.append("е")
        default: scalars.append(u)
        }
      }
      key = String(scalars)
    }
    return key
  }

  @Test func matchKeyEqualsTheStraightforwardKey() {
    var r = Rng(s: 42)
    let languages: [Language?] = [.az, .azCyrl, .ru, .en, nil]
    for _ in 0..<4000 {
      let t = Self.randomText(&r)
      for l in languages {
        #expect(t.matchKey(for: l) == Self.slowMatchKey(t, l), "\(t) \(String(describing: l))")
      }
    }
    for t in ["Ismayıllı İlham", "ISTANBUL", "The IMF", "", "abc", "Ёлка", "ﬁle", "Ｆｕｌｌ"] {
      for l in languages { #expect(t.matchKey(for: l) == Self.slowMatchKey(t, l)) }
    }
  }

  @Test func wordLCSEqualsTheMaskTable() {
    var r = Rng(s: 7)
    for k in 0..<6000 {
      let a = Self.randomText(&r, maxLength: k % 10 == 0 ? 90 : 14)
      let b = Self.randomText(&r, maxLength: k % 7 == 0 ? 90 : 14)
      let fast = TokenDistance.scalarIndelSimilarity(a, b)
      let slow = TokenDistance.indelSimilarity(Array(a.unicodeScalars), Array(b.unicodeScalars))
      #expect(fast == slow, "\(a) | \(b)")
    }
    #expect(TokenDistance.scalarIndelSimilarity("", "") == 1)
    #expect(TokenDistance.scalarIndelSimilarity("", "ev") == 0)
    #expect(TokenDistance.scalarIndelSimilarity("kitab", "kitabı") == 10.0 / 11.0)
  }
}

extension FastPathTests {
  @Test func skeletonHashEqualsTheHashOfTheSkeleton() {
    var r = Rng(s: 99)
    let keys = LookupKeys()
    let words = ["1918-ci", "il", "28", "may", "5-го", "мая", "1,5", "млн", "70 000", "the", "5th", "Bakı", "İlham", "ёлка", "A4", "x2"]
    for _ in 0..<1500 {
      var t = ""
      for _ in 0..<Int(r.next() % 10) { t += r.pick(words) + r.pick([" ", ", ", ". ", "-"]) }
      if r.next() % 3 == 0 { t += Self.randomText(&r) }
      for l in [Language.az, .azCyrl, .ru, .en] {
        let key = keys.key(t, language: l)
        let toks = keys.tokens(ofKey: key, language: l)
        #expect(
          LookupKeys.skeletonHash(key: key, tokens: toks, language: l)
            == fnv1a64(Array(LookupKeys.skeleton(key: key, tokens: toks, language: l).utf8)), "\(t)")
      }
    }
  }

  @Test func whitespaceTestEqualsTheScalarProperty() {
    var r = Rng(s: 5)
    let pieces = [" ", "\t", "\n", "\r\n", "\u{0B}", "\u{0C}", "\u{85}", "\u{A0}", "\u{2009}", "\u{3000}", ".", ",", "-", "a", "\u{1F}", "…", "  "]
    for _ in 0..<3000 {
      var s = ""
      for _ in 0..<(1 + Int(r.next() % 3)) { s += r.pick(pieces) }
      let sub = Substring(s)
      #expect(Tokenizer.isWhitespace(sub) == sub.unicodeScalars.allSatisfy { $0.properties.isWhitespace }, "\(s.unicodeScalars.map(\.value))")
    }
  }

  @Test func fnvOverContiguousBytesEqualsTheByteLoop() {
    var r = Rng(s: 11)
    for _ in 0..<500 {
      let s = Self.randomText(&r)
      var h: UInt64 = 0xcbf2_9ce4_8422_2325
      for b in s.utf8 {
        h ^= UInt64(b)
        h = h &* 0x0000_0100_0000_01B3
      }
      #expect(fnv1a64(s.utf8) == h)
      #expect(fnv1a64(Array(s.utf8)) == h)
    }
  }

  @Test func numbersWithoutDigitsAreNone() {
    #expect(Numbers.find(in: "Bakı metrosu", language: .az).isEmpty)
    #expect(Numbers.find(in: "", language: .ru).isEmpty)
    #expect(Numbers.find(in: "Bakı 1918-ci", language: .az).map(\.value) == [1918])
  }
}

extension FastPathTests {
  @Test func scalarPatternEqualsTheMaskTable() {
    var r = Rng(s: 3)
    for k in 0..<3000 {
      let a = Array(Self.randomText(&r, maxLength: k % 5 == 0 ? 200 : 60).unicodeScalars)
      let b = Array(Self.randomText(&r, maxLength: k % 3 == 0 ? 200 : 60).unicodeScalars)
      #expect(ScalarLCSPattern(a).lcs(b) == LCSPattern(a).lcs(b))
    }
    let a = Array("Əliyeva ☃ 漢字".unicodeScalars), b = Array("Aliyeva 漢 ☃".unicodeScalars)
    #expect(ScalarLCSPattern(a).lcs(b) == LCSPattern(a).lcs(b))
    #expect(ScalarLCSPattern(a).lcs(b) == 8)
  }
}
