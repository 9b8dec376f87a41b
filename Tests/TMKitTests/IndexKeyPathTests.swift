import Foundation
import Testing
@testable import TMKit

/// The index builder's byte paths (per-scalar folding, token ranges, the
/// skeleton hash over bytes, number spans, the byte-keyed vocabulary)
/// against the String code the query side uses, on the UDHR corpus, the
/// gettext catalogs of this machine and random az/ru/en text. They must give
/// exactly the same keys, tokens and hashes, or lookups would change.
@Suite struct IndexKeyPathTests {
  /// Real text: every UDHR paragraph in en/ru/az (both scripts) and, when
  /// the machine has them, the msgids and msgstrs of its ru/az catalogs.
  static let realTexts: [String] = {
    var out: [String] = []
    let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    let udhr = repo.appendingPathComponent("shared/corpora/udhr")
    for pair in ["az-en", "az-ru", "azcyrl-en", "azcyrl-ru", "ru-en"] {
      let dir = udhr.appendingPathComponent(pair)
      for f in (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [] where f.hasSuffix(".txt") {
        if let t = try? String(contentsOfFile: dir.appendingPathComponent(f).path, encoding: .utf8) {
          out += t.split(separator: "\n").map(String.init)
        }
      }
    }
    for lang in ["ru", "az"] {
      let dir = "/usr/share/locale/\(lang)/LC_MESSAGES"
      for f in ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted().prefix(60)
      where f.hasSuffix(".mo") {
        guard let d = FileManager.default.contents(atPath: dir + "/" + f),
          let c = try? Gettext.parseMO(Array(d), name: f)
        else { continue }
        for e in c.entries.prefix(400) { out.append(e.msgid); out += e.msgstr }
      }
    }
    return out
  }()

  static func randomTexts(_ n: Int, seed: UInt64) -> [String] {
    var r = FastPathTests.Rng(s: seed)
    return (0..<n).map { _ in FastPathTests.randomText(&r) }
  }

  @Test func perScalarFoldingEqualsICU() {
    let texts = Self.realTexts + Self.randomTexts(4000, seed: 7)
      + ["Закон № 2 “qanun” — 1…", "ǅungla ǈ ℃ № ½ Ω Å ﬁ", "\u{00A0}İSTANBUL’da ŉ ß"]
    #expect(Self.realTexts.count > 500)
    var fast = 0
    for t in texts {
      for turkic in [false, true] {
        if let k = ScalarFolding.shared.key(t, turkic: turkic) {
          fast += 1
          #expect(k == t.nfkcCaseFolded(turkic: turkic), "\(t)")
        }
      }
    }
    #expect(fast > texts.count / 2)
  }

  /// For every pair of table scalars, the NFKC of the pair is the NFKC of
  /// each in turn: nothing composes or reorders across them, so the table
  /// key of a text is its ICU key.
  @Test func tableScalarPairsNormaliseApart() {
    var table: [String] = []
    for v in Array(UInt32(0x80)..<ScalarFolding.limit) + Array(ScalarFolding.punctuation) {
      if let u = Unicode.Scalar(v), ScalarFolding.shared.covers(v) { table.append(String(Character(u))) }
    }
    #expect(table.count > 1200)
    let nfkc = table.map { Array($0.normalized(.nfkc).utf8) }
    let firsts = ["a", "e", "i", "o", "u", "A", "n", "c", "s", "z", "I", "l", "1", " "]
    let firstsN = firsts.map { Array($0.utf8) }
    for (a, an) in zip(firsts + table, firstsN + nfkc) {
      for (b, bn) in zip(table, nfkc) {
        let s = a + b
        if Array(s.normalized(.nfkc).utf8) != an + bn { Issue.record("\(a) \(b) normalise together") }
      }
    }
    // And the keys of each table scalar alone are ICU's.
    for t in table {
      for turkic in [false, true] { #expect(ScalarFolding.shared.key(t, turkic: turkic) == t.nfkcCaseFolded(turkic: turkic), "\(t)") }
    }
  }

  /// The builder's key of a segment's bytes (one pass through the match
  /// key tables, no `String`) is the `String` key whenever it answers, and
  /// it answers for plain news text in every language but Azerbaijani
  /// Cyrillic; tags, accelerator marks, escapes and scalars outside the
  /// table are left to the `String` path.
  @Test func byteKeyEqualsTheStringKey() {
    let keys = LookupKeys()
    let plain = [
      "Prezident İlham Əliyev 2024-cü ilin may ayında İstanbula səfər edib.",
      "ÇƏRŞƏNBƏ GÜNÜ Şuşa şəhərində “Xarıbülbül” festivalı açıldı — 3 000 qonaq.",
      "Президент подписал указ о ЁЛКАХ и ёжиках 5-го мая, 1 000,5 рубля.",
      "Министр встретился с коллегами в Москве’s «Ёлке» — № 12.",
      "The Minister’s visit to Baku on 12 May 2024 was ‘historic’, said ISTANBUL’s mayor.",
    ]
    let special = [
      "<b1>Bakı</b1> şəhəri", "_File", "Save &As", "Fi&le", "tab\\tescape",
      "Ǆ emoji 🙂 text", "e\u{301}cole", "日本語",
    ]
    var fast = 0
    for t in Self.realTexts + Self.randomTexts(4000, seed: 17) + plain + special {
      for l in [Language.az, .azCyrl, .ru, .en] {
        var bytes = t
        let k: [UInt8]? = bytes.withUTF8 { b in keys.key(utf8: b, language: l).map { Array($0) } }
        guard let k else { continue }
        fast += 1
        #expect(k == Array(keys.key(t, language: l).utf8), "\(t) \(l)")
      }
    }
    #expect(fast > Self.realTexts.count)
    for t in plain {
      for l in [Language.az, .ru, .en] {
        var bytes = t
        #expect(bytes.withUTF8 { keys.key(utf8: $0, language: l) != nil }, "\(t)")
      }
    }
    for t in special {
      var bytes = t
      #expect(bytes.withUTF8 { keys.key(utf8: $0, language: .az) == nil }, "\(t)")
    }
    var cyrillic = "Бакы шәһәри"
    #expect(cyrillic.withUTF8 { keys.key(utf8: $0, language: .azCyrl) == nil })
  }

  @Test func matchKeyEqualsTheStraightforwardKey() {
    for t in Self.realTexts + Self.randomTexts(3000, seed: 11) {
      for l in [Language.az, .azCyrl, .ru, .en] {
        #expect(t.matchKey(for: l) == FastPathTests.slowMatchKey(t, l), "\(t)")
      }
    }
  }

  @Test func tokenRangesAndSkeletonHashEqualTheStringPath() throws {
    let keys = LookupKeys()
    let extra = ["Bakı metrosunun 5-ci yeni stansiyası 1918-ci ildə açıldı.", "В 1 000,5 раз 5-го мая № 3", "A4 x2 3,5 1.000.000 ¹²"]
    var ranges: [LookupKeys.TokenRange] = []
    var icuTokenizers: [Language: Tokenizer] = [:]
    for l in [Language.az, .ru, .en] { icuTokenizers[l] = try Tokenizer(language: l) }
    for t in Self.realTexts + Self.randomTexts(3000, seed: 13) + extra {
      for l in [Language.az, .azCyrl, .ru, .en] {
        let key = keys.key(t, language: l)
        let toks = keys.tokens(ofKey: key, language: l)
        // The same tokens as ICU's word break gives the key (the fast rules
        // stand in for it in tokens(ofKey:) too).
        let icu = try #require(icuTokenizers[LookupKeys.section(of: l)]).tokens(key)
          .filter { $0.kind == .word || $0.kind == .number }
        #expect(icu.map { "\($0.utf8Range)\(String($0.text))\($0.kind == .number)" }
          == toks.map { "\($0.utf8Range)\($0.text)\($0.isNumber)" }, "\(t)")
        let stringHash = LookupKeys.skeletonHash(key: key, tokens: toks, language: l)
        var bytes = key
        bytes.withUTF8 { k in
          keys.tokenRanges(ofKey: k, language: l, into: &ranges)
          #expect(ranges.count == toks.count, "\(t)")
          for (a, b) in zip(ranges, toks) {
            #expect(a.start..<a.end == b.utf8Range && a.isNumber == b.isNumber, "\(t)")
          }
          #expect(LookupKeys.skeletonHash(key: k, tokens: ranges) == stringHash, "\(t)")
        }
      }
    }
  }

  /// The fast word rules against ICU's, token by token (word/number ranges).
  static func icuPieces(_ t: String, _ tk: Tokenizer) -> [String] {
    tk.tokens(t).filter { $0.kind == .word || $0.kind == .number }.map { "\($0.utf8Range)\($0.kind == .number)" }
  }

  static func fastPieces(_ t: String) -> [String]? {
    var t = t
    var out: [FastWords.Piece] = []
    let ok = t.withUTF8 { FastWords.pieces($0, into: &out) }
    return ok ? out.map { "\(Int($0.start)..<Int($0.end))\($0.isNumber)" } : nil
  }

  @Test func fastWordsEqualICU() throws {
    let tk = try Tokenizer(language: .az)
    // Built from exactly the characters the fast rules know, and a few they do not.
    let pieces = ["a", "z", "ə", "ı", "ş", "ж", "ё", "Ә", "5", "0", "19", " ", "  ", "'", ".", ",", ";", ":", "-", "«", "»", "—", "–", "“", "”", "„", "(", ")", "!", "?", "%", "\"", "/", "_", "\n", "\t", "&", "ab", "12"]
    var r = FastPathTests.Rng(s: 23)
    var texts = Self.realTexts.map { $0.matchKey(for: .az) } + Self.randomTexts(2000, seed: 29)
    for _ in 0..<20000 {
      var t = ""
      for _ in 0..<Int(r.next() % 9) { t += r.pick(pieces) }
      texts.append(t)
    }
    var fast = 0
    for t in texts {
      guard let f = Self.fastPieces(t) else { continue }
      fast += 1
      #expect(f == Self.icuPieces(t, tk), "\(t.debugDescription)")
    }
    #expect(fast > texts.count / 2)
  }

  /// Every scalar the fast rules know, between letters and between digits.
  @Test func fastWordsEqualICUForEveryKnownScalar() throws {
    let tk = try Tokenizer(language: .ru)
    var known = 0
    for v in UInt32(0)..<0x2100 {
      guard let u = Unicode.Scalar(v) else { continue }
      let c = String(Character(u))
      for t in ["a\(c)b", "1\(c)2", "\(c)", "x\(c)", "\(c)9", "ж\(c)ж"] {
        if let f = Self.fastPieces(t) {
          known += 1
          #expect(f == Self.icuPieces(t, tk), "U+\(String(v, radix: 16)) in \(t.debugDescription)")
        }
      }
    }
    #expect(known > 3000)
  }

  /// Cross-script keys without ICU equal the compiled rules' keys.
  @Test func plainLatinCrossScriptKeysEqualTheRules() throws {
    let rules = try ICUTransform(rules: CrossScriptKey.rules, name: "test")
    let key = try CrossScriptKey()
    let tk = try Tokenizer(language: .ru)
    var words: Set<String> = ["джаз", "кснет", "dzhabrail", "zhanna", "khan", "Жанна", "Xankəndi", "Ханкенди", "Алиева", "Əliyeva", "İlham", "ИЛЬЯ", "объект", "a4b", "o'clock"]
    for t in Self.realTexts + Self.randomTexts(2000, seed: 31) {
      for tok in tk.tokens(t) where tok.kind == .word { words.insert(String(tok.text)) }
    }
    var plain = 0
    for w in words {
      for l in [Language.az, .ru, .en] {
        let folded = w.caseFolded(for: l)
        if CrossScriptKey.plainLatin(folded) != nil { plain += 1 }
        #expect(key.key(w, language: l) == CrossScriptKey.squeeze(rules.apply(folded)), "\(w)")
      }
    }
    #expect(plain > words.count)
  }

  @Test func numberSpansEqualFind() {
    let long = String(repeating: "9", count: 400)
    for t in Self.realTexts + Self.randomTexts(3000, seed: 17) + [long, "1 000 000,5 и 2'500-го", "x2 A4 5th 1918-ci"] {
      var t = t
      let found = Numbers.find(in: t, language: .ru)
      var spans: [(Int, Int, Int)] = []
      t.withUTF8 { b in Numbers.forEachSpan(utf8: b) { spans.append(($0, $1, $2)) } }
      #expect(spans.count == found.count, "\(t)")
      for (s, f) in zip(spans, found) {
        #expect(s.0..<s.1 == f.utf8Range && s.2 - s.1 == f.suffix.utf8.count, "\(t)")
      }
    }
  }

  @Test func byteVocabularyNumbersWordsOnce() {
    var v = LookupIndexBuilder.ByteVocab()
    // Keyed by bytes: `e` + U+0301 and `é` are equal Strings, not equal words.
    var ids: [[UInt8]: UInt32] = [:]
    let words = Self.randomTexts(20000, seed: 19).map { Array($0.utf8.prefix(6)) } + ["", "ə", "Bakı", "Баку"].map { Array($0.utf8) }
    for w in words {
      let id = w.withUnsafeBufferPointer { v.id($0) }
      if let old = ids[w] { #expect(old == id, "\(w)") } else {
        #expect(Int(id) == ids.count, "\(w)")
        ids[w] = id
      }
    }
    #expect(v.count == ids.count)
    for (w, id) in ids { #expect(v.withWord(Int(id)) { Array($0) } == w) }
  }
}
