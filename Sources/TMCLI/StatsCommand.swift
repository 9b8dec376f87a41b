import ArgumentParser
import TMKit

/// `tm stats`: what each memory holds.
public struct StatsCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "stats",
    abstract: "Show what a memory holds: units per language pair, size, duplicates, last change.",
    discussion: "Without --memory, every *.tsv memory in the memories folder is described."
  )

  @OptionGroup public var memoryOptions: MemoryOptions

  public init() {}

  public func run() throws {
    let paths = try memoryOptions.readPaths()
    let out = Output.standard
    var total = 0
    for (k, path) in paths.enumerated() {
      let table = try MemoryFile.open(path: path)
      if let note = table.ignoredNote { warn("warning: " + note) }
      let s = MemoryStats.of(table)
      total += s.units
      if k > 0 { out.line("") }
      out.line(out.styled(path, "1"))
      out.line("  languages   \(s.languages.map(\.tag).joined(separator: ", "))")
      out.line("  units       \(s.units)")
      for (a, b, n) in s.pairs {
        out.line(pad("  \(a.tag)–\(b.tag)", 14) + "\(n)")
      }
      out.line("  texts       " + s.languages.map { "\($0.tag) \(s.perLanguage[$0] ?? 0)" }.joined(separator: ", "))
      out.line("  duplicates  \(s.duplicates)")
      out.line("  scored      \(s.scored)")
      out.line("  size        \(formatBytes(s.bytes))")
      out.line("  changed     \(s.modified ?? "?")" + (s.newestUnit.map { " (newest unit \($0))" } ?? ""))
    }
    if paths.count > 1 { out.line("\n\(paths.count) memories, \(total) units") }
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
