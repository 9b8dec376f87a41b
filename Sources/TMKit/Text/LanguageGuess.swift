/// Guesses which of our languages a text is in, from its script and the
/// letters only one language uses: ə ğ ı ş ç ö ü İ (az Latin); ә ҹ ҝ һ ј ө ү ғ
/// (az Cyrillic); ы э ъ щ (Russian). Used by `tm align` (whole documents)
/// and `tm lookup` (short queries), which both say on stderr what was guessed.
public enum LanguageGuess {
  public struct Result: Sendable, Equatable {
    public var language: Language
    /// Why: which letters decided it, for the message on stderr.
    public var reason: String
  }

  /// The guess, or nil when the text has no Latin or Cyrillic letters.
  /// `available` breaks ties toward a language some memory actually has:
  /// a short Cyrillic query with no telling letters is Russian unless only
  /// az-Cyrl (or az) is searchable, and so on. Only the first `sample`
  /// scalars are read.
  public static func guess(
    _ text: String, available: [Language] = Language.allCases, sample: Int = 200_000
  ) -> Result? {
    var latin = 0
    var cyrillic = 0
    var az = 0
    var azWeak = 0
    var azCyrl = 0
    var ru = 0
    var seen = 0
    for u in text.unicodeScalars {
      seen += 1
      if seen > sample { break }
      let v = u.value
      guard u.properties.isAlphabetic else { continue }
      if (0x41...0x5A).contains(v) || (0x61...0x7A).contains(v) || (0xC0...0x24F).contains(v) || v == 0x259
        || v == 0x18F
      {
        latin += 1
      } else if (0x400...0x52F).contains(v) {
        cyrillic += 1
      }
      switch u {
      case "ə", "Ə", "ğ", "Ğ", "ı", "ş", "Ş", "ç", "Ç", "ö", "Ö", "ü", "Ü", "İ": az += 1
      case "q", "Q", "x", "X": azWeak += 1
      case "ә", "Ә", "ҹ", "Ҹ", "ҝ", "Ҝ", "һ", "Һ", "ј", "Ј", "ө", "Ө", "ү", "Ү", "ғ", "Ғ": azCyrl += 1
      case "ы", "Ы", "э", "Э", "ъ", "Ъ", "щ", "Щ": ru += 1
      default: break
      }
    }
    func pick(_ preferred: [Language]) -> Language {
      preferred.first(where: available.contains) ?? preferred[0]
    }
    if latin + cyrillic == 0 { return nil }
    if cyrillic >= latin {
      if azCyrl > 0 && azCyrl * 4 >= ru {
        return Result(
          language: pick([.azCyrl, .az, .ru]), reason: "Cyrillic with Azerbaijani letters (ә ҹ ҝ һ ј …): \(azCyrl)")
      }
      return Result(
        language: pick([.ru, .azCyrl, .az]),
        reason: "Cyrillic" + (ru > 0 ? " with Russian letters (ы э ъ щ): \(ru)" : ""))
    }
    if az > 0 && az * 200 >= latin {
      return Result(language: pick([.az, .en]), reason: "Latin with Azerbaijani letters (ə ğ ı ş ç ö ü): \(az)")
    }
    if azWeak > 0 && !available.contains(.en) {
      return Result(language: pick([.az, .en]), reason: "Latin with q or x, and no English memory")
    }
    return Result(language: pick([.en, .az]), reason: "Latin without Azerbaijani letters")
  }

  /// The guessed language, falling back to the first available one (or
  /// English) for text without letters.
  public static func language(of text: String, available: [Language] = Language.allCases) -> Language {
    guess(text, available: available)?.language ?? available.first ?? .en
  }
}
