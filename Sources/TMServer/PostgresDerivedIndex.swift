import Foundation
import TMKit
import TMPostgres

/// A server's own lookup index of the PostgreSQL memory, derived from the
/// database and kept current from it (the database stays the store of
/// record; this is per-snapshot data, like a TSV memory's `.idx`).
///
/// - At start (and after a change that is not an append) a background
///   thread streams the units in id order from one snapshot into a private
///   temporary memory (the bytes `tm export` writes) and opens TMKit's
///   `LookupIndex` on it. Until that is done, lookups take the in-database
///   retrieval (`PostgresStagedLookup.swift`): a cold server answers, with
///   the same answers.
/// - A check of the database asks for the units above the index's
///   high-water mark (`PostgresStore.changes(after:)`, one round trip; ids
///   commit in order, see `PostgresChanges.swift`) and appends them to the
///   temporary memory as `tm add` does, so TMKit puts them in a delta index.
/// - A lookup answers from a check that started at most `staleness` before
///   it arrived, and after every write this server acknowledged before it
///   arrived; when the last check is older (or a write came through this
///   server since), it waits for a new one. Concurrent lookups share one
///   check, but only one that started after they arrived. So a unit added
///   through this server is in every later answer of this server, and one
///   added through another server is in every answer to a lookup that
///   arrives `staleness` after its write was acknowledged. With staleness 0
///   every lookup waits for its own check (read-your-writes across
///   servers), at one round trip and about 0.2 ms of database CPU per
///   lookup (`scripts/bench-postgres.sh`).
/// - Answers are the TSV memory's (it is one) with units numbered by their
///   database ids, as the in-database path numbers them.
///
/// `TM_PG_INDEX_CACHE=off` turns it off (every lookup in the database).
final class PostgresDerivedIndex: @unchecked Sendable {
  /// The index in force and what maps it to the database.
  final class State: @unchecked Sendable {
    let generation: String
    /// The temporary memory's language columns.
    let languages: [Language]
    let path: String
    /// Database id of each unit of the memory, in order.
    let ids: [Int]
    /// The largest id the memory holds (0: none).
    let highWater: Int
    let snapshot: Snapshot

    init(generation: String, languages: [Language], path: String, ids: [Int], highWater: Int, snapshot: Snapshot) {
      self.generation = generation
      self.languages = languages
      self.path = path
      self.ids = ids
      self.highWater = highWater
      self.snapshot = snapshot
    }

    /// The same index with another snapshot of it.
    func with(snapshot: Snapshot) -> State {
      State(generation: generation, languages: languages, path: path, ids: ids, highWater: highWater, snapshot: snapshot)
    }
  }

  let store: PostgresStore
  let folder: String
  private let lock = NSLock()
  private var state: State?
  private var building = false
  private var lastFailure: Double = 0
  private var lastMessage = ""
  private var generationCounter = 0
  /// A check of the database is running; these wait for the next one.
  private var checking = false
  private var waitingForNext: [CheckedContinuation<State?, any Error>] = []
  /// How old (seconds) the last check may be for a lookup to use it.
  let staleness: Double
  /// Writes this server acknowledged (or tried: see `noteWrite`).
  private var writes = 0
  /// When the last check that brought the index up to date started
  /// (monotonic nanoseconds) and `writes` then.
  private var lastCheck: (start: UInt64, writes: Int)?
  /// Figures for `/healthz`.
  private(set) var warmupSeconds: Double?
  private(set) var builds = 0
  /// Where the last build's time went (seconds per phase), and the builds
  /// that failed so far: for tests and diagnostics.
  private var lastPhases: [(String, Double)] = []
  /// The warm index's character-key tables are made (see `startBuilding`).
  private var tablesReady = false
  /// They are being made (on the snapshot the build put in force): lookups
  /// do not start their own meanwhile (see `search`).
  private var makingTables = false
  private var failedBuilds = 0

  /// The last build's phases (or the failed one's) and the failed builds.
  var buildReport: (phases: [(String, Double)], failed: Int) {
    lock.lock()
    defer { lock.unlock() }
    return (lastPhases, failedBuilds)
  }

  static var enabledByEnvironment: Bool {
    let v = (ProcessInfo.processInfo.environment["TM_PG_INDEX_CACHE"] ?? "").lowercased()
    return !(v == "off" || v == "0" || v == "no" || v == "false")
  }

  /// `folder`: where the temporary memories go (default: a new folder in
  /// `TMPDIR`, removed when the index is rebuilt; folders left by servers
  /// that are no longer running are removed at start).
  init(store: PostgresStore, folder: String? = nil, staleness: Double = ServerConfiguration.defaultLookupStaleness) {
    self.store = store
    self.staleness = max(0, staleness.isFinite ? staleness : 0)
    let tmp = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    PostgresDerivedIndex.removeStale(in: tmp)
    self.folder =
      folder ?? "\(tmp)/tm-pg-index-\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
    startBuilding()
  }

  deinit {
    try? FileManager.default.removeItem(atPath: folder)
  }

  /// Removes `tm-pg-index-PID-*` folders of processes that are gone.
  static func removeStale(in tmp: String) {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: tmp) else { return }
    for n in names where n.hasPrefix("tm-pg-index-") {
      let parts = n.split(separator: "-")
      guard parts.count == 5, let pid = Int32(parts[3]), pid != getpid() else { continue }
      if kill(pid, 0) != 0 && errno == ESRCH { try? FileManager.default.removeItem(atPath: tmp + "/" + n) }
    }
  }

  /// "warm", "building" or "cold" (a build failed; retried by the next lookup).
  var status: (name: String, units: Int) {
    lock.lock()
    defer { lock.unlock() }
    if let s = state { return ("warm", s.ids.count) }
    return (building ? "building" : "cold", 0)
  }

  /// Whether the warm index's character-key tables are made.
  var tablesAreReady: Bool {
    lock.lock()
    defer { lock.unlock() }
    return state != nil && tablesReady
  }

  /// Starts the background build unless one runs or the index is warm (and
  /// not sooner than 2 s after a failed one).
  func startBuilding() {
    lock.lock()
    let now = Date().timeIntervalSince1970
    guard state == nil, !building, now - lastFailure >= 2 else {
      lock.unlock()
      return
    }
    building = true
    generationCounter += 1
    let generation = generationCounter
    let dir = folder + "/\(generation)"
    lock.unlock()
    let asked = Date()
    let t = Thread { [self] in
      let start = Date()
      var phases: [(String, Double)] = [("thread start", start.timeIntervalSince(asked))]
      do {
        let s = try build(in: dir, phases: &phases)
        lock.lock()
        state = s
        building = false
        tablesReady = false
        makingTables = true
        warmupSeconds = Date().timeIntervalSince(start)
        lastPhases = phases
        builds += 1
        lock.unlock()
        // The character-key tables the matchers share, made right away
        // (they used to wait for the first lookups), one section per
        // thread, while lookups already use the index (until a table is in
        // force each matcher collects the keys it meets itself: slower, but
        // far faster than the in-database path). At 1M units several CPU
        // seconds; `/healthz` says `"index_tables":"building"` meanwhile.
        let t0 = Date()
        let snapshot = s.snapshot
        let sections = Array(Set(snapshot.searchable.map { LookupKeys.section(of: $0) })).sorted { $0.tag < $1.tag }
        DispatchQueue.concurrentPerform(iterations: sections.count) { i in snapshot.prepare([sections[i]], wait: true) }
        lock.lock()
        if generationCounter == generation {  // no rebuild since
          makingTables = false
          tablesReady = true
          lastPhases.append(("character-key tables (warm meanwhile)", Date().timeIntervalSince(t0)))
          // Appends that landed meanwhile put newer snapshots in force,
          // made before these tables were: the one in force takes them
          // over (its full index is this one), so no lookup makes them again.
          if let cur = state, cur.snapshot !== snapshot {
            state = cur.with(snapshot: Snapshot(paths: cur.snapshot.paths, indexesByPath: cur.snapshot.indexesByPath, previous: snapshot))
          }
        }
        lock.unlock()
        // The previous generations' files.
        if let names = try? FileManager.default.contentsOfDirectory(atPath: folder) {
          for n in names where folder + "/" + n != dir { try? FileManager.default.removeItem(atPath: folder + "/" + n) }
        }
      } catch {
        try? FileManager.default.removeItem(atPath: dir)
        let message = (error as? TMError)?.message ?? "\(error)"
        lock.lock()
        building = false
        failedBuilds += 1
        lastPhases = phases + [("failed: \(message)", Date().timeIntervalSince(start))]
        lastFailure = Date().timeIntervalSince1970
        let report = message != lastMessage
        lastMessage = message
        lock.unlock()
        if report {
          FileHandle.standardError.write(
            Data("tm serve: the lookup index is not built (\(message)); lookups use the database meanwhile\n".utf8))
        }
        // Tried again in a while (or by the next lookup after that).
        DispatchQueue.global().asyncAfter(deadline: .now() + 2.5) { [weak self] in self?.startBuilding() }
      }
    }
    t.stackSize = 8 << 20
    t.start()
  }

  /// Streams the memory from one snapshot into `dir/memory.tsv` and opens
  /// its index.
  func build(in dir: String, phases: inout [(String, Double)]) throws -> State {
    var mark = Date()
    func phase(_ name: String) {
      let now = Date()
      phases.append((name, now.timeIntervalSince(mark)))
      mark = now
    }
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let path = dir + "/memory.tsv"
    guard FileManager.default.createFile(atPath: path, contents: nil), let out = FileHandle(forWritingAtPath: path)
    else { throw TMError(.io, "cannot create the derived memory", file: path) }
    defer { try? out.close() }
    var generation = ""
    var languages: [Language] = []
    var ids: [Int] = []
    var first = true
    try store.snapshotUnits(
      start: { g, l in
        generation = g
        languages = l
      },
      { batchIDs, units in
        var bytes = MemoryFile.encoded(units, languages: languages)
        if !first, let nl = bytes.firstIndex(of: 0x0A) { bytes.removeSubrange(...nl) }
        first = false
        try out.write(contentsOf: bytes)
        ids.append(contentsOf: batchIDs)
      })
    try out.close()
    phase("snapshot stream")
    if ids.isEmpty {
      // Nothing to index: the first unit (a new column) starts a build.
      return State(
        generation: generation, languages: [], path: path, ids: [], highWater: 0,
        snapshot: Snapshot(paths: [], indexesByPath: [:]))
    }
    let opened = try LookupIndex.open(memoryPath: path).indexes
    phase("index build")
    let indexes = PostgresDerivedIndex.kept(opened, from: [])
    phase("huge pages")
    guard indexes.reduce(0, { $0 + $1.unitCount }) == ids.count else {
      throw TMError(.io, "the derived index does not hold every unit", file: path)
    }
    let snapshot = Snapshot(paths: [path], indexesByPath: [path: indexes])
    phase("snapshot")
    return State(
      generation: generation, languages: languages, path: path, ids: ids, highWater: ids.last ?? 0,
      snapshot: snapshot)
  }

  /// The indexes TMKit opened on the derived memory, with the ones the
  /// index in force already holds kept as they are (after an append the
  /// full index is the same file: its huge-page copy and its character-key
  /// tables carry over, as the TSV server's snapshots keep them), and a new
  /// full index copied into transparent huge pages as the TSV server does
  /// (`Snapshot.hugePagesFrom`: the posting scan reads entries at random,
  /// and on the file mapping's 4 KiB pages most of those reads miss the TLB).
  static func kept(_ opened: [LookupIndex], from previous: [LookupIndex]) -> [LookupIndex] {
    var out = opened
    for i in out.indices {
      if let same = previous.first(where: { $0.sameIndex(as: out[i]) }) {
        out[i] = same
      } else if i == 0, out[0].byteCount >= Snapshot.hugePagesFrom, let huge = out[0].inHugePages() {
        out[0] = huge
      }
    }
    return out
  }

  /// The index, brought up to the database as of a moment after this call
  /// began; nil when it is not built (the caller looks up in the database).
  /// Throws when the database cannot be asked (the lookup fails as an
  /// in-database one would).
  func fresh() async throws -> State? {
    if !isBuilt {
      startBuilding()
      return nil
    }
    return try await withCheckedThrowingContinuation { (c: CheckedContinuation<State?, any Error>) in enqueue(c) }
  }

  private var isBuilt: Bool {
    lock.lock()
    defer { lock.unlock() }
    return state != nil
  }

  /// A write through this server is done (or failed, perhaps after its
  /// commit): the next lookup waits for a check that started after it.
  func noteWrite() {
    lock.lock()
    writes += 1
    lock.unlock()
  }

  private static var now: UInt64 { DispatchTime.now().uptimeNanoseconds }

  private func enqueue(_ c: CheckedContinuation<State?, any Error>) {
    lock.lock()
    if staleness > 0, let s = state, let last = lastCheck, last.writes == writes,
      Double(PostgresDerivedIndex.now &- last.start) <= staleness * 1e9
    {
      // Recent enough, and no write through this server since.
      lock.unlock()
      c.resume(returning: s)
      return
    }
    if checking {
      // The running check may have read the database before this lookup
      // arrived: wait for the next one.
      waitingForNext.append(c)
      lock.unlock()
    } else {
      checking = true
      lock.unlock()
      runCheck([c])
    }
  }

  private func runCheck(_ waiters: [CheckedContinuation<State?, any Error>]) {
    DispatchQueue.global().async { [self] in
      lock.lock()
      let started = (start: PostgresDerivedIndex.now, writes: writes)
      lock.unlock()
      let result = Result { try catchUp() }
      lock.lock()
      if case .success(let s?) = result, state === s, started.start > (lastCheck?.start ?? 0) {
        lastCheck = started
      }
      let next = waitingForNext
      waitingForNext = []
      if next.isEmpty { checking = false }
      lock.unlock()
      for w in waiters { w.resume(with: result) }
      if !next.isEmpty { runCheck(next) }
    }
  }

  /// Drops the index (a change that was not an append) and starts a new build.
  private func invalidate() {
    lock.lock()
    state = nil
    lastCheck = nil
    lock.unlock()
    startBuilding()
  }

  /// Runs under `checking` (one at a time): fetches the units above the
  /// high-water mark and appends them to the derived memory.
  private func catchUp() throws -> State? {
    lock.lock()
    guard let old = state else {
      lock.unlock()
      return nil
    }
    lock.unlock()
    var ids = old.ids
    var high = old.highWater
    var appended = false
    while true {
      // A database that cannot answer fails the lookup, as in the database.
      let ch = try store.changes(after: high)
      if ch.generation != old.generation {
        invalidate()
        return nil
      }
      if ch.units.isEmpty { break }
      let have = Set(old.languages)
      if ch.units.contains(where: { u in u.texts.keys.contains { !have.contains($0) } }) {
        // A new language widens the header: a rewrite, not an append.
        invalidate()
        return nil
      }
      do {
        let r = try MemoryFile.append(ch.units, to: old.path)
        guard r.added == ch.units.count else {
          invalidate()
          return nil
        }
      } catch {
        invalidate()
        return nil
      }
      ids.append(contentsOf: ch.ids)
      high = ch.ids.last ?? high
      appended = true
      if !ch.more { break }
    }
    if !appended { return old }
    let indexes: [LookupIndex]
    do {
      indexes = PostgresDerivedIndex.kept(
        try LookupIndex.open(memoryPath: old.path).indexes, from: old.snapshot.indexesByPath[old.path] ?? [])
    } catch {
      invalidate()
      return nil
    }
    guard indexes.reduce(0, { $0 + $1.unitCount }) == ids.count else {
      invalidate()
      return nil
    }
    // From the snapshot in force now: the table build may have handed its
    // tables to a newer one than `old`'s meanwhile (see `startBuilding`).
    lock.lock()
    defer { lock.unlock() }
    let previous = state.map { $0.generation == old.generation ? $0.snapshot : old.snapshot } ?? old.snapshot
    let s = State(
      generation: old.generation, languages: old.languages, path: old.path, ids: ids, highWater: high,
      snapshot: Snapshot(paths: [old.path], indexesByPath: [old.path: indexes], previous: previous))
    state = s
    return s
  }

  /// The lookups on the index, numbered and named as the in-database path
  /// numbers and names them; on the lookup threads, in arrival order (see
  /// `LookupThreads`), as the TSV store's lookups.
  func search(_ queries: [LookupQuery], in s: State, analysisFloor: Double?, name: String) async -> SearchBatch {
    // Not while the build makes the full index's tables: a snapshot put in
    // force by an append meanwhile does not have them yet, and would start
    // making the same tables a second time (seconds of CPU at 1M units);
    // it takes them over when they are made.
    let ids = s.ids
    return await s.snapshot.search(queries, analysisFloor: analysisFloor, prepare: !lock.withLock { makingTables }) { m in
      m.memory = name
      if m.unit >= 0 && m.unit < ids.count { m.unit = ids[m.unit] - 1 }
    }
  }
}
