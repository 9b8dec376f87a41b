import CPQShim
import Foundation
import Synchronization
import TMKit

/// One libpq connection. Not thread-safe: a `PGPool` hands each one to a
/// single caller at a time.
final class PGConnection {
  let handle: UnsafeMutableRawPointer
  /// Set when a statement failed in a way that leaves the connection unusable.
  private(set) var broken = false
  /// Per-connection helpers (see `keys`).
  var scratch: AnyObject?

  init(conninfo: String) throws {
    guard let h = tmpq_connect(conninfo) else { throw TMError(.io, "PostgreSQL: out of memory") }
    handle = h
    guard tmpq_connected(h) != 0 else {
      // deinit finishes the handle (it runs for a class whose init throws
      // after every property is set): finishing it here too was a double free.
      throw PGError.connection(String(cString: tmpq_error(h)).trimmingCharacters(in: .whitespacesAndNewlines))
    }
    _ = try exec("SET client_encoding = 'UTF8'")
  }

  deinit { tmpq_finish(handle) }

  var isUsable: Bool { !broken && tmpq_connected(handle) != 0 }

  /// Runs one statement with text parameters (nil = NULL).
  @discardableResult
  func exec(_ sql: String, _ params: [String?] = []) throws -> PGResult {
    let res: UnsafeMutableRawPointer? = withCStrings(params) { ptrs in
      sql.withCString { s in tmpq_exec(handle, s, Int32(params.count), ptrs) }
    }
    return try check(res)
  }

  /// The schema holding the intarray extension ("" when it is not
  /// installed), looked up once per connection (migration 002).
  private var intarray: String?

  func intarraySchema() throws -> String {
    if let s = intarray { return s }
    let r = try exec(
      "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'intarray'")
    let s = r.rows > 0 ? (r.string(0, 0) ?? "") : ""
    intarray = s
    return s
  }

  private var lookupSettings = false

  /// Before a lookup's statements: the candidate query's `&&` over a long
  /// query's hundreds of keys costs a sequential scan seconds (the planner
  /// prices the overlap test as one cheap operator per row) where the GIN
  /// index takes milliseconds, so sequential scans are priced out, and a
  /// lookup runs on its own backend (no parallel workers: the servers
  /// already run lookups side by side). Set once per connection; the
  /// store's other statements read by index or still scan where no index
  /// applies.
  func useLookupSettings() throws {
    if lookupSettings { return }
    try exec("SET enable_seqscan = off")
    try exec("SET max_parallel_workers_per_gather = 0")
    // No JIT: a lookup's statements run for milliseconds, and at 1M units
    // the planner's cost of the similar-word segments (a nested loop over
    // the chosen words) is above `jit_above_cost`, so each run compiled its
    // expressions first (15 ms of a 70 ms statement).
    try exec("SET jit = off")
    lookupSettings = true
  }

  /// Statements prepared on this connection (by name).
  private var prepared: Set<String> = []

  /// Runs a statement prepared once per connection under `name` (parsed and
  /// planned once; a lookup runs the same few statements thousands of times).
  @discardableResult
  func execPrepared(_ name: String, _ sql: String, _ params: [String?]) throws -> PGResult {
    if !prepared.contains(name) {
      let r: UnsafeMutableRawPointer? = name.withCString { n in
        sql.withCString { s in tmpq_prepare(handle, n, s, Int32(params.count)) }
      }
      _ = try check(r)
      prepared.insert(name)
    }
    let res: UnsafeMutableRawPointer? = withCStrings(params) { ptrs in
      name.withCString { n in tmpq_exec_prepared(handle, n, Int32(params.count), ptrs) }
    }
    return try check(res)
  }

  func check(_ res: UnsafeMutableRawPointer?) throws -> PGResult {
    guard let res else {
      broken = tmpq_connected(handle) == 0
      throw PGError.connection(String(cString: tmpq_error(handle)).trimmingCharacters(in: .whitespacesAndNewlines))
    }
    if tmpq_status(res) == TMPQ_ERROR {
      let msg = String(cString: tmpq_result_error(res)).trimmingCharacters(in: .whitespacesAndNewlines)
      let state = String(cString: tmpq_sqlstate(res))
      tmpq_clear(res)
      if tmpq_connected(handle) == 0 || state.hasPrefix("08") || state.hasPrefix("57P") {
        broken = true
        throw PGError.connection(msg)
      }
      throw PGError.statement(msg, sqlstate: state)
    }
    return PGResult(res)
  }

  /// `COPY … FROM STDIN`: `fill` is called with a sink for text-format rows
  /// until it returns.
  func copyIn(_ sql: String, _ fill: ((inout [UInt8]) throws -> Void) throws -> Void) throws {
    let start = try exec(sql)
    guard start.status == TMPQ_COPY_IN else { throw PGError.statement("COPY did not start", sqlstate: "") }
    var failure: Error?
    do {
      try fill { buf in
        if buf.isEmpty { return }
        let ok = buf.withUnsafeBufferPointer { p in
          p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: p.count) { tmpq_put_copy(handle, $0, Int32(p.count)) }
        }
        buf.removeAll(keepingCapacity: true)
        if ok != 1 {
          broken = true
          throw PGError.connection(String(cString: tmpq_error(handle)))
        }
      }
    } catch {
      failure = error
    }
    _ = failure == nil ? tmpq_put_copy_end(handle, nil) : tmpq_put_copy_end(handle, "aborted by the client")
    var firstError: Error? = failure
    while let r = tmpq_get_result(handle) {
      do { _ = try check(r) } catch { if firstError == nil { firstError = error } }
    }
    if let firstError { throw firstError }
  }

  /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
  func transaction<T>(_ body: () throws -> T) throws -> T { try transaction(body: body, committing: {}) }

  /// `committing` is called just before COMMIT is sent.
  func transaction<T>(body: () throws -> T, committing: () -> Void) throws -> T {
    try exec("BEGIN")
    do {
      let v = try body()
      committing()
      try exec("COMMIT")
      return v
    } catch {
      if isUsable { _ = try? exec("ROLLBACK") }
      throw error
    }
  }
}

/// A statement's rows.
final class PGResult {
  let handle: UnsafeMutableRawPointer
  init(_ h: UnsafeMutableRawPointer) { handle = h }
  deinit { tmpq_clear(handle) }
  var status: Int32 { tmpq_status(handle) }
  var rows: Int { Int(tmpq_ntuples(handle)) }
  var fields: Int { Int(tmpq_nfields(handle)) }
  func isNull(_ r: Int, _ c: Int) -> Bool { tmpq_isnull(handle, Int32(r), Int32(c)) != 0 }
  func string(_ r: Int, _ c: Int) -> String? {
    if isNull(r, c) { return nil }
    let p = tmpq_value(handle, Int32(r), Int32(c))!
    let n = Int(tmpq_length(handle, Int32(r), Int32(c)))
    return p.withMemoryRebound(to: UInt8.self, capacity: n) {
      String(decoding: UnsafeBufferPointer(start: $0, count: n), as: UTF8.self)
    }
  }
  func int(_ r: Int, _ c: Int) -> Int? { string(r, c).flatMap { Int($0) } }
  var affected: Int { Int(String(cString: tmpq_cmd_tuples(handle))) ?? 0 }
}

enum PGError: Error, CustomStringConvertible {
  case connection(String)
  case statement(String, sqlstate: String)

  var description: String {
    switch self {
    case .connection(let m): return "PostgreSQL connection: \(m)"
    case .statement(let m, let s): return "PostgreSQL: \(m)" + (s.isEmpty ? "" : " [\(s)]")
    }
  }

  var sqlstate: String {
    if case .statement(_, let s) = self { return s }
    return "08000"
  }

  static let unavailablePrefix = "the database is unavailable"

  var isConnection: Bool {
    if case .connection = self { return true }
    return false
  }

  /// Worth retrying the whole transaction (deadlock, serialization).
  var isTransient: Bool { sqlstate == "40P01" || sqlstate == "40001" }

  var tmError: TMError {
    switch self {
    case .connection(let m):
      // libpq's messages run over lines ("…unexpectedly\n\tThis probably means…"): one line.
      let line = m.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
      return TMError(.io, "\(PGError.unavailablePrefix): \(line)", hint: "check that PostgreSQL is running; the store reconnects by itself")
    case .statement(let m, let s):
      return TMError(.io, "the database refused a statement: \(m)" + (s.isEmpty ? "" : " (SQLSTATE \(s))"))
    }
  }
}

private func withCStrings<R>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
  var owned: [UnsafeMutablePointer<CChar>?] = strings.map { $0.map { strdup($0) } ?? nil }
  defer { for p in owned { free(p) } }
  return owned.withUnsafeMutableBufferPointer { buf in
    buf.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: max(buf.count, 1)) { body($0) }
  }
}

/// A fixed-size set of connections, opened lazily and replaced when they
/// break (a PostgreSQL restart): the store reconnects without a restart.
final class PGPool: Sendable {
  let conninfo: String
  let size: Int
  private let state: Mutex<State>
  private let available = DispatchSemaphore(value: 0)
  /// Calls of `with` so far (each runs one or more statements on one
  /// connection: a lookup's round trips, for tests and `/healthz`).
  let uses = Atomic<Int>(0)

  struct State: ~Copyable {
    var idle: [UInt] = []  // retained PGConnection, as a bit pattern
    var opened = 0
  }

  init(conninfo: String, size: Int) {
    self.conninfo = conninfo
    self.size = max(1, size)
    state = Mutex(State())
  }

  /// Runs `body` on a connection of the pool (waiting for a free one).
  /// A connection that broke is dropped, and the error is the caller's.
  func with<T>(_ body: (PGConnection) throws -> T) throws -> T {
    uses.add(1, ordering: .relaxed)
    let conn = try checkout()
    defer { checkin(conn) }
    return try body(conn)
  }

  private func checkout() throws -> PGConnection {
    while true {
      let got: (UInt?, Bool) = state.withLock { s in
        if let p = s.idle.popLast() { return (p, false) }
        if s.opened < size {
          s.opened += 1
          return (nil, true)
        }
        return (nil, false)
      }
      if let b = got.0, let p = UnsafeMutableRawPointer(bitPattern: b) {
        return Unmanaged<PGConnection>.fromOpaque(p).takeRetainedValue()
      }
      if got.1 {
        do {
          return try PGConnection(conninfo: conninfo)
        } catch {
          state.withLock { $0.opened -= 1 }
          available.signal()
          throw error
        }
      }
      available.wait()
    }
  }

  private func checkin(_ c: PGConnection) {
    if c.isUsable {
      let p = UInt(bitPattern: Unmanaged.passRetained(c).toOpaque())
      state.withLock { $0.idle.append(p) }
    } else {
      state.withLock { $0.opened -= 1 }
    }
    available.signal()
  }

  deinit {
    state.withLock { s in
      for b in s.idle { if let p = UnsafeMutableRawPointer(bitPattern: b) { Unmanaged<PGConnection>.fromOpaque(p).release() } }
      s.idle = []
    }
  }
}
