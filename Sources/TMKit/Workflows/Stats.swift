/// `tm stats`: what each memory of a store holds.
public struct Stats: Sendable {
  public let store: any MemoryStore

  public init(store: any MemoryStore) { self.store = store }

  /// The stats of `memories` (nil = every memory of the store; an error when
  /// there is none).
  public func run(memories: [MemoryRef]? = nil) async throws -> StatsReport {
    let refs = try await store.resolve(memories)
    if refs.isEmpty {
      throw TMError(
        .notFound, "no memories (*.tsv) in the folder", file: store.displayName,
        hint: "add some with 'tm add' or 'tm import', or point --memory at a file")
    }
    var out: [MemoryStats] = []
    for r in refs { out.append(try await store.stats(of: r)) }
    return StatsReport(memories: out)
  }
}

/// The stats of several memories.
public struct StatsReport: Sendable, Codable, Equatable {
  public var memories: [MemoryStats]
  public var units: Int { memories.reduce(0) { $0 + $1.units } }
}
