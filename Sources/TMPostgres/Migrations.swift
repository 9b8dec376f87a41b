import Foundation
import TMKit

/// The schema's versions: `Migrations/NNN-name.sql`, applied in order, each
/// in its own transaction, recorded in `tm_schema_version`. A server
/// applies the missing ones at start (under an advisory lock, so four
/// servers starting at once apply each exactly once).
public enum PostgresMigrations {
  public struct Migration: Sendable {
    public var version: Int
    public var name: String
    public var sql: String
  }

  /// The migrations folder: beside the executable (`tm_TMPostgres.resources`),
  /// else the source tree this was built from; `TM_PG_MIGRATIONS` overrides.
  static let directory: URL? = {
    var candidates: [URL] = []
    if let env = ProcessInfo.processInfo.environment["TM_PG_MIGRATIONS"] { candidates.append(URL(fileURLWithPath: env)) }
    let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
    candidates.append(exe.appendingPathComponent("tm_TMPostgres.resources/Migrations"))
    for b in Bundle.allBundles where b.bundlePath.hasSuffix("tm_TMPostgres.resources") {
      candidates.append(URL(fileURLWithPath: b.bundlePath).appendingPathComponent("Migrations"))
    }
    candidates.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Migrations"))
    return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("001-units.sql").path) }
  }()

  public static func all() throws -> [Migration] {
    guard let dir = directory else {
      throw TMError(
        .notFound, "the PostgreSQL schema migrations were not found",
        hint: "run from the build folder or set TM_PG_MIGRATIONS to Sources/TMPostgres/Migrations")
    }
    let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".sql") }.sorted()
    return try names.compactMap { name in
      guard let v = Int(name.prefix { $0.isNumber }) else { return nil }
      let sql = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
      return Migration(version: v, name: name, sql: sql)
    }
  }

  /// Applies the missing migrations; returns the versions applied now.
  static func apply(on c: PGConnection) throws -> [Int] {
    let list = try all()
    // One applier at a time across every server on the database.
    try c.exec("SELECT pg_advisory_lock(7340129)")
    defer { _ = try? c.exec("SELECT pg_advisory_unlock(7340129)") }
    try c.exec(
      "CREATE TABLE IF NOT EXISTS tm_schema_version (version integer PRIMARY KEY, name text NOT NULL, applied timestamptz NOT NULL DEFAULT now())"
    )
    let have = try c.exec("SELECT version FROM tm_schema_version")
    let done = Set((0..<have.rows).compactMap { have.int($0, 0) })
    var applied: [Int] = []
    for m in list where !done.contains(m.version) {
      try c.transaction {
        try c.exec(m.sql)
        try c.exec("INSERT INTO tm_schema_version (version, name) VALUES ($1, $2)", [String(m.version), m.name])
      }
      applied.append(m.version)
    }
    if applied.contains(3) { try backfillWords(c) }
    return applied
  }

  /// Migration 003's `tm_words` for the units stored before it: their
  /// tokens are computed by TMKit, so the SQL cannot fill it (run once,
  /// under the migrations' lock; appends meanwhile add their own words).
  static func backfillWords(_ c: PGConnection) throws {
    var last = 0
    while true {
      let r = try c.exec(
        "SELECT id, \(PostgresStore.textColumns) FROM tm_units WHERE id > $1 ORDER BY id LIMIT 5000", [String(last)])
      if r.rows == 0 { return }
      var words: [(section: Int, word: String, unit: Int)] = []
      for row in 0..<r.rows {
        guard let id = r.int(row, 0) else { continue }
        last = max(last, id)
        for e in EntryKeys.entries(of: PostgresStore.unit(r, row, from: 1), keys: c.keys) {
          for w in e.words { words.append((e.section, w, id)) }
        }
      }
      try PostgresStore.insertWords(c, words)
    }
  }
}
