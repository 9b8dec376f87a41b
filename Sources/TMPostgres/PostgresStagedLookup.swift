import Foundation
import TMKit

/// The staged candidate retrieval (Weblate's threshold stepping, with a proof
/// instead of a guess at each step).
///
/// A stage at threshold t asks the database for the entries that could score
/// ≥ t (a rare query token at a length of the window, the prefix argument of
/// `PostgresLookup.swift`), ranks them IN the database by the upper bound of
/// their word-token score from the tokens they share with the query,
/// `ub = 100·min(shared, |q|, L) / max(|q|, L)`, and returns the best `limit`
/// of them with every entry tied with the last (`WITH TIES`: the bounds are
/// few values, and the ties at the last one are often many), plus the
/// exact and near-exact candidates by hash. TMKit's
/// `Matcher` then runs over those; its `LookupResult.retrievalFloor` R is the
/// word-token score its pool of best candidates ended at: the fuzzy
/// candidates it rescores are exactly those scoring ≥ R.
///
/// The stage's answer is the TSV memory's answer when every entry of the
/// whole memory that scores ≥ R was fetched, which holds when
///  - R ≥ t (an entry scoring ≥ R then had ub ≥ R ≥ t, so it was in the
///    ranking), and
///  - the limit was not reached, or the lowest ub fetched is ≤ R (the ones
///    left out rank below it, ties included, so they score < R).
/// Then the memory's pool ends at R too (its 40 best include these) and the
/// rescored candidates are the same. At t = the retrieval floor with the
/// limit not reached every entry that could match at all is fetched: that
/// is the unstaged lookup. Otherwise the next stage goes lower: to R when
/// R < t (the memory's pool floor is at least that of any part of it, so
/// nothing that can be shown scores below R), else 20 lower; or, when the
/// limit cut the ranking, keeps t = R with a limit four times larger; the
/// last stage has no limit.
extension PostgresStore {
  /// The first stage's threshold and limit (word-token score, candidates).
  static let firstStage = 60.0
  static let stageLimit = 160
  static let stageStep = 20.0

  struct QueryTokens {
    var section: Int
    var text: String
    var lq: Int
    var exactHash: Int64
    var skelHash: Int64
    /// Distinct query tokens in first-seen order, their occurrences, hashes
    /// and document frequencies (0: not in the memory).
    var order: [String]
    var occurrences: [String: Int]
    var hashes: [String: UInt64]
    var df: [String: Int]
    var languages: [Language]

    func freq(_ t: String) -> Int { df[t] ?? 0 }
  }

  /// The query's tokens and their document frequencies, with the memory's
  /// languages in the same round trip.
  static func queryTokens(_ c: PGConnection, _ q: LookupQuery) throws -> QueryTokens? {
    let keys = c.keys
    let text = q.text.nfc
    let section = LookupKeys.section(of: q.language)
    guard let s = EntryKeys.sections.firstIndex(of: section) else { return nil }
    let key = keys.key(text, language: q.language)
    let toks = keys.tokens(ofKey: key, language: q.language)
    let skel = LookupKeys.skeleton(key: key, tokens: toks, language: q.language)
    var occurrences: [String: Int] = [:]
    var order: [String] = []
    for t in toks {
      if occurrences[t.text] == nil { order.append(t.text) }
      occurrences[t.text, default: 0] += 1
    }
    let hashes = Dictionary(uniqueKeysWithValues: order.map { ($0, EntryKeys.tokenHash(s, $0)) })
    var byKey: [Int32: [String]] = [:]
    for t in order { byKey[EntryKeys.tokenKey(hashes[t] ?? 0), default: []].append(t) }
    let r = try c.execPrepared(
      "tm_query_tokens",
      """
      SELECT key, df, NULL FROM tm_tokens WHERE key = ANY($1::integer[])
      UNION ALL SELECT NULL, NULL, value FROM tm_meta WHERE key = 'languages'
      """, [CopyText.intArray(Array(byKey.keys))])
    var df: [String: Int] = [:]
    var languages: [Language] = []
    for row in 0..<r.rows {
      if let v = r.string(row, 2) {
        languages = v.split(separator: "\t").compactMap { Language(rawValue: String($0)) }
      } else if let k = r.int(row, 0), let d = r.int(row, 1) {
        for t in byKey[Int32(truncatingIfNeeded: k)] ?? [] { df[t] = d }
      }
    }
    return QueryTokens(
      section: s, text: text, lq: toks.count, exactHash: EntryKeys.exactHash(s, text),
      skelHash: Int64(bitPattern: fnv1a64(skel.utf8, seed: EntryKeys.sectionSeeds[s])),
      order: order, occurrences: occurrences, hashes: hashes, df: df, languages: languages)
  }

  /// One stage's candidates: every unit of the ranking (with its bound) and
  /// of the hashes, in id order, with all their texts.
  struct Stage {
    var ids: [Int] = []
    var units: [TranslationUnit] = []
    /// How many came from the ranking, and the lowest bound among them.
    var ranked = 0
    var lowestBound = Double.infinity
  }

  /// The stage's statement. `bound`: the SQL of a candidate's shared
  /// count (`e` the entry; $4 the query's keys, one slice of $8 per length
  /// from $7; $5 the weights or the extra occurrences). `section` is in
  /// the text (the section's own GIN index, migration 004, is used only
  /// when the plan can see which section is read); `$9` says it again,
  /// as before that index, so the planner's row estimates are unchanged.
  static func stageSQL(bound: String, section: Int) -> String {
    """
    WITH r AS (
      SELECT unit_id, ub FROM (
        SELECT e.unit_id, least(\(bound), $6::integer, e.len)::float8 * 100 / greatest($6::integer, e.len) AS ub
        FROM tm_entries e WHERE e.keys OPERATOR(pg_catalog.&&) $3::integer[] AND e.section = \(section)
          AND e.section + 0 = $9::integer
      ) s WHERE ub >= $10::float8 - 1e-9 ORDER BY ub DESC FETCH FIRST ($11::bigint) ROWS WITH TIES
    )
    SELECT u.id, x.ub, u.az, u.az_cyrl, u.ru, u.en, u.origin, u.created, u.score
    FROM (
      SELECT unit_id, max(ub) AS ub FROM (
        SELECT unit_id, ub FROM r
        UNION ALL SELECT unit_id, NULL FROM tm_entries WHERE exact_hash = $1 OR skel_hash = $2
      ) a GROUP BY unit_id
    ) x JOIN tm_units u ON u.id = x.unit_id
    ORDER BY u.id
    """
  }

  static let querySlice =
    "($4::integer[])[(e.len - $7::integer) * $8::integer + 1:(e.len - $7::integer + 1) * $8::integer]"

  /// With intarray: the distinct query tokens the entry holds, in C, plus
  /// the query's extra occurrences of repeated tokens (an upper bound of the
  /// weighted count below, so it bounds the shared multiset too).
  static func intarrayBound(_ schema: String) -> String {
    let q = "\"" + schema.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    return "\(q).icount(e.keys OPERATOR(\(q).&) \(querySlice)) + $5::integer"
  }

  /// Without: each query token the entry holds, weighted by its occurrences.
  static let plainBound = """
    (SELECT coalesce(sum(q.w), 0) FROM unnest(\(querySlice), $5::integer[]) AS q(k, w) WHERE q.k = ANY(e.keys))
    """

  /// The candidates at threshold `t`, at most `limit` of them ranked (nil: all).
  static func stage(_ c: PGConnection, _ qt: QueryTokens, t: Double, limit: Int?) throws -> Stage {
    let lq = qt.lq
    let known = qt.order.filter { qt.freq($0) > 0 }
    var posting: [Int32] = []
    var flat: [Int32] = []
    var weights: [Int] = []
    var lo = 1
    if lq > 0 && t < 100 && !known.isEmpty {
      let rarest = qt.order.sorted { a, b in
        qt.freq(a) != qt.freq(b) ? qt.freq(a) < qt.freq(b) : a.utf8.lexicographicallyPrecedes(b.utf8)
      }
      lo = max(1, Int((Double(lq) * t / 100 - 1e-9).rounded(.up)))
      let hi = max(lo, Int((Double(lq) * 100 / t + 1e-9).rounded(.down)))
      // Per length L of the window: a segment of length L scoring ≥ t
      // shares at least ⌈t·max(|q|, L)/100⌉ of the query's tokens, so it
      // holds one of the rarest |q| − that + 1 of them: fewer tokens (and
      // far fewer rows) for the lengths above |q|.
      for len in lo...hi {
        let need = Int((t * Double(max(lq, len)) / 100 - 1e-9).rounded(.up))
        var covered = 0
        for tok in rarest where covered < lq - need + 1 {
          covered += qt.occurrences[tok] ?? 0
          guard qt.freq(tok) > 0, let h = qt.hashes[tok] else { continue }
          posting.append(EntryKeys.postingKey(h, length: len))
        }
      }
      // The shared-token bound: for each length of the window, the known
      // query tokens' keys at that length (a slice per length), each
      // weighted by how often the query has it.
      for len in lo...hi {
        for tok in known { flat.append(EntryKeys.postingKey(qt.hashes[tok] ?? 0, length: len)) }
      }
      weights = known.map { qt.occurrences[$0] ?? 1 }
    }
    let schema = try c.intarraySchema()
    let fifth =
      schema.isEmpty
      ? "{" + weights.map(String.init).joined(separator: ",") + "}" : String(weights.reduce(0) { $0 + $1 - 1 })
    let r = try c.execPrepared(
      (schema.isEmpty ? "tm_stage_" : "tm_stage_ia_") + String(qt.section),
      stageSQL(bound: schema.isEmpty ? plainBound : intarrayBound(schema), section: qt.section),
      [
        String(qt.exactHash), String(qt.skelHash), CopyText.intArray(posting), CopyText.intArray(flat), fifth,
        String(lq), String(lo), String(known.count), String(qt.section), String(t), String(limit ?? Int(Int64.max)),
      ])
    var out = Stage()
    out.ids.reserveCapacity(r.rows)
    out.units.reserveCapacity(r.rows)
    for row in 0..<r.rows {
      out.ids.append(r.int(row, 0) ?? 0)
      if let ub = r.string(row, 1).flatMap(Double.init) {
        out.ranked += 1
        out.lowestBound = min(out.lowestBound, ub)
      }
      out.units.append(PostgresStore.unit(r, row, from: 2))
    }
    return out
  }

  /// The lookup by stages (see above); nil when the query has no section.
  /// What the stages did (for the tests): how many ran, and whether a
  /// limit cut the ranking at or above the floor reached.
  struct StageStats {
    var stages = 0
    var cut = false
  }

  static func stagedLookup(
    _ c: PGConnection, _ q: LookupQuery, analysisFloor: Double?, name: String, trace: Bool
  ) throws -> LookupResult? {
    var stats = StageStats()
    return try stagedLookup(c, q, analysisFloor: analysisFloor, name: name, trace: trace, stats: &stats)
  }

  static func stagedLookup(
    _ c: PGConnection, _ q: LookupQuery, analysisFloor: Double?, name: String, trace: Bool, stats: inout StageStats
  ) throws -> LookupResult? {
    try c.useLookupSettings()
    guard let qt = try queryTokens(c, q) else { return nil }
    let langs = qt.languages
    let section = LookupKeys.section(of: q.language)
    let own = langs.filter { LookupKeys.section(of: $0) == section }
    guard !own.isEmpty else { return nil }
    let floor = max(1, min(q.minScore, analysisFloor ?? q.minScore) - Matcher.retrievalMargin)
    // Too long a query: the Matcher refuses it (before any candidate query).
    if qt.lq > TokenDistance.maxQueryTokens {
      return try score(q, analysisFloor: analysisFloor, units: [], ids: [], languages: [], name: name, keys: c.keys)
    }
    // With no token the memory knows, only the hashes can find anything:
    // one stage at the floor.
    var t = qt.order.contains { qt.freq($0) > 0 } ? max(floor, firstStage) : floor
    var limit: Int? = stageLimit
    for round in 0..<12 {
      let stageStart = Date()
      let st = try stage(c, qt, t: t, limit: limit)
      let scored = try StageScore(
        q, analysisFloor: analysisFloor, stage: st, languages: langs, own: own, name: name, keys: c.keys)
      let hit = limit.map { st.ranked >= $0 } ?? false
      let reached = scored.reached
      stats.stages += 1
      // The ranking holds its ties (WITH TIES): what it left out has a
      // bound below the lowest it kept, so below R when that is ≤ R.
      if hit, let R = reached, R >= t - 1e-9, st.lowestBound > R + 1e-9 { stats.cut = true }
      let proven: Bool = {
        if t <= floor + 1e-9 && !hit { return true }
        guard let R = reached, R >= t - 1e-9 else { return false }
        return !hit || st.lowestBound <= R + 1e-9
      }()
      if trace {
        FileHandle.standardError.write(Data("stage \(round) took \(String(format: "%.1f", Date().timeIntervalSince(stageStart) * 1000)) ms\n".utf8))
        FileHandle.standardError.write(
          Data(
            "stage \(round): t \(t) limit \(limit.map(String.init) ?? "-") fetched \(st.ids.count) ranked \(st.ranked) lowest \(st.lowestBound) R \(reached.map { String($0) } ?? "-") \(proven ? "proven" : "")\n"
              .utf8))
      }
      if proven { return try withSimilarWords(c, q, analysisFloor: analysisFloor, stage: st, scored: scored, langs: langs, own: own, name: name) }
      if let R = reached, R >= t - 1e-9 {
        // The limit cut the ranking at or above R: every entry that could
        // reach R is needed (the ties at R are many), so no limit.
        t = R
        limit = nil
      } else if let R = reached {
        t = max(floor, R)
      } else if t > floor + 1e-9 {
        t = max(floor, t - stageStep)
      } else {
        limit = nil
      }
      if round == 10 {
        limit = nil
        t = floor
      }
    }
    return nil
  }

  /// The proven stage's answer with a short query's similar-word candidates
  /// (`similarUnits`) added: the Matcher over the stage's units and those.
  /// The stages run without them: the retrieval floor R and the fuzzy pool
  /// the proof is about come from the token scan, before the similar words
  /// are added, and a similar-word unit that would enter that pool scores
  /// ≥ R, so the proven stage holds it already; the pool is the same with
  /// or without them, and they are added once instead of to every stage.
  static func withSimilarWords(
    _ c: PGConnection, _ q: LookupQuery, analysisFloor: Double?, stage st: Stage, scored: StageScore,
    langs: [Language], own: [Language], name: String
  ) throws -> LookupResult {
    let similar = try similarUnits(c, q, analysisFloor: analysisFloor)
    let have = Set(st.ids)
    let missing = similar.filter { !have.contains($0) }
    guard !missing.isEmpty else { return try scored.result() }
    let r = try c.execPrepared(
      "tm_units_by_id", "SELECT u.id, \(columns("u")) FROM tm_units u WHERE u.id = ANY($1::bigint[])",
      ["{" + missing.map(String.init).joined(separator: ",") + "}"])
    var rows: [(Int, TranslationUnit)] = Array(zip(st.ids, st.units))
    for row in 0..<r.rows { rows.append((r.int(row, 0) ?? 0, PostgresStore.unit(r, row, from: 1))) }
    rows.sort { $0.0 < $1.0 }
    return try narrowedScore(
      q, analysisFloor: analysisFloor, ids: rows.map(\.0), units: rows.map(\.1), languages: langs, own: own, name: name,
      keys: c.keys)
  }

  /// What a stage needs of TMKit's Matcher: the retrieval floor R at once,
  /// the answer only for the stage that is proven (and not even then when
  /// a short query's similar words add units: those are scored anew).
  /// Few candidates are scored over their full index at once; many are
  /// indexed by their own section only, R is that index's (the pool it
  /// comes from is the token scan of the query's section), and the answer,
  /// when asked for, is `narrowedScore`'s, from the same narrow index.
  struct StageScore {
    let reached: Double?
    private let full: LookupResult?
    private let narrow: Matcher?
    private let q: LookupQuery
    private let analysisFloor: Double?
    private let stage: Stage
    private let languages: [Language]
    private let name: String
    private let keys: LookupKeys

    init(
      _ q: LookupQuery, analysisFloor: Double?, stage: Stage, languages: [Language], own: [Language], name: String,
      keys: LookupKeys
    ) throws {
      self.q = q
      self.analysisFloor = analysisFloor
      self.stage = stage
      self.languages = languages
      self.name = name
      self.keys = keys
      if stage.units.count <= PostgresStore.narrowAbove {
        let r = try PostgresStore.score(
          q, analysisFloor: analysisFloor, units: stage.units, ids: stage.ids, languages: languages, name: name,
          keys: keys)
        full = r
        narrow = nil
        reached = r.retrievalFloor
      } else {
        let m = try PostgresStore.narrowMatcher(units: stage.units, own: own, name: name, keys: keys)
        full = nil
        narrow = m
        reached = try m.lookup(q, analysisFloor: analysisFloor).retrievalFloor
      }
    }

    /// The stage's answer (what `narrowedScore` gives for its candidates).
    func result() throws -> LookupResult {
      if let full { return full }
      guard let narrow else { return try PostgresStore.score(q, analysisFloor: analysisFloor, units: [], ids: [], languages: [], name: name, keys: keys) }
      return try PostgresStore.scoreKept(
        narrow, q, analysisFloor: analysisFloor, ids: stage.ids, units: stage.units, languages: languages, name: name,
        keys: keys)
    }
  }

  /// A Matcher over an index of the units' texts in the query's own
  /// section only (`own`).
  static func narrowMatcher(units: [TranslationUnit], own: [Language], name: String, keys: LookupKeys) throws -> Matcher {
    let ownUnits = units.map { u in TranslationUnit(texts: u.texts.filter { own.contains($0.key) }) }
    let bytes = try LookupIndexBuilder.build(
      languages: own, units: ownUnits, fingerprint: MemoryFingerprint(size: 0, mtimeNanoseconds: 0, hash: 0), keys: keys)
    return Matcher(indexes: [try LookupIndex(bytes: bytes, memoryPath: name)], keys: keys)
  }

  /// The units `narrow` (over `units`) keeps for `q`, scored over their full index.
  static func scoreKept(
    _ narrow: Matcher, _ q: LookupQuery, analysisFloor: Double?, ids: [Int], units: [TranslationUnit],
    languages: [Language], name: String, keys: LookupKeys
  ) throws -> LookupResult {
    let keep = try narrow.candidateUnits(q, analysisFloor: analysisFloor)
    var seen = Set<Int>()
    let rows = keep.compactMap { $0.unit >= 0 && $0.unit < units.count ? $0.unit : nil }.filter { seen.insert($0).inserted }
      .sorted()
    return try score(
      q, analysisFloor: analysisFloor, units: rows.map { units[$0] }, ids: rows.map { ids[$0] }, languages: languages,
      name: name, keys: keys)
  }

  /// TMKit's Matcher over a stage's candidates. Many candidates are first
  /// narrowed by the retrieval over an index of the query's own section
  /// (`Matcher.candidateUnits`: a lookup over those few keeps exactly them,
  /// with the same retrieval floor), then scored over the full index of the
  /// few it keeps.
  static func narrowedScore(
    _ q: LookupQuery, analysisFloor: Double?, ids: [Int], units: [TranslationUnit], languages: [Language],
    own: [Language], name: String, keys: LookupKeys
  ) throws -> LookupResult {
    guard units.count > narrowAbove else {
      return try score(q, analysisFloor: analysisFloor, units: units, ids: ids, languages: languages, name: name, keys: keys)
    }
    return try scoreKept(
      try narrowMatcher(units: units, own: own, name: name, keys: keys), q, analysisFloor: analysisFloor, ids: ids,
      units: units, languages: languages, name: name, keys: keys)
  }

  static let narrowAbove = 48
}
