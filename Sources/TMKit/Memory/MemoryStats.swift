/// What `tm stats` reports about one memory file.
public struct MemoryStats: Sendable {
  public var path: String
  /// File size in bytes.
  public var bytes: Int
  public var languages: [Language]
  public var units: Int
  /// Units holding both languages of a pair, for every pair of the memory's
  /// languages (in column order).
  public var pairs: [(Language, Language, Int)]
  /// Units holding each language.
  public var perLanguage: [Language: Int]
  /// Units that repeat an earlier unit's texts in every language.
  public var duplicates: Int
  /// Units with an alignment score.
  public var scored: Int
  /// The file's modification time, ISO 8601 UTC.
  public var modified: String?
  /// The newest `created` value in the memory.
  public var newestUnit: String?

  /// Reads a memory and counts.
  public static func of(path: String) throws -> MemoryStats {
    of(try MemoryTable.open(path: path))
  }

  /// Counts over a table without decoding its units.
  public static func of(_ t: MemoryTable) -> MemoryStats {
    let langs = t.languages
    var perLanguage: [Language: Int] = [:]
    var pairs: [(Language, Language, Int)] = []
    for i in 0..<langs.count {
      for j in (i + 1)..<max(i + 1, langs.count) { pairs.append((langs[i], langs[j], 0)) }
    }
    var scored = 0
    var newest: Range<Int>?
    var present = [Bool](repeating: false, count: langs.count)
    t.bytes.withUnsafeBufferPointer { p in
      for u in t.indices {
        for (k, l) in langs.enumerated() {
          present[k] = t.has(u, l)
          if present[k] { perLanguage[l, default: 0] += 1 }
        }
        var q = 0
        for i in 0..<langs.count {
          for j in (i + 1)..<max(i + 1, langs.count) {
            if present[i] && present[j] { pairs[q].2 += 1 }
            q += 1
          }
        }
        if t.scoreColumn >= 0 && !t.fieldRange(u, t.scoreColumn).isEmpty { scored += 1 }
        if t.createdColumn >= 0 {
          let r = t.fieldRange(u, t.createdColumn)
          if !r.isEmpty, newest == nil || p[newest!].lexicographicallyPrecedes(p[r]) { newest = r }
        }
      }
    }
    let info = FileIO.modificationTime(t.path)
    return MemoryStats(
      path: t.path, bytes: info?.size ?? t.bytes.count, languages: langs, units: t.count, pairs: pairs,
      perLanguage: perLanguage, duplicates: t.duplicateCount(), scored: scored,
      modified: info.map { MemoryFile.isoString(seconds: $0.seconds) }, newestUnit: newest.map { t.decode($0) })
  }

  public static func of(_ m: Memory) -> MemoryStats {
    var perLanguage: [Language: Int] = [:]
    var pairCounts: [Int] = []
    let langs = m.languages
    var pairIndex: [(Int, Int)] = []
    for i in 0..<langs.count {
      for j in (i + 1)..<max(i + 1, langs.count) {
        pairIndex.append((i, j))
        pairCounts.append(0)
      }
    }
    var seen = Set<UnitKey>()
    var duplicates = 0
    var scored = 0
    var newest: String?
    for u in m.units {
      for l in u.texts.keys { perLanguage[l, default: 0] += 1 }
      for (k, (i, j)) in pairIndex.enumerated() where u.texts[langs[i]] != nil && u.texts[langs[j]] != nil {
        pairCounts[k] += 1
      }
      if !seen.insert(UnitKey(u)).inserted { duplicates += 1 }
      if u.score != nil { scored += 1 }
      if !u.created.isEmpty, newest == nil || u.created > newest! { newest = u.created }
    }
    let info = FileIO.modificationTime(m.path)
    return MemoryStats(
      path: m.path, bytes: info?.size ?? 0, languages: langs, units: m.units.count,
      pairs: pairIndex.enumerated().map { (langs[$0.element.0], langs[$0.element.1], pairCounts[$0.offset]) },
      perLanguage: perLanguage, duplicates: duplicates, scored: scored,
      modified: info.map { MemoryFile.isoString(seconds: $0.seconds) }, newestUnit: newest)
  }
}
