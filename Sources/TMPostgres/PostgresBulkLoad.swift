import Foundation
import Synchronization
import TMKit

/// The first load of a memory: COPY instead of INSERT, in one transaction.
extension PostgresStore {
  public struct LoadReport: Sendable {
    public var added: Int
    public var duplicates: Int
    public var seconds: [String: Double]
  }

  /// Loads units into an empty store with COPY, on two connections at once.
  ///
  /// The units and their index entries (keys computed by TMKit on every
  /// core, `threads` workers ahead of the sender) go by COPY into staging
  /// tables, `tm_units_load` on one connection and `tm_entries_load` on a
  /// second, each created in its own COPY's transaction (so with
  /// `wal_level=minimal` neither is WAL-logged); then the sections' GIN
  /// indexes are built on the second and a third connection while the first
  /// builds the other indexes; then one short transaction checks the memory
  /// is still empty and puts the staging tables in place of the empty ones,
  /// with the token statistics. PostgreSQL works on both cores instead of
  /// one, and the GIN builds, the longest step (PostgreSQL 15 builds one GIN
  /// index on one core), run two at a time and no longer wait for the others.
  ///
  /// All or nothing: until that last transaction commits, the memory's
  /// tables are untouched (empty); a load that fails drops its staging
  /// tables, and one that was killed leaves them for the next load to drop.
  /// One load at a time per memory (an advisory lock). Duplicates (same
  /// texts) are dropped, as the TSV memory's append would. Grants on the
  /// empty tables do not carry over to the loaded ones (the tables are new).
  public func bulkLoad<Units: RandomAccessCollection<TranslationUnit> & Sendable>(
    _ units: Units, languages: [Language], threads: Int = 2
  ) throws -> LoadReport where Units.Index == Int {
    var seconds: [String: Double] = [:]
    var clock = Date()
    func lap(_ name: String) {
      seconds[name] = Date().timeIntervalSince(clock)
      clock = Date()
    }
    let conninfo = pool.conninfo
    return try run(retry: false) { a in
      // One load at a time: a second one waits (a killed load's connection
      // holds the lock until PostgreSQL notices, after the statement it was
      // running), then finds the memory loaded and is refused.
      let lock = "hashtext('tm first load ' || current_schema())"
      try a.exec("SET lock_timeout = '10min'")
      do {
        try a.exec("SELECT pg_advisory_lock(\(lock))")
      } catch let e as PGError where e.sqlstate == "55P03" {
        throw TMError(.io, "another first load into this database memory has been running for 10 minutes: waited for it in vain")
      }
      try a.exec("SET lock_timeout = 0")
      defer { _ = try? a.exec("SELECT pg_advisory_unlock(\(lock))") }
      try PostgresStore.refuseNonEmpty(a)
      try a.exec("DROP TABLE IF EXISTS tm_entries_load, tm_units_load, tm_words_load")
      do {
        let b = UncheckedBox(try PGConnection(conninfo: conninfo))
        var staged = try PostgresStore.stage(units, a: a, b: b, threads: threads)
        lap("copy units and entries (keys by TMKit, two connections)")
        // The sections' GIN indexes (migration 004) on two connections at
        // once, the largest sections first, each to the one with fewer
        // entries to index so far; the other indexes on the first.
        let c = UncheckedBox(try PGConnection(conninfo: conninfo))
        let gins = zip([b, c], PostgresStore.ginSchedule(staged.sectionEntries)).map { conn, sections in
          Background {
            try conn.value.transaction {
              try conn.value.exec("SET LOCAL maintenance_work_mem = '512MB'")
              for s in sections {
                try conn.value.exec(
                  "CREATE INDEX \(PostgresStore.keysIndex(s))_load ON tm_entries_load USING gin (keys) WHERE section = \(s)")
              }
            }
          }
        }
        // Both ended, then the first failure.
        func waitGINs() throws {
          var failure: (any Error)?
          for g in gins {
            do { try g.wait() } catch { failure = failure ?? error }
          }
          if let failure { throw failure }
        }
        let other = Date()
        do {
          try a.transaction {
            try a.exec("SET LOCAL maintenance_work_mem = '512MB'")
            try a.exec("CREATE UNIQUE INDEX tm_units_load_text_hash ON tm_units_load (text_hash)")
            try a.exec("CREATE UNIQUE INDEX tm_units_load_pkey ON tm_units_load (id)")
            try a.exec("CREATE UNIQUE INDEX tm_entries_load_pkey ON tm_entries_load (unit_id, section)")
            try a.exec("CREATE INDEX tm_entries_load_exact ON tm_entries_load (exact_hash)")
            try a.exec("CREATE INDEX tm_entries_load_skel ON tm_entries_load (skel_hash)")
          }
          // The vocabulary, while the GIN index is built.
          try a.transaction {
            try a.exec("CREATE TABLE tm_words_load (LIKE tm_words)")
            try a.copyIn("COPY tm_words_load (section, word, nbytes, mask, unit_id) FROM STDIN") { send in
              var at = 0
              while at < staged.words.count {
                var part = Array(staged.words[at..<min(at + (1 << 20), staged.words.count)])
                at += part.count
                try send(&part)
              }
            }
            staged.words = []
            try a.exec("SET LOCAL maintenance_work_mem = '512MB'")
            try a.exec("CREATE UNIQUE INDEX tm_words_load_pkey ON tm_words_load (section, word)")
            try a.exec("CREATE INDEX tm_words_load_length ON tm_words_load (section, nbytes) INCLUDE (mask)")
          }
        } catch {
          _ = try? waitGINs()
          throw error
        }
        seconds["index units and hashes, copy words (beside the GIN)"] = Date().timeIntervalSince(other)
        try waitGINs()
        lap("index keys (GIN per section on two connections, beside the rest)")
        try a.transaction {
          // Units become visible here: take the write-order lock before the
          // table locks, as appends take it (ids commit in order).
          try PostgresStore.lockWriteOrder(a)
          try a.exec("LOCK TABLE tm_units, tm_entries, tm_tokens, tm_words IN ACCESS EXCLUSIVE MODE")
          try PostgresStore.refuseNonEmpty(a)
          try a.exec("SET LOCAL synchronous_commit = on")
          guard let seq = try a.exec("SELECT pg_get_serial_sequence('tm_units', 'id')").string(0, 0) else {
            throw TMError(.io, "the database memory's tm_units.id has no sequence: was the schema changed by hand?")
          }
          try a.exec("ALTER SEQUENCE \(seq) OWNED BY NONE")
          try a.exec("DROP TABLE tm_entries, tm_units, tm_words")
          try a.exec("ALTER TABLE tm_units_load RENAME TO tm_units")
          try a.exec("ALTER TABLE tm_entries_load RENAME TO tm_entries")
          try a.exec("ALTER SEQUENCE \(seq) OWNED BY tm_units.id")
          try a.exec("ALTER TABLE tm_units ADD CONSTRAINT tm_units_pkey PRIMARY KEY USING INDEX tm_units_load_pkey")
          try a.exec("ALTER INDEX tm_units_load_text_hash RENAME TO tm_units_text_hash")
          try a.exec("ALTER TABLE tm_entries ADD CONSTRAINT tm_entries_pkey PRIMARY KEY USING INDEX tm_entries_load_pkey")
          for s in EntryKeys.sections.indices {
            try a.exec("ALTER INDEX \(PostgresStore.keysIndex(s))_load RENAME TO \(PostgresStore.keysIndex(s))")
          }
          try a.exec("ALTER INDEX tm_entries_load_exact RENAME TO tm_entries_exact")
          try a.exec("ALTER INDEX tm_entries_load_skel RENAME TO tm_entries_skel")
          try a.exec("ALTER TABLE tm_words_load RENAME TO tm_words")
          try a.exec("ALTER TABLE tm_words ADD CONSTRAINT tm_words_pkey PRIMARY KEY USING INDEX tm_words_load_pkey")
          try a.exec("ALTER INDEX tm_words_load_length RENAME TO tm_words_length")
          // NOT VALID: every entry was made here from a unit of this load,
          // so checking them all again (a probe of tm_units per entry, 2M at
          // 1M units) proves nothing; rows added later are checked.
          try a.exec("ALTER TABLE tm_entries ADD CONSTRAINT tm_entries_unit_id_fkey FOREIGN KEY (unit_id) REFERENCES tm_units (id) ON DELETE CASCADE NOT VALID")
          try a.exec("SELECT setval('\(seq)', greatest(1, $1::bigint), $2::bigint > 0)", [String(staged.added), String(staged.added)])
          try a.exec("TRUNCATE tm_tokens")
          try a.copyIn("COPY tm_tokens (key, df) FROM STDIN") { send in
            var buf: [UInt8] = []
            for (k, v) in staged.df where v > 0 {
              buf.append(contentsOf: "\(k)\t\(v)\n".utf8)
              if buf.count >= 1 << 20 { try send(&buf) }
            }
            try send(&buf)
          }
          staged.df = [:]
          try a.exec("INSERT INTO tm_meta (key, value) VALUES ('languages', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [languages.map(\.tag).joined(separator: "\t")])
        }
        lap("put in place, tokens, foreign key")
        return LoadReport(added: staged.added, duplicates: staged.duplicates, seconds: seconds)
      } catch {
        if a.isUsable { _ = try? a.exec("DROP TABLE IF EXISTS tm_entries_load, tm_units_load, tm_words_load") }
        throw error
      }
    }
  }

  static func refuseNonEmpty(_ c: PGConnection) throws {
    let n = try c.exec("SELECT count(*) FROM tm_units").int(0, 0) ?? 0
    if n > 0 {
      throw TMError(
        .usage, "the database memory already has \(n) units; the bulk load is for the first load",
        hint: "add to it with tm import through the server")
    }
  }

  /// The name of section `s`'s GIN index on `tm_entries.keys` (migration 004).
  static func keysIndex(_ s: Int) -> String { "tm_entries_keys_\(EntryKeys.sections[s].tag)" }

  /// The sections (every one, even empty) in two lists for two connections
  /// building their GIN indexes: largest first, each to the list with fewer
  /// entries so far (ties to the first).
  static func ginSchedule(_ entries: [Int]) -> [[Int]] {
    func count(_ s: Int) -> Int { s < entries.count ? entries[s] : 0 }
    var lists: [[Int]] = [[], []]
    var load = [0, 0]
    for s in EntryKeys.sections.indices.sorted(by: { count($0) != count($1) ? count($0) > count($1) : $0 < $1 }) {
      let i = load[1] < load[0] ? 1 : 0
      lists[i].append(s)
      load[i] += count(s)
    }
    return lists
  }

  struct Staged {
    var added: Int
    var duplicates: Int
    /// Entries per section (duplicates' too: only for sharing the GIN builds).
    var sectionEntries: [Int]
    var df: [Int32: Int]
    /// `tm_words` rows in COPY's text format.
    var words: [UInt8]
  }

  /// The COPY phase: `threads` workers turn chunks of units into COPY rows
  /// (NFC, the dedupe hash, TMKit's keys) ahead of this thread, which dedupes
  /// in order, numbers the units, streams their rows to `a` and hands the
  /// entries' rows to a thread streaming them to `b`. Both staging tables are
  /// committed when this returns.
  static func stage<Units: RandomAccessCollection<TranslationUnit> & Sendable>(
    _ units: Units, a: PGConnection, b: UncheckedBox<PGConnection>, threads: Int
  ) throws -> Staged where Units.Index == Int {
    let queue = BufferQueue(capacity: 4)
    let entries = Background {
      do {
        try b.value.transaction {
          try b.value.exec("CREATE TABLE tm_entries_load (LIKE tm_entries)")
          try b.value.copyIn("COPY tm_entries_load (unit_id, section, len, exact_hash, skel_hash, keys) FROM STDIN (FORMAT binary)") { send in
            var header = CopyBinary.header
            try send(&header)
            while var buf = try queue.take() { try send(&buf) }
            var trailer: [UInt8] = []
            CopyBinary.int16(-1, to: &trailer)
            try send(&trailer)
          }
        }
      } catch {
        queue.fail(error)
        throw error
      }
    }
    var seen = Set<UnitHash>()
    seen.reserveCapacity(units.count)
    var df: [Int32: Int] = [:]
    var seenWords = Set<UInt64>()
    var words: [UInt8] = []
    var id = 0
    var dups = 0
    var sectionEntries = [Int](repeating: 0, count: EntryKeys.sections.count)
    do {
      try a.transaction {
        try a.exec("CREATE TABLE tm_units_load (LIKE tm_units INCLUDING DEFAULTS INCLUDING GENERATED)")
        try a.copyIn("COPY tm_units_load (id, az, az_cyrl, ru, en, origin, created, score) FROM STDIN") { send in
          let pipeline = LoadPipeline(units: units, chunk: 8192, workers: max(1, threads))
          defer { pipeline.cancel() }
          var unitBuf: [UInt8] = []
          for ci in 0..<pipeline.chunks {
            let r = try pipeline.take(ci)
            unitBuf.removeAll(keepingCapacity: true)
            var entryBuf: [UInt8] = []
            entryBuf.reserveCapacity(r.entryRows.count + 16 * r.entryEnds.count)
            var keep = [Bool](repeating: false, count: r.hashes.count)
            var ids = [Int](repeating: 0, count: r.hashes.count)
            var lineStart = 0
            for k in 0..<r.hashes.count {
              guard seen.insert(r.hashes[k]).inserted else {
                dups += 1
                // The chunk's counts include this unit: take its tokens back.
                for t in r.tokenKeys[(k == 0 ? 0 : r.tokenEnds[k - 1])..<r.tokenEnds[k]] { r.df[t, default: 0] -= 1 }
                lineStart = r.unitEnds[k]
                continue
              }
              id += 1
              keep[k] = true
              ids[k] = id
              unitBuf.append(contentsOf: String(id).utf8)
              unitBuf.append(contentsOf: r.unitRows[lineStart..<r.unitEnds[k]])
              lineStart = r.unitEnds[k]
            }
            // Entries in COPY's binary format: no integer or array text for
            // PostgreSQL to parse (array_in per row was most of its COPY work).
            var at = 0
            for (line, end) in r.entryEnds.enumerated() {
              let k = Int(r.entryUnit[line])
              if keep[k] {
                CopyBinary.int16(6, to: &entryBuf)
                CopyBinary.int32(8, to: &entryBuf)
                CopyBinary.int64(Int64(ids[k]), to: &entryBuf)
                entryBuf.append(contentsOf: r.entryRows[at..<end])
              }
              at = end
            }
            for (t, v) in r.df where v != 0 { df[t, default: 0] += v }
            for (sec, n) in r.sectionEntries.enumerated() { sectionEntries[sec] += n }
            // Each word new to the load, with the first stored unit holding it.
            var resolved = [Bool](repeating: false, count: r.wordHashes.count)
            for k in 0..<r.hashes.count where keep[k] {
              for j in (k == 0 ? 0 : r.tokenEnds[k - 1])..<r.tokenEnds[k] {
                let d = Int(r.tokenWords[j])
                if resolved[d] { continue }
                resolved[d] = true
                guard seenWords.insert(r.wordHashes[d]).inserted else { continue }
                words.append(contentsOf: r.wordRows[(d == 0 ? 0 : r.wordEnds[d - 1])..<r.wordEnds[d]])
                words.append(contentsOf: String(ids[k]).utf8)
                words.append(0x0A)
              }
            }
            try queue.put(entryBuf)
            try send(&unitBuf)
          }
        }
        queue.finish()
        // The units commit only once the entries did: a failure there rolls
        // both back (nothing is in place yet either way).
        try entries.wait()
      }
    } catch {
      queue.fail(error)
      _ = try? entries.wait()
      throw error
    }
    return Staged(added: id, duplicates: dups, sectionEntries: sectionEntries, df: df, words: words)
  }

  /// The texts as stored (NFC, empty dropped), without validation errors.
  static func normalised(_ u: TranslationUnit) -> TranslationUnit {
    (try? prepare(u, index: 0)) ?? u
  }
}

/// The identity of a unit's texts for dedupe in the bulk load: 128 bits,
/// FNV-1a and a multiply-xorshift hash, each over every language's text
/// with its length (one pass over the bytes). A collision would make the
/// load fail on the unique index, never drop a unit silently.
struct UnitHash: Hashable {
  var a: UInt64
  var b: UInt64
  init(_ u: TranslationUnit) {
    var x: UInt64 = 0xcbf2_9ce4_8422_2325
    var y: UInt64 = 0x8422_2325_cbf2_9ce4
    @inline(__always) func mix(_ byte: UInt8) {
      x = (x ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
      y = (y &+ UInt64(byte) &+ 1) &* 0x9E37_79B9_7F4A_7C15
      y ^= y >> 29
    }
    for l in Language.allCases {
      var t = u.texts[l] ?? ""
      var n = t.utf8.count
      for _ in 0..<4 {
        mix(UInt8(truncatingIfNeeded: n))
        n >>= 8
      }
      t.withUTF8 { for byte in $0 { mix(byte) } }
    }
    a = x
    b = y
  }
}

/// COPY's binary format (the PostgreSQL manual, "COPY", "Binary Format"):
/// a signature and two zero words, then per row a 16-bit field count and
/// per field a 32-bit length and the value in network byte order.
enum CopyBinary {
  static let header: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + [UInt8](repeating: 0, count: 8)

  static func int16(_ v: Int16, to out: inout [UInt8]) {
    let b = UInt16(bitPattern: v)
    out.append(UInt8(b >> 8))
    out.append(UInt8(b & 0xFF))
  }

  static func int32(_ v: Int32, to out: inout [UInt8]) {
    let b = UInt32(bitPattern: v)
    out.append(UInt8(b >> 24))
    out.append(UInt8((b >> 16) & 0xFF))
    out.append(UInt8((b >> 8) & 0xFF))
    out.append(UInt8(b & 0xFF))
  }

  static func int64(_ v: Int64, to out: inout [UInt8]) {
    let b = UInt64(bitPattern: v)
    for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8((b >> UInt64(shift)) & 0xFF)) }
  }

  /// An `integer[]` field: its length, then the array (dimensions, no
  /// NULLs, element type int4 = OID 23, size and lower bound 1, the
  /// elements each with its length 4).
  static func int4Array(_ a: [Int32], to out: inout [UInt8]) {
    if a.isEmpty {
      int32(12, to: &out)
      int32(0, to: &out)
      int32(0, to: &out)
      int32(23, to: &out)
      return
    }
    int32(Int32(20 + 8 * a.count), to: &out)
    int32(1, to: &out)
    int32(0, to: &out)
    int32(23, to: &out)
    int32(Int32(a.count), to: &out)
    int32(1, to: &out)
    for v in a {
      int32(4, to: &out)
      int32(v, to: &out)
    }
  }
}

/// The workers of the first load: chunks of units turned into COPY rows on
/// `workers` threads, at most `2 × workers` chunks ahead of the consumer,
/// handed out in order by `take`.
final class LoadPipeline<Units: RandomAccessCollection<TranslationUnit> & Sendable>: @unchecked Sendable
where Units.Index == Int {
  /// One chunk's rows, without the unit ids (the consumer numbers them
  /// after dedupe): every row starts with the tab after its id.
  final class Chunk {
    var hashes: [UnitHash] = []
    var unitRows: [UInt8] = []
    var unitEnds: [Int] = []
    var entryRows: [UInt8] = []
    var entryEnds: [Int] = []
    /// The chunk-local unit of each entry row.
    var entryUnit: [Int32] = []
    /// Document-frequency keys of every unit (for the duplicates to take back).
    var tokenKeys: [Int32] = []
    var tokenEnds: [Int] = []
    /// Beside each of `tokenKeys`, its word among the chunk's distinct
    /// words, whose `tm_words` rows (without the unit id) are
    /// `wordRows[wordEnds[d - 1]..<wordEnds[d]]`, with their hashes.
    var tokenWords: [Int32] = []
    var wordHashes: [UInt64] = []
    var wordRows: [UInt8] = []
    var wordEnds: [Int] = []
    var df: [Int32: Int] = [:]
    /// Entries per section.
    var sectionEntries = [Int](repeating: 0, count: EntryKeys.sections.count)
    var error: (any Error)?
  }

  let units: Units
  let chunk: Int
  let chunks: Int
  private let condition = NSCondition()
  private var done: [Int: Chunk] = [:]
  private var consumed = 0
  private var cancelled = false
  private var nextChunk = 0
  private let ahead: Int

  init(units: Units, chunk: Int, workers: Int) {
    self.units = units
    self.chunk = chunk
    chunks = (units.count + chunk - 1) / chunk
    ahead = 2 * workers
    for _ in 0..<workers {
      let t = Thread { [self] in self.work() }
      t.stackSize = 1 << 22
      t.start()
    }
  }

  func cancel() {
    condition.lock()
    cancelled = true
    condition.broadcast()
    condition.unlock()
  }

  /// Chunk `ci` (in order), waiting for its worker.
  func take(_ ci: Int) throws -> Chunk {
    condition.lock()
    defer { condition.unlock() }
    var got: Chunk?
    while got == nil {
      got = done.removeValue(forKey: ci)
      if got == nil { condition.wait() }
    }
    consumed = ci + 1
    condition.broadcast()
    guard let c = got else { throw TMError(.io, "the load's workers stopped") }
    if let e = c.error { throw e }
    return c
  }

  private func work() {
    let keys = LookupKeys()
    while true {
      condition.lock()
      while !cancelled && nextChunk < chunks && nextChunk >= consumed + ahead { condition.wait() }
      if cancelled || nextChunk >= chunks {
        condition.unlock()
        return
      }
      let ci = nextChunk
      nextChunk += 1
      condition.unlock()
      let c = make(ci, keys: keys)
      condition.lock()
      done[ci] = c
      condition.broadcast()
      condition.unlock()
    }
  }

  private func make(_ ci: Int, keys: LookupKeys) -> Chunk {
    let c = Chunk()
    var wordOf: [UInt64: Int32] = [:]
    let range = (ci * chunk)..<min((ci + 1) * chunk, units.count)
    c.hashes.reserveCapacity(range.count)
    c.unitRows.reserveCapacity(range.count * 160)
    c.entryRows.reserveCapacity(range.count * 400)
    do {
      for i in range {
        let u = try PostgresStore.prepare(units[i], index: i)
        let local = Int32(i - range.lowerBound)
        c.hashes.append(UnitHash(u))
        for l in Language.allCases {
          c.unitRows.append(0x09)
          CopyText.append(u.texts[l], to: &c.unitRows)
        }
        c.unitRows.append(0x09)
        CopyText.append(u.origin, to: &c.unitRows)
        c.unitRows.append(0x09)
        CopyText.append(u.created, to: &c.unitRows)
        c.unitRows.append(0x09)
        CopyText.append(u.score.map { "\($0)" }, to: &c.unitRows)
        c.unitRows.append(0x0A)
        c.unitEnds.append(c.unitRows.count)
        for e in EntryKeys.entries(of: u, keys: keys) {
          // The fields after unit_id, in COPY's binary format (length, then
          // big-endian value); the consumer puts the field count and the id first.
          CopyBinary.int32(2, to: &c.entryRows)
          CopyBinary.int16(Int16(truncatingIfNeeded: e.section), to: &c.entryRows)
          CopyBinary.int32(4, to: &c.entryRows)
          CopyBinary.int32(Int32(clamping: e.length), to: &c.entryRows)
          CopyBinary.int32(8, to: &c.entryRows)
          CopyBinary.int64(e.exactHash, to: &c.entryRows)
          CopyBinary.int32(8, to: &c.entryRows)
          CopyBinary.int64(e.skelHash, to: &c.entryRows)
          CopyBinary.int4Array(e.postingKeys, to: &c.entryRows)
          c.entryEnds.append(c.entryRows.count)
          c.entryUnit.append(local)
          c.sectionEntries[e.section] += 1
          for t in e.tokenKeys {
            c.df[t, default: 0] += 1
            c.tokenKeys.append(t)
          }
          for (w, h) in zip(e.words, e.wordHashes) {
            if let d = wordOf[h] {
              c.tokenWords.append(d)
              continue
            }
            let d = Int32(c.wordHashes.count)
            wordOf[h] = d
            c.tokenWords.append(d)
            c.wordHashes.append(h)
            c.wordRows.append(contentsOf: String(e.section).utf8)
            c.wordRows.append(0x09)
            CopyText.append(w, to: &c.wordRows)
            c.wordRows.append(0x09)
            c.wordRows.append(contentsOf: String(w.utf8.count).utf8)
            c.wordRows.append(0x09)
            c.wordRows.append(contentsOf: String(PostgresStore.byteMask(w.utf8)).utf8)
            c.wordRows.append(0x09)
            c.wordEnds.append(c.wordRows.count)
          }
        }
        c.tokenEnds.append(c.tokenKeys.count)
      }
    } catch {
      c.error = error
    }
    return c
  }
}

/// A value handed to another thread by a caller that guarantees only one
/// thread uses it at a time (a connection given to a `Background` task and
/// used again only after `wait`).
final class UncheckedBox<T>: @unchecked Sendable {
  let value: T
  init(_ value: T) { self.value = value }
}

/// A body run on its own thread; `wait` returns when it ended and rethrows
/// its error.
final class Background: @unchecked Sendable {
  private let done = DispatchSemaphore(value: 0)
  private var error: (any Error)?

  init(_ body: @escaping @Sendable () throws -> Void) {
    let t = Thread { [self] in
      do { try body() } catch { self.error = error }
      done.signal()
    }
    t.stackSize = 1 << 22
    t.start()
  }

  func wait() throws {
    done.wait()
    done.signal()  // a second wait returns at once
    if let error { throw error }
  }
}

/// Byte buffers from one producer to one consumer, at most `capacity`
/// waiting. `finish` ends the stream; `fail` ends it with an error on both
/// sides (the producer's next `put`, the consumer's next `take`).
final class BufferQueue: @unchecked Sendable {
  private let condition = NSCondition()
  private var buffers: [[UInt8]] = []
  private var finished = false
  private var failure: (any Error)?
  private let capacity: Int

  init(capacity: Int) { self.capacity = capacity }

  func put(_ buf: [UInt8]) throws {
    condition.lock()
    defer { condition.unlock() }
    while buffers.count >= capacity && failure == nil { condition.wait() }
    if let failure { throw failure }
    buffers.append(buf)
    condition.broadcast()
  }

  /// The next buffer, nil at the end of the stream.
  func take() throws -> [UInt8]? {
    condition.lock()
    defer { condition.unlock() }
    while buffers.isEmpty && !finished && failure == nil { condition.wait() }
    if let failure { throw failure }
    if buffers.isEmpty { return nil }
    condition.broadcast()
    return buffers.removeFirst()
  }

  func finish() {
    condition.lock()
    finished = true
    condition.broadcast()
    condition.unlock()
  }

  func fail(_ error: any Error) {
    condition.lock()
    if failure == nil { failure = error }
    condition.broadcast()
    condition.unlock()
  }
}
