import Foundation
import Hummingbird
import Logging
import TMKit
import TMPostgres

/// Builds and runs the service.
public enum TMServerApp {
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
      store = PostgresServingStore(store: pg)
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
