#if canImport(Glibc)
  import Glibc
#endif

/// How a stored segment matches a query.
public enum MatchKind: String, Sendable, Comparable {
  /// The same text after NFC: 100.
  case exact
  /// Differs only in case, whitespace, punctuation, numbers or script: 95–99.
  case nearExact = "near-exact"
  /// A CAT-style token percentage.
  case fuzzy
  /// Contains the query's words (concordance search).
  case concordance

  var rank: Int {
    switch self {
    case .exact: return 0
    case .nearExact: return 1
    case .fuzzy: return 2
    case .concordance: return 3
    }
  }

  public static func < (a: MatchKind, b: MatchKind) -> Bool { a.rank < b.rank }
}

/// One translation of a match.
public struct MatchTarget: Sendable, Equatable {
  public var language: Language
  /// The stored translation.
  public var text: String
  /// The translation with the query's numbers put in, when that applies.
  public var substituted: String?

  public init(language: Language, text: String, substituted: String? = nil) {
    self.language = language
    self.text = text
    self.substituted = substituted
  }
}

/// A stored unit that matches a query.
public struct Match: Sendable {
  public var kind: MatchKind
  /// 0–100; fuzzy scores are ``FuzzyScore`` (tokens blended with characters).
  public var score: Double
  /// The memory file.
  public var memory: String
  /// The unit's position in the memory (0-based).
  public var unit: Int
  public var sourceLanguage: Language
  public var source: String
  public var targets: [MatchTarget]
  /// What differs: for near-exact matches the kinds (`case`, `whitespace`,
  /// `punctuation`, `numbers`, `script`); for fuzzy matches the stored
  /// words that differ from the query.
  public var differences: [String]
  /// UTF-8 ranges of `source` to mark: words that differ (exact, near-exact,
  /// fuzzy) or the words found (concordance).
  public var marks: [Range<Int>]
  /// For ordering ties: character similarity of the keys (0–100).
  var tieBreak: Double = 0
  /// Which index it came from, and the unit's number there.
  var order: Int = 0
  var localUnit: Int = 0
  /// The entry of the query's index section whose own text `source` is
  /// (-1: another column's text was shown instead), and that text's column.
  var entry: Int = -1
  var column: Int = -1
  /// `source` is not read yet (a fuzzy candidate: read only when it is
  /// scored, see `Matcher.rescore`).
  var sourcePending = false
}

/// What to look up.
public struct LookupQuery: Sendable {
  public var text: String
  public var language: Language
  /// Languages of the translations to show; nil = every other language the unit has.
  public var targets: [Language]?
  public var limit: Int
  public var minScore: Double
  /// true: concordance only; false: never; nil: automatic (one or two words
  /// search both ways).
  public var concordance: Bool?

  public init(
    text: String, language: Language, targets: [Language]? = nil, limit: Int = 5, minScore: Double = 70,
    concordance: Bool? = nil
  ) {
    self.text = text
    self.language = language
    self.targets = targets
    self.limit = limit
    self.minScore = minScore
    self.concordance = concordance
  }
}

/// The result of one lookup.
public struct LookupResult: Sendable {
  public var matches: [Match]
  /// Concordance hits (shown after the matches).
  public var concordance: [Match]
  /// How many units contained the words in all (concordance may show fewer).
  public var concordanceTotal: Int
  /// The best score among `matches`, for analysis (it may be below the
  /// threshold when `analysisFloor` asked for it).
  public var bestScore: Double?
  /// The word-token score fuzzy retrieval ended at when its pool of best
  /// candidates filled (the lowest over the indexes searched; nil when some
  /// index found fewer): the fuzzy candidates are exactly the units scoring
  /// at least this, so a store that retrieved every unit that could score
  /// this much gets the same result as one that retrieved more.
  public var retrievalFloor: Double?
}

/// Searches the indexes of one or more memories.
///
/// Candidates come from the index, never from a scan: exact text by hash,
/// near-exact by the hash of the word skeleton, fuzzy by token postings with
/// a length filter and a prefix filter (a segment scoring ≥ t shares at
/// least ⌈t·|q|/100⌉ tokens with the query, so it contains one of the
/// |q| − ⌈t·|q|/100⌉ + 1 rarest query tokens: only those postings are
/// read), then the token edit distance is computed with a cut-off; short
/// queries also take segments with a word spelt like theirs. The best
/// candidates are then rescored with ``FuzzyScore``.
/// Not thread-safe; use one per thread.
public final class Matcher {
  public let indexes: [LookupIndex]
  let keys: LookupKeys
  /// Per index and section, a bit per entry: the posting scan's "seen"
  /// flags (all clear between lookups). Bits, not bytes: at 1M units the
  /// set stays in the core's L2 cache.
  var stamps: [ObjectIdentifier: [[UInt64]]] = [:]
  /// Per index and section, the character keys of the segments rescored so far.
  var characterKeys: [ObjectIdentifier: [CharacterKeys?]] = [:]
  /// Per index and section, the byte masks of the vocabulary (`vocabularyMasks`).
  var vocabMasks: [ObjectIdentifier: [VocabularyMasks?]] = [:]
  var scratch = DistanceScratch()
  /// Where loads made only to bring memory into the cache leave their value
  /// (so the compiler keeps them).
  var sink: UInt32 = 0
  /// The score tokens (``LookupKeys/scoreTokens(_:language:)``) of stored
  /// segments rescored so far, by index, section and entry
  /// (``scoreTokenSlot(order:section:entry:)``): like the character keys,
  /// they depend on the stored text alone, so a segment rescored before is
  /// neither read nor tokenised again. At most ``scoreTokenLimit`` entries.
  var scoreTokenCache: [Int: [ScoreToken]] = [:]
  static let scoreTokenLimit = 1 << 16
  /// Tests: every fuzzy candidate made a ``Match`` before rescoring (the
  /// straightforward path the candidate pairs must answer like).
  var materializeCandidates = false

  /// `keys`: reuse one (with its ICU objects) across matchers on one thread.
  public init(indexes: [LookupIndex], keys: LookupKeys = LookupKeys()) {
    self.indexes = indexes
    self.keys = keys
    var first: [String: Int] = [:]
    for (i, idx) in indexes.enumerated() where first[idx.memoryPath] == nil { first[idx.memoryPath] = i }
    memoryOrder = first
    indexMemory = indexes.map { first[$0.memoryPath] ?? 0 }
  }

  /// Per memory file, the position of its first index: with a unit's
  /// number in the memory, the unit's identity (``unitKey(memory:unit:)``).
  let memoryOrder: [String: Int]
  /// Per index, its memory's ``memoryOrder`` (read per concordance hit,
  /// where hashing the memory's path each time would cost what the key saves).
  let indexMemory: [Int]

  /// A unit as one integer: the memory's ``memoryOrder`` and the unit's
  /// number in it (a set of these replaces one of "path NUL unit" strings,
  /// made for every concordance hit).
  static func unitKey(memory: Int, unit: Int) -> Int { memory << 40 | unit }

  /// The languages the memories can be searched in.
  public var searchableLanguages: [Language] {
    var out: [Language] = []
    for idx in indexes {
      for c in idx.columns where !out.contains(c) && idx.section(c) != nil { out.append(c) }
    }
    return Language.allCases.filter(out.contains)
  }

  /// Refuses queries a lookup cannot sensibly run.
  public static func validate(_ text: String) throws {
    // ASCII without control characters (the common query): nothing to
    // refuse unless it is all whitespace; anything else takes the full
    // checks below, which also name what they refuse.
    var ascii = true, blank = true
    for b in text.utf8 {
      if b >= 0x80 || b == 0x7F || (b < 0x20 && b != 0x09 && b != 0x0A && b != 0x0D) {
        ascii = false
        break
      }
      if b != 0x20 && b != 0x09 && b != 0x0A && b != 0x0D { blank = false }
    }
    if ascii && !blank { return }
    if text.unicodeScalars.allSatisfy({ $0.properties.isWhitespace }) {
      throw TMError(.usage, "the query is empty", hint: "give the text to look up")
    }
    var column = 0
    for u in text.unicodeScalars {
      column += 1
      if u.properties.generalCategory == .control && u != "\t" && u != "\n" && u != "\r" {
        let hex = String(u.value, radix: 16, uppercase: true)
        throw TMError(
          .invalidInput,
          "the query contains the control character U+\(String(repeating: "0", count: max(0, 4 - hex.count)) + hex) at character \(column)",
          hint: "remove it (tabs are allowed; give one query per line with --batch)")
      }
    }
  }

  public func lookup(_ q: LookupQuery, analysisFloor: Double? = nil) throws -> LookupResult {
    try Matcher.validate(q.text)
    let text = q.text.nfc
    let qKey = keys.key(text, language: q.language)
    let qTokens = keys.tokens(ofKey: qKey, language: q.language)
    if qTokens.count > TokenDistance.maxQueryTokens {
      throw TMError(
        .usage,
        "the query has \(qTokens.count) words; lookup compares at most \(TokenDistance.maxQueryTokens)",
        hint: "look up one sentence at a time (use --batch with --segment for a document)")
    }
    let wordCount = qTokens.filter { !$0.isNumber }.count
    let concordanceOnly = q.concordance == true
    let wantConcordance = q.concordance ?? (wordCount >= 1 && wordCount <= 2)
    var matches: [Match] = []
    var best: Double? = nil
    var reached: Double? = nil
    if !concordanceOnly {
      let floor = min(q.minScore, analysisFloor ?? q.minScore)
      // Candidates by the index's word-token score, with a margin below the
      // threshold and a pool larger than the limit, then rescored with the
      // fuzzy score (tokens with placeholders, accelerators and punctuation,
      // blended with character similarity; see `FuzzyScore`).
      let retrieval = max(1, floor - Matcher.retrievalMargin)
      let pool = max(q.limit, Matcher.rescorePool)
      var floors: [Double?] = []
      var pending: [FuzzyCandidate] = []
      for (ii, idx) in indexes.enumerated() {
        var r: Double? = nil
        matches += collect(
          idx, order: ii, query: q, text: text, key: qKey, tokens: qTokens, floor: retrieval, keep: pool, reached: &r,
          pending: &pending)
        if idx.section(q.language) != nil { floors.append(r) }
      }
      if !floors.isEmpty, floors.allSatisfy({ $0 != nil }) { reached = floors.compactMap { $0 }.min() }
      if materializeCandidates {
        for c in pending where c.order < indexes.count { matches.append(Matcher.match(c, indexes[c.order])) }
        pending = []
      }
      rescore(&matches, pending: pending, text: text, key: qKey, language: q.language, pool: pool, limit: q.limit)
      matches = Matcher.best(matches, minScore: q.minScore, limit: q.limit, top: &best)
      // (Rescoring reads a text only when its score tokens are not kept.)
      for i in matches.indices { loadSource(&matches[i]) }
      for i in matches.indices { decorate(&matches[i], query: q, text: text) }
    }
    var conc: [Match] = []
    var total = 0
    if wantConcordance {
      var shown = Set<Int>()
      for m in matches {
        if let k = memoryOrder[m.memory] { shown.insert(Matcher.unitKey(memory: k, unit: m.unit)) }
      }
      (conc, total) = concordance(q, text: text, excluding: shown)
    }
    return LookupResult(
      matches: matches, concordance: conc, concordanceTotal: total, bestScore: best, retrievalFloor: reached)
  }

  /// The units (the indexes' own unit numbers, with the index's position)
  /// that `lookup` would rescore for `q`, concordance aside: the exact and
  /// near-exact candidates, the fuzzy ones the retrieval keeps and the
  /// similar-word ones of a short query. A lookup over an index of only
  /// these units gives the same matches (a store that retrieves a wide
  /// candidate set can narrow it with a cheap index of the query's own
  /// section, then build the full one for these few).
  public func candidateUnits(_ q: LookupQuery, analysisFloor: Double? = nil) throws -> [(index: Int, unit: Int)] {
    try Matcher.validate(q.text)
    let text = q.text.nfc
    let qKey = keys.key(text, language: q.language)
    let qTokens = keys.tokens(ofKey: qKey, language: q.language)
    guard qTokens.count <= TokenDistance.maxQueryTokens, q.concordance != true else { return [] }
    let floor = min(q.minScore, analysisFloor ?? q.minScore)
    let retrieval = max(1, floor - Matcher.retrievalMargin)
    let pool = max(q.limit, Matcher.rescorePool)
    var out: [(index: Int, unit: Int)] = []
    for (ii, idx) in indexes.enumerated() {
      let found = search(
        idx, order: ii, query: q, text: text, key: qKey, tokens: qTokens, floor: retrieval, keep: pool)
      out += found.map { (ii, $0.localUnit) }
    }
    return out.sorted { $0.index != $1.index ? $0.index < $1.index : $0.unit < $1.unit }
  }

  /// How far below the threshold the index's word-token score may be for a
  /// candidate to be rescored: that score counts a changed inflection or a
  /// placeholder as a whole word, the fuzzy score does not.
  public static let retrievalMargin = 30.0
  /// How many of the index's best candidates are rescored (at least the limit).
  static let rescorePool = 40

  /// Gives fuzzy candidates their ``FuzzyScore`` and every candidate its
  /// character similarity for ordering ties. `pending`: fuzzy candidates
  /// not made a ``Match`` yet (``collect``); those outside the rescoring
  /// pool never are, and are left out of `matches` as the pool leaves out
  /// the fuzzy matches outside it.
  func rescore(
    _ matches: inout [Match], pending: [FuzzyCandidate] = [], text: String, key qKey: String, language: Language,
    pool: Int, limit: Int = .max
  ) {
    guard !matches.isEmpty || !pending.isEmpty else { return }
    let scorer = FuzzyScore.standard
    let qChars = FuzzyScore.characterKey(qKey)
    let pattern = ScalarLCSPattern(qChars)
    // The character keys of stored segments: kept per index entry across
    // lookups (they depend on the stored text alone), so a segment seen
    // before is neither read nor keyed again.
    let si = LookupIndex.sections.firstIndex(of: LookupKeys.section(of: language))
    let caches: [CharacterKeys?] = indexes.map { idx in
      guard let si, let sec = idx.section(language) else { return nil }
      let id = ObjectIdentifier(idx)
      if characterKeys[id] == nil { characterKeys[id] = [nil, nil, nil] }
      if let c = characterKeys[id]?[si] { return c }
      let c = CharacterKeys(entries: sec.entryCount)
      characterKeys[id]?[si] = c
      return c
    }
    func similarity(_ lcs: Int, _ scalars: Int) -> Double {
      let total = qChars.count + scalars
      return total == 0 ? 100 : 200 * Double(lcs) / Double(total)
    }
    for i in matches.indices {
      let entry = matches[i].entry, order = matches[i].order
      let cache = entry >= 0 && order >= 0 && order < caches.count ? caches[order] : nil
      var r = cache?.withKey(entry) { pattern.lcs(utf8: $0) }
      if r == nil {
        loadSource(&matches[i])
        var key = keys.key(matches[i].source, language: matches[i].sourceLanguage)
        r = key.withUTF8 { b in
          cache?.put(entry, b)
          return pattern.lcs(utf8: b)
        }
      }
      let (lcs, scalars) = r ?? (0, 0)
      matches[i].tieBreak = similarity(lcs, scalars)
    }
    // The texts of pending candidates read because their key was not kept.
    var texts: [Int: String] = [:]
    func similarity(of c: FuzzyCandidate, _ j: Int) -> Double {
      let cache = c.order >= 0 && c.order < caches.count ? caches[c.order] : nil
      if let r = cache?.withKey(c.entry, { pattern.lcs(utf8: $0) }) { return similarity(r.lcs, r.scalars) }
      guard c.order >= 0, c.order < indexes.count else { return similarity(0, 0) }
      let source = indexes[c.order].text(unit: c.localUnit, column: c.column)
      texts[j] = source
      var key = keys.key(source, language: c.language)
      let r = key.withUTF8 { b in
        cache?.put(c.entry, b)
        return pattern.lcs(utf8: b)
      }
      return similarity(r.lcs, r.scalars)
    }
    // Only the most promising fuzzy candidates get the full score (it
    // tokenises the stored text again): by the same blend over the index's
    // word-token score. The `pool` best by this proxy; ties by memory
    // order, so the pool (and what is shown) does not depend on the order
    // candidates were collected in.
    let share = scorer.tokenShare
    // The fuzzy candidates: `ref` ≥ 0 a match, < 0 the pending candidate
    // −1 − ref; `proxy` the blend.
    var items: [(proxy: Double, order: Int, unit: Int, ref: Int)] = []
    items.reserveCapacity(min(pending.count, 4 * pool) + 64)
    for i in matches.indices where matches[i].kind == .fuzzy {
      items.append((share * matches[i].score + (1 - share) * matches[i].tieBreak, matches[i].order, matches[i].unit, i))
    }
    var tie = [Double](repeating: 0, count: pending.count)
    if items.count + pending.count <= pool {
      for j in pending.indices {
        tie[j] = similarity(of: pending[j], j)
        items.append((0, pending[j].order, pending[j].unit, -1 - j))
      }
    } else {
      // A pending candidate's proxy is at most `share × score + (1 −
      // share) × 100`: taken best score first, the character similarity of
      // the rest is not computed once that bound is below the `pool`-th
      // best proxy so far (it can only rise, so they could not enter the
      // pool, not even in a tie at its edge).
      var top: [Double] = []  // the `pool` best proxies so far, ascending
      top.reserveCapacity(pool + 1)
      func noteProxy(_ p: Double) {
        if top.count == pool {
          guard p > top[0] else { return }
          top.removeFirst()
        }
        var lo = 0, hi = top.count
        while lo < hi {
          let mid = (lo + hi) / 2
          if top[mid] < p { lo = mid + 1 } else { hi = mid }
        }
        top.insert(p, at: lo)
      }
      for it in items { noteProxy(it.proxy) }
      let byScore = pending.indices.sorted { pending[$0].score > pending[$1].score }
      for j in byScore {
        let c = pending[j]
        if top.count == pool, share * c.score + (1 - share) * 100 < top[0] { break }
        tie[j] = similarity(of: c, j)
        let p = share * c.score + (1 - share) * tie[j]
        items.append((p, c.order, c.unit, -1 - j))
        noteProxy(p)
      }
    }
    if items.count > pool {
      var sortedProxy = items.map(\.proxy)
      sortedProxy.sort(by: >)
      let edge = sortedProxy[pool - 1]
      var chosen = items.filter { $0.proxy > edge }
      var tied = items.filter { $0.proxy == edge }
      // Only the candidates at the pool's edge are ordered.
      tied.sort { a, b in a.order != b.order ? a.order < b.order : a.unit < b.unit }
      chosen += tied.prefix(pool - chosen.count)
      items = chosen
    }
    var fuzzy: [Int] = []
    fuzzy.reserveCapacity(items.count)
    for it in items {
      if it.ref >= 0 {
        fuzzy.append(it.ref)
        continue
      }
      let j = -1 - it.ref
      var c = pending[j]
      c.tieBreak = tie[j]
      guard c.order >= 0, c.order < indexes.count else { continue }
      var m = Matcher.match(c, indexes[c.order])
      if let t = texts[j] {
        m.source = t
        m.sourcePending = false
      }
      fuzzy.append(matches.count)
      matches.append(m)
    }
    // The fuzzy score is at most `share × 100 + (1 − share) × tieBreak`: a
    // candidate whose bound is below the `limit`-th best score so far cannot
    // be shown (nor be the best), so it is not tokenised. Exact and
    // near-exact candidates first (their scores are mostly fixed), then the
    // fuzzy ones by that bound, best first.
    var keepIdx: [Int] = []
    var best: [Double] = []  // the `limit` best scores so far, descending
    func note(_ score: Double) {
      guard limit > 0 else { return }
      let pos = best.firstIndex(where: { $0 < score }) ?? best.count
      if pos < limit {
        best.insert(score, at: pos)
        if best.count > limit { best.removeLast() }
      }
    }
    var rows: [String: [Double]] = [:]
    var qTokens: [ScoreToken]? = nil
    var qPlaceholders: [String] = []
    func queryTokens() -> [ScoreToken] {
      if let t = qTokens { return t }
      let t = keys.scoreTokens(text, language: language)
      qTokens = t
      qPlaceholders = t.filter { $0.kind == .placeholder && !InlineTags.isTag($0.key) }.map(\.key).sorted()
      return t
    }
    for i in matches.indices where matches[i].kind != .fuzzy {
      keepIdx.append(i)
      guard matches[i].kind != .exact else {
        note(matches[i].score)
        continue
      }
      let qt = queryTokens()
      let st = storedScoreTokens(&matches[i], section: si)
      // Same words, but a placeholder or tag differs: that is an edit
      // the translation needs, so it is scored as fuzzy. (Inline codes are
      // moved into the translation: they stay near-exact.)
      if st.filter({ $0.kind == .placeholder && !InlineTags.isTag($0.key) }).map(\.key).sorted() != qPlaceholders {
        matches[i].kind = .fuzzy
        let s = scorer.score(tokens: qt, st, characterScore: matches[i].tieBreak, rows: &rows)
        matches[i].score = min(99, (s * 100).rounded() / 100)
      }
      note(matches[i].score)
    }
    let bound = matches.map { min(99, share * 100 + (1 - share) * $0.tieBreak) }
    fuzzy.sort { bound[$0] != bound[$1] ? bound[$0] > bound[$1] : $0 < $1 }
    for i in fuzzy {
      if best.count == limit, let kth = best.last, bound[i] + 0.01 < kth { break }
      let st = storedScoreTokens(&matches[i], section: si)
      let s = scorer.score(tokens: queryTokens(), st, characterScore: matches[i].tieBreak, rows: &rows)
      matches[i].score = min(99, (s * 100).rounded() / 100)
      keepIdx.append(i)
      note(matches[i].score)
    }
    keepIdx.sort()
    matches = keepIdx.map { matches[$0] }
  }

  /// Uses a complete, frozen table of character keys (from
  /// ``CharacterKeys/complete(_:language:keys:)`` on the same index object)
  /// instead of the keys this matcher would collect itself.
  public func adopt(_ table: CharacterKeys, for idx: LookupIndex, language: Language) {
    guard table.frozen, indexes.contains(where: { $0 === idx }),
      let si = LookupIndex.sections.firstIndex(of: LookupKeys.section(of: language)),
      let sec = idx.section(language), sec.entryCount == table.entries
    else { return }
    let id = ObjectIdentifier(idx)
    if characterKeys[id] == nil { characterKeys[id] = [nil, nil, nil] }
    characterKeys[id]?[si] = table
  }

  /// The slot of an entry's score tokens in ``scoreTokenCache``.
  static func scoreTokenSlot(order: Int, section: Int, entry: Int) -> Int {
    (order * LookupIndex.sections.count + section) << 32 | entry
  }

  /// The score tokens of a match's stored text: kept ones when its text is
  /// its entry's own (`entry` ≥ 0; the section `si` is the query's), else
  /// its text read and tokenised (and kept while there is room).
  func storedScoreTokens(_ m: inout Match, section si: Int?) -> [ScoreToken] {
    var slot = -1
    if let si, m.entry >= 0, m.entry < 1 << 32, m.order >= 0, m.order < indexes.count {
      slot = Matcher.scoreTokenSlot(order: m.order, section: si, entry: m.entry)
      if let t = scoreTokenCache[slot] { return t }
    }
    loadSource(&m)
    let t = keys.scoreTokens(m.source, language: m.sourceLanguage)
    if slot >= 0, scoreTokenCache.count < Matcher.scoreTokenLimit { scoreTokenCache[slot] = t }
    return t
  }

  /// Reads a candidate's text if `search` left it for later.
  func loadSource(_ m: inout Match) {
    guard m.sourcePending else { return }
    m.sourcePending = false
    guard m.order >= 0, m.order < indexes.count else { return }
    m.source = indexes[m.order].text(unit: m.localUnit, column: m.column)
  }

  /// `matches` in ``before(_:_:)`` order (ties in their order in
  /// `matches`, as a stable sort leaves them), those scoring at least
  /// `minScore`, at most `limit`; `top` the best score of all. The sort
  /// moves indexes over a plain array of the compared fields, not `Match`
  /// values (strings and arrays, copied with their reference counts).
  static func best(_ matches: [Match], minScore: Double, limit: Int, top: inout Double?) -> [Match] {
    guard !matches.isEmpty else { return [] }
    var keys: [(score: Double, kind: Int, tie: Double, order: Int, unit: Int)] = []
    keys.reserveCapacity(matches.count)
    for m in matches { keys.append((m.score, m.kind.rank, m.tieBreak, m.order, m.unit)) }
    var order = Array(matches.indices)
    keys.withUnsafeBufferPointer { k in
      order.sort { i, j in
        let a = k[i], b = k[j]
        if a.score != b.score { return a.score > b.score }
        if a.kind != b.kind { return a.kind < b.kind }
        if a.tie != b.tie { return a.tie > b.tie }
        if a.order != b.order { return a.order < b.order }
        if a.unit != b.unit { return a.unit < b.unit }
        return i < j
      }
    }
    top = matches[order[0]].score
    var out: [Match] = []
    out.reserveCapacity(min(limit, order.count))
    for i in order where out.count < limit && matches[i].score >= minScore { out.append(matches[i]) }
    return out
  }

  static func before(_ a: Match, _ b: Match) -> Bool {
    if a.score != b.score { return a.score > b.score }
    if a.kind != b.kind { return a.kind < b.kind }
    if a.tieBreak != b.tieBreak { return a.tieBreak > b.tieBreak }
    if a.order != b.order { return a.order < b.order }
    return a.unit < b.unit
  }

  // MARK: Exact, near-exact, fuzzy

  private func stampArray(_ idx: LookupIndex, _ s: Int, _ count: Int) -> [UInt64] {
    let id = ObjectIdentifier(idx)
    let words = (count + 63) >> 6
    if stamps[id] == nil { stamps[id] = [[], [], []] }
    if stamps[id]![s].count < words { stamps[id]![s] = [UInt64](repeating: 0, count: words) }
    return stamps[id]![s]
  }

  func search(
    _ idx: LookupIndex, order: Int, query q: LookupQuery, text: String, key: String,
    tokens qTokens: [LookupKeys.KeyToken], floor: Double, keep: Int = 0
  ) -> [Match] {
    var reached: Double? = nil
    return search(
      idx, order: order, query: q, text: text, key: key, tokens: qTokens, floor: floor, keep: keep, reached: &reached)
  }

  /// `reached`: the k-th best word-token score when `keep` candidates were
  /// found (see ``LookupResult/retrievalFloor``), else nil.
  func search(
    _ idx: LookupIndex, order: Int, query q: LookupQuery, text: String, key: String,
    tokens qTokens: [LookupKeys.KeyToken], floor: Double, keep: Int = 0, reached: inout Double?
  ) -> [Match] {
    var pending: [FuzzyCandidate] = []
    var out = collect(
      idx, order: order, query: q, text: text, key: key, tokens: qTokens, floor: floor, keep: keep, reached: &reached,
      pending: &pending)
    out.reserveCapacity(out.count + pending.count)
    for c in pending { out.append(Matcher.match(c, idx)) }
    return out
  }

  /// A fuzzy candidate whose own text (the direct column of its entry) is
  /// shown: what `collect` finds thousands of for a short query, kept as
  /// plain numbers (no strings, arrays or reference counts) until the
  /// rescoring pool is chosen; only the pool's become a ``Match``.
  struct FuzzyCandidate {
    var order: Int
    var entry: Int
    var localUnit: Int
    /// The unit's number in the memory (the index's offset added).
    var unit: Int
    var column: Int
    var language: Language
    /// The word-token score, at most 99.
    var score: Double
    var tieBreak: Double = 0
  }

  /// The ``Match`` a candidate becomes, its text not read yet.
  static func match(_ c: FuzzyCandidate, _ idx: LookupIndex) -> Match {
    var m = Match(
      kind: .fuzzy, score: c.score, memory: idx.memoryPath, unit: c.unit, sourceLanguage: c.language, source: "",
      targets: [], differences: [], marks: [])
    m.tieBreak = c.tieBreak
    m.order = c.order
    m.localUnit = c.localUnit
    m.entry = c.entry
    m.column = c.column
    m.sourcePending = true
    return m
  }

  /// ``search(_:order:query:text:key:tokens:floor:keep:reached:)`` with the
  /// fuzzy candidates shown in their own text left in `pending`.
  func collect(
    _ idx: LookupIndex, order: Int, query q: LookupQuery, text: String, key: String,
    tokens qTokens: [LookupKeys.KeyToken], floor: Double, keep: Int = 0, reached: inout Double?,
    pending: inout [FuzzyCandidate]
  ) -> [Match] {
    reached = nil
    guard let sec = idx.section(q.language),
      let si = LookupIndex.sections.firstIndex(of: LookupKeys.section(of: q.language))
    else { return [] }
    var found: [Int: (MatchKind, Double)] = [:]  // entry → kind, token score
    // Exact.
    for e in LookupIndex.lookup(fnv1a64(text.utf8), hashes: sec.exactHash, entries: sec.exactEntry)
    where idx.text(unit: Int(sec.entryUnit[e]), column: Int(sec.entryColumn[e])) == text {
      found[e] = (.exact, 100)
    }
    // Near-exact: same words in the same order, numbers aside.
    let skel = LookupKeys.skeleton(key: key, tokens: qTokens, language: q.language)
    for e in LookupIndex.lookup(fnv1a64(skel.utf8), hashes: sec.skelHash, entries: sec.skelEntry) where found[e] == nil {
      let col = Int(sec.entryColumn[e])
      let src = idx.text(unit: Int(sec.entryUnit[e]), column: col)
      guard let lang = idx.column(col) else { continue }
      let sk = keys.key(src, language: lang)
      if LookupKeys.skeleton(key: sk, tokens: keys.tokens(ofKey: sk, language: lang), language: lang) == skel {
        found[e] = (.nearExact, 0)
      }
    }
    // Fuzzy.
    var ids: [UInt32] = []
    var unknown: UInt32 = UInt32.max
    var idOf: [String: UInt32] = [:]
    for t in qTokens {
      if let id = idOf[t.text] {
        ids.append(id)
      } else if let v = sec.vocabID(t.text) {
        idOf[t.text] = UInt32(v)
        ids.append(UInt32(v))
      } else {
        idOf[t.text] = unknown
        ids.append(unknown)
        unknown -= 1
      }
    }
    let lq = ids.count
    if lq > 0 && floor < 100 {
      let t = max(floor, 1)
      let needCommon = Int((t * Double(lq) / 100).rounded(.up))
      // Distinct query tokens, rarest first.
      var occurrences: [UInt32: Int] = [:]
      for id in ids { occurrences[id, default: 0] += 1 }
      let distinct = occurrences.keys.sorted { a, b in
        let da = a >= UInt32(sec.vocabCount) ? 0 : sec.documentFrequency(Int(a))
        let db = b >= UInt32(sec.vocabCount) ? 0 : sec.documentFrequency(Int(b))
        return da != db ? da < db : a < b
      }
      var prefix: [UInt32] = []
      var covered = 0
      for id in distinct where covered < lq - needCommon + 1 {
        prefix.append(id)
        covered += occurrences[id] ?? 0
      }
      // Candidates come from the rarest tokens' postings, rarest first,
      // each verified at once; as the k-th best score rises, fewer tokens
      // (the prefix shrinks) and a narrower length window are needed.
      // Within a token's postings (ordered by segment length) candidates
      // are taken outward from the query's length, so the most promising
      // come first and each side stops when it leaves the current window.
      // `marks` flags seen candidates (a bit per entry) in a reusable array.
      var marks = stampArray(idx, si, sec.entryCount)
      let markable = marks.count << 6
      stamps[ObjectIdentifier(idx)]![si] = []  // take ownership while searching
      var touched: [UInt32] = []
      // Query tokens as a 1024-bit filter: a candidate token whose bit is
      // clear is surely not shared (false positives only loosen the bound).
      var qsig: UInt64 = 0
      for id in ids where id < UInt32(sec.vocabCount) { qsig |= LookupIndex.Section.sigBit(id) }
      var qbits = [UInt64](repeating: 0, count: 16)
      for id in ids where id < UInt32(sec.vocabCount) { qbits[Int(id & 1023) >> 6] |= 1 << UInt64(id & 63) }
      var top: [Double] = []  // best `keep` scores, descending
      var tEff = t
      // The length window at the current threshold (recomputed when it rises).
      var hiNow = Int((Double(lq) * 100 / tEff + 1e-9).rounded(.down))
      var loNow = Int((Double(lq) * tEff / 100 - 1e-9).rounded(.up))
      var coveredSoFar = 0
      // Exact and near-exact entries found so far (a fuzzy candidate among
      // them keeps its kind).
      let preFound = found
      let block = 32
      let buffer = UnsafeMutablePointer<Int>.allocate(capacity: 6 * block)
      defer { buffer.deallocate() }
      let bE = buffer, bL = buffer + block, bLo = buffer + 2 * block, bHi = buffer + 3 * block
      let bSh = buffer + 4 * block, bM = buffer + 5 * block
      let bS = UnsafeMutablePointer<UInt64>.allocate(capacity: block)
      defer { bS.deallocate() }
      for id in prefix {
        let need = lq - Int((tEff * Double(lq) / 100 - 1e-9).rounded(.up)) + 1
        if coveredSoFar >= need { break }
        // A segment first met in this token's postings contains none of the
        // tokens before it (or it was met there, or ruled out there at a
        // threshold no higher than now): it shares at most `rest` of the
        // query's tokens, so it scores at most 100·rest/max(lq, len), which
        // bounds its length from above more tightly than lq does.
        let rest = lq - coveredSoFar
        coveredSoFar += occurrences[id] ?? 0
        guard id < UInt32(sec.vocabCount) else { continue }
        hiNow = Int((Double(rest) * 100 / tEff + 1e-9).rounded(.down))
        let lo = max(1, Int((Double(lq) * tEff / 100 - 1e-9).rounded(.up)))
        let hi = max(lo, hiNow)
        let post = sec.postings(Int(id), lengths: lo...hi)
        var up = sec.firstIndex(in: post, length: lq)
        var down = up - 1
        // In blocks of `block` postings, each step over the whole block
        // (so the cache misses of one step, on entries spread over the
        // index, overlap instead of coming one after another): the next
        // postings outward in the window, their meta words, then for those
        // the signature does not rule out their token ranges, their shared
        // token counts, and last the bounds with the threshold as it is then
        // and the edit distance. A block may hold postings a narrower window
        // would have left out (the threshold rose within it): the bounds
        // rule them out as the window would have (the window is the same
        // bound with no tokens outside), so the same candidates are scored.
        var more = true
        while more {
          var n = 0
          while n < block {
            let none = 1 << 40
            var lenUp = up < post.count ? post.cappedLength(up) : none
            var lenDown = down >= 0 ? post.cappedLength(down) : -none
            if lenUp == 255 { lenUp = sec.length(of: post.entry(up)) }
            if lenDown == 255 { lenDown = sec.length(of: post.entry(down)) }
            if lenUp != none && lenUp > hiNow { up = post.count; continue }
            if lenDown != -none && lenDown < loNow { down = -1; continue }
            if lenUp == none && lenDown == -none {
              more = false
              break
            }
            if lenUp - lq <= lq - lenDown {
              bE[n] = post.entry(up)
              bL[n] = lenUp
              up += 1
            } else {
              bE[n] = post.entry(down)
              bL[n] = lenDown
              down -= 1
            }
            n += 1
          }
          if n == 0 { break }
          // Seen already (through another query token): it was scored then.
          for k in 0..<n {
            let e = bE[k]
            bM[k] = e >= 0 && e < markable ? Int(truncatingIfNeeded: marks[e >> 6] >> UInt64(e & 63)) & 1 : 1
          }
          var u = 0
          for k in 0..<n where bM[k] == 0 {
            bE[u] = bE[k]
            bL[u] = bL[k]
            u += 1
          }
          for k in 0..<u { bS[k] = sec.entryMeta[2 &* bE[k]] }
          var m = 0
          for k in 0..<u {
            let e = bE[k], len = bL[k]
            let bit: UInt64 = 1 << UInt64(e & 63)
            guard marks[e >> 6] & bit == 0 else { continue }
            // Tokens whose signature bit the query lacks are surely not shared.
            let outside = (bS[k] & LookupIndex.Section.sigMask & ~qsig).nonzeroBitCount
            if 100 * Double(min(len - outside, rest)) / Double(max(lq, len)) < tEff - 1e-9 { continue }
            marks[e >> 6] |= bit
            touched.append(UInt32(e))
            bE[m] = e
            // Where its tokens start, beside the meta word just read (the
            // same cache line); `len` is its length uncapped.
            bLo[m] = Int(truncatingIfNeeded: sec.entryMeta[2 &* e &+ 1])
            bHi[m] = bLo[m] + len
            m += 1
          }
          // Their token ranges, touched first all at once: independent
          // loads whose cache misses overlap (the counting loop below
          // would otherwise wait on each candidate's in turn).
          var touch: UInt32 = 0
          for k in 0..<m { touch |= sec.tokens[bLo[k]] | sec.tokens[bHi[k] &- 1] }
          sink = touch
          qbits.withUnsafeBufferPointer { qb in
            for k in 0..<m {
              // Upper bound from shared tokens: distance ≥ longer − shared.
              var shared = 0
              for tk in sec.tokens.slice(bLo[k], bHi[k]) where qb[Int(tk & 1023) >> 6] & (1 << UInt64(tk & 63)) != 0 {
                shared += 1
              }
              bSh[k] = shared
            }
          }
          for k in 0..<m {
            let e = bE[k]
            let toks = sec.tokens.slice(bLo[k], bHi[k])
            let longer = max(lq, toks.count)
            if 100 * Double(min(bSh[k], rest)) / Double(longer) < tEff - 1e-9 { continue }
            let limit = Int((Double(longer) * (100 - tEff) / 100 + 1e-9).rounded(.down))
            guard let d = scratch.distance(ids, toks, limit: limit) else { continue }
            let score = TokenDistance.score(distance: d, lq, toks.count)
            if score < floor { continue }
            if keep > 0 {
              let pos = top.firstIndex(where: { $0 < score }) ?? top.count
              top.insert(score, at: pos)
              if top.count > keep { top.removeLast() }
              if top.count == keep, top[keep - 1] > tEff {
                tEff = top[keep - 1]
                hiNow = Int((Double(rest) * 100 / tEff + 1e-9).rounded(.down))
                loNow = Int((Double(lq) * tEff / 100 - 1e-9).rounded(.up))
              }
            }
            if !preFound.isEmpty, let f = found[e] {
              if f.0 == .nearExact { found[e] = (.nearExact, score) }
            } else if !(keep > 0 && top.count == keep && score < tEff - 1e-9) {
              // (Below the threshold as it is now: the filter after the
              // scan would drop it, the threshold only rises.)
              found[e] = (.fuzzy, score)
            }
          }
        }
      }
      for eu in touched { marks[Int(eu) >> 6] = 0 }  // (every bit set is a touched entry's)
      stamps[ObjectIdentifier(idx)]![si] = marks
      if keep > 0 && top.count == keep {
        found = found.filter { $0.value.0 != .fuzzy || $0.value.1 >= tEff - 1e-9 }
        reached = tEff
      }
    }
    // Short queries: segments with a word *like* a query word (`Armenian`
    // and `Armenia`, `Director` and `Directory`) share no token with it.
    if lq > 0, lq <= Matcher.similarWordQueryLength, floor < 100 {
      let masks = vocabularyMasks(idx, si, sec)
      for e in similarWordEntries(sec, query: qTokens, maxLength: lq + 2, masks: masks) where found[e] == nil {
        let toks = sec.tokens(of: e)
        let d = scratch.distance(ids, toks, limit: lq + toks.count) ?? max(lq, toks.count)
        found[e] = (.fuzzy, TokenDistance.score(distance: d, lq, toks.count))
      }
    }
    var out: [Match] = []
    out.reserveCapacity(found.count)
    for (e, (kind, tokenScore)) in found {
      let unit = Int(sec.entryUnit[e])
      var col = Int(sec.entryColumn[e])
      // Show the query's own script when the unit has it.
      guard let colLang = idx.column(col) else { continue }
      if q.language == .azCyrl || q.language == .az, colLang != q.language,
        let c = idx.columns.firstIndex(of: q.language), !idx.text(unit: unit, column: c).isEmpty
      {
        col = c
      }
      // A fuzzy candidate's own text is read only if it is scored: most
      // are not (the rescoring pool is small), and its character key comes
      // from `characterKeys` once seen. (Its text is not the query's: that
      // text would have been found by the exact hash.)
      let direct = col == Int(sec.entryColumn[e])
      if kind == .fuzzy && direct {
        pending.append(
          FuzzyCandidate(
            order: order, entry: e, localUnit: unit, unit: idx.unitOffset + unit, column: col, language: colLang,
            score: min(tokenScore, 99)))
        continue
      }
      let src = idx.text(unit: unit, column: col)
      var m = Match(
        kind: kind, score: kind == .exact ? 100 : min(tokenScore, 99), memory: idx.memoryPath,
        unit: idx.unitOffset + unit, sourceLanguage: idx.column(col) ?? colLang, source: src, targets: [],
        differences: [], marks: [])
      m.order = order
      m.localUnit = unit
      m.entry = direct ? e : -1
      m.column = col
      if src == text {
        m.kind = .exact
        m.score = 100
      } else if kind == .exact {
        m.kind = .nearExact
      }
      if m.kind == .nearExact {
        let diffs = Matcher.nearExactDifferences(
          query: text, queryLanguage: q.language, source: src, sourceLanguage: m.sourceLanguage, keys: keys)
        m.differences = diffs
        let penalty = diffs.reduce(0) { $0 + ($1 == "numbers" || $1 == "punctuation" ? 2 : 1) }
        m.score = Double(max(95, min(99, 100 - max(1, penalty))))
      }
      out.append(m)
    }
    return out
  }

  /// Queries of at most this many tokens also get candidates through words
  /// of the vocabulary that are spelt like theirs.
  public static let similarWordQueryLength = 3

  /// Segments of at most `maxLength` tokens containing a vocabulary word
  /// whose character similarity to a query word is at least 0.75 (the 8
  /// most similar per query word, 200 shortest segments each).
  /// `masks`: ``vocabularyMasks(_:_:_:)`` of `sec` (a bound that skips
  /// most words without comparing them), or nil.
  func similarWordEntries(
    _ sec: LookupIndex.Section, query: [LookupKeys.KeyToken], maxLength: Int, masks: VocabularyMasks? = nil
  ) -> [Int] {
    var out: [Int] = []
    var seen = Set<Int>()
    let masks = masks.flatMap { $0.byID.count == sec.vocabCount ? $0 : nil }
    for t in query where !t.isNumber {
      let w = Array(t.text.utf8)
      guard w.count >= 3, w.count <= 64 else { continue }
      let wMask = Matcher.byteMask(w[...])
      // Bit-parallel LCS over bytes with a flat table (one 64-bit word).
      var table = [UInt64](repeating: 0, count: 256)
      for (i, c) in w.enumerated() { table[Int(c)] |= 1 << UInt64(i) }
      let valid: UInt64 = w.count == 64 ? ~0 : (1 << UInt64(w.count)) - 1
      var similar: [(Double, Int)] = []
      func compare(_ v: Int, _ word: UnsafeBufferPointer<UInt8>) {
        if word.elementsEqual(w) { return }
        var bits: UInt64 = ~0
        table.withUnsafeBufferPointer { tb in
          for c in word {
            let u = bits & tb[Int(c)]
            bits = (bits &+ u) | (bits - u)
          }
        }
        let s = 2 * Double((~bits & valid).nonzeroBitCount) / Double(word.count + w.count)
        if s >= 0.75 { similar.append((s, v)) }
      }
      if let masks {
        // Only the lengths the rule allows (3/5 to 5/3 of the word's), each
        // word's mask beside it in the length's group.
        let lo = (3 * w.count + 4) / 5, hi = min(5 * w.count / 3, masks.start.count - 2)
        if lo <= hi {
          for n in lo...hi {
            // 2·LCS / (n + |w|) ≥ 0.75 needs 8·min ≥ 3·(n + |w|).
            if 8 * min(n, w.count) < 3 * (n + w.count) { continue }
            for p in masks.start[n]..<masks.start[n + 1] {
              // Each byte class one side has and the other lacks leaves at
              // least one of its bytes out of any common subsequence.
              let m = masks.grouped[p]
              let lcsBound = min(n - (m & ~wMask).nonzeroBitCount, w.count - (wMask & ~m).nonzeroBitCount)
              if 8 * lcsBound < 3 * (n + w.count) { continue }
              let v = Int(masks.ids[p])
              let word = sec.vocabBlob.slice(Int(sec.vocabOff[v]), Int(sec.vocabOff[v + 1]))
              if word.count == n { compare(v, word) }
            }
          }
        }
      } else {
        for v in 0..<sec.vocabCount {
          let lo = Int(sec.vocabOff[v]), hi = Int(sec.vocabOff[v + 1])
          let n = hi - lo
          if 8 * min(n, w.count) < 3 * (n + w.count) { continue }
          compare(v, sec.vocabBlob.slice(lo, hi))
        }
      }
      similar.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
      for (_, v) in similar.prefix(8) {
        let post = sec.postings(v, lengths: 1...maxLength)
        for i in 0..<min(post.count, 200) {
          let e = post.entry(i)
          if seen.insert(e).inserted { out.append(e) }
        }
      }
    }
    return out
  }

  /// The byte classes of a word as bits (see `byteClass`).
  static func byteMask<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
    var m: UInt64 = 0
    for b in bytes { m |= 1 << UInt64(byteClass[Int(b)]) }
    return m
  }

  /// A byte's class, 0–63: a–z and 0–9 each their own, the rest (UTF-8
  /// continuation bytes: the letter of a Cyrillic or accented character)
  /// folded onto the remaining 28.
  static let byteClass: [UInt8] = (0..<256).map { b -> UInt8 in
    if b >= 0x61 && b <= 0x7A { return UInt8(b - 0x61) }
    if b >= 0x30 && b <= 0x39 { return UInt8(26 + b - 0x30) }
    return UInt8(36 + b % 28)
  }

  /// Per vocabulary word of a section, its `byteMask`, and the words
  /// grouped by length in bytes (made once per matcher and section: the
  /// vocabulary never changes).
  func vocabularyMasks(_ idx: LookupIndex, _ si: Int, _ sec: LookupIndex.Section) -> VocabularyMasks {
    let id = ObjectIdentifier(idx)
    if let m = vocabMasks[id]?[si] ?? nil, m.byID.count == sec.vocabCount { return m }
    let m = VocabularyMasks(sec)
    if vocabMasks[id] == nil { vocabMasks[id] = [nil, nil, nil] }
    vocabMasks[id]?[si] = m
    return m
  }

  /// Names what differs between two texts with the same word skeleton.
  static func nearExactDifferences(
    query: String, queryLanguage: Language, source: String, sourceLanguage: Language, keys: LookupKeys
  ) -> [String] {
    var diffs: [String] = []
    // Accelerator marks apart (`_Open`, `&Open`, `Open`), then the rest.
    let codes = PlaceholderSubstitution.difference(query: query, source: source)
    let query0 = InlineTags.stripped(query), source0 = InlineTags.stripped(source)
    let query = LookupKeys.withoutAccelerators(query0), source = LookupKeys.withoutAccelerators(source0)
    let a = keys.surfaceTokens(query, language: queryLanguage)
    let b = keys.surfaceTokens(source, language: sourceLanguage)
    if queryLanguage != sourceLanguage { diffs.append("script") }
    let sa = LookupKeys.numberSuffixes(query, language: queryLanguage)
    let sb = LookupKeys.numberSuffixes(source, language: sourceLanguage)
    let wa = a.filter { t in t.kind == .word && !sa.contains(where: { $0.contains(t.utf8Range.lowerBound) }) }
    let wb = b.filter { t in t.kind == .word && !sb.contains(where: { $0.contains(t.utf8Range.lowerBound) }) }
    if queryLanguage == sourceLanguage, wa.map(\.text) != wb.map(\.text) { diffs.append("case") }
    if queryLanguage != sourceLanguage {
      // Case across scripts: compare the Latin forms.
      let la = wa.map { keys.latinised(String($0.text), language: queryLanguage) }
      let lb = wb.map { keys.latinised(String($0.text), language: sourceLanguage) }
      if la != lb && wa.map(\.key) == wb.map(\.key) { diffs.append("case") }
    }
    let na = Numbers.find(in: query, language: queryLanguage)
    let nb = Numbers.find(in: source, language: sourceLanguage)
    if na.map(\.value) != nb.map(\.value) || na.map({ String($0.text) }) != nb.map({ String($0.text) }) {
      diffs.append("numbers")
    }
    // Punctuation: outside the numbers' own separators.
    func punct(_ ts: [LookupKeys.SurfaceToken], _ ns: [NumberMention]) -> [String] {
      ts.filter { t in
        t.kind == .punctuation && !ns.contains(where: { $0.utf8Range.contains(t.utf8Range.lowerBound) })
      }.map { String($0.text) }
    }
    if punct(a, na) != punct(b, nb) { diffs.append("punctuation") }
    func spaces(_ ts: [LookupKeys.SurfaceToken], _ ns: [NumberMention]) -> [String] {
      ts.filter { t in
        t.kind == .space && !ns.contains(where: { $0.utf8Range.contains(t.utf8Range.lowerBound) })
      }.map { String($0.text) }
    }
    if spaces(a, na) != spaces(b, nb) { diffs.append("whitespace") }
    // Which tokens carry a mark, and the toolkit's character (`_` or `&`).
    func accelerators(_ t: String, _ l: Language) -> [String] {
      let at = keys.scoreTokens(t, language: l).enumerated().compactMap { $0.element.kind == .mnemonic ? $0.offset : nil }
      let bytes = Array(t.normalized(.nfkc).utf8)
      let marks: [UInt8] = MarkupScanner.scan(bytes).compactMap { p in
        if case .mnemonic(let i) = p { return bytes[i] }
        return nil
      }
      return zip(at, marks).map { "\($0)\($1)" }
    }
    if (query0 != query || source0 != source)
      && accelerators(query0, queryLanguage) != accelerators(source0, sourceLanguage)
    {
      diffs.append("accelerator")
    }
    if let codes { diffs.append(codes) }
    if diffs.isEmpty { diffs.append("characters") }
    return diffs
  }

  /// Fills translations, marks, fuzzy differences and number substitution.
  func decorate(_ m: inout Match, query q: LookupQuery, text: String) {
    guard m.order >= 0, m.order < indexes.count else { return }
    let idx = indexes[m.order]
    let sourceSection = LookupKeys.section(of: m.sourceLanguage)
    let wanted = q.targets ?? idx.columns.filter { LookupKeys.section(of: $0) != sourceSection }
    for l in wanted {
      guard let t = idx.text(unit: m.localUnit, language: l), l != m.sourceLanguage else { continue }
      var target = MatchTarget(language: l, text: t, substituted: nil)
      if m.kind == .nearExact, m.differences.contains("numbers") {
        target.substituted = NumberSubstitution.substitute(
          query: text, queryLanguage: q.language, source: m.source, sourceLanguage: m.sourceLanguage,
          target: t, targetLanguage: l)
      }
      if m.kind != .exact,
        let s = PlaceholderSubstitution.substitute(
          query: text, source: m.source, target: target.substituted ?? t, nameKey: { self.keys.crossScript($0, language: l) })
      {
        target.substituted = s
      }
      m.targets.append(target)
    }
    if m.kind == .exact { return }
    let qa = keys.surfaceTokens(InlineTags.masked(text), language: q.language).filter { $0.kind == .word || $0.kind == .number }
    let sb = keys.surfaceTokens(InlineTags.masked(m.source), language: m.sourceLanguage).filter {
      $0.kind == .word || $0.kind == .number
    }
    if m.kind == .nearExact {
      // Mark the words and numbers written differently.
      let same = qa.count == sb.count
      for (i, t) in sb.enumerated() where !same || qa[i].text != t.text {
        if m.sourceLanguage != q.language && same && qa[i].key == t.key
          && keys.latinised(String(qa[i].text), language: q.language)
            == keys.latinised(String(t.text), language: m.sourceLanguage)
        {
          continue
        }
        m.marks.append(t.utf8Range)
      }
      return
    }
    let unmatched = TokenDistance.unmatched(qa.map(\.key), in: sb.map(\.key))
    for i in unmatched.sorted() {
      m.marks.append(sb[i].utf8Range)
      m.differences.append(String(sb[i].text))
    }
  }

  // MARK: Concordance

  /// Units containing every word of the query, in the query's language or
  /// (through cross-script keys) in any language: `Aliyeva` finds `Алиева`.
  /// `excluding`: ``unitKey(memory:unit:)`` of the units shown already.
  func concordance(_ q: LookupQuery, text: String, excluding: Set<Int>) -> ([Match], Int) {
    let words = keys.surfaceTokens(text, language: q.language).filter { $0.kind == .word || $0.kind == .number }
    if words.isEmpty { return ([], 0) }
    let qKeys = words.map(\.key)
    let qCross = words.map { $0.kind == .word ? keys.crossScript($0.key, language: q.language) : $0.key }
    var hits: [Match] = []
    var raw: [(index: Int, unit: Int, lang: Language, rank: Int)] = []
    var total = 0
    let qSection = LookupKeys.section(of: q.language)
    for (ii, idx) in indexes.enumerated() {
      for section in LookupIndex.sections {
        guard let sec = idx.section(section) else { continue }
        // Per distinct query word, the vocabulary ids whose segments hold
        // it here: its own (in the query's section) and its cross-script
        // key's; a segment holds the word when its tokens hold one of them.
        var direct = section == qSection
        var words: [(ids: [Int], size: Int)] = []
        var seenWords = Set<String>()
        for (k, ck) in zip(qKeys, qCross) where seenWords.insert(k + "\u{0}" + ck).inserted {
          var ids: [Int] = []
          if section == qSection, let v = sec.vocabID(k), sec.documentFrequency(v) > 0 {
            ids.append(v)
          } else {
            direct = false
          }
          for v in sec.crossKeyVocabulary(ck) where !ids.contains(v) { ids.append(v) }
          words.append((ids, ids.reduce(0) { $0 + sec.documentFrequency($1) }))
        }
        // Rarest first: the first word's segments are listed (its postings
        // merged and sorted); each later word filters them by their own
        // tokens while they are few beside its postings (a read of a
        // segment's tokens against a sort of its postings), else is listed
        // and intersected.
        words.sort { $0.size < $1.size }
        var result: [UInt32] = []
        if let first = words.first, first.size > 0 {
          result = sec.segments(holdingAnyOf: first.ids)
          for w in words.dropFirst() {
            if result.isEmpty { break }
            if result.count &* 4 < w.size {
              result.removeAll { e in !sec.tokens(of: Int(e)).contains { w.ids.contains(Int($0)) } }
            } else {
              result = Matcher.intersect(result, sec.segments(holdingAnyOf: w.ids))
            }
          }
        }
        for e in result {
          let unit = Int(sec.entryUnit[Int(e)])
          guard let lang = idx.column(Int(sec.entryColumn[Int(e)])) else { continue }
          raw.append((ii, unit, lang, (direct ? 1_000_000 : 0) - sec.length(of: Int(e))))
        }
      }
    }
    // Direct hits first, then shorter segments, then memory order; one
    // line per unit.
    raw.sort { a, b in
      if a.rank != b.rank { return a.rank > b.rank }
      if a.index != b.index { return a.index < b.index }
      return a.unit < b.unit
    }
    var seenUnits = Set<Int>()
    for r in raw {
      let idx = indexes[r.index]
      if !excluding.isEmpty,
        excluding.contains(Matcher.unitKey(memory: indexMemory[r.index], unit: idx.unitOffset + r.unit))
      {
        continue
      }
      guard seenUnits.insert(r.index << 32 | r.unit).inserted else { continue }
      total += 1
      if hits.count < q.limit {
        var m = Match(
          kind: .concordance, score: 0, memory: idx.memoryPath, unit: idx.unitOffset + r.unit,
          sourceLanguage: r.lang, source: "", targets: [], differences: [], marks: [])
        m.order = r.index
        m.localUnit = r.unit
        hits.append(m)
      }
    }
    let keySet = Set(qKeys), crossSet = Set(qCross)
    for i in hits.indices {
      guard hits[i].order >= 0, hits[i].order < indexes.count else { continue }
      let idx = indexes[hits[i].order]
      let local = hits[i].localUnit
      let lang = hits[i].sourceLanguage
      var src = idx.text(unit: local, language: lang) ?? ""
      // The query's own script when the unit has it.
      if LookupKeys.section(of: lang) == qSection, q.language != lang,
        let own = idx.text(unit: local, language: q.language)
      {
        src = own
        hits[i].sourceLanguage = q.language
      }
      hits[i].source = src
      let toks = keys.surfaceTokens(src, language: hits[i].sourceLanguage).filter {
        $0.kind == .word || $0.kind == .number
      }
      for t in toks
      where keySet.contains(t.key)
        || (t.kind == .word && crossSet.contains(keys.crossScript(t.key, language: hits[i].sourceLanguage)))
      {
        hits[i].marks.append(t.utf8Range)
      }
      let st = toks.map(\.key)
      let d = TokenDistance.distance(qKeys, st) ?? max(qKeys.count, st.count)
      hits[i].score = TokenDistance.score(distance: d, qKeys.count, st.count)
      let sourceSection = LookupKeys.section(of: hits[i].sourceLanguage)
      let wanted = q.targets ?? idx.columns.filter { LookupKeys.section(of: $0) != sourceSection }
      for l in wanted {
        guard l != hits[i].sourceLanguage, let t = idx.text(unit: local, language: l) else { continue }
        hits[i].targets.append(MatchTarget(language: l, text: t, substituted: nil))
      }
    }
    return (hits, total)
  }

  static func intersect(_ a: [UInt32], _ b: [UInt32]) -> [UInt32] {
    var out: [UInt32] = []
    var i = 0, j = 0
    while i < a.count && j < b.count {
      if a[i] == b[j] {
        out.append(a[i]); i += 1; j += 1
      } else if a[i] < b[j] { i += 1 } else { j += 1 }
    }
    return out
  }
}

/// The byte masks of a section's vocabulary (``Matcher/byteMask(_:)``), per
/// word and grouped by the word's length in bytes: the words of length `n`
/// are `ids[start[n]..<start[n + 1]]`, their masks beside them in
/// `grouped` (lengths from `maxLength` up share the last group).
struct VocabularyMasks {
  static let maxLength = 128
  var byID: [UInt64]
  var ids: [UInt32]
  var grouped: [UInt64]
  var start: [Int]

  init(_ sec: LookupIndex.Section) {
    let count = sec.vocabCount
    byID = [UInt64](repeating: 0, count: count)
    var counts = [Int](repeating: 0, count: VocabularyMasks.maxLength + 2)
    for v in 0..<count {
      let lo = Int(sec.vocabOff[v]), hi = Int(sec.vocabOff[v + 1])
      byID[v] = Matcher.byteMask(sec.vocabBlob.slice(lo, hi))
      counts[min(max(0, hi - lo), VocabularyMasks.maxLength) + 1] += 1
    }
    for n in 1..<counts.count { counts[n] += counts[n - 1] }
    start = counts
    var next = counts
    ids = [UInt32](repeating: 0, count: count)
    grouped = [UInt64](repeating: 0, count: count)
    for v in 0..<count {
      let n = min(max(0, Int(sec.vocabOff[v + 1]) - Int(sec.vocabOff[v])), VocabularyMasks.maxLength)
      ids[next[n]] = UInt32(v)
      grouped[next[n]] = byID[v]
      next[n] += 1
    }
  }
}

/// CAT-style analysis of a batch: segments and words per match band.
public struct MatchAnalysis: Sendable {
  public static let bands: [(String, ClosedRange<Double>?)] = [
    ("100%", 100...100), ("95-99%", 95...99.999), ("85-94%", 85...94.999), ("75-84%", 75...84.999),
    ("50-74%", 50...74.999), ("No match", nil),
  ]
  public var segments = [Int](repeating: 0, count: 6)
  public var words = [Int](repeating: 0, count: 6)

  public init() {}

  public static func band(of score: Double?) -> Int {
    guard let score else { return 5 }
    for (i, (_, r)) in bands.enumerated() { if let r, r.contains(score) { return i } }
    return 5
  }

  public mutating func add(score: Double?, words n: Int) {
    let b = MatchAnalysis.band(of: score)
    segments[b] += 1
    words[b] += n
  }
}


/// The character keys (the UTF-8 of ``FuzzyScore/characterKey(_:)``'s key)
/// of one index section's entries, filled as they are rescored: derived
/// from the stored text alone, so a key holds for every later lookup on the
/// same index (an index never changes; a changed memory gets a new one).
/// Not thread-safe while it fills: each `Matcher` keeps its own; a complete
/// one (``complete(_:language:keys:)``, frozen) is read-only and can be
/// shared by every matcher on the index (``Matcher/adopt(_:for:language:)``).
public final class CharacterKeys: @unchecked Sendable {
  /// At most this many bytes of keys are kept; later ones are computed each time.
  static let capacity = 1 << 28
  let entries: Int
  /// Per entry: the key's offset in `blob` + 1 (0: not kept) and its length,
  /// as `(offset + 1) << 16 | length`: in a dictionary while few are kept
  /// (a matcher made for one lookup allocates nothing per entry), then in
  /// an array over all entries.
  private var sparse: [Int: UInt64] = [:]
  private var dense: [UInt64] = []
  private var blob: [UInt8] = []
  /// A complete table: nothing is added any more (it may be shared).
  private(set) var frozen = false

  init(entries: Int) {
    self.entries = entries
  }

  /// The keys of every entry of `idx`'s section of `language` (nil when it
  /// has none), frozen: what rescoring would keep entry by entry, made in
  /// one pass (a server makes it once per index, off the request path).
  public static func complete(_ idx: LookupIndex, language: Language, keys: LookupKeys = LookupKeys()) -> CharacterKeys? {
    guard let sec = idx.section(language) else { return nil }
    let c = CharacterKeys(entries: sec.entryCount)
    c.dense = [UInt64](repeating: 0, count: sec.entryCount)
    for e in 0..<sec.entryCount {
      let col = Int(sec.entryColumn[e])
      guard let lang = idx.column(col) else { continue }
      var key = keys.key(idx.text(unit: Int(sec.entryUnit[e]), column: col), language: lang)
      key.withUTF8 { c.put(e, $0) }
    }
    c.frozen = true
    c.blob.withUnsafeBytes { CharacterKeys.collapse($0) }
    c.dense.withUnsafeBytes { CharacterKeys.collapse($0) }
    return c
  }

  /// Asks the kernel to back the whole 2 MiB pages inside `b` with huge
  /// pages now (`MADV_COLLAPSE`): rescoring reads a table at random entries.
  /// Nothing happens where it cannot.
  static func collapse(_ b: UnsafeRawBufferPointer) {
    let huge = UInt(2 << 20)
    guard let base = b.baseAddress, b.count >= Int(huge) else { return }
    let lo = (UInt(bitPattern: base) + huge - 1) / huge * huge
    let hi = (UInt(bitPattern: base) + UInt(b.count)) / huge * huge
    guard hi > lo, let p = UnsafeMutableRawPointer(bitPattern: lo) else { return }
    #if canImport(Glibc)
      _ = Glibc.madvise(p, Int(hi - lo), 25)  // MADV_COLLAPSE (Linux 6.1)
    #endif
  }

  @inline(__always) private func slot(_ e: Int) -> UInt64 {
    dense.isEmpty ? sparse[e] ?? 0 : dense[e]
  }

  /// `body` over the kept key of entry `e`, nil when none is kept.
  @inline(__always)
  func withKey<R>(_ e: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R? {
    guard e >= 0, e < entries else { return nil }
    let v = slot(e)
    guard v != 0 else { return nil }
    let lo = Int(v >> 16) - 1, n = Int(v & 0xFFFF)
    return blob.withUnsafeBufferPointer { b in
      guard let base = b.baseAddress, lo >= 0, lo + n <= b.count else { return nil }
      return body(UnsafeBufferPointer(start: base + lo, count: n))
    }
  }

  /// Keeps the key of entry `e` (while there is room).
  func put(_ e: Int, _ key: UnsafeBufferPointer<UInt8>) {
    guard !frozen, e >= 0, e < entries, slot(e) == 0, key.count <= 0xFFFF,
      blob.count + key.count < CharacterKeys.capacity
    else { return }
    let v = UInt64(blob.count + 1) << 16 | UInt64(key.count)
    blob.append(contentsOf: key)
    if !dense.isEmpty {
      dense[e] = v
      return
    }
    sparse[e] = v
    if sparse.count > max(4096, entries / 32) {
      dense = [UInt64](repeating: 0, count: entries)
      for (k, x) in sparse { dense[k] = x }
      sparse = [:]
    }
  }
}
