/// The one error type of the library.
///
/// Every failure a user can cause ends here, with enough context to act on:
/// the file and line (or byte offset) when there is one, the offending value,
/// and what to do about it. `description` renders it compiler-style:
/// `memory.tsv:12: error: ...`.
public struct TMError: Error, CustomStringConvertible, Equatable, Sendable {
  /// Broad category, for exit codes and tests.
  public enum Kind: String, Sendable {
    /// A bad argument or option value (exit 2 like any error).
    case usage
    /// Input text that cannot be decoded or parsed.
    case invalidInput
    /// A file that cannot be read or written.
    case io
    /// A memory file that is malformed.
    case malformedMemory
    /// ICU refused something (bad transform ID or rules, ...).
    case icu
    /// Something asked for does not exist (memory, scheme, language).
    case notFound
  }

  public var kind: Kind
  public var message: String
  /// The file the error is about, if any.
  public var file: String?
  /// 1-based line in `file`, if known.
  public var line: Int?
  /// 0-based byte offset in `file`, if known and `line` is not enough.
  public var byteOffset: Int?
  /// What the user can do about it.
  public var hint: String?

  public init(
    _ kind: Kind, _ message: String, file: String? = nil, line: Int? = nil,
    byteOffset: Int? = nil, hint: String? = nil
  ) {
    self.kind = kind
    self.message = message
    self.file = file
    self.line = line
    self.byteOffset = byteOffset
    self.hint = hint
  }

  public var description: String {
    var s = ""
    if let file {
      s += file
      if let line { s += ":\(line)" }
      s += ": "
    }
    s += message
    if let byteOffset, line == nil { s += " (at byte offset \(byteOffset))" } else if let byteOffset {
      s += " (byte offset \(byteOffset))"
    }
    if let hint { s += "; \(hint)" }
    return s
  }
}
