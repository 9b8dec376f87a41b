import Foundation
import Testing

@testable import TMKit

let newsUnits: [TranslationUnit] = [
  TranslationUnit(texts: [.az: "Bakıda hava küləkli olacaq.", .ru: "В Баку будет ветрено."], origin: "news"),
  TranslationUnit(texts: [.az: "Bakıda hava 25 dərəcə isti olacaq.", .ru: "В Баку будет 25 градусов тепла."], origin: "news"),
  TranslationUnit(texts: [.az: "Prezident İlham Əliyev Bakıda görüş keçirib.", .ru: "Президент Ильхам Алиев провёл встречу в Баку."], origin: "news"),
  TranslationUnit(texts: [.az: "Sabah Gəncədə yağış yağacaq.", .ru: "Завтра в Гяндже пойдёт дождь.", .en: "Tomorrow it will rain in Ganja."], origin: "news"),
  TranslationUnit(texts: [.en: "The meeting was held in Baku.", .ru: "Встреча прошла в Баку."], origin: "news"),
]

@Suite struct MemoryStoreTests {
  @Test func tsvFolderStoreAppendsWithDedupeAndStreamsUnits() async throws {
    let dir = try tempDir()
    let store = TSVFolderStore(folder: dir)
    let ref = try store.defaultMemory(for: [.ru, .az])
    #expect(ref.id == dir + "/az-ru.tsv")
    let first = try await store.append(Array(newsUnits.prefix(3)), to: ref)
    #expect(first == AppendResult(added: 3, duplicates: 0))
    let again = try await store.append(Array(newsUnits.prefix(4)), to: ref)
    #expect(again == AppendResult(added: 1, duplicates: 3))
    let infos = try await store.memories()
    #expect(infos.map(\.ref) == [ref])
    #expect(infos[0].languages == [.az, .ru, .en])
    var seen: [UnitRef] = []
    try await store.forEachUnit(in: ref) { seen.append($0.ref) }
    #expect(seen.map(\.index) == [0, 1, 2, 3])
    let exact = try await store.exact("Sabah Gəncədə yağış yağacaq.", language: .az, in: nil)
    #expect(exact.map(\.ref.index) == [3])
    let stats = try await store.stats(of: ref)
    #expect(stats.units == 4)
    #expect(stats.pairs.map { "\($0.0)-\($0.1):\($0.2)" } == ["az-ru:4", "az-en:1", "ru-en:1"])
  }

  @Test func defaultStatsCountLikeTheTSVTable() async throws {
    let dir = try tempDir()
    let tsv = TSVFolderStore(folder: dir)
    let array = InMemoryStore()
    let ref = MemoryRef(id: dir + "/m.tsv")
    _ = try await tsv.append(newsUnits + [newsUnits[0]], to: ref)
    _ = try await array.append(newsUnits, to: ref)
    let a = try await tsv.stats(of: ref)
    let b = try await array.stats(of: ref)
    #expect(a.units == b.units)
    #expect(a.texts.map(\.units) == [4, 5, 2])
    #expect(Set(b.texts.map(\.units)) == Set(a.texts.map(\.units)))
  }

  /// The same queries through the protocol's default search (candidates
  /// scored by the one matcher) and through the TSV folder's index give the
  /// same matches, kinds, scores, differences and substitutions.
  @Test func candidateSearchScoresLikeTheIndexPath() async throws {
    let dir = try tempDir()
    let tsv = TSVFolderStore(folder: dir)
    let array = InMemoryStore()
    let ref = MemoryRef(id: dir + "/az-ru.tsv")
    _ = try await tsv.append(newsUnits, to: ref)
    _ = try await array.append(newsUnits, to: ref)
    let queries = [
      LookupQuery(text: "Bakıda hava 30 dərəcə isti olacaq.", language: .az),
      LookupQuery(text: "bakıda hava küləkli olacaq", language: .az),
      LookupQuery(text: "Prezident İlham Əliyev Gəncədə görüş keçirib.", language: .az, minScore: 50),
      LookupQuery(text: "Баку", language: .ru),
      LookupQuery(text: "Алиев", language: .ru, concordance: true),
    ]
    let a = try await tsv.search(queries, in: nil, analysisFloor: nil)
    let b = try await array.search(queries, in: nil, analysisFloor: nil)
    for (x, y) in zip(a.results, b.results) {
      let mx = try x.get(), my = try y.get()
      func shape(_ r: LookupResult) -> [String] {
        (r.matches + r.concordance).map {
          "\($0.kind) \($0.score) #\($0.unit) \($0.source) \($0.differences) "
            + $0.targets.map { "\($0.language):\($0.substituted ?? $0.text)" }.joined(separator: "|")
        }
      }
      #expect(shape(mx) == shape(my))
      #expect(!shape(mx).isEmpty)
    }
    let near = try b.results[0].get().matches[0]
    #expect(near.kind == .nearExact)
    #expect(near.targets.first?.substituted == "В Баку будет 30 градусов тепла.")
  }

  @Test func lookupWorkflowGuessesTheLanguageAndReportsRecords() async throws {
    let store = InMemoryStore()
    _ = try await store.append(newsUnits, to: MemoryRef(id: "news", name: "Xəbərlər"))
    let report = try await Lookup(store: store).run(Lookup.Request(queries: ["Sabah Gəncədə yağış yağacaq."]))
    let answer = try #require(report.answers.first)
    #expect(answer.language == .az && answer.languageGuessed)
    #expect(report.found)
    let rows = answer.records
    #expect(rows.map { $0.targetLanguage } == [.ru, .en])
    #expect(rows.allSatisfy { $0.memory == "Xəbərlər" && $0.kind == .exact && $0.line == 5 })
    #expect(
      JSON.line(rows[0])
        == #"{"query":"Sabah Gəncədə yağış yağacaq.","kind":"exact","score":100,"source":"Sabah Gəncədə yağış yağacaq.","source_lang":"az","target":"Завтра в Гяндже пойдёт дождь.","target_lang":"ru","memory":"Xəbərlər","unit":4,"line":5,"differences":[],"marks":[]}"#
    )
  }

  @Test func batchAnalysisCountsBands() async throws {
    let store = InMemoryStore()
    _ = try await store.append(newsUnits, to: MemoryRef(id: "news"))
    let text = "Bakıda hava küləkli olacaq.\nBakıda hava 26 dərəcə isti olacaq.\nŞuşada qar yağır.\n"
    let report = try await BatchAnalysis(store: store).run(text: text, segment: false)
    let a = try #require(report.analysis)
    #expect(a.analysis.map(\.segments) == [1, 1, 0, 0, 0, 1])
    #expect(a.totalWords == 13)
    #expect(report.language == .az)
    #expect(JSON.line(a).hasPrefix(#"{"analysis":[{"band":"100%","segments":1,"words":4},"#))
  }

  @Test func alignLearnsFromTheStoreAndAppends() async throws {
    let store = InMemoryStore()
    let az = "Maddə 1\nBütün insanlar ləyaqət və hüquqlarına görə azad və bərabər doğulurlar.\nMaddə 2\nHər kəs bu Bəyannamədə elan edilmiş bütün hüquqlara malik olmalıdır.\n"
    let ru = "Статья 1\nВсе люди рождаются свободными и равными в своем достоинстве и правах.\nСтатья 2\nКаждый человек должен обладать всеми правами, провозглашенными настоящей Декларацией.\n"
    let request = Align.Request(
      source: Align.Document(name: "docs/a.txt", text: az), target: Align.Document(name: "b.txt", text: ru),
      from: .az, to: .ru, segmented: true)
    let report = try await Align(store: store).run(request)
    #expect(report.memory.id == "az-ru.tsv")
    #expect(report.appended == AppendResult(added: 4, duplicates: 0))
    #expect(report.beads.first?.origin == "align:a.txt#0|b.txt#0")
    let again = try await Align(store: store).run(request)
    #expect(again.appended == AppendResult(added: 0, duplicates: 4))
    #expect(again.dictionaryEntries != nil)
  }

  @Test func importAndExportGoThroughTheStore() async throws {
    let dir = try tempDir()
    let po = dir + "/az.po"
    try Data(
      "msgid \"\"\nmsgstr \"Language: az\\n\"\n\nmsgid \"Save file\"\nmsgstr \"Faylı saxla\"\n\nmsgid \"Open\"\nmsgstr \"Aç\"\n"
        .utf8
    ).write(to: URL(fileURLWithPath: po))
    let store = InMemoryStore()
    let r = try await Import(store: store).run(files: [po], options: MemoryImport.Options(now: "2026-01-01T00:00:00Z"))
    #expect(r.files == [MemoryImport.FileResult(path: po, format: "po", units: 2)])
    #expect(r.memory.id == "az-en.tsv" && r.added == 2)
    var out: [UInt8] = []
    let e = try await Export(store: store).run(
      memory: nil, format: try #require(FormatRegistry.writer("csv")), from: nil, to: nil
    ) { out += $0 }
    #expect(e.units == 2)
    #expect(
      String(decoding: out, as: UTF8.self)
        == "az,en,origin,created,score\r\nFaylı saxla,Save file,po:az.po,2026-01-01T00:00:00Z,\r\nAç,Open,po:az.po,2026-01-01T00:00:00Z,\r\n")
  }
}

@Suite struct FormatRegistryTests {
  func detect(_ name: String, _ text: String) throws -> String {
    try FormatRegistry.detect(path: name, bytes: Array(text.utf8)).id
  }

  @Test func contentWinsOverTheExtension() throws {
    #expect(try detect("memory.txt", "<?xml version=\"1.0\"?>\n<tmx version=\"1.4\">") == "tmx")
    #expect(try detect("catalog.txt", "# az\nmsgid \"Open\"\nmsgstr \"Aç\"\n") == "po")
    #expect(try detect("x.csv", "az\tru\torigin\nSalam\tПривет\tadd\n") == "memory-tsv")
    #expect(try detect("review.tsv", "score\taz\tru\torigin\n0.9\tSalam\tПривет\talign:a#0|b#0\n") == "review")
    #expect(try FormatRegistry.detect(path: "a.bin", bytes: [0xDE, 0x12, 0x04, 0x95, 0, 0]).id == "mo")
  }

  @Test func theExtensionDecidesWhenTheContentSaysNothing() throws {
    #expect(try detect("pairs.csv", "Salam,Привет\n") == "csv")
    #expect(try detect("pairs.tmx", "garbage") == "tmx")
    #expect(try detect("pairs", "Salam\tПривет\n") == "tsv")
    #expect(throws: TMError.self) { try FormatRegistry.detect(path: "x.tsv", bytes: [0x41, 0x00, 0x42]) }
  }

  @Test func everyWriterReadsBackWhatItWrote() throws {
    let units = newsUnits.map { u -> TranslationUnit in
      var v = u
      v.created = "2026-11-25T20:09:04Z"
      v.score = 0.75
      return v
    }
    for w in FormatRegistry.writers {
      let (bytes, summary) = w.encode(units, languages: [.az, .ru, .en], sourceLanguage: .az)
      #expect(summary.units == units.count)
      let format = try FormatRegistry.detect(path: "back." + w.id, bytes: bytes)
      #expect(format.id == w.id)
      let back = try format.readAll(bytes, path: "back", options: MemoryImport.Options(now: "now")).units
      #expect(back.map(\.texts) == units.map(\.texts), "\(w.id)")
    }
  }

  /// Align's TMX goes through the memory's writer: CR is `&#13;` there too.
  @Test func alignTMXEscapesLikeExport() {
    #expect(BeadWriter.xml("a\rb < c") == "a&#13;b &lt; c")
  }
}

@Suite struct ReviewRoundTripTests {
  /// Issue 9: importing an edited `--review` file stored the ` check` /
  /// ` unaligned` marks as part of the origin, and took rows with one
  /// language that TMX and CSV import skip.
  @Test("#9: the review file's marks are not origins; one-language rows are skipped")
  func reviewMarksAndOneLanguageRows() throws {
    let beads = [
      AlignedBead(source: "Maddə 1", target: "Статья 1", score: 0.97, sourceIDs: [0], targetIDs: [0], origin: "align:a.txt#0|b.txt#0"),
      AlignedBead(source: "Hamı bərabərdir.\tQeyd", target: "Все равны.", score: 0.21, sourceIDs: [1, 2], targetIDs: [1], origin: "align:a.txt#1-2|b.txt#1"),
      AlignedBead(source: "", target: "Примечание переводчика.", score: 0, sourceIDs: [], targetIDs: [2], origin: "align:a.txt|b.txt#2"),
    ]
    let file = ReviewFormat.render(beads, source: .az, target: .ru, threshold: 0.4) { $0.origin ?? "" }
    let text = String(decoding: file, as: UTF8.self)
    #expect(text.contains("align:a.txt#1-2|b.txt#1 check\n"))
    #expect(text.contains("align:a.txt|b.txt#2 unaligned\n"))
    let format = try FormatRegistry.detect(path: "review.tsv", bytes: file)
    #expect(format is ReviewFormat)
    let (units, notes) = try format.readAll(file, path: "review.tsv", options: MemoryImport.Options(now: "2026-01-01T00:00:00Z"))
    #expect(units.map(\.origin) == ["align:a.txt#0|b.txt#0", "align:a.txt#1-2|b.txt#1"])
    #expect(units[1].texts == [.az: "Hamı bərabərdir.\tQeyd", .ru: "Все равны."])
    #expect(units.map(\.score) == [0.97, 0.21])
    #expect(notes == ["review.tsv: skipped 1 rows with one language only (unaligned segments not filled in)"])
    // A reviewer filled in the unaligned row: now it is a unit.
    let edited = text.replacingOccurrences(of: "0\t\tПримечание", with: "1\tTərcüməçinin qeydi.\tПримечание")
    let back = try format.readAll(Array(edited.utf8), path: "review.tsv", options: MemoryImport.Options(now: "n")).units
    #expect(back.count == 3)
    #expect(back[2].origin == "align:a.txt|b.txt#2")
  }
}

@Suite struct JSONLineTests {
  @Test func keysInDeclarationOrderAndShortNumbers() {
    struct V: Encodable {
      var b = "z/ü\"\n"
      var a = 98.0
      var c: [Double] = [33.3, 1e-7]
      var d: String? = nil
      var e = ["x": 1]
    }
    #expect(JSON.line(V()) == #"{"b":"z/ü\"\n","a":98,"c":[33.3,1e-07],"e":{"x":1}}"#)
  }

  @Test func unitsEncodeTextsByTagAndDecodeBack() throws {
    let u = TranslationUnit(texts: [.ru: "Баку", .az: "Bakı/Baku"], origin: "add", created: "2026-11-25T20:09:04Z", score: 0.5)
    let line = JSON.line(u)
    #expect(line == #"{"texts":{"az":"Bakı/Baku","ru":"Баку"},"origin":"add","created":"2026-11-25T20:09:04Z","score":0.5}"#)
    #expect(try JSONDecoder().decode(TranslationUnit.self, from: Data(line.utf8)) == u)
    #expect(throws: (any Error).self) {
      try JSONDecoder().decode(TranslationUnit.self, from: Data(#"{"texts":{"de":"Baku"}}"#.utf8))
    }
  }

  @Test func errorsEncodeWithTheirPosition() {
    let e = TMError(.malformedMemory, "invalid UTF-8", file: "m.tsv", line: 3, byteOffset: 41)
    #expect(JSON.line(e) == #"{"kind":"malformedMemory","message":"invalid UTF-8","file":"m.tsv","line":3,"byte_offset":41}"#)
  }
}
