import ArgumentParser
import Foundation
import Logging
import TMKit
import TMPostgres
import TMServer

/// `tm-server` (also `tm serve`): the memories as an HTTP service.
struct TMServerCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tm-server",
    abstract: "Serve the memories over HTTP: a JSON API, the tmserver protocol and a browser page.",
    discussion: """
      The memories are a folder of TSV files (--memories, --memory), or one memory in \
      PostgreSQL (--store postgres://USER@HOST:PORT/DATABASE, or --store postgres for the \
      PG* environment variables). The database password comes from --password-file, \
      PGPASSFILE/~/.pgpass or PGPASSWORD, never from the command line: an address with a \
      password in it is refused. On PostgreSQL any number of servers may share one \
      database; each applies missing schema migrations at start ('tm serve migrate' only \
      applies them).

      Listens on 127.0.0.1 unless --listen says otherwise. Endpoints: / (the page), /api/v1/ \
      (JSON API; /api/v1/openapi.yaml describes it), /tmserver/ (Weblate, amaGama, Virtaal), \
      /healthz, /metrics. Writes need 'Authorization: Bearer TOKEN' with the content of \
      --token-file (without one, a token is generated in the state folder). SIGTERM or \
      Ctrl-C finishes the requests in flight and exits 0.
      """,
    subcommands: [MigrateCommand.self]
  )

  @Option(help: ArgumentHelp("The address to listen on (default 127.0.0.1; 0.0.0.0 for every interface).", valueName: "host"))
  var listen: String = "127.0.0.1"
  @Option(help: "The TCP port (0: any free one).") var port: Int = 8080
  @Option(help: ArgumentHelp("The folder of memories (default: $TM_MEMORIES, else ./Memories).", valueName: "dir"))
  var memories: String?
  @Option(help: ArgumentHelp("Serve one memory file instead of a folder.", valueName: "file"))
  var memory: String?
  @Option(name: .customLong("token-file"), help: ArgumentHelp("A file holding the bearer token writes need.", valueName: "file"))
  var tokenFile: String?
  @Flag(name: .customLong("closed-reads"), help: "Reads need the token too (tmserver: /tmserver/k/TOKEN/).")
  var closedReads = false
  @Option(help: ArgumentHelp("Where review sessions are kept (default: <memories>/.tm-server).", valueName: "dir"))
  var state: String?
  @Option(help: ArgumentHelp("Open a 'tm align --review' TSV as a review session on the page.", valueName: "file"))
  var review: String?
  @Option(name: .customLong("max-body"), help: "The largest request body, in bytes.") var maxBody: Int = 8 << 20
  @Option(name: .customLong("max-query"), help: "The longest lookup query, in characters.") var maxQuery: Int = 2000
  @Option(name: .customLong("max-concurrent"), help: "Requests served at once; more get 503.") var maxConcurrent: Int = 256
  @Option(help: "Seconds a request body may take to arrive.") var timeout: Double = 30
  @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error.") var logLevel: String = "notice"
  @OptionGroup var database: DatabaseOptions

  func validate() throws {
    if !(0...65535).contains(port) { throw ValidationError("--port must be between 0 and 65535 (got \(port))") }
    if maxBody < 1024 { throw ValidationError("--max-body must be at least 1024") }
    if maxConcurrent < 1 { throw ValidationError("--max-concurrent must be at least 1") }
    if !(timeout > 0) { throw ValidationError("--timeout must be positive") }
    if Logger.Level(rawValue: logLevel) == nil { throw ValidationError("unknown --log-level '\(logLevel)'") }
  }

  func run() async throws {
    var config = ServerConfiguration(memoriesDirectory: MemoryFolder.directory(explicit: memories))
    config.host = listen
    config.port = port
    config.memoryFile = memory
    config.stateDirectory = state
    config.closedReads = closedReads
    config.maxBodyBytes = maxBody
    config.maxQueryCharacters = maxQuery
    config.maxConcurrentRequests = maxConcurrent
    config.requestTimeout = timeout
    config.reviewFile = review
    config.postgres = try database.address()
    config.databaseConnections = database.connections
    config.lookupStaleness = database.staleness / 1000
    if config.postgres != nil && (memories != nil || memory != nil) {
      throw ValidationError("--store and --memories/--memory name two different memories: give one")
    }
    if let tokenFile {
      guard let d = FileManager.default.contents(atPath: tokenFile),
        let t = String(data: d, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), !t.isEmpty
      else {
        throw TMError(.io, "cannot read a token from the file", file: tokenFile, hint: "put one line of random text in it")
      }
      if t.count < 16 { throw TMError(.usage, "the token is shorter than 16 characters", file: tokenFile) }
      config.token = t
    }
    var logger = Logger(label: "tm-server")
    logger.logLevel = Logger.Level(rawValue: logLevel) ?? .notice
    let host = listen.contains(":") ? "[\(listen)]" : listen
    let prepared = try await TMServerApp.prepare(config, logger: logger) { actual in
      let s = "tm-server: listening on http://\(host):\(actual)/ (page /, API /api/v1/, tmserver /tmserver/)\n"
      FileHandle.standardError.write(Data(s.utf8))
    }
    if let snap = prepared.backend?.snapshot {
      note("serving \(snap.unitCount) units from \(snap.paths.count) memories in \(memory ?? config.memoriesDirectory)")
    } else if let s = try? await prepared.store.summary() {
      note("serving \(s.units) units from the database \(prepared.store.displayName) (schema up to date)")
    }
    if let f = prepared.tokenFile { note("writes need the token in \(f)") }
    if !config.isLoopback && tokenFile == nil {
      note("warning: listening on \(listen), beyond loopback, without --token-file; anyone who can reach it can read the memories")
    }
    if let id = prepared.reviewID { note("review of \(review ?? ""): http://\(host):\(port)/#review=\(id)") }
    try await prepared.application.runService()
    note("stopped")
  }

  func note(_ s: String) { FileHandle.standardError.write(Data(("tm-server: " + s + "\n").utf8)) }
}

/// Where the PostgreSQL memory is, and how to log in.
struct DatabaseOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Serve the memory in PostgreSQL: postgres://USER@HOST:PORT/DATABASE (no password), or 'postgres' for the PG* variables (default: $TM_STORE).",
      valueName: "url"))
  var store: String?
  @Option(
    name: .customLong("password-file"),
    help: ArgumentHelp("A file whose first line is the database password (else PGPASSFILE, ~/.pgpass or PGPASSWORD).", valueName: "file"))
  var passwordFile: String?
  @Option(name: .customLong("db-connections"), help: "Database connections this server keeps at most.")
  var connections: Int = 8
  @Option(
    help: ArgumentHelp(
      "A lookup may answer from this server's index as checked against the database up to MS milliseconds before it arrived: units added through other servers in that time may be missing; this server's own writes never are. 0: every lookup checks (read-your-writes across servers).",
      valueName: "ms"))
  var staleness: Double = ServerConfiguration.defaultLookupStaleness * 1000
  @Flag(
    name: .customLong("no-index-cache"),
    help: "Look up in the database only: no lookup index of the memory derived in this server (also TM_PG_INDEX_CACHE=off).")
  var noIndexCache = false

  /// The address for `ServerConfiguration.postgres` (nil: TSV files), the
  /// password from the file put where libpq reads it.
  func address() throws -> String? {
    let env = ProcessInfo.processInfo.environment["TM_STORE"].flatMap { $0.isEmpty ? nil : $0 }
    guard let s = store ?? env else {
      if passwordFile != nil { throw ValidationError("--password-file works with --store postgres://…") }
      return nil
    }
    if connections < 1 { throw ValidationError("--db-connections must be at least 1") }
    if !(staleness >= 0 && staleness <= 60_000) { throw ValidationError("--staleness takes milliseconds from 0 to 60000") }
    // Read by PostgresServingStore when it starts.
    if noIndexCache { setenv("TM_PG_INDEX_CACHE", "off", 1) }
    let url: String
    switch s {
    case "postgres", "postgresql", "postgres:", "postgresql:": url = ""
    default:
      guard s.hasPrefix("postgres://") || s.hasPrefix("postgresql://") else {
        throw ValidationError("--store takes a postgres:// URL or 'postgres' (got '\(s)'); TSV memories are --memories DIR")
      }
      url = s
    }
    if let passwordFile {
      guard let d = FileManager.default.contents(atPath: passwordFile),
        let line = String(data: d, encoding: .utf8)?.split(separator: "\n", omittingEmptySubsequences: false).first,
        !line.trimmingCharacters(in: .whitespaces).isEmpty
      else {
        throw TMError(.io, "cannot read a password from the file", file: passwordFile, hint: "put the password on its first line")
      }
      // Read by libpq at each connect; in this process's environment only,
      // never on a command line.
      setenv("PGPASSWORD", String(line).trimmingCharacters(in: CharacterSet(charactersIn: "\r")), 1)
    }
    return url
  }
}

/// `tm serve migrate`: applies the missing schema migrations and exits.
struct MigrateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "migrate",
    abstract: "Apply the PostgreSQL schema migrations not yet applied, and exit (the server also applies them at start).")

  @OptionGroup var database: DatabaseOptions

  func run() throws {
    guard let url = try database.address() else {
      throw ValidationError("give the database: --store postgres://USER@HOST:PORT/DATABASE (or TM_STORE, or --store postgres with PG*)")
    }
    let store = try PostgresStore(url: url.isEmpty ? nil : url, connections: 1, migrate: false)
    let applied = try store.migrate()
    let s = try store.summary()
    print(
      applied.isEmpty
        ? "schema up to date (version \(s.schemaVersion)), \(s.units) units"
        : "applied migration \(applied.map(String.init).joined(separator: ", ")); schema version \(s.schemaVersion), \(s.units) units")
  }
}

// Exit codes as grep: 0 clean stop, 2 an error.
signal(SIGPIPE, SIG_IGN)
if ProcessInfo.processInfo.environment["TM_SERVER_POOL_EXECUTOR"] == nil { TMServerApp.runTasksOnEventLoops() }
do {
  var command = try TMServerCommand.parseAsRoot()
  if let c = command as? TMServerCommand {
    try await c.run()
  } else {
    try command.run()
  }
  exit(0)
} catch let e as TMError {
  FileHandle.standardError.write(Data("tm-server: error: \(e)\n".utf8))
  exit(2)
} catch {
  let code = TMServerCommand.exitCode(for: error)
  if code == .success { TMServerCommand.exit(withError: error) }
  FileHandle.standardError.write(Data((TMServerCommand.fullMessage(for: error) + "\n").utf8))
  exit(2)
}
