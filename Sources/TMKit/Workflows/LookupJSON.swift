/// A lookup's answer written straight into bytes: what `JSON.line` gives
/// for ``LookupReport`` (the same keys in the same order, `nil` fields left
/// out where the `Codable` conformance leaves them out, the same string
/// escapes and number forms), without the generic encoder's tree of nodes,
/// existential containers and dynamic casts. It is on the server's request
/// path (`GET /api/v1/lookup`); `LookupJSONTests` compares it byte for byte
/// with `JSON.line` on random reports.
public struct JSONWriter {
  public var bytes: [UInt8] = []

  public init(capacity: Int = 1024) { bytes.reserveCapacity(capacity) }

  @inline(__always) public mutating func raw(_ s: StaticString) {
    s.withUTF8Buffer { bytes.append(contentsOf: $0) }
  }

  @inline(__always) public mutating func byte(_ b: UInt8) { bytes.append(b) }

  /// What `JSON.appendString` writes: runs of bytes that need no escape
  /// copied at once.
  public mutating func string(_ s: String) {
    var s = s
    s.withUTF8 { p in
      bytes.append(0x22)
      var start = 0
      for i in 0..<p.count {
        let b = p[i]
        guard b < 0x20 || b == 0x22 || b == 0x5C || b == 0x7F else { continue }
        if start < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: p[start..<i])) }
        start = i + 1
        switch b {
        case 0x22: bytes.append(0x5C); bytes.append(0x22)
        case 0x5C: bytes.append(0x5C); bytes.append(0x5C)
        case 0x0A: bytes.append(0x5C); bytes.append(0x6E)
        case 0x0D: bytes.append(0x5C); bytes.append(0x72)
        case 0x09: bytes.append(0x5C); bytes.append(0x74)
        default:
          let hex: StaticString = "0123456789abcdef"
          bytes.append(0x5C); bytes.append(0x75); bytes.append(0x30); bytes.append(0x30)
          hex.withUTF8Buffer { h in
            bytes.append(h[Int(b >> 4)])
            bytes.append(h[Int(b & 0xF)])
          }
        }
      }
      if start < p.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: p[start..<p.count])) }
      bytes.append(0x22)
    }
  }

  /// `JSONLineEncoder`'s form: whole numbers below 1e15 as integers,
  /// others as Swift prints them, NaN and infinities as `null`.
  public mutating func number(_ d: Double) {
    if d.isNaN || d.isInfinite {
      raw("null")
    } else if d == d.rounded() && abs(d) < 1e15 {
      integer(Int64(d))
    } else {
      bytes.append(contentsOf: d.description.utf8)
    }
  }

  public mutating func integer<I: FixedWidthInteger>(_ v: I) {
    if v == 0 {
      bytes.append(0x30)
      return
    }
    // Digits of the magnitude, written backwards into a small buffer.
    var m = v.magnitude
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 40) { buf in
      var i = 40
      while m != 0 {
        i -= 1
        buf[i] = 0x30 + UInt8(truncatingIfNeeded: m % 10)
        m /= 10
      }
      if v < 0 { bytes.append(0x2D) }
      bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buf[i..<40]))
    }
  }

  /// `"key":` (keys here are plain ASCII names).
  @inline(__always) public mutating func key(_ k: StaticString, first: Bool = false) {
    if !first { bytes.append(0x2C) }
    bytes.append(0x22)
    raw(k)
    bytes.append(0x22)
    bytes.append(0x3A)
  }
}

extension LookupReport {
  /// `JSON.line(self)` as UTF-8, written directly (see ``JSONWriter``).
  public func jsonLine() -> [UInt8] {
    var w = JSONWriter(capacity: 512 + answers.reduce(0) { $0 + 700 * ($1.matches.count + $1.concordance.count) })
    write(to: &w)
    return w.bytes
  }

  public func write(to w: inout JSONWriter) {
    w.byte(0x7B)
    var first = true
    if let language {
      w.key("language", first: true)
      w.string(language.rawValue)
      first = false
    }
    w.key("answers", first: first)
    w.byte(0x5B)
    for (i, a) in answers.enumerated() {
      if i > 0 { w.byte(0x2C) }
      a.write(to: &w)
    }
    w.byte(0x5D)
    if let analysis {
      w.key("analysis")
      w.byte(0x7B)
      w.key("analysis", first: true)
      w.byte(0x5B)
      for (i, b) in analysis.analysis.enumerated() {
        if i > 0 { w.byte(0x2C) }
        w.byte(0x7B)
        w.key("band", first: true)
        w.string(b.band)
        w.key("segments")
        w.integer(b.segments)
        w.key("words")
        w.integer(b.words)
        w.byte(0x7D)
      }
      w.byte(0x5D)
      w.byte(0x7D)
    }
    w.key("notes")
    w.byte(0x5B)
    for (i, n) in notes.enumerated() {
      if i > 0 { w.byte(0x2C) }
      w.string(n)
    }
    w.byte(0x5D)
    if let timing {
      w.key("timing")
      w.byte(0x7B)
      w.key("openMilliseconds", first: true)
      w.number(timing.openMilliseconds)
      w.key("queriesMilliseconds")
      w.number(timing.queriesMilliseconds)
      w.key("totalMilliseconds")
      w.number(timing.totalMilliseconds)
      w.byte(0x7D)
    }
    w.byte(0x7D)
  }
}

extension LookupAnswer {
  func write(to w: inout JSONWriter) {
    w.byte(0x7B)
    w.key("query", first: true)
    w.string(query)
    w.key("number")
    w.integer(number)
    w.key("language")
    w.string(language.rawValue)
    w.key("languageGuessed")
    if languageGuessed { w.raw("true") } else { w.raw("false") }
    w.key("matches")
    LookupMatch.write(matches, to: &w)
    w.key("concordance")
    LookupMatch.write(concordance, to: &w)
    w.key("moreConcordance")
    w.integer(moreConcordance)
    if let error {
      w.key("error")
      w.byte(0x7B)
      w.key("kind", first: true)
      w.string(error.kind.rawValue)
      w.key("message")
      w.string(error.message)
      if let f = error.file {
        w.key("file")
        w.string(f)
      }
      if let l = error.line {
        w.key("line")
        w.integer(l)
      }
      if let b = error.byteOffset {
        w.key("byte_offset")
        w.integer(b)
      }
      if let h = error.hint {
        w.key("hint")
        w.string(h)
      }
      w.byte(0x7D)
    }
    w.byte(0x7D)
  }
}

extension LookupMatch {
  static func write(_ ms: [LookupMatch], to w: inout JSONWriter) {
    w.byte(0x5B)
    for (i, m) in ms.enumerated() {
      if i > 0 { w.byte(0x2C) }
      m.write(to: &w)
    }
    w.byte(0x5D)
  }

  func write(to w: inout JSONWriter) {
    w.byte(0x7B)
    w.key("kind", first: true)
    w.string(kind.rawValue)
    w.key("score")
    w.number(score)
    w.key("unit")
    w.byte(0x7B)
    w.key("memory", first: true)
    w.byte(0x7B)
    w.key("id", first: true)
    w.string(unit.memory.id)
    w.key("name")
    w.string(unit.memory.name)
    w.byte(0x7D)
    w.key("index")
    w.integer(unit.index)
    w.byte(0x7D)
    w.key("sourceLanguage")
    w.string(sourceLanguage.rawValue)
    w.key("source")
    w.string(source)
    w.key("targets")
    w.byte(0x5B)
    for (i, t) in targets.enumerated() {
      if i > 0 { w.byte(0x2C) }
      w.byte(0x7B)
      w.key("language", first: true)
      w.string(t.language.rawValue)
      w.key("text")
      w.string(t.text)
      if let s = t.substituted {
        w.key("substituted")
        w.string(s)
      }
      w.byte(0x7D)
    }
    w.byte(0x5D)
    w.key("differences")
    w.byte(0x5B)
    for (i, d) in differences.enumerated() {
      if i > 0 { w.byte(0x2C) }
      w.string(d)
    }
    w.byte(0x5D)
    w.key("marks")
    w.byte(0x5B)
    for (i, r) in marks.enumerated() {
      if i > 0 { w.byte(0x2C) }
      w.byte(0x5B)
      for (j, x) in r.enumerated() {
        if j > 0 { w.byte(0x2C) }
        w.integer(x)
      }
      w.byte(0x5D)
    }
    w.byte(0x5D)
    w.byte(0x7D)
  }
}
