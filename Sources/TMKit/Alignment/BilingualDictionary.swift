/// A word-to-word dictionary learned from the translation units already in
/// the memories (hunalign's automatic dictionary, but from units a translator
/// has accepted rather than from the documents being aligned).
///
/// Learning: in units with both languages and at most `maxWords` words a
/// side, count in how many units each source word, each target word and each
/// pair occurs; keep a pair when it occurs in at least `minCount` units and its
/// Dice coefficient `2·c(s,t) / (c(s) + c(t))` is at least `minDice`, at most
/// three translations per source word. Words in more than 5% of the units
/// (function words) are left out once there are 200 units or more: they
/// co-occur with everything.
public struct BilingualDictionary: Sendable {
  /// Case-folded source word → case-folded target words.
  public var translations: [String: [String]]

  public init(translations: [String: [String]] = [:]) {
    self.translations = translations
  }

  public var count: Int { translations.count }

  /// Learns from units (the pair's texts are taken from each unit; others
  /// are skipped). At most `maxUnits` units are read (the most recent last
  /// ones win: the list's tail).
  public static func learn(
    from units: [TranslationUnit], source: Language, target: Language,
    maxUnits: Int = 20_000, maxWords: Int = 20, minCount: Int = 2, minDice: Double = 0.3
  ) throws -> BilingualDictionary {
    let st = try Tokenizer(language: source)
    let tt = try Tokenizer(language: target)
    var vocabS = Vocabulary()
    var vocabT = Vocabulary()
    var pairs: [UInt64: Int32] = [:]
    var used = 0
    func words(_ text: String, _ tok: Tokenizer, _ lang: Language) -> [String] {
      let w = tok.tokens(text).filter { $0.kind == .word }.map(\.text)
      if w.isEmpty || w.count > maxWords { return [] }
      return Array(Set(w.joined(separator: " ").caseFolded(for: lang).split(separator: " ").map(String.init)))
    }
    for u in units.suffix(maxUnits) {
      guard let s = u.texts[source], let t = u.texts[target] else { continue }
      let ws = words(s, st, source)
      let wt = words(t, tt, target)
      if ws.isEmpty || wt.isEmpty { continue }
      used += 1
      let ids = ws.map { vocabS.count($0) }
      let tids = wt.map { vocabT.count($0) }
      for a in ids {
        for b in tids { pairs[UInt64(UInt32(a)) << 32 | UInt64(UInt32(b)), default: 0] += 1 }
      }
    }
    let tooCommon = used >= 200 ? used / 20 : Int.max
    var best: [Int32: [(Double, Int32)]] = [:]
    for (key, c) in pairs where Int(c) >= minCount {
      let a = Int32(truncatingIfNeeded: key >> 32)
      let b = Int32(truncatingIfNeeded: key & 0xFFFF_FFFF)
      let da = vocabS.documents[Int(a)]
      let db = vocabT.documents[Int(b)]
      if da > tooCommon || db > tooCommon { continue }
      let dice = 2 * Double(c) / Double(da + db)
      if dice >= minDice { best[a, default: []].append((dice, b)) }
    }
    var out: [String: [String]] = [:]
    for (a, list) in best {
      let top = list.sorted { $0.0 > $1.0 || ($0.0 == $1.0 && vocabT.words[Int($0.1)] < vocabT.words[Int($1.1)]) }.prefix(3)
      out[vocabS.words[Int(a)]] = top.map { vocabT.words[Int($0.1)] }
    }
    return BilingualDictionary(translations: out)
  }
}

/// Words seen on one side, numbered in order of first appearance, with the
/// number of units each occurs in (its document frequency).
private struct Vocabulary {
  private var ids: [String: Int32] = [:]
  private(set) var words: [String] = []
  private(set) var documents: [Int] = []

  /// Counts one more unit containing `word` and returns its number.
  mutating func count(_ word: String) -> Int32 {
    if let id = ids[word] {
      documents[Int(id)] += 1
      return id
    }
    let id = Int32(words.count)
    ids[word] = id
    words.append(word)
    documents.append(1)
    return id
  }
}
