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
  private let toLatin: ICUTransform

  public init() throws {
    toLatin = try ICUTransform(rules: CrossScriptKey.rules, name: "cross-script-key")
  }

  /// The key of one word (or a short phrase; spaces are kept).
  public func key(_ word: some StringProtocol, language: Language?) -> String {
    let folded = String(word).caseFolded(for: language)
    let latin = toLatin.apply(folded)
    return CrossScriptKey.squeeze(latin)
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
