import Testing

@testable import TMKit

/// Segments, one per line (the `--segmented` convention).
private func segs(_ lines: [String]) -> [AlignSegment] {
  lines.enumerated().map { AlignSegment(text: $0.element, id: $0.offset, startsParagraph: true) }
}

/// Beads as "s-ids:t-ids" strings, e.g. "0:0", "3,4:5", "6:".
private func render(_ beads: [Bead]) -> [String] {
  beads.map { b in
    b.source.map(String.init).joined(separator: ",") + ":" + b.target.map(String.init).joined(separator: ",")
  }
}

/// Every segment of both sides is in exactly one bead, in order.
private func isMonotoneCover(_ beads: [Bead], _ n: Int, _ m: Int) -> Bool {
  var i = 0
  var j = 0
  for b in beads {
    if b.source.lowerBound != i || b.target.lowerBound != j { return false }
    if b.source.isEmpty && b.target.isEmpty { return false }
    i = b.source.upperBound
    j = b.target.upperBound
  }
  return i == n && j == m
}

private let articlesAz = [
  "Maddə 1",
  "Bütün insanlar ləyaqət və hüquqlarına görə azad və bərabər doğulurlar.",
  "Maddə 2",
  "Hər bir şəxs irqindən, dərisinin rəngindən, cinsindən, dilindən, dinindən asılı olmayaraq bu Bəyannamədə elan olunmuş bütün hüquq və azadlıqlara malik olmalıdır.",
  "Maddə 3",
  "Hər bir şəxsin yaşamaq, azadlıq və şəxsi toxunulmazlıq hüququ var.",
  "Maddə 4",
  "Heç kim köləlikdə və ya asılı vəziyyətdə saxlanılmamalıdır; köləlik və qul alveri bütün formalarında qadağandır.",
  "Maddə 5",
  "Heç kim işgəncəyə və ya qəddar, qeyri-insani və ya ləyaqəti alçaldan rəftara və cəzaya məruz qalmamalıdır.",
  "Maddə 6",
  "Hər bir insan, harada olmasından asılı olmayaraq, öz hüquq subyektliyinin tanınması hüququna malikdir.",
]

private let articlesEn = [
  "Article 1",
  "All human beings are born free and equal in dignity and rights.",
  "Article 2",
  "Everyone is entitled to all the rights and freedoms set forth in this Declaration, without distinction of any kind, such as race, colour, sex, language, religion.",
  "Article 3",
  "Everyone has the right to life, liberty and security of person.",
  "Article 4",
  "No one shall be held in slavery or servitude; slavery and the slave trade shall be prohibited in all their forms.",
  "Article 5",
  "No one shall be subjected to torture or to cruel, inhuman or degrading treatment or punishment.",
  "Article 6",
  "Everyone has the right to recognition everywhere as a person before the law.",
]

@Suite struct AlignerTests {
  @Test func parallelArticlesAlignOneToOne() throws {
    let a = try Aligner(from: .az, to: .en)
    let r = a.align(segs(articlesAz), segs(articlesEn))
    #expect(render(r.beads) == (0..<12).map { "\($0):\($0)" })
    #expect(r.beads.allSatisfy { $0.score >= 0 && $0.score <= 1 })
    // Headings whose numbers agree are confident.
    #expect(r.beads[0].score > 0.8)
  }

  /// hunalign #2: a run of numbered headings must not drag the alignment
  /// off when one side lacks an article body. Here the English text of
  /// article 3 is missing: its heading must still pair with "Maddə 3", and
  /// the Azerbaijani body be left alone (1-0).
  @Test func numberedHeadingsRunSurvivesAMissingBody() throws {
    var en = articlesEn
    en.remove(at: 5)
    let a = try Aligner(from: .az, to: .en)
    let r = a.align(segs(articlesAz), segs(en))
    let out = render(r.beads)
    #expect(out.contains("4:4"))  // Maddə 3 ~ Article 3
    #expect(out.contains("5:"))  // the body with no translation
    #expect(out.contains("6:5"))  // Maddə 4 ~ Article 4
    #expect(out.contains("11:10"))
    #expect(isMonotoneCover(r.beads, 12, 11))
  }

  /// Headings with only numbers to go by: shifting the target by one
  /// heading costs the number evidence on every pair, but the cap keeps it
  /// from outweighing lengths: the path stays on the real pairs.
  @Test func numbersAloneDoNotDragTheAlignment() throws {
    let az = ["Fəsil 1", "Fəsil 2", "Fəsil 3", "Giriş hissəsi burada uzun bir mətn kimi yazılıb və heç bir rəqəm yoxdur.", "Fəsil 4"]
    let ru = ["Глава 2", "Глава 3", "Вводная часть написана здесь как длинный текст, и в ней нет ни одной цифры.", "Глава 4"]
    let a = try Aligner(from: .az, to: .ru)
    let r = a.align(segs(az), segs(ru))
    #expect(render(r.beads) == ["0:", "1:0", "2:1", "3:2", "4:3"])
  }

  @Test func twoRussianSentencesForOneAzerbaijani() throws {
    let az = [
      "Prezident İlham Əliyev Gəncədə yeni xəstəxananın açılışında iştirak edib.",
      "Xəstəxana 1918-ci ildə tikilmiş binanın yerində inşa olunub və 250 çarpayılıqdır, layihəyə 70.000.000 manat xərclənib.",
      "Sonra Prezident Şəmkirə yola düşüb.",
    ]
    let ru = [
      "Президент Ильхам Алиев принял участие в открытии новой больницы в Гяндже.",
      "Больница построена на месте здания 1918 года и рассчитана на 250 коек.",
      "На проект израсходовано 70 000 000 манатов.",
      "Затем Президент отправился в Шамкир.",
    ]
    let a = try Aligner(from: .az, to: .ru)
    let r = a.align(segs(az), segs(ru))
    #expect(render(r.beads) == ["0:0", "1:1,2", "2:3"])
  }

  @Test func droppedSentenceBecomesNullBead() throws {
    let en = [
      "The Ombudsman Sabina Aliyeva said that 105 years ago Shamakhi, Guba and Ganja were scenes of massacres.",
      "She called on the international community to give a legal assessment of these events.",
      "The statement was published on 31 March.",
      "Commemorative events were held in all regions of the country.",
    ]
    let ru = [
      "Омбудсмен Сабина Алиева заявила, что 105 лет назад в Шемахе, Губе и Гяндже были совершены массовые убийства.",
      "Заявление было опубликовано 31 марта.",
      "Траурные мероприятия прошли во всех регионах страны.",
    ]
    let a = try Aligner(from: .en, to: .ru)
    let r = a.align(segs(en), segs(ru))
    #expect(render(r.beads) == ["0:0", "1:", "2:1", "3:2"])
    #expect(r.beads[1].score == 0)
  }

  @Test func numbersInLocalFormatsAreEvidence() throws {
    let az = try FeatureExtractor(language: .az).features("Büdcəyə 1 000,5 manat və 70.000 nəfər, 1918-ci il.")
    let en = try FeatureExtractor(language: .en).features("The budget got 1,000.5 manats and 70,000 people, in 1918.")
    let ru = try FeatureExtractor(language: .ru).features("В бюджет 1 000,5 маната и 70 000 человек, 1918 г.")
    #expect(az.numbers == [1918, 1000.5, 70000].sorted())
    #expect(en.numbers == az.numbers)
    #expect(ru.numbers == az.numbers)
    // And the aligner prefers the pair whose numbers agree over a pair of the
    // same length whose numbers differ.
    let src = ["В 2020 году выпущено 1 500 000 тонн.", "В 2021 году выпущено 2 300 000 тонн.", "В 2022 году выпущено 3 100 000 тонн."]
    let tgt = ["2021-ci ildə 2.300.000 ton istehsal olunub.", "2022-ci ildə 3.100.000 ton istehsal olunub.", "Məhsul artıb, bazar genişlənib."]
    let r = try Aligner(from: .ru, to: .az).align(segs(src), segs(tgt))
    #expect(render(r.beads) == ["0:", "1:0", "2:1", ":2"])
  }

  @Test func namesAcrossScriptsAreEvidence() throws {
    let ru = try FeatureExtractor(language: .ru).features("Алиева посетила Гянджу и Азербайджан.")
    let az = try FeatureExtractor(language: .azCyrl).features("Әлијева Ҝәнҹәјә вә Азәрбајҹана ҝәлди.")
    let en = try FeatureExtractor(language: .en).features("Aliyeva visited Ganja and Azerbaijan.")
    #expect(overlap(ru.names, en.names) >= 2)
    #expect(overlap(az.names, en.names) >= 1)
  }

  @Test func questionsAndQuotesAreEvidence() throws {
    let m = Model(n: 1, m: 1)
    let q1 = try FeatureTable([FeatureExtractor(language: .en).features("Who said «no»?")])
    let q2 = try FeatureTable([FeatureExtractor(language: .ru).features("Кто сказал «нет»?")])
    let p2 = try FeatureTable([FeatureExtractor(language: .ru).features("Он сказал нет.")])
    #expect(m.evidence(q1, 0, q2, 0) > m.evidence(q1, 0, p2, 0))
  }

  /// Matching paragraphs outweigh lengths that would pair across them; when
  /// the paragraphs do not match, lengths decide again.
  @Test func paragraphsAreFollowedWhenTheyMatch() throws {
    let s0 = "Hökumət yeni qanun layihəsini parlamentə təqdim etdi."
    let s1 = "Deputatlar layihəni müzakirə etdilər."
    let s2 = "Səsvermə gələn həftə keçiriləcək, nəticələr isə dərhal elan olunacaq, deyə spiker bildirib."
    let t0 = "The government submitted the new bill to parliament after a long delay, officials said."
    let t1 = "Deputies discussed the bill; the vote will be held next week, and results announced at once."
    func doc(_ texts: [String], _ starts: [Bool]) -> [AlignSegment] {
      texts.enumerated().map { AlignSegment(text: $0.element, id: $0.offset, startsParagraph: starts[$0.offset]) }
    }
    let a = try Aligner(from: .az, to: .en)
    let flat = a.align(doc([s0, s1, s2], [true, false, false]), doc([t0, t1], [true, false]))
    let paras = a.align(doc([s0, s1, s2], [true, true, false]), doc([t0, t1], [true, true]))
    #expect(render(paras.beads) == ["0:0", "1,2:1"])
    #expect(render(flat.beads) != render(paras.beads))
  }

  @Test func emptySideGivesNullBeads() throws {
    let r = try Aligner(from: .az, to: .en).align(segs(["Salam.", "Necəsən?"]), [])
    #expect(render(r.beads) == ["0:", "1:"])
    #expect(r.beads.allSatisfy { $0.score == 0 })
  }

  @Test func wildlyDifferentLengthsAreReportedNotCrashed() throws {
    let long = (0..<40).map { "This is sentence number \($0) of a much longer English document about other things." }
    let r = try Aligner(from: .az, to: .en).align(segs(["Qısa mətn.", "Başqa cümlə."]), segs(long))
    #expect(isMonotoneCover(r.beads, 2, 40))
    #expect(!r.notes.isEmpty)
    #expect(r.beads.filter { $0.source.isEmpty }.count >= 37)
  }

  /// A long insertion on one side (an appendix the translation lacks) takes
  /// the path far off the diagonal; the coarse path finds it, the narrow
  /// band follows.
  @Test func longInsertionIsFollowedByTheCoarsePath() throws {
    let bodies = articlesAz.filter { !$0.hasPrefix("Maddə") }
    let bodiesEn = articlesEn.filter { !$0.hasPrefix("Article") }
    var az: [String] = []
    var en: [String] = []
    for k in 0..<400 {
      az.append("\(k + 1). " + bodies[k % bodies.count])
      en.append("\(k + 1). " + bodiesEn[k % bodiesEn.count])
      if k == 200 {
        for x in 0..<150 { en.append("Annex note \(x % 7 == 0 ? "with a table" : "without a table"): text that was never translated.") }
      }
    }
    let a = try Aligner(from: .az, to: .en)
    a.fullSearchCells = 0
    a.band = 8
    let r = a.align(segs(az), segs(en))
    let out = render(r.beads)
    #expect(out.filter { $0.hasPrefix(":") }.count == 150)
    #expect(out.contains("200:200"))
    #expect(out.contains("201:351"))
    #expect(out.contains("399:549"))

    // Without numbers, with a band of ±1: still a whole, ordered alignment.
    let plainAz = az.map { String($0.drop { $0 != " " }.dropFirst()) }
    let plainEn = en.map { $0.hasPrefix("Annex") ? $0 : String($0.drop { $0 != " " }.dropFirst()) }
    a.band = 1
    let p = a.align(segs(plainAz), segs(plainEn))
    #expect(isMonotoneCover(p.beads, plainAz.count, plainEn.count))
  }

  /// Property: on random documents (fixed seed) with merges and drops, the
  /// beads always cover both documents exactly once, in order, with scores
  /// in [0, 1]; the band search agrees with the full search.
  @Test func randomDocumentsAreCoveredInOrder() throws {
    var rng = SeededRandom(seed: 20_261_125)
    let words = ["hüquq", "azadlıq", "dövlət", "Bakı", "insan", "cəmiyyət", "qanun", "məhkəmə", "təhsil", "Gəncə"]
    let wordsRu = ["право", "свобода", "государство", "Баку", "человек", "общество", "закон", "суд", "образование", "Гянджа"]
    let aligner = try Aligner(from: .az, to: .ru)
    let banded = try Aligner(from: .az, to: .ru)
    for k in 0..<20 {
      let n = Int(rng.next() % 150) + 1
      var az: [String] = []
      var ru: [String] = []
      for k in 0..<n {
        let len = Int(rng.next() % 12) + 2
        let idx = (0..<len).map { _ in Int(rng.next() % UInt64(words.count)) }
        let s = idx.map { words[$0] }.joined(separator: " ") + " \(k * 7)."
        let t = idx.map { wordsRu[$0] }.joined(separator: " ") + " \(k * 7)."
        switch rng.next() % 10 {
        case 0: az.append(s)  // dropped in Russian
        case 1: ru.append(t)  // dropped in Azerbaijani
        case 2:
          if var last = ru.popLast() { last += " " + t; ru.append(last); az.append(s) } else { az.append(s); ru.append(t) }
        default:
          az.append(s)
          ru.append(t)
        }
      }
      let r = aligner.align(segs(az), segs(ru))
      #expect(isMonotoneCover(r.beads, az.count, ru.count))
      #expect(r.beads.allSatisfy { $0.score >= 0 && $0.score <= 1 })
      // A narrow band around the coarse path finds the same path as the
      // full search (the scores may differ a little: a boundary's margin
      // looks only at the alternatives inside the band).
      banded.band = 8
      banded.fullSearchCells = 0
      banded.cacheCells = k % 2 == 0 ? 0 : 20_000_000
      let b = banded.align(segs(az), segs(ru)).beads
      #expect(isMonotoneCover(b, az.count, ru.count))
      #expect(b.map { [$0.source, $0.target] } == r.beads.map { [$0.source, $0.target] })
    }
  }
}

@Suite struct AlignDocumentTests {
  @Test func segmentedKeepsLineNumbersAndParagraphMarks() throws {
    let text = "Maddə 1\n<p>\nBirinci cümlə.\tTab ilə.\n\nİkinci abzas.\r\nSonuncu.\n"
    let s = try AlignDocument.segments(text, language: .az, segmented: true)
    #expect(s.map(\.id) == [0, 2, 4, 5])
    #expect(s.map(\.startsParagraph) == [true, true, true, false])
    #expect(s[1].text == "Birinci cümlə.\tTab ilə.")
    #expect(s[3].text == "Sonuncu.")
  }

  @Test func segmentedWithoutMarksMakesEveryLineAParagraph() throws {
    let s = try AlignDocument.segments("Один.\nДва.\nТри.", language: .ru, segmented: true)
    #expect(s.filter(\.startsParagraph).count == 3)
    #expect(s.map(\.id) == [0, 1, 2])
  }

  @Test func runningTextIsSegmentedWithParagraphs() throws {
    let text = "Prezident gəldi. O, 1918-ci ildə doğulub.\n\nYeni abzas burada başlayır.\n"
    let s = try AlignDocument.segments(text, language: .az, segmented: false)
    #expect(s.map(\.text) == ["Prezident gəldi.", "O, 1918-ci ildə doğulub.", "Yeni abzas burada başlayır."])
    #expect(s.map(\.startsParagraph) == [true, false, true])
    #expect(s.map(\.id) == [0, 1, 2])
  }

  @Test func hardWrappedSentencesAreUnwrapped() throws {
    let text = "Омбудсмен Сабина Алиева заявила,\r\nчто 105 лет назад\n  в Шемахе,\tГубе и Гяндже\nбыли убиты тысячи людей.\n\nВторой абзац.\n"
    let s = try AlignDocument.segments(text, language: .ru, segmented: false)
    #expect(s.first?.text == "Омбудсмен Сабина Алиева заявила, что 105 лет назад в Шемахе,\tГубе и Гяндже были убиты тысячи людей.")
    #expect(s.count == 2)
    // Headings and lines that end a sentence keep their breaks.
    let h = try AlignDocument.segments("Maddə 1\nBütün insanlar azad doğulurlar.\nHər kəs bərabərdir\n\nSon.", language: .az, segmented: false)
    #expect(h.map(\.text) == ["Maddə 1", "Bütün insanlar azad doğulurlar.", "Hər kəs bərabərdir", "Son."])
    // A blank line is never joined, whatever follows it.
    #expect(AlignDocument.unwrap("bu hüquqların,\n\ninsan hüquqlarına") == "bu hüquqların,\n\ninsan hüquqlarına")
    #expect(AlignDocument.unwrap("bu hüquqların,\r\n  \r\ninsan") == "bu hüquqların,\r\n  \r\ninsan")
    #expect(AlignDocument.unwrap("bu hüquqların, \n  insan") == "bu hüquqların, insan")
    // Without blank lines every line is a paragraph: nothing is joined.
    let l = try AlignDocument.segments("bu hüquqların,\ninsan hüquqlarına\n", language: .az, segmented: false)
    #expect(l.count == 2)
  }

  @Test func blankLineDetection() {
    #expect(AlignDocument.hasBlankLine("a\n\nb"))
    #expect(AlignDocument.hasBlankLine("a\n  \nb\n"))
    #expect(!AlignDocument.hasBlankLine("a\nb\n\n"))
    #expect(!AlignDocument.hasBlankLine("\n\na\nb"))
  }
}

@Suite struct DocumentLanguageGuessTests {
  @Test(arguments: [
    ("Azərbaycan Respublikasının paytaxtı Bakı şəhəridir.", Language.az),
    ("Азәрбајҹан Республикасынын пајтахты Бакы шәһәридир.", .azCyrl),
    ("Столицей Азербайджанской Республики является город Баку.", .ru),
    ("The capital of the Republic of Azerbaijan is Baku.", .en),
  ])
  func guessesEachLanguage(text: String, expected: Language) {
    #expect(LanguageGuess.guess(text)?.language == expected)
  }

  @Test func noLettersNoGuess() {
    #expect(LanguageGuess.guess("12 345 — 67.") == nil)
  }
}

@Suite struct DictionaryAndFormatTests {
  @Test func dictionaryIsLearnedFromUnits() throws {
    var units: [TranslationUnit] = []
    let pairs = [
      ("Məhkəmə qərar verdi.", "The court decided."), ("Məhkəmə bağlandı.", "The court closed."),
      ("Qanun qəbul edildi.", "The law was adopted."), ("Yeni qanun.", "A new law."),
      ("Bakıda yağış.", "Rain in Baku."), ("Gəncədə qar.", "Snow in Ganja."),
    ]
    for _ in 0..<2 {
      for (a, e) in pairs { units.append(TranslationUnit(texts: [.az: a, .en: e])) }
    }
    let d = try BilingualDictionary.learn(from: units, source: .az, target: .en, minDice: 0.5)
    #expect(d.translations["məhkəmə"]?.contains("court") == true)
    #expect(d.translations["qanun"]?.contains("law") == true)
  }

  /// With no numbers, names or length to go by, the learned dictionary
  /// decides which sentence was dropped.
  @Test func dictionaryDecidesBetweenLookalikes() throws {
    let d = BilingualDictionary(translations: [
      "məhkəmə": ["суд"], "qərar": ["решение"], "verdi": ["вынес"], "yağış": ["дождь"], "yağdı": ["шёл"], "bütün": ["весь"],
      "gün": ["день"],
    ])
    let az = ["Məhkəmə qərar verdi.", "Bütün gün yağış yağdı."]
    let ru = ["Весь день шёл дождь."]
    let without = try Aligner(from: .az, to: .ru).align(segs(az), segs(ru))
    try #require(render(without.beads) == ["0:0", "1:"])  // length alone picks the wrong one
    let with = try Aligner(from: .az, to: .ru, dictionary: d).align(segs(az), segs(ru))
    #expect(render(with.beads) == ["0:", "1:0"])
    #expect(with.beads[1].score > without.beads[0].score)
  }

  @Test func jsonAndTSVEscaping() {
    let b = AlignedBead(source: "Он сказал: \"да\"\tи\nушёл", target: "«Bəli» dedi\\", score: 0.5, sourceIDs: [3, 4], targetIDs: [])
    #expect(
      BeadWriter.jsonLine(b)
        == #"{"source":"Он сказал: \"да\"\tи\nушёл","target":"«Bəli» dedi\\","score":0.5,"source_ids":[3,4],"target_ids":[]}"#)
    #expect(BeadWriter.tsvLine(b) == #"Он сказал: "да"\tи\nушёл"# + "\t" + #"«Bəli» dedi\\"# + "\t0.5")
    #expect(BeadWriter.xml("a < b & «c»") == "a &lt; b &amp; «c»")
  }
}

