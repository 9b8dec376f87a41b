import Foundation
import TMKit

/// The PostgreSQL store behind TMKit's `MemoryStore` protocol: what
/// `tm serve --store postgres://…` and the workflows use.
///
/// One database (or one schema, through `search_path`) holds one memory, named
/// by the store's address; its units carry whatever languages they have, as
/// a TSV memory's do. `UnitRef.index` is the unit's id − 1 (ids count from 1
/// in the order units were added). libpq is blocking, so every call runs on
/// a dispatch thread, never on the cooperative pool the server's tasks share.
extension PostgresStore: MemoryStore {
  public var displayName: String { name }

  /// The one memory of this store.
  public var memoryRef: MemoryRef { MemoryRef(id: name, name: name) }

  func check(_ memory: MemoryRef) throws {
    guard memory.id == name else {
      throw TMError(.notFound, "no memory '\(memory.id)' in the database", hint: "this store holds one memory: \(name)")
    }
  }

  public func memories() async throws -> [MemoryInfo] {
    let langs = try await runBlocking { try self.languages() }
    return [MemoryInfo(ref: memoryRef, languages: langs)]
  }

  public func defaultMemory(for languages: [Language]) throws -> MemoryRef { memoryRef }

  public func append(_ units: [TranslationUnit], to memory: MemoryRef) async throws -> AppendResult {
    try check(memory)
    return try await runBlocking { try self.append(units) }
  }

  public func forEachUnit(in memory: MemoryRef, _ body: (StoredUnit) throws -> Void) async throws {
    try check(memory)
    let ref = memoryRef
    try forEachStoredUnit { id, u in try body(StoredUnit(ref: UnitRef(memory: ref, index: id - 1), unit: u)) }
  }

  public func exact(_ text: String, language: Language, in memories: [MemoryRef]?) async throws -> [StoredUnit] {
    if let memories, !memories.contains(memoryRef) { return [] }
    let ref = memoryRef
    let found = try await runBlocking { try self.exactUnits(text.nfc, language: language) }
    return found.map { StoredUnit(ref: UnitRef(memory: ref, index: $0.0 - 1), unit: $0.1) }
  }

  public func candidates(for request: CandidateRequest) async throws -> [StoredUnit] {
    if let m = request.memories, !m.contains(memoryRef) { return [] }
    let ref = memoryRef
    let q = LookupQuery(text: request.text, language: request.language, limit: request.limit, minScore: request.minScore,
      concordance: request.concordance)
    let found = try await runBlocking { try self.run { c in try PostgresStore.candidates(c, q, analysisFloor: nil) } }
    return zip(found.ids, found.units).map { StoredUnit(ref: UnitRef(memory: ref, index: $0 - 1), unit: $1) }
  }

  /// Candidates from the database, scored by TMKit's Matcher in unit order
  /// (so ties fall as on the TSV memory).
  public func search(_ queries: [LookupQuery], in memories: [MemoryRef]?, analysisFloor: Double?) async throws -> SearchBatch {
    if let memories, !memories.contains(memoryRef) {
      let empty = try CandidateMatcher.lookup(LookupQuery(text: "x", language: .en), candidates: [], analysisFloor: nil)
      return SearchBatch(results: queries.map { _ in .success(empty) })
    }
    let id = memoryRef.id
    let results: [Result<LookupResult, TMError>] = try await runBlocking {
      queries.map { q in
        do {
          var r = try self.lookup(q, analysisFloor: analysisFloor)
          for i in r.matches.indices { r.matches[i].memory = id }
          for i in r.concordance.indices { r.concordance[i].memory = id }
          return .success(r)
        } catch let e as TMError {
          return .failure(e)
        } catch {
          return .failure(TMError(.io, "\(error)"))
        }
      }
    }
    return SearchBatch(results: results)
  }

  /// The memory's languages as recorded with the units (a language is
  /// recorded when the first unit with text in it is stored, and units are
  /// never removed, so this is the languages with text: one indexed read
  /// per lookup, where counting them was a scan of every unit).
  public func searchableLanguages(in memories: [MemoryRef]?) async throws -> [Language] {
    if let memories, !memories.contains(memoryRef) { return [] }
    return try await runBlocking { try self.languages() }
  }

  /// The memory's language columns (`languages()`) off the cooperative pool.
  public func languagesOffPool() async throws -> [Language] { try await runBlocking { try self.languages() } }

  /// `summary()` off the cooperative pool.
  public func summary() async throws -> Summary { try await runBlocking { try self.summary() } }
}
