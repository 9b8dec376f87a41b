import Foundation
import TMKit

/// Lookup on PostgreSQL: the database finds candidates, TMKit scores them.
///
/// Candidates are every unit that could reach the query's floor, by the
/// TSV index's own argument (prefix filtering): a segment scoring ≥ t shares
/// at least ⌈t·|q|/100⌉ of the query's |q| tokens, so it holds one of the
/// |q| − ⌈t·|q|/100⌉ + 1 rarest, and its length lies in ⌈|q|·t/100⌉ …
/// ⌊|q|·100/t⌋. The GIN index on `tm_entries.keys` (token and length in one
/// signature) returns exactly those, plus the exact and near-exact
/// candidates by hash. TMKit's `Matcher` then runs over an in-memory index
/// of the candidates, in unit order, so scores, kinds, differences and the
/// order of ties are the ones the TSV memory gives.
extension PostgresStore {
  /// Longest segment (in tokens) concordance reads, and how many
  /// candidates it takes at most (shortest first, as concordance ranks).
  static let concordanceMaxLength = 200
  static let concordanceCandidates = 1000

  public func lookup(_ q: LookupQuery, analysisFloor: Double? = nil) throws -> LookupResult {
    try Matcher.validate(q.text)
    let started = Date()
    defer {
      if PostgresStore.trace {
        FileHandle.standardError.write(
          Data("lookup \(q.text.debugDescription): \(String(format: "%.1f", Date().timeIntervalSince(started) * 1000)) ms\n".utf8))
      }
    }
    return try run { c in try PostgresStore.lookup(c, q, analysisFloor: analysisFloor, name: name) }
  }

  static let trace = ProcessInfo.processInfo.environment["TM_PG_TRACE"] != nil

  /// `staged: false` runs the single wide candidate query (the previous
  /// path; `TM_PG_UNSTAGED=1` selects it, for the benchmark's baseline).
  static func lookup(
    _ c: PGConnection, _ q: LookupQuery, analysisFloor: Double?, name: String,
    staged: Bool = ProcessInfo.processInfo.environment["TM_PG_UNSTAGED"] == nil
  ) throws -> LookupResult {
    let wantConcordance: Bool = {
      if let want = q.concordance { return want }
      let words = c.keys.tokens(ofKey: c.keys.key(q.text.nfc, language: q.language), language: q.language)
        .filter { !$0.isNumber }.count
      return words >= 1 && words <= 2
    }()
    if !wantConcordance, staged,
      let r = try stagedLookup(c, q, analysisFloor: analysisFloor, name: name, trace: trace)
    {
      return r
    }
    let langs = try PostgresStore.languages(c)
    let section = LookupKeys.section(of: q.language)
    let own = langs.filter { LookupKeys.section(of: $0) == section }
    if wantConcordance || own.isEmpty {
      let found = try candidates(c, q, analysisFloor: analysisFloor)
      return try score(q, analysisFloor: analysisFloor, units: found.units, ids: found.ids, languages: langs, name: name, keys: c.keys)
    }
    // The wide candidate set (every unit that could reach the retrieval
    // floor) is narrowed by TMKit's retrieval over an index of the query's
    // own section only (its texts only, a third of the work); the full
    // index is then built for the few units it keeps. The same matches: the
    // retrieval over those few keeps exactly them (`Matcher.candidateUnits`).
    let wide = try candidates(c, q, analysisFloor: analysisFloor, languages: own)
    if wide.units.isEmpty || langs.isEmpty {
      return try score(q, analysisFloor: analysisFloor, units: [], ids: [], languages: langs, name: name, keys: c.keys)
    }
    let bytes = try LookupIndexBuilder.build(
      languages: own, units: wide.units, fingerprint: MemoryFingerprint(size: 0, mtimeNanoseconds: 0, hash: 0),
      keys: c.keys)
    let narrowIndex = try LookupIndex(bytes: bytes, memoryPath: name)
    let keep = try Matcher(indexes: [narrowIndex], keys: c.keys).candidateUnits(q, analysisFloor: analysisFloor)
    var seen = Set<Int>()
    let ids = keep.compactMap { $0.unit >= 0 && $0.unit < wide.ids.count ? wide.ids[$0.unit] : nil }.filter {
      seen.insert($0).inserted
    }.sorted()
    let r = try c.exec(
      "SELECT u.id, \(columns("u")) FROM tm_units u WHERE u.id = ANY($1::bigint[]) ORDER BY u.id",
      ["{" + ids.map(String.init).joined(separator: ",") + "}"])
    var fullIDs: [Int] = []
    var units: [TranslationUnit] = []
    for row in 0..<r.rows {
      fullIDs.append(r.int(row, 0) ?? 0)
      units.append(PostgresStore.unit(r, row, from: 1))
    }
    return try score(q, analysisFloor: analysisFloor, units: units, ids: fullIDs, languages: langs, name: name, keys: c.keys)
  }

  /// Every unit that could match `q` at the floor (and concordance
  /// candidates), in id order; with `languages`, only those texts.
  static func candidates(
    _ c: PGConnection, _ q: LookupQuery, analysisFloor: Double?, languages: [Language]? = nil
  ) throws -> (ids: [Int], units: [TranslationUnit]) {
    let keys = c.keys
    let text = q.text.nfc
    let section = LookupKeys.section(of: q.language)
    guard let s = EntryKeys.sections.firstIndex(of: section) else { return ([], []) }
    let key = keys.key(text, language: q.language)
    let toks = keys.tokens(ofKey: key, language: q.language)
    let skel = LookupKeys.skeleton(key: key, tokens: toks, language: q.language)
    // The Matcher retrieves by word-token score this far below the floor
    // and rescores (Matcher.retrievalMargin): the same window here, or a
    // unit the TSV index finds would never reach the Matcher.
    let floor = max(1, min(q.minScore, analysisFloor ?? q.minScore) - Matcher.retrievalMargin)
    let lq = toks.count

    // Distinct query tokens and how often each occurs.
    var occurrences: [String: Int] = [:]
    var order: [String] = []
    for t in toks {
      if occurrences[t.text] == nil { order.append(t.text) }
      occurrences[t.text, default: 0] += 1
    }
    let hashes = Dictionary(uniqueKeysWithValues: order.map { ($0, EntryKeys.tokenHash(s, $0)) })

    // Document frequencies, to read the rarest tokens' postings only.
    var df: [Int32: Int] = [:]
    if !order.isEmpty {
      let r = try c.exec(
        "SELECT key, df FROM tm_tokens WHERE key = ANY($1::integer[])",
        [CopyText.intArray(order.map { EntryKeys.tokenKey(hashes[$0] ?? 0) })])
      for row in 0..<r.rows { if let k = r.int(row, 0), let d = r.int(row, 1) { df[Int32(truncatingIfNeeded: k)] = d } }
    }
    func freq(_ t: String) -> Int { df[EntryKeys.tokenKey(hashes[t] ?? 0)] ?? 0 }

    var postingKeys: [Int32] = []
    var allKeys: [Int32] = []
    var weights: [Int] = []
    var t = 100.0
    if lq > 0 && floor < 100 && !q.concordanceOnly {
      t = max(floor, 1)
      let needCommon = Int((t * Double(lq) / 100).rounded(.up))
      let rarest = order.sorted { a, b in freq(a) != freq(b) ? freq(a) < freq(b) : a.utf8.lexicographicallyPrecedes(b.utf8) }
      var covered = 0
      let lo = max(1, Int((Double(lq) * t / 100 - 1e-9).rounded(.up)))
      let hi = max(lo, Int((Double(lq) * 100 / t + 1e-9).rounded(.down)))
      for tok in rarest where covered < lq - needCommon + 1 {
        covered += occurrences[tok] ?? 0
        guard freq(tok) > 0, let h = hashes[tok] else { continue }
        for len in lo...hi { postingKeys.append(EntryKeys.postingKey(h, length: len)) }
      }
      // Every known query token at every length of the window, weighted by
      // how often the query has it: the shared-token bound below.
      for tok in order where freq(tok) > 0 {
        guard let h = hashes[tok] else { continue }
        for len in lo...hi {
          allKeys.append(EntryKeys.postingKey(h, length: len))
          weights.append(occurrences[tok] ?? 1)
        }
      }
    }
    let selected = languages.map { ls in
      ls.compactMap { PostgresStore.columnNames[$0] }.map { "u.\($0)" }.joined(separator: ", ")
    } ?? columns("u")
    var sql = """
      SELECT u.id, \(selected) FROM tm_units u WHERE u.id IN (
        SELECT unit_id FROM tm_entries WHERE exact_hash = $1 OR skel_hash = $2
      """
    var params: [String?] = [
      String(EntryKeys.exactHash(s, text)),
      String(Int64(bitPattern: fnv1a64(skel.utf8, seed: EntryKeys.sectionSeeds[s]))),
    ]
    if !postingKeys.isEmpty {
      // A segment of length L scoring ≥ t is at token edit distance
      // ≤ (1 − t/100)·max(|q|, L), so it shares (as a multiset) at least
      // ⌈t·max(|q|, L)/100⌉ tokens with the query: counted here over its
      // distinct keys, each weighted by the query's occurrences (an upper
      // bound of the shared count, so nothing that can match is dropped).
      sql += """
         UNION SELECT e.unit_id FROM tm_entries e WHERE e.keys OPERATOR(pg_catalog.&&) $3::integer[] AND e.section = \(s)
          AND (SELECT coalesce(sum(w), 0) FROM unnest($4::integer[], $5::integer[]) AS q(k, w) WHERE q.k = ANY(e.keys))
            >= ceil(greatest($6::integer, e.len) * $7::float8 / 100 - 1e-9)
        """
      params.append(CopyText.intArray(postingKeys))
      params.append(CopyText.intArray(allKeys))
      params.append("{" + weights.map(String.init).joined(separator: ",") + "}")
      params.append(String(lq))
      params.append(String(t))
    }
    let similar = try similarUnits(c, q, analysisFloor: analysisFloor)
    if !similar.isEmpty {
      sql += " UNION SELECT unnest($\(params.count + 1)::bigint[])"
      params.append("{" + similar.map(String.init).joined(separator: ",") + "}")
    }
    let wantConcordance = q.concordance ?? (toks.filter { !$0.isNumber }.count >= 1 && toks.filter { !$0.isNumber }.count <= 2)
    if wantConcordance, let rare = order.min(by: { freq($0) < freq($1) }), freq(rare) > 0, let h = hashes[rare] {
      let all = (1...concordanceMaxLength).map { EntryKeys.postingKey(h, length: $0) }
      sql += """
         UNION (SELECT unit_id FROM tm_entries WHERE keys OPERATOR(pg_catalog.&&) $\(params.count + 1)::integer[] AND section = \(s)
        ORDER BY len, unit_id LIMIT \(concordanceCandidates))
        """
      params.append(CopyText.intArray(all))
    }
    sql += ") ORDER BY u.id"
    let r = try c.exec(sql, params)
    var ids: [Int] = []
    var units: [TranslationUnit] = []
    ids.reserveCapacity(r.rows)
    units.reserveCapacity(r.rows)
    for row in 0..<r.rows {
      ids.append(r.int(row, 0) ?? 0)
      if let languages {
        var u = TranslationUnit(texts: [:])
        for (i, l) in languages.enumerated() { if let t = r.string(row, 1 + i) { u.texts[l] = t } }
        units.append(u)
      } else {
        units.append(PostgresStore.unit(r, row, from: 1))
      }
    }
    return (ids, units)
  }

  static func columns(_ alias: String) -> String {
    textColumns.split(separator: ",").map { "\(alias).\($0.trimmingCharacters(in: .whitespaces))" }.joined(separator: ", ")
  }

  /// TMKit's Matcher over the candidates; units renumbered to the
  /// database's ids (`Match.unit` = id − 1, so the 1-based `unit` shown is the id).
  static func score(
    _ q: LookupQuery, analysisFloor: Double?, units: [TranslationUnit], ids: [Int], languages: [Language], name: String,
    keys: LookupKeys
  ) throws -> LookupResult {
    if units.isEmpty || languages.isEmpty {
      return try Matcher(indexes: []).lookup(q, analysisFloor: analysisFloor)
    }
    let bytes = try LookupIndexBuilder.build(
      languages: languages, units: units, fingerprint: MemoryFingerprint(size: 0, mtimeNanoseconds: 0, hash: 0),
      keys: keys)
    let index = try LookupIndex(bytes: bytes, memoryPath: name)
    var result = try Matcher(indexes: [index], keys: keys).lookup(q, analysisFloor: analysisFloor)
    func renumber(_ m: inout Match) {
      if m.unit >= 0 && m.unit < ids.count { m.unit = ids[m.unit] - 1 }
    }
    for i in result.matches.indices { renumber(&result.matches[i]) }
    for i in result.concordance.indices { renumber(&result.concordance[i]) }
    return result
  }
}

extension LookupQuery {
  var concordanceOnly: Bool { concordance == true }
}

extension PostgresStore {
  /// The peer for the benchmark: Weblate's way, pg_trgm `similarity()` on
  /// the source text alone (a `gin_trgm_ops` index on the column, `%` with
  /// the threshold lowered in 0.05 steps from 0.5 until something is found,
  /// as Weblate's memory does). Needs `scripts/bench-postgres.sh`'s trigram
  /// index; not part of the store's schema.
  public func trigramTop(_ text: String, language: Language, target: Language) throws -> (similarity: Double, target: String)? {
    guard let src = PostgresStore.columnNames[language], let tgt = PostgresStore.columnNames[target] else { return nil }
    return try run { c in
      var threshold = 0.5
      while threshold >= 0.1 {
        try c.exec("SELECT set_limit($1::real)", [String(threshold)])
        let r = try c.exec(
          "SELECT similarity(\(src), $1), \(tgt) FROM tm_units WHERE \(src) % $1 AND \(tgt) IS NOT NULL ORDER BY similarity(\(src), $1) DESC, id LIMIT 1",
          [text.nfc])
        if r.rows > 0, let s = r.string(0, 0).flatMap(Double.init) { return (s, r.string(0, 1) ?? "") }
        threshold -= 0.05
      }
      return nil
    }
  }
}
