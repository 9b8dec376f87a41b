import Foundation
import TMKit
import TMPostgres

/// The server's store on PostgreSQL (`tm serve --store postgres://…`): the
/// `PostgresStore`, and a lookup index derived from it.
///
/// The database is the store of record: writes, counts, exports and exact
/// reads go to it. Lookups run on the server's own index of the memory
/// (`PostgresDerivedIndex`), built in the background at start and brought
/// up to the database's committed units by a check (one round trip) at most
/// `staleness` (10 ms) before each lookup and after each write through this
/// server, so any number of servers on one database answer alike and each
/// sees its own writes at once and the others' within the staleness. Until the index is
/// built (or with `TM_PG_INDEX_CACHE=off`) lookups retrieve their
/// candidates in the database; the scoring is TMKit's `Matcher` either way.
///
/// A database that is down or restarting makes a request fail fast with
/// 503 and a JSON body (`APIError.unavailable`); the store's pool drops the
/// broken connections and opens new ones on the next request, so the
/// server recovers without a restart.
public final class PostgresServingStore: ServedStore {
  public let store: PostgresStore

  /// The derived lookup index (nil: off).
  let derived: PostgresDerivedIndex?

  /// `indexCache`: keep the derived lookup index (default: unless
  /// `TM_PG_INDEX_CACHE=off`). `staleness`: seconds, see
  /// `ServerConfiguration.lookupStaleness`.
  public init(
    store: PostgresStore, indexCache: Bool? = nil, staleness: Double = ServerConfiguration.defaultLookupStaleness
  ) {
    self.store = store
    derived =
      indexCache ?? PostgresDerivedIndex.enabledByEnvironment
      ? PostgresDerivedIndex(store: store, staleness: staleness) : nil
  }

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
    // (Also when it fails: it may have failed after its commit.)
    defer { derived?.noteWrite() }
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
    if let derived, memories == nil || memories?.contains(store.memoryRef) == true,
      let state = try await guarded({ try await derived.fresh() })
    {
      return await derived.search(queries, in: state, analysisFloor: analysisFloor, name: store.memoryRef.id)
    }
    let batch = try await guarded { try await store.search(queries, in: memories, analysisFloor: analysisFloor) }
    // A query that failed because the database went away is the request's
    // failure (503), not a per-query error.
    for r in batch.results {
      if case .failure(let e) = r, PostgresStore.isUnavailable(e) { throw APIError.unavailable(e.message) }
    }
    return batch
  }

  /// With a warm derived index: one freshness check, taken when the lookup
  /// arrives (shared with the lookups that arrive while it runs), and the
  /// memory's languages and the matches from the index it brought up to
  /// date: one round trip per lookup instead of three (the languages twice
  /// and the check). Otherwise the store itself (the database).
  public func lookupView() async throws -> any MemoryStore {
    guard let derived, let state = try await guarded({ try await derived.fresh() }), !state.ids.isEmpty else {
      // In the database (cold, or `--no-index-cache`): the memory's
      // languages read once for the lookup, not once by `memories()` and
      // again by `searchableLanguages()`.
      let languages = try await guarded { try await store.languagesOffPool() }
      return PostgresLookupView(base: self, languages: languages, warm: nil)
    }
    return PostgresLookupView(base: self, languages: state.languages, warm: (derived, state))
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
    defer { derived?.noteWrite() }
    let r = try await guarded { try await store.append(units, to: m) }
    return (r, m.name)
  }

  public func summary() async throws -> StoreSummary {
    try await guarded {
      let s = try await store.summary()
      return StoreSummary(memories: 1, units: s.units, searchable: s.languages, columns: s.languages, indexAge: nil)
    }
  }

  /// The derived index's state for `/healthz`: `"index":"warm"` (with the
  /// units it holds and the seconds its last build took), `"building"`,
  /// `"cold"` or `"off"`.
  var indexFields: [String] {
    guard let derived else { return ["\"index\":\"off\""] }
    let s = derived.status
    var f = ["\"index\":\"\(s.name)\""]
    if s.name == "warm" {
      f.append("\"index_units\":\(s.units)")
      f.append("\"index_tables\":\"\(derived.tablesAreReady ? "ready" : "building")\"")
    }
    if let w = derived.warmupSeconds { f.append("\"index_build_seconds\":\((w * 1000).rounded() / 1000)") }
    let r = derived.buildReport
    if !r.phases.isEmpty {
      f.append(
        "\"index_build_phases\":{"
          + r.phases.map { "\(JSON.string($0.0)):\(($0.1 * 1000).rounded() / 1000)" }.joined(separator: ",") + "}")
    }
    if r.failed > 0 { f.append("\"index_failed_builds\":\(r.failed)") }
    return f
  }

  public func health() async -> StoreHealth {
    do {
      let s = try await store.summary()
      return StoreHealth(
        ok: true,
        fields: [
          "\"store\":\"postgres\"", "\"database\":\"ok\"", "\"schema\":\(s.schemaVersion)", "\"memories\":1",
          "\"units\":\(s.units)",
        ] + indexFields)
    } catch {
      let message = (error as? TMError)?.message ?? "\(error)"
      return StoreHealth(
        ok: false, fields: ["\"store\":\"postgres\"", "\"database\":\"unavailable\"", "\"message\":\(JSON.string(message))"])
    }
  }
}

/// One lookup's view of a `PostgresServingStore`: the memory's languages as
/// read once when the lookup arrived, and, with a warm derived index
/// (`warm`), the index as one freshness check (taken after the lookup
/// arrived) left it, so every unit committed before then is in it; the
/// languages are then the index's (a unit in a new language is not an
/// append: the check drops the index and the lookup goes to the database).
/// Without one (cold, or `--no-index-cache`) matches come from the
/// database. Everything else goes to the store.
struct PostgresLookupView: MemoryStore {
  let base: PostgresServingStore
  let languages: [Language]
  let warm: (index: PostgresDerivedIndex, state: PostgresDerivedIndex.State)?

  var displayName: String { base.displayName }

  func memories() async throws -> [MemoryInfo] { [MemoryInfo(ref: base.store.memoryRef, languages: languages)] }

  func defaultMemory(for languages: [Language]) throws -> MemoryRef { try base.defaultMemory(for: languages) }

  func append(_ units: [TranslationUnit], to memory: MemoryRef) async throws -> AppendResult {
    try await base.append(units, to: memory)
  }

  func forEachUnit(in memory: MemoryRef, _ body: (StoredUnit) throws -> Void) async throws {
    try await base.forEachUnit(in: memory, body)
  }

  func exact(_ text: String, language: Language, in memories: [MemoryRef]?) async throws -> [StoredUnit] {
    try await base.exact(text, language: language, in: memories)
  }

  func candidates(for request: CandidateRequest) async throws -> [StoredUnit] {
    try await base.candidates(for: request)
  }

  func search(_ queries: [LookupQuery], in memories: [MemoryRef]?, analysisFloor: Double?) async throws -> SearchBatch {
    guard let warm, memories == nil || memories?.contains(base.store.memoryRef) == true else {
      return try await base.search(queries, in: memories, analysisFloor: analysisFloor)
    }
    return await warm.index.search(queries, in: warm.state, analysisFloor: analysisFloor, name: base.store.memoryRef.id)
  }

  func searchableLanguages(in memories: [MemoryRef]?) async throws -> [Language] {
    if let memories, !memories.contains(base.store.memoryRef) { return [] }
    return languages
  }

  func stats(of memory: MemoryRef) async throws -> MemoryStats { try await base.stats(of: memory) }
}
