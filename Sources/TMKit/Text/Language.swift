/// A language (and, for Azerbaijani, script) that `tm` knows.
///
/// Tags follow BCP 47: `az` is Azerbaijani in Latin script (the official
/// script since 1991), `az-Cyrl` Azerbaijani in Cyrillic, `ru`, `en`.
public enum Language: String, CaseIterable, Sendable, Hashable, Codable, CustomStringConvertible {
  case az
  case azCyrl = "az-Cyrl"
  case ru
  case en

  /// The BCP-47 tag written in memories and accepted on the command line.
  public var tag: String { rawValue }
  public var description: String { rawValue }

  /// Parses a tag leniently: case-insensitive, `_` or `-`, region and the
  /// default script dropped (`az-Latn`, `az_AZ`, `AZ-latn-az` → `az`;
  /// `az-Cyrl-AZ` → `az-Cyrl`; `ru-RU` → `ru`; `en-GB` → `en`).
  public init?(tag: String) {
    let parts = tag.lowercased().split(whereSeparator: { $0 == "-" || $0 == "_" })
    guard let first = parts.first else { return nil }
    switch first {
    case "az", "aze", "azj", "azb":
      self = parts.dropFirst().contains("cyrl") ? .azCyrl : .az
    case "ru", "rus": self = .ru
    case "en", "eng": self = .en
    default: return nil
    }
  }

  /// The ICU locale for case mapping and break iteration.
  public var icuLocale: String {
    switch self {
    case .az, .azCyrl: return "az"
    case .ru: return "ru"
    case .en: return "en"
    }
  }

  /// Azerbaijani (like Turkish) maps I↔ı and İ↔i.
  public var hasTurkicCasing: Bool { self == .az || self == .azCyrl }

  /// The written script.
  public var isCyrillic: Bool { self == .ru || self == .azCyrl }

  /// The language without script distinction (`az-Cyrl` → `az`).
  public var base: String { self == .azCyrl ? "az" : rawValue }

  /// Human name, for messages.
  public var name: String {
    switch self {
    case .az: return "Azerbaijani (Latin)"
    case .azCyrl: return "Azerbaijani (Cyrillic)"
    case .ru: return "Russian"
    case .en: return "English"
    }
  }

  /// Parses a tag or throws a usage error that lists the known tags.
  public static func parse(_ tag: String) throws -> Language {
    guard let l = Language(tag: tag) else {
      throw TMError(
        .usage, "unknown language '\(tag)'",
        hint: "use one of: " + Language.allCases.map(\.tag).joined(separator: ", "))
    }
    return l
  }
}
