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
    let key = ScalarFolding.shared.key(self, turkic: turkic) ?? nfkcCaseFolded(turkic: turkic)
    // ’ ʼ ‘ → ' and (Russian) ё → е, on the UTF-8 bytes: ’ is E2 80 99,
    // ‘ E2 80 98, ʼ CA BC, ё D1 91, е D0 B5. A lead byte never occurs
    // inside another scalar, so a match is always a whole scalar.
    let yo = language == .ru || language == nil
    var utf8 = key
    return utf8.withUTF8 { b -> String in
      let n = b.count
      var i = 0
      while i < n {
        let c = b[i]
        if c == 0xE2 || c == 0xCA || c == 0xD1 { break }
        i += 1
      }
      if i == n { return key }
      var out = [UInt8]()
      out.reserveCapacity(n)
      out += b[0..<i]
      var changed = false
      while i < n {
        let c = b[i]
        if c == 0xE2, i + 2 < n, b[i + 1] == 0x80, b[i + 2] == 0x99 || b[i + 2] == 0x98 {
          out.append(0x27)
          i += 3
          changed = true
        } else if c == 0xCA, i + 1 < n, b[i + 1] == 0xBC {
          out.append(0x27)
          i += 2
          changed = true
        } else if yo, c == 0xD1, i + 1 < n, b[i + 1] == 0x91 {
          out.append(0xD0)
          out.append(0xB5)
          i += 2
          changed = true
        } else {
          out.append(c)
          i += 1
        }
      }
      return changed ? String(decoding: out, as: UTF8.self) : key
    }
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

/// `nfkcCaseFolded(turkic:)` of text in the scripts memories hold (Latin,
/// IPA letters such as `ə`, Greek, Cyrillic: U+0000–U+052F; general
/// punctuation and letterlike symbols such as `“”—№`: U+2000–U+21FF), one
/// scalar at a time from a table ICU filled in once, with no UTF-16 round
/// trip.
///
/// Why it is the same key: a scalar is in the table only when its
/// combining class is 0 and so is that of every scalar of its NFKC form;
/// then nothing composes or reorders across two table scalars (a test
/// checks every pair), so the NFKC of a text of table scalars is the NFKC
/// of each scalar in turn. Full case folding has no context: folding the
/// text is folding each piece. Any other scalar sends the text to ICU
/// (`nil`).
final class ScalarFolding: Sendable {
  static let shared = ScalarFolding()
  static let limit: UInt32 = 0x530
  static let punctuation: ClosedRange<UInt32> = 0x2000...0x21FF
  static let size = Int(limit) + punctuation.count

  /// Per scalar, the (start, length) of its key's UTF-8 in `pool`;
  /// length 255: not in the table. Two halves: not Turkic, Turkic.
  private let entries: [UInt32]
  private let pool: [UInt8]

  /// The table position of scalar `v`, nil outside the table's ranges.
  @inline(__always) static func slot(_ v: UInt32) -> Int? {
    if v < limit { return Int(v) }
    if punctuation.contains(v) { return Int(limit) + Int(v - punctuation.lowerBound) }
    return nil
  }

  private init() {
    var entries = [UInt32](repeating: 255, count: 2 * ScalarFolding.size)
    var pool: [UInt8] = []
    var matchEntries = [UInt32](repeating: 255, count: 4 * ScalarFolding.size)
    var matchPool: [UInt8] = []
    var growth = 1
    for v in Array(0..<ScalarFolding.limit) + Array(ScalarFolding.punctuation) {
      guard let u = Unicode.Scalar(v), u.properties.canonicalCombiningClass.rawValue == 0,
        let slot = ScalarFolding.slot(v)
      else { continue }
      let nfkc = String(Character(u)).normalized(.nfkc)
      guard !nfkc.isEmpty, nfkc.unicodeScalars.allSatisfy({ $0.properties.canonicalCombiningClass.rawValue == 0 })
      else { continue }
      for t in 0..<2 {
        let folded = ICU.mapUTF16(nfkc, expansion: 3) { p, n, d, c, status in
          tmicu_fold_case(p, n, Int32(t), d, c, &status)
        }
        let bytes = Array(folded.utf8)
        guard bytes.count < 255, !bytes.isEmpty else { continue }
        entries[t * ScalarFolding.size + slot] = UInt32(pool.count) << 8 | UInt32(bytes.count)
        pool += bytes
        // The match key's equivalences, scalar by scalar (what
        // `matchKey(for:)` does to the folded text): ’ ‘ ʼ → ', and ё → е.
        for yo in 0..<2 {
          var m = ""
          for x in folded.unicodeScalars {
            switch x.value {
            case 0x2019, 0x2018, 0x02BC: m.unicodeScalars.append("'")
            case 0x0451 where yo == 1: m.unicodeScalars.append("\u{0435}")
            default: m.unicodeScalars.append(x)
            }
          }
          let mb = Array(m.utf8)
          matchEntries[(t | yo << 1) * ScalarFolding.size + slot] = UInt32(matchPool.count) << 8 | UInt32(mb.count)
          matchPool += mb
          growth = max(growth, (mb.count + String(u).utf8.count - 1) / String(u).utf8.count)
        }
      }
    }
    self.entries = entries
    self.pool = pool
    self.matchEntries = matchEntries
    self.matchPool = matchPool
    self.growth = growth
    // ASCII: the match key's byte, 0xFF when it is not one byte (Turkic
    // `I` → `ı`), 0xFE for the bytes that send a segment's key to the
    // `String` path (`\` escapes, `<` tags, `_` `&` accelerator marks).
    var ascii = [UInt8](repeating: 0xFF, count: 4 * 128)
    for variant in 0..<4 {
      for c in 0..<128 {
        let e = matchEntries[variant * ScalarFolding.size + c]
        if e & 0xFF == 1 { ascii[variant * 128 + c] = matchPool[Int(e >> 8)] }
      }
      for c in [0x5C, 0x3C, 0x5F, 0x26] { ascii[variant * 128 + c] = 0xFE }
    }
    self.asciiMatch = ascii
  }

  /// Per scalar slot, (start, length) of its match key's UTF-8 in
  /// `matchPool` (the folded form with `matchKey(for:)`'s equivalences) in
  /// four variants: Turkic casing (bit 0), `ё` → `е` (bit 1).
  private let matchEntries: [UInt32]
  private let matchPool: [UInt8]
  private let asciiMatch: [UInt8]
  /// The most UTF-8 bytes a match key has per byte of its scalar.
  let growth: Int

  /// The variant of the match-key tables for `language` (what
  /// `matchKey(for:)` applies: Turkic casing, Russian `ё` → `е`).
  static func variant(_ language: Language?) -> Int {
    ((language?.hasTurkicCasing ?? false) ? 1 : 0) | ((language == .ru || language == nil) ? 2 : 0)
  }

  /// `matchKey(for:)` of the UTF-8 text `b` (NFC or not) into `out`, which
  /// has room for `growth × b.count` bytes: its length, or nil when a
  /// scalar is outside the table or the text holds a byte the index's key
  /// treats first (`\`, `<`, `_`, `&`: see ``LookupKeys/key(utf8:language:)``).
  func matchKey(_ b: UnsafeBufferPointer<UInt8>, variant: Int, into out: UnsafeMutablePointer<UInt8>) -> Int? {
    matchEntries.withUnsafeBufferPointer { entries in
      matchPool.withUnsafeBufferPointer { pool in
        asciiMatch.withUnsafeBufferPointer { ascii in
          Self.matchKey(
            b, entries: UnsafeBufferPointer(rebasing: entries[(variant * ScalarFolding.size)...]), pool: pool,
            ascii: UnsafeBufferPointer(rebasing: ascii[(variant * 128)..<(variant * 128 + 128)]), into: out)
        }
      }
    }
  }

  private static func matchKey(
    _ b: UnsafeBufferPointer<UInt8>, entries: UnsafeBufferPointer<UInt32>, pool: UnsafeBufferPointer<UInt8>,
    ascii: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<UInt8>
  ) -> Int? {
    let limit = ScalarFolding.limit, punctuation = ScalarFolding.punctuation
    let n = b.count
    var o = 0
    var i = 0
    while i < n {
      let c = b[i]
      let slot: Int
      if c < 0x80 {
        let m = ascii[Int(c)]
        if m < 0xFE {
          out[o] = m
          o += 1
          i += 1
          continue
        }
        if m == 0xFE { return nil }
        slot = Int(c)
        i += 1
      } else {
        guard let (s, width) = Self.tableSlot(c, b, i, limit: limit, punctuation: punctuation) else { return nil }
        slot = s
        i += width
      }
      let e = entries[slot]
      let len = Int(e & 0xFF)
      if len == 255 { return nil }
      let start = Int(e >> 8)
      for k in 0..<len { out[o + k] = pool[start + k] }
      o += len
    }
    return o
  }

  /// The table slot of the non-ASCII character starting with byte `c` at
  /// `i` (two-byte scalars below `limit`, three-byte ones in `punctuation`)
  /// and its width in bytes; nil when it is outside the table. Shared by
  /// the byte path and the `String` path of the key.
  @inline(__always)
  private static func tableSlot(
    _ c: UInt8, _ b: UnsafeBufferPointer<UInt8>, _ i: Int, limit: UInt32, punctuation: ClosedRange<UInt32>
  ) -> (Int, Int)? {
    let n = b.count
    if c >= 0xC2 && c < 0xE0 && i + 1 < n {
      let v = Int(c & 0x1F) << 6 | Int(b[i + 1] & 0x3F)
      return v < Int(limit) ? (v, 2) : nil
    }
    if c == 0xE2 && i + 2 < n {
      let v = UInt32(c & 0x0F) << 12 | UInt32(b[i + 1] & 0x3F) << 6 | UInt32(b[i + 2] & 0x3F)
      return punctuation.contains(v) ? (Int(limit) + Int(v - punctuation.lowerBound), 3) : nil
    }
    return nil
  }

  /// Whether scalar `v` is in the table (its key is computed here).
  func covers(_ v: UInt32) -> Bool {
    guard let s = ScalarFolding.slot(v) else { return false }
    return entries[s] & 0xFF != 255 && entries[ScalarFolding.size + s] & 0xFF != 255
  }

  /// The key, or nil when a scalar is outside the table.
  func key(_ text: String, turkic: Bool) -> String? {
    var text = text
    let half = turkic ? ScalarFolding.size : 0
    // The tables as plain buffers: reading a class's array property in the
    // loop retained and released it on every scalar.
    return entries.withUnsafeBufferPointer { entries in
      pool.withUnsafeBufferPointer { pool in
        text.withUTF8 { b in Self.key(b, entries: entries, pool: pool, half: half) }
      }
    }
  }

  private static func key(
    _ b: UnsafeBufferPointer<UInt8>, entries: UnsafeBufferPointer<UInt32>, pool: UnsafeBufferPointer<UInt8>, half: Int
  ) -> String? {
    // Hoisted: a static `let` read in the loop is a `swift_once` check each time.
    let limit = ScalarFolding.limit, punctuation = ScalarFolding.punctuation
    let n = b.count
    var out = [UInt8]()
    out.reserveCapacity(n + 8)
    var i = 0
    while i < n {
      let c = b[i]
      let slot: Int
      if c < 0x80 {
        slot = Int(c)
        i += 1
      } else {
        guard let (s, width) = Self.tableSlot(c, b, i, limit: limit, punctuation: punctuation) else { return nil }
        slot = s
        i += width
      }
      let e = entries[half + slot]
      let len = Int(e & 0xFF)
      if len == 255 { return nil }
      let start = Int(e >> 8)
      for k in start..<(start + len) { out.append(pool[k]) }
    }
    return String(decoding: out, as: UTF8.self)
  }
}
