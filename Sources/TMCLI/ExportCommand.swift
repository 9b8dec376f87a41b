import Foundation
import ArgumentParser
import TMKit

/// `tm export`: a memory as TMX, TSV or CSV.
public struct ExportCommand: AsyncParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Export a memory as TMX, TSV or CSV.",
    discussion: """
      tmx: TMX 1.4b level 1 (srclang, datatype="plaintext", xml:lang on every tuv; \
      origin and score as x-origin/x-score props). Control characters that XML 1.0 \
      forbids are dropped, with a warning. tsv: the memory format itself. csv: RFC \
      4180 with a header row. With --from/--to only units holding both languages are \
      exported, with just those two languages.
      """
  )

  public enum Format: String, ExpressibleByArgument, Sendable { case tmx, tsv, csv }

  @Option(help: "tmx, tsv or csv.") public var format: Format = .tmx
  @Option(help: "Source language (TMX srclang); with --to, export only this pair.") public var from: Language?
  @Option(help: "Target language.") public var to: Language?
  @Option(name: .shortAndLong, help: ArgumentHelp("Write to this file (atomically) instead of stdout.", valueName: "file"))
  public var output: String?
  @OptionGroup public var memoryOptions: MemoryOptions
  @OptionGroup public var serverOptions: ServerOptions

  public init() {}

  public func run() async throws {
    if let client = try serverOptions.client() { return try await remote(client) }
    guard let writer = FormatRegistry.writer(format.rawValue) else {
      throw TMError(.usage, "unknown --format '\(format.rawValue)'")
    }
    let file = try output.map { try AtomicFile(path: $0) }
    let sink: ([UInt8]) throws -> Void = { chunk in
      if let file { try file.write(chunk) } else { Output.standard.write(bytes: chunk) }
    }
    let r = try await Export(store: memoryOptions.readStore()).run(
      memory: memoryOptions.named, format: writer, from: from, to: to, to: sink)
    if r.segmentsWithDroppedCharacters > 0 {
      warn("warning: dropped control characters that XML 1.0 forbids from \(r.segmentsWithDroppedCharacters) segments")
    }
    if let file, let output {
      try file.commit()
      Output.error.line("exported \(r.units) units to \(output)")
      Output.error.flush()
    }
  }

  /// `GET /api/v1/export`: the server streams the file; the unit count is
  /// its `X-TM-Units` header.
  func remote(_ client: RemoteClient) async throws {
    let query: [(String, String?)] = [
      ("format", format.rawValue), ("from", from?.tag), ("to", to?.tag), ("memory", memoryOptions.memory),
    ]
    let reply = try await client.send("GET", "/api/v1/export", query: query)
    let bytes = Array(reply.body)
    if let output {
      let file = try AtomicFile(path: output)
      try file.write(bytes)
      try file.commit()
      Output.error.line("exported \(reply.headers["x-tm-units"] ?? "?") units to \(output)")
      Output.error.flush()
    } else {
      Output.standard.write(bytes: bytes)
    }
  }
}
