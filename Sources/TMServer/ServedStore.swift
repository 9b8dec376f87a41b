import TMKit

/// What the server's routes need of a store beyond TMKit's `MemoryStore`:
/// writes routed to a pair's memory, the figures `/healthz`, `/metrics` and
/// `/api/v1/languages` show, and the state of what is behind it. The TSV
/// folder (`ServingStore`) and PostgreSQL (`PostgresServingStore`) both
/// implement it, so every route works the same on either.
public protocol ServedStore: MemoryStore {
  /// `tsv` or `postgres` (shown by `/healthz`).
  var kind: String { get }

  /// Appends `units` in one atomic write: to `memory` (a name from
  /// `memories()`) or, when nil, each unit's pair memory. Returns the counts
  /// and the memory written when there was one.
  func add(_ units: [TranslationUnit], memory: String?) async throws -> (AppendResult, memory: String?)

  /// The store's one memory when it holds exactly one by design (the
  /// database): imports go there whatever languages they hold.
  var onlyMemory: MemoryRef? { get }

  /// The figures of the moment (memories, units, languages).
  func summary() async throws -> StoreSummary

  /// Whether the store can serve: for PostgreSQL a round trip to the
  /// database (never waiting longer than the connect timeout).
  func health() async -> StoreHealth
}

public struct StoreSummary: Sendable {
  public var memories: Int
  public var units: Int
  /// Languages with text to search in.
  public var searchable: [Language]
  /// Languages units have translations in.
  public var columns: [Language]
  /// Seconds since the lookup indexes in force were built (nil: no
  /// indexes held by the server, as on PostgreSQL).
  public var indexAge: Double?
}

public struct StoreHealth: Sendable {
  public var ok: Bool
  /// JSON members for `/healthz`, already encoded (`"units":12`).
  public var fields: [String]
}

extension APIError {
  /// The store behind the server cannot answer now (the database is down
  /// or restarting): 503, with a hint to retry. A write that gets this was
  /// not committed, or its outcome is unknown and a retry is safe (a unit
  /// already stored is a duplicate, never a second copy).
  static func unavailable(_ message: String) -> APIError {
    var e = APIError(
      503, "unavailable", message,
      hint: "the server reconnects by itself; try again in a moment")
    e.headers = [("Retry-After", "1")]
    return e
  }
}
