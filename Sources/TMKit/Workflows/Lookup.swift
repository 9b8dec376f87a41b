/// `tm lookup`: one query, or a batch of them (a document), against a
/// store.
///
/// The workflow guesses each query's language among the languages the
/// memories can be searched in (an az query in Cyrillic is read as az-Cyrl
/// even when the memories hold az only in Latin: both scripts share one
/// index section), asks the store for matches, and returns them as
/// ``LookupReport``: the JSON shape of the CLI's `--format jsonl` rows
/// (``MatchRecord``) and of the HTTP API.
public struct Lookup: Sendable {
  /// What to look up.
  public struct Request: Sendable, Codable, Equatable {
    /// The queries, one per segment.
    public var queries: [String]
    /// Their language; nil = guessed (once for a batch, per query otherwise).
    public var from: Language?
    /// Show translations in this language only; nil = every other.
    public var to: Language?
    /// At most this many matches per query (default 5; concordance 20).
    public var limit: Int?
    /// The lowest fuzzy score shown (0–100).
    public var minScore: Double
    /// Concordance search only.
    public var concordanceOnly: Bool
    /// The queries are one document: its language is guessed once, a bad
    /// line is reported in its answer instead of failing the lookup, and
    /// the answer has an analysis by match band.
    public var batch: Bool

    public init(
      queries: [String], from: Language? = nil, to: Language? = nil, limit: Int? = nil, minScore: Double = 70,
      concordanceOnly: Bool = false, batch: Bool = false
    ) {
      self.queries = queries
      self.from = from
      self.to = to
      self.limit = limit
      self.minScore = minScore
      self.concordanceOnly = concordanceOnly
      self.batch = batch
    }
  }

  public let store: any MemoryStore
  /// The memories to search; nil = every memory of the store.
  public let memories: [MemoryRef]?

  public init(store: any MemoryStore, memories: [MemoryRef]? = nil) {
    self.store = store
    self.memories = memories
  }

  /// The queries of a batch file: its non-blank lines, or (with `segment`)
  /// its sentences.
  public static func queries(batchText text: String, segment: Bool, language: Language?) throws -> [String] {
    if segment {
      let lang = language ?? LanguageGuess.language(of: String(text.prefix(2000)))
      return try SentenceSegmenter(language: lang).segment(text).map(\.text)
    }
    return text.split(separator: "\n", omittingEmptySubsequences: false).map {
      String($0.hasSuffix("\r") ? $0.dropLast() : $0)
    }.filter { !$0.allSatisfy(\.isWhitespace) }
  }

  public func run(_ request: Request) async throws -> LookupReport {
    let t0 = Stopwatch.now()
    let store = try await self.store.lookupView()
    let infos = try await store.memories()
    let wanted = memories ?? infos.map(\.ref)
    if wanted.isEmpty {
      throw TMError(
        .notFound, "no memories (*.tsv) in the folder", file: store.displayName,
        hint: "add some with 'tm add' or 'tm import', or point --memory at a file")
    }
    if !request.batch { for q in request.queries { try Matcher.validate(q) } }
    let available = try await store.searchableLanguages(in: wanted)
    let refs = Dictionary(infos.map { ($0.ref.id, $0.ref) }, uniquingKeysWith: { a, _ in a })
    if available.isEmpty {
      throw TMError(.notFound, "the memories have no segments to search", file: wanted.count == 1 ? wanted[0].name : nil)
    }
    if let to = request.to {
      let have = Set(infos.filter { wanted.contains($0.ref) }.flatMap(\.languages))
      if !have.contains(to) {
        throw TMError(
          .notFound, "no memory has \(to.name) translations",
          hint: "the memories have: " + Language.allCases.filter(have.contains).map(\.tag).joined(separator: ", "))
      }
    }
    // Both az scripts share one index section: an az-Cyrl query searches az
    // Latin segments too, so it must be read as az-Cyrl, not as Latin.
    var guessable = available
    for l in available where l == .az || l == .azCyrl { guessable.append(l == .az ? .azCyrl : .az) }
    var batchLanguage = request.from
    var guessedOnce = false
    if request.batch && request.from == nil {
      let sample = String(request.queries.joined(separator: " ").prefix(5000))
      batchLanguage = LanguageGuess.language(of: sample, available: guessable)
      guessedOnce = true
    }
    let tOpened = Stopwatch.now()
    var languages: [(Language, Bool)] = []
    var queries: [LookupQuery] = []
    let limit = request.limit ?? (request.concordanceOnly ? 20 : 5)
    for q in request.queries {
      let lang = batchLanguage ?? LanguageGuess.language(of: q, available: guessable)
      languages.append((lang, request.from == nil && !guessedOnce))
      if !available.contains(where: { LookupKeys.section(of: $0) == LookupKeys.section(of: lang) }) {
        throw TMError(
          .notFound, "no memory has \(lang.name) segments to search",
          hint: "the memories have: " + available.map(\.tag).joined(separator: ", "))
      }
      queries.append(
        LookupQuery(
          text: q, language: lang, targets: request.to.map { [$0] }, limit: limit, minScore: request.minScore,
          concordance: request.concordanceOnly ? true : (request.batch ? false : nil)))
    }
    let batch = try await store.search(queries, in: wanted, analysisFloor: request.batch ? 50 : nil)
    var report = LookupReport(
      language: guessedOnce ? batchLanguage : nil, answers: [], analysis: nil, notes: batch.notes, timing: nil)
    var analysis = MatchAnalysis()
    for (n, q) in request.queries.enumerated() {
      let (lang, guessed) = languages[n]
      var answer = LookupAnswer(
        query: q, number: n + 1, language: lang, languageGuessed: guessed, matches: [], concordance: [],
        moreConcordance: 0, error: nil)
      let result: LookupResult
      switch n < batch.results.count ? batch.results[n] : .failure(TMError(.io, "the store gave no answer")) {
      case .success(let r): result = r
      case .failure(let e):
        if !request.batch { throw e }
        answer.error = e
        analysis.add(score: nil, words: 0)
        report.answers.append(answer)
        continue
      }
      var conc = result.concordance
      if request.limit == nil && !request.concordanceOnly { conc = Array(conc.prefix(20)) }
      answer.matches = result.matches.map { LookupMatch($0, refs: refs) }
      answer.concordance = conc.map { LookupMatch($0, refs: refs) }
      answer.moreConcordance = max(0, result.concordanceTotal - conc.count)
      report.answers.append(answer)
      // The analysis is a batch's only: a single lookup skips counting its words.
      if request.batch {
        analysis.add(score: result.bestScore, words: q.split(whereSeparator: { $0 == " " || $0 == "\t" }).count)
      }
    }
    if request.batch { report.analysis = AnalysisReport(analysis) }
    let tDone = Stopwatch.now()
    report.timing = LookupTiming(
      openMilliseconds: tOpened - t0, queriesMilliseconds: tDone - tOpened, totalMilliseconds: tDone - t0)
    return report
  }
}

/// `tm lookup --batch`: a document's segments looked up against the
/// memories, with a CAT-style analysis (segments and words per match band).
public struct BatchAnalysis: Sendable {
  public let lookup: Lookup

  public init(store: any MemoryStore, memories: [MemoryRef]? = nil) {
    lookup = Lookup(store: store, memories: memories)
  }

  /// Looks up every segment of `text` (its lines, or its sentences with
  /// `segment`).
  public func run(
    text: String, segment: Bool, from: Language? = nil, to: Language? = nil, limit: Int? = nil,
    minScore: Double = 70, concordanceOnly: Bool = false
  ) async throws -> LookupReport {
    let queries = try Lookup.queries(batchText: text, segment: segment, language: from)
    return try await lookup.run(
      Lookup.Request(
        queries: queries, from: from, to: to, limit: limit, minScore: minScore, concordanceOnly: concordanceOnly,
        batch: true))
  }
}

// MARK: Results

/// The answer to a lookup: one ``LookupAnswer`` per query.
public struct LookupReport: Sendable, Codable {
  /// A batch's language when it was guessed (once, from the whole text).
  public var language: Language?
  public var answers: [LookupAnswer]
  /// Batches only.
  public var analysis: AnalysisReport?
  /// What the store wants a person to know.
  public var notes: [String]
  public var timing: LookupTiming?

  /// Whether any query found anything (the CLI's exit status 0 or 1).
  public var found: Bool { answers.contains { !$0.matches.isEmpty || !$0.concordance.isEmpty } }
}

public struct LookupTiming: Sendable, Codable {
  public var openMilliseconds: Double
  public var queriesMilliseconds: Double
  public var totalMilliseconds: Double
}

/// The matches of one query.
public struct LookupAnswer: Sendable, Codable {
  public var query: String
  /// 1-based position in the batch.
  public var number: Int
  public var language: Language
  /// Whether `language` was guessed for this query alone.
  public var languageGuessed: Bool
  public var matches: [LookupMatch]
  public var concordance: [LookupMatch]
  /// Units that contain the words but are not shown (raise the limit).
  public var moreConcordance: Int
  /// Batches: why this line could not be looked up.
  public var error: TMError?

  /// The flat rows of `--format jsonl`: one per match and translation.
  public var records: [MatchRecord] { (matches + concordance).flatMap { $0.records(query: query) } }
}

/// One match of a query.
public struct LookupMatch: Sendable, Codable, Equatable {
  public var kind: MatchKind
  /// 0–100 (see Documentation/Lookup.md).
  public var score: Double
  /// The unit: its memory and position.
  public var unit: UnitRef
  public var sourceLanguage: Language
  public var source: String
  public var targets: [LookupTarget]
  /// Near-exact: what differs (`case`, `numbers`…); fuzzy: the stored words
  /// that differ.
  public var differences: [String]
  /// UTF-8 byte ranges of `source` to mark, `[start, end]`.
  public var marks: [[Int]]

  public init(_ m: Match, refs: [String: MemoryRef] = [:]) {
    kind = m.kind
    score = m.score
    unit = UnitRef(memory: refs[m.memory] ?? MemoryRef(id: m.memory), index: m.unit)
    sourceLanguage = m.sourceLanguage
    source = m.source
    targets = m.targets.map { LookupTarget(language: $0.language, text: $0.text, substituted: $0.substituted) }
    differences = m.differences
    marks = m.marks.map { [$0.lowerBound, $0.upperBound] }
  }

  /// The score as shown: one decimal, rounded down (CAT tools show whole
  /// percentages; the text output rounds down to an integer).
  public var shownScore: Double { (score * 10).rounded(.down) / 10 }

  /// One row per translation (one with `target: null` when there is none).
  public func records(query: String) -> [MatchRecord] {
    let ts: [LookupTarget?] = targets.isEmpty ? [nil] : targets
    return ts.map { t in
      MatchRecord(
        query: query, kind: kind, score: shownScore, source: source, sourceLanguage: sourceLanguage,
        target: t?.text, targetLanguage: t?.language, memory: unit.memory.name, unit: unit.index + 1,
        line: unit.index + 2, differences: differences, marks: marks, substituted: t?.substituted)
    }
  }
}

/// One translation of a match.
public struct LookupTarget: Sendable, Codable, Equatable {
  public var language: Language
  /// As stored.
  public var text: String
  /// With the query's numbers put in, when that applies.
  public var substituted: String?
}

/// A `--format jsonl` row of `tm lookup`: one match and one translation.
/// Field names are the CLI's since its first release.
public struct MatchRecord: Sendable, Codable, Equatable {
  public var query: String
  public var kind: MatchKind
  public var score: Double
  public var source: String
  public var sourceLanguage: Language
  public var target: String?
  public var targetLanguage: Language?
  /// The memory's name.
  public var memory: String
  /// 1-based unit number, and the line of a TSV memory it is on.
  public var unit: Int
  public var line: Int
  public var differences: [String]
  public var marks: [[Int]]
  public var substituted: String?

  enum CodingKeys: String, CodingKey {
    case query, kind, score, source, sourceLanguage = "source_lang", target, targetLanguage = "target_lang", memory
    case unit, line, differences, marks, substituted
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(query, forKey: .query)
    try c.encode(kind, forKey: .kind)
    try c.encode(score, forKey: .score)
    try c.encode(source, forKey: .source)
    try c.encode(sourceLanguage, forKey: .sourceLanguage)
    try c.encode(target, forKey: .target)  // null when absent
    try c.encode(targetLanguage, forKey: .targetLanguage)
    try c.encode(memory, forKey: .memory)
    try c.encode(unit, forKey: .unit)
    try c.encode(line, forKey: .line)
    try c.encode(differences, forKey: .differences)
    try c.encode(marks, forKey: .marks)
    try c.encodeIfPresent(substituted, forKey: .substituted)
  }
}

/// Segments and words per match band (100%, 95–99%, 85–94%, 75–84%,
/// 50–74%, no match): what a CAT tool's analysis shows.
public struct AnalysisReport: Sendable, Codable, Equatable {
  public struct Band: Sendable, Codable, Equatable {
    public var band: String
    public var segments: Int
    public var words: Int
  }

  public var analysis: [Band]

  public init(_ a: MatchAnalysis) {
    analysis = MatchAnalysis.bands.enumerated().map {
      Band(band: $0.element.0, segments: a.segments[$0.offset], words: a.words[$0.offset])
    }
  }

  public var totalSegments: Int { analysis.reduce(0) { $0 + $1.segments } }
  public var totalWords: Int { analysis.reduce(0) { $0 + $1.words } }
}

extension MatchKind: Codable {}

extension TMError: Codable {
  enum CodingKeys: String, CodingKey { case kind, message, file, line, byteOffset = "byte_offset", hint }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      Kind(rawValue: try c.decode(String.self, forKey: .kind)) ?? .invalidInput,
      try c.decode(String.self, forKey: .message), file: try c.decodeIfPresent(String.self, forKey: .file),
      line: try c.decodeIfPresent(Int.self, forKey: .line),
      byteOffset: try c.decodeIfPresent(Int.self, forKey: .byteOffset),
      hint: try c.decodeIfPresent(String.self, forKey: .hint))
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(kind.rawValue, forKey: .kind)
    try c.encode(message, forKey: .message)
    try c.encodeIfPresent(file, forKey: .file)
    try c.encodeIfPresent(line, forKey: .line)
    try c.encodeIfPresent(byteOffset, forKey: .byteOffset)
    try c.encodeIfPresent(hint, forKey: .hint)
  }
}
