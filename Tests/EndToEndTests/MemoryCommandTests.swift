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

/// Waits up to 30 s for `condition`.
func waitFor(_ condition: () -> Bool) -> Bool {
  for _ in 0..<3000 {
    if condition() { return true }
    usleep(10_000)
  }
  return false
}

/// SplitMix64, for the kill tests' moments.
struct KillTestRandom {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// The memory loads; its units are exactly those of some batches (each
/// whole: `pairsTSV` lines of `<tag>.tsv`), including every acknowledged one.
func checkBatches(_ mem: URL, acknowledged: Set<String>, all: Set<String>, sizes dir: URL, extra: Int = 0) throws {
  let m = try MemoryFile.load(path: mem.path)
  var perTag: [String: Int] = [:]
  var strays = 0
  for u in m.units {
    let az = u.texts[.az] ?? ""
    // "Prof. Əliyev TAG-I saylı qərarı 1918-ci ildə imzaladı."
    guard az.hasPrefix("Prof. Əliyev "), az.hasSuffix(" saylı qərarı 1918-ci ildə imzaladı."),
      let dash = az.dropFirst(13).firstIndex(of: "-")
    else {
      strays += 1
      continue
    }
    let tag = String(az.dropFirst(13)[..<dash])
    let id = az.dropFirst(13)[az.dropFirst(13).index(after: dash)...].prefix { $0.isNumber }
    #expect(u.texts[.ru] == "Проф. Алиев подписал решение № \(tag)-\(id) в 1918 г.", "half a unit: \(az)")
    perTag[tag, default: 0] += 1
  }
  #expect(strays == extra)
  for tag in acknowledged { #expect(perTag[tag] != nil, "acknowledged batch \(tag) is missing") }
  for (tag, n) in perTag {
    #expect(all.contains(tag))
    let lines = String(decoding: fileBytes(dir.appendingPathComponent("\(tag).tsv")), as: UTF8.self)
      .split(separator: "\n").count
    #expect(n == lines, "batch \(tag): \(n) of \(lines) units")
  }
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

  /// An import larger than the memory is one atomic rewrite: killed while
  /// the temporary file is half written, the old memory is left byte for byte.
  @Test func aLargeImportKilledMidwayLeavesTheOldMemory() throws {
    let dir = try Run.tempDir()
    let mem = dir.appendingPathComponent("M/az-ru.tsv")
    try Data(pairsTSV("old", 1000).utf8).write(to: dir.appendingPathComponent("old.tsv"))
    try Data(pairsTSV("big", 20_000, score: true).utf8).write(to: dir.appendingPathComponent("big.tsv"))
    let first = try Run("tm", ["import", "old.tsv", "--from", "az", "--to", "ru", "--memory", mem.path], cwd: dir)
    #expect(first.status == 0)
    let before = fileBytes(mem)
    let p = try spawn(
      "tm", ["import", "big.tsv", "--from", "az", "--to", "ru", "--memory", mem.path], cwd: dir,
      env: ["TM_CRASH_TEST_PAUSE_MS": "20000"])
    #expect(waitFor { ((try? FileManager.default.contentsOfDirectory(atPath: dir.path + "/M")) ?? []).contains { $0.contains(".tmp-") } })
    kill(p.processIdentifier, SIGKILL)
    p.waitUntilExit()
    #expect(try MemoryFile.load(path: mem.path).units.count == 1000)
    #expect(fileBytes(mem) == before)
    // The next writer removes the temporary file and works.
    let after = try Run("tm", ["add", "Su", "Вода", "--from", "az", "--to", "ru", "--memory", mem.path], cwd: dir)
    #expect(after.status == 0)
    #expect(try MemoryFile.load(path: mem.path).units.count == 1001)
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/M").filter { $0.contains(".tmp-") }
    #expect(leftovers.isEmpty)
  }

  /// A writer killed in the middle of its append leaves a torn last line:
  /// readers ignore it (with a warning), the next writer truncates it away.
  @Test func aTornAppendIsIgnoredThenTruncatedByTheNextWriter() throws {
    let dir = try Run.tempDir()
    let mem = dir.appendingPathComponent("az-ru.tsv")
    try Data(pairsTSV("old", 3000).utf8).write(to: dir.appendingPathComponent("old.tsv"))
    try Data(pairsTSV("new", 500).utf8).write(to: dir.appendingPathComponent("new.tsv"))
    #expect(try Run("tm", ["import", "old.tsv", "--from", "az", "--to", "ru", "--memory", mem.path], cwd: dir).status == 0)
    let before = fileBytes(mem)
    let p = try spawn(
      "tm", ["import", "new.tsv", "--from", "az", "--to", "ru", "--memory", mem.path], cwd: dir,
      env: ["TM_CRASH_TEST_PAUSE_MS": "20000"])
    #expect(waitFor { fileBytes(mem).count > before.count })
    kill(p.processIdentifier, SIGKILL)
    p.waitUntilExit()
    let torn = fileBytes(mem)
    #expect(torn.count > before.count && torn.last != 0x0A)
    #expect(Array(torn.prefix(before.count)) == before)
    // Readers see the old memory and say why.
    let table = try MemoryFile.open(path: mem.path)
    #expect(table.count == 3000)
    #expect(table.ignoredBytes == torn.count - before.count)
    let stats = try Run("tm", ["stats", "--memory", mem.path], cwd: dir)
    #expect(stats.status == 0)
    #expect(stats.stdout.contains("units       3000"))
    #expect(stats.stderr.contains("interrupted"))
    let look = try Run("tm", ["lookup", "Prof. Əliyev new-7 saylı qərarı 1918-ci ildə imzaladı.", "--from", "az", "--memory", mem.path], cwd: dir)
    #expect(!look.stdout.contains("new-7 "))
    // The next writer truncates the torn bytes, then appends.
    let add = try Run("tm", ["add", "Su", "Вода", "--from", "az", "--to", "ru", "--memory", mem.path], cwd: dir)
    #expect(add.status == 0)
    let after = fileBytes(mem)
    #expect(Array(after.prefix(before.count)) == before)
    #expect(String(decoding: after[before.count...], as: UTF8.self).hasPrefix("Su\tВода\tadd\t"))
    #expect(try MemoryFile.load(path: mem.path).units.count == 3001)
    // And the whole batch can be imported again.
    #expect(try Run("tm", ["import", "new.tsv", "--from", "az", "--to", "ru", "--memory", mem.path], cwd: dir).status == 0)
    #expect(try MemoryFile.load(path: mem.path).units.count == 3501)
  }

  /// SIGKILL at 20 seeded random moments during appends: every unit of an
  /// acknowledged append is there, every batch is whole or absent, no unit
  /// is half there, the file loads.
  @Test func twentyKillsDuringAppendsLoseNoAcknowledgedUnit() throws {
    let dir = try Run.tempDir()
    let mem = dir.appendingPathComponent("az-ru.tsv")
    try Data(pairsTSV("seed", 2000).utf8).write(to: dir.appendingPathComponent("seed.tsv"))
    #expect(try Run("tm", ["import", "seed.tsv", "--from", "az", "--to", "ru", "--memory", mem.path], cwd: dir).status == 0)
    var rng = KillTestRandom(seed: 20261201)
    var acknowledged: Set<String> = ["seed"]
    var all: Set<String> = ["seed"]
    // How long one append takes here: the kills fall in 0...2 times that.
    try Data(pairsTSV("timing", 650).utf8).write(to: dir.appendingPathComponent("timing.tsv"))
    let t0 = DispatchTime.now().uptimeNanoseconds
    #expect(try Run("tm", ["import", "timing.tsv", "--from", "az", "--to", "ru", "--memory", mem.path], cwd: dir).status == 0)
    let span = max(UInt64(20_000), (DispatchTime.now().uptimeNanoseconds - t0) / 1000 * 2)
    acknowledged.insert("timing")
    all.insert("timing")
    var killedMidway = 0
    for k in 0..<20 {
      let tag = "b\(k)"
      all.insert(tag)
      try Data(pairsTSV(tag, 300 + Int(rng.next() % 700)).utf8).write(to: dir.appendingPathComponent("\(tag).tsv"))
      let p = try spawn("tm", ["import", "\(tag).tsv", "--from", "az", "--to", "ru", "--memory", mem.path], cwd: dir)
      usleep(useconds_t(rng.next() % span))
      if p.isRunning {
        kill(p.processIdentifier, SIGKILL)
        killedMidway += 1
      }
      p.waitUntilExit()
      if p.terminationReason == .exit && p.terminationStatus == 0 { acknowledged.insert(tag) }
      try checkBatches(mem, acknowledged: acknowledged, all: all, sizes: dir)
    }
    print("kills during appends: \(killedMidway) of 20 writers killed before they finished, \(acknowledged.count - 2) acknowledged")
    // A last writer cleans up; compaction changes nothing but the torn tail.
    #expect(try Run("tm", ["add", "Su", "Вода", "--from", "az", "--to", "ru", "--memory", mem.path], cwd: dir).status == 0)
    try checkBatches(mem, acknowledged: acknowledged, all: all, sizes: dir, extra: 1)
  }

  /// SIGKILL at 20 seeded random moments during `tm compact`: the memory is
  /// the old file or the compacted one, never anything else.
  @Test func twentyKillsDuringCompactionLeaveTheOldOrTheCompactedMemory() throws {
    let dir = try Run.tempDir()
    let mem = dir.appendingPathComponent("az-ru.tsv")
    // A memory with duplicates (a hand merge): 20,000 lines, 15,000 units.
    var text = "az\tru\torigin\tcreated\tscore\n"
    for i in 0..<20_000 {
      let n = i < 15_000 ? i : i - 15_000
      text += "Prof. Əliyev \(n) saylı qərarı imzaladı.\tПроф. Алиев подписал решение № \(n).\tadd\t2026-11-25T20:09:04Z\t\n"
    }
    try Data(text.utf8).write(to: mem)
    let before = fileBytes(mem)
    // How long one compaction takes here: the kills fall in 0...1.3 times that.
    let probe = dir.appendingPathComponent("probe.tsv")
    try Data(before).write(to: probe)
    let t0 = DispatchTime.now().uptimeNanoseconds
    #expect(try Run("tm", ["compact", "--memory", probe.path], cwd: dir).status == 0)
    let span = max(UInt64(20_000), (DispatchTime.now().uptimeNanoseconds - t0) / 1000 * 13 / 10)
    var rng = KillTestRandom(seed: 7)
    var outcomes = [0, 0]
    for _ in 0..<20 {
      let p = try spawn("tm", ["compact", "--memory", mem.path], cwd: dir)
      usleep(useconds_t(rng.next() % span))
      if p.isRunning { kill(p.processIdentifier, SIGKILL) }
      p.waitUntilExit()
      let m = try MemoryFile.load(path: mem.path)
      #expect(m.units.count == 20_000 || m.units.count == 15_000)
      if m.units.count == 20_000 {
        #expect(fileBytes(mem) == before)
        outcomes[0] += 1
      } else {
        #expect(Set(m.units.map { $0.texts[.az] ?? "" }).count == 15_000)
        outcomes[1] += 1
        // Compact again from the duplicates for the next round.
        try Data(before).write(to: mem)
      }
    }
    print("kills during compaction: \(outcomes[0]) left the old memory, \(outcomes[1]) the compacted one")
    let r = try Run("tm", ["compact", "--memory", mem.path], cwd: dir)
    #expect(r.status == 0)
    #expect(r.stdout.contains("5000 duplicates removed"))
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp-") }
    #expect(leftovers.isEmpty)
  }

  @Test func compactDropsDuplicatesKeepsOrderAndTheFirstOfEqualUnits() throws {
    let dir = try Run.tempDir()
    let mem = dir.appendingPathComponent("az-ru.tsv")
    let text = """
      az\tru\torigin\tcreated\tscore
      Bakı\tБаку\tmo:iso_3166-1.mo\t2023-04-27T21:30:13Z\t
      Su\tВода\tadd\t2026-11-25T20:10:00Z\t
      Bakı\tБаку\tadd\t2026-11-25T20:11:00Z\t
      Ev\tДом\tadd\t2026-11-25T20:12:00Z\t0.5

      """
    try Data(text.utf8).write(to: mem)
    let r = try Run("tm", ["compact", "--memory", mem.path], cwd: dir)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout == "\(mem.path): compacted, 3 units (1 duplicates removed)\n")
    #expect(String(decoding: fileBytes(mem), as: UTF8.self) == """
      az\tru\torigin\tcreated\tscore
      Bakı\tБаку\tmo:iso_3166-1.mo\t2023-04-27T21:30:13Z\t
      Su\tВода\tadd\t2026-11-25T20:10:00Z\t
      Ev\tДом\tadd\t2026-11-25T20:12:00Z\t0.5

      """)
    let again = try Run("tm", ["compact", "--memory", mem.path], cwd: dir)
    #expect(again.stdout.contains("already compact, 3 units"))
  }

  /// Appends go through the lookup index (duplicates found by unit key) and
  /// a lookup after an append sees the new unit through the delta index.
  @Test func appendsAfterAnIndexUseItAndLookupsSeeThem() throws {
    let dir = try Run.tempDir()
    let mem = dir.appendingPathComponent("az-ru.tsv")
    try Data(pairsTSV("seed", 500).utf8).write(to: dir.appendingPathComponent("seed.tsv"))
    #expect(try Run("tm", ["import", "seed.tsv", "--from", "az", "--to", "ru", "--memory", mem.path], cwd: dir).status == 0)
    #expect(try Run("tm", ["lookup", "Prof. Əliyev seed-3 saylı qərarı 1918-ci ildə imzaladı.", "--from", "az", "--memory", mem.path], cwd: dir).status == 0)
    #expect(FileManager.default.fileExists(atPath: mem.path + ".idx"))
    let dup = try Run("tm", ["add", "Prof. Əliyev seed-3 saylı qərarı 1918-ci ildə imzaladı.", "Проф. Алиев подписал решение № seed-3 в 1918 г.", "--from", "az", "--to", "ru", "--memory", mem.path], cwd: dir)
    #expect(dup.stdout.contains("nothing added"))
    let add = try Run("tm", ["add", "Yeni qanun qüvvəyə minir.", "Новый закон вступает в силу.", "--from", "az", "--to", "ru", "--memory", mem.path], cwd: dir)
    #expect(add.stdout.contains("added 1 unit"))
    let look = try Run("tm", ["lookup", "Yeni qanun qüvvəyə minir.", "--from", "az", "--memory", mem.path], cwd: dir)
    #expect(look.status == 0)
    #expect(look.stdout.contains("100% exact"))
    #expect(look.stdout.contains("Новый закон вступает в силу."))
    #expect(FileManager.default.fileExists(atPath: mem.path + ".idx.delta"))
    let again = try Run("tm", ["add", "Yeni qanun qüvvəyə minir.", "Новый закон вступает в силу.", "--from", "az", "--to", "ru", "--memory", mem.path], cwd: dir)
    #expect(again.stdout.contains("nothing added"))
    #expect(try MemoryFile.load(path: mem.path).units.count == 501)
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
