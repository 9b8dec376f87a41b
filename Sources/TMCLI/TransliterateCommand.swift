import ArgumentParser
import TMKit

/// `transliterate` and `tm transliterate`: one command, two names.
public struct TransliterateCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "transliterate",
    abstract: "Transliterate text (az Cyrillic <-> Latin, Russian -> Latin, any ICU transform).",
    discussion: """
      Text comes from the arguments (joined by spaces, like echo), else from \
      --file, else from standard input; input read from files or stdin keeps \
      its lines exactly.

      Named schemes (--scheme, default az-cyrl-latn) follow a standard each \
      (see --list). Before transliterating, they repair words that mix \
      Cyrillic and Latin look-alike letters (Əлијева → Әлијева); --verbose \
      prints each repair on stderr, --no-repair turns it off.

      Examples:
        transliterate "Илһам Әлијев"                      İlham Əliyev
        transliterate --scheme az-latn-cyrl Gəncə          Ҝәнҹә
        transliterate --scheme ru-latn-icao ЩЕРБАКОВ       SHCHERBAKOV
        transliterate --icu "Any-Latin; Latin-ASCII" < in.txt
        transliterate --rules my-rules.txt --file in.txt --encoding cp1251
      """
  )

  @Option(name: .long, help: ArgumentHelp("A named scheme (see --list).", valueName: "name"))
  var scheme: String?

  @Option(name: .long, help: ArgumentHelp("An ICU transform ID or compound ID (\"Any-Latin; Latin-ASCII\").", valueName: "id"))
  var icu: String?

  @Option(name: .long, help: ArgumentHelp("A file of ICU transform rules.", valueName: "file"))
  var rules: String?

  @Option(name: .long, help: ArgumentHelp("Read text from this file (repeatable; - is stdin).", valueName: "file"))
  var file: [String] = []

  @Option(name: .long, help: ArgumentHelp("Encoding of input files and stdin (cp1251, koi8-r, cp1254, utf-16le...).", valueName: "name"))
  var encoding: String?

  @Flag(name: .long, help: "List the named schemes with their standards, and the ICU transform IDs.")
  var list = false

  @Flag(name: [.short, .long], help: "Report on stderr each word whose look-alike letters were repaired.")
  var verbose = false

  @Flag(name: .long, help: "Do not repair mixed-script words before transliterating.")
  var noRepair = false

  @Argument(help: ArgumentHelp("Text to transliterate (when none: --file, else stdin).", valueName: "text"))
  var text: [String] = []

  public init() {}

  public func run() throws {
    if list {
      printList()
      return
    }
    let transliterator = try makeTransliterator()
    if noRepair { transliterator.homoglyphs = nil }
    let out = Output.standard

    if !text.isEmpty {
      if !file.isEmpty {
        throw TMError(.usage, "give text arguments or --file, not both", hint: "use --file - to read stdin")
      }
      var repairs: [HomoglyphRepair]? = verbose ? [] : nil
      transliterator.streamLines(text.joined(separator: " "), repairs: &repairs) { out.write(bytes: $0) }
      out.write("\n")
      report(repairs, source: nil)
      return
    }
    let sources = file.isEmpty ? ["-"] : file
    for path in sources {
      var repairs: [HomoglyphRepair]? = verbose ? [] : nil
      if let encoding, !["utf-8", "utf8"].contains(encoding.lowercased()) {
        let input = try TextDecoder.read(path: path, encoding: encoding)
        transliterator.streamLines(input, repairs: &repairs) { out.write(bytes: $0) }
      } else {
        // UTF-8 (the usual case): streamed, so a pipe is answered line by line.
        let source = path == "-" ? nil : path
        try transliterator.streamFile(
          path: path, repaired: verbose ? { report([$0], source: source) } : nil,
          write: { out.write(bytes: $0) }, flush: { out.flush() })
      }
      report(repairs, source: path == "-" ? nil : path)
    }
  }

  private func makeTransliterator() throws -> Transliterator {
    let chosen = [scheme != nil, icu != nil, rules != nil].filter { $0 }.count
    if chosen > 1 {
      throw TMError(.usage, "--scheme, --icu and --rules exclude each other", hint: "give one of them")
    }
    if let icu { return try Transliterator(icuID: icu) }
    if let rules { return try Transliterator(rulesFile: rules) }
    let name = scheme ?? TransliterationScheme.azCyrlLatn.rawValue
    guard let s = TransliterationScheme(name: name) else {
      let names = TransliterationScheme.allCases.map(\.rawValue).joined(separator: ", ")
      throw TMError(
        .notFound, "unknown scheme '\(name)'",
        hint: "the schemes are: \(names) (`transliterate --list` shows their standards; --icu ID takes any ICU transform)")
    }
    return try Transliterator(scheme: s)
  }

  private func report(_ repairs: [HomoglyphRepair]?, source: String?) {
    guard let repairs, !repairs.isEmpty else { return }
    Output.standard.flush()
    let err = Output.error
    for r in repairs {
      // Compiler-style with a file (`in.txt:3: repaired …`), else `line 3: …`.
      err.line("transliterate: " + (source.map { "\($0):\(r.line): repaired " } ?? "line \(r.line): repaired ") + r.summary)
    }
    err.flush()
  }

  private func printList() {
    let out = Output.standard
    out.line(out.styled("Schemes (--scheme NAME):", "1"))
    let width = TransliterationScheme.allCases.map(\.rawValue.count).max() ?? 0
    for s in TransliterationScheme.allCases {
      out.line("  \(s.rawValue)\(String(repeating: " ", count: width - s.rawValue.count))  \(s.standard)")
    }
    out.line("")
    out.line(out.styled("ICU transform IDs (--icu ID; compounds such as \"Any-Latin; Latin-ASCII\" work too):", "1"))
    for id in Transliterator.icuIDs() { out.line("  \(id)") }
  }
}
