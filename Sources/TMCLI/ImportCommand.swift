import ArgumentParser
import TMKit

/// `tm import`: TMX, gettext, TSV/CSV into a memory.
public struct ImportCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Import TMX, gettext (.po/.mo) or TSV/CSV into a memory.",
    discussion: """
      Formats: TMX 1.4b (inline markup is stripped: the codes in bpt/ept/it/ph/ut \
      and sub-flows are dropped, the text of hi is kept); gettext .po and .mo \
      (msgid is --from, default en; msgstr is --to, default the catalog's Language: \
      header; fuzzy and untranslated entries are skipped; each plural form is a unit); \
      a memory TSV (first line names the columns); two-column TSV or CSV (source, \
      target, optional score: LF Aligner, hunalign -text, spreadsheets) with --from/--to; \
      CSV whose first row names the columns (as 'tm export --format csv' writes).
      All files are read before anything is written: on any error the memory is \
      left as it was. Units already in the memory are not added again.
      """
  )

  @Argument(help: ArgumentHelp("Files to import (.tmx, .po, .mo, .tsv, .csv, .txt); none or - reads stdin.", valueName: "file"))
  public var files: [String] = []
  @Option(help: "Source language: the first column of a two-column file, the msgid of a catalog (default en).")
  public var from: Language?
  @Option(help: "Target language: the second column, the msgstr of a catalog (default its Language: header).")
  public var to: Language?
  @Option(help: "Encoding of text inputs (default UTF-8, or UTF-16 with a BOM): cp1251, koi8-r, cp1254...")
  public var encoding: String?
  @Flag(help: "Join units of all the files that share the same source text (e.g. an az and a ru catalog of one English original) into one multilingual unit.")
  public var join = false
  @OptionGroup public var memoryOptions: MemoryOptions

  public init() {}

  public func run() throws {
    if let from, let to, from == to {
      throw TMError(.usage, "--from and --to are both '\(from.tag)'", hint: "a unit pairs two different languages")
    }
    let options = MemoryImport.Options(from: from, to: to, encoding: encoding, join: join, now: MemoryFile.now())
    let result = try MemoryImport.read(files.isEmpty ? ["-"] : files, options: options)
    for n in result.notes { warn("note: " + n) }
    let path = try target(result.units)
    let r = try MemoryFile.append(result.units, to: path)
    let out = Output.standard
    for f in result.files { out.line("\(f.path): \(units(f.units)) (\(f.format.rawValue))") }
    out.line("added \(units(r.added)) to \(path)" + (r.duplicates > 0 ? ", \(r.duplicates) already there" : ""))
  }

  /// The memory to write: --memory, else the pair's memory in the folder.
  func target(_ units: [TranslationUnit]) throws -> String {
    if let m = memoryOptions.memory { return m }
    if let from, let to { return MemoryStore.defaultMemory(in: memoryOptions.directory, from, to) }
    let sets = Set(units.map { Set($0.texts.keys) })
    if sets.count == 1, let s = sets.first, s.count == 2 {
      let pair = Language.allCases.filter(s.contains)
      return MemoryStore.defaultMemory(in: memoryOptions.directory, pair[0], pair[1])
    }
    if units.isEmpty {
      throw TMError(.invalidInput, "nothing to import: the files hold no translated units")
    }
    throw TMError(
      .usage, "the units hold several languages or pairs, so there is no single default memory",
      hint: "name the memory with --memory FILE (a memory may hold three languages)")
  }
}

func units(_ n: Int) -> String { n == 1 ? "1 unit" : "\(n) units" }
