import Foundation

/// The default store: a folder of memory TSV files
/// (Documentation/MemoryFormat.md), plus any memory files named outside it
/// (`--memory FILE`).
///
/// Each `*.tsv` file is one memory; its ``MemoryRef/id`` (and name) is the
/// file's path as the folder and the file name make it. Lookups use each
/// memory's persisted `LookupIndex` (`<memory>.tsv.idx`, rebuilt when the
/// file changed), so the whole memory is never scanned for a query.
///
/// Every call reads what is on disk now, so several processes (and a
/// server's tasks) can share the folder. The only state kept between calls
/// is the opened lookup indexes, behind a lock and keyed by the memory's
/// fingerprint (size, mtime, a hash of its ends): a changed memory is
/// opened again, an unchanged one is not (a read-only folder would
/// otherwise rebuild its index at every call).
public final class TSVFolderStore: MemoryStore, @unchecked Sendable {
  /// The folder (it need not exist until something is written to it).
  public let folder: String
  /// Memory files named one by one, inside or outside the folder.
  public let files: [String]
  /// Whether the folder's own `*.tsv` files are memories of this store
  /// (false when a command named its memory with `--memory FILE`).
  public let includesFolder: Bool
  private let lock = NSLock()
  private var opened: [String: (MemoryFingerprint, [LookupIndex])] = [:]  // guarded by `lock`

  /// Every `*.tsv` memory in `folder`, and `files`.
  public init(folder: String, files: [String] = [], includesFolder: Bool = true) {
    self.folder = folder
    self.files = files
    self.includesFolder = includesFolder
  }

  /// A store of one memory file: what `--memory FILE` names.
  public convenience init(file: String, folder: String) {
    self.init(folder: folder, files: [file], includesFolder: false)
  }

  public var displayName: String { folder }

  /// The ref of a memory file.
  public func ref(_ path: String) -> MemoryRef { MemoryRef(id: path, name: path) }

  /// The memory files, folder first (sorted by name), then the named ones.
  /// A missing folder is an error only when no file is named.
  public func paths() throws -> [String] {
    var out: [String] = []
    if includesFolder {
      if MemoryFolder.exists(folder) || files.isEmpty { out = try MemoryFolder.memoryFiles(in: folder) }
    }
    for f in files where !out.contains(f) { out.append(f) }
    return out
  }

  public func memories() async throws -> [MemoryInfo] {
    try paths().map { p in MemoryInfo(ref: ref(p), languages: (try? Self.headerLanguages(p)) ?? []) }
  }

  public func defaultMemory(for languages: [Language]) throws -> MemoryRef {
    ref(folder + "/" + MemoryFolder.defaultFileName(languages))
  }

  public func append(_ units: [TranslationUnit], to memory: MemoryRef) async throws -> AppendResult {
    try MemoryFile.append(units, to: memory.id)
  }

  public func forEachUnit(in memory: MemoryRef, _ body: (StoredUnit) throws -> Void) async throws {
    let table = try MemoryTable.open(path: memory.id)
    for i in table.indices { try body(StoredUnit(ref: UnitRef(memory: memory, index: i), unit: table[i])) }
  }

  /// The units of a memory as a random-access table (decoded when visited).
  public func table(_ memory: MemoryRef) throws -> MemoryTable { try MemoryTable.open(path: memory.id) }

  public func exact(_ text: String, language: Language, in memories: [MemoryRef]?) async throws -> [StoredUnit] {
    let text = text.nfc
    var out: [StoredUnit] = []
    for m in try await resolve(memories) {
      let table = try MemoryTable.open(path: m.id)
      for i in table.indices where table.text(i, language) == text {
        out.append(StoredUnit(ref: UnitRef(memory: m, index: i), unit: table[i]))
      }
    }
    return out
  }

  /// Every unit that has text in the request's section: correct, and never
  /// used by lookups here (``search(_:in:analysisFloor:)`` reads the index).
  public func candidates(for request: CandidateRequest) async throws -> [StoredUnit] {
    let languages: [Language] = request.section == .az ? [.az, .azCyrl] : [request.section]
    var out: [StoredUnit] = []
    for m in try await resolve(request.memories) {
      let table = try MemoryTable.open(path: m.id)
      for i in table.indices where languages.contains(where: { table.has(i, $0) }) {
        out.append(StoredUnit(ref: UnitRef(memory: m, index: i), unit: table[i]))
      }
    }
    return out
  }

  /// The indexes of the memories (built and saved when stale), with notes
  /// for a person.
  func indexes(_ memories: [MemoryRef]?) async throws -> (indexes: [LookupIndex], notes: [String], rebuilt: [String]) {
    var indexes: [LookupIndex] = []
    var notes: [String] = []
    var rebuilt: [String] = []
    for m in try await resolve(memories) {
      if let (f, idx) = lock.withLock({ opened[m.id] }), (try? MemoryFingerprint.of(path: m.id)) == f {
        indexes += idx
        continue
      }
      let (idx, didBuild, saved) = try LookupIndex.open(memoryPath: m.id)
      // The newest index (the delta, if any) was built from the memory as it is now.
      if let fp = idx.last?.fingerprint { lock.withLock { opened[m.id] = (fp, idx) } }
      if didBuild { rebuilt.append(m.name + (idx.count > 1 ? " (appended units)" : "")) }
      if !saved {
        notes.append(
          "cannot save the lookup index beside \(m.name) (read-only folder?); every lookup will index the memory again")
      }
      indexes += idx
    }
    return (indexes, notes, rebuilt)
  }

  public func search(_ queries: [LookupQuery], in memories: [MemoryRef]?, analysisFloor: Double?) async throws
    -> SearchBatch
  {
    let (indexes, notes, _) = try await self.indexes(memories)
    let matcher = Matcher(indexes: indexes)
    var results: [Result<LookupResult, TMError>] = []
    for q in queries {
      do {
        results.append(.success(try matcher.lookup(q, analysisFloor: analysisFloor)))
      } catch let e as TMError {
        results.append(.failure(e))
      }
    }
    return SearchBatch(results: results, notes: notes)
  }

  public func searchableLanguages(in memories: [MemoryRef]?) async throws -> [Language] {
    let (indexes, _, _) = try await self.indexes(memories)
    return Matcher(indexes: indexes).searchableLanguages
  }

  public func stats(of memory: MemoryRef) async throws -> MemoryStats {
    MemoryStats.of(try MemoryTable.open(path: memory.id), memory: memory)
  }

  /// The languages a memory file's header names, reading only its start.
  static func headerLanguages(_ path: String) throws -> [Language] {
    guard let h = FileHandle(forReadingAtPath: path) else {
      throw TMError(.io, "cannot read the memory", file: path)
    }
    defer { try? h.close() }
    let head = [UInt8]((try? h.read(upToCount: 1 << 16)) ?? Data())
    guard let nl = head.firstIndex(of: 0x0A) else { return try MemoryFile.columns(path: path).languages }
    let line = Array(head[...nl])
    return try TSVCodec.decode(line, path: path).columns.languages
  }
}

extension [MemoryColumn] {
  /// The language columns, in order.
  var languages: [Language] { compactMap { if case .language(let l) = $0 { return l } else { return nil } } }
}
