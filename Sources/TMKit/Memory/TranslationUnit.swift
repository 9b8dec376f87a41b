/// One translation unit: the same content in two or three languages, plus
/// where it came from.
///
/// Texts are stored in NFC; an absent language is simply not in `texts`.
public struct TranslationUnit: Sendable, Hashable {
  /// The text in each language the unit has (NFC, may contain tabs and
  /// newlines: the TSV codec escapes them).
  public var texts: [Language: String]
  /// Where the unit came from: `file.txt#12` (segment index), `tmx:file.tmx`,
  /// `po:file.po`, `add`, `align:src.txt#3-4|tgt.txt#5`...
  public var origin: String
  /// When it was created: ISO 8601 UTC, `2026-11-25T20:09:04Z`.
  public var created: String
  /// Alignment confidence in [0, 1], or nil for units not made by `tm align`.
  public var score: Double?
  /// The unit's inline codes (Documentation/MemoryFormat.md, "Inline
  /// codes"): empty for a unit of plain text; otherwise the codes its texts
  /// hold as tags (`<b1>…</b1>`, `<fn2/>`), space-separated, each name
  /// optionally with its native markup (`b1=<b>|</b>`). Only the tags it
  /// names are codes; anything else in the text is text. See `UnitCodes`.
  public var codes: String = ""

  public init(
    texts: [Language: String], origin: String = "", created: String = "", score: Double? = nil, codes: String = ""
  ) {
    self.texts = texts
    self.origin = origin
    self.created = created
    self.score = score
    self.codes = codes
  }

  public subscript(language: Language) -> String? {
    get { texts[language] }
    set { texts[language] = newValue }
  }
}
