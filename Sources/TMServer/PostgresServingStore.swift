import Foundation
import TMKit
import TMPostgres

/// The server's store on PostgreSQL (`tm serve --store postgres://…`): the
/// `PostgresStore`, with no state of its own.
///
/// Nothing is cached between requests (no unit, count or index): every
/// request reads the database, so any number of servers on one database
/// answer alike and each sees the others' writes as soon as they commit.
/// Lookups cost a round trip for the candidates; the scoring is TMKit's
/// `Matcher`, as on TSV.
///
/// A database that is down or restarting makes a request fail fast with
/// 503 and a JSON body (`APIError.unavailable`); the store's pool drops the
/// broken connections and opens new ones on the next request, so the
/// server recovers without a restart.
public final class PostgresServingStore: ServedStore {
  public let store: PostgresStore

  public init(store: PostgresStore) { self.store = store }

  public var kind: String { "postgres" }
  public var onlyMemory: MemoryRef? { store.memoryRef }
  public var displayName: String { store.displayName }

  /// Runs `body`, turning "the database is unavailable" into a 503.
  func guarded<T>(_ body: () async throws -> T) async throws -> T {
    do {
      return try await body()
    } catch let e as TMError where PostgresStore.isUnavailable(e) {
      throw APIError.unavailable(e.message)
    }
  }

  public func memories() async throws -> [MemoryInfo] { try await guarded { try await store.memories() } }

  public func defaultMemory(for languages: [Language]) throws -> MemoryRef { try store.defaultMemory(for: languages) }

  /// A memory named by a client must be this store's one memory (its name,
  /// as `memories()` gives it).
  func ref(_ memory: MemoryRef) throws -> MemoryRef {
    guard memory.id == store.memoryRef.id else {
      throw APIError(
        404, "not_found", "no memory named '\(memory.id)': this server's database holds one memory, '\(store.memoryRef.id)'",
        field: "memory")
    }
    return store.memoryRef
  }

  public func append(_ units: [TranslationUnit], to memory: MemoryRef) async throws -> AppendResult {
    let m = try ref(memory)
    return try await guarded { try await store.append(units, to: m) }
  }

  public func forEachUnit(in memory: MemoryRef, _ body: (StoredUnit) throws -> Void) async throws {
    let m = try ref(memory)
    try await guarded { try await store.forEachUnit(in: m, body) }
  }

  public func exact(_ text: String, language: Language, in memories: [MemoryRef]?) async throws -> [StoredUnit] {
    try await guarded { try await store.exact(text, language: language, in: memories) }
  }

  public func candidates(for request: CandidateRequest) async throws -> [StoredUnit] {
    try await guarded { try await store.candidates(for: request) }
  }

  public func search(_ queries: [LookupQuery], in memories: [MemoryRef]?, analysisFloor: Double?) async throws
    -> SearchBatch
  {
    let batch = try await guarded { try await store.search(queries, in: memories, analysisFloor: analysisFloor) }
    // A query that failed because the database went away is the request's
    // failure (503), not a per-query error.
    for r in batch.results {
      if case .failure(let e) = r, PostgresStore.isUnavailable(e) { throw APIError.unavailable(e.message) }
    }
    return batch
  }

  public func searchableLanguages(in memories: [MemoryRef]?) async throws -> [Language] {
    try await guarded { try await store.searchableLanguages(in: memories) }
  }

  public func stats(of memory: MemoryRef) async throws -> MemoryStats {
    let m = try ref(memory)
    return try await guarded { try await store.stats(of: m) }
  }

  public func add(_ units: [TranslationUnit], memory: String?) async throws -> (AppendResult, memory: String?) {
    let m = try ref(memory.map { MemoryRef(id: $0) } ?? store.memoryRef)
    let r = try await guarded { try await store.append(units, to: m) }
    return (r, m.name)
  }

  public func summary() async throws -> StoreSummary {
    try await guarded {
      let s = try await store.summary()
      return StoreSummary(memories: 1, units: s.units, searchable: s.languages, columns: s.languages, indexAge: nil)
    }
  }

  public func health() async -> StoreHealth {
    do {
      let s = try await store.summary()
      return StoreHealth(
        ok: true,
        fields: [
          "\"store\":\"postgres\"", "\"database\":\"ok\"", "\"schema\":\(s.schemaVersion)", "\"memories\":1",
          "\"units\":\(s.units)",
        ])
    } catch {
      let message = (error as? TMError)?.message ?? "\(error)"
      return StoreHealth(
        ok: false, fields: ["\"store\":\"postgres\"", "\"database\":\"unavailable\"", "\"message\":\(JSON.string(message))"])
    }
  }
}
