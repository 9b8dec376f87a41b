/// The document workflows' view of the memories: the best match of a
/// segment, in one target language.
public final class DocumentLookup {
  let matcher: Matcher
  public let source: Language
  public let target: Language
  /// Fuzzy matches below this are not looked for (the analysis' lowest band).
  public let floor: Double

  public init(memoryPaths: [String], source: Language, target: Language, floor: Double = 50) throws {
    var indexes: [LookupIndex] = []
    for p in memoryPaths { indexes += try LookupIndex.open(memoryPath: p).indexes }
    matcher = Matcher(indexes: indexes)
    self.source = source
    self.target = target
    self.floor = floor
    if !indexes.contains(where: { $0.columns.contains(target) }) {
      throw TMError(.notFound, "no memory has \(target.name) translations", hint: "check --to and --memory")
    }
  }

  /// The best match of `text` with a translation into `target`, or nil.
  public func best(_ text: String) throws -> DocumentMatch? {
    let q = LookupQuery(text: text, language: source, targets: [target], limit: 1, minScore: floor, concordance: false)
    let r: LookupResult
    do {
      r = try matcher.lookup(q, analysisFloor: floor)
    } catch let e as TMError where e.kind == .usage || e.kind == .invalidInput {
      return nil  // a segment that cannot be a query (only punctuation, too long)
    }
    guard let m = r.matches.first, let t = m.targets.first(where: { $0.language == target }) else { return nil }
    return DocumentMatch(score: m.score, target: t.substituted ?? t.text, source: m.source, origin: m.memory)
  }
}
