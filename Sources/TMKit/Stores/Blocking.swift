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
