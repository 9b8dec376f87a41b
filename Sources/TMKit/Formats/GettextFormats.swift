/// gettext catalogs (the codec is `Gettext`): `.po` text and `.mo` binary.
/// msgid is `--from` (default en), msgstr `--to` (default the catalog's
/// `Language:` header, or the `<lang>/LC_MESSAGES/` folder it sits in);
/// fuzzy and untranslated entries are skipped; each plural form is a unit.
public struct POFormat: InterchangeFormat {
  public init() {}
  public var id: String { "po" }
  public var displayName: String { "po" }
  public var extensions: [String] { [".po", ".pot"] }

  /// A line that starts with `msgid "`.
  public func matches(content head: ArraySlice<UInt8>, path: String) throws -> Bool {
    let text = String(decoding: head, as: UTF8.self)
    return text.hasPrefix("msgid \"") || text.contains("\nmsgid \"")
  }

  public func read(
    _ bytes: [UInt8], path: String, options: MemoryImport.Options, _ body: (TranslationUnit) throws -> Void
  ) throws -> [String] {
    let catalog = try Gettext.parsePO(TextDecoder.decode(bytes, encoding: options.encoding, source: path), name: path)
    return try Gettext.read(catalog, format: "po", path: path, options: options, body)
  }
}

public struct MOFormat: InterchangeFormat {
  public init() {}
  public var id: String { "mo" }
  public var displayName: String { "mo" }
  public var extensions: [String] { [".mo", ".gmo"] }

  /// The magic number, in either byte order.
  public func matches(content head: ArraySlice<UInt8>, path: String) throws -> Bool {
    let b = Array(head.prefix(4))
    return b == [0xDE, 0x12, 0x04, 0x95] || b == [0x95, 0x04, 0x12, 0xDE]
  }

  public func read(
    _ bytes: [UInt8], path: String, options: MemoryImport.Options, _ body: (TranslationUnit) throws -> Void
  ) throws -> [String] {
    try Gettext.read(Gettext.parseMO(bytes, name: path), format: "mo", path: path, options: options, body)
  }
}

extension Gettext {
  /// A catalog's units in the languages the options and the catalog name.
  static func read(
    _ catalog: Catalog, format: String, path: String, options: MemoryImport.Options,
    _ body: (TranslationUnit) throws -> Void
  ) throws -> [String] {
    let source = options.from ?? .en
    guard let target = try options.to ?? (catalog.language ?? localeFromPath(path)).map({ tag -> Language in
      guard let l = Language(tag: tag) else {
        throw TMError(
          .invalidInput, "the catalog's language '\(tag)' is not one tm handles", file: path,
          hint: "tm handles " + Language.allCases.map(\.tag).joined(separator: ", ") + "; or name it with --to")
      }
      return l
    })
    else {
      throw TMError(.usage, "the catalog has no Language: header", file: path, hint: "name the language of its msgstr with --to")
    }
    guard source != target else {
      throw TMError(
        .usage, "msgid and msgstr would both be '\(source.tag)'", file: path,
        hint: "name the languages with --from (msgid) and --to (msgstr)")
    }
    for u in units(catalog, source: source, target: target, origin: "\(format):\(FileIO.baseName(of: path))", created: options.now) {
      try body(u)
    }
    var notes: [String] = []
    if catalog.fuzzy > 0 { notes.append("\(path): skipped \(catalog.fuzzy) fuzzy entries") }
    if catalog.untranslated > 0 { notes.append("\(path): skipped \(catalog.untranslated) untranslated entries") }
    return notes
  }

  /// The language of a catalog installed the gettext way,
  /// `…/<lang>/LC_MESSAGES/name.mo`, for catalogs whose header has no
  /// `Language:`.
  static func localeFromPath(_ path: String) -> String? {
    let parts = path.split(separator: "/")
    guard parts.count >= 3, parts[parts.count - 2] == "LC_MESSAGES" else { return nil }
    return String(parts[parts.count - 3])
  }
}
