/// Where translation memories are kept: the one seam between the workflows
/// (lookup, align's dictionary, import, export, stats) and the storage.
///
/// A store holds one or more *memories* (a TSV file in a folder, a memory
/// row set in PostgreSQL), each named by a ``MemoryRef``. Workflows never see
/// a path: they get a store and, optionally, the memories to use.
///
/// ## Why `async`
///
/// Every requirement is `async throws`. A PostgreSQL backend on postgres-nio
/// is asynchronous by nature; a synchronous protocol would force it to block
/// a thread on each query (`EventLoopFuture.wait()`), which on a server's
/// small cooperative pool (2 cores here) stalls every other request. The
/// other way round costs nothing: the TSV backend's methods are synchronous
/// code inside `async` functions, and the CLI runs them from its async
/// `main`. A server shares one store among its tasks, so a store is
/// `Sendable`: immutable configuration plus state behind a lock.
///
/// ## Lookup
///
/// A backend's job in a lookup is to find *candidate* units for a query's
/// match keys (``CandidateRequest``: the NFC text, the match key, its tokens,
/// the word skeleton, the cross-script keys). Scoring — the fuzzy %, the
/// near-exact differences, number substitution, concordance marks — is done
/// by the same TMKit code (`Matcher`) for every backend: the default
/// ``search(_:in:analysisFloor:)`` indexes the candidates in memory and runs
/// the matcher over them. A backend with its own index of the whole memory
/// (the TSV folder's `LookupIndex`) overrides `search` and runs the same
/// matcher over that index instead.
public protocol MemoryStore: Sendable {
  /// For people: the folder, the database.
  var displayName: String { get }

  /// The memories the store holds, with their languages and sizes.
  func memories() async throws -> [MemoryInfo]

  /// The memory that units in these languages go to when none is named
  /// (`az-ru.tsv` for az and ru). Nothing is created until an append.
  func defaultMemory(for languages: [Language]) throws -> MemoryRef

  /// Appends units (all or nothing). Texts are stored in NFC; a unit whose
  /// texts in every language equal a stored unit's (or an earlier one's in
  /// `units`) is a duplicate and is not stored. Creates the memory when it
  /// does not exist.
  func append(_ units: [TranslationUnit], to memory: MemoryRef) async throws -> AppendResult

  /// Calls `body` with every unit of `memory`, in order, without holding
  /// them all (a backend reads in batches).
  func forEachUnit(in memory: MemoryRef, _ body: (StoredUnit) throws -> Void) async throws

  /// Units whose text in `language` is exactly `text` (NFC).
  func exact(_ text: String, language: Language, in memories: [MemoryRef]?) async throws -> [StoredUnit]

  /// Units that may match a query: every unit that could score at least
  /// `request.minScore`, and (when `request.concordance`) every unit that
  /// contains all the query's tokens. More is allowed (they are scored and
  /// dropped); fewer loses matches.
  func candidates(for request: CandidateRequest) async throws -> [StoredUnit]

  /// Exact, near-exact, fuzzy and concordance matches for each query.
  /// `Match.memory` is the ``MemoryRef/id`` of the unit's memory and
  /// `Match.unit` its ``UnitRef/index``. A query the matcher refuses gets
  /// its error in its slot; the others still run.
  func search(_ queries: [LookupQuery], in memories: [MemoryRef]?, analysisFloor: Double?) async throws
    -> SearchBatch

  /// The languages that have text to search in (an index section each).
  func searchableLanguages(in memories: [MemoryRef]?) async throws -> [Language]

  /// What one memory holds (`tm stats`).
  func stats(of memory: MemoryRef) async throws -> MemoryStats

  /// The store as one lookup sees it: `Lookup.run` asks for it once, when
  /// the request arrives, and reads the memories, their languages and the
  /// matches from it. Default: the store itself. A store whose every read
  /// costs a round trip (PostgreSQL) answers all three from one consistent
  /// view taken after the request arrived.
  func lookupView() async throws -> any MemoryStore
}

extension MemoryStore {
  public func lookupView() async throws -> any MemoryStore { self }
}

/// Names one memory inside a store.
public struct MemoryRef: Hashable, Sendable, Codable, CustomStringConvertible {
  /// Stable within its store (the TSV folder: the file's path as given).
  public var id: String
  /// For people (the TSV folder: the same path).
  public var name: String

  public init(id: String, name: String? = nil) {
    self.id = id
    self.name = name ?? id
  }

  public var description: String { name }
}

/// Names one unit: its memory and its 0-based position there (the TSV
/// folder: line number − 2).
public struct UnitRef: Hashable, Sendable, Codable {
  public var memory: MemoryRef
  public var index: Int

  public init(memory: MemoryRef, index: Int) {
    self.memory = memory
    self.index = index
  }
}

/// A unit as a store returns it: where it is, and what it holds.
/// JSON: `{"ref":{"memory":{"id","name"},"index"},"unit":{…}}`.
public struct StoredUnit: Sendable, Hashable, Codable {
  public var ref: UnitRef
  public var unit: TranslationUnit

  public init(ref: UnitRef, unit: TranslationUnit) {
    self.ref = ref
    self.unit = unit
  }
}

/// One memory of a store.
public struct MemoryInfo: Sendable, Hashable, Codable {
  public var ref: MemoryRef
  /// The languages it has columns for, in its own order.
  public var languages: [Language]

  public init(ref: MemoryRef, languages: [Language]) {
    self.ref = ref
    self.languages = languages
  }

  /// Whether it can hold both languages of a pair.
  public func has(_ a: Language, _ b: Language) -> Bool { languages.contains(a) && languages.contains(b) }
}

/// What a backend is asked for in a lookup: the query and its match keys,
/// computed once by TMKit (`LookupKeys`) so that every backend searches on
/// the same keys.
public struct CandidateRequest: Sendable, Hashable, Codable {
  /// The query in NFC.
  public var text: String
  public var language: Language
  /// The index section searched: both az scripts share `az`.
  public var section: Language
  /// The match key of the whole query (case-folded, script-folded).
  public var key: String
  /// The key's tokens, in order (words and numbers).
  public var tokens: [String]
  /// The word skeleton (numbers aside) that near-exact matches share.
  public var skeleton: String
  /// Cross-script keys of the tokens (concordance: `Aliyeva` finds `Алиева`).
  public var crossScriptTokens: [String]
  /// The lowest score wanted.
  public var minScore: Double
  /// How many matches the caller will keep (a hint).
  public var limit: Int
  /// Also wanted: units containing every token.
  public var concordance: Bool
  /// The memories to search; nil = all.
  public var memories: [MemoryRef]?

  public init(
    query q: LookupQuery, floor: Double? = nil, memories: [MemoryRef]? = nil, keys: LookupKeys = LookupKeys()
  ) {
    let text = q.text.nfc
    let key = keys.key(text, language: q.language)
    let tokens = keys.tokens(ofKey: key, language: q.language)
    self.text = text
    self.language = q.language
    self.section = LookupKeys.section(of: q.language)
    self.key = key
    self.tokens = tokens.map(\.text)
    self.skeleton = LookupKeys.skeleton(key: key, tokens: tokens, language: q.language)
    self.crossScriptTokens = keys.surfaceTokens(text, language: q.language).filter { $0.kind == .word }.map {
      keys.crossScript($0.key, language: q.language)
    }
    self.minScore = min(q.minScore, floor ?? q.minScore)
    self.limit = q.limit
    let words = tokens.filter { !$0.isNumber }.count
    self.concordance = q.concordance ?? (words >= 1 && words <= 2)
    self.memories = memories
  }
}

/// The answers to a batch of queries, in query order.
public struct SearchBatch: Sendable {
  public var results: [Result<LookupResult, TMError>]
  /// What the store wants a person to know (an index it could not save).
  public var notes: [String]

  public init(results: [Result<LookupResult, TMError>], notes: [String] = []) {
    self.results = results
    self.notes = notes
  }
}

extension AppendResult: Codable {
  enum CodingKeys: String, CodingKey { case added, duplicates }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init(added: try c.decode(Int.self, forKey: .added), duplicates: try c.decode(Int.self, forKey: .duplicates))
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(added, forKey: .added)
    try c.encode(duplicates, forKey: .duplicates)
  }
}

// MARK: Defaults every backend gets

extension MemoryStore {
  /// The refs of the memories, or the given ones.
  public func resolve(_ memories: [MemoryRef]?) async throws -> [MemoryRef] {
    if let memories { return memories }
    return try await self.memories().map(\.ref)
  }

  /// Scores candidates with the one TMKit matcher: the candidates of each
  /// query are indexed in memory and searched exactly as a whole memory's
  /// index is, then their positions are mapped back to the units' refs.
  public func search(_ queries: [LookupQuery], in memories: [MemoryRef]?, analysisFloor: Double?) async throws
    -> SearchBatch
  {
    var results: [Result<LookupResult, TMError>] = []
    let keys = LookupKeys()
    for q in queries {
      do {
        try Matcher.validate(q.text)
        let request = CandidateRequest(query: q, floor: analysisFloor, memories: memories, keys: keys)
        var found = try await candidates(for: request)
        found += try await exact(request.text, language: q.language, in: memories)
        var seen = Set<UnitRef>()
        found = found.filter { seen.insert($0.ref).inserted }
        results.append(.success(try CandidateMatcher.lookup(q, candidates: found, analysisFloor: analysisFloor)))
      } catch let e as TMError {
        results.append(.failure(e))
      }
    }
    return SearchBatch(results: results)
  }

  public func searchableLanguages(in memories: [MemoryRef]?) async throws -> [Language] {
    let wanted = try await resolve(memories)
    let all = try await self.memories().filter { wanted.contains($0.ref) }
    return Language.allCases.filter { l in all.contains { $0.languages.contains(l) } }
  }

  /// Counts over `forEachUnit`: what a backend without its own counters
  /// reports.
  public func stats(of memory: MemoryRef) async throws -> MemoryStats {
    let info = try await memories().first { $0.ref == memory }
    var counter = MemoryStats.Counter(memory: memory, languages: info?.languages ?? [])
    try await forEachUnit(in: memory) { counter.add($0.unit) }
    return counter.result
  }
}

/// Runs the one `Matcher` over a set of candidate units.
public enum CandidateMatcher {
  public static func lookup(_ q: LookupQuery, candidates: [StoredUnit], analysisFloor: Double?) throws
    -> LookupResult
  {
    if candidates.isEmpty {
      return LookupResult(matches: [], concordance: [], concordanceTotal: 0, bestScore: nil)
    }
    let languages = Language.allCases.filter { l in candidates.contains { $0.unit.texts[l] != nil } }
    let bytes = try LookupIndexBuilder.build(
      languages: languages, units: candidates.map(\.unit),
      fingerprint: MemoryFingerprint(size: 0, mtimeNanoseconds: 0, hash: 0))
    let index = try LookupIndex(bytes: bytes, memoryPath: "candidates")
    var r = try Matcher(indexes: [index]).lookup(q, analysisFloor: analysisFloor)
    func remap(_ m: inout Match) {
      guard m.unit >= 0, m.unit < candidates.count else { return }
      let ref = candidates[m.unit].ref
      m.memory = ref.memory.id
      m.unit = ref.index
    }
    for i in r.matches.indices { remap(&r.matches[i]) }
    for i in r.concordance.indices { remap(&r.concordance[i]) }
    return r
  }
}

/// JSON: `{"texts":{"az":"…","ru":"…"},"origin":"…","created":"…","score":0.9}`
/// (`score` absent when the unit has none; texts keyed by language tag).
extension TranslationUnit: Codable {
  enum CodingKeys: String, CodingKey { case texts, origin, created, score }

  struct Tag: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let t = try c.nestedContainer(keyedBy: Tag.self, forKey: .texts)
    var texts: [Language: String] = [:]
    for k in t.allKeys {
      guard let l = Language(tag: k.stringValue) else {
        throw DecodingError.dataCorruptedError(
          forKey: k, in: t, debugDescription: "unknown language '\(k.stringValue)'")
      }
      texts[l] = try t.decode(String.self, forKey: k)
    }
    self.init(
      texts: texts, origin: try c.decodeIfPresent(String.self, forKey: .origin) ?? "",
      created: try c.decodeIfPresent(String.self, forKey: .created) ?? "",
      score: try c.decodeIfPresent(Double.self, forKey: .score))
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    var t = c.nestedContainer(keyedBy: Tag.self, forKey: .texts)
    for l in Language.allCases { if let s = texts[l] { try t.encode(s, forKey: Tag(stringValue: l.tag)) } }
    try c.encode(origin, forKey: .origin)
    try c.encode(created, forKey: .created)
    try c.encodeIfPresent(score, forKey: .score)
  }
}
