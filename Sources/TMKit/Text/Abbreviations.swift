/// The no-break data of sentence segmentation for one language: abbreviations
/// with the context in which each may end a sentence, heading words and
/// typical sentence starters.
///
/// Read from `Resources/abbreviations/<tag>.txt` and from user files in the
/// same format; `Resources/abbreviations/README.md` documents it.
public struct AbbreviationList: Sendable {
  /// When a full stop after an abbreviation may be a sentence boundary.
  public enum Kind: String, Sendable, CaseIterable {
    /// Never: titles and address words before a name (`проф.`, `Dr.`, `küç.`).
    case nobreak
    /// Before a capitalised word (never before a digit): `т.д.`, `etc.`, `və s.`.
    case end
    /// Like `end` after a number or another abbreviation (`1918 г.`,
    /// `5 тыс. руб.`), else like `nobreak` (`г. Москва`).
    case unit
    /// Only before one of the language's sentence starters (`U.S. The`).
    case weak
    /// Like `unit` after a number or another abbreviation (`11 in.`); after
    /// a word it is that word, not an abbreviation, and the full stop ends the
    /// sentence as any other (`allowed back in. A police officer`).
    case numeric
  }

  public let language: Language
  /// Abbreviation (spaces removed, every case variant) → kind.
  public private(set) var entries: [String: Kind] = [:]
  /// Spellings given explicitly (a case variant never replaces one).
  private var explicit: Set<String> = []
  /// Words that open a numbered heading (`Статья 5.`).
  public private(set) var headings: Set<String> = []
  /// Words that typically start a sentence.
  public private(set) var starters: Set<String> = []
  /// Capitalised words that continue a sentence after an abbreviation
  /// (`5 p.m. Monday`, `10 a.m. ET`): no boundary before them.
  public private(set) var continuations: Set<String> = []
  /// Words after which a single letter is the name of a letter, a grade or
  /// a class, not an initial (`grade A.`, `the letter u.`, `группу B.`): the
  /// full stop after it may end the sentence.
  public private(set) var letterWords: Set<String> = []
  /// Words after which an `end` abbreviation is attributive and never ends
  /// the sentence (`the D.C. Circuit`, `The N.C. Supreme Court`).
  public private(set) var determiners: Set<String> = []
  /// The largest number of space-separated parts an entry can have in text.
  public private(set) var maxParts = 1

  /// An empty list.
  public init(language: Language) {
    self.language = language
  }

  /// The list that ships with the package for `language`, plus, as a
  /// fallback, the lists of the languages written in the other script
  /// (Russian and Cyrillic Azerbaijani for `az` and `en`; English and Latin
  /// Azerbaijani for `ru` and `az-Cyrl`): quoted names and titles in another
  /// script are common (`Qəbulda проф. Иванов …`), and entries of another
  /// script can never match this language's own words.
  public static func bundled(_ language: Language) throws -> AbbreviationList {
    var list = try own(language)
    let others: [Language] = language.isCyrillic || language == .azCyrl ? [.en, .az] : [.ru, .azCyrl]
    for other in others { list.mergeAsFallback(try own(other)) }
    return list
  }

  /// Only the package's own file for `language`.
  static func own(_ language: Language) throws -> AbbreviationList {
    let name = "abbreviations/\(language.tag).txt"
    var list = AbbreviationList(language: language)
    try list.add(PackageResources.text(name), source: name)
    return list
  }

  /// Adds what `other` has and this list has not.
  mutating func mergeAsFallback(_ other: AbbreviationList) {
    for (k, v) in other.entries where entries[k] == nil { entries[k] = v }
    headings.formUnion(other.headings)
    starters.formUnion(other.starters)
    letterWords.formUnion(other.letterWords)
    determiners.formUnion(other.determiners)
    maxParts = max(maxParts, other.maxParts)
  }

  /// Adds the entries of a user file (`--abbreviations FILE`).
  public mutating func add(file path: String, encoding: String? = nil) throws {
    try add(TextDecoder.read(path: path, encoding: encoding), source: path)
  }

  /// The kind of an abbreviation as written in text (spaces removed).
  public func kind(of abbreviation: String) -> Kind? { entries[abbreviation] }

  /// Parses `text` (the documented format) and adds its entries; later
  /// entries replace earlier ones. `source` names it in error messages.
  public mutating func add(_ text: String, source: String) throws {
    var anyCase = true
    var lineNumber = 0
    for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
      lineNumber += 1
      let line = rawLine.trimmingWhitespace()
      if line.isEmpty || line.hasPrefix("#") { continue }
      let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
      if line.hasPrefix("@") {
        let values = fields.dropFirst()
        switch fields[0] {
        case "@case":
          guard values.count == 1, let v = values.first, v == "any" || v == "exact" else {
            throw TMError(
              .invalidInput, "'@case' takes one value, 'any' or 'exact'", file: source, line: lineNumber)
          }
          anyCase = v == "any"
        case "@headings":
          for w in values { headings.formUnion(variants(w, anyCase: true)) }
        case "@starters":
          for w in values { starters.formUnion(variants(w, anyCase: false)) }
        case "@continuations":
          for w in values { continuations.formUnion(variants(w, anyCase: false)) }
        case "@letters":
          for w in values { letterWords.formUnion(variants(w, anyCase: true)) }
        case "@determiners":
          for w in values { determiners.formUnion(variants(w, anyCase: true)) }
        default:
          throw TMError(
            .invalidInput, "unknown directive '\(fields[0])'", file: source, line: lineNumber,
            hint: "use @case, @headings, @starters, @continuations, @letters or @determiners, or start a comment with #")
        }
        continue
      }
      var kind = Kind.nobreak
      var parts = fields
      if parts.count >= 2, let last = parts.last {
        if let k = Kind(rawValue: last) {
          kind = k
          parts.removeLast()
        } else if !last.contains(".") {
          throw TMError(
            .invalidInput, "unknown kind '\(last)' for the abbreviation '\(parts.dropLast().joined(separator: " "))'",
            file: source, line: lineNumber, hint: "use nobreak, end, unit, weak or numeric (see abbreviations/README.md)")
        }
      }
      let key = parts.joined().nfc
      guard !key.isEmpty else { continue }
      let dots = key.reduce(0) { $0 + ($1 == "." ? 1 : 0) }
      maxParts = min(4, max(maxParts, dots + parts.count - 1, parts.count))
      entries[key] = kind
      explicit.insert(key)
      for v in variants(key, anyCase: anyCase) where !explicit.contains(v) {
        entries[v] = kind
      }
    }
  }

  /// Adds every entry, heading and starter of `other` (which wins on conflicts).
  public mutating func merge(_ other: AbbreviationList) {
    for (k, v) in other.entries where other.explicit.contains(k) || !explicit.contains(k) {
      entries[k] = v
    }
    explicit.formUnion(other.explicit)
    headings.formUnion(other.headings)
    starters.formUnion(other.starters)
    letterWords.formUnion(other.letterWords)
    determiners.formUnion(other.determiners)
    maxParts = max(maxParts, other.maxParts)
  }

  /// The spellings an entry matches: as written and UPPER case, plus lower
  /// case and a capital first letter with `anyCase`, in the language's case rules.
  private func variants(_ s: String, anyCase: Bool) -> Set<String> {
    var out: Set<String> = [s, s.uppercased(for: language)]
    if anyCase {
      let lower = s.lowercased(for: language)
      out.insert(lower)
      if let first = lower.first {
        out.insert(String(first).uppercased(for: language) + lower.dropFirst())
      }
    }
    return out
  }
}

extension Substring {
  /// Without leading and trailing spaces, tabs and CR.
  func trimmingWhitespace() -> String {
    let scalars = unicodeScalars
    guard let a = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
      let b = scalars.lastIndex(where: { !$0.properties.isWhitespace })
    else { return "" }
    return String(scalars[a...b])
  }
}
