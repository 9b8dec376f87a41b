import CPQShim
import Foundation
import TMKit

/// A translation memory in PostgreSQL: the desk's shared memory behind any
/// number of `tm serve` processes.
///
/// Stateless apart from its connection pool: every request reads and writes
/// the database, so several servers on one database answer alike. Units,
/// dedupe and statistics live in SQL; match keys and scores come from TMKit
/// (`LookupKeys` for the keys stored with each unit, `Matcher` for the final
/// score and differences over the candidates the database returns), so a
/// query finds the same matches as on the TSV memory holding the same units.
public final class PostgresStore: Sendable {
  /// How results name this memory (`Match.memory`).
  public let name: String
  let pool: PGPool

  /// Connects (lazily) and applies missing schema migrations.
  ///
  /// `url`: a `postgres://` URL or a libpq `key=value` string; nil or empty
  /// uses the `PG*` environment variables. A password in it is refused:
  /// libpq reads it from `PGPASSWORD` or the password file (`PGPASSFILE`,
  /// `~/.pgpass`), so it never shows on a command line.
  ///
  /// `name`: how the memory is named to clients (default: the address).
  /// Connections give up after `PGCONNECT_TIMEOUT` seconds (5 unless the
  /// address or the environment says otherwise), so a database that cannot
  /// be reached is an error, never a hang.
  public init(url: String?, connections: Int = 4, migrate: Bool = true, name: String? = nil) throws {
    let conninfo = url ?? ""
    try PostgresStore.refusePassword(conninfo)
    pool = PGPool(conninfo: PostgresStore.withConnectTimeout(conninfo), size: connections)
    self.name = name ?? PostgresStore.displayName(conninfo)
    if migrate { _ = try self.migrate() }
  }

  /// `conninfo` with `connect_timeout=5` added when neither it nor
  /// `PGCONNECT_TIMEOUT` sets one.
  static func withConnectTimeout(_ conninfo: String) -> String {
    if conninfo.contains("connect_timeout") || ProcessInfo.processInfo.environment["PGCONNECT_TIMEOUT"] != nil {
      return conninfo
    }
    if conninfo.hasPrefix("postgres://") || conninfo.hasPrefix("postgresql://") {
      return conninfo + (conninfo.contains("?") ? "&" : "?") + "connect_timeout=5"
    }
    return conninfo.isEmpty ? "connect_timeout=5" : conninfo + " connect_timeout=5"
  }

  /// The database's name in an address (URL path, `dbname=`, else
  /// `PGDATABASE`, else `PGUSER`, as libpq defaults it).
  public static func databaseName(_ conninfo: String?) -> String {
    let c = conninfo ?? ""
    if c.hasPrefix("postgres://") || c.hasPrefix("postgresql://") {
      let afterHost = c.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
      if afterHost.count == 4 {
        let db = afterHost[3].split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        if !db.isEmpty { return db.removingPercentEncoding ?? String(db) }
      }
    } else {
      for part in c.split(separator: " ") where part.hasPrefix("dbname=") { return String(part.dropFirst(7)) }
    }
    let env = ProcessInfo.processInfo.environment
    return env["PGDATABASE"] ?? env["PGUSER"] ?? "postgres"
  }

  /// Whether an error of this store means the database cannot be reached
  /// now (down, restarting, refusing connections), as opposed to a refused
  /// statement: the server answers 503 for these.
  public static func isUnavailable(_ e: TMError) -> Bool { e.message.hasPrefix(PGError.unavailablePrefix) }

  /// What `/healthz` shows: one round trip.
  public struct Summary: Sendable {
    public var units: Int
    public var languages: [Language]
    public var schemaVersion: Int
  }

  public func summary() throws -> Summary {
    try run { c in
      let r = try c.exec("SELECT (SELECT count(*) FROM tm_units), (SELECT coalesce(max(version), 0) FROM tm_schema_version)")
      return Summary(units: r.int(0, 0) ?? 0, languages: try PostgresStore.languages(c), schemaVersion: r.int(0, 1) ?? 0)
    }
  }

  static func refusePassword(_ conninfo: String) throws {
    var err = [CChar](repeating: 0, count: 256)
    let r = tmpq_conninfo_has_password(conninfo, &err, Int32(err.count))
    if r < 0 {
      throw TMError(.usage, "cannot read the database address: \(String(decoding: err.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))",
        hint: "give postgres://USER@HOST:PORT/DATABASE, or set PGHOST, PGPORT, PGUSER, PGDATABASE")
    }
    if r > 0 {
      throw TMError(
        .usage, "the database address contains a password",
        hint: "put the password in a file named by PGPASSFILE (or ~/.pgpass), or in PGPASSWORD; never on the command line")
    }
  }

  static func displayName(_ conninfo: String) -> String {
    if conninfo.isEmpty {
      let env = ProcessInfo.processInfo.environment
      return "postgres://\(env["PGHOST"] ?? "localhost")/\(env["PGDATABASE"] ?? env["PGUSER"] ?? "")"
    }
    return conninfo
  }

  /// Runs on a pooled connection, turning database errors into `TMError`.
  /// A connection that turns out broken (the pool held it across a
  /// database restart) is replaced and the call made once more: callers
  /// here only read, or write in a transaction that did not commit.
  /// `retry: false` for a body that hands rows out as it goes (a second
  /// run would hand them out twice).
  func run<T>(retry: Bool = true, _ body: (PGConnection) throws -> T) throws -> T {
    do {
      return try pool.with(body)
    } catch let e as PGError where e.isConnection && retry {
      do { return try pool.with(body) } catch let e as PGError { throw e.tmError }
    } catch let e as PGError {
      throw e.tmError
    }
  }

  /// Runs a transaction, retried on deadlock or serialization failure, and
  /// once on a connection that broke before COMMIT was sent (the database
  /// rolled it back). A connection lost after COMMIT was sent is reported:
  /// the outcome is unknown, and a retry by the client is safe (dedupe).
  func transaction<T>(_ body: (PGConnection) throws -> T) throws -> T {
    var attempt = 0
    var reconnected = false
    while true {
      var committing = false
      do {
        return try pool.with { c in
          try c.transaction(body: { try body(c) }, committing: { committing = true })
        }
      } catch let e as PGError where e.isTransient && attempt < 5 {
        attempt += 1
        usleep(UInt32(1000 << attempt))
      } catch let e as PGError where e.isConnection && !committing && !reconnected {
        reconnected = true
      } catch let e as PGError {
        throw e.tmError
      }
    }
  }

  /// Applies the schema migrations not yet applied; returns their versions.
  @discardableResult
  public func migrate() throws -> [Int] {
    try run { try PostgresMigrations.apply(on: $0) }
  }

  // MARK: Languages and counts

  static let columnNames: [Language: String] = [.az: "az", .azCyrl: "az_cyrl", .ru: "ru", .en: "en"]
  static let textColumns = "az, az_cyrl, ru, en, origin, created, score"

  /// The memory's language columns in their order (as in a TSV header).
  /// How many times the store has taken a connection to run statements
  /// (a count of round trips, near enough: each is one or a few statements).
  public var connectionUses: Int { pool.uses.load(ordering: .relaxed) }

  public func languages() throws -> [Language] {
    try run { try PostgresStore.languages($0) }
  }

  static func languages(_ c: PGConnection) throws -> [Language] {
    let r = try c.exec("SELECT value FROM tm_meta WHERE key = 'languages'")
    guard r.rows > 0, let v = r.string(0, 0) else { return [] }
    return v.split(separator: "\t").compactMap { Language(rawValue: String($0)) }
  }

  public func count() throws -> Int {
    try run { try $0.exec("SELECT count(*) FROM tm_units").int(0, 0) ?? 0 }
  }

  /// Units per language.
  public func counts() throws -> [Language: Int] {
    try run { c in
      let r = try c.exec("SELECT count(az), count(az_cyrl), count(ru), count(en) FROM tm_units")
      var out: [Language: Int] = [:]
      for (i, l) in Language.allCases.enumerated() { out[l] = r.int(0, i) ?? 0 }
      return out
    }
  }

  // MARK: Appending

  /// NFC, empty texts dropped, a unit with no text refused (as the TSV memory does).
  static func prepare(_ u: TranslationUnit, index: Int) throws -> TranslationUnit {
    var v = u
    v.texts = [:]
    for (l, t) in u.texts {
      let n = t.nfc
      if CopyText.containsNUL(n) {
        throw TMError(.invalidInput, "unit \(index + 1) contains a NUL character", hint: "remove it")
      }
      if !n.isEmpty { v.texts[l] = n }
    }
    if v.texts.isEmpty {
      throw TMError(.invalidInput, "unit \(index + 1) has no text in any language", hint: "give at least one segment")
    }
    v.origin = u.origin.nfc
    if let s = u.score, !s.isFinite {
      throw TMError(.invalidInput, "unit \(index + 1) has a score that is not a number")
    }
    if CopyText.containsNUL(v.origin) || CopyText.containsNUL(v.created) {
      throw TMError(.invalidInput, "unit \(index + 1) contains a NUL character", hint: "remove it")
    }
    return v
  }

  /// Adds units in one transaction: all or nothing. A unit whose texts equal
  /// a stored unit's (or an earlier one's in `units`) is a duplicate and is
  /// skipped; the unique index on the text hash makes this hold across
  /// concurrent writers on any number of servers.
  public func append(_ units: [TranslationUnit]) throws -> AppendResult {
    let prepared = try units.enumerated().map { try PostgresStore.prepare($0.element, index: $0.offset) }
    if prepared.isEmpty { return AppendResult(added: 0, duplicates: 0) }
    return try transaction { c in
      // Ids in commit order (PostgresChanges.swift): what lets a server's
      // derived index ask only for the units above its high-water mark.
      try PostgresStore.lockWriteOrder(c)
      try PostgresStore.widenLanguages(c, for: prepared)
      var added = 0
      var df: [Int32: Int] = [:]
      var words: [(section: Int, word: String, unit: Int)] = []
      for chunk in stride(from: 0, to: prepared.count, by: 500) {
        let part = Array(prepared[chunk..<min(chunk + 500, prepared.count)])
        // Insert the units; duplicates come back without an id.
        var cols: [[String?]] = Array(repeating: [], count: 7)
        for u in part {
          for (i, l) in Language.allCases.enumerated() { cols[i].append(u.texts[l]) }
          cols[4].append(u.origin)
          cols[5].append(u.created)
          cols[6].append(u.score.map { "\($0)" })
        }
        let r = try c.exec(
          """
          INSERT INTO tm_units (az, az_cyrl, ru, en, origin, created, score)
          SELECT az, az_cyrl, ru, en, origin, created, score FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[])
            WITH ORDINALITY AS t(az, az_cyrl, ru, en, origin, created, score, n)
          ORDER BY n
          ON CONFLICT (text_hash) DO NOTHING
          RETURNING id, az, az_cyrl, ru, en
          """,
          cols.map { PostgresStore.textArray($0) })
        added += r.rows
        // Their index entries, computed by TMKit.
        var eu: [String?] = [], es: [String?] = [], el: [String?] = [], ex: [String?] = [], ek: [String?] = []
        var ekeys: [String?] = []
        for row in 0..<r.rows {
          guard let id = r.string(row, 0) else { continue }
          var u = TranslationUnit(texts: [:])
          for (i, l) in Language.allCases.enumerated() { if let t = r.string(row, 1 + i) { u.texts[l] = t } }
          for e in EntryKeys.entries(of: u, keys: c.keys) {
            eu.append(id)
            es.append(String(e.section))
            el.append(String(e.length))
            ex.append(String(e.exactHash))
            ek.append(String(e.skelHash))
            ekeys.append(CopyText.intArray(e.postingKeys))
            for k in e.tokenKeys { df[k, default: 0] += 1 }
            if let unit = Int(id) { for w in e.words { words.append((e.section, w, unit)) } }
          }
        }
        if !eu.isEmpty {
          // Arrays of arrays do not unnest row by row; send the keys as text and cast per row.
          try c.exec(
            """
            INSERT INTO tm_entries (unit_id, section, len, exact_hash, skel_hash, keys)
            SELECT u, s, l, x, k, ks::integer[]
            FROM unnest($1::bigint[], $2::smallint[], $3::integer[], $4::bigint[], $5::bigint[], $6::text[]) AS t(u, s, l, x, k, ks)
            """,
            [eu, es, el, ex, ek, ekeys].map { PostgresStore.textArray($0) })
        }
      }
      try PostgresStore.insertWords(c, words)
      if !df.isEmpty {
        // Sorted, so concurrent writers take the row locks in one order.
        let keys = df.keys.sorted()
        try c.exec(
          """
          INSERT INTO tm_tokens (key, df) SELECT * FROM unnest($1::integer[], $2::integer[]) ORDER BY 1
          ON CONFLICT (key) DO UPDATE SET df = tm_tokens.df + excluded.df
          """,
          [CopyText.intArray(keys), "{" + keys.map { String(df[$0] ?? 0) }.joined(separator: ",") + "}"])
      }
      return AppendResult(added: added, duplicates: prepared.count - added)
    }
  }

  /// Adds the language columns new units need, like the TSV memory's header
  /// widening: existing order kept, new languages after it.
  static func widenLanguages(_ c: PGConnection, for units: [TranslationUnit]) throws {
    var needed = Set<Language>()
    for u in units { needed.formUnion(u.texts.keys) }
    let have = try languages(c)
    if needed.isSubset(of: Set(have)) { return }
    try c.exec("INSERT INTO tm_meta (key, value) VALUES ('languages', '') ON CONFLICT DO NOTHING")
    let locked = try c.exec("SELECT value FROM tm_meta WHERE key = 'languages' FOR UPDATE")
    let now = (locked.string(0, 0) ?? "").split(separator: "\t").compactMap { Language(rawValue: String($0)) }
    let missing = Language.allCases.filter { needed.contains($0) && !now.contains($0) }
    if missing.isEmpty { return }
    let langs = now + missing
    try c.exec("UPDATE tm_meta SET value = $1 WHERE key = 'languages'", [langs.map(\.tag).joined(separator: "\t")])
  }

  /// A PostgreSQL array literal of texts (NULL elements allowed).
  static func textArray(_ values: [String?]) -> String {
    var s = "{"
    for (i, v) in values.enumerated() {
      if i > 0 { s += "," }
      guard let v else {
        s += "NULL"
        continue
      }
      s += "\""
      for ch in v.unicodeScalars {
        if ch == "\"" || ch == "\\" { s += "\\" }
        s.unicodeScalars.append(ch)
      }
      s += "\""
    }
    return s + "}"
  }

  // MARK: Reading

  static func unit(_ r: PGResult, _ row: Int, from col: Int) -> TranslationUnit {
    var u = TranslationUnit(texts: [:])
    for (i, l) in Language.allCases.enumerated() { if let t = r.string(row, col + i) { u.texts[l] = t } }
    u.origin = r.string(row, col + 4) ?? ""
    u.created = r.string(row, col + 5) ?? ""
    u.score = r.string(row, col + 6).flatMap { Double($0) }
    return u
  }

  /// Every unit in the order it was added, `batch` rows at a time from a
  /// cursor (one snapshot: a concurrent append is in or out as a whole).
  public func forEachStoredUnit(batch: Int = 10_000, _ body: (Int, TranslationUnit) throws -> Void) throws {
    try run(retry: false) { c in
      try c.transaction {
        try c.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        try c.exec("DECLARE tm_all NO SCROLL CURSOR FOR SELECT id, \(PostgresStore.textColumns) FROM tm_units ORDER BY id")
        while true {
          let r = try c.exec("FETCH \(batch) FROM tm_all")
          if r.rows == 0 { break }
          for row in 0..<r.rows { try body(r.int(row, 0) ?? 0, PostgresStore.unit(r, row, from: 1)) }
        }
      }
    }
  }

  /// Units whose text in `language` is exactly `text` (NFC), with their ids.
  public func exactUnits(_ text: String, language: Language) throws -> [(Int, TranslationUnit)] {
    guard let col = PostgresStore.columnNames[language],
      let s = EntryKeys.sections.firstIndex(of: LookupKeys.section(of: language))
    else { return [] }
    return try run { c in
      // The entry's hash finds the unit; the text comparison settles it
      // (the az section hashes the Latin text when a unit has both scripts).
      let r = try c.exec(
        """
        SELECT id, \(PostgresStore.textColumns) FROM tm_units WHERE \(col) = $2 AND (id IN
          (SELECT unit_id FROM tm_entries WHERE exact_hash = $1) OR $3)
        ORDER BY id
        """, [String(EntryKeys.exactHash(s, text)), text, language == .azCyrl ? "true" : "false"])
      return (0..<r.rows).map { (r.int($0, 0) ?? 0, PostgresStore.unit(r, $0, from: 1)) }
    }
  }

  /// The whole memory as a TSV memory file, written by TMKit's own writer:
  /// the same bytes as exporting the same units from a TSV memory.
  public func exportTSV(to sink: @escaping ([UInt8]) throws -> Void) throws {
    let langs = try languages()
    var units: [TranslationUnit] = []
    var first = true
    func flush() throws {
      var bytes = MemoryFile.encoded(units, languages: langs)
      if !first, let nl = bytes.firstIndex(of: 0x0A) { bytes.removeSubrange(...nl) }
      first = false
      units.removeAll(keepingCapacity: true)
      try sink(bytes)
    }
    try forEachStoredUnit { _, u in
      units.append(u)
      if units.count >= 10_000 { try flush() }
    }
    if first || !units.isEmpty { try flush() }
  }
}

extension PGConnection {
  /// The connection's own `LookupKeys` (ICU objects are per thread; a
  /// connection is used by one caller at a time).
  var keys: LookupKeys {
    if let k = scratch as? LookupKeys { return k }
    let k = LookupKeys()
    scratch = k
    return k
  }
}
