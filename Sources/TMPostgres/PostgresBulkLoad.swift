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

  /// Loads units into an empty store with COPY: the units, then their index
  /// entries (keys computed by TMKit on every core while PostgreSQL reads
  /// the previous batch), then the token statistics; the secondary indexes
  /// are built once at the end. One transaction: a load that is killed or
  /// fails leaves the store empty. Duplicates (same texts) are dropped, as
  /// the TSV memory's append would.
  public func bulkLoad<Units: RandomAccessCollection<TranslationUnit> & Sendable>(
    _ units: Units, languages: [Language], threads: Int = 2
  ) throws -> LoadReport where Units.Index == Int {
    var seconds: [String: Double] = [:]
    var clock = Date()
    func lap(_ name: String) {
      seconds[name] = Date().timeIntervalSince(clock)
      clock = Date()
    }
    return try run(retry: false) { c in
      try c.transaction {
        try c.exec("LOCK TABLE tm_units, tm_entries, tm_tokens IN ACCESS EXCLUSIVE MODE")
        let n = try c.exec("SELECT count(*) FROM tm_units").int(0, 0) ?? 0
        if n > 0 {
          throw TMError(
            .usage, "the database memory already has \(n) units; the bulk load is for the first load",
            hint: "add to it with tm import through the server")
        }
        try c.exec("SET LOCAL maintenance_work_mem = '512MB'")
        try c.exec("SET LOCAL synchronous_commit = on")
        // Emptied in this transaction, so with wal_level=minimal the COPY skips WAL.
        try c.exec("TRUNCATE tm_entries, tm_units, tm_tokens")
        try c.exec("ALTER TABLE tm_entries DROP CONSTRAINT tm_entries_unit_id_fkey")
        try c.exec("DROP INDEX tm_entries_keys, tm_entries_exact, tm_entries_skel, tm_units_text_hash")
        try c.exec("ALTER TABLE tm_entries DROP CONSTRAINT tm_entries_pkey")
        try c.exec("INSERT INTO tm_meta (key, value) VALUES ('languages', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
          [languages.map(\.tag).joined(separator: "\t")])

        // Units, deduplicated by their texts (two independent 64-bit hashes).
        var seen = Set<UnitHash>()
        var keep: [Int] = []
        keep.reserveCapacity(units.count)
        var dups = 0
        try c.copyIn("COPY tm_units (id, az, az_cyrl, ru, en, origin, created, score) FROM STDIN") { send in
          var buf: [UInt8] = []
          buf.reserveCapacity(1 << 20)
          var id = 0
          for i in units.indices {
            let u = try PostgresStore.prepare(units[i], index: i)
            guard seen.insert(UnitHash(u)).inserted else {
              dups += 1
              continue
            }
            keep.append(i)
            id += 1
            buf.append(contentsOf: String(id).utf8)
            for l in Language.allCases {
              buf.append(0x09)
              CopyText.append(u.texts[l], to: &buf)
            }
            buf.append(0x09)
            CopyText.append(u.origin, to: &buf)
            buf.append(0x09)
            CopyText.append(u.created, to: &buf)
            buf.append(0x09)
            CopyText.append(u.score.map { "\($0)" }, to: &buf)
            buf.append(0x0A)
            if buf.count >= 1 << 20 { try send(&buf) }
          }
          try send(&buf)
        }
        seen = []
        lap("copy units")

        // Entries: keys by TMKit on `threads` threads, a wave of chunks at a time.
        var df: [Int32: Int] = [:]
        let chunk = 4096
        let chunks = (keep.count + chunk - 1) / chunk
        let ids = keep
        try c.copyIn("COPY tm_entries (unit_id, section, len, exact_hash, skel_hash, keys) FROM STDIN") { send in
          var next = 0
          let workers = max(1, threads)
          while next < chunks {
            let wave = min(workers * 2, chunks - next)
            let out = Mutex<[Int: ([UInt8], [Int32: Int])]>([:])
            let base = next
            DispatchQueue.concurrentPerform(iterations: workers) { w in
              let keys = LookupKeys()
              var k = w
              while k < wave {
                let ci = base + k
                var buf: [UInt8] = []
                buf.reserveCapacity(chunk * 120)
                var local: [Int32: Int] = [:]
                for j in (ci * chunk)..<min((ci + 1) * chunk, ids.count) {
                  let u = units[ids[j]]
                  let id = String(j + 1)
                  for e in EntryKeys.entries(of: PostgresStore.normalised(u), keys: keys) {
                    buf.append(contentsOf: id.utf8)
                    buf.append(0x09)
                    buf.append(contentsOf: String(e.section).utf8)
                    buf.append(0x09)
                    buf.append(contentsOf: String(e.length).utf8)
                    buf.append(0x09)
                    buf.append(contentsOf: String(e.exactHash).utf8)
                    buf.append(0x09)
                    buf.append(contentsOf: String(e.skelHash).utf8)
                    buf.append(0x09)
                    buf.append(contentsOf: CopyText.intArray(e.postingKeys).utf8)
                    buf.append(0x0A)
                    for t in e.tokenKeys { local[t, default: 0] += 1 }
                  }
                }
                let result = (buf, local)
                out.withLock { $0[ci] = result }
                k += workers
              }
            }
            let results = out.withLock { $0 }
            for ci in base..<(base + wave) {
              guard let (b, local) = results[ci] else { continue }
              for (t, v) in local { df[t, default: 0] += v }
              var buf = b
              try send(&buf)
            }
            next += wave
          }
        }
        lap("copy entries (keys by TMKit)")
        try c.copyIn("COPY tm_tokens (key, df) FROM STDIN") { send in
          var buf: [UInt8] = []
          for (k, v) in df {
            buf.append(contentsOf: "\(k)\t\(v)\n".utf8)
            if buf.count >= 1 << 20 { try send(&buf) }
          }
          try send(&buf)
        }
        lap("copy tokens")
        try c.exec("SELECT setval('tm_units_id_seq', greatest(1, (SELECT coalesce(max(id), 0) FROM tm_units)), (SELECT count(*) > 0 FROM tm_units))")
        try c.exec("CREATE UNIQUE INDEX tm_units_text_hash ON tm_units (text_hash)")
        try c.exec("ALTER TABLE tm_entries ADD CONSTRAINT tm_entries_pkey PRIMARY KEY (unit_id, section)")
        lap("index units")
        try c.exec("CREATE INDEX tm_entries_keys ON tm_entries USING gin (keys)")
        lap("index keys (GIN)")
        try c.exec("CREATE INDEX tm_entries_exact ON tm_entries (exact_hash)")
        try c.exec("CREATE INDEX tm_entries_skel ON tm_entries (skel_hash)")
        try c.exec("ALTER TABLE tm_entries ADD CONSTRAINT tm_entries_unit_id_fkey FOREIGN KEY (unit_id) REFERENCES tm_units (id) ON DELETE CASCADE")
        lap("index hashes, foreign key")
        return LoadReport(added: ids.count, duplicates: dups, seconds: seconds)
      }
    }
  }

  /// The texts as stored (NFC, empty dropped), without validation errors.
  static func normalised(_ u: TranslationUnit) -> TranslationUnit {
    (try? prepare(u, index: 0)) ?? u
  }
}

/// The identity of a unit's texts for dedupe in the bulk load: 128 bits of
/// FNV-1a over every language's text with its length.
struct UnitHash: Hashable {
  var a: UInt64
  var b: UInt64
  init(_ u: TranslationUnit) {
    var x: UInt64 = 0xcbf2_9ce4_8422_2325
    var y: UInt64 = 0x84222325cbf29ce4
    for l in Language.allCases {
      let t = u.texts[l] ?? ""
      let head = Array("\(t.utf8.count):".utf8)
      x = fnv1a64(head, seed: x)
      x = fnv1a64(t.utf8, seed: x)
      y = fnv1a64(t.utf8.reversed(), seed: y)
      y = fnv1a64(head, seed: y)
    }
    a = x
    b = y
  }
}
