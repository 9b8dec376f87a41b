/// What a `tm-server` process serves and how: where, who may write, limits.
///
/// Safe by default: loopback only, writes need the bearer token, small
/// bodies, a bounded number of requests at once and a deadline on each.
public struct ServerConfiguration: Sendable {
  /// The address to listen on (`127.0.0.1` unless `--listen` says otherwise).
  public var host: String = "127.0.0.1"
  /// The TCP port; 0 picks a free one (tests).
  public var port: Int = 8080
  /// The folder of memories (every `*.tsv` in it is searched; writes go to
  /// the language pair's file).
  public var memoriesDirectory: String
  /// One memory file instead of a folder (reads and writes).
  public var memoryFile: String?
  /// Where review sessions and a generated token live (default:
  /// `<memories>/.tm-server`).
  public var stateDirectory: String?
  /// The bearer token for writes (from `--token-file`); nil: a random one
  /// is generated at start and written to `<state>/token`.
  public var token: String?
  /// Reads (lookup, stats, export, the page) need the token too.
  public var closedReads: Bool = false
  /// Limits.
  public var maxBodyBytes: Int = 8 << 20
  public var maxQueryCharacters: Int = 2000
  public var maxDocuments: Int = 2
  public var maxBatchSegments: Int = 5000
  public var maxConcurrentRequests: Int = 256
  /// Seconds a request may take to arrive and be answered.
  public var requestTimeout: Double = 30
  /// Seconds a connection may stay idle.
  public var idleTimeout: Double = 60
  /// A `tm align --review` file opened as a review session at start.
  public var reviewFile: String?
  /// The memory in PostgreSQL instead of TSV files: a `postgres://` URL
  /// without a password, or "" for the `PG*` environment variables
  /// (`--store`). The password comes from the password file or PGPASSWORD.
  public var postgres: String?
  /// Connections to the database this server keeps open at most.
  public var databaseConnections: Int = 8
  /// With `postgres`: how old, in seconds, the derived index's last check
  /// of the database may be for a lookup to answer from it without a new
  /// one (`--staleness`); 0: every lookup waits for a check that started
  /// after it arrived. Writes through this server are always in its
  /// lookups' answers. See `PostgresDerivedIndex`.
  public var lookupStaleness: Double = ServerConfiguration.defaultLookupStaleness
  /// 10 ms: far below what a person, or a script going from one server to
  /// another, can notice; a check at most every 10 ms instead of one per lookup.
  public static let defaultLookupStaleness = 0.01

  public init(memoriesDirectory: String) {
    self.memoriesDirectory = memoriesDirectory
  }

  /// The state folder in force.
  public var resolvedStateDirectory: String {
    if let stateDirectory { return stateDirectory }
    if let memoryFile {
      let dir = memoryFile.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
      return (dir.isEmpty ? "." : dir) + "/.tm-server"
    }
    return memoriesDirectory + "/.tm-server"
  }

  /// True when the address is a loopback one.
  public var isLoopback: Bool {
    host == "127.0.0.1" || host == "::1" || host == "localhost" || host.hasPrefix("127.")
  }
}
