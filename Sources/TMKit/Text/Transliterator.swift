import CICUShim

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The named transliteration schemes. Each is an ICU rule file in
/// `Resources/transliteration/<rawValue>.txt` whose header names the standard.
public enum TransliterationScheme: String, CaseIterable, Sendable {
  case azCyrlLatn = "az-cyrl-latn"
  case azLatnCyrl = "az-latn-cyrl"
  case ruLatnBGN = "ru-latn-bgn"
  case ruLatnICAO = "ru-latn-icao"
  case ruLatnGOST = "ru-latn-gost"
  case ruLatnISO9 = "ru-latn-iso9"

  /// The standard the scheme follows, in one line.
  public var standard: String {
    switch self {
    case .azCyrlLatn:
      return "Azerbaijani Cyrillic → Latin: the official 1991 alphabet correspondence "
        + "(BGN/PCGN 1993 table, 32 letters); Russian loan letters ю я ё ц щ → yu ya yo ts şç"
    case .azLatnCyrl:
      return "Azerbaijani Latin → Cyrillic: the exact reverse of az-cyrl-latn (İ/i → И/и, I/ı → Ы/ы, ' → ’)"
    case .ruLatnBGN:
      return "Russian → Latin: BGN/PCGN 1947 (as CLDR/ICU Russian-Latin/BGN: ye-, ë, ʺ, ʹ, t·s)"
    case .ruLatnICAO:
      return "Russian → Latin: ICAO Doc 9303 (passports): ъ ie, й i, ю iu, я ia, ё e, ь dropped"
    case .ruLatnGOST:
      return "Russian → Latin: GOST 7.79-2000 System B (ASCII): щ shh, ц cz/c, ы y`, ъ ``, ь `"
    case .ruLatnISO9:
      return "Russian → Latin: ISO 9:1995 (= GOST 7.79-2000 System A), one letter each: ž č š ŝ û â"
    }
  }

  /// The rule file, relative to the package resources.
  public var resourcePath: String { "transliteration/\(rawValue).txt" }

  /// The script the scheme reads (a tie in a mixed word goes to it).
  public var sourceScript: Homoglyphs.Script {
    self == .azLatnCyrl ? .latin : .cyrillic
  }

  /// Whose look-alike letters to repair.
  public var orthography: Homoglyphs.Orthography {
    switch self {
    case .azCyrlLatn, .azLatnCyrl: return .azerbaijani
    default: return .russian
    }
  }

  /// Finds a scheme by name, case-insensitively; `_` and `-` are the same.
  public init?(name: String) {
    let n = String(name.lowercased().map { $0 == "_" ? "-" : $0 })
    guard let s = TransliterationScheme(rawValue: n) else { return nil }
    self = s
  }
}

/// Transliterates text with a named scheme, any ICU transform ID, or an ICU
/// rule file.
///
/// Named schemes first repair words that mix Cyrillic and Latin look-alike
/// letters (see `Homoglyphs`); `apply(_:line:repairs:)` reports what it did.
/// Work is done line by line in a reused UTF-16 buffer (ICU is super-linear
/// on one huge buffer). Not thread-safe: one instance per thread.
public final class Transliterator {
  /// The scheme, when made from one.
  public let scheme: TransliterationScheme?
  /// What it was made from: the scheme name, the ICU ID, or the rule file.
  public let name: String
  private let transform: ICUTransform
  /// The repair applied before the transform (named schemes only); set to
  /// nil to transliterate the text exactly as it is.
  public var homoglyphs: Homoglyphs?

  private var u16: [UInt16] = []
  private var u8: [UInt8] = []
  /// True when the transform cannot change ASCII (ICU's source set): then a
  /// line of ASCII is copied through without a trip to ICU.
  private let asciiUnchanged: Bool

  /// A named scheme, read from the package's rule files.
  public init(scheme: TransliterationScheme) throws {
    self.scheme = scheme
    name = scheme.rawValue
    let rules = try PackageResources.text(scheme.resourcePath)
    transform = try ICUTransform(rules: rules, name: scheme.resourcePath)
    homoglyphs = Homoglyphs(orthography: scheme.orthography, preferred: scheme.sourceScript)
    asciiUnchanged = Transliterator.passesASCII(transform)
  }

  /// Any ICU transform ID or compound ID (`Russian-Latin/BGN`,
  /// `Any-Latin; Latin-ASCII`).
  public init(icuID: String) throws {
    scheme = nil
    name = icuID
    transform = try ICUTransform(id: icuID)
    homoglyphs = nil
    asciiUnchanged = Transliterator.passesASCII(transform)
  }

  /// ICU transform rules from a file (UTF-8). A syntax error names the file,
  /// line and column.
  public init(rulesFile path: String) throws {
    scheme = nil
    name = path
    let text = try TextDecoder.read(path: path)
    transform = try ICUTransform(rules: text, name: path)
    homoglyphs = nil
    asciiUnchanged = Transliterator.passesASCII(transform)
  }

  /// ICU transform rules given as text; `name` is used in messages.
  public init(rules: String, name: String) throws {
    scheme = nil
    self.name = name
    transform = try ICUTransform(rules: rules, name: name)
    homoglyphs = nil
    asciiUnchanged = Transliterator.passesASCII(transform)
  }

  /// True when ASCII text goes through `t` unchanged: ICU's source set has
  /// no ASCII character, and (because special transforms such as Any-Upper
  /// or Any-Hex report an empty source set) a probe of every printable
  /// ASCII character comes back as it went in.
  static func passesASCII(_ t: ICUTransform) -> Bool {
    if tmicu_trans_touches_ascii(t.handle) != 0 { return false }
    let probe = String(decoding: (0x20..<0x7F).map { UInt8($0) }, as: UTF8.self) + "\t\r"
    return t.apply(probe) == probe && t.apply("Aa Zz 09") == "Aa Zz 09"
  }

  /// The ICU ID of the underlying transform.
  public var icuID: String { transform.id }

  /// Transliterates `text` (any number of lines).
  public func apply(_ text: String) -> String {
    var none: [HomoglyphRepair]? = nil
    return applyCollecting(text, line: 1, repairs: &none)
  }

  /// Transliterates `text` and appends the homoglyph repairs made, with
  /// line numbers counted from `line`.
  public func apply(_ text: String, line: Int = 1, repairs: inout [HomoglyphRepair]) -> String {
    var r: [HomoglyphRepair]? = []
    let out = applyCollecting(text, line: line, repairs: &r)
    repairs += r ?? []
    return out
  }

  private func applyCollecting(_ text: String, line: Int, repairs: inout [HomoglyphRepair]?) -> String {
    var result: [UInt8] = []
    result.reserveCapacity(text.utf8.count + text.utf8.count / 4)
    streamLines(text, firstLine: line, repairs: &repairs) { chunk in result.append(contentsOf: chunk) }
    return String(decoding: result, as: UTF8.self)
  }

  /// The streaming path: transliterates `text` line by line and hands the
  /// UTF-8 output to `write` in pieces (line ends preserved as they were).
  /// Repairs are appended to `repairs` when it is non-nil.
  public func streamLines(
    _ text: String, firstLine: Int = 1, repairs: inout [HomoglyphRepair]?,
    write: (UnsafeBufferPointer<UInt8>) -> Void
  ) {
    var text = text
    text.withUTF8 { bytes in
      guard let base = bytes.baseAddress else { return }
      // A String is valid UTF-8: this cannot throw.
      _ = try? processLines(base, count: bytes.count, firstLine: firstLine, repairs: &repairs, write: write)
    }
  }

  /// Streams a UTF-8 file (`-`: standard input) through the transform in
  /// chunks, without reading it whole: output appears as lines arrive on a
  /// pipe (`flush` is called whenever the input has nothing more ready).
  /// Invalid UTF-8 is an error naming the file, line and byte offset. A file
  /// with a UTF-16 byte-order mark is decoded whole instead.
  /// `repaired`, when given, receives each homoglyph repair after the chunk
  /// it was made in has been written.
  public func streamFile(
    path: String, repaired: ((HomoglyphRepair) -> Void)? = nil,
    write: (UnsafeBufferPointer<UInt8>) -> Void, flush: () -> Void = {}
  ) throws {
    var repairs: [HomoglyphRepair]? = repaired == nil ? nil : []
    func report() {
      if let r = repairs, !r.isEmpty, let repaired {
        r.forEach(repaired)
        repairs = []
      }
    }
    let fd: Int32
    if path == "-" {
      fd = 0
    } else {
      var st = stat()
      guard stat(path, &st) == 0 else { throw TMError(.notFound, "no such file", file: path) }
      if (st.st_mode & S_IFMT) == S_IFDIR { throw TMError(.io, "is a directory, not a text file", file: path) }
      fd = open(path, O_RDONLY)
      guard fd >= 0 else { throw TMError(.io, "cannot read the file", file: path, hint: "check its permissions") }
    }
    defer { if fd != 0 { close(fd) } }
    let chunk = 1 << 20
    var pending: [UInt8] = []
    var line = 1
    var consumedBytes = 0  // bytes of the file before pending[0]
    var first = true
    var eof = false
    var buf = [UInt8](repeating: 0, count: chunk)
    while !eof {
      let got = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, chunk) }
      if got < 0 {
        if errno == EINTR { continue }
        throw TMError(.io, "cannot read the file", file: path)
      }
      if got == 0 { eof = true } else { pending.append(contentsOf: buf[0..<got]) }
      if first && (pending.count >= 3 || eof) {
        first = false
        if pending.count >= 2 && (pending[0] == 0xFF && pending[1] == 0xFE || pending[0] == 0xFE && pending[1] == 0xFF) {
          // UTF-16: read the rest and decode it whole.
          let text: String
          if path == "-" {
            var rest = try TextDecoder.readBytes(path: "-")
            rest.insert(contentsOf: pending, at: 0)
            text = try TextDecoder.decode(rest, source: path)
          } else {
            text = try TextDecoder.read(path: path)
          }
          streamLines(text, repairs: &repairs, write: write)
          report()
          return
        }
        if pending.count >= 3 && pending[0] == 0xEF && pending[1] == 0xBB && pending[2] == 0xBF {
          pending.removeFirst(3)
          consumedBytes = 3
        }
      }
      if first { continue }
      // Process every complete line (all that is left at the end of input).
      var upTo = pending.count
      if !eof {
        guard let lastNL = pending.lastIndex(of: 0x0A) else { continue }
        upTo = lastNL + 1
      }
      let startLine = line
      do {
        line = try pending.withUnsafeBufferPointer { bp in
          guard let base = bp.baseAddress else { return startLine }
          return try processLines(base, count: upTo, firstLine: startLine, repairs: &repairs, write: write)
        }
      } catch let bad as InvalidUTF8 {
        let offset = consumedBytes + bad.offset
        let lineNo = startLine + pending[0..<bad.offset].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        throw TMError(
          .invalidInput, "invalid UTF-8 (byte 0x\(String(pending[bad.offset], radix: 16, uppercase: true)))",
          file: path, line: lineNo, byteOffset: offset,
          hint: "if the file is in a legacy encoding, name it with --encoding (cp1251, koi8-r, cp1254)")
      }
      consumedBytes += upTo
      pending.removeFirst(upTo)
      report()
      if got < chunk { flush() }
    }
  }

  struct InvalidUTF8: Error { var offset: Int }

  /// Transforms the lines in `base[0..<n]`; returns the next line number.
  private func processLines(
    _ base: UnsafePointer<UInt8>, count n: Int, firstLine: Int, repairs: inout [HomoglyphRepair]?,
    write: (UnsafeBufferPointer<UInt8>) -> Void
  ) throws -> Int {
    var start = 0
    var line = firstLine
    while start < n {
      var end = start
      var ascii = true
      while end < n {
        let b = base[end]
        if b == 0x0A { break }
        if b >= 0x80 { ascii = false }
        end += 1
      }
      // Include the newline in what is written, not in what is transformed.
      if ascii && asciiUnchanged {
        write(UnsafeBufferPointer(start: base + start, count: min(end + 1, n) - start))
      } else {
        do {
          try transformPiece(base + start, count: end - start, line: line, repairs: &repairs, write: write)
        } catch let bad as InvalidUTF8 {
          throw InvalidUTF8(offset: start + bad.offset)
        }
        if end < n { write(UnsafeBufferPointer(start: base + end, count: 1)) }
      }
      start = end + 1
      line += 1
    }
    return line
  }

  /// Long lines are cut at a space near this many bytes, so that ICU never
  /// works on a huge buffer.
  static let pieceBytes = 16_384

  private func transformPiece(
    _ p: UnsafePointer<UInt8>, count: Int, line: Int, repairs: inout [HomoglyphRepair]?,
    write: (UnsafeBufferPointer<UInt8>) -> Void
  ) throws {
    var off = 0
    while count - off > Transliterator.pieceBytes {
      // Cut after the last space before the limit (or at a UTF-8 boundary).
      var cut = off + Transliterator.pieceBytes
      var k = cut
      while k > off + Transliterator.pieceBytes / 2 && p[k - 1] != 0x20 { k -= 1 }
      if p[k - 1] == 0x20 {
        cut = k
      } else {
        while cut > off && (p[cut] & 0xC0) == 0x80 { cut -= 1 }
      }
      do {
        try transformLine(p + off, count: cut - off, line: line, repairs: &repairs, write: write)
      } catch let bad as InvalidUTF8 {
        throw InvalidUTF8(offset: off + bad.offset)
      }
      off = cut
    }
    do {
      try transformLine(p + off, count: count - off, line: line, repairs: &repairs, write: write)
    } catch let bad as InvalidUTF8 {
      throw InvalidUTF8(offset: off + bad.offset)
    }
  }

  private func transformLine(
    _ p: UnsafePointer<UInt8>, count: Int, line: Int, repairs: inout [HomoglyphRepair]?,
    write: (UnsafeBufferPointer<UInt8>) -> Void
  ) throws {
    if count == 0 { return }
    var cap = count * 2 + 64
    for _ in 0..<6 {
      if u16.count < cap { u16 = [UInt16](repeating: 0, count: cap) }
      var status: Int32 = 0
      var len: Int32 = 0
      var invalid = false
      let ok: Bool = u16.withUnsafeMutableBufferPointer { bp -> Bool in
        guard let buf = bp.baseAddress else { return false }
        let n = p.withMemoryRebound(to: CChar.self, capacity: count) {
          tmicu_utf8_to_utf16($0, Int32(count), buf, Int32(bp.count), &status)
        }
        if status == TMICU_BUFFER_OVERFLOW { return false }
        if ICU.failed(status) {
          invalid = true
          return false
        }
        if let h = homoglyphs { h.repair(buf, count: Int(n), line: line, repairs: &repairs) }
        len = n
        tmicu_trans_apply(transform.handle, buf, &len, Int32(bp.count), &status)
        return !ICU.failed(status)
      }
      if invalid {
        let bytes = Array(UnsafeBufferPointer(start: p, count: count))
        throw InvalidUTF8(offset: TextDecoder.firstInvalidUTF8Offset(bytes[...]) ?? 0)
      }
      if status == TMICU_BUFFER_OVERFLOW {
        cap *= 2
        continue
      }
      if !ok {
        // ICU refused (should not happen once open): pass the text through.
        write(UnsafeBufferPointer(start: p, count: count))
        return
      }
      emitUTF8(Int(len), write: write)
      return
    }
    write(UnsafeBufferPointer(start: p, count: count))
  }

  private func emitUTF8(_ len: Int, write: (UnsafeBufferPointer<UInt8>) -> Void) {
    var need = len * 3 + 16
    if u8.count < need { u8 = [UInt8](repeating: 0, count: need) }
    var status: Int32 = 0
    var n: Int32 = 0
    for _ in 0..<2 {
      n = u16.withUnsafeBufferPointer { src -> Int32 in
        u8.withUnsafeMutableBufferPointer { dst -> Int32 in
          guard let s = src.baseAddress, let d = dst.baseAddress else { return 0 }
          return d.withMemoryRebound(to: CChar.self, capacity: dst.count) {
            tmicu_utf16_to_utf8(s, Int32(len), $0, Int32(dst.count), &status)
          }
        }
      }
      if status == TMICU_BUFFER_OVERFLOW {
        need = Int(n) + 16
        u8 = [UInt8](repeating: 0, count: need)
        continue
      }
      break
    }
    // Unpaired surrogates become U+FFFD, so only a broken ICU fails here.
    if ICU.failed(status) || Int(n) > u8.count { return }
    u8.withUnsafeBufferPointer { write(UnsafeBufferPointer(rebasing: $0[0..<Int(n)])) }
  }

  /// Every transform ID the system ICU offers, sorted.
  public static func icuIDs() -> [String] { ICUTransform.availableIDs() }
}
