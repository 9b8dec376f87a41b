/// `tm compact`: the one full rewrite of a TSV memory
/// (Documentation/MemoryFormat.md, "Compaction"). Appends only add lines;
/// compaction drops duplicate units (the first of equal units stays) and the
/// bytes of an append whose writer was killed, atomically and under the
/// memory's lock. It is a TSV folder's own operation, so it takes that store.
public struct Compact: Sendable {
  public let store: TSVFolderStore

  public init(store: TSVFolderStore) { self.store = store }

  /// Compacts every memory of the store (or the one `--memory` named).
  public func run() throws -> CompactReport {
    let paths = try store.paths()
    if paths.isEmpty {
      throw TMError(
        .notFound, "no memories (*.tsv) in the folder", file: store.displayName,
        hint: "add some with 'tm add' or 'tm import', or point --memory at a file")
    }
    return CompactReport(
      memories: try paths.map { path in
        let r = try MemoryFile.compact(path)
        return CompactReport.Memory(
          memory: path, units: r.units, duplicatesRemoved: r.duplicatesRemoved, removedBytes: r.removedBytes,
          rewritten: r.rewritten)
      })
  }
}

/// What `tm compact` did to each memory.
public struct CompactReport: Sendable, Codable, Equatable {
  public struct Memory: Sendable, Codable, Equatable {
    public var memory: String
    public var units: Int
    public var duplicatesRemoved: Int
    /// Bytes of an interrupted append that were dropped.
    public var removedBytes: Int
    /// False when the file was already compact (and was left untouched).
    public var rewritten: Bool
  }
  public var memories: [Memory]
}
