import CICUShim

/// Unicode normalisation forms, through ICU.
public enum NormalizationForm: Int32, Sendable {
  case nfc = 0
  case nfd = 1
  case nfkc = 2
  case nfkd = 3
  /// NFKC followed by full (not Turkic-aware) case folding.
  case nfkcCasefold = 4
}

extension String {
  /// This string in the given normalisation form (ICU `unorm2`).
  public func normalized(_ form: NormalizationForm) -> String {
    if utf8.allSatisfy({ $0 < 0x80 }) && form != .nfkcCasefold { return self }
    let src = ICU.utf16(self)
    var st: Int32 = 0
    if form != .nfkcCasefold, tmicu_is_normalized(form.rawValue, src, Int32(src.count), &st) == 1, st <= 0 {
      return self
    }
    return ICU.mapUTF16(src, expansion: 3) { s, n, d, c, status in
      tmicu_normalize(form.rawValue, s, n, d, c, &status)
    }
  }

  /// NFC: the form memories store.
  public var nfc: String { normalized(.nfc) }
}
