import Foundation
import TMKit

/// What a server needs to keep a derived copy of the memory (its own lookup
/// index, `PostgresDerivedIndex` in TMServer) current from the database.
///
/// Unit ids are assigned in commit order: every transaction that inserts
/// units (`append`, the first load) takes `writeOrderLock` before its first
/// insert and holds it to its end. A transaction that commits later took
/// the lock later, after the earlier one was visible to new snapshots, so
/// its ids are larger; the units any snapshot sees are therefore exactly
/// the committed units up to the largest id it sees (ids that a rolled-back
/// transaction or a duplicate used are gaps, never units that appear
/// later). "Every unit with an id above my high-water mark" is then
/// everything a derived copy lacks.
///
/// A change that is not an append (the first load's `TRUNCATE`, which
/// restarts the ids, or a rewrite of the table) gives `tm_units` a new
/// relation file: `Changes.generation` tells the copy to start over.
extension PostgresStore {
  /// The key of the advisory lock that orders unit ids by commit.
  public static let writeOrderLock = 7340130

  /// Takes the write-order lock in the current transaction (released at
  /// COMMIT or ROLLBACK).
  static func lockWriteOrder(_ c: PGConnection) throws {
    try c.exec("SELECT pg_advisory_xact_lock(\(writeOrderLock))")
  }

  /// The units after `id`, in id order, and the table's generation.
  public struct Changes: Sendable {
    /// The relation file of `tm_units`: changes when the table was
    /// truncated or rewritten (then ids may have restarted).
    public var generation: String
    public var ids: [Int]
    public var units: [TranslationUnit]
    /// True when more units follow (`limit` reached): ask again after the
    /// last id.
    public var more: Bool
  }

  /// One round trip (a prepared statement): the generation and the units
  /// with an id above `id`, at most `limit`.
  public func changes(after id: Int, limit: Int = 20_000) throws -> Changes {
    try run { c in
      let r = try c.execPrepared(
        "tm_changes",
        """
        SELECT NULL::bigint, pg_relation_filenode('tm_units'::regclass)::text, NULL, NULL, NULL, NULL, NULL, NULL::float8
        UNION ALL (SELECT id, \(PostgresStore.textColumns) FROM tm_units WHERE id > $1 ORDER BY id LIMIT $2)
        """, [String(id), String(limit)])
      var out = Changes(generation: "", ids: [], units: [], more: false)
      var rows: [(Int, TranslationUnit)] = []
      for row in 0..<r.rows {
        if r.isNull(row, 0) {
          out.generation = r.string(row, 1) ?? ""
        } else if let i = r.int(row, 0) {
          rows.append((i, PostgresStore.unit(r, row, from: 1)))
        }
      }
      rows.sort { $0.0 < $1.0 }
      out.ids = rows.map(\.0)
      out.units = rows.map(\.1)
      out.more = rows.count >= limit
      return out
    }
  }

  /// Every unit in id order from one snapshot, `batch` at a time, after
  /// `start` is told the snapshot's generation and language columns (read
  /// in the same snapshot, so the header fits every unit streamed).
  public func snapshotUnits(
    batch: Int = 10_000, start: (_ generation: String, _ languages: [Language]) throws -> Void,
    _ body: (_ ids: [Int], _ units: [TranslationUnit]) throws -> Void
  ) throws {
    try run(retry: false) { c in
      try c.transaction {
        try c.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        let g = try c.exec("SELECT pg_relation_filenode('tm_units'::regclass)::text")
        try start(g.string(0, 0) ?? "", try PostgresStore.languages(c))
        try c.exec("DECLARE tm_snap NO SCROLL CURSOR FOR SELECT id, \(PostgresStore.textColumns) FROM tm_units ORDER BY id")
        var ids: [Int] = []
        var units: [TranslationUnit] = []
        ids.reserveCapacity(batch)
        units.reserveCapacity(batch)
        while true {
          let r = try c.exec("FETCH \(batch) FROM tm_snap")
          if r.rows == 0 { break }
          ids.removeAll(keepingCapacity: true)
          units.removeAll(keepingCapacity: true)
          for row in 0..<r.rows {
            ids.append(r.int(row, 0) ?? 0)
            units.append(PostgresStore.unit(r, row, from: 1))
          }
          try body(ids, units)
        }
      }
    }
  }
}
