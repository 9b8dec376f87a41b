import Foundation
import NIOCore
import NIOPosix

/// The threads lookups run on: one per core, taking lookups strictly in the
/// order they arrive.
///
/// A lookup is CPU work of 1 ms to a few hundred ms (a near-duplicate-heavy
/// memory at 1M units). Run on Swift's global executor, a request that had
/// waited for a lookup to finish was not resumed in arrival order: under 32
/// connections at the worst-case 1M memory most requests waited nothing
/// (p50 5 ms) while some, cheap ones too, waited 1.5–2.4 s (p99 1.7 s,
/// requests over wrk's 2 s timeout), though no request's own work took more
/// than 0.5 s (the handler's own time, `/metrics`). Here a lookup waits only
/// for the lookups that arrived before it, which bounds its wait by their
/// work; the executor's threads keep only the cheap HTTP and JSON work.
final class LookupThreads: @unchecked Sendable {
  /// The server's pool (as many threads as the machine has cores).
  static let shared = LookupThreads(threads: ProcessInfo.processInfo.activeProcessorCount)

  private let condition = NSCondition()
  /// Jobs not started yet; `head` is the next one (a ring would save the
  /// compaction, which runs once the queue empties).
  private var jobs: [(@Sendable () -> Void)?] = []
  private var head = 0
  let threadCount: Int

  init(threads: Int) {
    threadCount = max(1, threads)
    for i in 0..<threadCount {
      let name = "tm-lookup-\(i)"
      let t = Thread { [self] in
        // The kernel's name of the thread (what `top -H`, `perf` and
        // /proc/PID/task/*/comm show, and scripts/bench_serve.py counts by),
        // set by the thread itself: else it keeps its creator's (an event
        // loop's, `NIO-SGLTN-…`). `Thread.current.name` alone left one of
        // the two threads with its creator's name now and then (Foundation
        // applies it only once `start()` has recorded the thread, which the
        // new thread can outrun); Linux's own file for it has no such race.
        Thread.current.name = name
        #if os(Linux)
          try? name.write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
        #endif
        loop()
      }
      t.stackSize = 8 << 20
      t.start()
    }
  }

  /// Runs `body` on one of the threads, after every job submitted before it
  /// has started.
  ///
  /// Called from an event loop (when `TMServerApp.runTasksOnEventLoops`
  /// made the event loops Swift's executor), the caller resumes on that same
  /// loop, which then writes the answer on the connection it read the
  /// request from: one thread wake-up per hop instead of two (a resume from
  /// here would go to any loop, and the write hop to the connection's).
  func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    let loop = MultiThreadedEventLoopGroup.currentEventLoop
    return await withCheckedContinuation { (c: CheckedContinuation<T, Never>) in
      submit {
        let r = body()
        if let loop {
          loop.execute { c.resume(returning: r) }
        } else {
          c.resume(returning: r)
        }
      }
    }
  }

  /// Queues `job` behind those submitted before it.
  func submit(_ job: @escaping @Sendable () -> Void) {
    condition.lock()
    jobs.append(job)
    condition.signal()
    condition.unlock()
  }

  private func loop() {
    while true {
      condition.lock()
      while head == jobs.count { condition.wait() }
      let job = jobs[head]
      jobs[head] = nil
      head += 1
      if head == jobs.count {
        jobs.removeAll(keepingCapacity: true)
        head = 0
      }
      condition.unlock()
      job?()
    }
  }
}
