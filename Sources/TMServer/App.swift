import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import TMKit
import TMPostgres

/// Builds and runs the service.
public enum TMServerApp {
  /// Makes the server's event loops (NIO's singleton group, which the
  /// application listens on) Swift's global executor, so that a request's
  /// handler runs on the loop that read it instead of waking a thread of
  /// the cooperative pool, and its answer is written without waking the loop
  /// again. Measured at a fixed 1,000 lookups/s (scripts/openloop.c), each
  /// request cost 7 voluntary context switches, and its CPU time grew from
  /// 0.35 ms at 2,000/s to 0.67 ms at 250/s: the wake-ups, not the lookup.
  /// Lookups still run on `LookupThreads`, off the loops. Call it first thing
  /// in `main`, on the main thread, once; false when it could not be done
  /// (the server then runs as before).
  @discardableResult
  public static func runTasksOnEventLoops() -> Bool {
    NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
  }

  /// Everything a running server needs, ready to serve.
  public struct Prepared: Sendable {
    public let application: Application<TMResponder>
    /// The token writes need (from `--token-file`, or generated).
    public let token: String
    /// Where a generated token was written (nil with `--token-file`).
    public let tokenFile: String?
    /// The TSV folder's indexes (nil on PostgreSQL).
    public let backend: Backend?
    /// What the routes serve.
    public let store: any ServedStore
    /// The session opened from `--review FILE`.
    public let reviewID: String?
  }

  /// Loads the memories and their indexes, the review sessions and the
  /// token, and builds the application (not yet listening).
  /// `serving`: a store made by the caller instead of the one `config`
  /// names (tests: a database that is down).
  public static func prepare(
    _ config: ServerConfiguration, logger: Logger, serving: (any ServedStore)? = nil,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
  ) async throws -> Prepared {
    let logger = logger.deferringMetadata()
    let backend: Backend?
    let store: any ServedStore
    if let serving {
      store = serving
      backend = nil
    } else if let url = config.postgres {
      // Applies the missing migrations (under an advisory lock: servers
      // starting together apply each once). A database that is down at
      // start is an error: the server never starts half-configured.
      let pg = try PostgresStore(
        url: url.isEmpty ? nil : url, connections: config.databaseConnections, migrate: true,
        name: PostgresStore.databaseName(url))
      store = PostgresServingStore(store: pg, staleness: config.lookupStaleness)
      backend = nil
    } else {
      let b = try Backend(configuration: config)
      store = ServingStore(backend: b)
      backend = b
    }
    let state = config.resolvedStateDirectory
    var token = config.token
    var tokenFile: String?
    if token == nil {
      let path = state + "/token"
      if let d = FileManager.default.contents(atPath: path),
        let t = String(data: d, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), t.count >= 16
      {
        token = t
      } else {
        var bytes = [UInt8](repeating: 0, count: 24)
        var g = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255, using: &g) }
        let t = bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        try MemoryFile.writeAtomically(Array((t + "\n").utf8), to: path)
        chmod(path, 0o600)
        token = t
      }
      tokenFile = path
    }
    let finalToken = token ?? ""
    let reviews = try ReviewStore(folder: state + "/reviews")
    let reviewID = try await config.reviewFile.asyncMap { try await openReviewFile($0, store: reviews) }
    let metrics = ServerMetrics()
    let api = try API(store: store, config: config, reviews: reviews, token: finalToken, metrics: metrics, logger: logger)
    let responder = TMResponder(api: api, inFlight: InFlight(limit: config.maxConcurrentRequests), metrics: metrics)
    let app = Application(
      responder: responder,
      server: .http1(configuration: .init(idleTimeout: .seconds(Int64(config.idleTimeout)))),
      configuration: .init(address: .hostname(config.host, port: config.port), serverName: nil, reuseAddress: true),
      onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? config.port) },
      logger: logger)
    return Prepared(
      application: app, token: finalToken, tokenFile: tokenFile, backend: backend, store: store, reviewID: reviewID)
  }

  /// Opens the `--review` file as a session (a session made from a file of
  /// the same name is reused, so a restart continues the review).
  static func openReviewFile(_ path: String, store: ReviewStore) async throws -> String {
    guard let d = FileManager.default.contents(atPath: path), let text = String(data: d, encoding: .utf8) else {
      throw TMError(.io, "cannot read the review file", file: path)
    }
    let name = fileName(path)
    if let s = await store.list().first(where: { $0.source_name == name }) { return s.id }
    return try await store.create(fromReviewTSV: text, name: name).id
  }
}

extension Optional {
  func asyncMap<T>(_ f: (Wrapped) async throws -> T) async rethrows -> T? {
    switch self {
    case .none: return nil
    case .some(let w): return try await f(w)
    }
  }
}
