import Foundation
import Testing

@testable import TMKit

#if canImport(Glibc)
  import Glibc
#endif

/// A task executor with one thread of its own: what an event loop is to
/// `tm-server`, whose loops are Swift's executor.
private final class OneThreadExecutor: TaskExecutor, @unchecked Sendable {
  private let condition = NSCondition()
  private var jobs: [UnownedJob] = []
  private var thread: pthread_t?

  init() {
    Thread { [self] in run() }.start()
    condition.lock()
    while thread == nil { condition.wait() }
    condition.unlock()
  }

  func enqueue(_ job: consuming ExecutorJob) {
    let job = UnownedJob(job)
    condition.lock()
    jobs.append(job)
    condition.signal()
    condition.unlock()
  }

  /// Whether the caller runs on this executor's thread.
  var isCurrent: Bool {
    condition.lock()
    defer { condition.unlock() }
    guard let thread else { return false }
    return pthread_equal(thread, pthread_self()) != 0
  }

  private func run() {
    condition.lock()
    thread = pthread_self()
    condition.broadcast()
    condition.unlock()
    while true {
      condition.lock()
      while jobs.isEmpty { condition.wait() }
      let job = jobs.removeFirst()
      condition.unlock()
      job.runSynchronously(on: asUnownedTaskExecutor())
    }
  }
}

/// Issue 11 (readers never wait on long work): a whole memory's export,
/// encoded in the store's callback as it reads, leaves the caller's
/// executor (an event loop in `tm-server`) free.
@Suite struct OffTheLoopsTests {
  /// On which thread the export's sink saw each chunk: the loop's or not.
  fileprivate func exportSinkOnLoop(_ loop: OneThreadExecutor, off: Bool) async throws -> (caller: Bool, sink: [Bool], bytes: Int) {
    let store = InMemoryStore()
    _ = try await store.append(newsUnits, to: MemoryRef(id: "news"))
    let writer = try #require(FormatRegistry.writer("tmx"))
    let seen = SinkLog()
    let export: @Sendable () async throws -> ExportReport = {
      try await Export(store: store).run(memory: nil, format: writer, from: nil, to: nil) { bytes in
        seen.add(onLoop: loop.isCurrent, bytes: bytes.count)
      }
    }
    return try await withTaskExecutorPreference(loop) {
      let caller = loop.isCurrent
      _ = off ? try await offTheLoops(export) : try await export()
      return (caller, seen.onLoop, seen.bytes)
    }
  }

  @Test func anExportOffTheLoopsNeverRunsOnTheCallersExecutor() async throws {
    let loop = OneThreadExecutor()
    // As the server ran it before: the caller and the encoding on the loop.
    let before = try await exportSinkOnLoop(loop, off: false)
    #expect(before.caller)
    #expect(!before.sink.isEmpty && before.sink.allSatisfy { $0 })
    // Through offTheLoops: the same bytes, none of them made on the loop.
    let after = try await exportSinkOnLoop(loop, off: true)
    #expect(after.caller)
    #expect(!after.sink.isEmpty && after.sink.allSatisfy { !$0 })
    #expect(after.bytes == before.bytes && after.bytes > 1000)
  }
}

private final class SinkLog: @unchecked Sendable {
  private let lock = NSLock()
  private var loops: [Bool] = []
  private var count = 0
  func add(onLoop: Bool, bytes: Int) {
    lock.lock()
    loops.append(onLoop)
    count += bytes
    lock.unlock()
  }
  var onLoop: [Bool] { lock.lock(); defer { lock.unlock() }; return loops }
  var bytes: Int { lock.lock(); defer { lock.unlock() }; return count }
}
