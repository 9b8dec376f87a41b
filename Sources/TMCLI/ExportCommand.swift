import ArgumentParser
import TMKit

/// `tm export`: a memory as TMX, TSV or CSV.
public struct ExportCommand: ParsableCommand {
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

  public init() {}

  public func run() throws {
    if (from == nil) != (to == nil) && format != .tmx {
      throw TMError(.usage, "give both --from and --to, or neither")
    }
    if let from, let to, from == to {
      throw TMError(.usage, "--from and --to are both '\(from.tag)'")
    }
    let path = try memoryPath()
    // Units are decoded one at a time from the table, not all at once.
    let table = try MemoryFile.open(path: path)
    if let note = table.ignoredNote { warn("warning: " + note) }
    var units: AnySequence<TranslationUnit> = AnySequence(table)
    var count = table.count
    var languages = table.languages
    if let from, let to {
      languages = [from, to]
      let both = table.indices.filter { table.has($0, from) && table.has($0, to) }
      count = both.count
      units = AnySequence(both.lazy.map { i in
        TranslationUnit(
          texts: [from: table.text(i, from) ?? "", to: table.text(i, to) ?? ""], origin: table.origin(i),
          created: table.created(i), score: table.score(i))
      })
    } else if let from, !languages.contains(from) {
      throw TMError(.usage, "the memory has no '\(from.tag)' column", file: path)
    } else if let from {
      languages = [from] + languages.filter { $0 != from }
    }
    let file = try output.map { try AtomicFile(path: $0) }
    let sink: ([UInt8]) throws -> Void = { chunk in
      if let file { try file.write(chunk) } else { Output.standard.write(String(decoding: chunk, as: UTF8.self)) }
    }
    switch format {
    case .tmx:
      let r = try TMX.write(units, languages: languages, sourceLanguage: from ?? languages[0], to: sink)
      if r.dropped > 0 {
        warn("warning: dropped control characters that XML 1.0 forbids from \(r.dropped) segments")
      }
    case .tsv: try MemoryFile.writeTSV(units, languages: languages, to: sink)
    case .csv: try Delimited.writeCSV(units, languages: languages, to: sink)
    }
    if let file, let output {
      try file.commit()
      Output.error.line("exported \(count) units to \(output)")
      Output.error.flush()
    }
  }

  func memoryPath() throws -> String {
    if let m = memoryOptions.memory { return m }
    let dir = memoryOptions.directory
    if let from, let to {
      let p = MemoryStore.defaultMemory(in: dir, from, to)
      if MemoryFile.exists(p) { return p }
    }
    let all = try MemoryStore.memoryFiles(in: dir)
    if all.count == 1 { return all[0] }
    throw TMError(
      .usage, all.isEmpty ? "no memories in the folder" : "\(all.count) memories in the folder: which one?",
      file: dir, hint: "name it with --memory FILE")
  }
}
