import Foundation
import ArgumentParser
import TMKit

/// `tm import`: TMX, gettext, TSV/CSV into a memory.
public struct ImportCommand: AsyncParsableCommand {
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
  @OptionGroup public var serverOptions: ServerOptions

  public init() {}

  public func run() async throws {
    if let client = try serverOptions.client() { return try await remote(client) }
    let options = MemoryImport.Options(from: from, to: to, encoding: encoding, join: join, now: Timestamp.now())
    let r = try await Import(store: memoryOptions.writeStore()).run(
      files: files, options: options, into: memoryOptions.named)
    for n in r.notes { warn("note: " + n) }
    let out = Output.standard
    for f in r.files { out.line("\(f.path): \(units(f.units)) (\(f.format))") }
    out.line("added \(units(r.added)) to \(r.memory.name)" + (r.duplicates > 0 ? ", \(r.duplicates) already there" : ""))
  }

  /// Every file in one `POST /api/v1/import` (multipart/form-data, each
  /// part named, so the server knows its format and the units' origin), its
  /// `ImportReport` printed as a local import prints it. One request: the
  /// server reads every file before writing and stores their units in one
  /// append, so a bad file (or a server that dies midway) stores nothing.
  func remote(_ client: RemoteClient) async throws {
    let inputs = files.isEmpty ? ["-"] : files
    // Read everything first, so that a missing file sends nothing.
    var parts: [(name: String, data: Data)] = []
    for f in inputs {
      if f == "-" {
        parts.append(("stdin", FileHandle.standardInput.readDataToEndOfFile()))
      } else {
        guard let d = FileManager.default.contents(atPath: f) else { throw TMError(.io, "cannot read the file", file: f) }
        parts.append((String(f.split(separator: "/").last ?? Substring(f)), d))
      }
    }
    let (body, contentType) = RemoteClient.multipart(parts)
    let query: [(String, String?)] = [
      ("from", from?.tag), ("to", to?.tag), ("encoding", encoding),
      ("memory", memoryOptions.memory), ("join", join ? "true" : nil),
    ]
    let reply = try await client.send("POST", "/api/v1/import", query: query, body: body, contentType: contentType)
    let r = try client.decode(ImportReport.self, reply.body)
    for n in r.notes { warn("note: " + n) }
    let out = Output.standard
    for (i, f) in r.files.enumerated() { out.line("\(i < inputs.count ? inputs[i] : f.path): \(units(f.units)) (\(f.format))") }
    let memory = String(r.memory.name.split(separator: "/").last ?? Substring(r.memory.name))
    out.line("added \(units(r.added)) to \(memory)" + (r.duplicates > 0 ? ", \(r.duplicates) already there" : ""))
  }
}

func units(_ n: Int) -> String { n == 1 ? "1 unit" : "\(n) units" }
