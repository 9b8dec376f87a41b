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
    let turkic = language?.hasTurkicCasing ?? false
    if let k = asciiMatchKey(turkic: turkic) { return k }
    var key = nfkcCaseFolded(turkic: turkic)
    // The bytes ’ ʼ ‘ ё start with or contain (a superset, checked below).
    guard key.utf8.contains(where: { $0 == 0xE2 || $0 == 0xCA || $0 == 0x91 }) else { return key }
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

  /// The match key of an ASCII string: NFKC leaves it as it is and full case
  /// folding only lowers A–Z, except Turkic `I` (→ `ı`, not ASCII: nil).
  func asciiMatchKey(turkic: Bool) -> String? {
    var needsLowering = false
    for b in utf8 {
      if b >= 0x80 || (turkic && b == 0x49) { return nil }
      if b >= 0x41 && b <= 0x5A { needsLowering = true }
    }
    guard needsLowering else { return self }
    let n = utf8.count
    return String(unsafeUninitializedCapacity: n) { buf in
      var i = 0
      for b in utf8 {
        buf[i] = (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b
        i += 1
      }
      return n
    }
  }

  /// `normalized(.nfkc).caseFolded(for:)` with one UTF-16 conversion when the
  /// text is already NFKC (NFKC text is NFC, so folding needs no second
  /// normalisation).
  func nfkcCaseFolded(turkic: Bool) -> String {
    let t: Int32 = turkic ? 1 : 0
    let src = ICU.utf16(self)
    var st: Int32 = 0
    let base: [UInt16]
    if tmicu_is_normalized(NormalizationForm.nfkc.rawValue, src, Int32(src.count), &st) == 1, st <= 0 {
      base = src
    } else {
      base = ICU.utf16(self.normalized(.nfkc))
    }
    return ICU.mapUTF16(base, expansion: 3) { s, n, d, c, status in
      tmicu_fold_case(s, n, t, d, c, &status)
    }
  }
}
