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

  /// Whether `FastWords` may stand in for ICU: the languages whose ICU
  /// word rules are the root rules it follows.
  private let fastWords: Bool
  private var fastRanges: [FastWords.Piece] = []

  public init(language: Language?) throws {
    self.language = language
    iterator = try BreakIterator(.word, locale: language?.icuLocale ?? "root")
    fastWords = language == .az || language == .azCyrl || language == .ru || language == .en
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

  /// The word and number tokens of the UTF-8 text `base[0..<count]`, the
  /// same ones `tokens` gives (kinds `.word` and `.number`), as byte ranges
  /// and without making a `Substring` or `String` for each:
  /// `body(start, end, isNumber)`.
  @inline(__always)
  func forEachWordOrNumber(utf8 base: UnsafePointer<UInt8>, count: Int, _ body: (Int, Int, Bool) -> Void) {
    if fastWords, FastWords.pieces(UnsafeBufferPointer(start: base, count: count), into: &fastRanges) {
      for p in fastRanges { body(Int(p.start), Int(p.end), p.isNumber) }
      return
    }
    iterator.forEachPiece(utf8: base, count: count) { start, end, status in
      if status >= 100 { body(start, end, status < 200) }
    }
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

/// ICU's word and number tokens (root word-break rules, UAX #29 with CLDR's
/// root tailoring) for the text most segments are made of: Latin, IPA and
/// Cyrillic letters, ASCII digits, spaces and common punctuation. For any
/// other text it gives up (`pieces` returns false) and ICU is asked.
///
/// The rules it applies, and only where they are unambiguous:
/// - a token is a run of letters and digits (WB5, WB8–WB10); a token that
///   mixes letters and digits gives up (its rule status depends on how ICU
///   chains the rules);
/// - `'` and `.` join two letters (WB6/7); `'`, `.`, `,` and `;` join two
///   digits (WB11/12); `:` between two letters gives up (root and some
///   locales differ on it), elsewhere it breaks;
/// - `_` (ExtendNumLet), `@` (ICU keeps it in words) and every scalar
///   outside the set give up, so
///   Extend/Format characters (WB4), emoji and scripts with dictionaries
///   never reach it;
/// - everything else in the set (spaces, ASCII punctuation, `«»–—“”„`)
///   breaks on both sides and is not a word.
/// Tests compare it with ICU on the UDHR corpus, the machine's gettext
/// catalogs and random text built from exactly these characters.
enum FastWords {
  struct Piece {
    var start: Int32
    var end: Int32
    var isNumber: Bool
  }

  /// Classes: 0 other (breaks), 1 letter, 2 digit, 3 `'` or `.` (between
  /// letters or digits), 4 `,` or `;` (between digits), 5 `:`, 255 give up.
  static let ascii: [UInt8] = {
    var t = [UInt8](repeating: 0, count: 128)
    for c in UInt8(ascii: "a")...UInt8(ascii: "z") { t[Int(c)] = 1 }
    for c in UInt8(ascii: "A")...UInt8(ascii: "Z") { t[Int(c)] = 1 }
    for c in UInt8(ascii: "0")...UInt8(ascii: "9") { t[Int(c)] = 2 }
    t[Int(UInt8(ascii: "'"))] = 3
    t[Int(UInt8(ascii: "."))] = 3
    t[Int(UInt8(ascii: ","))] = 4
    t[Int(UInt8(ascii: ";"))] = 4
    t[Int(UInt8(ascii: ":"))] = 5
    t[Int(UInt8(ascii: "_"))] = 255
    // ICU's rules keep `@` inside words and numbers (`apt@debian.org`,
    // `1@2`) and make it a word alone: not one of ours.
    t[Int(UInt8(ascii: "@"))] = 255
    return t
  }()

  /// The class of the scalar at `i` and its length in bytes.
  @inline(__always)
  static func scalarClass(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> (UInt8, Int) {
    ascii.withUnsafeBufferPointer { scalarClass(b, i, ascii: $0) }
  }

  /// `scalarClass(b, i)` with the ASCII classes handed in (a static
  /// array read on every scalar is a `swift_once` check and a retain).
  @inline(__always)
  static func scalarClass(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, ascii: UnsafeBufferPointer<UInt8>) -> (UInt8, Int) {
    let c = b[i]
    if c < 0x80 { return (ascii[Int(c)], 1) }
    let n = b.count
    if c >= 0xC2 && c < 0xE0 && i + 1 < n {
      let v = Int(c & 0x1F) << 6 | Int(b[i + 1] & 0x3F)
      switch v {
      case 0xC0...0xD6, 0xD8...0xF6, 0xF8...0x2AF: return (1, 2)  // Latin-1 letters, Latin Extended-A/B, IPA
      case 0x400...0x481, 0x48A...0x52F: return (1, 2)  // Cyrillic letters (not U+0482, not the marks U+0483–U+0489)
      case 0xAB, 0xBB: return (0, 2)  // « »
      default: return (255, 2)
      }
    }
    if c == 0xE2 && i + 2 < n && b[i + 1] == 0x80 {
      switch b[i + 2] {
      case 0x93, 0x94, 0x9C, 0x9D, 0x9E: return (0, 3)  // – — “ ” „
      default: return (255, 3)
      }
    }
    return (255, 1)
  }

  /// The word and number tokens of `b`, or false when ICU must decide.
  static func pieces(_ b: UnsafeBufferPointer<UInt8>, into out: inout [Piece]) -> Bool {
    ascii.withUnsafeBufferPointer { pieces(b, ascii: $0, into: &out) }
  }

  private static func pieces(
    _ b: UnsafeBufferPointer<UInt8>, ascii: UnsafeBufferPointer<UInt8>, into out: inout [Piece]
  ) -> Bool {
    @inline(__always) func scalarClass(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> (UInt8, Int) {
      FastWords.scalarClass(b, i, ascii: ascii)
    }
    out.removeAll(keepingCapacity: true)
    let n = b.count
    var i = 0
    while i < n {
      let (k, len) = scalarClass(b, i)
      if k == 255 { return false }
      if k != 1 && k != 2 {
        if k == 5, i > 0, i + 1 < n {
          // `:` between letters: ICU's tailorings differ; let it decide.
          let before = out.last.map { Int($0.end) == i && !$0.isNumber } ?? false
          if before && scalarClass(b, i + 1).0 == 1 { return false }
        }
        i += len
        continue
      }
      // A token from i: letters (and joiners between letters) or digits
      // (and joiners between digits).
      let start = i
      var letters = k == 1
      var digits = k == 2
      var last = k
      i += len
      while i < n {
        let (k2, l2) = scalarClass(b, i)
        if k2 == 255 { return false }
        if k2 == 1 || k2 == 2 {
          if k2 == 1 { letters = true } else { digits = true }
          last = k2
          i += l2
          continue
        }
        if (k2 == 3 || k2 == 4 || k2 == 5) && i + l2 < n {
          let (k3, l3) = scalarClass(b, i + l2)
          if k3 == 255 { return false }
          if k2 == 5 && last == 1 && k3 == 1 { return false }
          if (k2 == 3 && last == 1 && k3 == 1) || ((k2 == 3 || k2 == 4) && last == 2 && k3 == 2) {
            if k3 == 1 { letters = true } else { digits = true }
            last = k3
            i += l2 + l3
            continue
          }
        }
        break
      }
      if letters && digits { return false }
      out.append(Piece(start: Int32(start), end: Int32(i), isNumber: digits))
    }
    return true
  }
}
