#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import ArgumentParser
import TMKit

/// `tm lookup`: exact, near-exact, fuzzy and concordance search.
public struct LookupCommand: AsyncParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "lookup",
    abstract: "Find exact, fuzzy and concordance matches in the memories.",
    discussion: """
      Match kinds: exact (100), near-exact (95-99: only case, whitespace, punctuation, \
      accelerator, numbers or script differ; numbers are put into the translation), fuzzy \
      (0.4 x token score + 0.6 x character similarity; the token score is \
      100 x (1 - weighted token edit distance / heavier side), where words and numbers \
      weigh 1, placeholders such as %s, %1$d, {name} or [X6X] 1, accelerator marks \
      (_File, &File) 0.25 and punctuation 0.3, and a word with the same stem costs less \
      than another word; see Documentation/Lookup.md), concordance (units containing \
      the words; automatic for one or two words). Exit status: 0 a match, 1 none, 2 an error.
      """
  )

  public enum Format: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, tsv, jsonl
  }

  @Argument(help: "The text to look up (several words are joined with spaces).")
  public var phrase: [String] = []

  @OptionGroup public var memoryOptions: MemoryOptions

  @OptionGroup public var serverOptions: ServerOptions

  @Option(help: ArgumentHelp("The query's language (default: guessed from its letters).", valueName: "lang"))
  public var from: Language?

  @Option(help: ArgumentHelp("Show translations in this language (default: every other).", valueName: "lang"))
  public var to: Language?

  @Option(help: "Show at most this many matches (concordance: 20 unless given).")
  public var limit: Int?

  @Option(name: .customLong("min-score"), help: "The lowest fuzzy score shown (0-100).")
  public var minScore: Double = 70

  @Option(help: "Output format: text, tsv or jsonl.")
  public var format: Format = .text

  @Flag(help: "Concordance search only: every unit containing the words.")
  public var concordance = false

  @Option(help: ArgumentHelp("Look up each line of FILE (- for stdin).", valueName: "file"))
  public var batch: String?

  @Flag(help: "With --batch: split the file into sentences instead of taking lines.")
  public var segment = false

  @Option(help: ArgumentHelp("Encoding of the --batch file (default: detected).", valueName: "name"))
  public var encoding: String?

  @Flag(help: .hidden) public var timing = false

  public init() {}

  public func validate() throws {
    if let limit, limit < 1 { throw TMError(.usage, "--limit must be at least 1 (got \(limit))") }
    if !(0...100).contains(minScore) { throw TMError(.usage, "--min-score must be between 0 and 100 (got \(minScore))") }
    if batch != nil && !phrase.isEmpty {
      throw TMError(.usage, "give either a phrase or --batch FILE, not both")
    }
    if segment && batch == nil { throw TMError(.usage, "--segment works with --batch FILE") }
  }

  public func run() async throws {
    let report: LookupReport
    if let client = try serverOptions.client() {
      report = try await remote(client)
    } else {
      report = try await local()
    }
    try render(report)
  }

  /// The same request to a server: `POST /api/v1/lookup`, or
  /// `/api/v1/analyze` for a batch; the answer is the `LookupReport`.
  func remote(_ client: RemoteClient) async throws -> LookupReport {
    if memoryOptions.memory != nil || memoryOptions.memories != nil {
      throw TMError(.usage, "with --server the server's memories are searched: drop --memory/--memories")
    }
    var body: [String: JSONValue] = ["min_score": .number(minScore)]
    if let from { body["from"] = .string(from.tag) }
    if let to { body["to"] = .string(to.tag) }
    if let batch {
      if concordance { throw TMError(.usage, "with --server, --batch does not take --concordance") }
      let text = try DocumentText.read(path: batch, encoding: encoding)
      body["text"] = .string(text)
      body["segment"] = .bool(segment || DocumentText.isDocument(path: batch))
      return try await client.json(LookupReport.self, "POST", "/api/v1/analyze", body: body)
    }
    body["q"] = .string(phrase.joined(separator: " "))
    if let limit { body["limit"] = .int(limit) }
    if concordance { body["concordance"] = .bool(true) }
    return try await client.json(LookupReport.self, "POST", "/api/v1/lookup", body: body)
  }

  func local() async throws -> LookupReport {
    let store = memoryOptions.readStore()
    let report: LookupReport
    if let batch {
      let text = try DocumentText.read(path: batch, encoding: encoding)
      report = try await BatchAnalysis(store: store).run(
        text: text, segment: segment || DocumentText.isDocument(path: batch), from: from, to: to, limit: limit, minScore: minScore,
        concordanceOnly: concordance)
    } else {
      report = try await Lookup(store: store).run(
        Lookup.Request(
          queries: [phrase.joined(separator: " ")], from: from, to: to, limit: limit, minScore: minScore,
          concordanceOnly: concordance))
    }
    return report
  }

  func render(_ report: LookupReport) throws {
    for n in report.notes { warn(n) }
    if let l = report.language { warn("query language: \(l.tag) (\(l.name), guessed; set it with --from)") }
    let out = Output.standard
    let printer = Printer(format: format, out: out, batch: batch != nil)
    for a in report.answers {
      if a.languageGuessed {
        warn("query language: \(a.language.tag) (\(a.language.name), guessed; set it with --from)")
      }
      if let e = a.error {
        warn("line \(a.number): \(e)")
        continue
      }
      printer.print(a)
      if batch == nil && a.moreConcordance > 0 {
        warn("\(a.moreConcordance) more units contain the words (use --limit)")
      }
    }
    if let analysis = report.analysis { printer.analysis(analysis) }
    out.flush()
    if timing, let t = report.timing {
      let nq = max(1, report.answers.count)
      warn(
        "timing: open \(fmt(t.openMilliseconds)) ms, \(report.answers.count) queries \(fmt(t.queriesMilliseconds)) ms, "
          + "\(fmt(t.queriesMilliseconds / Double(nq))) ms/query, first-answer \(fmt(t.totalMilliseconds)) ms, "
          + "maxrss \(Stopwatch.maxRSSMB()) MB")
    }
    if !report.found { throw ExitCode(1) }
  }

  private func fmt(_ ms: Double) -> String {
    let v = (ms * 1000).rounded() / 1000
    return "\(v)"
  }
}

/// Renders results in the three formats.
struct Printer {
  let format: LookupCommand.Format
  let out: Output
  let batch: Bool

  func print(_ a: LookupAnswer) {
    switch format {
    case .text: text(a)
    case .tsv:
      for m in a.matches + a.concordance { tsv(query: a.query, m) }
    case .jsonl:
      for r in a.records { out.line(JSON.line(r)) }
    }
  }

  func fileName(_ path: String) -> String { String(path.split(separator: "/").last ?? Substring(path)) }

  func scoreText(_ s: Double) -> String {
    let r = (s * 10).rounded(.down) / 10
    return r == r.rounded() ? "\(Int(r))" : "\(r)"
  }

  /// `source` with the marked ranges wrapped: colour on a terminal, ⟨…⟩ otherwise.
  func marked(_ source: String, _ marks: [Range<Int>], style: String) -> String {
    if marks.isEmpty { return source }
    var bytes: [UInt8] = []
    let u8 = Array(source.utf8)
    var pos = 0
    let open = out.colour ? Array("\u{1B}[\(style)m".utf8) : Array("⟨".utf8)
    let close = out.colour ? Array("\u{1B}[0m".utf8) : Array("⟩".utf8)
    // Merge adjacent marks separated only by spaces.
    var merged: [Range<Int>] = []
    for r in marks.sorted(by: { $0.lowerBound < $1.lowerBound }) {
      if let last = merged.last, r.lowerBound >= last.upperBound,
        u8[last.upperBound..<r.lowerBound].allSatisfy({ $0 == 0x20 || $0 == 0x2D })
      {
        merged[merged.count - 1] = last.lowerBound..<r.upperBound
      } else if let last = merged.last, r.lowerBound < last.upperBound {
        continue
      } else {
        merged.append(r)
      }
    }
    for r in merged where r.lowerBound >= pos && r.upperBound <= u8.count {
      bytes += u8[pos..<r.lowerBound]
      bytes += open
      bytes += u8[r]
      bytes += close
      pos = r.upperBound
    }
    bytes += u8[pos...]
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Tabs and newlines inside segments, made visible in one line.
  func oneLine(_ s: String) -> String {
    if !s.contains(where: { $0 == "\n" || $0 == "\t" || $0 == "\r" }) { return s }
    var o = ""
    for ch in s {
      switch ch {
      case "\n": o += "⏎"
      case "\r\n": o += "⏎"
      case "\t": o += "⇥"
      default: o.append(ch)
      }
    }
    return o
  }

  func text(_ a: LookupAnswer) {
    if batch {
      out.line(out.styled("#\(a.number) \(oneLine(a.query))", "1"))
      if a.matches.isEmpty && a.concordance.isEmpty { out.line("  no match") }
    }
    for m in a.matches + a.concordance {
      // Whole percentages, as CAT tools show them (jsonl and tsv keep a decimal).
      var head =
        m.kind == .concordance ? "  concordance" : "\(String(Int(m.score.rounded(.down))).leftPadded(3))% \(m.kind.rawValue)"
      if m.kind == .nearExact { head += " (" + m.differences.joined(separator: ", ") + ")" }
      head += "  " + out.styled("\(fileName(m.unit.memory.name)):\(m.unit.index + 2)", "2")
      out.line(out.styled(head, m.kind == .exact ? "1;32" : m.kind == .concordance ? "1;36" : "1;33"))
      let style = m.kind == .concordance ? "1;36" : "4;31"
      let marks = m.marks.compactMap { $0.count == 2 ? $0[0]..<$0[1] : nil }
      out.line("  \(m.sourceLanguage.tag.rightPadded(7)) \(oneLine(marked(m.source, marks, style: style)))")
      for t in m.targets {
        if let s = t.substituted {
          out.line("  \(t.language.tag.rightPadded(7)) \(oneLine(s))")
          out.line(out.styled("  \("".rightPadded(7)) (stored: \(oneLine(t.text)))", "2"))
        } else {
          out.line("  \(t.language.tag.rightPadded(7)) \(oneLine(t.text))")
        }
      }
      out.line("")
    }
  }


  func tsv(query: String, _ m: LookupMatch) {
    for r in m.records(query: query) {
      let fields = [
        query, m.kind.rawValue, scoreText(m.score), m.sourceLanguage.tag, m.source, r.targetLanguage?.tag ?? "",
        r.target ?? "", r.substituted ?? "", m.differences.joined(separator: ","),
        "\(fileName(m.unit.memory.name)):\(m.unit.index + 2)",
      ]
      out.line(fields.map(TSVCodec.escape).joined(separator: "\t"))
    }
  }

  func analysis(_ a: AnalysisReport) {
    switch format {
    case .jsonl:
      out.line(JSON.line(a))
    case .tsv, .text:
      let dest = format == .text ? out : Output.error
      dest.line("Analysis      segments    words")
      for b in a.analysis {
        dest.line(b.band.rightPadded(12) + String(b.segments).leftPadded(10) + String(b.words).leftPadded(9))
      }
      dest.line("Total       " + String(a.totalSegments).leftPadded(10) + String(a.totalWords).leftPadded(9))
      dest.flush()
    }
  }
}

extension String {
  func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
  func rightPadded(_ n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
}
