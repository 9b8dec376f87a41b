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
}
