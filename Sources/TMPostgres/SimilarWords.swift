import Foundation
import TMKit

/// The similar-word candidates of short queries, from the database.
///
/// TMKit's `Matcher` gives a query of at most `Matcher.similarWordQueryLength`
/// tokens, besides the segments that share its tokens, the segments holding
/// a word *spelt like* one of its words (`Armenia` and `Armenian`): for each
/// query word w of 3–64 bytes, the 8 words of the section's vocabulary most
/// similar to it (2·LCS/(|v| + |w|) over bytes ≥ 0.75, ties in byte order),
/// and of each such word the first 200 segments of at most |q| + 2 tokens
/// (shortest first, then in unit order). The in-memory index the store
/// builds of a lookup's candidates has only those candidates' words, so the
/// database must hand it these segments, found over the whole vocabulary.
///
/// `tm_words` holds the vocabulary with each word's length and byte-class
/// mask; the mask bound of the Matcher (each byte class one word has and the
/// other lacks leaves one of its bytes out of any common subsequence) picks
/// the few words worth comparing, in SQL, and the LCS is computed here, as
/// the Matcher computes it. Then one statement reads each chosen word's
/// first segments from the GIN index (its posting keys at lengths 1…|q|+2).
///
/// Why the same matches follow: the candidate set then holds, for each of
/// the memory's 8 words, its first 200 short segments and one unit holding
/// the word (`tm_words.unit_id`), so the in-memory index's vocabulary has all
/// 8 and its own 8 best are the memory's 8 (its vocabulary is part of the
/// memory's, ranked the same way); their first 200 short segments among the
/// candidates are the memory's first 200 (those are all there, and come
/// first in the same order). Extra candidates are units of the memory: they
/// change neither list, and the staged proof covers the fuzzy ones.
extension PostgresStore {
  /// The Matcher's cut-offs (Matcher.similarWordEntries).
  static let similarPerWord = 8
  static let similarSegments = 200
  /// Segments read per similar word: the Matcher's 200 plus a margin for
  /// posting-key collisions (an entry of another word whose 32-bit key
  /// equals this word's at that length comes in too, and would otherwise
  /// push a real one past the cut; extra real ones are harmless).
  static let similarSegmentsRead = 216

  /// A word's byte classes as bits: a–z and 0–9 each their own, the other
  /// bytes (UTF-8 lead and continuation bytes) folded onto 28 classes.
  static func byteMask<C: Collection>(_ bytes: C) -> Int64 where C.Element == UInt8 {
    var m: UInt64 = 0
    for b in bytes {
      let c: UInt8 =
        b >= 0x61 && b <= 0x7A ? b - 0x61 : b >= 0x30 && b <= 0x39 ? 26 + b - 0x30 : 36 + b % 28
      m |= 1 << UInt64(c)
    }
    return Int64(bitPattern: m)
  }

  /// 2·LCS(w, v) / (|w| + |v|) over bytes, by the bit-parallel LCS the
  /// Matcher uses (the same arithmetic, so the same Double).
  struct WordPattern {
    let w: [UInt8]
    var table = [UInt64](repeating: 0, count: 256)
    let valid: UInt64
    init(_ w: [UInt8]) {
      self.w = w
      for (i, c) in w.enumerated() { table[Int(c)] |= 1 << UInt64(i) }
      valid = w.count == 64 ? ~0 : (1 << UInt64(w.count)) - 1
    }
    func similarity(_ word: [UInt8]) -> Double {
      var bits: UInt64 = ~0
      for c in word {
        let u = bits & table[Int(c)]
        bits = (bits &+ u) | (bits - u)
      }
      return 2 * Double((~bits & valid).nonzeroBitCount) / Double(word.count + w.count)
    }
  }

  /// The units a short query's similar-word candidates come from (empty
  /// for longer queries, or a memory without `tm_words`).
  static func similarUnits(_ c: PGConnection, _ q: LookupQuery, analysisFloor: Double?) throws -> [Int] {
    let text = q.text.nfc
    let section = LookupKeys.section(of: q.language)
    guard let s = EntryKeys.sections.firstIndex(of: section) else { return [] }
    let toks = c.keys.tokens(ofKey: c.keys.key(text, language: q.language), language: q.language)
    let lq = toks.count
    let floor = max(1, min(q.minScore, analysisFloor ?? q.minScore) - Matcher.retrievalMargin)
    guard lq > 0, lq <= Matcher.similarWordQueryLength, floor < 100, q.concordance != true else { return [] }
    let started = Date()
    var chosen: [String] = []
    var units = Set<Int>()
    var done = Set<[UInt8]>()
    for t in toks where !t.isNumber {
      let w = Array(t.text.utf8)
      guard w.count >= 3, w.count <= 64, done.insert(w).inserted else { continue }
      let lo = (3 * w.count + 4) / 5, hi = min(5 * w.count / 3, 128)
      guard lo <= hi else { continue }
      let r = try c.execPrepared(
        "tm_similar_words",
        """
        SELECT word, unit_id FROM tm_words
        WHERE section = $1::smallint AND nbytes BETWEEN $2::smallint AND $3::smallint
          AND 8 * least(nbytes::integer, $4::integer) >= 3 * (nbytes + $4::integer)
          AND 8 * least(nbytes - bit_count((mask & ~$5::bigint)::bit(64)), $4::integer - bit_count(($5::bigint & ~mask)::bit(64)))
            >= 3 * (nbytes + $4::integer)
        """,
        [String(s), String(lo), String(hi), String(w.count), String(byteMask(w))])
      let pattern = WordPattern(w)
      var similar: [(Double, [UInt8], String, Int)] = []
      for row in 0..<r.rows {
        guard let word = r.string(row, 0), let unit = r.int(row, 1) else { continue }
        let v = Array(word.utf8)
        if v == w { continue }
        let sim = pattern.similarity(v)
        if sim >= 0.75 { similar.append((sim, v, word, unit)) }
      }
      // The Matcher's order: most similar first, ties by the words' bytes
      // (the index's vocabulary is sorted by bytes).
      similar.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1.lexicographicallyPrecedes($1.1) }
      for (_, _, word, unit) in similar.prefix(similarPerWord) {
        chosen.append(word)
        units.insert(unit)
      }
    }
    guard !chosen.isEmpty else { return [] }
    let wordsDone = Date()
    // Each chosen word's first segments of 1…|q|+2 tokens, shortest first,
    // then in unit order (the index's posting order).
    let maxLength = lq + 2
    var keys: [Int32] = []
    for word in chosen {
      let h = EntryKeys.tokenHash(s, word)
      for len in 1...maxLength { keys.append(EntryKeys.postingKey(h, length: len)) }
    }
    let r = try c.execPrepared(
      "tm_similar_segments_\(s)",
      """
      SELECT DISTINCT x.unit_id FROM generate_series(0, $2::integer - 1) AS g(i) CROSS JOIN LATERAL (
        SELECT e.unit_id FROM tm_entries e
        WHERE e.keys OPERATOR(pg_catalog.&&) ($1::integer[])[g.i * $3::integer + 1:(g.i + 1) * $3::integer]
          AND e.section = \(s) AND e.section + 0 = $4::integer
        ORDER BY e.len, e.unit_id LIMIT $5::bigint
      ) x
      """,
      [CopyText.intArray(keys), String(chosen.count), String(maxLength), String(s), String(similarSegmentsRead)])
    for row in 0..<r.rows { if let u = r.int(row, 0) { units.insert(u) } }
    if trace {
      FileHandle.standardError.write(
        Data("similar: \(chosen.count) words, \(units.count) units, \(String(format: "%.1f", Date().timeIntervalSince(started) * 1000)) ms (words \(String(format: "%.1f", wordsDone.timeIntervalSince(started) * 1000)) ms)\n".utf8))
    }
    return units.sorted()
  }

  /// `tm_words` rows for new units' entries: (section, word, unit id), each
  /// word once, sorted (so concurrent writers lock in one order).
  static func insertWords(_ c: PGConnection, _ rows: [(section: Int, word: String, unit: Int)]) throws {
    guard !rows.isEmpty else { return }
    var seen = Set<String>()
    var sec: [String?] = [], word: [String?] = [], nbytes: [String?] = [], mask: [String?] = [], unit: [String?] = []
    let sorted = rows.sorted { a, b in
      a.section != b.section ? a.section < b.section : a.word.utf8.lexicographicallyPrecedes(b.word.utf8)
    }
    for r in sorted where seen.insert("\(r.section)\u{0}\(r.word)").inserted {
      sec.append(String(r.section))
      word.append(r.word)
      nbytes.append(String(r.word.utf8.count))
      mask.append(String(byteMask(r.word.utf8)))
      unit.append(String(r.unit))
    }
    try c.exec(
      """
      INSERT INTO tm_words (section, word, nbytes, mask, unit_id)
      SELECT * FROM unnest($1::smallint[], $2::text[], $3::smallint[], $4::bigint[], $5::bigint[])
      ON CONFLICT (section, word) DO NOTHING
      """,
      [sec, word, nbytes, mask, unit].map { PostgresStore.textArray($0) })
  }
}
