import Testing
@testable import TMKit

/// What lookup keeps across queries (the character keys of stored segments,
/// the vocabulary's byte masks) and the bound those masks give must not
/// change a single answer: a matcher that has answered many queries against
/// one that answers each afresh, and the similar-word search with the bound
/// against the one without, on random az/ru/en memories.
@Suite struct RescoreCacheTests {
  typealias Rng = FastPathTests.Rng

  static let words: [Language: [String]] = [
    .az: [
      "Bakı", "Bakıda", "şəhər", "şəhərin", "Prezident", "Prezidenti", "fərman", "fərmanı", "imzalayıb", "qanun",
      "qanunu", "yeni", "böyük", "park", "parkı", "açılıb", "ölkə", "ölkənin", "il", "ildə", "Azərbaycan", "İlham",
      "Əliyev", "xarici", "qonaqları", "qəbul", "edib", "hesabat", "ixrac", "artıb",
    ],
    .azCyrl: ["Бакы", "Бакыда", "шәһәр", "Президент", "фәрман", "имзалайыб", "ганун", "јени", "бөјүк", "парк", "ачылыб"],
    .ru: [
      "Баку", "город", "города", "Президент", "президента", "указ", "указа", "подписал", "закон", "закона", "новый",
      "новая", "большой", "парк", "парка", "открылся", "страна", "страны", "год", "году", "Азербайджан", "Ильхам",
      "Алиев", "иностранных", "гостей", "принял", "отчёт", "экспорт", "вырос",
    ],
    .en: [
      "Baku", "city", "cities", "President", "presidents", "decree", "decrees", "signed", "law", "laws", "new",
      "newer", "big", "park", "parks", "opened", "country", "countries", "year", "years", "Azerbaijan", "Ilham",
      "Aliyev", "foreign", "guests", "received", "report", "exports", "rose", "file", "files", "Open", "_Open",
    ],
  ]

  static func sentence(_ r: inout Rng, _ l: Language, maxWords: Int) -> String {
    let n = 1 + Int(r.next() % UInt64(maxWords))
    var out: [String] = []
    for _ in 0..<n {
      switch r.next() % 12 {
      case 0: out.append(String(r.next() % 2000))
      case 1: out.append(r.pick(["%s", "{0}", "<b>", "</b>", ",", ".", "…", "—"]))
      default: out.append(r.pick(words[l] ?? []))
      }
    }
    return out.joined(separator: " ") + (r.next() % 3 == 0 ? "." : "")
  }

  static func memory(_ r: inout Rng, units: Int) -> Memory {
    var us: [TranslationUnit] = []
    for _ in 0..<units {
      var t: [Language: String] = [:]
      for l in [Language.az, .ru, .en] where r.next() % 5 != 0 { t[l] = sentence(&r, l, maxWords: 9) }
      // Some units hold az in both scripts (lookup shows the query's).
      if r.next() % 6 == 0 { t[.azCyrl] = sentence(&r, .azCyrl, maxWords: 6) }
      if t.isEmpty { t[.en] = sentence(&r, .en, maxWords: 9) }
      us.append(TranslationUnit(texts: t))
    }
    return Memory(path: "/tmp/rescore-cache.tsv", languages: [.az, .azCyrl, .ru, .en], units: us)
  }

  /// Everything a lookup shows, as text.
  static func shown(_ r: LookupResult) -> [String] {
    func row(_ m: Match) -> String {
      "\(m.kind) \(m.score) \(m.tieBreak) \(m.unit) \(m.sourceLanguage) \(m.source) | "
        + m.targets.map { "\($0.language)=\($0.text)/\($0.substituted ?? "-")" }.joined(separator: " ")
        + " | \(m.differences) \(m.marks)"
    }
    return r.matches.map(row) + ["--"] + r.concordance.map(row)
      + ["total \(r.concordanceTotal) best \(String(describing: r.bestScore)) floor \(String(describing: r.retrievalFloor))"]
  }

  @Test func aMatcherThatKeptKeysAnswersLikeAFreshOne() throws {
    var r = Rng(s: 11)
    for round in 0..<3 {
      let mem = Self.memory(&r, units: 400 + 300 * round)
      let idx = try LookupFixture.index(mem)
      let warm = Matcher(indexes: [idx])
      let keys = LookupKeys()
      var queries: [LookupQuery] = []
      for k in 0..<150 {
        let l = r.pick([Language.az, .ru, .en, .az, .azCyrl])
        // Half of the queries are stored segments edited a little, so that
        // many candidates tie.
        var text = Self.sentence(&r, l, maxWords: 8)
        if k % 2 == 0, let s = mem.units[Int(r.next() % UInt64(mem.units.count))].texts[l] {
          var w = s.split(separator: " ").map(String.init)
          if w.count > 2 { w[Int(r.next() % UInt64(w.count))] = r.pick(Self.words[l] ?? []) }
          text = w.joined(separator: " ")
        }
        queries.append(
          LookupQuery(
            text: text, language: l, limit: [1, 5, 20][k % 3], minScore: [50, 70, 85][Int(r.next() % 3)]))
      }
      // Twice over: the second pass finds every key kept.
      for pass in 0..<2 {
        for q in queries {
          let a = try warm.lookup(q, analysisFloor: pass == 1 ? 50 : nil)
          let b = try Matcher(indexes: [idx], keys: keys).lookup(q, analysisFloor: pass == 1 ? 50 : nil)
          #expect(Self.shown(a) == Self.shown(b), "query \(q.text) (\(q.language)), pass \(pass)")
        }
      }
      #expect(!(warm.characterKeys.values.first?.compactMap { $0 }.isEmpty ?? true))
      #expect(!warm.scoreTokenCache.isEmpty)
      // A matcher given the complete tables (what the server shares) too.
      let shared = Matcher(indexes: [idx])
      for l in idx.searchableSections {
        let t = try #require(CharacterKeys.complete(idx, language: l))
        #expect(t.frozen)
        shared.adopt(t, for: idx, language: l)
      }
      for q in queries.prefix(60) {
        #expect(Self.shown(try shared.lookup(q)) == Self.shown(try Matcher(indexes: [idx], keys: keys).lookup(q)),
          "query \(q.text) (\(q.language)), complete tables")
      }
    }
  }

  /// Fuzzy candidates kept as (entry, score) until the pool is chosen, and
  /// the character similarity of those whose bound cannot reach the pool
  /// not computed: the same answers as every candidate made a `Match` and
  /// scored, on two memories at once (ties at the pool's edge go by memory
  /// order), short queries (thousands of similar-word candidates) and long.
  @Test func candidatePairsAnswerLikeMatches() throws {
    var r = Rng(s: 23)
    for round in 0..<2 {
      var a = Self.memory(&r, units: 500 + 400 * round)
      a.path = "/tmp/rescore-pairs-a.tsv"
      var b = Self.memory(&r, units: 300)
      b.path = "/tmp/rescore-pairs-b.tsv"
      let indexes = [try LookupFixture.index(a), try LookupFixture.index(b)]
      let keys = LookupKeys()
      var short = 0
      for k in 0..<200 {
        let l = r.pick([Language.az, .ru, .en, .az, .azCyrl])
        var text = Self.sentence(&r, l, maxWords: k % 2 == 0 ? 3 : 8)
        if k % 3 == 0, let s = a.units[Int(r.next() % UInt64(a.units.count))].texts[l] {
          var w = s.split(separator: " ").map(String.init)
          if w.count > 2 { w[Int(r.next() % UInt64(w.count))] = r.pick(Self.words[l] ?? []) }
          text = w.joined(separator: " ")
        }
        if text.split(separator: " ").count <= 3 { short += 1 }
        let q = LookupQuery(
          text: text, language: l, limit: [1, 5, 20, 45][k % 4], minScore: [40, 50, 70, 85][Int(r.next() % 4)])
        let slow = Matcher(indexes: indexes, keys: keys)
        slow.materializeCandidates = true
        for floor in [nil, 50.0] {
          let fast = try Matcher(indexes: indexes, keys: keys).lookup(q, analysisFloor: floor)
          #expect(Self.shown(fast) == Self.shown(try slow.lookup(q, analysisFloor: floor)), "query \(q.text) (\(q.language))")
        }
      }
      #expect(short > 50)
    }
  }

  /// The server's copy of an index in huge pages reads as the same index
  /// and answers as the original does.
  @Test func anIndexInHugePagesAnswersLikeTheMappedOne() throws {
    var r = Rng(s: 31)
    let mem = Self.memory(&r, units: 700)
    let idx = try LookupFixture.index(mem)
    let huge = try #require(idx.inHugePages())
    #expect(huge.sameIndex(as: idx) && idx.sameIndex(as: huge))
    #expect(huge.byteCount == idx.byteCount && huge.unitCount == idx.unitCount)
    #expect(!idx.sameIndex(as: try LookupFixture.index(Self.memory(&r, units: 20))))
    let keys = LookupKeys()
    for k in 0..<80 {
      let l = r.pick([Language.az, .ru, .en, .azCyrl])
      let q = LookupQuery(text: Self.sentence(&r, l, maxWords: k % 2 == 0 ? 3 : 8), language: l, minScore: 50)
      #expect(
        Self.shown(try Matcher(indexes: [huge], keys: keys).lookup(q))
          == Self.shown(try Matcher(indexes: [idx], keys: keys).lookup(q)), "query \(q.text)")
    }
  }

  @Test func theVocabularyMaskBoundKeepsEverySimilarWord() throws {
    var r = Rng(s: 5)
    let mem = Self.memory(&r, units: 600)
    let idx = try LookupFixture.index(mem)
    let m = Matcher(indexes: [idx])
    let keys = LookupKeys()
    for (si, l) in LookupIndex.sections.enumerated() {
      guard let sec = idx.section(l) else { continue }
      let masks = m.vocabularyMasks(idx, si, sec)
      #expect(masks.byID.count == sec.vocabCount && masks.ids.count == sec.vocabCount)
      // Every word once, in the group of its length (the grouped scan
      // reads only the groups the length rule allows).
      #expect(Set(masks.ids).count == sec.vocabCount)
      for n in 0..<(masks.start.count - 1) {
        for p in masks.start[n]..<masks.start[n + 1] {
          let v = Int(masks.ids[p])
          let len = Int(sec.vocabOff[v + 1]) - Int(sec.vocabOff[v])
          #expect(min(len, VocabularyMasks.maxLength) == n && masks.grouped[p] == masks.byID[v])
        }
      }
      for _ in 0..<80 {
        let q = Self.sentence(&r, l, maxWords: 3)
        let toks = keys.tokens(ofKey: keys.key(q, language: l), language: l)
        let bounded = m.similarWordEntries(sec, query: toks, maxLength: toks.count + 2, masks: masks)
        let plain = m.similarWordEntries(sec, query: toks, maxLength: toks.count + 2)
        #expect(bounded == plain, "query \(q)")
      }
    }
  }

  /// The matches shown are picked by sorting indexes over the compared
  /// fields: the same as a stable sort of the `Match` values by
  /// `Matcher.before`, the threshold and the limit after it, on many ties.
  @Test func sortingIndexesPicksWhatSortingMatchesDid() {
    var r = Rng(s: 31)
    for round in 0..<300 {
      var ms: [Match] = []
      for k in 0..<Int(r.next() % 60) {
        let kind = r.pick([MatchKind.exact, .nearExact, .fuzzy, .fuzzy])
        var m = Match(
          kind: kind, score: r.pick([100, 99, 97.5, 85, 85, 70, 64.25]), memory: "m\(r.next() % 2).tsv",
          unit: Int(r.next() % 8), sourceLanguage: r.pick([.az, .ru, .en]), source: "Bakı \(k)", targets: [],
          differences: [], marks: [])
        m.tieBreak = r.pick([0, 50, 88.8, 100])
        m.order = Int(r.next() % 2)
        ms.append(m)
      }
      let minScore = r.pick([0.0, 70, 85, 99])
      let limit = r.pick([0, 1, 5, 40])
      let sorted = ms.sorted(by: Matcher.before)
      let want = Array(sorted.filter { $0.score >= minScore }.prefix(limit))
      var top: Double? = nil
      let got = Matcher.best(ms, minScore: minScore, limit: limit, top: &top)
      #expect(got.map(\.source) == want.map(\.source), "round \(round)")
      #expect(top == sorted.first?.score)
    }
  }

  @Test func characterKeysGiveBackWhatWasKeptBeforeAndAfterTheyGrow() {
    var r = Rng(s: 21)
    let n = 20000
    let c = CharacterKeys(entries: n)
    var kept: [Int: [UInt8]] = [:]
    for k in 0..<9000 {
      let e = Int(r.next() % UInt64(n))
      var t = FastPathTests.randomText(&r, maxLength: 50)
      t.withUTF8 { c.put(e, $0) }
      if kept[e] == nil { kept[e] = Array(t.utf8) }  // the first key kept stays
      if k % 500 == 0 || k == 8999 {
        for (e, b) in kept { #expect(c.withKey(e) { Array($0) } == b) }
      }
    }
    #expect(c.withKey(-1) { _ in 0 } == nil)
    #expect(c.withKey(n) { _ in 0 } == nil)
    #expect((0..<n).filter { kept[$0] == nil }.allSatisfy { c.withKey($0) { _ in 0 } == nil })
  }

  @Test func scalarPatternOverUTF8EqualsTheScalarArray() {
    var r = Rng(s: 9)
    for k in 0..<3000 {
      let a = FastPathTests.randomText(&r, maxLength: k % 5 == 0 ? 200 : 60) + (k % 7 == 0 ? "漢☃𝄞" : "")
      var b = FastPathTests.randomText(&r, maxLength: k % 3 == 0 ? 200 : 60) + (k % 11 == 0 ? "𝄞 字" : "")
      let p = ScalarLCSPattern(Array(a.unicodeScalars))
      let (lcs, scalars) = b.withUTF8 { p.lcs(utf8: $0) }
      #expect(lcs == p.lcs(Array(b.unicodeScalars)))
      #expect(scalars == b.unicodeScalars.count)
    }
  }
}
