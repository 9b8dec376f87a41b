import Foundation
import Testing

/// `tm lookup` run as a user runs it, on memories written to a temp folder.
@Suite
struct LookupEndToEndTests {
  static let header = "az\taz-Cyrl\tru\ten\torigin\tcreated\tscore\n"
  static let rows = [
    "Azərbaycan Respublikasının Prezidenti İlham Əliyev Bakıda xarici qonaqları qəbul edib.\t\tПрезидент Азербайджанской Республики Ильхам Алиев принял в Баку иностранных гостей.\tPresident of the Republic of Azerbaijan Ilham Aliyev received foreign guests in Baku.\tadd\t2026-11-25T20:00:00Z\t",
    "1918-ci ildə Azərbaycan Xalq Cümhuriyyəti yaradıldı.\t\tВ 1918 году была создана Азербайджанская Демократическая Республика.\tThe Azerbaijan Democratic Republic was founded in 1918.\tadd\t2026-11-25T20:00:00Z\t",
    "Bu il 70.000 ton pambıq yığılıb.\t\tВ этом году собрано 70 000 тонн хлопка.\tThis year 70,000 tons of cotton were harvested.\tadd\t2026-11-25T20:00:00Z\t",
    "\t\tОмбудсмен Сабина Алиева заявила, что права детей защищены.\tOmbudsman Sabina Aliyeva said that children's rights are protected.\tadd\t2026-11-25T20:00:00Z\t",
    "\tМилли Мәҹлисин иҹласы сабаһ кечириләҹәк.\tЗаседание Милли Меджлиса состоится завтра.\t\tadd\t2026-11-25T20:00:00Z\t",
    "\t\tДелегация встретилась с министром иностранных дел в понедельник.\tThe delegation met the Minister of Foreign Affairs on Monday.\tadd\t2026-11-25T20:00:00Z\t",
    "\t\tСтатья 5.\\tПрава ребёнка\\nохраняются законом.\tArticle 5.\\tRights of the child\\nare protected by law.\tadd\t2026-11-25T20:00:00Z\t",
  ]

  /// A folder with `news.tsv`.
  static func memories() throws -> URL {
    let dir = try Run.tempDir()
    try (header + rows.joined(separator: "\n") + "\n").write(
      to: dir.appendingPathComponent("news.tsv"), atomically: true, encoding: .utf8)
    return dir
  }

  func lookup(_ dir: URL, _ args: [String], stdin: String? = nil) throws -> Run {
    try Run("tm", ["lookup", "--memories", dir.path] + args, stdin: stdin, cwd: dir)
  }

  @Test func exitCodes() throws {
    let dir = try Self.memories()
    defer { try? FileManager.default.removeItem(at: dir) }
    let hit = try lookup(dir, ["Bu il 70.000 ton pambıq yığılıb."])
    #expect(hit.status == 0)
    #expect(hit.stdout.contains("100% exact"))
    #expect(hit.stderr.contains("query language: az"))
    let miss = try lookup(dir, ["--from", "en", "Nothing in this memory resembles this sentence at all."])
    #expect(miss.status == 1)
    #expect(miss.stdout.isEmpty)
    let missing = try Run("tm", ["lookup", "--memory", dir.appendingPathComponent("none.tsv").path, "salam"])
    #expect(missing.status == 2)
    #expect(missing.stderr.contains("none.tsv"))
  }

  /// A Cyrillic az query with no --from, against a memory that has az only
  /// in Latin script, is read as az-Cyrl (not as Latin az, which found only
  /// a concordance hit) and matches across scripts.
  @Test func cyrillicAzQueryAgainstALatinOnlyMemory() throws {
    let dir = try Run.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    try "az\ten\nRusiya Federasiyası\tRussian Federation\n".write(
      to: dir.appendingPathComponent("names.tsv"), atomically: true, encoding: .utf8)
    let r = try lookup(dir, ["Русија Федерасијасы"])
    #expect(r.status == 0)
    #expect(r.stderr.contains("query language: az-Cyrl"))
    #expect(r.stdout.contains("99% near-exact (script)"))
    #expect(r.stdout.contains("Russian Federation"))
  }

  @Test func badQueriesAreExit2WithAMessage() throws {
    let dir = try Self.memories()
    defer { try? FileManager.default.removeItem(at: dir) }
    let empty = try lookup(dir, [""])
    #expect(empty.status == 2)
    #expect(empty.stderr.contains("empty"))
    let control = try lookup(dir, ["Bu il\u{07} 70.000 ton"])
    #expect(control.status == 2)
    #expect(control.stderr.contains("U+0007"))
    let long = try lookup(dir, [Array(repeating: "söz", count: 10_000).joined(separator: " ")])
    #expect(long.status == 2)
    #expect(long.stderr.contains("10000 words"))
    let none = try lookup(dir, [])
    #expect(none.status == 2)
  }

  @Test func malformedMemoryIsExit2NamingTheFile() throws {
    let dir = try Run.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    try "xx\tyy\nfoo\tbar\n".write(to: dir.appendingPathComponent("bad.tsv"), atomically: true, encoding: .utf8)
    let r = try lookup(dir, ["foo bar baz"])
    #expect(r.status == 2)
    #expect(r.stderr.contains("bad.tsv"))
  }

  @Test func jsonlFields() throws {
    let dir = try Self.memories()
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try lookup(dir, ["--format", "jsonl", "--to", "ru", "Bu il 85.500 ton pambıq yığılıb."])
    #expect(r.status == 0)
    let lines = r.stdout.split(separator: "\n")
    #expect(lines.count == 1)
    let o = try #require(
      try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
    #expect(o["query"] as? String == "Bu il 85.500 ton pambıq yığılıb.")
    #expect(o["kind"] as? String == "near-exact")
    #expect(o["score"] as? Int == 98)
    #expect(o["source"] as? String == "Bu il 70.000 ton pambıq yığılıb.")
    #expect(o["target"] as? String == "В этом году собрано 70 000 тонн хлопка.")
    #expect(o["substituted"] as? String == "В этом году собрано 85 500 тонн хлопка.")
    #expect(o["source_lang"] as? String == "az")
    #expect(o["target_lang"] as? String == "ru")
    #expect((o["memory"] as? String)?.hasSuffix("news.tsv") == true)
    #expect(o["differences"] as? [String] == ["numbers"])
  }

  @Test func textFormatGolden() throws {
    let dir = try Self.memories()
    defer { try? FileManager.default.removeItem(at: dir) }
    var out = ""
    for q in [
      ["1919-cu ildə Azərbaycan Xalq Cümhuriyyəti yaradıldı."],
      ["--from", "en", "The delegation met the Minister of Defence on Monday."],
      ["Aliyeva"],
      ["Milli Məclisin iclası sabah keçiriləcək."],
    ] {
      let r = try lookup(dir, q)
      #expect(r.status == 0)
      out += "$ tm lookup " + q.joined(separator: " ") + "\n" + r.stdout
    }
    let golden = (try? Run.golden("lookup-text.txt")) ?? ""
    if out != golden {
      try out.write(toFile: NSTemporaryDirectory() + "lookup-text.actual.txt", atomically: true, encoding: .utf8)
    }
    #expect(out == golden, "actual output written to $TMPDIR/lookup-text.actual.txt")
  }

  @Test func batchPrintsAnalysis() throws {
    let dir = try Self.memories()
    defer { try? FileManager.default.removeItem(at: dir) }
    let queries = """
      Bu il 70.000 ton pambıq yığılıb.
      Bu il 85.000 ton pambıq yığılıb.
      Azərbaycan Respublikasının Prezidenti İlham Əliyev Bakıda qonaqları qəbul edib.
      Tamamilə başqa bir cümlə burada yazılıb.

      """
    try queries.write(to: dir.appendingPathComponent("q.txt"), atomically: true, encoding: .utf8)
    let r = try lookup(dir, ["--batch", dir.appendingPathComponent("q.txt").path])
    #expect(r.status == 0)
    #expect(r.stdout.contains("#1 Bu il 70.000"))
    #expect(r.stdout.contains("no match"))
    let lines = r.stdout.split(separator: "\n")
    let start = try #require(lines.firstIndex { $0.hasPrefix("Analysis") })
    let analysis = lines[(start + 1)...].map { $0.split(separator: " ").map(String.init) }
    #expect(analysis.count == 7)
    #expect(analysis[0] == ["100%", "1", "6"])
    #expect(analysis[1] == ["95-99%", "1", "6"])
    #expect(analysis[2] == ["85-94%", "1", "9"])
    #expect(analysis[5] == ["No", "match", "1", "6"])
    #expect(analysis[6] == ["Total", "4", "27"])
  }

  @Test func batchSegmentsADocument() throws {
    let dir = try Self.memories()
    defer { try? FileManager.default.removeItem(at: dir) }
    let doc = "Bu il 70.000 ton pambıq yığılıb. Milli Məclisin iclası sabah keçiriləcək.\n"
    try doc.write(to: dir.appendingPathComponent("doc.txt"), atomically: true, encoding: .utf8)
    let r = try lookup(dir, ["--batch", dir.appendingPathComponent("doc.txt").path, "--segment", "--format", "jsonl"])
    #expect(r.status == 0)
    let kinds = r.stdout.split(separator: "\n").filter { $0.contains("\"kind\":\"exact\"") }
    #expect(kinds.count >= 2)
    #expect(r.stdout.contains("\"analysis\""))
  }

  @Test func staleAndCorruptIndexesAreRebuilt() throws {
    let dir = try Self.memories()
    defer { try? FileManager.default.removeItem(at: dir) }
    let memory = dir.appendingPathComponent("news.tsv")
    #expect(try lookup(dir, ["--from", "en", "Press release for the summit."]).status == 1)
    #expect(FileManager.default.fileExists(atPath: memory.path + ".idx"))
    // The memory changes: the index must not be trusted.
    let added = "\t\tПресс-релиз саммита.\tPress release for the summit.\tadd\t2026-11-25T21:00:00Z\t\n"
    let h = try FileHandle(forWritingTo: memory)
    h.seekToEndOfFile()
    h.write(Data(added.utf8))
    try h.close()
    let r = try lookup(dir, ["--from", "en", "--format", "tsv", "Press release for the summit."])
    #expect(r.status == 0)
    #expect(r.stdout.contains("Пресс-релиз саммита."))
    // A corrupt index is rebuilt, not an error.
    try Data("garbage".utf8).write(to: URL(fileURLWithPath: memory.path + ".idx"))
    #expect(try lookup(dir, ["--from", "en", "Press release for the summit."]).status == 0)
    try Data(repeating: 0x41, count: 100_000).write(to: URL(fileURLWithPath: memory.path + ".idx"))
    #expect(try lookup(dir, ["--from", "en", "Press release for the summit."]).status == 0)
  }

  @Test func tabsAndNewlinesInSegmentsInTSVOutput() throws {
    let dir = try Self.memories()
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try lookup(dir, ["--format", "tsv", "--to", "en", "Статья 5. Права ребёнка охраняются законом."])
    #expect(r.status == 0)
    let fields = r.stdout.split(separator: "\n")[0].split(separator: "\t", omittingEmptySubsequences: false)
    #expect(fields.count == 10)
    #expect(fields[1] == "near-exact")
    #expect(fields[6] == "Article 5.\\tRights of the child\\nare protected by law.")
  }
}

@Suite
struct LookupIncrementalIndexTests {
  @Test func appendedUnitsGetADeltaIndexAndAreFound() throws {
    let dir = try LookupEndToEndTests.memories()
    defer { try? FileManager.default.removeItem(at: dir) }
    let memory = dir.appendingPathComponent("news.tsv")
    let first = try Run(
      "tm", ["lookup", "--memory", memory.path, "--from", "en", "The delegation met the Minister of Foreign Affairs on Monday."])
    #expect(first.status == 0)
    let idx = memory.path + ".idx"
    let before = try FileManager.default.attributesOfItem(atPath: idx)[.modificationDate] as? Date
    // Append two units the way `tm add` does (whole lines after the old bytes).
    let added =
      "\t\tПресс-релиз саммита.\tPress release for the summit.\tadd\t2026-11-25T21:00:00Z\t\n"
      + "\t\tДелегация прибыла в Баку 5 мая.\tThe delegation arrived in Baku on 5 May.\tadd\t2026-11-25T21:00:00Z\t\n"
    let h = try FileHandle(forWritingTo: memory)
    h.seekToEndOfFile()
    h.write(Data(added.utf8))
    try h.close()
    let r = try Run(
      "tm", ["lookup", "--memory", memory.path, "--from", "en", "--format", "jsonl", "The delegation arrived in Baku on 7 May."])
    #expect(r.status == 0)
    #expect(r.stdout.contains("\"substituted\":\"Делегация прибыла в Баку 7 мая.\""))
    #expect(r.stdout.contains("\"line\":10"))  // header + 7 units + 2 new: the second new one
    #expect(FileManager.default.fileExists(atPath: idx + ".delta"))
    let after = try FileManager.default.attributesOfItem(atPath: idx)[.modificationDate] as? Date
    #expect(before == after)  // the full index was kept
    // Old units are still found, and the delta is reused.
    let old = try Run("tm", ["lookup", "--memory", memory.path, "--from", "az", "Bu il 70.000 ton pambıq yığılıb."])
    #expect(old.status == 0)
    // An edit in the old part (not an append) rebuilds everything.
    var text = try String(contentsOf: memory, encoding: .utf8)
    text = text.replacingOccurrences(of: "Bu il 70.000 ton", with: "Bu il 80.000 ton")
    try text.write(to: memory, atomically: true, encoding: .utf8)
    let edited = try Run("tm", ["lookup", "--memory", memory.path, "--format", "tsv", "Bu il 80.000 ton pambıq yığılıb."])
    #expect(edited.status == 0)
    #expect(edited.stdout.contains("\texact\t"))
    #expect(!FileManager.default.fileExists(atPath: idx + ".delta"))
  }
}
