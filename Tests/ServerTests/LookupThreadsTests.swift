import Foundation
import Synchronization
import Testing

@testable import TMServer

/// Issue 11 (speed): lookups are served in the order they arrive, so none
/// waits behind lookups that came after it.
@Suite struct LookupThreadsTests {
  @Test func jobsStartInTheOrderTheyWereSubmitted() async throws {
    let pool = LookupThreads(threads: 1)
    let gate = DispatchSemaphore(value: 0)
    let order = Mutex<[Int]>([])
    // The first job holds the only thread while the others queue up.
    pool.submit {
      gate.wait()
      order.withLock { $0.append(0) }
    }
    for i in 1...50 { pool.submit { order.withLock { $0.append(i) } } }
    gate.signal()
    let last = await pool.run { order.withLock { $0.count } }
    #expect(last == 51)
    #expect(order.withLock { $0 } == Array(0...50))
  }

  @Test func runReturnsTheValueOfItsBodyFromEveryThread() async throws {
    let pool = LookupThreads(threads: 3)
    let values = await withTaskGroup(of: Int.self) { group in
      for i in 0..<40 { group.addTask { await pool.run { i * i } } }
      var out: [Int] = []
      for await v in group { out.append(v) }
      return out.sorted()
    }
    #expect(values == (0..<40).map { $0 * $0 })
  }

  /// Each thread carries its own name in the kernel (`top -H`, `perf` and
  /// scripts/bench_serve.py's per-thread CPU read it), never its creator's:
  /// Foundation's `Thread.name` alone lost that race now and then.
  @Test func everyThreadHasItsNameInTheKernel() {
    #if os(Linux)
      for _ in 0..<5 {
        let threads = 4
        let pool = LookupThreads(threads: threads)
        // A job on every thread at once (each waits for all to have
        // started), each reading its own thread's kernel name.
        let started = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let names = Mutex<[String]>([])
        for _ in 0..<threads {
          pool.submit {
            let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "?"
            names.withLock { $0.append(comm.trimmingCharacters(in: .whitespacesAndNewlines)) }
            started.signal()
            release.wait()
          }
        }
        for _ in 0..<threads { started.wait() }
        for _ in 0..<threads { release.signal() }
        let got = names.withLock { $0 }.sorted()
        #expect(got == (0..<threads).map { "tm-lookup-\($0)" })
      }
    #endif
  }
}
