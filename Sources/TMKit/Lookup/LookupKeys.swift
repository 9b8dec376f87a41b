/// The comparison forms lookup works on, one definition shared by the index
/// builder and the query side so both always agree.
///
/// A segment is compared through its *key*: NFKC, case folded by the
/// language's rules (`matchKey(for:)`), and, for Azerbaijani in Cyrillic,
/// transliterated to Latin first (ICU `Azerbaijani-Latin/BGN`), so that both
/// scripts of Azerbaijani share one token space: `Әлијева` and `Əliyeva`
/// give the same tokens. Tokens are ICU word-break words and numbers
/// (punctuation and spaces are not counted by the fuzzy score, as in
/// OmegaT).
///
/// Not thread-safe (it holds ICU objects); make one per thread.
public final class LookupKeys {
  private var tokenizers: [Language: BreakIterator] = [:]
  private var azLatin: ICUTransform?
  private var crossKey: CrossScriptKey?

  public init() {}

  /// The index section a column language belongs to: both scripts of
  /// Azerbaijani share one.
  public static func section(of language: Language) -> Language {
    language == .azCyrl ? .az : language
  }

  /// The case and spelling rules a column's key uses.
  static func keyLanguage(_ language: Language) -> Language { section(of: language) }

  private func iterator(_ language: Language) throws -> BreakIterator {
    let l = LookupKeys.section(of: language)
    if let it = tokenizers[l] { return it }
    let it = try BreakIterator(.word, locale: l.icuLocale)
    tokenizers[l] = it
    return it
  }

  /// Azerbaijani Cyrillic → Latin (ICU BGN), the text unchanged otherwise.
  public func latinised(_ text: String, language: Language) -> String {
    guard language == .azCyrl else { return text }
    if azLatin == nil { azLatin = try? ICUTransform(id: "Azerbaijani-Latin/BGN") }
    return azLatin?.apply(text.nfc) ?? text
  }

  /// The match key of a whole segment.
  public func key(_ text: String, language: Language) -> String {
    latinised(text, language: language).matchKey(for: LookupKeys.keyLanguage(language))
  }

  /// A token of a key: its text and whether it is a number.
  public struct KeyToken: Sendable, Hashable {
    public var text: String
    public var isNumber: Bool
    /// UTF-8 range in the key it was taken from.
    public var utf8Range: Range<Int>
  }

  /// Word and number tokens of an already computed key.
  public func tokens(ofKey key: String, language: Language) -> [KeyToken] {
    guard let it = try? iterator(language) else { return [] }
    var out: [KeyToken] = []
    let bytes = Array(key.utf8)
    it.forEachPiece(in: key) { s, e, status in
      guard status >= 100 else { return }
      let t = String(decoding: bytes[s..<e], as: UTF8.self)
      out.append(KeyToken(text: t, isNumber: status < 200, utf8Range: s..<e))
    }
    return out
  }

  /// Word and number tokens of a segment's key.
  public func tokens(_ text: String, language: Language) -> [KeyToken] {
    tokens(ofKey: key(text, language: language), language: language)
  }

  /// The "skeleton" two segments share when they differ only in case,
  /// whitespace, punctuation or numbers: the folded words in order (an
  /// ordinal suffix such as `-ci`/`-cü` or `-го` counts as part of its
  /// number), and how many numbers there are. `key` is the text `tokens`
  /// were taken from.
  public static func skeleton(key: String, tokens: [KeyToken], language: Language) -> String {
    let numbers = Numbers.find(in: key, language: keyLanguage(language))
    let suffixes = numbers.map { $0.utf8Range.upperBound..<($0.utf8Range.upperBound + $0.suffix.utf8.count) }
    var s = ""
    for w in tokens where !w.isNumber {
      if suffixes.contains(where: { $0.contains(w.utf8Range.lowerBound) }) { continue }
      s += w.text
      s += "\u{1F}"
    }
    return s + "#\(numbers.count)"
  }

  /// UTF-8 ranges of the ordinal suffixes of the numbers in `text`.
  public static func numberSuffixes(_ text: String, language: Language) -> [Range<Int>] {
    Numbers.find(in: text, language: language).map {
      $0.utf8Range.upperBound..<($0.utf8Range.upperBound + $0.suffix.utf8.count)
    }
  }

  /// A token of the original text, for showing and comparing it.
  public struct SurfaceToken: Sendable {
    public var text: Substring
    public var kind: Token.Kind
    public var utf8Range: Range<Int>
    /// Its key (the same form the index uses), for word and number tokens.
    public var key: String
  }

  /// The tokens of the stored (or query) text, each with its own key.
  public func surfaceTokens(_ text: String, language: Language) -> [SurfaceToken] {
    guard let it = try? iterator(language) else { return [] }
    var out: [SurfaceToken] = []
    let u8 = text.utf8
    it.forEachPiece(in: text) { s, e, status in
      let lo = u8.index(u8.startIndex, offsetBy: s)
      let hi = u8.index(u8.startIndex, offsetBy: e)
      let piece = text[lo..<hi]
      let kind: Token.Kind
      if status >= 200 {
        kind = .word
      } else if status >= 100 {
        kind = .number
      } else if piece.unicodeScalars.allSatisfy({ $0.properties.isWhitespace }) {
        kind = .space
      } else {
        kind = .punctuation
      }
      let k = (kind == .word || kind == .number) ? key(String(piece), language: language) : String(piece)
      out.append(SurfaceToken(text: piece, kind: kind, utf8Range: s..<e, key: k))
    }
    return out
  }

  /// The cross-script key of one word (`Алиева`, `Aliyeva`, `Əliyeva` →
  /// `alieva`), for concordance across scripts.
  public func crossScript(_ word: String, language: Language) -> String {
    if crossKey == nil { crossKey = try? CrossScriptKey() }
    return crossKey?.key(word, language: LookupKeys.keyLanguage(language)) ?? word
  }
}

/// FNV-1a, 64 bits: a hash that is the same in every process (Swift's
/// `Hasher` is seeded per run, so it cannot be persisted).
public func fnv1a64<S: Sequence>(_ bytes: S, seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 where S.Element == UInt8 {
  var h = seed
  for b in bytes {
    h ^= UInt64(b)
    h = h &* 0x0000_0100_0000_01B3
  }
  return h
}
