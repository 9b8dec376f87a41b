/// A word token from ICU's word break, with its rule status.
public struct Token: Sendable, Hashable {
  public enum Kind: Sendable, Hashable {
    /// Letters (ICU rule status 200–499: letters, kana, ideographs).
    case word
    /// A number (rule status 100–199): `1918`, `3,5`, `5.50`.
    case number
    /// Punctuation or symbols (status 0, not space).
    case punctuation
    /// Whitespace.
    case space
  }

  public var text: Substring
  public var kind: Kind
  /// UTF-8 byte offsets of the token in the tokenized string.
  public var utf8Range: Range<Int>

  public init(text: Substring, kind: Kind, utf8Range: Range<Int>) {
    self.text = text
    self.kind = kind
    self.utf8Range = utf8Range
  }
}

/// Splits text into word tokens with ICU word break rules for a language.
///
/// Not thread-safe; create one per thread. Cheap to reuse.
public final class Tokenizer {
  private let iterator: BreakIterator
  public let language: Language?

  public init(language: Language?) throws {
    self.language = language
    iterator = try BreakIterator(.word, locale: language?.icuLocale ?? "root")
  }

  /// All tokens of `text`, spaces included unless `includeSpaces` is false.
  public func tokens(_ text: String, includeSpaces: Bool = false) -> [Token] {
    var out: [Token] = []
    let u8 = text.utf8
    iterator.forEachPiece(in: text) { start, end, status in
      let lo = u8.index(u8.startIndex, offsetBy: start)
      let hi = u8.index(u8.startIndex, offsetBy: end)
      let piece = text[lo..<hi]
      let kind: Token.Kind
      if status >= 200 {
        kind = .word
      } else if status >= 100 {
        kind = .number
      } else if Tokenizer.isWhitespace(piece) {
        kind = .space
      } else {
        kind = .punctuation
      }
      if kind == .space && !includeSpaces { return }
      out.append(Token(text: piece, kind: kind, utf8Range: start..<end))
    }
    return out
  }

  /// Every scalar of `piece` is White_Space. ASCII pieces (nearly every
  /// space and punctuation mark) are decided on their bytes: the ASCII
  /// White_Space characters are U+0009–U+000D and U+0020.
  static func isWhitespace(_ piece: Substring) -> Bool {
    var ascii = true
    var white = true
    for b in piece.utf8 {
      if b >= 0x80 {
        ascii = false
        break
      }
      if !(b == 0x20 || (b >= 0x09 && b <= 0x0D)) { white = false }
    }
    if ascii { return white }
    return piece.unicodeScalars.allSatisfy { $0.properties.isWhitespace }
  }
}
