/// A number found in text, with its value parsed by the language's rules.
public struct NumberMention: Sendable, Hashable {
  /// The value: `70 000`, `70,000` and `70.000` (az/ru) are all 70000;
  /// `1,5` (az/ru) and `1.5` (en) are 1.5.
  public var value: Double
  /// The number as written, suffix excluded (`1918` in `1918-ci`).
  public var text: Substring
  /// An ordinal or case suffix written after it: `-ci`, `-cı`, `-го`, `th`.
  public var suffix: Substring
  /// UTF-8 byte range of `text` in the searched string.
  public var utf8Range: Range<Int>
}

/// Finds numbers in text and reads their values per language.
///
/// Separators between digit groups: `.` `,` space, NBSP (U+00A0), narrow
/// NBSP (U+202F), apostrophe. A separator followed by exactly three digits
/// is a thousands separator unless it is the language's decimal mark used
/// once (`1,500` is 1.5 in Russian, 1500 in English); when two different
/// separators occur, the last one is the decimal mark (`1 000,5`,
/// `1,000.5`, `1.000,5`).
public enum Numbers {
  public static func find(in text: String, language: Language?) -> [NumberMention] {
    // No digit, no number (most words and many segments).
    if let noDigit = text.utf8.withContiguousStorageIfAvailable({ !$0.contains { $0 >= 0x30 && $0 <= 0x39 } }),
      noDigit
    {
      return []
    }
    var out: [NumberMention] = []
    let u8 = Array(text.utf8)
    var i = 0
    func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    // Separator at i: returns its byte length, or 0.
    func separator(at i: Int) -> Int {
      guard i < u8.count else { return 0 }
      switch u8[i] {
      case 0x2E, 0x2C, 0x20, 0x27: return 1
      case 0xC2 where i + 1 < u8.count && u8[i + 1] == 0xA0: return 2
      case 0xE2 where i + 2 < u8.count && u8[i + 1] == 0x80 && u8[i + 2] == 0xAF: return 3
      default: return 0
      }
    }
    while i < u8.count {
      guard isDigit(u8[i]), i == 0 || !(isLetterByte(u8, before: i)) else {
        i += 1
        continue
      }
      let start = i
      var groups: [String] = []
      var seps: [UInt8] = []  // first byte of each separator (0x20 for any space kind)
      var g = i
      while g < u8.count && isDigit(u8[g]) { g += 1 }
      groups.append(String(decoding: u8[i..<g], as: UTF8.self))
      var end = g
      while true {
        let sl = separator(at: end)
        guard sl > 0, end + sl < u8.count, isDigit(u8[end + sl]) else { break }
        let sep: UInt8 = (sl > 1 || u8[end] == 0x20) ? 0x20 : u8[end]
        var e = end + sl
        let gs = e
        while e < u8.count && isDigit(u8[e]) { e += 1 }
        // Spaces and apostrophes only group thousands: a space before a group
        // that is not three digits ends the number ("в 5 10 раз" is two).
        if (sep == 0x20 || sep == 0x27) && e - gs != 3 { break }
        groups.append(String(decoding: u8[gs..<e], as: UTF8.self))
        seps.append(sep)
        end = e
      }
      let value = interpret(groups: groups, seps: seps, language: language)
      // Suffix: "-ci", "-го", "th", "-е".
      var sEnd = end
      var sStart = end
      if sEnd < u8.count && (u8[sEnd] == 0x2D || isLetterByte(u8, at: sEnd)) {
        if u8[sEnd] == 0x2D { sEnd += 1 }
        let lettersStart = sEnd
        while sEnd < u8.count, isLetterByte(u8, at: sEnd) {
          sEnd += utf8Length(u8[sEnd])
        }
        if sEnd - lettersStart > 0 && sEnd - lettersStart <= 8 { sStart = end } else { sEnd = end; sStart = end }
      }
      let lo = text.utf8.index(text.utf8.startIndex, offsetBy: start)
      let hi = text.utf8.index(text.utf8.startIndex, offsetBy: end)
      let shi = text.utf8.index(text.utf8.startIndex, offsetBy: sEnd)
      if let value {
        out.append(NumberMention(value: value, text: text[lo..<hi], suffix: text[hi..<shi], utf8Range: start..<end))
      }
      _ = sStart
      i = max(sEnd, end)
    }
    return out
  }

  /// Where the numbers `find` finds in the UTF-8 bytes `u8` are, without
  /// reading their values (which is most of `find`'s cost):
  /// `body(start, end, suffixEnd)` for each, `start..<end` being its
  /// `utf8Range` and `end..<suffixEnd` its suffix. The same numbers in the
  /// same order as `find`, for any language: a run of digit groups always
  /// has a value, so `find` drops none of them.
  static func forEachSpan(utf8 u8: UnsafeBufferPointer<UInt8>, _ body: (Int, Int, Int) -> Void) {
    let n = u8.count
    var i = 0
    // No digit, no number.
    while i < n, !(u8[i] >= 0x30 && u8[i] <= 0x39) { i += 1 }
    if i == n { return }
    @inline(__always) func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    @inline(__always) func isLetter(at i: Int) -> Bool {
      let c = u8[i]
      if (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) { return true }
      return c >= 0xC3 && c <= 0xD4
    }
    @inline(__always) func isLetter(before i: Int) -> Bool {
      var j = i - 1
      while j > 0 && u8[j] & 0xC0 == 0x80 { j -= 1 }
      return isLetter(at: j)
    }
    @inline(__always) func separator(at i: Int) -> Int {
      guard i < n else { return 0 }
      switch u8[i] {
      case 0x2E, 0x2C, 0x20, 0x27: return 1
      case 0xC2 where i + 1 < n && u8[i + 1] == 0xA0: return 2
      case 0xE2 where i + 2 < n && u8[i + 1] == 0x80 && u8[i + 2] == 0xAF: return 3
      default: return 0
      }
    }
    while i < n {
      guard isDigit(u8[i]), i == 0 || !isLetter(before: i) else {
        i += 1
        continue
      }
      let start = i
      var end = i
      while end < n && isDigit(u8[end]) { end += 1 }
      while true {
        let sl = separator(at: end)
        guard sl > 0, end + sl < n, isDigit(u8[end + sl]) else { break }
        let sep: UInt8 = (sl > 1 || u8[end] == 0x20) ? 0x20 : u8[end]
        var e = end + sl
        let gs = e
        while e < n && isDigit(u8[e]) { e += 1 }
        if (sep == 0x20 || sep == 0x27) && e - gs != 3 { break }
        end = e
      }
      var sEnd = end
      if sEnd < n && (u8[sEnd] == 0x2D || isLetter(at: sEnd)) {
        if u8[sEnd] == 0x2D { sEnd += 1 }
        let lettersStart = sEnd
        while sEnd < n, isLetter(at: sEnd) { sEnd += utf8Length(u8[sEnd]) }
        if !(sEnd - lettersStart > 0 && sEnd - lettersStart <= 8) { sEnd = end }
      }
      body(start, end, sEnd)
      i = max(sEnd, end)
    }
  }

  static func interpret(groups: [String], seps: [UInt8], language: Language?) -> Double? {
    if seps.isEmpty { return Double(groups[0]) }
    let decimalMark: UInt8 = (language == .en) ? 0x2E : 0x2C
    let distinct = Set(seps)
    var intPart = ""
    var frac = ""
    if distinct.count > 1 {
      // The last separator is the decimal mark if it appears once.
      let last = seps.last!
      if seps.filter({ $0 == last }).count == 1 && last != 0x20 && last != 0x27 {
        intPart = groups.dropLast().joined()
        frac = groups.last!
      } else {
        intPart = groups.joined()
      }
    } else {
      let sep = seps[0]
      let allThree = groups.dropFirst().allSatisfy { $0.count == 3 }
      if sep == 0x20 || sep == 0x27 {
        intPart = groups.joined()
      } else if seps.count == 1 && (sep == decimalMark || !allThree) {
        intPart = groups[0]
        frac = groups[1]
      } else if allThree {
        intPart = groups.joined()
      } else {
        // "1.2.3": a version or a date, not one number; keep the first.
        return Double(groups[0])
      }
    }
    return Double(frac.isEmpty ? intPart : intPart + "." + frac)
  }

  private static func utf8Length(_ lead: UInt8) -> Int {
    lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
  }

  /// Is the scalar starting at `i` a letter (ASCII, Latin or Cyrillic)?
  private static func isLetterByte(_ u8: [UInt8], at i: Int) -> Bool {
    let c = u8[i]
    if (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) { return true }
    return c >= 0xC3 && c <= 0xD4  // Latin-1 supplement … Cyrillic leading bytes
  }

  /// Does a letter end just before `i`? (So "A4" or "x2" is not a number.)
  private static func isLetterByte(_ u8: [UInt8], before i: Int) -> Bool {
    var j = i - 1
    while j > 0 && u8[j] & 0xC0 == 0x80 { j -= 1 }
    return isLetterByte(u8, at: j)
  }
}
