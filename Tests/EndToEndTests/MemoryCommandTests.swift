import Foundation
import TMKit
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Starts a built binary without waiting for it (for concurrency and kill tests).
func spawn(_ program: String, _ args: [String], cwd: URL? = nil, env: [String: String] = [:]) throws -> Process {
  let p = Process()
  var environment = ProcessInfo.processInfo.environment
  for (k, v) in env { environment[k] = v }
  p.environment = environment
  p.executableURL = Run.binDir.appendingPathComponent(program)
  p.arguments = args
  if let cwd { p.currentDirectoryURL = cwd }
  p.standardOutput = FileHandle.nullDevice
  p.standardError = FileHandle.nullDevice
  p.standardInput = FileHandle.nullDevice
  try p.run()
  return p
}

func fileBytes(_ u: URL) -> [UInt8] { (FileManager.default.contents(atPath: u.path)).map { [UInt8]($0) } ?? [] }

/// `n` distinct az–ru sentence pairs, numbered, as two-column TSV.
func pairsTSV(_ tag: String, _ n: Int, score: Bool = false) -> String {
  var s = ""
  s.reserveCapacity(n * 120)
  for i in 0..<n {
    s += "Prof. Əliyev \(tag)-\(i) saylı qərarı 1918-ci ildə imzaladı.\tПроф. Алиев подписал решение № \(tag)-\(i) в 1918 г."
    s += score ? "\t0.\(i % 10)\n" : "\n"
  }
  return s
}

@Suite struct MemoryCommandTests {
  @Test func addThenStats() throws {
    let dir = try Run.tempDir()
    let r = try Run("tm", ["add", "Bakı şəhəri", "Город Баку", "--from", "az", "--to", "ru", "--memories", "M"], cwd: dir)
    #expect(r.status == 0)
    #expect(r.stdout.contains("M/az-ru.tsv"))
    let again = try Run("tm", ["add", "Bakı şəhəri", "Город Баку", "--from", "az", "--to", "ru"], cwd: dir, env: ["TM_MEMORIES": dir.path + "/M"])
    #expect(again.status == 0)
    #expect(again.stdout.contains("nothing added"))
    let s = try Run("tm", ["stats", "--memories", "M"], cwd: dir)
    #expect(s.status == 0)
    #expect(s.stdout.contains("units       1"))
    #expect(s.stdout.contains("  az–ru       1\n"))
    let text = String(decoding: fileBytes(dir.appendingPathComponent("M/az-ru.tsv")), as: UTF8.self)
    #expect(text.hasPrefix("az\tru\torigin\tcreated\tscore\nBakı şəhəri\tГород Баку\tadd\t"))
  }

  @Test func eightConcurrentImportersEndWithExactly8000Units() throws {
    let dir = try Run.tempDir()
    var procs: [Process] = []
    for k in 0..<8 {
      let f = dir.appendingPathComponent("in\(k).tsv")
      try Data(pairsTSV("w\(k)", 1000).utf8).write(to: f)
    }
    for k in 0..<8 {
      procs.append(try spawn("tm", ["import", "in\(k).tsv", "--from", "az", "--to", "ru", "--memory", "M/az-ru.tsv"], cwd: dir))
    }
    for p in procs { p.waitUntilExit() }
    #expect(procs.allSatisfy { $0.terminationStatus == 0 })
    let m = try MemoryFile.load(path: dir.path + "/M/az-ru.tsv")
    #expect(m.units.count == 8000)
    #expect(Set(m.units.map { $0.texts[.az] ?? "" }).count == 8000)
  }

  @Test func aWriterKilledMidwayLeavesTheOldOrTheNewMemory() throws {
    let dir = try Run.tempDir()
    let mem = dir.appendingPathComponent("M/az-ru.tsv")
    try Data(pairsTSV("old", 1000).utf8).write(to: dir.appendingPathComponent("old.tsv"))
    try Data(pairsTSV("big", 100_000, score: true).utf8).write(to: dir.appendingPathComponent("big.tsv"))
    let first = try Run("tm", ["import", "old.tsv", "--from", "az", "--to", "ru", "--memory", mem.path], cwd: dir)
    #expect(first.status == 0)
    let before = fileBytes(mem)
    // Killed while the new file is half written (the writer pauses there).
    let p = try spawn(
      "tm", ["import", "big.tsv", "--from", "az", "--to", "ru", "--memory", mem.path], cwd: dir,
      env: ["TM_CRASH_TEST_PAUSE_MS": "20000"])
    var sawTemporary = false
    for _ in 0..<3000 {
      let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path + "/M")) ?? []
      if names.contains(where: { $0.contains(".tmp-") }) {
        sawTemporary = true
        break
      }
      usleep(10_000)
    }
    usleep(100_000)
    kill(p.processIdentifier, SIGKILL)
    p.waitUntilExit()
    #expect(sawTemporary)
    let m = try MemoryFile.load(path: mem.path)
    #expect(m.units.count == 1000)
    #expect(fileBytes(mem) == before)
    var outcomes: [Int] = []
    for delay in [30_000, 400_000, 1_500_000, 2_800_000] {
      let p = try spawn("tm", ["import", "big.tsv", "--from", "az", "--to", "ru", "--memory", mem.path], cwd: dir)
      usleep(useconds_t(delay))
      kill(p.processIdentifier, SIGKILL)
      p.waitUntilExit()
      let m = try MemoryFile.load(path: mem.path)  // loads cleanly
      #expect(m.units.count == 1000 || m.units.count == 101_000)
      if m.units.count == 1000 { #expect(fileBytes(mem) == before) }
      outcomes.append(m.units.count)
      print("kill after \(delay / 1000) ms: \(m.units.count) units")
      if m.units.count != 1000 { break }
    }
    // A later writer cleans up and works.
    let after = try Run("tm", ["add", "Su", "Вода", "--from", "az", "--to", "ru", "--memory", mem.path], cwd: dir)
    #expect(after.status == 0)
    #expect(try MemoryFile.load(path: mem.path).units.count == (outcomes.last ?? 1000) + 1)
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/M").filter { $0.contains(".tmp-") }
    #expect(leftovers.isEmpty)
  }

  /// Every bad input: exit 2, a message naming file and line, memory unchanged.
  @Test func badInputsLeaveTheMemoryExactlyAsItWas() throws {
    let dir = try Run.tempDir()
    let mem = dir.appendingPathComponent("az-ru.tsv")
    try Data(pairsTSV("keep", 3).utf8).write(to: dir.appendingPathComponent("seed.tsv"))
    #expect(try Run("tm", ["import", "seed.tsv", "--from", "az", "--to", "ru", "--memory", mem.path], cwd: dir).status == 0)
    let before = fileBytes(mem)
    let tmxHead = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tmx version=\"1.4\">\n<header srclang=\"az\" datatype=\"plaintext\"/>\n<body>\n"
    let cases: [(String, String, String)] = [
      ("truncated.tmx", tmxHead + "<tu><tuv xml:lang=\"az\"><seg>Salam</seg></tuv>\n<tuv xml:lang=\"ru\"><seg>Прив", "truncated.tmx:6:"),
      ("entity.tmx", tmxHead + "<tu><tuv xml:lang=\"az\"><seg>Salam&nbsp;dünya</seg></tuv><tuv xml:lang=\"ru\"><seg>Привет</seg></tuv></tu>\n</body></tmx>\n", "entity.tmx:5:"),
      ("quote.po", "msgid \"\"\nmsgstr \"Language: ru\\n\"\n\nmsgid \"Hello\"\nmsgstr \"Привет\n", "quote.po:5:"),
      ("ragged.tsv", "Salam\tПривет\nBir\tiki\tüç\tдва\n", "ragged.tsv:2:"),
      ("unknown.tsv", "az\tde\torigin\nSalam\tHallo\tx\n", "unknown.tsv:1:"),
      ("ragged-memory.tsv", "az\tru\torigin\tcreated\tscore\nSalam\tПривет\t\t\t\nSu\tВода\t\t\n", "ragged-memory.tsv:3:"),
    ]
    for (name, content, expected) in cases {
      try Data(content.utf8).write(to: dir.appendingPathComponent(name))
      let r = try Run("tm", ["import", name, "--from", "az", "--to", "ru", "--memory", mem.path], cwd: dir)
      #expect(r.status == 2, "\(name)")
      #expect(r.stderr.contains(expected), "\(name): \(r.stderr)")
      #expect(r.stdout.isEmpty, "\(name)")
      #expect(fileBytes(mem) == before, "\(name) changed the memory")
    }
    // A binary file passed as a memory.
    let bin = dir.appendingPathComponent("binary.tsv")
    var junk: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0]
    var rng = SystemRandomNumberGenerator()
    for _ in 0..<4000 { junk.append(UInt8.random(in: 0...255, using: &rng)) }
    try Data(junk).write(to: bin)
    for args in [["add", "Su", "Вода", "--from", "az", "--to", "ru", "--memory", bin.path], ["stats", "--memory", bin.path],
      ["export", "--memory", bin.path, "--format", "tmx"]] {
      let r = try Run("tm", args, cwd: dir)
      #expect(r.status == 2)
      #expect(r.stderr.contains("binary.tsv:1:"), "\(args[0]): \(r.stderr)")
      #expect(fileBytes(bin) == junk)
    }
    // A binary file passed as an input.
    let r = try Run("tm", ["import", bin.path, "--from", "az", "--to", "ru", "--memory", mem.path], cwd: dir)
    #expect(r.status == 2)
    #expect(r.stderr.contains("binary"))
    #expect(fileBytes(mem) == before)
  }

  @Test func poAndTMXImportAndTMXExportGolden() throws {
    let dir = try Run.tempDir()
    let po = """
      msgid ""
      msgstr ""
      "Language: az\\n"
      "Content-Type: text/plain; charset=UTF-8\\n"

      msgid "Open «%s»"
      msgstr "«%s» faylını aç"

      #, fuzzy
      msgid "Close"
      msgstr "Bağla"

      msgid "Tab\\there & <there>"
      msgstr "Tab\\tburada & <orada>"

      """
    try Data(po.utf8).write(to: dir.appendingPathComponent("az.po"))
    let env = ["SOURCE_DATE_EPOCH": "1764100000"]
    let imp = try Run("tm", ["import", "az.po", "--memories", "M"], cwd: dir, env: env)
    #expect(imp.status == 0, "\(imp.stderr)")
    #expect(imp.stdout.contains("added 2 units to M/az-en.tsv"))
    #expect(imp.stderr.contains("skipped 1 fuzzy"))
    let exp = try Run("tm", ["export", "--memories", "M", "--format", "tmx", "--from", "en", "--to", "az"], cwd: dir)
    #expect(exp.status == 0)
    #expect(exp.stdout == (try Run.golden("export-az-en.tmx")))
    // Import the export into a fresh memory: the same file again.
    try Data(exp.stdout.utf8).write(to: dir.appendingPathComponent("x.tmx"))
    let back = try Run("tm", ["import", "x.tmx", "--memory", "N/az-en.tsv"], cwd: dir)
    #expect(back.status == 0)
    #expect(fileBytes(dir.appendingPathComponent("N/az-en.tsv")) == fileBytes(dir.appendingPathComponent("M/az-en.tsv")))
  }

  @Test func statsGolden() throws {
    let dir = try Run.tempDir()
    let mem = dir.appendingPathComponent("M/news.tsv")
    try FileManager.default.createDirectory(at: mem.deletingLastPathComponent(), withIntermediateDirectories: true)
    let text = """
      az\tru\ten\torigin\tcreated\tscore
      Bakı\tБаку\tBaku\tmo:iso_3166-1.mo\t2023-04-27T21:30:13Z\t
      Prof. Əliyev 1918-ci ildə doğulub.\tПроф. Алиев родился в 1918 г.\t\talign:a.az.txt#1|a.ru.txt#1\t2026-11-25T20:09:04Z\t0.91
      İxrac 1 000,5 mln manat olub.\tЭкспорт составил 1 000,5 млн манатов.\t\talign:a.az.txt#2|a.ru.txt#2\t2026-11-25T20:09:05Z\t0.78
      Bakı\tБаку\tBaku\tadd\t2026-11-25T20:10:00Z\t
      \t«Известия»\t“Izvestia”\tadd\t2026-11-25T20:11:00Z\t

      """
    try Data(text.utf8).write(to: mem)
    try FileManager.default.setAttributes(
      [.modificationDate: Date(timeIntervalSince1970: 1_764_100_000)], ofItemAtPath: mem.path)
    let r = try Run("tm", ["stats", "--memories", "M"], cwd: dir)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout == (try Run.golden("stats-news.txt")))
  }
}
