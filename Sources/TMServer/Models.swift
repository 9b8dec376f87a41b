import Foundation
import TMKit

/// The options of a lookup, as `tm lookup` takes them.
public struct LookupParameters: Sendable {
  public var text: String
  public var from: Language?
  public var to: Language?
  public var limit: Int?
  public var minScore: Double = 70
  public var concordance: Bool?
  public var analysisFloor: Double?

  public init(text: String, from: Language? = nil, to: Language? = nil, limit: Int? = nil, minScore: Double = 70,
    concordance: Bool? = nil)
  {
    self.text = text
    self.from = from
    self.to = to
    self.limit = limit
    self.minScore = minScore
    self.concordance = concordance
  }
}

/// One translation of a match.
public struct TargetJSON: Codable, Sendable, Equatable {
  public var lang: String
  public var text: String
  /// The translation with the query's numbers put in, when that applies.
  public var substituted: String?
}

/// A match as the API and `tm lookup --format jsonl` show it (`unit` 1-based,
/// `line` the TSV line, `marks` UTF-8 byte ranges of `source`).
public struct MatchJSON: Codable, Sendable, Equatable {
  public var kind: String
  public var score: Double
  public var source: String
  public var source_lang: String
  public var targets: [TargetJSON]
  public var memory: String
  public var unit: Int
  public var line: Int
  public var differences: [String]
  public var marks: [[Int]]

  init(_ m: Match, _ snap: Snapshot) {
    kind = m.kind.rawValue
    score = (m.score * 10).rounded(.down) / 10
    source = m.source
    source_lang = m.sourceLanguage.tag
    targets = m.targets.map { TargetJSON(lang: $0.language.tag, text: $0.text, substituted: $0.substituted) }
    memory = fileName(m.memory)
    unit = m.unit + 1
    line = m.unit + 2
    differences = m.differences
    marks = m.marks.map { [$0.lowerBound, $0.upperBound] }
  }
}

public struct LookupResponse: Codable, Sendable {
  public var query: String
  /// The query's language, and whether it was guessed.
  public var language: String
  public var language_name: String
  public var guessed: Bool
  public var matches: [MatchJSON] = []
  public var concordance: [MatchJSON] = []
  public var concordanceTotal: Int = 0
  public var bestScore: Double?

  init(query: String, language: Language, guessed: Bool) {
    self.query = query
    self.language = language.tag
    language_name = language.name
    self.guessed = guessed
  }
}

/// `POST /api/v1/lookup` (the GET form takes the same names as query
/// parameters).
struct LookupRequest: Decodable {
  var q: String
  var from: String?
  var to: String?
  var limit: Int?
  var min_score: Double?
  var concordance: Bool?
}

struct UnitRequest: Decodable {
  var source: String
  var target: String
  var from: String
  var to: String
  var origin: String?
  var score: Double?
}

struct AddRequest: Decodable {
  var units: [UnitRequest]
  var memory: String?
}

struct AddResponse: Codable {
  var added: Int
  var duplicates: Int
}

struct AnalyzeRequest: Decodable {
  var text: String
  var from: String?
  var to: String?
  var segment: Bool?
  var min_score: Double?
}

struct AnalyzeSegment: Codable {
  var segment: String
  var best: MatchJSON?
  var band: String
  var words: Int
}

struct AnalysisBand: Codable {
  var band: String
  var segments: Int
  var words: Int
}

struct AnalyzeResponse: Codable {
  var language: String
  var guessed: Bool
  var segments: [AnalyzeSegment]
  var analysis: [AnalysisBand]
}

struct SegmentRequest: Decodable {
  var text: String
  var lang: String?
  var lines: Bool?
}

struct SentenceJSON: Codable {
  var text: String
  var paragraph: Int
  var start: Int
  var end: Int
}

struct TransliterateRequest: Decodable {
  var text: String?
  var texts: [String]?
  var scheme: String?
}

struct TransliterateResponse: Codable {
  var scheme: String
  var text: String?
  var texts: [String]?
}

struct AlignRequest: Decodable {
  var source: String
  var target: String
  var from: String?
  var to: String?
  var segmented: Bool?
}

struct BeadJSON: Codable, Equatable {
  var source: String
  var target: String
  var score: Double
  var source_ids: [Int]
  var target_ids: [Int]
}

struct AlignResponse: Codable {
  var from: String
  var to: String
  var beads: [BeadJSON]
  var notes: [String]
}

struct StatsJSON: Codable {
  var memory: String
  var bytes: Int
  var languages: [String]
  var units: Int
  var pairs: [PairCount]
  var texts: [String: Int]
  var duplicates: Int
  var scored: Int
  var modified: String?
  var newest_unit: String?

  struct PairCount: Codable {
    var from: String
    var to: String
    var units: Int
  }

  init(_ s: MemoryStats) {
    memory = fileName(s.path)
    bytes = s.bytes
    languages = s.languages.map(\.tag)
    units = s.units
    pairs = s.pairs.map { PairCount(from: $0.0.tag, to: $0.1.tag, units: $0.2) }
    var t: [String: Int] = [:]
    for (k, v) in s.perLanguage { t[k.tag] = v }
    texts = t
    duplicates = s.duplicates
    scored = s.scored
    modified = s.modified
    newest_unit = s.newestUnit
  }
}

struct ImportResponse: Codable {
  var format: String
  var read: Int
  var added: Int
  var duplicates: Int
  var notes: [String]
}
