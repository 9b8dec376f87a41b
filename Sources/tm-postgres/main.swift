// tm-postgres: the PostgreSQL store's maintenance and benchmark commands
// (the desk's servers use the store through `tm serve --store postgres://…`).
//
//   tm-postgres migrate                      apply the schema migrations
//   tm-postgres load MEMORY.tsv              first load by COPY (one transaction)
//   tm-postgres export                       the memory as a TSV memory on stdout
//   tm-postgres append MEMORY.tsv [--batch N]  append its units N at a time (one
//       transaction each), printing `ok A B` (units A..<B acknowledged) or
//       `error A B MESSAGE` per batch, and going on after errors (the fault tests)
//   tm-postgres bench QUERIES.tsv [--threads N] [--mode tm|trgm] [--min-score S]
//       QUERIES.tsv: lang<TAB>text per line; prints per-query results
//       (query#, score, top translation) to stdout and throughput/p50/p99 to stderr;
//       --mode tsv --memory FILE runs the same queries on a TSV memory's index
//       (the parity and speed reference)
//
// The database: --store URL, or the PG* environment variables; a password
// only from PGPASSWORD or the password file (PGPASSFILE, ~/.pgpass).
import Foundation
import TMKit
import TMPostgres

func fail(_ message: String, _ code: Int32 = 2) -> Never {
  FileHandle.standardError.write(Data("tm-postgres: \(message)\n".utf8))
  exit(code)
}

var args = Array(CommandLine.arguments.dropFirst())
@MainActor func option(_ name: String) -> String? {
  guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
  let v = args[i + 1]
  args.removeSubrange(i...(i + 1))
  return v
}
let url = option("--store") ?? ProcessInfo.processInfo.environment["TM_STORE"]
let threads = Int(option("--threads") ?? "1") ?? 1
let mode = option("--mode") ?? "tm"
let minScore = Double(option("--min-score") ?? "70") ?? 70
let tsvMemory = option("--memory")
let batch = Int(option("--batch") ?? "1") ?? 1
guard let command = args.first else { fail("give a command: migrate, load, export, bench") }

do {
  let store = try PostgresStore(url: url, connections: max(2, threads), migrate: command != "bench" || mode != "tsv")
  switch command {
  case "migrate":
    let applied = try store.migrate()
    print(applied.isEmpty ? "schema up to date" : "applied \(applied.map(String.init).joined(separator: ", "))")
  case "load":
    guard args.count > 1 else { fail("load MEMORY.tsv") }
    let start = Date()
    let table = try MemoryFile.open(path: args[1])
    let r = try store.bulkLoad(table, languages: table.languages, threads: max(threads, 2))
    let total = Date().timeIntervalSince(start)
    let phases = r.seconds.sorted { $0.key < $1.key }.map { String(format: "%@ %.1f s", $0.key, $0.value) }
    FileHandle.standardError.write(
      Data(String(format: "loaded %d units (%d duplicates) in %.1f s: %@\n", r.added, r.duplicates, total, phases.joined(separator: ", ")).utf8))
  case "append":
    guard args.count > 1 else { fail("append MEMORY.tsv") }
    let table = try MemoryFile.open(path: args[1])
    let n = max(1, batch)
    var failed = 0
    for a in stride(from: 0, to: table.count, by: n) {
      let b = min(a + n, table.count)
      do {
        _ = try store.append(Array(table[a..<b]))
        FileHandle.standardOutput.write(Data("ok \(a) \(b)\n".utf8))
      } catch {
        failed += 1
        FileHandle.standardOutput.write(Data(("error \(a) \(b) \(error)".replacingOccurrences(of: "\n", with: " ") + "\n").utf8))
        usleep(50_000)
      }
    }
    if failed > 0 { exit(1) }
  case "export":
    let out = FileHandle.standardOutput
    try store.exportTSV { out.write(Data($0)) }
  case "bench":
    guard args.count > 1 else { fail("bench QUERIES.tsv") }
    let lines = try String(contentsOfFile: args[1], encoding: .utf8).split(separator: "\n")
    let queries: [(Language, String)] = lines.compactMap { l in
      let p = l.split(separator: "\t", maxSplits: 1)
      guard p.count == 2, let lang = Language(tag: String(p[0])) else { return nil }
      return (lang, String(p[1]))
    }
    let results = BenchResults(count: queries.count)
    let tsvIndexes = try tsvMemory.map { try LookupIndex.open(memoryPath: $0).indexes }
    let start = Date()
    DispatchQueue.concurrentPerform(iterations: threads) { t in
      let matcher = tsvIndexes.map { Matcher(indexes: $0) }
      var i = t
      while i < queries.count {
        let (lang, text) = queries[i]
        let t0 = DispatchTime.now().uptimeNanoseconds
        var line = "\(i)\t"
        do {
          if mode == "tsv", let matcher {
            let r = try matcher.lookup(LookupQuery(text: text, language: lang, targets: [lang == .en ? .ru : .en], limit: 1, minScore: minScore, concordance: false))
            line += r.matches.first.map { String(format: "%.1f\t%@", $0.score, $0.targets.first?.text ?? "") } ?? "\t"
          } else if mode == "trgm" {
            let r = try store.trigramTop(text, language: lang, target: lang == .en ? .ru : .en)
            line += r.map { String(format: "%.1f\t%@", $0.similarity * 100, $0.target) } ?? "\t"
          } else {
            let r = try store.lookup(LookupQuery(text: text, language: lang, targets: [lang == .en ? .ru : .en], limit: 1, minScore: minScore, concordance: false))
            line += r.matches.first.map { String(format: "%.1f\t%@", $0.score, $0.targets.first?.text ?? "") } ?? "\t"
          }
        } catch {
          line += "error\t\(error)"
        }
        let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
        results.set(i, dt, line.replacingOccurrences(of: "\n", with: " "))
        i += threads
      }
    }
    let wall = Date().timeIntervalSince(start)
    let (lat, out) = results.all
    print(out.joined(separator: "\n"))
    let sorted = lat.sorted()
    func pct(_ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
    FileHandle.standardError.write(
      Data(String(format: "%@ %d queries, %d threads: %.0f lookups/s, p50 %.2f ms, p99 %.2f ms\n", mode, queries.count, threads,
        Double(queries.count) / wall, pct(0.5), pct(0.99)).utf8))
  default:
    fail("unknown command '\(command)': migrate, load, export, bench")
  }
} catch {
  fail("\(error)")
}

final class BenchResults: @unchecked Sendable {
  private let lock = NSLock()
  private var latencies: [Double]
  private var lines: [String]
  init(count: Int) {
    latencies = Array(repeating: 0, count: count)
    lines = Array(repeating: "", count: count)
  }
  func set(_ i: Int, _ ms: Double, _ line: String) {
    lock.withLock {
      latencies[i] = ms
      lines[i] = line
    }
  }
  var all: ([Double], [String]) { lock.withLock { (latencies, lines) } }
}
