import Dispatch

/// Runs blocking work (a file's append and fsync, a database call through
/// libpq, aligning or segmenting a posted document) on Dispatch's threads
/// and waits for it without holding the caller's executor. In `tm-server`
/// the event loops are Swift's executor, so work done in a handler would
/// hold its loop, and every connection on it, until it ended.
public func runBlocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
  try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, any Error>) in
    DispatchQueue.global().async { c.resume(with: Result { try body() }) }
  }
}

/// Dispatch's threads as a task executor (see ``offTheLoops(_:)``).
@available(macOS 15.0, *)
final class DispatchTaskExecutor: TaskExecutor {
  static let shared = DispatchTaskExecutor()

  func enqueue(_ job: consuming ExecutorJob) {
    let job = UnownedJob(job)
    let executor = asUnownedTaskExecutor()
    DispatchQueue.global().async { job.runSynchronously(on: executor) }
  }
}

/// Runs async work that computes for long between its awaits (a whole
/// memory's export, encoded in the store's callback as it reads) on
/// Dispatch's threads, with what it awaits: ``runBlocking(_:)`` for work
/// that is itself async. Nonisolated code and default actors inside `body`
/// run there too (a task executor preference), so in `tm-server` no event
/// loop, and no connection on it, waits for it.
public func offTheLoops<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
  if #available(macOS 15.0, *) {
    return try await withTaskExecutorPreference(DispatchTaskExecutor.shared) { try await body() }
  }
  return try await body()
}
