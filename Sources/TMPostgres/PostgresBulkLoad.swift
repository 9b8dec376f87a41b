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
        try PostgresStore.lockWriteOrder(c)  // before the table locks, as appends take it
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

        // One pass, pipelined: `threads` workers turn chunks of units into
        // COPY rows (NFC, the dedupe hash, TMKit's keys) ahead of this
        // thread, which dedupes in order, numbers the units and sends each
        // chunk as a COPY of its units then a COPY of its entries (the
        // foreign key is dropped until the end, so the order of the two
        // tables does not matter). PostgreSQL ingests one chunk while the
        // workers compute the next ones: Swift and the database run at once.
        var seen = Set<UnitHash>()
        seen.reserveCapacity(units.count)
        var df: [Int32: Int] = [:]
        var id = 0
        var dups = 0
        let pipeline = LoadPipeline(units: units, chunk: 8192, workers: max(1, threads))
        defer { pipeline.cancel() }
        var unitBuf: [UInt8] = []
        var entryBuf: [UInt8] = []
        for ci in 0..<pipeline.chunks {
          let r = try pipeline.take(ci)
          unitBuf.removeAll(keepingCapacity: true)
          entryBuf.removeAll(keepingCapacity: true)
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
          entryBuf.append(contentsOf: CopyBinary.header)
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
          CopyBinary.int16(-1, to: &entryBuf)
          for (t, v) in r.df where v != 0 { df[t, default: 0] += v }
          try c.copyIn("COPY tm_units (id, az, az_cyrl, ru, en, origin, created, score) FROM STDIN") { send in
            try send(&unitBuf)
          }
          try c.copyIn("COPY tm_entries (unit_id, section, len, exact_hash, skel_hash, keys) FROM STDIN (FORMAT binary)") { send in
            try send(&entryBuf)
          }
        }
        seen = []
        lap("copy units and entries (keys by TMKit)")
        try c.copyIn("COPY tm_tokens (key, df) FROM STDIN") { send in
          var buf: [UInt8] = []
          for (k, v) in df where v > 0 {
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
        // NOT VALID: every entry was made here from a unit COPYed in this
        // transaction, so checking them all again (a probe of tm_units per
        // entry, 2M at 1M units) proves nothing; rows added later are checked.
        try c.exec("ALTER TABLE tm_entries ADD CONSTRAINT tm_entries_unit_id_fkey FOREIGN KEY (unit_id) REFERENCES tm_units (id) ON DELETE CASCADE NOT VALID")
        lap("index hashes, foreign key")
        return LoadReport(added: id, duplicates: dups, seconds: seconds)
      }
    }
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
    var df: [Int32: Int] = [:]
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
          for t in e.tokenKeys {
            c.df[t, default: 0] += 1
            c.tokenKeys.append(t)
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
