#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import ArgumentParser
import TMKit

/// `tm lookup`: exact, near-exact, fuzzy and concordance search.
public struct LookupCommand: ParsableCommand {
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

  public func run() throws {
    let t0 = Clock.now()
    // Memories.
    let paths = try memoryOptions.readPaths()
    let queries: [String]
    if let batch {
      let text = try TextDecoder.read(path: batch, encoding: encoding)
      if segment {
        let lang = from ?? LanguageGuess.language(of: String(text.prefix(2000)))
        queries = try SentenceSegmenter(language: lang).segment(text).map(\.text)
      } else {
        queries = text.split(separator: "\n", omittingEmptySubsequences: false).map {
          String($0.hasSuffix("\r") ? $0.dropLast() : $0)
        }.filter { !$0.allSatisfy(\.isWhitespace) }
      }
    } else {
      let q = phrase.joined(separator: " ")
      try Matcher.validate(q)
      queries = [q]
    }
    var indexes: [LookupIndex] = []
    for p in paths {
      let (idx, rebuilt, saved) = try LookupIndex.open(memoryPath: p)
      if rebuilt && timing { warn("built the lookup index of \(p)" + (idx.count > 1 ? " (appended units)" : "")) }
      if !saved {
        warn("cannot save the lookup index beside \(p) (read-only folder?); every lookup will index the memory again")
      }
      indexes += idx
    }
    let tLoaded = Clock.now()
    let matcher = Matcher(indexes: indexes)
    let available = matcher.searchableLanguages
    // Both az scripts share one index section: an az-Cyrl query searches az
    // Latin segments too, so it must be read as az-Cyrl, not as Latin.
    var guessable = available
    for l in available where l == .az || l == .azCyrl {
      guessable.append(l == .az ? .azCyrl : .az)
    }
    if available.isEmpty {
      throw TMError(.notFound, "the memories have no segments to search", file: paths.count == 1 ? paths[0] : nil)
    }
    if let to, !indexes.contains(where: { $0.columns.contains(to) }) {
      let have = Set(indexes.flatMap(\.columns))
      throw TMError(
        .notFound, "no memory has \(to.name) translations",
        hint: "the memories have: " + Language.allCases.filter(have.contains).map(\.tag).joined(separator: ", "))
    }
    let out = Output.standard
    let printer = Printer(format: format, out: out, batch: batch != nil)
    var analysis = MatchAnalysis()
    var anyMatch = false
    // A batch is one document: its language is guessed once, from all of it.
    var batchLanguage: Language? = from
    if batch != nil && from == nil {
      let sample = String(queries.joined(separator: " ").prefix(5000))
      let l = LanguageGuess.language(of: sample, available: guessable)
      batchLanguage = l
      warn("query language: \(l.tag) (\(l.name), guessed; set it with --from)")
    }
    let tQueries = Clock.now()
    var slowest: [(Double, String)] = []
    for (n, q) in queries.enumerated() {
      let lang: Language
      if let batchLanguage {
        lang = batchLanguage
      } else {
        lang = LanguageGuess.language(of: q, available: guessable)
        warn("query language: \(lang.tag) (\(lang.name), guessed; set it with --from)")
      }
      if !available.contains(where: { LookupKeys.section(of: $0) == LookupKeys.section(of: lang) }) {
        throw TMError(
          .notFound, "no memory has \(lang.name) segments to search",
          hint: "the memories have: " + available.map(\.tag).joined(separator: ", "))
      }
      let query = LookupQuery(
        text: q, language: lang, targets: to.map { [$0] }, limit: limit ?? (concordance ? 20 : 5),
        minScore: minScore, concordance: concordance ? true : (batch != nil ? false : nil))
      let result: LookupResult
      let tq = Clock.now()
      defer { if timing { slowest.append((Clock.now() - tq, q)) } }
      do {
        result = try matcher.lookup(query, analysisFloor: batch != nil ? 50 : nil)
      } catch let e as TMError where batch != nil {
        warn("line \(n + 1): \(e)")
        analysis.add(score: nil, words: 0)
        continue
      }
      var conc = result.concordance
      if limit == nil && !concordance { conc = Array(conc.prefix(20)) }
      if !result.matches.isEmpty || !conc.isEmpty { anyMatch = true }
      printer.print(query: q, number: n + 1, result: result, concordance: conc)
      if batch == nil && result.concordanceTotal > conc.count {
        warn("\(result.concordanceTotal - conc.count) more units contain the words (use --limit)")
      }
      let words = q.split(whereSeparator: { $0 == " " || $0 == "\t" }).count
      analysis.add(score: result.bestScore, words: words)
    }
    let tDone = Clock.now()
    if batch != nil { printer.analysis(analysis) }
    out.flush()
    if timing {
      let nq = max(1, queries.count)
      warn(
        "timing: open \(fmt(tLoaded - t0)) ms, \(queries.count) queries \(fmt(tDone - tQueries)) ms, "
          + "\(fmt((tDone - tQueries) / Double(nq))) ms/query, first-answer \(fmt(tDone - t0)) ms, maxrss \(Clock.maxRSSMB()) MB")
      for (ms, q) in slowest.sorted(by: { $0.0 > $1.0 }).prefix(5) { warn("timing: \(fmt(ms)) ms  \(q)") }
    }
    if !anyMatch { throw ExitCode(1) }
  }

  private func fmt(_ ms: Double) -> String {
    let v = (ms * 1000).rounded() / 1000
    return "\(v)"
  }
}

/// Milliseconds from a monotonic clock.
enum Clock {
  static func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1_000_000
  }

  static func maxRSSMB() -> Int {
    var u = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u)
    return Int(u.ru_maxrss / 1024)
  }
}

/// Renders results in the three formats.
struct Printer {
  let format: LookupCommand.Format
  let out: Output
  let batch: Bool

  func print(query: String, number: Int, result: LookupResult, concordance: [Match]) {
    switch format {
    case .text: text(query: query, number: number, result: result, concordance: concordance)
    case .tsv:
      for m in result.matches + concordance { tsv(query: query, m) }
    case .jsonl:
      for m in result.matches + concordance { jsonl(query: query, m) }
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

  func text(query: String, number: Int, result: LookupResult, concordance: [Match]) {
    if batch {
      out.line(out.styled("#\(number) \(oneLine(query))", "1"))
      if result.matches.isEmpty && concordance.isEmpty { out.line("  no match") }
    }
    for m in result.matches + concordance {
      // Whole percentages, as CAT tools show them (jsonl and tsv keep a decimal).
      var head =
        m.kind == .concordance ? "  concordance" : "\(String(Int(m.score.rounded(.down))).leftPadded(3))% \(m.kind.rawValue)"
      if m.kind == .nearExact { head += " (" + m.differences.joined(separator: ", ") + ")" }
      head += "  " + out.styled("\(fileName(m.memory)):\(m.unit + 2)", "2")
      out.line(out.styled(head, m.kind == .exact ? "1;32" : m.kind == .concordance ? "1;36" : "1;33"))
      let style = m.kind == .concordance ? "1;36" : "4;31"
      out.line("  \(m.sourceLanguage.tag.rightPadded(7)) \(oneLine(marked(m.source, m.marks, style: style)))")
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


  func tsv(query: String, _ m: Match) {
    let targets = m.targets.isEmpty ? [MatchTarget(language: m.sourceLanguage, text: "", substituted: nil)] : m.targets
    for t in targets {
      let fields = [
        query, m.kind.rawValue, scoreText(m.score), m.sourceLanguage.tag, m.source,
        m.targets.isEmpty ? "" : t.language.tag, t.text, t.substituted ?? "", m.differences.joined(separator: ","),
        "\(fileName(m.memory)):\(m.unit + 2)",
      ]
      out.line(fields.map(TSVCodec.escape).joined(separator: "\t"))
    }
  }


  func jsonl(query: String, _ m: Match) {
    let targets: [MatchTarget?] = m.targets.isEmpty ? [nil] : m.targets
    for t in targets {
      var f: [String] = [
        "\"query\":\(JSON.string(query))", "\"kind\":\(JSON.string(m.kind.rawValue))", "\"score\":\(scoreText(m.score))",
        "\"source\":\(JSON.string(m.source))", "\"source_lang\":\(JSON.string(m.sourceLanguage.tag))",
        "\"target\":\(t.map { JSON.string($0.text) } ?? "null")", "\"target_lang\":\(t.map { JSON.string($0.language.tag) } ?? "null")",
        "\"memory\":\(JSON.string(m.memory))", "\"unit\":\(m.unit + 1)", "\"line\":\(m.unit + 2)",
        "\"differences\":[" + m.differences.map(JSON.string).joined(separator: ",") + "]",
        "\"marks\":[" + m.marks.map { "[\($0.lowerBound),\($0.upperBound)]" }.joined(separator: ",") + "]",
      ]
      if let s = t?.substituted { f.append("\"substituted\":\(JSON.string(s))") }
      out.line("{" + f.joined(separator: ",") + "}")
    }
  }

  func analysis(_ a: MatchAnalysis) {
    switch format {
    case .jsonl:
      var f: [String] = []
      for (i, (name, _)) in MatchAnalysis.bands.enumerated() {
        f.append("{\"band\":\(JSON.string(name)),\"segments\":\(a.segments[i]),\"words\":\(a.words[i])}")
      }
      out.line("{\"analysis\":[" + f.joined(separator: ",") + "]}")
    case .tsv, .text:
      let w = Output.error
      let dest = format == .text ? out : w
      dest.line("Analysis      segments    words")
      for (i, (name, _)) in MatchAnalysis.bands.enumerated() {
        dest.line(name.rightPadded(12) + String(a.segments[i]).leftPadded(10) + String(a.words[i]).leftPadded(9))
      }
      dest.line("Total       " + String(a.segments.reduce(0, +)).leftPadded(10) + String(a.words.reduce(0, +)).leftPadded(9))
      dest.flush()
    }
  }
}

extension String {
  func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
  func rightPadded(_ n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
}
