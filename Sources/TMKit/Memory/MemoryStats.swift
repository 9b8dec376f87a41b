/// What `tm stats` reports about one memory. The JSON shape of the stats
/// workflow (Documentation/Library.md).
public struct MemoryStats: Sendable, Equatable, Codable {
  /// Units holding both languages of a pair.
  public struct PairCount: Sendable, Equatable, Codable {
    public var source: Language
    public var target: Language
    public var units: Int
  }

  /// Units holding a language.
  public struct LanguageCount: Sendable, Equatable, Codable {
    public var language: Language
    public var units: Int
  }

  public var memory: MemoryRef
  /// Storage size in bytes, when the backend knows it (the TSV file's size).
  public var bytes: Int?
  public var languages: [Language]
  public var units: Int
  /// For every pair of the memory's languages (in column order).
  public var pairCounts: [PairCount]
  /// For each language, in column order.
  public var texts: [LanguageCount]
  /// Units that repeat an earlier unit's texts in every language.
  public var duplicates: Int
  /// Units with an alignment score.
  public var scored: Int
  /// When the memory last changed, ISO 8601 UTC.
  public var modified: String?
  /// The newest `created` value in the memory.
  public var newestUnit: String?

  enum CodingKeys: String, CodingKey {
    case memory, bytes, languages, units, pairCounts = "pairs", texts, duplicates, scored, modified
    case newestUnit = "newest_unit"
  }

  /// The pairs as tuples (source, target, units).
  public var pairs: [(Language, Language, Int)] { pairCounts.map { ($0.source, $0.target, $0.units) } }

  /// Units holding each language.
  public var perLanguage: [Language: Int] {
    Dictionary(texts.map { ($0.language, $0.units) }, uniquingKeysWith: +)
  }

  /// The file path of a TSV memory (its ref's id).
  public var path: String { memory.id }

  /// Reads a memory file and counts.
  public static func of(path: String) throws -> MemoryStats {
    of(try MemoryTable.open(path: path))
  }

  /// Counts over a table without decoding its units.
  public static func of(_ t: MemoryTable, memory: MemoryRef? = nil) -> MemoryStats {
    let langs = t.languages
    var perLanguage = [Int](repeating: 0, count: langs.count)
    var pairs: [PairCount] = []
    for i in 0..<langs.count {
      for j in (i + 1)..<max(i + 1, langs.count) { pairs.append(PairCount(source: langs[i], target: langs[j], units: 0)) }
    }
    var scored = 0
    var newest: Range<Int>?
    var present = [Bool](repeating: false, count: langs.count)
    t.bytes.withUnsafeBufferPointer { p in
      for u in t.indices {
        for (k, l) in langs.enumerated() {
          present[k] = t.has(u, l)
          if present[k] { perLanguage[k] += 1 }
        }
        var q = 0
        for i in 0..<langs.count {
          for j in (i + 1)..<max(i + 1, langs.count) {
            if present[i] && present[j] { pairs[q].units += 1 }
            q += 1
          }
        }
        if t.scoreColumn >= 0 && !t.fieldRange(u, t.scoreColumn).isEmpty { scored += 1 }
        if t.createdColumn >= 0 {
          let r = t.fieldRange(u, t.createdColumn)
          if !r.isEmpty, newest.map({ p[$0].lexicographicallyPrecedes(p[r]) }) ?? true { newest = r }
        }
      }
    }
    let info = FileIO.modificationTime(t.path)
    return MemoryStats(
      memory: memory ?? MemoryRef(id: t.path), bytes: info?.size ?? t.bytes.count, languages: langs, units: t.count,
      pairCounts: pairs, texts: zip(langs, perLanguage).map { LanguageCount(language: $0, units: $1) },
      duplicates: t.duplicateCount(), scored: scored,
      modified: info.map { Timestamp.isoString(seconds: $0.seconds) }, newestUnit: newest.map { t.decode($0) })
  }

  /// Counts units one at a time: the stats of a backend that streams.
  public struct Counter: Sendable {
    var stats: MemoryStats
    var seen = Set<UnitKey>()

    public init(memory: MemoryRef, languages: [Language], bytes: Int? = nil, modified: String? = nil) {
      var pairs: [PairCount] = []
      for i in 0..<languages.count {
        for j in (i + 1)..<max(i + 1, languages.count) {
          pairs.append(PairCount(source: languages[i], target: languages[j], units: 0))
        }
      }
      stats = MemoryStats(
        memory: memory, bytes: bytes, languages: languages, units: 0, pairCounts: pairs,
        texts: languages.map { LanguageCount(language: $0, units: 0) }, duplicates: 0, scored: 0,
        modified: modified, newestUnit: nil)
    }

    public mutating func add(_ u: TranslationUnit) {
      stats.units += 1
      for k in stats.texts.indices where u.texts[stats.texts[k].language] != nil { stats.texts[k].units += 1 }
      for k in stats.pairCounts.indices
      where u.texts[stats.pairCounts[k].source] != nil && u.texts[stats.pairCounts[k].target] != nil {
        stats.pairCounts[k].units += 1
      }
      if !seen.insert(UnitKey(u)).inserted { stats.duplicates += 1 }
      if u.score != nil { stats.scored += 1 }
      if !u.created.isEmpty, stats.newestUnit.map({ u.created > $0 }) ?? true { stats.newestUnit = u.created }
    }

    public var result: MemoryStats { stats }
  }
}
