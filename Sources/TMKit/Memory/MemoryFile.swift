/// A translation memory stored as a TSV file (see README, "Memory format").
///
/// INTERFACE CONTRACT (other parts of the library code against these
/// signatures; the memory work fills them in):
/// - `MemoryFile.load(path:)` reads and validates a whole memory.
/// - `MemoryFile.append(_:to:)` adds units atomically under an advisory lock,
///   skipping duplicates, creating the file (with a header) if needed.
/// - `MemoryStore` resolves the memories folder (`--memories`, `TM_MEMORIES`,
///   `./Memories`) and lists its `*.tsv` files.
public struct Memory: Sendable {
  /// The file it was read from.
  public var path: String
  /// The language columns, in file order.
  public var languages: [Language]
  public var units: [TranslationUnit]

  public init(path: String, languages: [Language], units: [TranslationUnit]) {
    self.path = path
    self.languages = languages
    self.units = units
  }
}

/// What an append did.
public struct AppendResult: Sendable, Equatable {
  public var added: Int
  public var duplicates: Int
  public init(added: Int, duplicates: Int) {
    self.added = added
    self.duplicates = duplicates
  }
}

public enum MemoryFile {
  /// Reads a memory. Errors name the file and line.
  public static func load(path: String) throws -> Memory {
    throw TMError(.io, "memory reading is not implemented yet", file: path)
  }

  /// Appends units atomically (all or nothing), under an advisory lock.
  public static func append(_ units: [TranslationUnit], to path: String) throws -> AppendResult {
    throw TMError(.io, "memory writing is not implemented yet", file: path)
  }
}
