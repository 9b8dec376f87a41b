/// One word in which look-alike letters of the other script were replaced.
public struct HomoglyphRepair: Equatable, Sendable, CustomStringConvertible {
  /// 1-based line of the input.
  public var line: Int
  /// The word as it was read.
  public var word: String
  /// The word after the repair.
  public var repaired: String
  /// Each replacement, in order: (from, to).
  public var replacements: [Replacement]

  public struct Replacement: Equatable, Sendable {
    public var from: Unicode.Scalar
    public var to: Unicode.Scalar
    public init(from: Unicode.Scalar, to: Unicode.Scalar) {
      self.from = from
      self.to = to
    }
  }

  /// `line 3: Əлијева → Әлијева (Latin Ə U+018F → Cyrillic Ә U+04D8)`
  public var description: String { "line \(line): \(summary)" }

  /// `Əлијева → Әлијева (Latin Ə U+018F → Cyrillic Ә U+04D8)`
  public var summary: String {
    let what = replacements.map { r in
      "\(HomoglyphRepair.scriptName(r.from)) \(r.from) \(HomoglyphRepair.hex(r.from)) → "
        + "\(HomoglyphRepair.scriptName(r.to)) \(r.to) \(HomoglyphRepair.hex(r.to))"
    }
    return "\(word) → \(repaired) (\(what.joined(separator: ", ")))"
  }

  static func hex(_ u: Unicode.Scalar) -> String {
    let h = String(u.value, radix: 16, uppercase: true)
    return "U+" + String(repeating: "0", count: max(0, 4 - h.count)) + h
  }

  static func scriptName(_ u: Unicode.Scalar) -> String {
    Homoglyphs.isCyrillic(UInt16(truncatingIfNeeded: u.value)) ? "Cyrillic" : "Latin"
  }
}

/// Repairs words that mix Cyrillic and Latin look-alike letters.
///
/// Azerbaijani Cyrillic typed on a Russian keyboard borrows Latin letters for
/// the ones the keyboard lacks (ə, j, h, and y for ү), and OCR or copy-paste
/// swaps a, e, o, c, p, x... between the scripts. In a word that mixes the
/// two, the letters of the minority script that have a look-alike in the
/// majority script are replaced (a tie goes to `preferred`, the script the
/// scheme reads). Words in one script are never touched: `Microsoft` stays
/// Latin in a Cyrillic sentence.
public struct Homoglyphs: Sendable {
  public enum Script: Sendable { case cyrillic, latin }
  public enum Orthography: Sendable { case azerbaijani, russian }

  public let orthography: Orthography
  public let preferred: Script
  /// Latin → Cyrillic and Cyrillic → Latin, by UTF-16 unit (all BMP, 1:1).
  private let toCyrillic: [UInt16: UInt16]
  private let toLatin: [UInt16: UInt16]

  public init(orthography: Orthography, preferred: Script) {
    self.orthography = orthography
    self.preferred = preferred
    // Shared look-alikes (upper and lower case where both look alike).
    var pairs: [(String, String)] = [
      ("A", "А"), ("a", "а"), ("B", "В"), ("C", "С"), ("c", "с"), ("E", "Е"), ("e", "е"),
      ("K", "К"), ("k", "к"), ("M", "М"), ("O", "О"), ("o", "о"), ("P", "Р"), ("p", "р"),
      ("T", "Т"), ("X", "Х"), ("x", "х"), ("y", "у"),
    ]
    switch orthography {
    case .azerbaijani:
      // The letters a Russian keyboard lacks: Ә Ј Һ Ү are typed as Latin
      // Ə J H Y. (Latin H stands for Һ here, not for Н, which the keyboard has.)
      pairs += [("Ə", "Ә"), ("ə", "ә"), ("J", "Ј"), ("j", "ј"), ("H", "Һ"), ("h", "һ"), ("Y", "Ү")]
    case .russian:
      pairs += [("H", "Н"), ("Y", "У"), ("I", "І"), ("i", "і"), ("J", "Ј"), ("j", "ј")]
    }
    var l2c: [UInt16: UInt16] = [:]
    var c2l: [UInt16: UInt16] = [:]
    for (l, c) in pairs {
      let lu = l.utf16.first ?? 0
      let cu = c.utf16.first ?? 0
      l2c[lu] = cu
      c2l[cu] = lu
    }
    // Cyrillic letters that only ever stand for a Latin one in a Latin word.
    c2l[0x0456] = 0x0069  // і → i
    c2l[0x0406] = 0x0049  // І → I
    c2l[0x0458] = 0x006A  // ј → j
    c2l[0x04AF] = 0x0079  // ү → y
    toCyrillic = l2c
    toLatin = c2l
  }

  static func isCyrillic(_ u: UInt16) -> Bool { u >= 0x0400 && u <= 0x052F }
  static func isLatin(_ u: UInt16) -> Bool {
    (u >= 0x41 && u <= 0x5A) || (u >= 0x61 && u <= 0x7A)
      || (u >= 0xC0 && u <= 0x24F && u != 0xD7 && u != 0xF7) || (u >= 0x250 && u <= 0x2AF)
      || (u >= 0x1E00 && u <= 0x1EFF)
  }
  static func isMark(_ u: UInt16) -> Bool { u >= 0x0300 && u <= 0x036F }

  /// Repairs `buf[0..<count]` in place; appends what it did to `repairs`
  /// (when non-nil). Cost when a line is in one script: one pass, no
  /// allocation.
  public func repair(_ buf: UnsafeMutablePointer<UInt16>, count: Int, line: Int, repairs: inout [HomoglyphRepair]?) {
    // Quick reject: a line needs both scripts for a word to mix them.
    var sawCyr = false
    var sawLat = false
    var i = 0
    while i < count {
      let u = buf[i]
      if u >= 0x0400 && u <= 0x052F { sawCyr = true } else if u >= 0x41, Homoglyphs.isLatin(u) { sawLat = true }
      if sawCyr && sawLat { break }
      i += 1
    }
    if !(sawCyr && sawLat) { return }
    i = 0
    while i < count {
      let u = buf[i]
      let cyr = Homoglyphs.isCyrillic(u)
      if !cyr && !Homoglyphs.isLatin(u) {
        i += 1
        continue
      }
      // A word: letters of either script and combining marks.
      let start = i
      var nCyr = 0
      var nLat = 0
      while i < count {
        let v = buf[i]
        if Homoglyphs.isCyrillic(v) { nCyr += 1 } else if Homoglyphs.isLatin(v) { nLat += 1 } else if !Homoglyphs.isMark(v) { break }
        i += 1
      }
      if nCyr == 0 || nLat == 0 { continue }
      let target: Script = nCyr > nLat ? .cyrillic : nLat > nCyr ? .latin : preferred
      let map = target == .cyrillic ? toCyrillic : toLatin
      var done: [HomoglyphRepair.Replacement] = []
      let before = repairs == nil ? "" : String(decoding: UnsafeBufferPointer(start: buf + start, count: i - start), as: UTF16.self)
      for k in start..<i {
        let v = buf[k]
        let minority = target == .cyrillic ? Homoglyphs.isLatin(v) : Homoglyphs.isCyrillic(v)
        if minority, let w = map[v] {
          buf[k] = w
          if repairs != nil, let f = Unicode.Scalar(v), let t = Unicode.Scalar(w) {
            done.append(.init(from: f, to: t))
          }
        }
      }
      if repairs != nil && !done.isEmpty {
        let after = String(decoding: UnsafeBufferPointer(start: buf + start, count: i - start), as: UTF16.self)
        repairs?.append(HomoglyphRepair(line: line, word: before, repaired: after, replacements: done))
      }
    }
  }

  /// Repairs the words of `text` (one line or more; lines are counted from
  /// `line`).
  public func repair(_ text: String, line: Int = 1, repairs: inout [HomoglyphRepair]) -> String {
    var out: [String] = []
    var n = line
    for piece in text.split(separator: "\n", omittingEmptySubsequences: false) {
      var units = Array(piece.utf16)
      var r: [HomoglyphRepair]? = []
      units.withUnsafeMutableBufferPointer { bp in
        if let base = bp.baseAddress { repair(base, count: bp.count, line: n, repairs: &r) }
      }
      repairs += r ?? []
      out.append(String(decoding: units, as: UTF16.self))
      n += 1
    }
    return out.joined(separator: "\n")
  }
}
