import ArgumentParser
import Foundation
import Logging
import TMKit
import TMServer

/// `tm-server` (also `tm serve`): the memories as an HTTP service.
struct TMServerCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tm-server",
    abstract: "Serve the memories over HTTP: a JSON API, the tmserver protocol and a browser page.",
    discussion: """
      Listens on 127.0.0.1 unless --listen says otherwise. Endpoints: / (the page), /api/v1/ \
      (JSON API; /api/v1/openapi.yaml describes it), /tmserver/ (Weblate, amaGama, Virtaal), \
      /healthz, /metrics. Writes need 'Authorization: Bearer TOKEN' with the content of \
      --token-file (without one, a token is generated in the state folder). SIGTERM or \
      Ctrl-C finishes the requests in flight and exits 0.
      """
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
    let snap = prepared.backend.snapshot
    note("serving \(snap.unitCount) units from \(snap.paths.count) memories in \(memory ?? config.memoriesDirectory)")
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

// Exit codes as grep: 0 clean stop, 2 an error.
signal(SIGPIPE, SIG_IGN)
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
