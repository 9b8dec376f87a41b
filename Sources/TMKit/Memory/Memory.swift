#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A whole memory read into values: its path, language columns and every
/// unit in file order (`MemoryFile.load`). For large memories use
/// `MemoryTable`, which decodes units on access.
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
  /// Bytes of an interrupted earlier append that were truncated away first.
  public var removedBytes: Int
  public init(added: Int, duplicates: Int, removedBytes: Int = 0) {
    self.added = added
    self.duplicates = duplicates
    self.removedBytes = removedBytes
  }
}

/// What a compaction did.
public struct CompactResult: Sendable, Equatable {
  /// Units in the memory afterwards.
  public var units: Int
  public var duplicatesRemoved: Int
  /// Bytes of an interrupted append that were dropped.
  public var removedBytes: Int
  /// False when the file was already compact (and was left untouched).
  public var rewritten: Bool
}

/// The identity of a unit for duplicate detection: its texts in every
/// language (NFC), nothing else.
public struct UnitKey: Hashable, Sendable {
  var az: String?
  var azCyrl: String?
  var ru: String?
  var en: String?

  public init(_ u: TranslationUnit) {
    az = u.texts[.az]
    azCyrl = u.texts[.azCyrl]
    ru = u.texts[.ru]
    en = u.texts[.en]
  }
}

