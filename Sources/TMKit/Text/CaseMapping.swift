import CICUShim

extension String {
  /// Full case folding for comparison, with Azerbaijani rules for `az` and
  /// `az-Cyrl` (`I`→`ı`, `İ`→`i`). The text is put in NFC first, so a
  /// decomposed `I`+U+0307 folds to `i` in Azerbaijani.
  public func caseFolded(for language: Language?) -> String {
    let turkic: Int32 = (language?.hasTurkicCasing ?? false) ? 1 : 0
    let composed = self.nfc
    return ICU.mapUTF16(composed, expansion: 3) { s, n, d, c, status in
      tmicu_fold_case(s, n, turkic, d, c, &status)
    }
  }

  /// Lower case by the language's rules (never the process locale).
  public func lowercased(for language: Language) -> String { changeCase(0, language) }
  /// Upper case by the language's rules (`i`→`İ` in Azerbaijani).
  public func uppercased(for language: Language) -> String { changeCase(1, language) }
  /// Title case by the language's rules.
  public func titlecased(for language: Language) -> String { changeCase(2, language) }

  private func changeCase(_ kind: Int32, _ language: Language) -> String {
    let composed = self.nfc
    let locale = language.icuLocale
    return ICU.mapUTF16(composed, expansion: 3) { s, n, d, c, status in
      tmicu_change_case(kind, locale, s, n, d, c, &status)
    }
  }

  /// The key two texts are compared by: NFKC, then case folding by the
  /// language's rules, then a few equivalences a translator never wants to
  /// distinguish when searching: the apostrophes `’ʼ‘` → `'`, and in
  /// Russian `ё` → `е`.
  public func matchKey(for language: Language?) -> String {
    var key = self.normalized(.nfkc).caseFolded(for: language)
    if key.unicodeScalars.contains(where: { $0 == "\u{2019}" || $0 == "\u{02BC}" || $0 == "\u{2018}" || $0 == "ё" }) {
      var scalars = String.UnicodeScalarView()
      for u in key.unicodeScalars {
        switch u {
        case "\u{2019}", "\u{02BC}", "\u{2018}": scalars.append("'")
        case "ё" where language == .ru || language == nil: scalars.append("е")
        default: scalars.append(u)
        }
      }
      key = String(scalars)
    }
    return key
  }
}
