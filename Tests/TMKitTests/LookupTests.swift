import Foundation
import Testing

@testable import TMKit

/// A small memory of real-looking news and legal segments.
enum LookupFixture {
  static let units: [TranslationUnit] = [
    // 0
    TranslationUnit(texts: [
      .az: "Azərbaycan Respublikasının Prezidenti İlham Əliyev Bakıda xarici qonaqları qəbul edib.",
      .ru: "Президент Азербайджанской Республики Ильхам Алиев принял в Баку иностранных гостей.",
      .en: "President of the Republic of Azerbaijan Ilham Aliyev received foreign guests in Baku.",
    ]),
    // 1
    TranslationUnit(texts: [
      .az: "1918-ci ildə Azərbaycan Xalq Cümhuriyyəti yaradıldı.",
      .ru: "В 1918 году была создана Азербайджанская Демократическая Республика.",
      .en: "The Azerbaijan Democratic Republic was founded in 1918.",
    ]),
    // 2
    TranslationUnit(texts: [
      .az: "Bu il 70.000 ton pambıq yığılıb.",
      .ru: "В этом году собрано 70 000 тонн хлопка.",
      .en: "This year 70,000 tons of cotton were harvested.",
    ]),
    // 3
    TranslationUnit(texts: [
      .ru: "Министерство иностранных дел Российской Федерации выступило с заявлением.",
      .en: "The Ministry of Foreign Affairs of the Russian Federation issued a statement.",
    ]),
    // 4
    TranslationUnit(texts: [
      .en: "The budget deficit grew by 1.5 percent in 2023.",
      .ru: "Дефицит бюджета вырос на 1,5 процента в 2023 году.",
      .az: "Büdcə kəsiri 2023-cü ildə 1,5 faiz artıb.",
    ]),
    // 5
    TranslationUnit(texts: [
      .ru: "Омбудсмен Сабина Алиева заявила, что права детей защищены.",
      .en: "Ombudsman Sabina Aliyeva said that children's rights are protected.",
    ]),
    // 6 (only az Cyrillic)
    TranslationUnit(texts: [
      .azCyrl: "Милли Мәҹлисин иҹласы сабаһ кечириләҹәк.",
      .ru: "Заседание Милли Меджлиса состоится завтра.",
    ]),
    // 7
    TranslationUnit(texts: [
      .en: "The delegation met the Minister of Foreign Affairs on Monday.",
      .ru: "Делегация встретилась с министром иностранных дел в понедельник.",
    ]),
    // 8, 9: same English source twice (ties must be predictable)
    TranslationUnit(texts: [.en: "Press release.", .ru: "Пресс-релиз."]),
    TranslationUnit(texts: [.en: "Press release.", .ru: "Сообщение для печати."]),
    // 10: tab and newline inside a segment
    TranslationUnit(texts: [
      .en: "Article 5.\tRights of the child\nare protected by law.",
      .ru: "Статья 5.\tПрава ребёнка\nохраняются законом.",
    ]),
    // 11: the name only in Cyrillic
    TranslationUnit(texts: [
      .ru: "Алиева выступила на сессии ООН.",
      .en: "The ombudsman spoke at the UN session.",
    ]),
  ]

  static func memory() -> Memory {
    Memory(path: "/tmp/news.tsv", languages: [.az, .azCyrl, .ru, .en], units: units)
  }

  static func index(_ m: Memory = memory()) throws -> LookupIndex {
    let fp = MemoryFingerprint(size: 1, mtimeNanoseconds: 2, hash: 3)
    return try LookupIndex(bytes: try LookupIndexBuilder.build(m, fingerprint: fp), memoryPath: m.path)
  }

  static func matcher() throws -> Matcher { Matcher(indexes: [try index()]) }
}

@Suite struct LookupMatchKindTests {
  func lookup(_ q: String, _ l: Language, limit: Int = 5, min: Double = 70, conc: Bool? = false) throws -> LookupResult {
    try LookupFixture.matcher().lookup(LookupQuery(text: q, language: l, limit: limit, minScore: min, concordance: conc))
  }

  @Test func exactAzLatin() throws {
    let r = try lookup("Bu il 70.000 ton pambıq yığılıb.", .az)
    let m = try #require(r.matches.first)
    #expect(m.kind == .exact)
    #expect(m.score == 100)
    #expect(m.unit == 2)
    #expect(m.targets.map(\.language) == [.ru, .en])
    #expect(m.targets.first?.text == "В этом году собрано 70 000 тонн хлопка.")
  }

  @Test func exactAfterNFC() throws {
    // "ü" typed decomposed (u + U+0308): NFC makes it the stored text.
    let decomposed = "Bu\u{0308}dcə kəsiri 2023-cü ildə 1,5 faiz artıb."
    #expect(decomposed.utf8.count != "Büdcə kəsiri 2023-cü ildə 1,5 faiz artıb.".utf8.count)
    let r = try lookup(decomposed, .az)
    #expect(r.matches.first?.kind == .exact)
    #expect(r.matches.first?.unit == 4)
  }

  @Test func exactRussianWithTabAndNewline() throws {
    let r = try lookup("Статья 5.\tПрава ребёнка\nохраняются законом.", .ru)
    #expect(r.matches.first?.kind == .exact)
    #expect(r.matches.first?.targets.first?.text == "Article 5.\tRights of the child\nare protected by law.")
  }

  @Test func nearExactCaseRussian() throws {
    let r = try lookup("МИНИСТЕРСТВО ИНОСТРАННЫХ ДЕЛ Российской Федерации выступило с заявлением.", .ru)
    let m = try #require(r.matches.first)
    #expect(m.kind == .nearExact)
    #expect(m.differences == ["case"])
    #expect(m.score == 99)
    #expect(!m.marks.isEmpty)
  }

  @Test func nearExactPunctuationAndWhitespaceEnglish() throws {
    let r = try lookup("The delegation met the Minister of Foreign Affairs  on Monday!", .en)
    let m = try #require(r.matches.first)
    #expect(m.kind == .nearExact)
    #expect(m.differences.contains("punctuation"))
    #expect(m.differences.contains("whitespace"))
    #expect((95...98).contains(m.score))
  }

  @Test func nearExactNumbersSubstitutedByValueEnglishToRussian() throws {
    let r = try lookup("The budget deficit grew by 2.5 percent in 2024.", .en)
    let m = try #require(r.matches.first)
    #expect(m.kind == .nearExact)
    #expect(m.differences == ["numbers"])
    #expect(m.score == 98)
    let ru = try #require(m.targets.first { $0.language == .ru })
    #expect(ru.substituted == "Дефицит бюджета вырос на 2,5 процента в 2024 году.")
    let az = try #require(m.targets.first { $0.language == .az })
    #expect(az.substituted == "Büdcə kəsiri 2024-cü ildə 2,5 faiz artıb.")
  }

  @Test func nearExactNumbersAzOrdinalAndThousands() throws {
    let r = try lookup("1919-cu ildə Azərbaycan Xalq Cümhuriyyəti yaradıldı.", .az)
    let m = try #require(r.matches.first)
    #expect(m.kind == .nearExact)
    #expect(m.targets.first { $0.language == .ru }?.substituted == "В 1919 году была создана Азербайджанская Демократическая Республика.")
    #expect(m.targets.first { $0.language == .en }?.substituted == "The Azerbaijan Democratic Republic was founded in 1919.")

    let r2 = try lookup("Bu il 85.500 ton pambıq yığılıb.", .az)
    let m2 = try #require(r2.matches.first)
    #expect(m2.kind == .nearExact)
    #expect(m2.targets.first { $0.language == .ru }?.substituted == "В этом году собрано 85 500 тонн хлопка.")
    #expect(m2.targets.first { $0.language == .en }?.substituted == "This year 85,500 tons of cotton were harvested.")
  }

  /// The documented fuzzy score of a query against a stored source.
  static func blend(_ q: String, _ ql: Language, _ s: String, _ sl: Language) -> Double {
    let k = LookupKeys()
    let a = FuzzyScore.characterKey(k.key(q, language: ql)), b = FuzzyScore.characterKey(k.key(s, language: sl))
    let c = 100 * TokenDistance.indelSimilarity(a, b)
    return min(99, FuzzyScore.standard.score(tokens: k.scoreTokens(q, language: ql), k.scoreTokens(s, language: sl), characterScore: c))
  }

  @Test func fuzzyEnglishScoreIsTheDocumentedBlend() throws {
    // "Defence" → "Foreign", + "Affairs": two word edits of ten.
    let q = "The delegation met the Minister of Defence on Monday."
    let r = try lookup(q, .en)
    let m = try #require(r.matches.first)
    #expect(m.kind == .fuzzy)
    #expect(abs(m.score - Self.blend(q, .en, LookupFixture.units[7].texts[.en]!, .en)) < 0.01)
    #expect(m.score > 75 && m.score < 90)
    #expect(m.unit == 7)
    #expect(m.differences == ["Foreign", "Affairs"])
  }

  @Test func fuzzyRussianWithTurkicSafeFolding() throws {
    let q = "Министерство обороны Российской Федерации выступило с заявлением."
    let r = try lookup(q, .ru)
    let m = try #require(r.matches.first)
    #expect(m.kind == .fuzzy)
    #expect(m.unit == 3)
    // "иностранных дел" → "обороны": two word edits of eight.
    #expect(abs(m.score - Self.blend(q, .ru, LookupFixture.units[3].texts[.ru]!, .ru)) < 0.01)
  }

  @Test func fuzzyAzLatinQueryFoldsDottedI() throws {
    // İLHAM ƏLİYEV in capitals folds with Azerbaijani rules to ilham əliyev.
    let q = "Azərbaycan Respublikasının Prezidenti İLHAM ƏLİYEV Bakıda qonaqları qəbul edib."
    let r = try lookup(q, .az)
    let m = try #require(r.matches.first)
    #expect(m.kind == .fuzzy)
    #expect(m.unit == 0)
    // Only "xarici" is missing: case does not count.
    #expect(abs(m.score - Self.blend(q, .az, LookupFixture.units[0].texts[.az]!, .az)) < 0.01)
    #expect(m.score > 90)
  }

  @Test func azCyrillicQueryFindsLatinUnit() throws {
    let r = try lookup("Азәрбајҹан Республикасынын Президенти Илһам Әлијев Бакыда хариҹи гонаглары гәбул едиб.", .azCyrl)
    let m = try #require(r.matches.first)
    #expect(m.unit == 0)
    #expect(m.kind == .nearExact)
    #expect(m.differences.contains("script"))
    #expect(m.sourceLanguage == .az)
  }

  @Test func exactAzCyrillic() throws {
    let r = try lookup("Милли Мәҹлисин иҹласы сабаһ кечириләҹәк.", .azCyrl)
    let m = try #require(r.matches.first)
    #expect(m.kind == .exact)
    #expect(m.unit == 6)
    #expect(m.sourceLanguage == .azCyrl)
    #expect(m.targets.map(\.text) == ["Заседание Милли Меджлиса состоится завтра."])
  }

  @Test func exactInTheQueryScriptWhenTheUnitHasBoth() throws {
    let both = TranslationUnit(texts: [
      .az: "Qarabağ Azərbaycandır!", .azCyrl: "Гарабағ Азәрбајҹандыр!", .en: "Karabakh is Azerbaijan!",
    ])
    let m = Matcher(indexes: [try LookupFixture.index(Memory(path: "/tmp/x.tsv", languages: [.az, .azCyrl, .en], units: [both]))])
    let cyr = try #require(try m.lookup(LookupQuery(text: "Гарабағ Азәрбајҹандыр!", language: .azCyrl)).matches.first)
    #expect(cyr.kind == .exact)
    #expect(cyr.sourceLanguage == .azCyrl)
    #expect(cyr.targets.map(\.language) == [.en])
    let lat = try #require(try m.lookup(LookupQuery(text: "QARABAĞ AZƏRBAYCANDIR!", language: .az)).matches.first)
    #expect(lat.kind == .nearExact)
    #expect(lat.differences == ["case"])
  }

  @Test func fuzzyAzCyrillic() throws {
    // "сабаһ" → "бу ҝүн" (today): two word edits of six.
    let q = "Милли Мәҹлисин иҹласы бу ҝүн кечириләҹәк."
    let r = try lookup(q, .azCyrl, min: 50)
    let m = try #require(r.matches.first)
    #expect(m.kind == .fuzzy)
    #expect(m.unit == 6)
    #expect(abs(m.score - Self.blend(q, .azCyrl, LookupFixture.units[6].texts[.azCyrl]!, .azCyrl)) < 0.01)
    #expect(m.differences == ["сабаһ"])
    #expect(try lookup(q, .azCyrl, min: m.score + 1).matches.isEmpty)
  }

  @Test func azLatinQueryFindsCyrillicUnit() throws {
    let r = try lookup("Milli Məclisin iclası sabah keçiriləcək.", .az)
    let m = try #require(r.matches.first)
    #expect(m.unit == 6)
    #expect(m.sourceLanguage == .azCyrl)
    #expect(m.targets.map(\.language) == [.ru])
  }

  @Test func belowThresholdIsNoMatch() throws {
    let r = try lookup("Completely unrelated sentence about weather in London today.", .en)
    #expect(r.matches.isEmpty)
  }

  @Test func tiesAreBrokenByMemoryOrder() throws {
    let r = try lookup("Press release!", .en, conc: false)
    #expect(r.matches.map(\.unit) == [8, 9])
    #expect(r.matches.allSatisfy { $0.kind == .nearExact && $0.differences == ["punctuation"] })
  }

  @Test func concordanceCrossScriptName() throws {
    let r = try lookup("Aliyeva", .en, conc: nil)
    let units = Set(r.concordance.map(\.unit))
    #expect(units == [5, 11])
    let ru = try #require(r.concordance.first { $0.unit == 11 })
    #expect(ru.sourceLanguage == .ru)
    // The hit is marked: "Алиева".
    let marked = ru.marks.map { String(decoding: Array(ru.source.utf8)[$0], as: UTF8.self) }
    #expect(marked == ["Алиева"])
  }

  @Test func concordanceAzBothScripts() throws {
    let r = try lookup("Məclisin", .az, conc: true)
    #expect(r.concordance.map(\.unit) == [6])
    #expect(r.concordance.first?.sourceLanguage == .azCyrl)
    let r2 = try lookup("Ильхам Алиев", .ru, conc: nil)
    #expect(r2.concordance.contains { $0.unit == 0 })
  }

  @Test func concordanceEnglishWordsInAnyOrder() throws {
    let r = try lookup("foreign affairs", .en, conc: nil)
    #expect(Set(r.concordance.map(\.unit)) == [3, 7])
  }

  @Test func concordanceLeavesOutOnlyTheUnitsShownFromTheSameMemory() throws {
    // Unit 0 of both memories holds the words; only the desk's unit 0 is a
    // match, so only it is left out of the concordance: the archive's unit 0
    // (the same number in another memory) is a hit.
    func index(_ path: String, _ texts: [String]) throws -> LookupIndex {
      let m = Memory(path: path, languages: [.en, .ru], units: texts.map { TranslationUnit(texts: [.en: $0, .ru: "Текст."]) })
      return try LookupFixture.index(m)
    }
    let desk = try index("/tmp/desk.tsv", ["Foreign affairs.", "Foreign affairs ministers met in Baku."])
    let archive = try index("/tmp/archive.tsv", ["Talks on foreign affairs continued in Baku.", "Press release."])
    let r = try Matcher(indexes: [desk, archive]).lookup(
      LookupQuery(text: "foreign affairs", language: .en, limit: 5, minScore: 70, concordance: nil))
    #expect(r.matches.map { "\($0.memory)#\($0.unit)" } == ["/tmp/desk.tsv#0"])
    #expect(Set(r.concordance.map { "\($0.memory)#\($0.unit)" }) == ["/tmp/desk.tsv#1", "/tmp/archive.tsv#0"])
  }

  @Test func badQueries() throws {
    let m = try LookupFixture.matcher()
    #expect(throws: TMError.self) { try m.lookup(LookupQuery(text: "  ", language: .en)) }
    #expect(throws: TMError.self) { try m.lookup(LookupQuery(text: "bell\u{07} sound", language: .en)) }
    let long = Array(repeating: "söz", count: 10_000).joined(separator: " ")
    #expect(throws: TMError.self) { try m.lookup(LookupQuery(text: long, language: .az)) }
  }
}

@Suite struct LookupIndexTests {
  @Test func persistedIndexMapsBackWithSameResults() throws {
    let m = LookupFixture.memory()
    let fp = MemoryFingerprint(size: 10, mtimeNanoseconds: 20, hash: 30)
    let bytes = try LookupIndexBuilder.build(m, fingerprint: fp)
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tm-lookup-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("news.tsv.idx").path
    LookupIndex.writeAtomically(bytes, to: path)
    let mapped = try #require(LookupIndex.mapped(path: path, memoryPath: m.path))
    #expect(mapped.fingerprint == fp)
    #expect(mapped.columns == [.az, .azCyrl, .ru, .en])
    #expect(mapped.text(unit: 3, language: .ru) == LookupFixture.units[3].texts[.ru])
    let q = LookupQuery(text: "The delegation met the Minister of Defence on Monday.", language: .en)
    let a = try Matcher(indexes: [mapped]).lookup(q)
    let b = try LookupFixture.matcher().lookup(q)
    #expect(a.matches.map(\.unit) == b.matches.map(\.unit))
    #expect(a.matches.map(\.score) == b.matches.map(\.score))
  }

  @Test func corruptIndexIsRejectedNotCrashing() throws {
    let bytes = try LookupIndexBuilder.build(
      LookupFixture.memory(), fingerprint: MemoryFingerprint(size: 1, mtimeNanoseconds: 1, hash: 1))
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tm-lookup-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("x.idx").path
    // Truncated.
    LookupIndex.writeAtomically(Array(bytes.prefix(bytes.count / 2)), to: path)
    #expect(LookupIndex.mapped(path: path, memoryPath: "x") == nil)
    // Garbage.
    LookupIndex.writeAtomically(Array("not an index at all".utf8), to: path)
    #expect(LookupIndex.mapped(path: path, memoryPath: "x") == nil)
    // Random bytes flipped in the body: may load, must not crash.
    var rng = SeededRandom(seed: 7)
    for _ in 0..<30 {
      var b = bytes
      for _ in 0..<50 {
        let i = LookupIndex.headerSize + Int(rng.next() % UInt64(b.count - LookupIndex.headerSize))
        b[i] = UInt8(truncatingIfNeeded: rng.next())
      }
      LookupIndex.writeAtomically(b, to: path)
      if let idx = LookupIndex.mapped(path: path, memoryPath: "x") {
        _ = try? Matcher(indexes: [idx]).lookup(LookupQuery(text: "Foreign affairs of the Republic", language: .en))
        _ = try? Matcher(indexes: [idx]).lookup(LookupQuery(text: "Алиева", language: .ru))
      }
    }
  }

  @Test func fingerprintChangesWithContent() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tm-lookup-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let p = dir.appendingPathComponent("m.tsv").path
    try "az\tru\nSalam\tПривет\n".write(toFile: p, atomically: false, encoding: .utf8)
    let a = try MemoryFingerprint.of(path: p)
    try "az\tru\nSalam\tПока!\n".write(toFile: p, atomically: false, encoding: .utf8)
    let b = try MemoryFingerprint.of(path: p)
    #expect(a.hash != b.hash)
    #expect(throws: TMError.self) { try MemoryFingerprint.of(path: dir.appendingPathComponent("none.tsv").path) }
  }
}


@Suite struct LookupPropertyTests {
  /// The index's candidate generation (prefix and length filters) loses
  /// nothing: it finds exactly the segments a full scan scores ≥ threshold
  /// by word-token distance, and its top k are the scan's top k.
  @Test func indexSearchEqualsBruteForce() throws {
    var rng = SeededRandom(seed: 42)
    let words = [
      "bakı", "şəhər", "ilə", "və", "prezident", "nazir", "ölkə", "iqtisadiyyat", "ildə", "yeni", "layihə",
      "İlham", "Əliyev", "qəbul", "edib", "görüş", "keçirilib", "2024", "1,5", "faiz",
    ]
    var units: [TranslationUnit] = []
    for _ in 0..<400 {
      let n = 1 + rng.below(12)
      let s = (0..<n).map { _ in words[rng.below(words.count)] }.joined(separator: " ") + "."
      units.append(TranslationUnit(texts: [.az: s, .en: "x"]))
    }
    let memory = Memory(path: "/tmp/p.tsv", languages: [.az, .en], units: units)
    let idx = try LookupFixture.index(memory)
    let m = Matcher(indexes: [idx])
    let keys = LookupKeys()
    let scorer = FuzzyScore.standard
    for _ in 0..<60 {
      let n = 1 + rng.below(10)
      let q = (0..<n).map { _ in words[rng.below(words.count)] }.joined(separator: " ")
      let t = [50.0, 70, 85][rng.below(3)]
      let key = keys.key(q, language: .az)
      let toks = keys.tokens(ofKey: key, language: .az)
      let query = LookupQuery(text: q, language: .az, limit: 1000, minScore: t, concordance: false)
      let found = m.search(idx, order: 0, query: query, text: q, key: key, tokens: toks, floor: t)
      let qt = toks.map(\.text)
      var expected = Set<Int>()
      var plain: [Int: Double] = [:]
      for (i, u) in units.enumerated() {
        let st = keys.tokens(u.texts[.az]!, language: .az).map(\.text)
        let d = TokenDistance.distance(qt, st)!
        plain[i] = TokenDistance.score(distance: d, qt.count, st.count)
        if plain[i]! >= t { expected.insert(i) }
      }
      let got = Set(found.map(\.unit))
      // Near-exact matches may be found below the token threshold (numbers differ).
      #expect(expected.isSubset(of: got), "query \(q) t=\(t)")
      // So may segments with a word spelt like a word of a short query.
      for mm in found where !expected.contains(mm.unit) {
        #expect(mm.kind == .nearExact || toks.count <= Matcher.similarWordQueryLength)
      }
      // With a small k, the k best word-token scores are the scan's.
      let top3 = m.search(idx, order: 0, query: query, text: q, key: key, tokens: toks, floor: t, keep: 3)
        .filter { $0.kind == .fuzzy }.map { plain[$0.unit]! }.filter { $0 >= t }.sorted(by: >)
      let scan = expected.filter { i in found.contains { $0.unit == i && $0.kind == .fuzzy } }
        .map { plain[$0]! }.sorted(by: >)
      #expect(Array(top3.prefix(3)) == Array(scan.prefix(3)), "query \(q) t=\(t)")
      // What lookup shows carries the fuzzy score of its unit, in order.
      let r = try m.lookup(query)
      let qs = keys.scoreTokens(q, language: .az)
      for mm in r.matches where mm.kind == .fuzzy {
        let src = units[mm.unit].texts[.az]!
        let a = FuzzyScore.characterKey(key), b = FuzzyScore.characterKey(keys.key(src, language: .az))
        let c = 100 * TokenDistance.indelSimilarity(a, b)
        let s = min(99, scorer.score(tokens: qs, keys.scoreTokens(src, language: .az), characterScore: c))
        #expect(abs(mm.score - s) < 0.01, "query \(q) unit \(mm.unit)")
        #expect(mm.score >= t)
      }
      #expect(r.matches.map(\.score) == r.matches.map(\.score).sorted(by: >))
    }
  }

  /// Concordance finds exactly the units holding every query word (by
  /// its key or its cross-script key), however rare or common each word:
  /// the rarest word's units are listed, the others filter them or are
  /// intersected with them, and both ways must give the same units.
  @Test func concordanceEqualsBruteForce() throws {
    var rng = SeededRandom(seed: 1918)
    let words = [
      "və", "ilə", "bu", "üçün", "bakı", "şəhər", "prezident", "nazir", "ölkə", "iqtisadiyyat", "ildə", "yeni",
      "layihə", "İlham", "Əliyev", "qəbul", "edib", "görüş", "keçirilib", "faiz", "neft", "qaz", "Xəzər", "dəniz",
      "Şuşa", "Gəncə", "ixrac", "büdcə", "məclis", "qanun",
    ]
    // Skewed: the first words are in most units, the last in a few.
    func word() -> String { words[rng.below(1 + rng.below(words.count))] }
    var units: [TranslationUnit] = []
    for _ in 0..<800 {
      let s = (0..<(1 + rng.below(14))).map { _ in word() }.joined(separator: " ") + "."
      units.append(TranslationUnit(texts: [.az: s, .en: "x"]))
    }
    let memory = Memory(path: "/tmp/c.tsv", languages: [.az, .en], units: units)
    let m = Matcher(indexes: [try LookupFixture.index(memory)])
    let keys = LookupKeys()
    func wordKeys(_ text: String) -> [(key: String, cross: String)] {
      keys.surfaceTokens(text, language: .az).filter { $0.kind == .word }
        .map { ($0.key, keys.crossScript($0.key, language: .az)) }
    }
    let unitWords = units.map { wordKeys($0.texts[.az] ?? "") }
    var filtered = 0
    for _ in 0..<80 {
      var q = (0..<(1 + rng.below(4))).map { _ in words[rng.below(words.count)] }.joined(separator: " ")
      if rng.below(3) == 0 { q = q.uppercased() }
      let expected = Set(
        unitWords.indices.filter { i in
          wordKeys(q).allSatisfy { w in unitWords[i].contains { $0.key == w.key || $0.cross == w.cross } }
        })
      let (hits, total) = m.concordance(
        LookupQuery(text: q, language: .az, limit: 1000, minScore: 70, concordance: true), text: q, excluding: [])
      #expect(total == expected.count, "query \(q)")
      #expect(Set(hits.map(\.unit)) == expected, "query \(q)")
      // Shorter segments first.
      let lengths = hits.map { unitWords[$0.unit].count }
      #expect(lengths == lengths.sorted(), "query \(q)")
      let counts = wordKeys(q).map { w in unitWords.filter { $0.contains { $0.key == w.key } }.count }
      if let lo = counts.min(), let hi = counts.max(), expected.count * 4 < hi, lo < hi { filtered += 1 }
    }
    // The queries did take the filtering path (a rare word beside a common one).
    #expect(filtered >= 10)
  }

  @Test func tokenDistanceProperties() {
    var rng = SeededRandom(seed: 2026)
    var scratch = DistanceScratch()
    for _ in 0..<300 {
      let a = (0..<rng.below(15)).map { _ in UInt32(rng.below(6)) }
      let b = (0..<rng.below(15)).map { _ in UInt32(rng.below(6)) }
      let d = TokenDistance.distance(a, b)!
      #expect(d == TokenDistance.distance(b, a)!)
      #expect(d <= max(a.count, b.count) && d >= abs(a.count - b.count))
      #expect(TokenDistance.distance(a, a)! == 0)
      let limit = rng.below(8)
      let capped = b.withUnsafeBufferPointer { scratch.distance(a, $0, limit: limit) }
      #expect(capped == (d <= limit ? d : nil))
      // Unmatched positions: exactly the inserted/substituted ones, never more than b.count.
      let u = TokenDistance.unmatched(a, in: b)
      #expect(u.count <= b.count && u.count >= b.count - min(a.count, b.count) && u.count <= d)
    }
  }
}

@Suite struct NumberSubstitutionTests {
  @Test func formatsPerLanguage() {
    #expect(NumberSubstitution.format(70000, like: "70 000", language: .ru) == "70 000")
    #expect(NumberSubstitution.format(85500, like: "70,000", language: .en) == "85,500")
    #expect(NumberSubstitution.format(85500, like: "70.000", language: .az) == "85.500")
    #expect(NumberSubstitution.format(2.5, like: "1,5", language: .ru) == "2,5")
    #expect(NumberSubstitution.format(2.5, like: "1.5", language: .en) == "2.5")
    #expect(NumberSubstitution.format(1919, like: "1918", language: .az) == "1919")
    #expect(NumberSubstitution.format(125000, like: "5", language: .en) == "125,000")
  }

  @Test func azerbaijaniOrdinalSuffixHarmony() {
    let cases: [(Double, String)] = [
      (1, "-ci"), (3, "-cü"), (6, "-cı"), (9, "-cu"), (10, "-cu"), (20, "-ci"), (40, "-cı"), (100, "-cü"),
      (1918, "-ci"), (1919, "-cu"), (2000, "-ci"), (2023, "-cü"), (1990, "-cı"),
    ]
    for (v, s) in cases { #expect(NumberSubstitution.ordinalSuffix(for: v, replacing: "-ci", language: .az) == s, "\(v)") }
    #expect(NumberSubstitution.ordinalSuffix(for: 1919, replacing: "-ҹи", language: .azCyrl) == "-ҹу")
    #expect(NumberSubstitution.ordinalSuffix(for: 22, replacing: "th", language: .en) == "nd")
    #expect(NumberSubstitution.ordinalSuffix(for: 12, replacing: "st", language: .en) == "th")
    #expect(NumberSubstitution.ordinalSuffix(for: 1919, replacing: "-го", language: .ru) == "-го")
  }

  @Test func refusesWhenTheTranslationLacksTheValue() {
    #expect(
      NumberSubstitution.substitute(
        query: "5 tons", queryLanguage: .en, source: "7 tons", sourceLanguage: .en, target: "семь тонн",
        targetLanguage: .ru) == nil)
    #expect(
      NumberSubstitution.substitute(
        query: "5-го мая 2024 г.", queryLanguage: .ru, source: "7-го мая 2023 г.", sourceLanguage: .ru,
        target: "on 7 May 2023", targetLanguage: .en) == "on 5 May 2024")
  }
}

@Suite struct QueryLanguageGuessTests {
  @Test func guesses() {
    #expect(LanguageGuess.language(of: "Азәрбајҹан Республикасы") == .azCyrl)
    #expect(LanguageGuess.language(of: "Министерство иностранных дел") == .ru)
    #expect(LanguageGuess.language(of: "Azərbaycan Respublikası") == .az)
    #expect(LanguageGuess.language(of: "Foreign affairs") == .en)
    #expect(LanguageGuess.language(of: "Aliyeva") == .en)
    #expect(LanguageGuess.language(of: "Aliyeva", available: [.az, .ru]) == .az)
    #expect(LanguageGuess.language(of: "Qarabağ") == .az)
  }

  @Test func analysisBands() {
    var a = MatchAnalysis()
    for s in [100.0, 99, 95, 94.5, 85, 80, 60, 49] { a.add(score: s, words: 2) }
    a.add(score: nil, words: 3)
    #expect(a.segments == [1, 2, 2, 1, 1, 2])
    #expect(a.words == [2, 4, 4, 2, 2, 5])
  }
}

@Suite struct NumberSubstitutionPropertyTests {
  /// Substituting the query's numbers into a translation and then the
  /// stored numbers back gives the stored translation again, for random
  /// values written in each language's own format.
  @Test func substitutionRoundTrips() {
    var rng = SeededRandom(seed: 1918)
    func value() -> Double {
      rng.below(3) == 0 ? Double(rng.below(10_000)) / 10 + 0.5 : Double(1 + rng.below(999_999))
    }
    let pairs: [(Language, String, Language, String)] = [
      (.en, "The plant produced %0 tons in %1.", .ru, "Завод произвёл %0 тонн в %1 году."),
      (.az, "Zavod %1-ci ildə %0 ton məhsul istehsal edib.", .en, "The plant produced %0 tons in %1."),
      (.ru, "В %1 году завод произвёл %0 тонн.", .az, "Zavod %1-ci ildə %0 ton məhsul istehsal edib."),
    ]
    for _ in 0..<100 {
      let (sl, st, tl, tt) = pairs[rng.below(pairs.count)]
      let a0 = value(), b0 = value(), a1 = Double(1900 + rng.below(130)), b1 = Double(1900 + rng.below(130))
      guard a0 != b0, a1 != b1 else { continue }
      func fill(_ template: String, _ l: Language, _ v0: Double, _ v1: Double) -> String {
        var s = template.replacingOccurrences(of: "%0", with: NumberSubstitution.format(v0, like: "", language: l))
        s = s.replacingOccurrences(of: "%1", with: NumberSubstitution.format(v1, like: "", language: l))
        if l == .az {
          s = s.replacingOccurrences(
            of: "-ci", with: NumberSubstitution.ordinalSuffix(for: v1, replacing: "-ci", language: .az))
        }
        return s
      }
      let source = fill(st, sl, a0, a1), query = fill(st, sl, b0, b1)
      let target = fill(tt, tl, a0, a1)
      let there = NumberSubstitution.substitute(
        query: query, queryLanguage: sl, source: source, sourceLanguage: sl, target: target, targetLanguage: tl)
      #expect(there == fill(tt, tl, b0, b1), "\(query) → \(target)")
      guard let there else { continue }
      let back = NumberSubstitution.substitute(
        query: source, queryLanguage: sl, source: query, sourceLanguage: sl, target: there, targetLanguage: tl)
      #expect(back == target)
    }
  }
}

@Suite struct LookupRobustnessTests {
  /// Random text from a mixed alphabet (letters of all our scripts,
  /// combining marks, digits in local formats, quotes, emoji, zero-width
  /// and control characters): a result or a TMError, never a crash.
  @Test func randomQueriesNeverCrash() throws {
    let m = try LookupFixture.matcher()
    let alphabet = Array(
      "aəıİiIğşçöüqxAƏЖжәҹһјүөғҝЁёЫыйАлиеваAliyeva 0123456789 ,.-–—«»“”'’%$№\u{0301}\u{0307}\u{200B}\u{200D}\u{FEFF}👍🏽\t\n\u{07}\u{1B}١٢٣"
    )
    var rng = SeededRandom(seed: 99)
    for i in 0..<300 {
      let n = rng.below(40)
      let q = String((0..<n).map { _ in alphabet[rng.below(alphabet.count)] })
      let lang = Language.allCases[i % 4]
      do {
        let r = try m.lookup(LookupQuery(text: q, language: lang, limit: 3, minScore: Double(rng.below(100))))
        for x in r.matches + r.concordance {
          #expect((0...100).contains(x.score))
          for mark in x.marks { #expect(mark.upperBound <= x.source.utf8.count) }
        }
      } catch is TMError {
        // refused with a message: fine
      }
    }
  }
}

/// The fuzzy score's tokens: placeholders, accelerators and punctuation as
/// tokens of their own (issue 8, §3).
@Suite struct ScoreTokenTests {
  let keys = LookupKeys()

  func kinds(_ s: String, _ l: Language = .en) -> [String] {
    keys.scoreTokens(s, language: l).map { t in
      switch t.kind {
      case .word: return t.key
      case .number: return "#" + t.key
      case .placeholder: return "{" + t.key + "}"
      case .mnemonic: return "&"
      case .punctuation: return "p" + t.key
      }
    }
  }

  @Test func printfPythonBraceAndWeblatePlaceholders() {
    #expect(kinds("Delete %1$d files from %(folder)s?") == ["delete", "{%1$d}", "files", "from", "{%(folder)s}", "p?"])
    #expect(kinds("Copying %s to %s (%.1f%%)") == ["copying", "{%s}", "to", "{%s}", "p(", "{%.1f}", "p%%)"])
    #expect(kinds("Hello {name}, you have {0} new [X6X] messages") == [
      "hello", "{{name}}", "p,", "you", "have", "{{0}}", "new", "{[X6X]}", "messages",
    ])
    #expect(kinds("%1 of %2 files") == ["{%1}", "of", "{%2}", "files"])
    #expect(kinds("Set <b>$HOME</b> first") == ["set", "{<b>}", "{$HOME}", "{</b>}", "first"])
  }

  @Test func percentSignsThatAreNotPlaceholders() {
    #expect(kinds("50% off") == ["#50", "p%", "off"])
    #expect(kinds("Скидка 50 % на всё", .ru) == ["скидка", "#50", "p%", "на", "все"])
  }

  @Test func accelerators() {
    #expect(kinds("_File") == ["&", "file"])
    #expect(kinds("&File") == ["&", "file"])
    #expect(kinds("E&xit") == ["&", "exit"])
    #expect(kinds("_Fayl", .az) == ["&", "fayl"])
    #expect(kinds("&Файл", .ru) == ["&", "файл"])
    #expect(kinds("Drag && Drop") == ["drag", "p&&", "drop"])
    #expect(kinds("Drag & Drop") == ["drag", "p&", "drop"])
    #expect(kinds("max_connections must be set") == ["max_connections", "must", "be", "set"])
    // GNOME also marks inside a word.
    #expect(kinds("Or_ganization:") == ["&", "organization", "p:"])
    #expect(kinds("Set LC_ALL first") == ["set", "lc_all", "first"])
  }

  @Test func ellipsisIsOneMarkWhateverItsForm() {
    #expect(kinds("Save As…") == kinds("Save As..."))
    #expect(kinds("Save As…").last == "p...")
  }

  @Test func azerbaijaniCyrillicWordsShareTheLatinKeys() {
    #expect(kinds("_Фајл ачылмады: %s", .azCyrl) == kinds("_Fayl açılmadı: %s", .az))
  }

  @Test func lcsBitParallelEqualsDynamicProgramming() {
    var rng = SeededRandom(seed: 8)
    for _ in 0..<200 {
      let a = (0..<rng.below(150)).map { _ in rng.below(4) }
      let b = (0..<rng.below(150)).map { _ in rng.below(4) }
      var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
      for i in 0..<a.count {
        for j in 0..<b.count { d[i + 1][j + 1] = a[i] == b[j] ? d[i][j] + 1 : max(d[i][j + 1], d[i + 1][j]) }
      }
      #expect(LCSPattern(a).lcs(b) == d[a.count][b.count])
    }
  }
}

/// Ranking on real-looking UI strings where plain token Levenshtein ties or
/// picks the wrong unit (issue 8, §3). Each memory lists the unit plain token
/// distance would pick first, so a tie resolved by memory order fails.
@Suite struct FuzzyRankingTests {
  func best(_ query: String, _ l: Language, _ sources: [(String, String)], other: Language = .ru) throws -> Match {
    let units = sources.map { TranslationUnit(texts: [l: $0.0, other: $0.1]) }
    let m = Matcher(indexes: [try LookupFixture.index(Memory(path: "/tmp/ui.tsv", languages: [l, other], units: units))])
    let r = try m.lookup(LookupQuery(text: query, language: l, limit: 3, minScore: 1, concordance: false))
    return try #require(r.matches.first)
  }

  /// Plain token edit distance over word and number tokens.
  func plain(_ a: String, _ b: String, _ l: Language) -> Double {
    let k = LookupKeys()
    let x = k.tokens(a, language: l).map(\.text), y = k.tokens(b, language: l).map(\.text)
    return TokenDistance.score(distance: TokenDistance.distance(x, y) ?? 0, x.count, y.count)
  }

  @Test func placeholderChangeBeatsAChangedWord() throws {
    let q = "Delete %d files?"
    let a = "Delete all files?", b = "Delete %s files?"
    #expect(plain(q, a, .en) == plain(q, b, .en))
    let m = try best(q, .en, [(a, "Удалить все файлы?"), (b, "Удалить файлы (%s)?")])
    #expect(m.source == b)
  }

  @Test func oneChangedWordInAShortStringPrefersTheSameStem() throws {
    let q = "Open the folder"
    let a = "Open the file", b = "Open the folders"
    #expect(plain(q, a, .en) == plain(q, b, .en))
    let m = try best(q, .en, [(a, "Открыть файл"), (b, "Открыть папки")])
    #expect(m.source == b)
  }

  @Test func russianInflectionCountsLessThanAnotherWord() throws {
    let q = "Не удалось открыть файл"
    let a = "Не удалось открыть каталог", b = "Не удалось открыть файлы"
    #expect(plain(q, a, .ru) == plain(q, b, .ru))
    let m = try best(q, .ru, [(a, "Could not open the directory"), (b, "Could not open the files")], other: .en)
    #expect(m.source == b)
  }

  @Test func azerbaijaniSuffixCountsLessThanAnotherWord() throws {
    let q = "Faylı açmaq mümkün olmadı"
    let a = "Qovluğu açmaq mümkün olmadı", b = "Faylları açmaq mümkün olmadı"
    #expect(plain(q, a, .az) == plain(q, b, .az))
    let m = try best(q, .az, [(a, "Could not open the folder"), (b, "Could not open the files")], other: .en)
    #expect(m.source == b)
  }

  @Test func punctuationOnlyDifferenceIsCloserThanAWord() throws {
    // "…" (the command opens a dialog) is kept; another word is worse.
    let q = "Connect to server…"
    let a = "Connect to server %s", b = "Connect to a server…"
    #expect(plain(q, a, .en) == plain(q, b, .en))
    let m = try best(q, .en, [(a, "Подключиться к серверу %s"), (b, "Подключиться к серверу…")])
    #expect(m.source == b)
  }

  @Test func acceleratorsOfEitherToolkitAreTheSameMark() throws {
    // GNOME `_Open Recent File` against KDE `&Open Recent File`: word break
    // glued `_` to the word, so plain token distance counted `_open` as a
    // different word and ranked `Open Recent Files` level with it.
    let q = "&Open Recent File"
    let a = "Open Recent Files", b = "_Open Recent File"
    let m = try best(q, .en, [(a, "Открыть последние файлы"), (b, "_Открыть последний файл")])
    #expect(m.source == b)
    #expect(m.kind == .nearExact)
    #expect(m.differences == ["accelerator"])
    // A KDE mark inside the word keeps the word whole.
    let f = try best("E&xit", .en, [("Edit", "Правка"), ("Exit", "Выход")])
    #expect(f.source == "Exit")
    #expect(f.kind == .nearExact)
  }

  @Test func aShortQueryFindsAWordSpeltAlike() throws {
    // No token in common, so the word index alone finds nothing.
    let m = try best("Armenian", .en, [("Albania", "Албания"), ("Armenia", "Армения"), ("Romanian", "Румынский")])
    #expect(m.source == "Armenia" || m.source == "Romanian")
    let d = try best("Director", .en, [("Directory", "Каталог"), ("Direction", "Направление")])
    #expect(d.source == "Directory")
  }

  @Test func anAcceleratorAloneIsANearExactDifference() throws {
    let m = try best("_Save As…", .en, [("Save As…", "Сохранить как…")])
    #expect(m.kind == .nearExact)
    #expect(m.differences == ["accelerator"])
    #expect(m.score == 99)
  }

  @Test func aPlaceholderOrTagThatDiffersIsNotNearExact() throws {
    // Same words, but the translation's placeholder must change: before,
    // `{0}` against `%1` counted as a number to substitute.
    let m = try best("{0} files selected", .en, [("%1 files selected", "Выбрано файлов: %1")])
    #expect(m.kind == .fuzzy)
    #expect(m.score < 95)
    #expect(m.targets.allSatisfy { $0.substituted == nil })
    let t = try best("Sheets", .en, [("<sheets>", "<листы>")])
    #expect(t.kind == .fuzzy)
  }

  @Test func unrelatedShortStringIsNoConfidentMatch() throws {
    let m = try best(
      "Print the current page", .en,
      [("Open the current folder", "Открыть текущую папку"), ("The page could not be printed", "Не удалось напечатать")])
    #expect(m.score < 75)
  }

  @Test func scoreIsTheDocumentedBlend() {
    let k = LookupKeys()
    let f = FuzzyScore.standard
    let a = k.scoreTokens("Delete %d files?", language: .en), b = k.scoreTokens("Delete %s files?", language: .en)
    // One placeholder substituted: 0.5 of its weight over max weight 3.3.
    #expect(abs(f.tokenScore(a, b) - 100 * (1 - f.placeholderSubstitution / (3 + f.punctuationWeight))) < 1e-9)
    #expect(f.tokenScore(a, a) == 100)
    #expect(f.score(tokens: a, a, characterScore: 100) == 100)
  }

  /// The memoised substitution rows give the same distance as the plain
  /// computation, across many stored segments sharing one row table.
  @Test func tokenDistanceWithRowsEqualsPlain() {
    let k = LookupKeys()
    let f = FuzzyScore.standard
    let cases: [(String, Language, [String])] = [
      ("Delete %d files from _Trash?", .en, ["Delete %s file from Trash.", "Remove 3 files", "_Delete the files?", ""]),
      ("Файл «%s» не найден.", .ru, ["Файлы «%s» не найдены.", "Файл %d не найден", "Папка не найдена!"]),
      ("Prezident 2024-cü ildə fərman imzalayıb.", .az, ["Prezident 2023-cü ildə sərəncam imzalayıb.", "Fərman imzalanıb", "ildə"]),
    ]
    for (q, l, stored) in cases {
      let a = k.scoreTokens(q, language: l)
      var rows: [String: [Double]] = [:]
      for _ in 0..<2 {
        for s in stored {
          let b = k.scoreTokens(s, language: l)
          let plain = f.tokenDistance(a, b), memo = f.tokenDistance(a, b, rows: &rows)
          #expect(plain.distance == memo.distance && plain.weightA == memo.weightA && plain.weightB == memo.weightB, "\(q) / \(s)")
          #expect(f.score(tokens: a, b, characterScore: 61) == f.score(tokens: a, b, characterScore: 61, rows: &rows))
        }
      }
    }
  }
}
