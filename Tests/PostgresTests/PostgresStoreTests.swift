import Foundation
import Synchronization
import Testing
import TMKit

@testable import TMPostgres

@Suite("PostgreSQL store", .enabled(if: TestDB.available, TestDB.skipReason), .serialized)
struct PostgresStoreTests {
  static func tempDir() throws -> String {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("tm-pg-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
  }

  @Test func migrationsApplyOnceAndAreRecorded() throws {
    let (store, _) = try TestDB.freshStore("migrate")
    defer { TestDB.drop(store) }
    #expect(try store.migrate() == [])  // the init applied them
    let versions = try store.run { try $0.exec("SELECT version, name FROM tm_schema_version ORDER BY version") }
    #expect(versions.rows == (try PostgresMigrations.all().count))
    #expect(versions.string(0, 1) == "001-units.sql")
  }

  @Test func appendDedupesAndWidensLikeTheTSVMemory() throws {
    let (store, _) = try TestDB.freshStore("append")
    defer { TestDB.drop(store) }
    let a = TranslationUnit(texts: [.az: "Bakı", .ru: "Баку"], origin: "add", created: "2026-12-01T07:00:00Z")
    // Decomposed й must be stored and compared as NFC.
    let b = TranslationUnit(texts: [.az: "Mətbuat xidməti", .ru: "Пресс-служба"], origin: "add")
    let bDecomposed = TranslationUnit(texts: [.az: "Mətbuat xidməti", .ru: "Пресс-служба"], origin: "other")
    let r1 = try store.append([a, b, a])
    #expect(r1 == AppendResult(added: 2, duplicates: 1))
    let c = TranslationUnit(texts: [.az: "Bakı", .ru: "Баку", .en: "Baku"], origin: "add")
    let r2 = try store.append([bDecomposed, c])
    #expect(r2 == AppendResult(added: 1, duplicates: 1))
    #expect(try store.count() == 3)
    #expect(try store.languages() == [.az, .ru, .en])
    let й = TranslationUnit(texts: [.ru: "Заи\u{0306}мы"])  // decomposed й
    _ = try store.append([й])
    #expect(try store.append([TranslationUnit(texts: [.ru: "Займы"])]) == AppendResult(added: 0, duplicates: 1))
    #expect(throws: TMError.self) { try store.append([TranslationUnit(texts: [.az: ""])]) }
  }

  @Test func exportIsByteForByteTheTSVExport() throws {
    let (store, _) = try TestDB.freshStore("export")
    defer { TestDB.drop(store) }
    let dir = try PostgresStoreTests.tempDir()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let iso = try Corpus.isoCodes()
    var units = Corpus.news(300, names: Corpus.countryNames(iso))
    units[3].texts[.ru] = "Строка с табуляцией\tи переводом\nстроки, и обратная косая \\ черта"
    units[4].texts[.en] = nil
    let path = dir + "/az-ru.tsv"
    _ = try MemoryFile.append(Array(iso.units.prefix(200)) + units, to: path)
    // What `tm export --format tsv` writes for the TSV memory.
    let table = try MemoryFile.open(path: path)
    var fromTSV: [UInt8] = []
    try MemoryFile.writeTSV(table, languages: table.languages, to: { fromTSV += $0 })
    // Appended unit by unit through the store, then exported.
    _ = try store.append(Array(iso.units.prefix(200)))
    _ = try store.append(units)
    var fromDB: [UInt8] = []
    try store.exportTSV { fromDB += $0 }
    #expect(fromDB.count == fromTSV.count)
    #expect(fromDB == fromTSV)
    // And it loads back with the CLI's reader.
    try MemoryFile.writeAtomically(fromDB, to: dir + "/back.tsv")
    #expect(try MemoryFile.load(path: dir + "/back.tsv").units == table.memory.units)
  }

  @Test func bulkLoadIsOneTransaction() throws {
    let (store, _) = try TestDB.freshStore("bulk")
    defer { TestDB.drop(store) }
    let iso = try Corpus.isoCodes()
    var units = Corpus.news(500, names: Corpus.countryNames(iso))
    units[400].texts = [.az: ""]  // refused half way: nothing is loaded
    #expect(throws: TMError.self) { try store.bulkLoad(units, languages: [.az, .ru, .en]) }
    #expect(try store.count() == 0)
    units[400].texts = [.az: "Bakı"]
    let report = try store.bulkLoad(units + units.prefix(10), languages: [.az, .ru, .en])
    #expect(report.added == 500 && report.duplicates == 10)
    #expect(try store.count() == 500)
    // A second bulk load into a non-empty memory is refused; appends go on.
    #expect(throws: TMError.self) { try store.bulkLoad(units, languages: [.az, .ru, .en]) }
    #expect(try store.append([units[0], TranslationUnit(texts: [.az: "Gəncə", .ru: "Гянджа"])]).added == 1)
    let q = try store.lookup(LookupQuery(text: "Гянджа", language: .ru, concordance: false))
    #expect(q.matches.first?.kind == .exact)
    // Ids go on from the load (a duplicate may use up one: sequences have gaps).
    #expect((q.matches.first?.unit ?? 0) >= 500)
  }

  /// The load stages its tables beside the memory's and puts them in place
  /// at the end: a failed load leaves nothing behind, a killed one's staging
  /// tables are dropped by the next, two loads at once are refused, and the
  /// loaded tables have the indexes, constraints and sequence of the
  /// migrated ones, definitions included (so appends dedupe and lookups use
  /// the indexes: each section's GIN index on the keys, migration 004).
  @Test func bulkLoadStagesAndPutsInPlace() throws {
    let (store, url) = try TestDB.freshStore("stage")
    defer { TestDB.drop(store) }
    let iso = try Corpus.isoCodes()
    var units = Corpus.news(300, names: Corpus.countryNames(iso))
    func catalog() throws -> [String] {
      try store.run { c in
        let r = try c.exec("""
          SELECT 'index ' || indexname || ': ' || indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN ('tm_units', 'tm_entries', 'tm_words', 'tm_units_load', 'tm_entries_load', 'tm_words_load')
          UNION ALL SELECT 'constraint ' || conname || ' ' || convalidated FROM pg_constraint WHERE conrelid IN ('tm_units'::regclass, 'tm_entries'::regclass, 'tm_words'::regclass)
          UNION ALL SELECT 'table ' || tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'tm\\_%'
          UNION ALL SELECT 'sequence ' || coalesce(pg_get_serial_sequence('tm_units', 'id'), 'none')
          ORDER BY 1
          """)
        return (0..<r.rows).map { r.string($0, 0) ?? "" }
      }
    }
    let migrated = try catalog()
    // One GIN index on the keys per section (az, ru, en), each for its section only.
    #expect(migrated.filter { $0.contains("USING gin (keys) WHERE (section = ") }.count == 3, "\(migrated)")
    // What a killed load leaves: staging tables, half full.
    try store.run { c in
      try c.exec("CREATE TABLE tm_units_load (id bigint)")
      try c.exec("CREATE TABLE tm_entries_load (unit_id bigint)")
      try c.exec("INSERT INTO tm_units_load VALUES (1), (2)")
    }
    // Refused half way (an empty text in unit 250): nothing left behind.
    units[250].texts = [.ru: ""]
    #expect(throws: TMError.self) { try store.bulkLoad(units, languages: [.az, .ru, .en]) }
    #expect(try store.count() == 0)
    #expect(try catalog() == migrated)
    units[250].texts = [.ru: "Гянджа", .az: "Gəncə"]
    // Another load holds the memory's load lock: this one waits for it.
    let other = try PGConnection(conninfo: url)
    try other.exec("SELECT pg_advisory_lock(hashtext('tm first load ' || current_schema()))")
    let loaded = Mutex<Result<PostgresStore.LoadReport, any Error>?>(nil)
    let toLoad = units
    let loader = Thread {
      let r = Result { try store.bulkLoad(toLoad, languages: [.az, .ru, .en]) }
      loaded.withLock { $0 = r }
    }
    loader.start()
    Thread.sleep(forTimeInterval: 1.5)
    #expect(loaded.withLock { $0 == nil })
    #expect(try store.count() == 0)
    try other.exec("SELECT pg_advisory_unlock(hashtext('tm first load ' || current_schema()))")
    var report: PostgresStore.LoadReport?
    for _ in 0..<600 {
      if let r = loaded.withLock({ $0 }) {
        report = try r.get()
        break
      }
      Thread.sleep(forTimeInterval: 0.1)
    }
    #expect(report?.added == 300)
    // The same objects as migrated, the foreign key not validated (every
    // entry came from a unit of the load).
    #expect(try catalog() == migrated.map { $0 == "constraint tm_entries_unit_id_fkey true" ? "constraint tm_entries_unit_id_fkey false" : $0 })
    #expect(try store.append([units[7]]) == AppendResult(added: 0, duplicates: 1))
    #expect(try store.append([TranslationUnit(texts: [.az: "Şəki", .ru: "Шеки"])]).added == 1)
    #expect(try store.count() == 301)
    let q = try store.lookup(LookupQuery(text: units[42].texts[.ru] ?? "", language: .ru, concordance: false))
    #expect(q.matches.first?.kind == .exact)
    #expect(q.matches.first?.source == units[42].texts[.ru])
  }

  /// The posting key written inline is FNV-1a over the two length bytes, as
  /// every database loaded so far stores it.
  @Test func postingKeyIsFNVOverTheLength() {
    for s in 0..<3 {
      for token in ["bakı", "москва", "%s", "2026"] {
        let h = EntryKeys.tokenHash(s, token)
        for length in [0, 1, 7, 255, 256, 1000, 65535, 70000] {
          let l = UInt16(clamping: length)
          let m = fnv1a64([UInt8(l & 0xFF), UInt8(l >> 8)], seed: h)
          #expect(EntryKeys.postingKey(h, length: length) == Int32(truncatingIfNeeded: m ^ (m >> 32)))
        }
      }
    }
  }

  @Test func passwordsNeverInTheAddress() throws {
    #expect(throws: TMError.self) { try PostgresStore(url: "postgres://tm:secret@127.0.0.1/tm", migrate: false) }
    #expect(throws: TMError.self) { try PostgresStore(url: "host=127.0.0.1 password=secret", migrate: false) }
    #expect(throws: Never.self) { try PostgresStore(url: "postgres://tm@127.0.0.1:1/tm", migrate: false) }
  }

  /// The same queries on the TSV memory and on the database holding the
  /// same units give the same matches: kind, score, unit, source,
  /// translations, differences, in the same order.
  @Test func sameMatchesAsTheTSVMemory() throws {
    let (store, _) = try TestDB.freshStore("parity")
    defer { TestDB.drop(store) }
    let dir = try PostgresStoreTests.tempDir()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let iso = try Corpus.isoCodes()
    let path = dir + "/az-ru.tsv"
    _ = try MemoryFile.append(iso.units + Corpus.news(2500, names: Corpus.countryNames(iso)), to: path)
    let table = try MemoryFile.open(path: path)
    // Half by COPY, half by appends: both paths must store the same keys.
    let half = table.count / 2
    _ = try store.bulkLoad(Array(table.prefix(half)), languages: table.languages)
    for start in stride(from: half, to: table.count, by: 400) {
      _ = try store.append(Array(table[start..<min(start + 400, table.count)]))
    }
    let (indexes, _, _) = try LookupIndex.open(memoryPath: path, persist: false)
    let matcher = Matcher(indexes: indexes)
    var rng = SeededRandom(seed: 12)
    var compared = 0, withMatches = 0, fuzzy = 0, short = 0
    let keys = LookupKeys()
    for _ in 0..<500 {
      let u = table[rng.below(table.count)]
      let langs = u.texts.keys.sorted { $0.rawValue < $1.rawValue }
      let lang = langs[rng.below(langs.count)]
      let text = Corpus.perturb(u.texts[lang] ?? "", &rng)
      guard (try? Matcher.validate(text)) != nil else { continue }
      let q = LookupQuery(text: text, language: lang, limit: 5, minScore: [50, 70, 90][rng.below(3)], concordance: false)
      let a = try matcher.lookup(q)
      let b = try store.lookup(q)
      compared += 1
      if !a.matches.isEmpty { withMatches += 1 }
      if a.matches.contains(where: { $0.kind == .fuzzy }) { fuzzy += 1 }
      #expect(a.matches.count == b.matches.count, "\(lang): \(text)")
      for (x, y) in zip(a.matches, b.matches) {
        #expect(x.kind == y.kind && x.score == y.score && x.unit == y.unit, "\(lang): \(text)")
        #expect(x.source == y.source && x.targets == y.targets && x.differences == y.differences, "\(lang): \(text)")
      }
      // Queries of at most 3 tokens also take segments holding a word spelt
      // like theirs (Matcher's similarWordEntries): the database finds them
      // through tm_words.
      if keys.tokens(ofKey: keys.key(text.nfc, language: lang), language: lang).count <= Matcher.similarWordQueryLength {
        short += 1
      }
    }
    #expect(compared > 480)
    #expect(withMatches > 250 && fuzzy > 50 && short > 20, "short \(short)")
  }

  /// A short query's similar-word candidates on a memory made for their
  /// edge cases: the Azerbaijani case forms of `Ermənistan` give more than 8
  /// similar words with ties; the most similar (`Ermənistana`) occurs only in
  /// a long sentence (so it has no short segment, yet takes one of the 8
  /// places); `Ermənistanla` has more than 200 short segments, the shortest
  /// stored last. Stored by the first load and by appends, then with the
  /// vocabulary rebuilt by the backfill of migration 003: the TSV memory's
  /// matches every time.
  @Test func similarWordsOfShortQueries() throws {
    let (store, _) = try TestDB.freshStore("similar")
    defer { TestDB.drop(store) }
    let dir = try PostgresStoreTests.tempDir()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var units: [TranslationUnit] = [
      TranslationUnit(texts: [
        .az: "Prezident bildirib ki, Ermənistana qarşı iddialar beynəlxalq məhkəmədə baxılacaq.",
        .ru: "Президент заявил, что иски против Армении рассмотрит международный суд.",
      ]),
      TranslationUnit(texts: [.az: "Ermənistanın paytaxtı", .ru: "Столица Армении"]),
      TranslationUnit(texts: [.az: "Ermənistanda", .ru: "В Армении"]),
      TranslationUnit(texts: [.az: "Ermənistandan gələn", .ru: "Прибывший из Армении"]),
      TranslationUnit(texts: [.az: "Ermənistanı tanıyan ölkələr", .ru: "Страны, признающие Армению"]),
      TranslationUnit(texts: [.az: "Ermənistanlı", .ru: "Житель Армении"]),
      TranslationUnit(texts: [.az: "Ermənistanlılar", .ru: "Жители Армении"]),
      TranslationUnit(texts: [.az: "Ermənistandakı seçkilər", .ru: "Выборы в Армении"]),
      TranslationUnit(texts: [.az: "Ermənistansız", .ru: "Без Армении"]),
      TranslationUnit(texts: [.az: "Ermənistanadək yol", .ru: "Дорога до Армении"]),
      TranslationUnit(texts: [.az: "Ermənistan", .ru: "Армения"]),
    ]
    for n in 0..<230 {
      units.append(TranslationUnit(texts: [.az: "Ermənistanla sərhəd \(n + 1)", .ru: "Граница с Арменией \(n + 1)"]))
    }
    // Better candidates than the next one, which holds the 9th similar word
    // (`Ermənistanadək`): a lookup's in-memory index without `Ermənistana`
    // would take that word among its 8 and wrongly add the segment back.
    for n in 0..<45 { units.append(TranslationUnit(texts: [.az: "Ermənistan \(n + 1)", .ru: "Армения \(n + 1)"])) }
    units.append(TranslationUnit(texts: [.az: "Ermənistan, Ermənistanadək yol", .ru: "Армения, дорога до Армении"]))
    units.append(TranslationUnit(texts: [.az: "Ermənistanla", .ru: "С Арменией"]))
    units.append(TranslationUnit(texts: [.az: "Ermənistanla sərhəddə", .ru: "На границе с Арменией"]))
    let path = dir + "/az-ru.tsv"
    _ = try MemoryFile.append(units, to: path)
    let table = try MemoryFile.open(path: path)
    _ = try store.bulkLoad(Array(table.prefix(120)), languages: table.languages)
    _ = try store.append(Array(table[120..<table.count]))
    let (indexes, _, _) = try LookupIndex.open(memoryPath: path, persist: false)
    let matcher = Matcher(indexes: indexes)
    let queries: [(String, Language)] = [
      ("Ermənistan", .az), ("yol Ermənistan", .az), ("Ermənistanla", .az), ("Ermənistandan gəlmiş", .az), ("Армении", .ru), ("с Арменией", .ru),
    ]
    func compare() throws {
      for (text, lang) in queries {
        for (limit, minScore) in [(5, 50.0), (50, 50), (100, 30)] {
          for concordance in [false, true] {
            let q = LookupQuery(text: text, language: lang, limit: limit, minScore: minScore, concordance: concordance ? nil : false)
            let a = try matcher.lookup(q)
            let b = try store.lookup(q)
            #expect(a.matches.count == b.matches.count, "\(text) \(limit)")
            for (x, y) in zip(a.matches, b.matches) {
              #expect(x.kind == y.kind && x.score == y.score && x.unit == y.unit && x.source == y.source, "\(text) \(limit)")
              #expect(x.targets == y.targets && x.differences == y.differences, "\(text) \(limit)")
            }
          }
        }
      }
    }
    try compare()
    // The query `Ermənistan` finds units only through similar words (its
    // own word is in one unit), and more than 8 words are similar to it.
    let q = LookupQuery(text: "Ermənistan", language: .az, limit: 50, minScore: 50, concordance: false)
    #expect(try matcher.lookup(q).matches.count > 5)
    let similar = try store.run { try PostgresStore.similarUnits($0, q, analysisFloor: nil) }
    #expect(similar.count > 200 && similar.contains(1))
    let words = try store.run { try $0.exec("SELECT count(*) FROM tm_words WHERE section = 0 AND word LIKE 'ermənistan%'") }
    #expect((words.int(0, 0) ?? 0) > 9)
    // A memory stored before migration 003: its words come from the backfill.
    let before = try store.run { try $0.exec("SELECT md5(string_agg(section || ' ' || word || ' ' || nbytes || ' ' || mask || ' ' || unit_id, ',' ORDER BY section, word)) FROM tm_words") }
    try store.run { c in
      try c.exec("DELETE FROM tm_words")
      try PostgresMigrations.backfillWords(c)
    }
    let after = try store.run { try $0.exec("SELECT md5(string_agg(section || ' ' || word || ' ' || nbytes || ' ' || mask || ' ' || unit_id, ',' ORDER BY section, word)) FROM tm_words") }
    #expect(before.string(0, 0) == after.string(0, 0))
    try compare()
  }

  /// The staged retrieval (a ranking cut at 160 candidates, then lower
  /// thresholds or no limit) ends in the same matches as the single wide
  /// query and as the TSV memory, on a memory where hundreds of units share
  /// a template, so the rankings are cut and the ties at the pool's floor
  /// are many.
  @Test func stagesGiveTheWideQuerysMatches() throws {
    let (store, _) = try TestDB.freshStore("stages")
    defer { TestDB.drop(store) }
    let dir = try PostgresStoreTests.tempDir()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let iso = try Corpus.isoCodes()
    let path = dir + "/az-ru.tsv"
    let news = Corpus.news(1500, names: Corpus.countryNames(iso), seed: 7)
    _ = try MemoryFile.append(news, to: path)
    let table = try MemoryFile.open(path: path)
    _ = try store.bulkLoad(table, languages: table.languages)
    let (indexes, _, _) = try LookupIndex.open(memoryPath: path, persist: false)
    let matcher = Matcher(indexes: indexes)
    var rng = SeededRandom(seed: 99)
    var cut = 0, multi = 0
    for i in 0..<60 {
      let u = table[rng.below(table.count)]
      let lang: Language = [.en, .az, .ru][i % 3]
      let text = Corpus.perturb(u.texts[lang] ?? "", &rng)
      guard (try? Matcher.validate(text)) != nil else { continue }
      let q = LookupQuery(text: text, language: lang, limit: 5, minScore: [50, 70][i % 2], concordance: false)
      var stats = PostgresStore.StageStats()
      let staged = try store.run { c in
        try PostgresStore.stagedLookup(c, q, analysisFloor: nil, name: store.name, trace: false, stats: &stats)
      }
      let wide = try store.run { try PostgresStore.lookup($0, q, analysisFloor: nil, name: store.name, staged: false) }
      let tsv = try matcher.lookup(q)
      if stats.cut { cut += 1 }
      if stats.stages > 1 { multi += 1 }
      let s = try #require(staged, "\(lang): \(text)")
      for other in [wide, tsv] {
        #expect(s.matches.count == other.matches.count, "\(lang): \(text)")
        for (x, y) in zip(s.matches, other.matches) {
          #expect(x.kind == y.kind && x.score == y.score && x.unit == y.unit && x.source == y.source, "\(lang): \(text)")
          #expect(x.targets == y.targets && x.differences == y.differences, "\(lang): \(text)")
        }
      }
    }
    // The memory makes the stages do their work: rankings cut, and more
    // than one stage for many queries.
    #expect(cut > 0 && multi > 10, "cut \(cut), several stages \(multi)")
  }

  /// Many writers on separate pools (as separate servers would be): exactly
  /// the distinct units end up stored, none twice.
  @Test func concurrentAppendsLoseNothingAndDuplicateNothing() throws {
    let (store, url) = try TestDB.freshStore("concurrent")
    defer { TestDB.drop(store) }
    let stores = try (0..<4).map { _ in try PostgresStore(url: url, connections: 4) }
    let iso = try Corpus.isoCodes()
    let units = Corpus.news(4000, names: Corpus.countryNames(iso), seed: 99)
    // 16 writers, 500 units each in batches of 50; writers 8–15 repeat the
    // units of writers 0–7, so every unit is raced by two writers.
    let errors = ErrorBox()
    DispatchQueue.concurrentPerform(iterations: 16) { w in
      let mine = Array(units[((w % 8) * 500)..<((w % 8) * 500 + 500)])
      for b in stride(from: 0, to: 500, by: 50) {
        do { _ = try stores[w % 4].append(Array(mine[b..<(b + 50)])) } catch { errors.add("\(error)") }
      }
    }
    #expect(errors.all.isEmpty)
    #expect(try store.count() == 4000)
    let dup = try store.run { try $0.exec("SELECT count(*) FROM (SELECT text_hash FROM tm_units GROUP BY 1 HAVING count(*) > 1) d") }
    #expect(dup.int(0, 0) == 0)
    let entries = try store.run { try $0.exec("SELECT count(*) FROM tm_entries") }
    #expect(entries.int(0, 0) == 4000 * 3)
  }
}

final class ErrorBox: @unchecked Sendable {
  private let lock = NSLock()
  private var list: [String] = []
  func add(_ s: String) { lock.withLock { list.append(s) } }
  var all: [String] { lock.withLock { list } }
}
