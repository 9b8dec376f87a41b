import Foundation
import TMKit

/// The adapter between the HTTP layer and TMKit: the memories, their lookup
/// indexes and the writes.
///
/// Readers take the current `Snapshot` (the indexes of every memory, built
/// once) under a lock held for a pointer copy, and never wait for a writer.
/// Writers queue their units; one drain loop appends everything queued per
/// memory in one locked write (group commit), rebuilds the changed indexes
/// (a delta index for appended lines) and swaps a new snapshot in.
public final class Backend: @unchecked Sendable {
  public let configuration: ServerConfiguration
  private let lock = NSLock()
  private var current: Snapshot
  private let writer: WriteQueue

  public init(configuration: ServerConfiguration) throws {
    self.configuration = configuration
    current = try Snapshot.load(configuration, previous: nil)
    writer = WriteQueue()
  }

  /// The indexes in force.
  public var snapshot: Snapshot {
    lock.lock()
    defer { lock.unlock() }
    return current
  }

  func swap(_ s: Snapshot) {
    lock.lock()
    current = s
    lock.unlock()
  }

  /// Reloads every memory (e.g. after a change by another process).
  public func reload() throws {
    let s = try Snapshot.load(configuration, previous: snapshot)
    swap(s)
  }

  // MARK: Writes

  /// Appends units to the memory of their pair (or the server's one
  /// memory), in one group commit with every other write queued meanwhile.
  public func add(_ units: [TranslationUnit], memory: String? = nil) async throws -> AppendResult {
    if units.isEmpty { return AppendResult(added: 0, duplicates: 0) }
    var byPath: [String: [TranslationUnit]] = [:]
    var order: [String] = []
    for u in units {
      let path = try memory ?? target(of: u)
      if byPath[path] == nil { order.append(path) }
      byPath[path, default: []].append(u)
    }
    var total = AppendResult(added: 0, duplicates: 0)
    for path in order {
      let r = try await writer.submit(path: path, units: byPath[path] ?? [], backend: self)
      total.added += r.added
      total.duplicates += r.duplicates
    }
    return total
  }

  /// The memory a unit goes to when none is named.
  func target(of u: TranslationUnit) throws -> String {
    if let m = configuration.memoryFile { return m }
    let langs = Language.allCases.filter { u.texts[$0] != nil }
    guard langs.count == 2 else {
      throw APIError(400, "bad_request", "a unit with \(langs.count) languages has no default memory", field: "memory",
        hint: "name the memory, or give two languages")
    }
    return MemoryFolder.defaultMemory(in: configuration.memoriesDirectory, langs[0], langs[1])
  }

  /// Runs under the write queue: the units of many requests into one memory.
  func commit(path: String, batches: [[TranslationUnit]]) throws -> [AppendResult] {
    // Per-request counts: a unit is new when neither the memory nor an
    // earlier request in the group holds it (the append itself is the
    // authority for what is stored).
    var seen = Set<UnitKey>()
    if FileManager.default.fileExists(atPath: path) {
      let table = try MemoryTable.open(path: path)
      seen.reserveCapacity(table.count)
      for i in table.indices { seen.insert(UnitKey(table[i])) }
    }
    var results: [AppendResult] = []
    for b in batches {
      var r = AppendResult(added: 0, duplicates: 0)
      for u in b { if seen.insert(UnitKey(u)).inserted { r.added += 1 } else { r.duplicates += 1 } }
      results.append(r)
    }
    let dir = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
    if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
    _ = try MemoryFile.append(batches.flatMap { $0 }, to: path)
    let s = try Snapshot.load(configuration, previous: snapshot, changed: path)
    swap(s)
    return results
  }

}

/// The indexes of every memory at one moment. Immutable; a write makes a
/// new one. `Matcher`s are not thread-safe, so each request borrows one.
public final class Snapshot: @unchecked Sendable {
  public let paths: [String]
  let indexesByPath: [String: [LookupIndex]]
  public let indexes: [LookupIndex]
  // (indexesByPath is read by ServingStore)
  public let searchable: [Language]
  public let columns: [Language]
  public let unitCount: Int
  /// When these indexes were put in force (seconds since 1970).
  public let builtAt: Double
  private let poolLock = NSLock()
  /// Idle matchers per set of memories searched ("" = all), each with the
  /// `tablesVersion` it adopted.
  private var pools: [String: [(Matcher, Int)]] = [:]
  /// At most this many sets of memories get pooled matchers.
  static let maxPools = 32
  /// Full indexes of at least this many bytes are copied into huge pages,
  /// unless `TM_SERVER_HUGE_PAGES=off` (the copy is resident in full: a 1M
  /// unit memory's index is about 450 MB of memory the kernel cannot drop
  /// as it can the file's pages) or the kernel has them off.
  static let hugePagesFrom: Int = {
    if ProcessInfo.processInfo.environment["TM_SERVER_HUGE_PAGES"] == "off" { return .max }
    let thp = (try? String(contentsOfFile: "/sys/kernel/mm/transparent_hugepage/enabled", encoding: .utf8)) ?? ""
    return thp.contains("[never]") ? .max : 8 << 20
  }()
  /// Per index and section language, the complete character-key table
  /// (made in the background, see `prepare`), shared by every matcher.
  private var tables: [ObjectIdentifier: [Language: CharacterKeys]] = [:]
  private var tablesVersion = 0
  private var started: Set<String> = []

  init(paths: [String], indexesByPath: [String: [LookupIndex]], previous: Snapshot? = nil) {
    self.paths = paths
    self.indexesByPath = indexesByPath
    indexes = paths.flatMap { indexesByPath[$0] ?? [] }
    let m = Matcher(indexes: indexes)
    searchable = m.searchableLanguages
    let have = Set(indexes.flatMap(\.columns))
    columns = Language.allCases.filter(have.contains)
    unitCount = indexes.reduce(0) { $0 + $1.unitCount }
    builtAt = Date().timeIntervalSince1970
    pools[""] = [(m, -1)]
    // The tables of indexes this snapshot keeps from the previous one.
    if let previous {
      previous.poolLock.lock()
      for idx in indexes {
        let id = ObjectIdentifier(idx)
        if previous.indexes.contains(where: { $0 === idx }), let t = previous.tables[id] {
          tables[id] = t
          for l in t.keys { started.insert("\(id.hashValue)-\(l.tag)") }
        }
      }
      previous.poolLock.unlock()
    }
  }

  /// Runs `body` with an idle matcher over the memories `paths` (nil: all),
  /// made when none is idle and put back afterwards, so that what a matcher
  /// keeps between lookups (see `Matcher`) is used by the next request.
  func withMatcher<T>(paths: [String]? = nil, _ body: (Matcher) throws -> T) rethrows -> T {
    let key = paths.map { $0 == self.paths ? "" : $0.joined(separator: "\u{0}") } ?? ""
    poolLock.lock()
    var (m, version) =
      pools[key]?.popLast()
      ?? (Matcher(indexes: key.isEmpty ? indexes : (paths ?? []).flatMap { indexesByPath[$0] ?? [] }), -1)
    if version != tablesVersion {
      for idx in m.indexes {
        for (l, t) in tables[ObjectIdentifier(idx)] ?? [:] { m.adopt(t, for: idx, language: l) }
      }
      version = tablesVersion
    }
    poolLock.unlock()
    defer {
      poolLock.lock()
      if pools[key] != nil || pools.count < Snapshot.maxPools { pools[key, default: []].append((m, version)) }
      poolLock.unlock()
    }
    return try body(m)
  }

  /// Starts making, in the background, the character-key tables of the
  /// sections `languages` search (once per index and section): until one
  /// is in force, each matcher collects the keys it meets itself.
  /// `wait`: make them on this thread and return when they are in force
  /// (a store that builds its index in the background, before it says warm).
  func prepare(_ languages: [Language], wait: Bool = false) {
    var todo: [(LookupIndex, Language)] = []
    poolLock.lock()
    for idx in indexes {
      let id = ObjectIdentifier(idx)
      for l in languages {
        let section = LookupKeys.section(of: l)
        guard idx.searchableSections.contains(section), started.insert("\(id.hashValue)-\(section.tag)").inserted else { continue }
        todo.append((idx, section))
      }
    }
    poolLock.unlock()
    guard !todo.isEmpty else { return }
    let work = todo
    let make: @Sendable () -> Void = { [self] in
      for (idx, l) in work {
        guard let t = CharacterKeys.complete(idx, language: l) else { continue }
        poolLock.lock()
        tables[ObjectIdentifier(idx), default: [:]][l] = t
        tablesVersion += 1
        poolLock.unlock()
      }
    }
    if wait {
      make()
    } else {
      DispatchQueue.global(qos: .utility).async(execute: make)
    }
  }

  /// Reads the memories of `configuration`; indexes of unchanged memories
  /// are kept from `previous`, the `changed` one (or any whose file moved
  /// on) is reopened.
  static func load(_ configuration: ServerConfiguration, previous: Snapshot?, changed: String? = nil) throws -> Snapshot {
    let paths: [String]
    if let m = configuration.memoryFile {
      paths = FileManager.default.fileExists(atPath: m) ? [m] : []
    } else {
      var isDir: ObjCBool = false
      if FileManager.default.fileExists(atPath: configuration.memoriesDirectory, isDirectory: &isDir), isDir.boolValue {
        paths = try MemoryFolder.memoryFiles(in: configuration.memoriesDirectory)
      } else {
        paths = []
      }
    }
    var byPath: [String: [LookupIndex]] = [:]
    for p in paths {
      if p != changed, let old = previous?.indexesByPath[p], let first = old.last,
        (try? MemoryFingerprint.of(path: p)) == first.fingerprint
      {
        byPath[p] = old
        continue
      }
      // The full index in huge pages (the posting scan's random reads
      // miss the TLB less); after an append the full index is the same
      // file, so the copy (and its character-key tables) is kept.
      var opened = try LookupIndex.open(memoryPath: p).indexes
      if let first = opened.first {
        if let kept = previous?.indexesByPath[p]?.first, kept.sameIndex(as: first) {
          opened[0] = kept
        } else if first.byteCount >= Snapshot.hugePagesFrom, let huge = first.inHugePages() {
          opened[0] = huge
        }
      }
      byPath[p] = opened
    }
    return Snapshot(paths: paths, indexesByPath: byPath, previous: previous)
  }
}

/// Serialises writes and groups the ones that queue up meanwhile.
actor WriteQueue {
  private struct Pending {
    var path: String
    var units: [TranslationUnit]
    var continuation: CheckedContinuation<AppendResult, any Error>
  }
  private var pending: [Pending] = []
  private var draining = false

  func submit(path: String, units: [TranslationUnit], backend: Backend) async throws -> AppendResult {
    try await withCheckedThrowingContinuation { c in
      pending.append(Pending(path: path, units: units, continuation: c))
      if !draining {
        draining = true
        Task { await self.drain(backend) }
      }
    }
  }

  private func drain(_ backend: Backend) async {
    while !pending.isEmpty {
      let batch = pending
      pending = []
      var paths: [String] = []
      for p in batch where !paths.contains(p.path) { paths.append(p.path) }
      for path in paths {
        let mine = batch.filter { $0.path == path }
        // The file work runs off the actor so new writes can queue, and off
        // the event loops (`runBlocking`).
        let units = mine.map(\.units)
        do {
          let rs = try await runBlocking { try backend.commit(path: path, batches: units) }
          for (p, r) in zip(mine, rs) { p.continuation.resume(returning: r) }
        } catch {
          for p in mine { p.continuation.resume(throwing: error) }
        }
      }
    }
    draining = false
  }
}

extension Snapshot {
  /// `queries` on this snapshot's memories (`paths`, or all of them) with
  /// one borrowed matcher, on the lookup threads in arrival order (see
  /// `LookupThreads`); each match and concordance hit goes through `rename`
  /// (what the store calls its memory and units), a query's error is its
  /// own result. `prepare`: make the character-key tables of the queries'
  /// languages first (when none are being made elsewhere).
  func search(
    _ queries: [LookupQuery], paths: [String]? = nil, analysisFloor: Double?, prepare: Bool = true,
    rename: @escaping @Sendable (inout Match) -> Void
  ) async -> SearchBatch {
    // (`Lookup` names every memory when it asks for all: those share one pool.)
    if prepare { self.prepare(Array(Set(queries.map(\.language)))) }
    let results = await LookupThreads.shared.run { () -> [Result<LookupResult, TMError>] in
      var results: [Result<LookupResult, TMError>] = []
      results.reserveCapacity(queries.count)
      self.withMatcher(paths: paths) { m in
        for q in queries {
          do {
            var r = try m.lookup(q, analysisFloor: analysisFloor)
            for i in r.matches.indices { rename(&r.matches[i]) }
            for i in r.concordance.indices { rename(&r.concordance[i]) }
            results.append(.success(r))
          } catch let e as TMError {
            results.append(.failure(e))
          } catch {
            results.append(.failure(TMError(.io, "\(error)")))
          }
        }
      }
      return results
    }
    return SearchBatch(results: results)
  }
}

/// The last non-empty `/`-separated part of `path` (`path` itself when it
/// has none): found on the UTF-8 bytes, as it runs several times a request.
func fileName(_ path: String) -> String {
  let u = path.utf8
  var end = u.endIndex
  while end > u.startIndex, u[u.index(before: end)] == 0x2F { end = u.index(before: end) }
  guard end > u.startIndex else { return path }
  var start = end
  while start > u.startIndex, u[u.index(before: start)] != 0x2F { start = u.index(before: start) }
  if start == u.startIndex && end == u.endIndex { return path }
  return String(path[start..<end])
}
