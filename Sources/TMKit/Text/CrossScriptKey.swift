/// A rough phonetic key that makes the same name written in az Latin, az
/// Cyrillic, Russian and English compare equal: `Алиева`, `Aliyeva`,
/// `Əliyeva` → `alieva`; `Гянджа`, `Gəncə`, `Ganja` → `ganja`;
/// `Шемаха`, `Şamaxı` → `shemaha`, `shamahi` (close, not equal: compare
/// keys by edit distance where vowels may differ).
///
/// It is a matching aid (alignment evidence, concordance across scripts),
/// never shown to users and never stored. Steps: fold case by the language's
/// rules; Cyrillic → Latin with one table that covers Russian and
/// Azerbaijani letters; Azerbaijani Latin letters → their usual English/
/// Russian-passport spelling; then drop what the spellings disagree on
/// (`y` after a consonant or `i` before a vowel, doubled letters).
public final class CrossScriptKey {
  /// Compiled on first need: most words take `plainLatin` (compiling the
  /// rules costs milliseconds, as much as indexing a few appended units).
  private var toLatin: ICUTransform?

  public init() throws {}

  /// The key of one word (or a short phrase; spaces are kept).
  public func key(_ word: some StringProtocol, language: Language?) -> String {
    let folded = String(word).caseFolded(for: language)
    if let latin = CrossScriptKey.plainLatin(folded) { return CrossScriptKey.squeeze(latin) }
    if toLatin == nil { toLatin = try? ICUTransform(rules: CrossScriptKey.rules, name: "cross-script-key") }
    guard let toLatin else { return folded }
    let latin = toLatin.apply(folded)
    return CrossScriptKey.squeeze(latin)
  }

  /// The rules' first block for one letter (the Cyrillic and Azerbaijani
  /// letters they name), as the rules write it.
  static let singles: [Unicode.Scalar: String] = {
    var m: [Unicode.Scalar: String] = [:]
    let pairs = "а a б b в v г g ғ g д d е e ё e ж zh з z и i й y ј y к k ҝ g л l м m н n о o ө o п p р r с s т t у u ү u ф f х h һ h ц ts ч ch ҹ j ш sh щ shch ы i э e ю yu я ya ә a і i ї i є e ў u ə a ı i ö o ü u ğ g ş sh ç ch c j q g x h"
    let f = pairs.split(separator: " ")
    for k in stride(from: 0, to: f.count - 1, by: 2) { m[f[k].unicodeScalars.first!] = String(f[k + 1]) }
    m["ъ"] = ""
    m["ь"] = ""
    return m
  }()

  /// What the rules make of `folded` (NFC, case folded) when it is made of
  /// ASCII and the letters of `singles` only, without ICU: their first block
  /// applied left to right, first rule first (`дж`, `кс` before their
  /// letters; `dzh`, `zh`, `kh` on Latin input, never on what a rule wrote),
  /// then `Latin-ASCII` (nothing to do: all of it is ASCII by then), then
  /// every non-letter dropped. Nil for any other scalar.
  static func plainLatin(_ folded: String) -> String? {
    let u = Array(folded.unicodeScalars)
    var out = ""
    var i = 0
    func at(_ k: Int) -> Unicode.Scalar? { k < u.count ? u[k] : nil }
    while i < u.count {
      let c = u[i]
      if c == "д" && at(i + 1) == "ж" { out += "j"; i += 2; continue }
      if c == "к" && at(i + 1) == "с" { out += "x"; i += 2; continue }
      if let m = singles[c] { out += m; i += 1; continue }
      guard c.isASCII else { return nil }
      if c == "d" && at(i + 1) == "z" && at(i + 2) == "h" { out += "j"; i += 3; continue }
      if c == "z" && at(i + 1) == "h" { out += "j"; i += 2; continue }
      if c == "k" && at(i + 1) == "h" { out += "h"; i += 2; continue }
      // Other ASCII letters stay; other ASCII characters are not letters.
      if (c.value | 0x20) >= 0x61 && (c.value | 0x20) <= 0x7A { out.unicodeScalars.append(c) }
      i += 1
    }
    return out
  }

  static func squeeze(_ s: String) -> String {
    let vowels: Set<UInt8> = [0x61, 0x65, 0x69, 0x6F, 0x75]  // a e i o u
    var out: [UInt8] = []
    let b = Array(s.utf8)
    for (i, c) in b.enumerated() {
      if c == 0x79 {  // y
        let prev = out.last
        let next = i + 1 < b.count ? b[i + 1] : nil
        let prevIsConsonant = prev.map { !vowels.contains($0) && $0 >= 0x61 && $0 <= 0x7A } ?? false
        if let next, vowels.contains(next), prevIsConsonant || prev == 0x69 { continue }
        if next == nil, prev == 0x69 { continue }  // -iy ending: Dmitriy ~ Dmitri
      }
      if let last = out.last, last == c, c >= 0x61 && c <= 0x7A { continue }
      out.append(c)
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// ICU rules: any of our scripts → a plain Latin skeleton.
  static let rules = #"""
    :: NFC ;
    # Russian dzh = Azerbaijani c = English j
    дж > j ;
    кс > x ;
    а > a ; б > b ; в > v ; г > g ; ғ > g ; д > d ; е > e ; ё > e ; ж > zh ; з > z ;
    и > i ; й > y ; ј > y ; к > k ; ҝ > g ; л > l ; м > m ; н > n ; о > o ; ө > o ;
    п > p ; р > r ; с > s ; т > t ; у > u ; ү > u ; ф > f ; х > h ; һ > h ; ц > ts ;
    ч > ch ; ҹ > j ; ш > sh ; щ > shch ; ъ > ; ы > i ; ь > ; э > e ; ю > yu ; я > ya ;
    ә > a ; і > i ; ї > i ; є > e ; ў > u ;
    # Azerbaijani Latin letters → their common romanisation; x, kh, h are one
    # sound class (Xankəndi ~ Ханкенди, Hüseyn ~ Гусейн is beyond a key)
    ə > a ; ı > i ; ö > o ; ü > u ; ğ > g ; ş > sh ; ç > ch ; c > j ; q > g ; x > h ;
    # English/ICAO spellings of the same sounds
    dzh > j ; zh > j ; kh > h ;
    :: Latin-ASCII ;
    [:^L:] > ;
    """#
}
