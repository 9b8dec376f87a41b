import Foundation
import TMKit

/// The store the server's workflows run on: a `TSVFolderStore` whose
/// lookups are served from indexes kept in memory.
///
/// `TSVFolderStore` reopens each memory's index on every search (right for
/// a CLI process, a syscall-and-mmap per request for a server). Here the
/// indexes of every memory live in a `Snapshot` that requests share:
/// readers take it under a lock held for a pointer copy and never wait for
/// a writer; `append` group-commits through `WriteQueue` and swaps in a
/// snapshot with the changed memory reindexed (a delta index for appended
/// lines). Memories are named by their file name (never a server path).
public final class ServingStore: MemoryStore, @unchecked Sendable {
  let inner: TSVFolderStore
  let backend: Backend

  init(backend: Backend) {
    self.backend = backend
    let c = backend.configuration
    inner =
      c.memoryFile.map { TSVFolderStore(file: $0, folder: c.memoriesDirectory) }
      ?? TSVFolderStore(folder: c.memoriesDirectory)
  }

  public var displayName: String { "the server's memories" }

  /// The file behind a ref (refs carry the file name).
  func path(_ ref: MemoryRef) throws -> String {
    let snap = backend.snapshot
    if let p = snap.paths.first(where: { fileName($0) == ref.id }) { return p }
    if let m = backend.configuration.memoryFile, fileName(m) == ref.id { return m }
    guard !ref.id.contains("/"), ref.id.hasSuffix(".tsv"), !ref.id.hasPrefix(".") else {
      throw APIError(404, "not_found", "no memory named '\(ref.id)'", field: "memory")
    }
    return backend.configuration.memoriesDirectory + "/" + ref.id
  }

  func ref(_ path: String) -> MemoryRef { MemoryRef(id: fileName(path), name: fileName(path)) }
  func innerRef(_ ref: MemoryRef) throws -> MemoryRef { inner.ref(try path(ref)) }
  func innerRefs(_ refs: [MemoryRef]?) throws -> [MemoryRef]? { try refs?.map(innerRef) }

  public func memories() async throws -> [MemoryInfo] {
    backend.snapshot.paths.map { p in
      MemoryInfo(ref: ref(p), languages: backend.snapshot.indexesByPath[p]?.first?.columns ?? [])
    }
  }

  public func defaultMemory(for languages: [Language]) throws -> MemoryRef {
    if let m = backend.configuration.memoryFile { return ref(m) }
    return MemoryRef(id: MemoryFolder.defaultFileName(languages), name: MemoryFolder.defaultFileName(languages))
  }

  public func append(_ units: [TranslationUnit], to memory: MemoryRef) async throws -> AppendResult {
    try await backend.add(units, memory: try path(memory))
  }

  public func forEachUnit(in memory: MemoryRef, _ body: (StoredUnit) throws -> Void) async throws {
    try await inner.forEachUnit(in: try innerRef(memory)) { s in
      try body(StoredUnit(ref: UnitRef(memory: memory, index: s.ref.index), unit: s.unit))
    }
  }

  public func exact(_ text: String, language: Language, in memories: [MemoryRef]?) async throws -> [StoredUnit] {
    try await inner.exact(text, language: language, in: try innerRefs(memories)).map(outer)
  }

  public func candidates(for request: CandidateRequest) async throws -> [StoredUnit] {
    var r = request
    r.memories = try innerRefs(request.memories)
    return try await inner.candidates(for: r).map(outer)
  }

  func outer(_ s: StoredUnit) -> StoredUnit {
    StoredUnit(ref: UnitRef(memory: ref(s.ref.memory.id), index: s.ref.index), unit: s.unit)
  }

  /// The snapshot's indexes (of the memories asked for), searched by one
  /// borrowed `Matcher`.
  func indexes(_ memories: [MemoryRef]?) throws -> (Snapshot, [LookupIndex]?) {
    let snap = backend.snapshot
    guard let memories else { return (snap, nil) }
    let paths = try memories.map(path)
    return (snap, paths.flatMap { snap.indexesByPath[$0] ?? [] })
  }

  public func search(_ queries: [LookupQuery], in memories: [MemoryRef]?, analysisFloor: Double?) async throws
    -> SearchBatch
  {
    let paths = try memories.map { try $0.map(path) }
    return await backend.snapshot.search(queries, paths: paths, analysisFloor: analysisFloor) { m in
      m.memory = fileName(m.memory)
    }
  }

  public func searchableLanguages(in memories: [MemoryRef]?) async throws -> [Language] {
    let (snap, subset) = try indexes(memories)
    if let subset, try memories?.map(path) != snap.paths { return Matcher(indexes: subset).searchableLanguages }
    return snap.searchable
  }

  public func stats(of memory: MemoryRef) async throws -> MemoryStats {
    var s = try await inner.stats(of: try innerRef(memory))
    s.memory = memory
    return s
  }
}

extension ServingStore: ServedStore {
  public var kind: String { "tsv" }
  public var onlyMemory: MemoryRef? { nil }

  public func add(_ units: [TranslationUnit], memory: String?) async throws -> (AppendResult, memory: String?) {
    if let memory { return (try await append(units, to: MemoryRef(id: memory)), memory) }
    let res = try await backend.add(units)
    let paths = Set(try units.map { try backend.target(of: $0) })
    // The file name only: the server's folder layout is not the client's business.
    return (res, paths.count == 1 ? paths.first.map(fileName) : nil)
  }

  public func summary() async throws -> StoreSummary {
    let s = backend.snapshot
    return StoreSummary(
      memories: s.paths.count, units: s.unitCount, searchable: s.searchable, columns: s.columns,
      indexAge: max(0, Date().timeIntervalSince1970 - s.builtAt))
  }

  public func health() async -> StoreHealth {
    let s = backend.snapshot
    return StoreHealth(ok: true, fields: ["\"store\":\"tsv\"", "\"memories\":\(s.paths.count)", "\"units\":\(s.unitCount)"])
  }
}
