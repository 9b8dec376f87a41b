import Foundation
import Testing

@testable import TMKit

/// Random segments made of the pieces real memories hold, and the ones that
/// break naive codecs.
enum Gen {
  static let pieces: [String] = [
    "Azərbaycan", "Respublikası", "İlham", "ığdır", "Şamaxı", "Gəncə", "1918-ci", "70.000", "1 000,5",
    "Азәрбајҹан", "Ҝәнҹә", "һүгуг", "Москва", "проф.", "т.е.", "«цитата»", "“quoted”", "Mr.", "U.S.",
    "e.g.", "3,5", "$5.50", " ", " ", "  ", "\t", "\n", "\r", "\r\n", "\\", "\\t", "\\n", "\\\\", "\"", "'",
    "&", "<b>", "]]>", "\u{200F}", "\u{202E}", "\u{200D}", "\u{00A0}", "\u{2009}", "👩‍👩‍👧", "🇦🇿", "e\u{301}",
    "I\u{307}", "\u{1}", "\u{7}", "\u{1B}", "\u{1F}", "\u{7F}", "\u{85}", "\u{FEFF}", "\u{2028}", "#", ",", ";",
  ]

  /// Text without the C0 controls XML 1.0 forbids.
  static func segment(_ r: inout SeededRandom, xmlSafe: Bool = false) -> String {
    var s = ""
    for _ in 0..<Int.random(in: 1...8, using: &r) {
      var p = pieces.randomElement(using: &r)!
      if xmlSafe { p = p.unicodeScalars.allSatisfy({ $0.value >= 0x20 || [9, 10, 13].contains($0.value) }) ? p : "x" }
      s += p
    }
    return s.nfc
  }

  static func unit(_ r: inout SeededRandom, xmlSafe: Bool = false) -> TranslationUnit {
    var langs = Language.allCases.shuffled(using: &r)
    langs = Array(langs.prefix(Int.random(in: 2...3, using: &r)))
    var texts: [Language: String] = [:]
    for l in langs { texts[l] = segment(&r, xmlSafe: xmlSafe) }
    let origin = ["add", "tmx:a b.tmx", "align:src.txt#3-4|tgt.txt#5", "po:ru.po", "x\ty\\z"].randomElement(using: &r)!
    let created = ["2026-11-25T20:09:04Z", "2001-01-01T00:00:00Z", "yesterday"].randomElement(using: &r)!
    let score: Double? = Bool.random(using: &r) ? nil : Double(Int.random(in: 0...1000, using: &r)) / 1000
    return TranslationUnit(texts: texts, origin: xmlSafe ? origin.replacingOccurrences(of: "\t", with: " ") : origin,
      created: created, score: score)
  }
}

func tempDir() throws -> String {
  let u = FileManager.default.temporaryDirectory.appendingPathComponent("tm-unit-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
  return u.path
}

func bytes(_ path: String) -> [UInt8]? { FileManager.default.contents(atPath: path).map { [UInt8]($0) } }

@Suite struct TSVCodecTests {
  @Test func escapesAreReversible() throws {
    let s = "a\tb\nc\rd\\e\\t"
    #expect(TSVCodec.escape(s) == "a\\tb\\nc\\rd\\\\e\\\\t")
    #expect(try TSVCodec.unescape(TSVCodec.escape(s)) == s)
  }

  @Test func propertyAnySegmentSurvivesWriteAndReadByteForByte() throws {
    var r = SeededRandom(seed: 20261125)
    let dir = try tempDir()
    for round in 0..<20 {
      let units = (0..<50).map { _ in Gen.unit(&r) }
      let path = dir + "/m\(round).tsv"
      try MemoryFile.write(units, languages: [], to: path)
      let back = try MemoryFile.load(path: path)
      #expect(back.units.count == units.count)
      for (a, b) in zip(units, back.units) {
        #expect(a == b)
        for (l, t) in a.texts { #expect(Array(b.texts[l]?.utf8 ?? "".utf8) == Array(t.utf8)) }
      }
      // Every line is one unit: no raw tab/newline leaked from a segment.
      let lines = (bytes(path) ?? []).split(separator: 0x0A)
      #expect(lines.count == units.count + 1)
    }
  }

  @Test func writesHeaderUTF8NoBOMAndLF() throws {
    let dir = try tempDir()
    let path = dir + "/az-ru.tsv"
    _ = try MemoryFile.append(
      [TranslationUnit(texts: [.ru: "Город Баку", .az: "Bakı şəhəri"], origin: "add", created: "2026-11-25T20:09:04Z")],
      to: path)
    let text = String(decoding: bytes(path) ?? [], as: UTF8.self)
    #expect(text == "az\tru\torigin\tcreated\tscore\nBakı şəhəri\tГород Баку\tadd\t2026-11-25T20:09:04Z\t\n")
  }

  @Test func nfdAndNfcAreTheSameUnit() throws {
    let dir = try tempDir()
    let path = dir + "/m.tsv"
    let a = TranslationUnit(texts: [.az: "Gəncə", .en: "Ganja café"], origin: "add")
    let b = TranslationUnit(texts: [.az: "Gəncə", .en: "Ganja cafe\u{301}"], origin: "other")
    let r = try MemoryFile.append([a, b], to: path)
    #expect(r == AppendResult(added: 1, duplicates: 1))
    let r2 = try MemoryFile.append([b], to: path)
    #expect(r2 == AppendResult(added: 0, duplicates: 1))
    let m = try MemoryFile.load(path: path)
    #expect(m.units.count == 1)
    #expect(m.units[0].texts[.en] == "Ganja caf\u{E9}")
  }

  @Test func appendKeepsExistingBytesAndWidensHeaderForANewLanguage() throws {
    let dir = try tempDir()
    let path = dir + "/m.tsv"
    let original = "ru\taz\torigin\tcreated\tscore\nКнига\tKitab\tadd\tx\t0.5\n"
    try Data(original.utf8).write(to: URL(fileURLWithPath: path))
    _ = try MemoryFile.append([TranslationUnit(texts: [.ru: "Дом", .az: "Ev"], origin: "add", created: "y")], to: path)
    #expect(String(decoding: bytes(path)!, as: UTF8.self) == original + "Дом\tEv\tadd\ty\t\n")
    _ = try MemoryFile.append([TranslationUnit(texts: [.ru: "Вода", .en: "Water"], origin: "add", created: "z")], to: path)
    let m = try MemoryFile.load(path: path)
    #expect(m.languages == [.ru, .az, .en])
    #expect(m.units.count == 3)
    #expect(m.units[0].score == 0.5)
    #expect(m.units[2].texts == [.ru: "Вода", .en: "Water"])
  }

  @Test func acceptsAHandMadeTwoColumnMemoryAndCRLF() throws {
    let m = try TSVCodec.decode(Array("en\tru\r\nHello\tПривет\r\n".utf8), path: "hand.tsv")
    #expect(m.units == [TranslationUnit(texts: [.en: "Hello", .ru: "Привет"])])
  }

  func error(_ text: String) -> TMError? {
    do {
      _ = try TSVCodec.decode(Array(text.utf8), path: "bad.tsv")
      return nil
    } catch let e as TMError {
      return e
    } catch { return nil }
  }

  @Test func malformedLinesAreErrorsWithFileAndLine() throws {
    let h = "az\tru\torigin\tcreated\tscore\n"
    let ragged = error(h + "a\tb\tadd\tx\t\nc\td\tadd\tx\n")
    #expect(ragged?.file == "bad.tsv" && ragged?.line == 3 && ragged?.kind == .malformedMemory)
    #expect(ragged?.message.contains("4 fields") == true)
    #expect(error(h + "a\\q\tb\t\t\t\n")?.line == 2)
    #expect(error(h + "a\tb\t\t\t\n\nc\td\t\t\t\n")?.line == 3)  // empty line
    #expect(error(h + "a\tb\t\t\tabc\n")?.message.contains("score") == true)
    #expect(error(h + "\t\tadd\tx\t\n")?.message.contains("no text") == true)
    #expect(error("az\tde\n")?.message.contains("unknown column 'de'") == true)
    #expect(error("az\taz\n")?.line == 1)
    #expect(error("origin\tcreated\n")?.message.contains("no language") == true)
    #expect(error("")?.line == 1)
    #expect(error(h + "a\tb\t\t\t\\\n")?.line == 2)  // trailing backslash
    let bad = h.utf8 + [0x61, 0xFF, 0x09, 0x62, 0x09, 0x09, 0x09, 0x0A]
    do {
      _ = try TSVCodec.decode(Array(bad), path: "bad.tsv")
      Issue.record("invalid UTF-8 accepted")
    } catch let e as TMError {
      #expect(e.line == 2)
      #expect(e.byteOffset == h.utf8.count + 1)
    }
  }

  @Test func binaryFileIsNotAMemory() throws {
    let elf: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x0A, 0xFF, 0xFE]
    do {
      _ = try TSVCodec.decode(elf, path: "a.out")
      Issue.record("binary accepted")
    } catch let e as TMError {
      #expect(e.line == 1)
      #expect(e.kind == .malformedMemory)
    }
  }

  @Test func tableDecodesOnDemandAndMatchesLoad() throws {
    let text = "en\taz-Cyrl\torigin\tcreated\tscore\nGanja\tҜәнҹә\tadd\tt\t0.5\nTab\\there\t\tadd\tt\t\nGanja\tҜәнҹә\tother\tu\t\n"
    let t = try MemoryTable(bytes: Array(text.utf8), path: "t.tsv")
    #expect(t.count == 3)
    #expect(t.text(0, .azCyrl) == "Ҝәнҹә")
    #expect(t.text(1, .en) == "Tab\there")
    #expect(t.text(1, .azCyrl) == nil)
    #expect(!t.has(1, .azCyrl) && t.has(1, .en) && !t.has(0, .ru))
    #expect(t.score(0) == 0.5 && t.score(1) == nil)
    #expect(t.duplicateCount() == 1)
    #expect(Array(t) == (try TSVCodec.decode(Array(text.utf8), path: "t.tsv").units))
    var index = TextIndex()
    #expect(index.insert(t, 0) && index.insert(t, 1) && !index.insert(t, 2))
    #expect(index.contains(t, TranslationUnit(texts: [.en: "Tab\there"])))
    #expect(!index.contains(t, TranslationUnit(texts: [.en: "Tab\there", .az: "x"])))
  }

  @Test func statsCountPairsAndDuplicates() throws {
    let dir = try tempDir()
    let path = dir + "/m.tsv"
    let text = "az\tru\ten\torigin\tcreated\tscore\nBakı\tБаку\tBaku\t\t2026-01-02T00:00:00Z\t\nBakı\tБаку\tBaku\t\t2026-03-02T00:00:00Z\t0.9\nSu\t\tWater\t\t\t\n"
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    let s = try MemoryStats.of(path: path)
    #expect(s.units == 3)
    #expect(s.duplicates == 1)
    #expect(s.scored == 1)
    #expect(s.pairs.map { "\($0.0)-\($0.1):\($0.2)" } == ["az-ru:2", "az-en:3", "ru-en:2"])
    #expect(s.newestUnit == "2026-03-02T00:00:00Z")
  }
}

@Suite struct TMXTests {
  @Test func propertyTSVToTMXToTSVIsIdentical() throws {
    var r = SeededRandom(seed: 42)
    let dir = try tempDir()
    for round in 0..<10 {
      var seen = Set<UnitKey>()
      let units = (0..<40).map { _ in Gen.unit(&r, xmlSafe: true) }.filter { seen.insert(UnitKey($0)).inserted }
      let a = dir + "/a\(round).tsv"
      try MemoryFile.write(units, languages: [], to: a)
      let m = try MemoryFile.load(path: a)
      let tmx = TMX.encode(m.units, languages: m.languages, sourceLanguage: m.languages[0])
      #expect(tmx.segmentsWithDroppedCharacters == 0)
      let back = try TMX.decode(tmx.bytes, name: "x.tmx", now: "never")
      #expect(back.units == m.units)
      let b = dir + "/b\(round).tsv"
      _ = try MemoryFile.append(back.units, to: b)
      #expect(bytes(a) == bytes(b), "round \(round): TSV → TMX → TSV differs")
    }
  }

  @Test func forbiddenControlCharactersAreDroppedAndTheXMLStaysValid() throws {
    let u = TranslationUnit(texts: [.en: "bell\u{7}here\u{1B}[0m", .ru: "звонок\r\nтут"], origin: "add", created: "x")
    let tmx = TMX.encode([u], languages: [.en, .ru], sourceLanguage: .en)
    #expect(tmx.segmentsWithDroppedCharacters == 1)
    let text = String(decoding: tmx.bytes, as: UTF8.self)
    #expect(text.contains("<seg>bellhere[0m</seg>"))
    #expect(text.contains("звонок&#13;\nтут"))
    let back = try TMX.decode(tmx.bytes, name: "x.tmx", now: "n")
    #expect(back.units.first?.texts[.ru] == "звонок\r\nтут")
  }

  @Test func readsLanguageVariantsAndKeepsInlineMarkupAsCodes() throws {
    let xml = """
      <?xml version="1.0" encoding="UTF-8"?>
      <!DOCTYPE tmx SYSTEM "tmx14.dtd">
      <tmx version="1.4"><header srclang="az-Latn-AZ" datatype="plaintext" segtype="sentence" adminlang="en" creationtool="x" creationtoolversion="1" o-tmf="x"/>
      <body>
      <tu creationdate="20200101T101010Z"><tuv xml:lang="az-Latn-AZ"><seg>Prof. <bpt i="1">&lt;b&gt;</bpt>Əliyev<ept i="1">&lt;/b&gt;</ept> gəldi.</seg></tuv>
      <tuv xml:lang="ru-RU"><seg>Проф. <hi>Алиев</hi> пришёл.<ph x="2">{0}</ph></seg></tuv>
      <tuv xml:lang="de-DE"><seg>Prof. Aliyev kam.</seg></tuv></tu>
      <tu><tuv lang="AZ-CYRL"><seg>Ҝәнҹә</seg></tuv><tuv xml:lang="en-GB"><seg><![CDATA[Ganja & <co>]]></seg></tuv></tu>
      <tu><tuv xml:lang="az"><seg>tək</seg></tuv><tuv xml:lang="fr"><seg>seul</seg></tuv></tu>
      </body></tmx>
      """
    let r = try TMX.decode(Array(xml.utf8), name: "in.tmx", now: "now")
    #expect(r.sourceLanguage == .az)
    #expect(r.units.count == 2)
    // Inline codes become tags (Documentation/MemoryFormat.md, "Inline
    // codes"): without `x`, the first pair of each language is one code.
    #expect(r.units[0].texts == [.az: "Prof. <g1>Əliyev</g1> gəldi.", .ru: "Проф. <g1>Алиев</g1> пришёл.<x2/>"])
    #expect(r.units[0].codes == "g1=<b>|</b> x2={0}")
    #expect(r.units[0].created == "2020-01-01T10:10:10Z")
    #expect(r.units[0].origin == "tmx:in.tmx")
    #expect(r.units[1].texts == [.azCyrl: "Ҝәнҹә", .en: "Ganja & <co>"])
    #expect(r.units[1].created == "now")
    #expect(r.notes.joined().contains("de-DE (1)"))
    #expect(r.notes.joined().contains("1 units with fewer than two"))
  }

  @Test func readsUTF16TMXAsTradosWritesIt() throws {
    let xml = """
      <?xml version="1.0" encoding="UTF-16"?>
      <tmx version="1.4"><header srclang="en-US" datatype="plaintext" segtype="sentence" adminlang="en-US" creationtool="SDL" creationtoolversion="1" o-tmf="x"/>
      <body><tu><tuv xml:lang="en-US"><seg>Law No. 5 enters into force on 1 January 2027.</seg></tuv>
      <tuv xml:lang="az-Latn-AZ"><seg>5 saylı qanun 2027-ci il yanvarın 1-dən qüvvəyə minir.</seg></tuv></tu></body></tmx>
      """
    var bytes: [UInt8] = [0xFF, 0xFE]
    for c in xml.utf16 { bytes += [UInt8(c & 0xFF), UInt8(c >> 8)] }
    let r = try TMX.decode(bytes, name: "trados.tmx", now: "n")
    #expect(r.units.map(\.texts) == [[.en: "Law No. 5 enters into force on 1 January 2027.", .az: "5 saylı qanun 2027-ci il yanvarın 1-dən qüvvəyə minir."]])
  }

  @Test func readsTMXLargerThanLibxml2sTenMegabyteChunkLimit() throws {
    let pad = String(repeating: "Azərbaycan Respublikasının Prezidenti ", count: 4)
    let units = (0..<30_000).map { i in
      TranslationUnit(
        texts: [.az: "\(pad)\(i) saylı fərman.", .ru: "Указ № \(i) Президента Азербайджанской Республики."],
        origin: "add", created: "2026-11-25T20:09:04Z")
    }
    let tmx = TMX.encode(units, languages: [.az, .ru], sourceLanguage: .az)
    #expect(tmx.bytes.count > 10_500_000)
    let back = try TMX.decode(tmx.bytes, name: "big.tmx", now: "n")
    #expect(back.units.count == units.count)
    #expect(back.units.last == units.last)
  }

  func tmxError(_ xml: String) -> TMError? {
    do {
      _ = try TMX.decode(Array(xml.utf8), name: "bad.tmx", now: "n")
      return nil
    } catch let e as TMError { return e } catch { return nil }
  }

  @Test func brokenTMXIsAnErrorWithLine() {
    let head = "<?xml version=\"1.0\"?>\n<tmx version=\"1.4\"><header srclang=\"en\"/>\n<body>\n"
    let truncated = tmxError(head + "<tu><tuv xml:lang=\"en\"><seg>Hello</seg></tuv>\n<tuv xml:lang=\"ru\"><seg>При")
    #expect(truncated?.file == "bad.tmx")
    #expect((truncated?.line ?? 0) >= 4)
    let entity = tmxError(head + "<tu><tuv xml:lang=\"en\"><seg>&nbsp;Hi</seg></tuv></tu></body></tmx>")
    #expect(entity?.line == 4)
    #expect(entity?.message.contains("entity") == true)
    #expect(tmxError("<html><body>no</body></html>")?.message.contains("no <tmx>") == true)
  }

  /// FoundationXML on Linux read NULL pointers for these DTD declarations and
  /// crashed (scripts/fuzz.sh in CI); the internal subset is blanked before
  /// the parser sees it (and since stop 17 the parser is libxml2 through our
  /// own shim, which checks every pointer).
  @Test func tmxWithDeclarationsInItsDoctypeReadsWithoutThem() throws {
    let body = "<tmx version=\"1.4\"><header srclang=\"az\"/>\n<body>\n"
      + "<tu><tuv xml:lang=\"az\"><seg>Bakı Azərbaycanın paytaxtıdır.</seg></tuv>\n"
      + "<tuv xml:lang=\"ru\"><seg>Баку — столица Азербайджана.</seg></tuv></tu>\n</body></tmx>\n"
    let subsets = [
      "<!ATTLIST tu note CDATA #IMPLIED>",
      "<!NOTATION gif SYSTEM \"image/gif\">",
      "<!NOTATION gif PUBLIC \"-//x//gif\"> <!ENTITY logo SYSTEM \"logo.gif\" NDATA gif>",
      "<!-- a ] in a comment --> <!ELEMENT seg (#PCDATA)> <!ATTLIST seg x CDATA \"]\">",
      "\n<!ELEMENT tu (tuv+)>\n<?pi ]?>\n",
    ]
    for subset in subsets {
      let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE tmx SYSTEM \"tmx14.dtd\" [ \(subset) ]>\n" + body
      let r = try TMX.decode(Array(xml.utf8), name: "dtd.tmx", now: "n")
      #expect(r.units.count == 1, "\(subset)")
      #expect(r.units.first?.texts[.az] == "Bakı Azərbaycanın paytaxtıdır.")
      #expect(r.notes.contains { $0.contains("DOCTYPE") }, "\(subset)")
    }
    // Line numbers after a subset over several lines stay those of the file.
    let multi = "<?xml version=\"1.0\"?>\n<!DOCTYPE tmx [\n<!NOTATION a SYSTEM \"a\">\n]>\n" + body
      .replacingOccurrences(of: "<seg>Bakı", with: "<seg>&nbsp;Bakı")
    #expect(tmxError(multi)?.line == 7)
    // An entity the subset declares is an error now, not text silently dropped.
    let entity = "<?xml version=\"1.0\"?>\n<!DOCTYPE tmx [ <!ENTITY co \"Acme\"> ]>\n"
      + body.replacingOccurrences(of: "paytaxtıdır.", with: "paytaxtıdır &co;")
    #expect(tmxError(entity)?.message.contains("'&co;'") == true)
    // A subset that never ends is malformed XML, with a line.
    let open = "<?xml version=\"1.0\"?>\n<!DOCTYPE tmx [ <!ATTLIST tu a CDATA #IMPLIED>\n" + body
    #expect(tmxError(open)?.line != nil)
    // An XML declaration without its `?` ends at its `>` for libxml2, which
    // reads on into the DOCTYPE (CI's fuzz run, seed 1, found this one).
    let broken = "<?xml version=\"1.0\" encoding=\"UTF-8\"\n><!DOCTYPE tmx [ <!ATTLIST tu a CDATA #IMPLIED> ]>\n" + body
    #expect(TMX.withoutInternalSubset(Array(broken.utf8)).1)
    _ = tmxError(broken)
    // No DOCTYPE, or one without a subset: the bytes go through as they are.
    let plain = Array(("<?xml version=\"1.0\"?>\n<!DOCTYPE tmx SYSTEM \"tmx[1].dtd\">\n" + body).utf8)
    #expect(TMX.withoutInternalSubset(plain) == (plain, false))
  }
  /// What FoundationXML's XMLParser crashed on or read wrongly, now that TMX
  /// goes through libxml2 by our shim (xmlshim.c): processing instructions
  /// without data, a prefix never bound, references in attribute values,
  /// CDATA, and errors at the line where they are.
  @Test func libxml2ShimReadsWhatXMLParserCrashedOn() throws {
    let xml = """
      <?xml version="1.0" encoding="UTF-8"?>
      <?xml-stylesheet?><!-- a comment --><?tm?>
      <tmx version="1.4"><header srclang="az" o-tmf="a &amp; b"/>
      <body>
      <tu tuid="1" x:note="unbound prefix"><prop type="x-origin">xəbər &lt;az&gt; &#x26; ru</prop>
      <tuv xml:lang="az"><seg>Bakı <![CDATA[<b>qalası</b>]]> &amp; Gəncə<?pi?></seg></tuv>
      <tuv xml:lang="ru-RU"><seg>Баку &#1240; &#x4D8; «крепость»</seg></tuv></tu>
      </body></tmx>
      """
    let r = try TMX.decode(Array(xml.utf8), name: "shim.tmx", now: "n")
    #expect(r.units.count == 1)
    #expect(r.units.first?.texts[.az] == "Bakı <b>qalası</b> & Gəncə")
    #expect(r.units.first?.texts[.ru] == "Баку Ә Ә «крепость»")
    #expect(r.units.first?.origin == "xəbər <az> & ru")
    // The error's line is where libxml2 met it, not the end of the file.
    let lines = xml.replacingOccurrences(of: "Gəncə<?pi?>", with: "Gəncə</tuv>")
    let e = tmxError(lines + "\n\n\n")
    #expect(e?.line == 6)
    #expect(e?.message.contains("end tag") == true || e?.message.contains("XML error 76") == true)
    // Extra content after the root, and an empty file, are errors with a line.
    #expect(tmxError(xml + "<tmx/>")?.line == 8)
    #expect(tmxError("")?.line == 1)
    #expect(tmxError("   \n")?.line != nil)
    // A PI whose target runs into `=` (libxml2 passed NULL data for it and
    // XMLParser called strlen on it: scripts/fuzz.sh, random seed).
    let pi = tmxError("<?creationtool=[\"tm\" creat <tmx><body/></tmx>")
    #expect(pi?.line == 1)
  }
}

@Suite struct GettextTests {
  let po = #"""
    # Azerbaijani translation.
    msgid ""
    msgstr ""
    "Project-Id-Version: demo\n"
    "Language: az\n"
    "Content-Type: text/plain; charset=UTF-8\n"
    "Plural-Forms: nplurals=2; plural=(n != 1);\n"

    #: src/main.c:10
    msgid "Open file"
    msgstr "Faylı aç"

    #, fuzzy
    msgid "Close"
    msgstr "Bağla"

    msgid "Untranslated"
    msgstr ""

    msgctxt "menu"
    msgid ""
    "Save \"all\"\t"
    "files"
    msgstr "Hamısını \"saxla\"\tfayllar"

    msgid "%d file"
    msgid_plural "%d files"
    msgstr[0] "%d fayl"
    msgstr[1] "%d fayllar"

    #~ msgid "Old"
    #~ msgstr "Köhnə"
    """#

  @Test func poEntriesFuzzyPluralsAndHeader() throws {
    let c = try Gettext.parsePO(po, name: "az.po")
    #expect(c.language == "az")
    #expect(c.fuzzy == 1)
    #expect(c.untranslated == 1)
    let units = Gettext.units(c, source: .en, target: .az, origin: "po:az.po", created: "t")
    #expect(units.map { $0.texts[.en]! } == ["Open file", "Save \"all\"\tfiles", "%d file", "%d files"])
    #expect(units.map { $0.texts[.az]! } == ["Faylı aç", "Hamısını \"saxla\"\tfayllar", "%d fayl", "%d fayllar"])
  }

  @Test func crlfCatalog() throws {
    let c = try Gettext.parsePO("msgid \"\"\r\nmsgstr \"\"\r\n\"Language: ru\\n\"\r\n\r\nmsgid \"Hello\"\r\nmsgstr \"Привет\"\r\n", name: "ru.po")
    #expect(c.language == "ru")
    #expect(c.entries.map(\.msgstr) == [["Привет"]])
  }

  @Test func brokenQuotingNamesTheLine() {
    let bad = "msgid \"Hello\"\nmsgstr \"Привет\n"
    do {
      _ = try Gettext.parsePO(bad, name: "ru.po")
      Issue.record("accepted")
    } catch let e as TMError {
      #expect(e.line == 2)
      #expect(e.message.contains("quoting"))
    } catch { Issue.record("\(error)") }
    do {
      _ = try Gettext.parsePO("msgid \"a\" b\"\nmsgstr \"x\"\n", name: "ru.po")
      Issue.record("accepted")
    } catch let e as TMError { #expect(e.line == 1) } catch {}
  }

  /// A GNU .mo with the given (msgid, msgstr) pairs, little-endian.
  static func mo(_ pairs: [(String, String)]) -> [UInt8] {
    let sorted = pairs.sorted { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
    let n = sorted.count
    var out: [UInt8] = []
    func u32(_ v: Int) { for k in 0..<4 { out.append(UInt8((v >> (8 * k)) & 0xFF)) } }
    let origTable = 28
    let transTable = origTable + 8 * n
    var dataStart = transTable + 8 * n
    var origEntries: [(Int, Int)] = []
    var transEntries: [(Int, Int)] = []
    var data: [UInt8] = []
    for (o, _) in sorted {
      origEntries.append((o.utf8.count, dataStart + data.count))
      data += Array(o.utf8) + [0]
    }
    for (_, t) in sorted {
      transEntries.append((t.utf8.count, dataStart + data.count))
      data += Array(t.utf8) + [0]
    }
    u32(0x9504_12DE)
    u32(0)
    u32(n)
    u32(origTable)
    u32(transTable)
    u32(0)
    u32(dataStart)
    for (l, o) in origEntries { u32(l); u32(o) }
    for (l, o) in transEntries { u32(l); u32(o) }
    dataStart = 0
    return out + data
  }

  @Test func moEntriesContextsAndPlurals() throws {
    let b = Self.mo([
      ("", "Language: ru\nPlural-Forms: nplurals=3;\n"),
      ("Azerbaijan", "Азербайджан"),
      ("menu\u{4}File", "Файл"),
      ("%d day\u{0}%d days", "%d день\u{0}%d дня\u{0}%d дней"),
      ("Empty", ""),
    ])
    let c = try Gettext.parseMO(b, name: "ru.mo")
    #expect(c.language == "ru")
    #expect(c.untranslated == 1)
    let units = Gettext.units(c, source: .en, target: .ru, origin: "mo:ru.mo", created: "t")
    let pairs = units.map { "\($0.texts[.en]!)=\($0.texts[.ru]!)" }
    #expect(pairs.sorted() == ["%d day=%d день", "%d days=%d дней", "%d days=%d дня", "Azerbaijan=Азербайджан", "File=Файл"])
  }

  @Test func truncatedMOIsAnError() {
    let b = Self.mo([("a", "b")])
    #expect(throws: TMError.self) { try Gettext.parseMO(Array(b.prefix(40)), name: "x.mo") }
    #expect(throws: TMError.self) { try Gettext.parseMO([1, 2, 3], name: "x.mo") }
  }
}

@Suite struct DelimitedImportTests {
  @Test func csvQuotesCommasAndNewlines() throws {
    let rows = try Delimited.parseCSV("az,ru\r\n\"Bakı, paytaxt\",\"Баку,\n\"\"столица\"\"\"\r\nSu,Вода\n", name: "a.csv")
    #expect(rows.map(\.fields) == [["az", "ru"], ["Bakı, paytaxt", "Баку,\n\"столица\""], ["Su", "Вода"]])
    #expect(rows.map(\.line) == [1, 2, 4])
    #expect(throws: TMError.self) { try Delimited.parseCSV("a,\"b\n", name: "a.csv") }
  }

  @Test func propertyCSVExportImportIsIdentity() throws {
    var r = SeededRandom(seed: 7)
    for _ in 0..<10 {
      let units = (0..<40).map { _ in Gen.unit(&r) }
      let langs = Language.allCases.filter { l in units.contains { $0.texts[l] != nil } }
      let csv = String(decoding: Delimited.encodeCSV(units, languages: langs), as: UTF8.self)
      let rows = try Delimited.parseCSV(csv, name: "p.csv")
      let back = try MemoryImport.delimitedUnits(rows, format: .csv, path: "p.csv", options: .init(now: "n"))
      #expect(back.units == units)
    }
  }

  @Test func csvExportReadsBack() throws {
    let u = [TranslationUnit(texts: [.az: "Bakı, \"paytaxt\"", .ru: "Баку\nстолица"], origin: "add", created: "t", score: 0.25)]
    let csv = String(decoding: Delimited.encodeCSV(u, languages: [.az, .ru]), as: UTF8.self)
    let rows = try Delimited.parseCSV(csv, name: "x.csv")
    let r = try MemoryImport.delimitedUnits(rows, format: .csv, path: "x.csv", options: .init(now: "n"))
    #expect(r.units == u)
  }

  @Test func twoColumnTSVWithScoreAndHunalignBeads() throws {
    let text = "Bakı böyük şəhərdir.\tБаку — большой город.\t0.87\nBirinci. ~~~ İkinci.\tПервое и второе.\t1.4\n\tТолько справа.\t0.1\n"
    let rows = Delimited.parseTSV(text, name: "h.txt")
    let r = try MemoryImport.delimitedUnits(rows, format: .tsv, path: "h.txt", options: .init(from: .az, to: .ru, now: "n"))
    #expect(r.units.count == 2)
    #expect(r.units[0].score == 0.87)
    #expect(r.units[1].texts[.az] == "Birinci. İkinci.")
    #expect(r.units[1].score == 1)
    #expect(r.units[0].origin == "tsv:h.txt#1")
    #expect(r.notes.count == 1)
    let bad = Delimited.parseTSV("a\tb\tc\td\n", name: "h.txt")
    #expect(throws: TMError.self) {
      try MemoryImport.delimitedUnits(bad, format: .tsv, path: "h.txt", options: .init(from: .az, to: .ru, now: "n"))
    }
    #expect(throws: TMError.self) {
      try MemoryImport.delimitedUnits(rows, format: .tsv, path: "h.txt", options: .init(now: "n"))
    }
  }

  @Test func spreadsheetHeaderRowIsSkippedWithANote() throws {
    let rows = try Delimited.parseCSV("Source,Target\r\nSu,Вода\r\n", name: "s.csv")
    let r = try MemoryImport.delimitedUnits(rows, format: .csv, path: "s.csv", options: .init(from: .az, to: .ru, now: "n"))
    #expect(r.units.map(\.texts) == [[.az: "Su", .ru: "Вода"]])
    #expect(r.notes == ["s.csv: line 1 taken as a header row and skipped"])
  }

  @Test func joinMergesCatalogsOnTheEnglishText() {
    let units = [
      TranslationUnit(texts: [.en: "Azerbaijan", .az: "Azərbaycan"], origin: "mo:iso.mo"),
      TranslationUnit(texts: [.en: "Georgia", .az: "Gürcüstan"], origin: "mo:iso.mo"),
      TranslationUnit(texts: [.en: "Azerbaijan", .ru: "Азербайджан"], origin: "mo:iso.mo"),
      TranslationUnit(texts: [.en: "Azerbaijan", .ru: "Азербайджанская Республика"], origin: "mo:other.mo"),
    ]
    let j = MemoryImport.join(units, on: .en)
    #expect(j.count == 3)
    #expect(j[0].texts == [.en: "Azerbaijan", .az: "Azərbaycan", .ru: "Азербайджан"])
    #expect(j[0].origin == "mo:iso.mo")
    #expect(j[2].texts[.ru] == "Азербайджанская Республика")
  }
}
