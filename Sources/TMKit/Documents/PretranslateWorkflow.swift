/// `tm pretranslate` / `tm extract --pretranslate` as a workflow: the
/// document's distinct segment texts go to the `Lookup` workflow as one
/// batch (so every store backend, and a server, answers the same way), and
/// the best match per text feeds `Pretranslation.run`.
public struct Pretranslate: Sendable {
  public let lookup: Lookup

  public init(store: any MemoryStore, memories: [MemoryRef]? = nil) {
    lookup = Lookup(store: store, memories: memories)
  }

  /// The best match (scores down to 50, the analysis' lowest band) with a
  /// translation into `to`, per distinct text.
  public func matches(for texts: [String], from: Language, to: Language) async throws -> [String: DocumentMatch] {
    var distinct: [String] = []
    var seen = Set<String>()
    for t in texts where !t.isEmpty && seen.insert(t).inserted { distinct.append(t) }
    if distinct.isEmpty { return [:] }
    let report = try await lookup.run(
      Lookup.Request(queries: distinct, from: from, to: to, limit: 1, minScore: 50, batch: true))
    var out: [String: DocumentMatch] = [:]
    for a in report.answers {
      guard let m = a.matches.first, let t = m.targets.first(where: { $0.language == to }) else { continue }
      out[a.query] = DocumentMatch(score: m.score, target: t.substituted ?? t.text, source: m.source, origin: m.unit.memory.name)
    }
    return out
  }

  /// Segments `doc` and pretranslates it from the store.
  public func run(
    _ doc: Document, blocks: [SegmentedBlock], from: Language, to: Language, minScore: Double,
    keepSegments: Bool = true
  ) async throws -> PretranslationResult {
    // Distinct tagged texts, block by block (not a copy of every segment).
    var texts: [String] = []
    var seen = Set<String>()
    for b in blocks {
      for i in 0..<b.segmentCount {
        let t = SegmentCodes.encode(b.segment(i)).text
        if !t.isEmpty && seen.insert(t).inserted { texts.append(t) }
      }
    }
    seen = []
    let found = try await matches(for: texts, from: from, to: to)
    return Pretranslation.run(doc, blocks: blocks, minScore: minScore, keepSegments: keepSegments) { found[$0] }
  }
}
