import ArgumentParser
import TMKit

/// `tm stats`: what each memory holds.
public struct StatsCommand: AsyncParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "stats",
    abstract: "Show what a memory holds: units per language pair, size, duplicates, last change.",
    discussion: "Without --memory, every *.tsv memory in the memories folder is described."
  )

  @OptionGroup public var memoryOptions: MemoryOptions
  @OptionGroup public var serverOptions: ServerOptions

  public init() {}

  public func run() async throws {
    let report: StatsReport
    if let client = try serverOptions.client() {
      report = try await client.json(StatsReport.self, "GET", "/api/v1/stats")
    } else {
      report = try await Stats(store: memoryOptions.readStore()).run()
    }
    let out = Output.standard
    for (k, s) in report.memories.enumerated() {
      if k > 0 { out.line("") }
      out.line(out.styled(s.memory.name, "1"))
      out.line("  languages   \(s.languages.map(\.tag).joined(separator: ", "))")
      out.line("  units       \(s.units)")
      for p in s.pairCounts {
        out.line(pad("  \(p.source.tag)–\(p.target.tag)", 14) + "\(p.units)")
      }
      out.line("  texts       " + s.texts.map { "\($0.language.tag) \($0.units)" }.joined(separator: ", "))
      out.line("  duplicates  \(s.duplicates)")
      out.line("  scored      \(s.scored)")
      if let bytes = s.bytes { out.line("  size        \(formatBytes(bytes))") }
      out.line("  changed     \(s.modified ?? "?")" + (s.newestUnit.map { " (newest unit \($0))" } ?? ""))
    }
    if report.memories.count > 1 { out.line("\n\(report.memories.count) memories, \(report.units) units") }
  }
}

func formatBytes(_ n: Int) -> String {
  if n < 1024 { return "\(n) B" }
  if n < 1024 * 1024 { return "\((n * 10 / 1024) / 10).\((n * 10 / 1024) % 10) KiB (\(n) bytes)" }
  return "\((n * 10 / (1024 * 1024)) / 10).\((n * 10 / (1024 * 1024)) % 10) MiB (\(n) bytes)"
}

func pad(_ s: String, _ width: Int) -> String {
  s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
}
