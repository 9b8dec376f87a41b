/// The comparison forms lookup works on, one definition shared by the index
/// builder and the query side so both always agree.
///
/// A segment is compared through its *key*: NFKC, case folded by the
/// language's rules (`matchKey(for:)`), and, for Azerbaijani in Cyrillic,
/// transliterated to Latin first (ICU `Azerbaijani-Latin/BGN`), so that both
/// scripts of Azerbaijani share one token space: `Әлијева` and `Əliyeva`
/// give the same tokens. Tokens are ICU word-break words and numbers
/// (punctuation and spaces are not counted by the fuzzy score, as in
/// OmegaT).
///
/// Not thread-safe (it holds ICU objects); make one per thread.
public final class LookupKeys {
  private var tokenizers: [Language: Tokenizer] = [:]
  private var azLatin: ICUTransform?
  private var crossKey: CrossScriptKey?
  /// Reused by the index builder for each segment's token ranges.
  var scratchRanges: [TokenRange] = []
  /// The bytes of the last ``key(utf8:language:)``.
  private var keyBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1024)
  private var keyCapacity = 1024
  private let folding = ScalarFolding.shared

  public init() {}

  deinit { keyBuffer.deallocate() }

  /// ``key(_:language:)`` of a segment given as its UTF-8 bytes, without a
  /// `String` on the way, for the text nearly every segment of a memory
  /// is: no inline tag or accelerator mark to take out (no `<`, `_` or
  /// `&`), no TSV escape (`\`), not Azerbaijani Cyrillic, every scalar in
  /// ``ScalarFolding``'s table. nil for any other text (then the `String`
  /// path decides). The bytes are valid until the next call.
  func key(utf8 text: UnsafeBufferPointer<UInt8>, language: Language) -> UnsafeBufferPointer<UInt8>? {
    guard language != .azCyrl else { return nil }
    let need = text.count * folding.growth + 16
    if need > keyCapacity {
      keyBuffer.deallocate()
      keyCapacity = max(need, keyCapacity * 2)
      keyBuffer = .allocate(capacity: keyCapacity)
    }
    let variant = ScalarFolding.variant(LookupKeys.keyLanguage(language))
    guard let n = folding.matchKey(text, variant: variant, into: keyBuffer) else { return nil }
    return UnsafeBufferPointer(start: keyBuffer, count: n)
  }

  /// The index section a column language belongs to: both scripts of
  /// Azerbaijani share one.
  public static func section(of language: Language) -> Language {
    language == .azCyrl ? .az : language
  }

  /// The case and spelling rules a column's key uses.
  static func keyLanguage(_ language: Language) -> Language { section(of: language) }

  /// The tokenizers by section (az, ru, en), looked up without hashing
  /// (the index builder asks for one per segment).
  private var tokenizerOfSection: [Tokenizer?] = [nil, nil, nil]

  private func tokenizer(_ language: Language) throws -> Tokenizer {
    let l = LookupKeys.section(of: language)
    let slot: Int
    switch l {
    case .az, .azCyrl: slot = 0
    case .ru: slot = 1
    case .en: slot = 2
    }
    if let t = tokenizerOfSection[slot] { return t }
    let t = try tokenizers[l] ?? Tokenizer(language: l)
    tokenizers[l] = t
    tokenizerOfSection[slot] = t
    return t
  }

  /// Reused by the index builder for each segment's word hashes.
  var scratchHashes: [UInt64] = []

  /// Azerbaijani Cyrillic → Latin (ICU BGN), the text unchanged otherwise.
  public func latinised(_ text: String, language: Language) -> String {
    guard language == .azCyrl else { return text }
    if azLatin == nil { azLatin = try? ICUTransform(id: "Azerbaijani-Latin/BGN") }
    return azLatin?.apply(text.nfc) ?? text
  }

  /// The match key of a whole segment. Accelerator marks (`_File`,
  /// `&File`, `E&xit`) are left out, so the word is whole.
  public func key(_ text: String, language: Language) -> String {
    latinised(LookupKeys.withoutAccelerators(InlineTags.stripped(text)), language: language).matchKey(
      for: LookupKeys.keyLanguage(language))
  }

  /// `text` without its accelerator marks (see ``MarkupScanner``).
  public static func withoutAccelerators(_ text: String) -> String {
    let marks =
      text.utf8.withContiguousStorageIfAvailable { $0.contains { $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "&") } }
      ?? text.utf8.contains { $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "&") }
    guard marks else { return text }
    let bytes = Array(text.utf8)
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    var last = 0
    for piece in MarkupScanner.scan(bytes) {
      if case .mnemonic(let at) = piece {
        out += bytes[last..<at]
        last = at + 1
      }
    }
    if last == 0 { return text }
    out += bytes[last...]
    return String(decoding: out, as: UTF8.self)
  }

  /// A token of a key: its text and whether it is a number.
  public struct KeyToken: Sendable, Hashable {
    public var text: String
    public var isNumber: Bool
    /// UTF-8 range in the key it was taken from.
    public var utf8Range: Range<Int>
  }

  /// Word and number tokens of an already computed key.
  public func tokens(ofKey key: String, language: Language) -> [KeyToken] {
    guard let t = try? tokenizer(language) else { return [] }
    var key = key
    return key.withUTF8 { k -> [KeyToken] in
      guard let base = k.baseAddress else { return [] }
      var out: [KeyToken] = []
      t.forEachWordOrNumber(utf8: base, count: k.count) { s, e, number in
        out.append(
          KeyToken(
            text: String(decoding: UnsafeBufferPointer(rebasing: k[s..<e]), as: UTF8.self), isNumber: number,
            utf8Range: s..<e))
      }
      return out
    }
  }

  /// A word or number token of a key as a UTF-8 byte range in it: what
  /// ``tokens(ofKey:language:)`` gives, without a `String` for each.
  struct TokenRange {
    var start: Int
    var end: Int
    var isNumber: Bool
  }

  /// The tokens of ``tokens(ofKey:language:)`` for the UTF-8 bytes of a
  /// key, as byte ranges into them (`out` is emptied first).
  func tokenRanges(ofKey key: UnsafeBufferPointer<UInt8>, language: Language, into out: inout [TokenRange]) {
    out.removeAll(keepingCapacity: true)
    guard let t = try? tokenizer(language), let base = key.baseAddress else { return }
    t.forEachWordOrNumber(utf8: base, count: key.count) { s, e, number in
      out.append(TokenRange(start: s, end: e, isNumber: number))
    }
  }

  /// Word and number tokens of a segment's key.
  public func tokens(_ text: String, language: Language) -> [KeyToken] {
    tokens(ofKey: key(text, language: language), language: language)
  }

  /// The "skeleton" two segments share when they differ only in case,
  /// whitespace, punctuation or numbers: the folded words in order (an
  /// ordinal suffix such as `-ci`/`-cü` or `-го` counts as part of its
  /// number), and how many numbers there are. `key` is the text `tokens`
  /// were taken from.
  public static func skeleton(key: String, tokens: [KeyToken], language: Language) -> String {
    let numbers = Numbers.find(in: key, language: keyLanguage(language))
    let suffixes = numbers.map { $0.utf8Range.upperBound..<($0.utf8Range.upperBound + $0.suffix.utf8.count) }
    var s = ""
    for w in tokens where !w.isNumber {
      if suffixes.contains(where: { $0.contains(w.utf8Range.lowerBound) }) { continue }
      s += w.text
      s += "\u{1F}"
    }
    return s + "#\(numbers.count)"
  }

  /// UTF-8 ranges of the ordinal suffixes of the numbers in `text`.
  public static func numberSuffixes(_ text: String, language: Language) -> [Range<Int>] {
    Numbers.find(in: text, language: language).map {
      $0.utf8Range.upperBound..<($0.utf8Range.upperBound + $0.suffix.utf8.count)
    }
  }

  /// A token of the original text, for showing and comparing it.
  public struct SurfaceToken: Sendable {
    public var text: Substring
    public var kind: Token.Kind
    public var utf8Range: Range<Int>
    /// Its key (the same form the index uses), for word and number tokens.
    public var key: String
  }

  /// The tokens of the stored (or query) text, each with its own key.
  public func surfaceTokens(_ text: String, language: Language) -> [SurfaceToken] {
    guard let t = try? tokenizer(language) else { return [] }
    return t.tokens(text, includeSpaces: true).map { tok in
      let k = (tok.kind == .word || tok.kind == .number) ? key(String(tok.text), language: language) : String(tok.text)
      return SurfaceToken(text: tok.text, kind: tok.kind, utf8Range: tok.utf8Range, key: k)
    }
  }

  /// The cross-script key of one word (`Алиева`, `Aliyeva`, `Əliyeva` →
  /// `alieva`), for concordance across scripts.
  public func crossScript(_ word: String, language: Language) -> String {
    if crossKey == nil { crossKey = try? CrossScriptKey() }
    return crossKey?.key(word, language: LookupKeys.keyLanguage(language)) ?? word
  }
}

/// FNV-1a, 64 bits: a hash that is the same in every process (Swift's
/// `Hasher` is seeded per run, so it cannot be persisted).
public func fnv1a64<S: Sequence>(_ bytes: S, seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 where S.Element == UInt8 {
  // Contiguous bytes (a native string's UTF-8, an array): one tight loop.
  if let h = bytes.withContiguousStorageIfAvailable({ fnv1a64(buffer: $0, seed: seed) }) { return h }
  var h = seed
  for b in bytes {
    h ^= UInt64(b)
    h = h &* 0x0000_0100_0000_01B3
  }
  return h
}

/// FNV-1a over a buffer (the same value as the generic one).
@inline(__always)
func fnv1a64(buffer: UnsafeBufferPointer<UInt8>, seed: UInt64) -> UInt64 {
  var h = seed
  for b in buffer {
    h ^= UInt64(b)
    h = h &* 0x0000_0100_0000_01B3
  }
  return h
}

extension LookupKeys {
  /// `fnv1a64(skeleton(key:tokens:language:).utf8)`, hashed as it goes
  /// instead of building the string.
  public static func skeletonHash(key: String, tokens: [KeyToken], language: Language) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    @inline(__always) func mix(_ b: UInt8) {
      h ^= UInt64(b)
      h = h &* 0x0000_0100_0000_01B3
    }
    let numbers = Numbers.find(in: key, language: keyLanguage(language))
    var suffixes: [Range<Int>] = []
    if !numbers.isEmpty {
      suffixes = numbers.map { $0.utf8Range.upperBound..<($0.utf8Range.upperBound + $0.suffix.utf8.count) }
    }
    for w in tokens where !w.isNumber {
      if !suffixes.isEmpty, suffixes.contains(where: { $0.contains(w.utf8Range.lowerBound) }) { continue }
      h = fnv1a64(w.text.utf8, seed: h)
      mix(0x1F)
    }
    mix(UInt8(ascii: "#"))
    return fnv1a64(String(numbers.count).utf8, seed: h)
  }
}

extension LookupKeys {
  /// ``skeletonHash(key:tokens:language:)`` of a key given as its UTF-8
  /// bytes and its ``tokenRanges(ofKey:language:into:)`` (the language only
  /// changes the numbers' values, which the skeleton does not use).
  static func skeletonHash(key: UnsafeBufferPointer<UInt8>, tokens: [TokenRange]) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    @inline(__always) func mix(_ b: UInt8) {
      h ^= UInt64(b)
      h = h &* 0x0000_0100_0000_01B3
    }
    var count = 0
    // Ordinal suffixes (`-ci`, `-го`) as (start, end); few per segment.
    var suffixes: [(Int, Int)] = []
    Numbers.forEachSpan(utf8: key) { _, end, suffixEnd in
      count += 1
      if suffixEnd > end { suffixes.append((end, suffixEnd)) }
    }
    for w in tokens where !w.isNumber {
      if !suffixes.isEmpty, suffixes.contains(where: { w.start >= $0.0 && w.start < $0.1 }) { continue }
      h = fnv1a64(buffer: UnsafeBufferPointer(rebasing: key[w.start..<w.end]), seed: h)
      mix(0x1F)
    }
    mix(UInt8(ascii: "#"))
    return fnv1a64(String(count).utf8, seed: h)
  }
}

// MARK: Scoring tokens

/// A token of the fuzzy score (see ``LookupKeys/scoreTokens(_:language:)``).
public struct ScoreToken: Sendable, Hashable {
  public enum Kind: UInt8, Sendable, Hashable {
    /// A word, compared by its key (folded, az Cyrillic in Latin).
    case word
    /// A number (digits with their own separators).
    case number
    /// A format placeholder or markup, kept as written: `%s`, `%1$d`,
    /// `%(name)s`, `%1`, `{name}`, `{0}`, `${HOME}`, Weblate's `[X6X]`, `<b>`,
    /// `&amp;`.
    case placeholder
    /// An accelerator (mnemonic) mark, `_File` or `&File`: one token of its
    /// own, whatever the toolkit's character.
    case mnemonic
    /// One punctuation mark or symbol.
    case punctuation
  }

  public var kind: Kind
  public var key: String

  public init(_ kind: Kind, _ key: String) {
    self.kind = kind
    self.key = key
  }
}

/// Finds format placeholders, markup and accelerator marks in UI strings
/// (gettext, Qt, KDE, GNOME, Python, .NET, Weblate), on UTF-8 bytes.
enum MarkupScanner {
  enum Piece: Equatable {
    /// Plain text, tokenised by ICU word break.
    case text(Range<Int>)
    case placeholder(Range<Int>)
    /// The byte offset of an accelerator mark (`_` or `&`, one byte).
    case mnemonic(Int)
  }

  static func isASCIILetter(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
  static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
  /// A letter or digit, counting every non-ASCII byte as a letter.
  static func isWordByte(_ c: UInt8) -> Bool { isASCIILetter(c) || isDigit(c) || c >= 0x80 }

  static let conversions = Set("diouxXeEfFgGaAcspn@".utf8)

  /// The end of a printf/Qt/Python placeholder starting with `%` at `i`.
  static func percent(_ b: [UInt8], _ i: Int) -> Int? {
    var j = i + 1
    let n = b.count
    guard j < n else { return nil }
    if b[j] == UInt8(ascii: "(") || b[j] == UInt8(ascii: "{") {
      // %(name)s (Python), %{name} (Ruby, some C#)
      let close = b[j] == UInt8(ascii: "(") ? UInt8(ascii: ")") : UInt8(ascii: "}")
      var k = j + 1
      while k < n, k - j <= 40, b[k] != close, b[k] != 0x20 { k += 1 }
      guard k < n, b[k] == close, k > j + 1 else { return nil }
      if close == UInt8(ascii: "}") { return k + 1 }
      j = k + 1
    } else if isDigit(b[j]) {
      var k = j
      while k < n, isDigit(b[k]) { k += 1 }
      if k < n, b[k] == UInt8(ascii: "$") {
        j = k + 1  // %1$s
      } else if k < n, conversions.contains(b[k]), !(k + 1 < n && isASCIILetter(b[k + 1])) {
        return k + 1  // %5d
      } else {
        return k  // %1 (Qt, KDE)
      }
    }
    // flags, width, precision, length, conversion
    while j < n, "-+#0'".utf8.contains(b[j]) { j += 1 }
    while j < n, isDigit(b[j]) || b[j] == UInt8(ascii: "*") { j += 1 }
    if j < n, b[j] == UInt8(ascii: ".") {
      j += 1
      while j < n, isDigit(b[j]) || b[j] == UInt8(ascii: "*") { j += 1 }
    }
    while j < n, "hlLqjzt".utf8.contains(b[j]) { j += 1 }
    guard j < n, conversions.contains(b[j]) else { return nil }
    return j + 1
  }

  /// The end of `{}`, `{0}`, `{name}`, `{0:.2f}` at `i`.
  static func brace(_ b: [UInt8], _ i: Int) -> Int? {
    var k = i + 1
    while k < b.count, k - i <= 41 {
      let c = b[k]
      if c == UInt8(ascii: "}") { return k + 1 }
      guard isASCIILetter(c) || isDigit(c) || "_.:,!#-".utf8.contains(c) else { return nil }
      k += 1
    }
    return nil
  }

  /// `${NAME}`, `$NAME` (capitals), `$1`.
  static func dollar(_ b: [UInt8], _ i: Int) -> Int? {
    var k = i + 1
    let n = b.count
    guard k < n else { return nil }
    if b[k] == UInt8(ascii: "{") {
      k += 1
      while k < n, isASCIILetter(b[k]) || isDigit(b[k]) || b[k] == UInt8(ascii: "_") { k += 1 }
      return k < n && b[k] == UInt8(ascii: "}") && k > i + 2 ? k + 1 : nil
    }
    let upper: (UInt8) -> Bool = { ($0 >= 0x41 && $0 <= 0x5A) || $0 == UInt8(ascii: "_") }
    if isDigit(b[k]) {
      while k < n, isDigit(b[k]) { k += 1 }
      return k
    }
    guard upper(b[k]) else { return nil }
    while k < n, upper(b[k]) || isDigit(b[k]) { k += 1 }
    // A capitalised word ($Foo) is not a variable.
    if k < n, isASCIILetter(b[k]) { return nil }
    return k
  }

  /// Weblate's `[X6X]` or a markup tag `<b>`, `</a>`, `<a href="…">`.
  static func bracket(_ b: [UInt8], _ i: Int) -> Int? {
    let n = b.count
    if b[i] == UInt8(ascii: "[") {
      var k = i + 1
      guard k < n, b[k] == UInt8(ascii: "X") else { return nil }
      k += 1
      let d = k
      while k < n, isDigit(b[k]) { k += 1 }
      guard k > d, k + 1 < n, b[k] == UInt8(ascii: "X"), b[k + 1] == UInt8(ascii: "]") else { return nil }
      return k + 2
    }
    var k = i + 1
    if k < n, b[k] == UInt8(ascii: "/") { k += 1 }
    guard k < n, isASCIILetter(b[k]) else { return nil }
    while k < n, k - i <= 200, b[k] != UInt8(ascii: ">"), b[k] != UInt8(ascii: "<"), b[k] != 0x0A { k += 1 }
    return k < n && b[k] == UInt8(ascii: ">") ? k + 1 : nil
  }

  /// `&amp;`, `&#38;`.
  static func entity(_ b: [UInt8], _ i: Int) -> Int? {
    var k = i + 1
    if k < b.count, b[k] == UInt8(ascii: "#") { k += 1 }
    let s = k
    while k < b.count, k - s < 10, isASCIILetter(b[k]) || isDigit(b[k]) { k += 1 }
    return k > s && k < b.count && b[k] == UInt8(ascii: ";") ? k + 1 : nil
  }

  /// GNOME's `Or_ganization`, `R_esolution`: the only `_` of the text,
  /// inside a capitalised word, before a small letter (`max_connections`,
  /// `LC_ALL` and `a_b_c` are identifiers).
  static func midWordMnemonic(_ b: [UInt8], _ i: Int) -> Bool {
    guard i > 0, i + 1 < b.count, isWordByte(b[i - 1]), !isDigit(b[i - 1]) else { return false }
    let after = b[i + 1]
    guard (after >= 0x61 && after <= 0x7A) || after >= 0x80 else { return false }
    guard b.lazy.filter({ $0 == UInt8(ascii: "_") }).count == 1 else { return false }
    var s = i - 1
    while s > 0, isWordByte(b[s - 1]) { s -= 1 }
    return (b[s] >= 0x41 && b[s] <= 0x5A) || b[s] >= 0xC0
  }

  static func scan(_ b: [UInt8]) -> [Piece] {
    var out: [Piece] = []
    var textStart = 0
    var i = 0
    let n = b.count
    func flush(_ to: Int) {
      if to > textStart { out.append(.text(textStart..<to)) }
    }
    while i < n {
      let c = b[i]
      var end: Int? = nil
      switch c {
      case UInt8(ascii: "%"):
        if i + 1 < n, b[i + 1] == UInt8(ascii: "%") {
          i += 2
          continue
        }
        end = percent(b, i)
      case UInt8(ascii: "{"):
        if i + 1 < n, b[i + 1] == UInt8(ascii: "{") {
          i += 2
          continue
        }
        end = brace(b, i)
      case UInt8(ascii: "$"): end = dollar(b, i)
      case UInt8(ascii: "["), UInt8(ascii: "<"): end = bracket(b, i)
      case UInt8(ascii: "&"):
        if i + 1 < n, b[i + 1] == UInt8(ascii: "&") {
          i += 2  // && is a literal ampersand
          continue
        }
        end = entity(b, i)
        if end == nil, i + 1 < n, isWordByte(b[i + 1]) {
          flush(i)
          out.append(.mnemonic(i))
          i += 1
          textStart = i
          continue
        }
      case UInt8(ascii: "_"):
        let before = i == 0 ? 0x20 : b[i - 1]
        if (i + 1 < n && isWordByte(b[i + 1]) && !isWordByte(before) && before != UInt8(ascii: "_"))
          || midWordMnemonic(b, i)
        {
          flush(i)
          out.append(.mnemonic(i))
          i += 1
          textStart = i
          continue
        }
      default: break
      }
      if let e = end {
        flush(i)
        out.append(.placeholder(i..<e))
        i = e
        textStart = i
      } else {
        i += 1
      }
    }
    flush(n)
    return out
  }
}

extension LookupKeys {
  /// The tokens the fuzzy score compares: words and numbers by their key,
  /// placeholders and markup as written, accelerator marks as one token,
  /// and each punctuation mark (spaces are not tokens).
  ///
  /// `_File`, `&File` and `Fi&le` give a mnemonic token and the word `file`;
  /// `%1$d`, `%(count)s`, `{name}`, `[X6X]` stay one token each instead of
  /// being split into `1`, `d` or `count`, `s` by word break.
  public func scoreTokens(_ text: String, language: Language) -> [ScoreToken] {
    guard let tk = try? tokenizer(language) else { return [] }
    // NFKC first: `…` is `...`, full-width forms are plain.
    let bytes = Array(text.normalized(.nfkc).utf8)
    var out: [ScoreToken] = []
    var run: [UInt8] = []
    var runMarks: [Int] = []  // offsets in `run` before which a mnemonic stood
    func flushRun() {
      guard !run.isEmpty || !runMarks.isEmpty else { return }
      let s = String(decoding: run, as: UTF8.self)
      var marks = runMarks[...]
      var lastPunctuationEnd = -1
      for tok in tk.tokens(s) {
        while let m = marks.first, m < tok.utf8Range.upperBound {
          out.append(ScoreToken(.mnemonic, "&"))
          marks = marks.dropFirst()
          lastPunctuationEnd = -1
        }
        switch tok.kind {
        case .word: out.append(ScoreToken(.word, key(String(tok.text), language: language)))
        case .number: out.append(ScoreToken(.number, String(tok.text)))
        case .punctuation:
          // Adjacent marks are one token: `...`, `?!`, `):`.
          if tok.utf8Range.lowerBound == lastPunctuationEnd, let last = out.last, last.kind == .punctuation {
            out[out.count - 1].key += tok.text
          } else {
            out.append(ScoreToken(.punctuation, String(tok.text)))
          }
          lastPunctuationEnd = tok.utf8Range.upperBound
        case .space: break
        }
      }
      for _ in marks { out.append(ScoreToken(.mnemonic, "&")) }
      run.removeAll(keepingCapacity: true)
      runMarks.removeAll(keepingCapacity: true)
    }
    for piece in MarkupScanner.scan(bytes) {
      switch piece {
      case .text(let r):
        run += bytes[r]
      case .mnemonic:
        runMarks.append(run.count)
      case .placeholder(let r):
        flushRun()
        out.append(ScoreToken(.placeholder, String(decoding: bytes[r], as: UTF8.self)))
      }
    }
    flushRun()
    return out
  }
}
