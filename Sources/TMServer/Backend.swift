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
  private var pool: [Matcher] = []

  init(paths: [String], indexesByPath: [String: [LookupIndex]]) {
    self.paths = paths
    self.indexesByPath = indexesByPath
    indexes = paths.flatMap { indexesByPath[$0] ?? [] }
    let m = Matcher(indexes: indexes)
    searchable = m.searchableLanguages
    let have = Set(indexes.flatMap(\.columns))
    columns = Language.allCases.filter(have.contains)
    unitCount = indexes.reduce(0) { $0 + $1.unitCount }
    builtAt = Date().timeIntervalSince1970
    pool = [m]
  }

  func withMatcher<T>(_ body: (Matcher) throws -> T) rethrows -> T {
    poolLock.lock()
    let m = pool.popLast() ?? Matcher(indexes: indexes)
    poolLock.unlock()
    defer {
      poolLock.lock()
      pool.append(m)
      poolLock.unlock()
    }
    return try body(m)
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
      byPath[p] = try LookupIndex.open(memoryPath: p).indexes
    }
    return Snapshot(paths: paths, indexesByPath: byPath)
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
        // The file work runs off the actor so new writes can queue.
        let result = await Task.detached { () -> Result<[AppendResult], any Error> in
          Result { try backend.commit(path: path, batches: mine.map(\.units)) }
        }.value
        switch result {
        case .success(let rs): for (p, r) in zip(mine, rs) { p.continuation.resume(returning: r) }
        case .failure(let e): for p in mine { p.continuation.resume(throwing: e) }
        }
      }
    }
    draining = false
  }
}

func fileName(_ path: String) -> String { String(path.split(separator: "/").last ?? Substring(path)) }
