/// Puts the query's numbers into a match's translation (OmegaT's "auto
/// number substitution", but by value and in the target language's format).
///
/// When the stored source and the query differ only in numbers, each number
/// of the source whose value changed is found *by value* in the translation
/// (`1,5` in Russian is `1.5` in English, `70 000` is `70,000`) and
/// replaced by the query's value written the way the translation writes
/// numbers: decimal mark, digit grouping, and the ordinal suffix re-formed
/// (az `1918-ci` → `1919-cu`, en `1st` → `2nd`; ru `-го` is kept).
public enum NumberSubstitution {
  /// The translation with numbers replaced, or nil when it cannot be done
  /// safely (different counts, a value missing from the translation).
  public static func substitute(
    query: String, queryLanguage: Language, source: String, sourceLanguage: Language,
    target: String, targetLanguage: Language
  ) -> String? {
    // Inline-code tags (`<b1>`) are masked: their digits are no numbers.
    let q = Numbers.find(in: InlineTags.masked(query), language: queryLanguage)
    let s = Numbers.find(in: InlineTags.masked(source), language: sourceLanguage)
    guard q.count == s.count, !q.isEmpty else { return nil }
    let t = Numbers.find(in: InlineTags.masked(target), language: targetLanguage)
    var used = Set<Int>()
    var edits: [(Range<Int>, String)] = []
    for (qm, sm) in zip(q, s) where qm.value != sm.value {
      guard let j = t.indices.first(where: { !used.contains($0) && t[$0].value == sm.value }) else { return nil }
      used.insert(j)
      let tm = t[j]
      let number = format(qm.value, like: String(tm.text), language: targetLanguage, queryText: String(qm.text))
      let suffix = ordinalSuffix(for: qm.value, replacing: String(tm.suffix), language: targetLanguage)
      let end = tm.utf8Range.upperBound + tm.suffix.utf8.count
      edits.append((tm.utf8Range.lowerBound..<end, number + suffix))
    }
    if edits.isEmpty { return nil }
    var bytes = Array(target.utf8)
    for (r, s) in edits.sorted(by: { $0.0.lowerBound > $1.0.lowerBound }) {
      bytes.replaceSubrange(r, with: Array(s.utf8))
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// `value` written like `original` (its grouping separator) in the
  /// language's decimal format.
  public static func format(_ value: Double, like original: String, language: Language, queryText: String = "")
    -> String
  {
    let decimal: Character = language == .en ? "." : ","
    // The digit-group separator the translation already uses, if any.
    var group: String? = nil
    for ch in original where !ch.isNumber && ch != decimal {
      group = String(ch)
      break
    }
    let negative = value < 0
    let v = abs(value)
    var intDigits: String
    var frac = ""
    if v == v.rounded(), v < 1e15 {
      intDigits = String(Int64(v))
    } else {
      let s = String(v)
      if s.contains("e") { return queryText.isEmpty ? s : queryText }
      let parts = s.split(separator: ".")
      intDigits = String(parts[0])
      frac = parts.count > 1 ? String(parts[1]) : ""
    }
    // Five digits and more are grouped (with the translation's separator,
    // else the language's); four only when the replaced number was a
    // grouped four-digit one too (`5,120` yes, a year `2024` never).
    let originalDigits = original.prefix { $0 != decimal }.filter(\.isNumber).count
    let sep: String?
    if intDigits.count >= 5 {
      sep = group ?? (language == .en ? "," : " ")
    } else if intDigits.count == 4 && originalDigits == 4 {
      sep = group
    } else {
      sep = nil
    }
    if let sep, intDigits.count > 3 {
      var out = ""
      for (i, d) in intDigits.enumerated() {
        if i > 0 && (intDigits.count - i) % 3 == 0 { out += sep }
        out.append(d)
      }
      intDigits = out
    }
    return (negative ? "-" : "") + intDigits + (frac.isEmpty ? "" : String(decimal) + frac)
  }

  /// The ordinal suffix for `value` in the form `old` had: Azerbaijani
  /// suffixes follow vowel harmony with the last spoken word of the number
  /// (`1-ci`, `3-cü`, `6-cı`, `9-cu`, `10-cu`, `40-cı`, `100-cü`), English
  /// ones the last digits (`1st`, `12th`, `22nd`); others are kept.
  public static func ordinalSuffix(for value: Double, replacing old: String, language: Language) -> String {
    guard !old.isEmpty, value == value.rounded(), value >= 0, value < 1e15 else { return old }
    let n = Int64(value)
    let hyphen = old.hasPrefix("-") ? "-" : ""
    let body = hyphen.isEmpty ? old : String(old.dropFirst())
    switch language {
    case .az, .azCyrl:
      let latin = ["ci", "cı", "cu", "cü"], cyr = ["ҹи", "ҹы", "ҹу", "ҹү"]
      let forms = language == .az ? latin : cyr
      guard let _ = forms.firstIndex(of: body.lowercased()) else { return old }
      return hyphen + forms[azHarmony(n)]
    case .en:
      guard ["st", "nd", "rd", "th"].contains(body.lowercased()) else { return old }
      let s: String
      if (11...13).contains(n % 100) {
        s = "th"
      } else {
        switch n % 10 {
        case 1: s = "st"
        case 2: s = "nd"
        case 3: s = "rd"
        default: s = "th"
        }
      }
      return hyphen + s
    case .ru:
      return old
    }
  }

  /// 0 = i/e vowels (-ci), 1 = ı/a (-cı), 2 = o/u (-cu), 3 = ö/ü (-cü).
  static func azHarmony(_ n: Int64) -> Int {
    if n == 0 { return 0 }  // sıfır → -cı? "sıfırıncı": back unrounded
    let units = n % 10
    if units != 0 {
      // bir iki üç dörd beş altı yeddi səkkiz doqquz
      return [0, 0, 0, 3, 3, 0, 1, 0, 0, 2][Int(units)]
    }
    let tens = (n / 10) % 10
    if tens != 0 {
      // on iyirmi otuz qırx əlli altmış yetmiş səksən doxsan
      return [0, 2, 0, 2, 1, 0, 1, 0, 0, 1][Int(tens)]
    }
    if (n / 100) % 10 != 0 { return 3 }  // yüz
    if (n / 1000) % 1000 != 0 { return 0 }  // min
    if (n / 1_000_000) % 1000 != 0 { return 2 }  // milyon
    return 1  // milyard
  }
}
