import Foundation
import TMKit

/// What `tm_entries` and `tm_tokens` hold for a unit, computed by TMKit's
/// `LookupKeys` (the same calls the lookup index builder makes), so the
/// database finds candidates by the same keys and tokens as the TSV index.
struct EntryKeys {
  /// The index sections, as in `LookupIndex`: both scripts of Azerbaijani share az.
  static let sections: [Language] = [.az, .ru, .en]

  struct Entry {
    var section: Int
    var length: Int
    var exactHash: Int64
    var skelHash: Int64
    /// Distinct posting keys: hash(section, token, length).
    var postingKeys: [Int32]
    /// Distinct document-frequency keys: hash(section, token).
    var tokenKeys: [Int32]
    /// The distinct tokens themselves (the section's vocabulary, `tm_words`)
    /// and their hashes (`tokenHash`), in the order of `tokenKeys`.
    var words: [String]
    var wordHashes: [UInt64]
  }

  static let sectionSeeds: [UInt64] = (0..<3).map { fnv1a64([UInt8(0x53), UInt8($0)]) }

  /// The text a section indexes: for az the Latin text when there is one,
  /// else the Cyrillic (the rule of `LookupIndexBuilder`); nil when the unit
  /// has none.
  static func source(of u: TranslationUnit, section: Language) -> (Language, String)? {
    let candidates: [Language] = section == .az ? [.az, .azCyrl] : [section]
    for l in candidates { if let t = u.texts[l], !t.isEmpty { return (l, t) } }
    return nil
  }

  static func tokenHash(_ s: Int, _ token: String) -> UInt64 { fnv1a64(token.utf8, seed: sectionSeeds[s]) }

  static func tokenKey(_ h: UInt64) -> Int32 { Int32(truncatingIfNeeded: h ^ (h >> 32)) }

  static func postingKey(_ h: UInt64, length: Int) -> Int32 {
    // FNV-1a of the two length bytes seeded by the token's hash, inline
    // (the same value as `fnv1a64([low, high], seed: h)`, without an array
    // per token).
    let l = UInt16(clamping: length)
    var m = (h ^ UInt64(l & 0xFF)) &* 0x0000_0100_0000_01B3
    m = (m ^ UInt64(l >> 8)) &* 0x0000_0100_0000_01B3
    return Int32(truncatingIfNeeded: m ^ (m >> 32))
  }

  static func exactHash(_ s: Int, _ text: String) -> Int64 { Int64(bitPattern: fnv1a64(text.utf8, seed: sectionSeeds[s])) }

  static func entries(of u: TranslationUnit, keys: LookupKeys) -> [Entry] {
    var out: [Entry] = []
    for (s, section) in sections.enumerated() {
      guard let (lang, text) = source(of: u, section: section) else { continue }
      let key = keys.key(text, language: lang)
      let toks = keys.tokens(ofKey: key, language: lang)
      let skel = LookupKeys.skeleton(key: key, tokens: toks, language: lang)
      // Distinct tokens by their 64-bit hash (what the keys are made of):
      // no String hashing with its Unicode normalisation per token.
      var seen = Set<UInt64>()
      seen.reserveCapacity(toks.count)
      var pk: [Int32] = []
      var tk: [Int32] = []
      var words: [String] = []
      var wh: [UInt64] = []
      for t in toks {
        let h = tokenHash(s, t.text)
        guard seen.insert(h).inserted else { continue }
        pk.append(postingKey(h, length: toks.count))
        tk.append(tokenKey(h))
        words.append(t.text)
        wh.append(h)
      }
      out.append(
        Entry(
          section: s, length: toks.count, exactHash: exactHash(s, text.nfc),
          skelHash: Int64(bitPattern: fnv1a64(skel.utf8, seed: sectionSeeds[s])), postingKeys: pk, tokenKeys: tk,
          words: words, wordHashes: wh))
    }
    return out
  }
}

/// COPY text format: `\N` is NULL; backslash, tab, newline and CR escaped.
enum CopyText {
  static func append(_ s: String?, to out: inout [UInt8]) {
    guard var s else {
      out.append(0x5C)
      out.append(0x4E)
      return
    }
    // The runs between the bytes to escape go in whole (most texts have
    // none): one copy instead of an append per byte.
    s.withUTF8 { b in
      var start = 0
      for i in 0..<b.count {
        let c = b[i]
        guard c == 0x5C || c == 0x09 || c == 0x0A || c == 0x0D else { continue }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: b[start..<i]))
        out.append(0x5C)
        out.append(c == 0x5C ? 0x5C : c == 0x09 ? 0x74 : c == 0x0A ? 0x6E : 0x72)
        start = i + 1
      }
      out.append(contentsOf: UnsafeBufferPointer(rebasing: b[start..<b.count]))
    }
  }

  /// Whether `s` holds a NUL byte (memchr over its UTF-8).
  static func containsNUL(_ s: String) -> Bool {
    var s = s
    return s.withUTF8 { b in b.baseAddress.map { memchr($0, 0, b.count) != nil } ?? false }
  }

  static func intArray(_ a: [Int32]) -> String { "{" + a.map(String.init).joined(separator: ",") + "}" }
}
