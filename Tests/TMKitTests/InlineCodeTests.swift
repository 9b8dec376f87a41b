import Foundation
import Testing

@testable import TMKit

/// Inline codes in memories: the tag grammar, the `codes` column, TMX level
/// 2 both ways, lookup with codes as placeholder tokens, and documents
/// aligned and pretranslated with their formatting.
@Suite struct InlineTagTests {
  @Test func tagsAreFoundStrippedAndMasked() {
    let s = "Bakıda <b1>yeni metro</b1> açıldı<fn2/>.<br3/>Sonra a < b və <a href=\"x\">"
    let tags = InlineTags.scan(s)
    #expect(tags.map(\.text) == ["<b1>", "</b1>", "<fn2/>", "<br3/>"])
    #expect(tags.map(\.role) == [.open, .close, .standalone, .standalone])
    #expect(InlineTags.stripped(s) == "Bakıda yeni metro açıldı. Sonra a < b və <a href=\"x\">")
    let masked = InlineTags.masked(s)
    #expect(masked.utf8.count == s.utf8.count)
    #expect(!masked.contains("b1") && masked.contains("yeni metro"))
    // A part-word code joins the word again.
    #expect(InlineTags.stripped("<b1>Bak</b1>ı") == "Bakı")
    #expect(InlineTags.isTag("</b12>") && !InlineTags.isTag("<b>") && !InlineTags.isTag("<B1>"))
  }

  @Test func segmentCodesRoundTripAndSkipLiteralNumbers() {
    let bold = InlineCode(id: 7, kind: .bold)
    let note = InlineCode(id: 9, kind: .footnote)
    let content: [Inline] = [.text("Tikinti "), .open(bold), .text("2019-cu"), .close(7), .text(" ildə başlayıb."), .standalone(note)]
    let coded = SegmentCodes.encode(content)
    #expect(coded.text == "Tikinti <b1>2019-cu</b1> ildə başlayıb.<fn2/>")
    #expect(SegmentCodes.decode(coded.text, codes: coded.codes) == content)
    // The translation may move the codes; a missing one is refused.
    let moved = SegmentCodes.decode("<fn2/>Строительство началось в <b1>2019</b1> году.", codes: coded.codes)
    #expect(moved == [.standalone(note), .text("Строительство началось в "), .open(bold), .text("2019"), .close(7), .text(" году.")])
    #expect(SegmentCodes.decode("Строительство началось в 2019 году.", codes: coded.codes) == nil)
    // A text about tags: its literal <b1> is not a code number.
    let literal = SegmentCodes.encode([.text("Teq <b1> belədir: "), .open(bold), .text("qalın"), .close(7)])
    #expect(literal.text == "Teq <b1> belədir: <b2>qalın</b2>")
  }

  @Test func aCodeAroundANameFindsItInAnotherScript() throws {
    let bold = InlineCode(id: 1, kind: .bold)
    let source: [Inline] = [.text("Prezident İlham Əliyev "), .open(bold), .text("Xətai"), .close(1), .text(" stansiyasının açılış mərasimində iştirak edib.")]
    let cross = try CrossScriptKey()
    let placed = PlaceholderTransfer.place(
      source, into: "Президент Ильхам Алиев принял участие в церемонии открытия станции Хатаи.",
      nameKey: { cross.key($0, language: nil) })
    #expect(InlineText.tagged(placed) == "Президент Ильхам Алиев принял участие в церемонии открытия станции <b1>Хатаи</b1>.")
  }

  @Test func alignedTargetsPairWithTheSourceCodes() {
    #expect(SegmentCodes.pair("<i1>Хатаинском</i1> <b2>районе</b2>", with: "<b1>Xətai</b1> <i2>rayonu</i2>")
      == "<i2>Хатаинском</i2> <b1>районе</b1>")
    #expect(SegmentCodes.join(["<b1>Bir</b1>.", "<a1>İki</a1>."]) == "<b1>Bir</b1>. <a2>İki</a2>.")
  }
}

@Suite struct MemoryCodesColumnTests {
  @Test func codesGoIntoTheirOwnColumnAndOldMemoriesStayAsTheyAre() throws {
    let dir = try tempDir()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/az-ru.tsv"
    let old = "az\tru\torigin\tcreated\tscore\nYeni <b1> teq\tНовый <b1> тег\tadd\t2026-11-25T20:09:04Z\t\n"
    try Data(old.utf8).write(to: URL(fileURLWithPath: path))
    // Loads as before: no codes, the tag-like text is text.
    let m = try MemoryFile.load(path: path)
    #expect(m.units[0].codes == "" && m.units[0].texts[.az] == "Yeni <b1> teq")
    // A plain unit appends without a new column.
    _ = try MemoryFile.append([TranslationUnit(texts: [.az: "Salam", .ru: "Привет"], origin: "add", created: "2026-11-25T20:09:04Z")], to: path)
    #expect(try String(contentsOfFile: path, encoding: .utf8).hasPrefix("az\tru\torigin\tcreated\tscore\n"))
    // The first unit with codes widens the header; every old line keeps its text.
    let coded = TranslationUnit(
      texts: [.az: "Bakıda <b1>yeni metro stansiyası</b1> açıldı.", .ru: "В Баку открылась <b1>новая станция метро</b1>."],
      origin: "add", created: "2026-11-25T20:09:04Z", codes: "b1")
    _ = try MemoryFile.append([coded], to: path)
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    #expect(lines[0] == "az\tru\torigin\tcreated\tscore\tcodes")
    #expect(lines[1] == "Yeni <b1> teq\tНовый <b1> тег\tadd\t2026-11-25T20:09:04Z\t\t")
    #expect(lines[3].hasSuffix("\tb1"))
    let back = try MemoryFile.load(path: path)
    #expect(back.units.map(\.codes) == ["", "", "b1"])
    #expect(back.units[2] == coded)
  }

  @Test func codesFieldParsesAndPrints() {
    let f = "b1=<b>|</b> a2=<a%20href=\"https://az.wikipedia.org/wiki/Bak%25C4%25B1\">|</a> fn3 i4:hi x5=%7C%25"
    let c = UnitCodes(field: f)
    #expect(c.codes.map(\.name) == ["b1", "a2", "fn3", "i4", "x5"])
    #expect(c.code("a2")?.open == "<a href=\"https://az.wikipedia.org/wiki/Bak%C4%B1\">")
    #expect(c.code("i4")?.hi == true && c.code("x5")?.open == "|%")
    #expect(c.field == f)
  }
}

@Suite struct TMXInlineCodeTests {
  let now = "2026-12-01T00:00:00Z"

  func tmx(_ body: String) -> [UInt8] {
    Array(
      """
      <?xml version="1.0" encoding="UTF-8"?>
      <tmx version="1.4"><header creationtool="t" creationtoolversion="1" datatype="html" segtype="sentence" adminlang="en" srclang="en" o-tmf="t"/>
      <body>\(body)</body></tmx>
      """.utf8)
  }

  @Test func levelTwoMarkupBecomesTagsAndComesBack() throws {
    let bytes = tmx(
      """
      <tu><tuv xml:lang="en"><seg>The <bpt i="1" x="1" type="bold">&lt;b&gt;</bpt>new law<ept i="1">&lt;/b&gt;</ept> enters into force<ph x="2" type="fnote">&lt;sup&gt;1&lt;/sup&gt;</ph> on 1 January.</seg></tuv>
      <tuv xml:lang="ru"><seg><bpt i="1" x="1" type="bold">&lt;b&gt;</bpt>Новый закон<ept i="1">&lt;/b&gt;</ept> вступает в силу<ph x="2" type="fnote">&lt;sup&gt;1&lt;/sup&gt;</ph> 1 января.</seg></tuv></tu>
      <tu><tuv xml:lang="en"><seg>See <hi type="italic">the annex</hi> and <it pos="begin" x="3" type="link">&lt;a href="x"&gt;</it>this</seg></tuv>
      <tuv xml:lang="az"><seg><hi type="italic">Əlavəyə</hi> və <it pos="begin" x="3" type="link">&lt;a href="x"&gt;</it>buna baxın</seg></tuv></tu>
      <tu><tuv xml:lang="en"><seg>A literal &lt;b1&gt; tag and <ph>{0}</ph><sub>dropped</sub></seg></tuv><tuv xml:lang="az"><seg>Hərfi &lt;b1&gt; teq və <ph>{0}<sub>sub-flow</sub></ph></seg></tuv></tu>
      """)
    let r = try TMX.decode(bytes, name: "law.tmx", now: now)
    #expect(r.units.count == 3)
    #expect(r.units[0].texts[.en] == "The <b1>new law</b1> enters into force<fn2/> on 1 January.")
    #expect(r.units[0].texts[.ru] == "<b1>Новый закон</b1> вступает в силу<fn2/> 1 января.")
    #expect(r.units[0].codes == "b1=<b>|</b> fn2=<sup>1</sup>")
    #expect(r.units[1].texts[.az] == "<i1>Əlavəyə</i1> və <a2>buna baxın")
    #expect(r.units[1].codes == "i1:hi a2=<a%20href=\"x\">")
    // The literal <b1> is text, and its number is not reused.
    #expect(r.units[2].texts[.az] == "Hərfi <b1> teq və <x2/>")
    #expect(r.units[2].codes == "x2={0}")
    // Written back: the same elements.
    let out = String(decoding: TMX.encode(r.units, languages: [.en, .ru, .az], sourceLanguage: .en).bytes, as: UTF8.self)
    #expect(out.contains(#"<seg>The <bpt i="1" x="1" type="bold">&lt;b&gt;</bpt>new law<ept i="1">&lt;/b&gt;</ept> enters into force<ph x="2" type="fnote">&lt;sup&gt;1&lt;/sup&gt;</ph> on 1 January.</seg>"#))
    #expect(out.contains(#"<seg><hi x="1" type="italic">Əlavəyə</hi> və <it pos="begin" x="2" type="link">&lt;a href="x"&gt;</it>buna baxın</seg>"#))
    #expect(out.contains(#"<seg>Hərfi &lt;b1&gt; teq və <ph x="2">{0}</ph></seg>"#))
    let again = try TMX.decode(Array(out.utf8), name: "law.tmx", now: now)
    #expect(again.units.map(\.texts) == r.units.map(\.texts))
    #expect(again.units.map(\.codes) == r.units.map(\.codes))
  }

  /// Random units with nested, isolated and standalone codes whose native
  /// markup holds XML and field-syntax characters: memory → TMX → memory is
  /// the identity, and so is TMX → memory → TMX → memory.
  @Test func roundTripProperty() throws {
    var rng = SeededRandom(seed: 42)
    let words = [
      "az": ["Bakı", "şəhəri", "yeni", "qanun", "2027-ci", "ildə", "qüvvəyə", "minir", "ə", "ğ"],
      "ru": ["Баку", "город", "новый", "закон", "2027", "году", "вступает", "в", "силу", "ё"],
      "en": ["Baku", "city", "the", "new", "law", "enters", "into", "force", "&", "<x>"],
    ]
    let letters = ["b", "i", "u", "a", "g", "c", "f"]
    let solo = ["fn", "br", "img", "x", "t"]
    let natives = ["", "<b>", "{\\b }", "<a href=\"https://x.az/?a=1&b=2\">", "%1$s", "a|b", "  ", "<w:r>"]
    var units: [TranslationUnit] = []
    for k in 0..<300 {
      var codes: [UnitCodes.Code] = []
      var n = 0
      var declared: [(letters: String, number: Int, paired: Bool)] = []
      for _ in 0..<rng.below(4) {
        n += 1
        let paired = rng.below(3) > 0
        let l = paired ? letters[rng.below(letters.count)] : solo[rng.below(solo.count)]
        declared.append((l, n, paired))
        codes.append(
          UnitCodes.Code(
            name: "\(l)\(n)", hi: false, open: natives[rng.below(natives.count)],
            close: paired ? natives[rng.below(natives.count)] : ""))
      }
      var texts: [Language: String] = [:]
      for lang in [Language.az, .ru, .en] where rng.below(4) > 0 || texts.count < 2 {
        let pool = words[lang.tag] ?? []
        var s = ""
        for w in 0..<(2 + rng.below(6)) { s += (w > 0 ? " " : "") + pool[rng.below(pool.count)] }
        // Codes at word boundaries, nested as they come, some halves alone.
        for d in declared.shuffled(using: &rng) {
          var parts = s.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
          let a = rng.below(parts.count)
          if d.paired {
            let b = a + rng.below(parts.count - a)
            let half = rng.below(6)
            if half != 1 { parts[a] = "<\(d.letters)\(d.number)>" + parts[a] }
            if half != 2 { parts[b] += "</\(d.letters)\(d.number)>" }
          } else {
            parts[a] += "<\(d.letters)\(d.number)/>"
          }
          s = parts.joined(separator: " ")
        }
        texts[lang] = s.nfc
      }
      units.append(
        TranslationUnit(
          texts: texts, origin: "prop#\(k)", created: "2026-11-25T20:09:04Z", codes: UnitCodes(codes).field))
    }
    // Only what the texts use can travel: a code no text has, or the
    // native markup of a half no text has, is dropped from the expectation.
    for i in units.indices {
      let tags = units[i].texts.values.flatMap { InlineTags.scan($0) }
      var codes = UnitCodes(field: units[i].codes).codes.filter { c in tags.contains { $0.name == c.name } }
      for j in codes.indices {
        if !tags.contains(where: { $0.name == codes[j].name && $0.role != .close }) { codes[j].open = "" }
        if !tags.contains(where: { $0.name == codes[j].name && $0.role == .close }) { codes[j].close = "" }
      }
      units[i].codes = UnitCodes(codes).field
    }
    let tmx = TMX.encode(units, languages: [.az, .ru, .en], sourceLanguage: .az).bytes
    let back = try TMX.decode(tmx, name: "p.tmx", now: now).units
    #expect(back.count == units.count)
    for (a, b) in zip(units, back) {
      #expect(normalizedNumbers(a) == normalizedNumbers(b), "\(a.origin)")
    }
    // And TMX → memory → TMX → memory: the same units, the same bytes.
    let tmx2 = TMX.encode(back, languages: [.az, .ru, .en], sourceLanguage: .az).bytes
    let back2 = try TMX.decode(tmx2, name: "p.tmx", now: now).units
    #expect(back2 == back)
    #expect(TMX.encode(back2, languages: [.az, .ru, .en], sourceLanguage: .az).bytes == tmx2)
  }

  /// The reader numbers codes in order of appearance; the writer keeps the
  /// numbers. So compare units with their codes renumbered the reader's way.
  func normalizedNumbers(_ u: TranslationUnit) -> ([Language: String], String) {
    let order = [Language.az, .ru, .en].filter { u.texts[$0] != nil }
    var map: [Int: Int] = [:]
    var next = 1
    for l in order {
      for t in InlineTags.scan(u.texts[l] ?? "") where map[t.number] == nil {
        map[t.number] = next
        next += 1
      }
    }
    var texts: [Language: String] = [:]
    for l in order {
      let s = u.texts[l] ?? ""
      texts[l] = SegmentCodes.renumber(s, InlineTags.scan(s)) { map[$0] ?? $0 }
    }
    var codes = UnitCodes(field: u.codes).codes
    for i in codes.indices {
      if let t = InlineTags.scan("<\(codes[i].name)/>").first, let n = map[t.number] { codes[i].name = t.letters + String(n) }
    }
    codes.sort { (InlineTags.scan("<\($0.name)/>").first?.number ?? 0) < (InlineTags.scan("<\($1.name)/>").first?.number ?? 0) }
    return (texts, UnitCodes(codes).field)
  }
}

@Suite struct LookupInlineCodeTests {
  static let units = [
    TranslationUnit(
      texts: [.az: "<b1>Bakı</b1> Azərbaycanın paytaxtıdır.", .ru: "<b1>Баку</b1> — столица Азербайджана.", .en: "<b1>Baku</b1> is the capital of Azerbaijan."],
      codes: "b1"),
    TranslationUnit(texts: [
      .az: "Yeni qanun 2027-ci il yanvarın 1-dən qüvvəyə minir.", .ru: "Новый закон вступает в силу с 1 января 2027 г.",
      .en: "The new law enters into force on 1 January 2027.",
    ]),
    TranslationUnit(
      texts: [
        .az: "Prezident <a1>İlham Əliyev</a1> açılış mərasimində iştirak edib<fn2/>.",
        .ru: "Президент <a1>Ильхам Алиев</a1> принял участие в церемонии открытия<fn2/>.",
      ], codes: "a1 fn2"),
  ]

  func matcher() throws -> Matcher {
    let m = Memory(path: "/tmp/codes.tsv", languages: [.az, .ru, .en], units: Self.units)
    let fp = MemoryFingerprint(size: 1, mtimeNanoseconds: 2, hash: 3)
    return Matcher(indexes: [try LookupIndex(bytes: try LookupIndexBuilder.build(m, fingerprint: fp), memoryPath: m.path)])
  }

  func best(_ q: String, _ l: Language = .az, to: Language = .ru) throws -> (Match, MatchTarget) {
    let r = try matcher().lookup(LookupQuery(text: q, language: l, targets: [to], limit: 1, minScore: 50, concordance: false))
    let m = try #require(r.matches.first)
    return (m, try #require(m.targets.first))
  }

  @Test func sameTextWithoutCodesIsNearExactAndLosesThem() throws {
    let (m, t) = try best("Bakı Azərbaycanın paytaxtıdır.")
    #expect(m.kind == .nearExact && m.score == 99 && m.differences == ["codes"])
    #expect(t.substituted == "Баку — столица Азербайджана.")
  }

  @Test func queryCodesReplaceTheStoredOnes() throws {
    let (m, t) = try best("<i1>Bakı</i1> Azərbaycanın paytaxtıdır.", to: .en)
    #expect(m.kind == .nearExact && m.score == 99 && m.differences == ["codes"])
    #expect(t.substituted == "<i1>Baku</i1> is the capital of Azerbaijan.")
    let (e, et) = try best("<b1>Bakı</b1> Azərbaycanın paytaxtıdır.")
    #expect(e.kind == .exact && e.score == 100 && et.substituted == nil)
  }

  @Test func codesAreMovedIntoAPlainTranslationWithNumbers() throws {
    // Numbers by value and a bold word found in the translation.
    let (m, t) = try best("Yeni <b1>qanun</b1> 2028-ci il yanvarın 1-dən qüvvəyə minir.", to: .en)
    #expect(m.kind == .nearExact && m.differences == ["numbers", "codes"])
    #expect(m.score >= 95 && m.score < 100)
    // "qanun" is not in the translation: the code goes to the same relative
    // place, around whole words.
    let s = try #require(t.substituted)
    #expect(InlineTags.stripped(s) == "The new law enters into force on 1 January 2028.")
    #expect(InlineTags.scan(s).map(\.text) == ["<b1>", "</b1>"])
    #expect(s.range(of: #"(^| )<b1>\w+</b1> "#, options: .regularExpression) != nil)
    // By value in the other direction too, where the word is found as is.
    let (_, r) = try best("Yeni qanun <b1>2028-ci</b1> il yanvarın 1-dən qüvvəyə minir.")
    #expect(r.substituted == "Новый закон вступает в силу с 1 января <b1>2028</b1> г.")
  }

  @Test func codesRenumberedByKindAndOrder() throws {
    // The document numbered the codes differently: a link and a footnote.
    let (m, t) = try best("Prezident <a3>İlham Əliyev</a3> açılış mərasimində iştirak edib<fn7/>.")
    #expect(m.kind == .nearExact && m.differences == ["codes"])
    #expect(t.substituted == "Президент <a3>Ильхам Алиев</a3> принял участие в церемонии открытия<fn7/>.")
  }

  @Test func fuzzyMatchCountsCodesAsTokensButStaysHigh() throws {
    let (m, t) = try best("Prezident <a1>İlham Əliyev</a1> açılış mərasimində iştirak etdi<fn2/>.")
    #expect(m.kind == .fuzzy && m.score >= 75 && m.score < 99)
    #expect(t.substituted == nil)  // the stored codes are the query's
    // Without its codes the same query scores lower, still above 75.
    let (p, pt) = try best("Prezident İlham Əliyev açılış mərasimində iştirak etdi.")
    #expect(p.score < m.score && p.score >= 70)
    #expect(pt.substituted == "Президент Ильхам Алиев принял участие в церемонии открытия.")
  }
}

/// A DOCX in az and its ru translation, with bold, a link and a footnote:
/// aligned into a memory with codes, then a changed az DOCX pretranslated:
/// the codes are in place in the translation.
@Suite struct DocumentCodesEndToEndTests {
  func read(_ name: String, _ bytes: [UInt8]) throws -> Document {
    let probe = DocumentProbe(name: name, bytes: bytes)
    guard let f = try DocumentFormats.detect(probe) else { throw TMError(.invalidInput, "no format", file: name) }
    return try f.read(probe)
  }

  static let link = "https://az.wikipedia.org/wiki/Bak%C4%B1_metropoliteni"
  typealias P = DocFixtures.Para
  typealias R = DocFixtures.Run

  static let az: [P] = [
    P(kind: .heading, runs: [R(text: "Bakı metrosu")]),
    P(kind: .paragraph, runs: [
      R(text: "Bakıda "), R(text: "yeni metro stansiyası", bold: true), R(text: " açıldı. Prezident "),
      R(text: "İlham Əliyev", link: link), R(text: " açılış mərasimində iştirak edib."),
    ]),
    P(kind: .paragraph, runs: [R(text: "Stansiya "), R(text: "Xətai", italic: true), R(text: " rayonunda yerləşir. Gündə 45 000 sərnişin gözlənilir.")]),
    P(kind: .footnote, runs: [R(text: "Mənbə: APA.")]),
  ]
  static let ru: [P] = [
    P(kind: .heading, runs: [R(text: "Бакинское метро")]),
    P(kind: .paragraph, runs: [
      R(text: "В Баку открылась "), R(text: "новая станция метро", bold: true), R(text: ". Президент "),
      R(text: "Ильхам Алиев", link: link), R(text: " принял участие в церемонии открытия."),
    ]),
    P(kind: .paragraph, runs: [R(text: "Станция расположена в "), R(text: "Хатаинском", italic: true), R(text: " районе. Ожидается 45 000 пассажиров в день.")]),
    P(kind: .footnote, runs: [R(text: "Источник: APA.")]),
  ]

  @Test func alignThenPretranslateKeepsBoldLinkAndFootnote() async throws {
    let dir = try tempDir()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var rng = SeededRandom(seed: 3)
    let azBytes = DocFixtures.docx(Self.az, splitRuns: true, rng: &rng)
    let ruBytes = DocFixtures.docx(Self.ru, splitRuns: true, rng: &rng)
    try Data(azBytes).write(to: URL(fileURLWithPath: dir + "/metro.az.docx"))
    try Data(ruBytes).write(to: URL(fileURLWithPath: dir + "/metro.ru.docx"))
    let store = TSVFolderStore(folder: dir + "/M")
    let report = try await Align(store: store).run(
      Align.Request(
        source: try Align.Document.read(path: dir + "/metro.az.docx"),
        target: try Align.Document.read(path: dir + "/metro.ru.docx"), from: .az, to: .ru, useDictionary: false))
    let units = report.units
    #expect(units.contains { $0.texts[.az] == "Bakıda <b1>yeni metro stansiyası</b1> açıldı." && $0.texts[.ru] == "В Баку открылась <b1>новая станция метро</b1>." && $0.codes == "b1" })
    #expect(units.contains { $0.texts[.az] == "Prezident <a1>İlham Əliyev</a1> açılış mərasimində iştirak edib." && $0.codes == "a1" })
    #expect(units.contains { $0.texts[.ru] == "Станция расположена в <i1>Хатаинском</i1> районе." })
    let tsv = try String(contentsOfFile: dir + "/M/az-ru.tsv", encoding: .utf8)
    #expect(tsv.hasPrefix("az\tru\torigin\tcreated\tscore\tcodes\n"))

    // A changed story: another number, the bold on other words, a sentence
    // that lost its italic, and the footnote reference kept.
    let changed: [P] = [
      P(kind: .heading, runs: [R(text: "Bakı metrosu")]),
      P(kind: .paragraph, runs: [
        R(text: "Bakıda "), R(text: "yeni metro stansiyası", bold: true), R(text: " açıldı. Prezident "),
        R(text: "İlham Əliyev", link: Self.link), R(text: " açılış mərasimində iştirak edib."),
      ]),
      P(kind: .paragraph, runs: [R(text: "Stansiya Xətai rayonunda yerləşir. Gündə "), R(text: "50 000", bold: true), R(text: " sərnişin gözlənilir.")]),
      P(kind: .footnote, runs: [R(text: "Mənbə: APA.")]),
    ]
    let bytes = DocFixtures.docx(changed, splitRuns: true, rng: &rng)
    let doc = try read("metro2.docx", bytes)
    let blocks = DocumentSegmentation.segment(doc, with: try SentenceSegmenter(language: .az))
    let result = try await Pretranslate(store: store).run(doc, blocks: blocks, from: .az, to: .ru, minScore: 75)
    let out = try DocumentFormats.write(doc, translations: result.translations)
    let back = try read("metro2.ru.docx", out)
    let tagged = back.blocks.map { InlineText.tagged($0.content) }
    #expect(tagged.contains { $0.contains("В Баку открылась <b") && $0.contains(">новая станция метро</b") })
    #expect(tagged.contains { $0.contains(">Ильхам Алиев</a") })
    #expect(tagged.contains { $0.contains("Станция расположена в Хатаинском районе.") && $0.contains(">50 000</b") })
    // The body's XML: the bold run holds the translated words.
    let xml = String(decoding: try ZipParts.read(out, name: "t").first { $0.path == "word/document.xml" }?.bytes ?? [], as: UTF8.self)
    #expect(xml.range(of: #"<w:b/>(</w:rPr>|<w:lang[^>]*/></w:rPr>)<w:t xml:space="preserve">новая"#, options: .regularExpression) != nil)
    #expect(xml.contains("<w:footnoteReference"))
    #expect(xml.contains("r:id=\"rIdL1\""))
  }

  /// An XLIFF from `tm extract`, translated with codes, imported into a
  /// memory: the units keep the codes by id.
  @Test func translatedXLIFFImportsWithCodes() throws {
    let xliff = """
      <?xml version="1.0" encoding="UTF-8"?>
      <xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
      <file original="story.docx" source-language="az" target-language="ru" datatype="x-docx"><body>
      <trans-unit id="1-1"><source>Bakıda <g id="3" ctype="bold">yeni metro stansiyası</g> açıldı<x id="5" ctype="x-footnote"/>.</source>
      <target state="translated">В Баку открылась <g id="3" ctype="bold">новая станция метро</g><x id="5" ctype="x-footnote"/>.</target></trans-unit>
      <trans-unit id="1-2"><source>Stansiya Xətai rayonunda yerləşir.</source></trans-unit>
      </body></file></xliff>
      """
    var units: [TranslationUnit] = []
    let notes = try XLIFFMemoryFormat().read(Array(xliff.utf8), path: "story.ru.xlf", options: MemoryImport.Options(now: "2026-12-01T00:00:00Z")) {
      units.append($0)
    }
    #expect(units.count == 1)
    #expect(notes.count == 1)
    let u = try #require(units.first)
    #expect(u.texts[.az]?.hasPrefix("Bakıda <b1>yeni metro stansiyası</b1> açıldı<") == true)
    #expect(u.texts[.ru]?.hasPrefix("В Баку открылась <b1>новая станция метро</b1><") == true)
    let solo = try #require(InlineTags.scan(u.texts[.az] ?? "").last)
    #expect(InlineTags.scan(u.texts[.ru] ?? "").last == InlineTag(role: .standalone, letters: solo.letters, number: 2, utf8Range: InlineTags.scan(u.texts[.ru] ?? "").last?.utf8Range ?? 0..<0))
    #expect(u.codes == "b1 \(solo.name)")
    #expect(try FormatRegistry.detect(path: "story.ru.xlf", bytes: Array(xliff.utf8)).id == "xliff")
  }
}
