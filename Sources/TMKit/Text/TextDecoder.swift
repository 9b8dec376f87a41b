import CICUShim
import Foundation

/// Turns the bytes of a file into text.
///
/// UTF-8 (with or without BOM) and UTF-16 with a BOM are recognised;
/// anything else must be named (`cp1251`, `koi8-r`, `cp1254`, or any ICU
/// converter name). Invalid UTF-8 is an error naming the file, line and byte
/// offset: nothing is silently replaced. Line endings are left as they are;
/// readers accept LF and CRLF.
///
/// A file that is not text at all (a DOCX, a PDF, a gzip, any binary) is
/// refused before decoding: see ``binaryContent(_:encoding:)``. Every
/// command that reads a document goes through here, so `tm segment`,
/// `tm align` and `tm lookup --batch` say the same thing about it.
public enum TextDecoder {
  /// Decodes `bytes`. `source` names the file in messages (`-` for stdin).
  ///
  /// - Parameter checkBinary: refuse input whose first 8 KB hold NUL or
  ///   another C0 control (``binaryContent(_:encoding:)``). A reader that
  ///   takes a binary format apart itself passes `false`.
  public static func decode(
    _ bytes: [UInt8], encoding: String? = nil, source: String, checkBinary: Bool = true
  ) throws -> String {
    if checkBinary, let found = binaryContent(bytes, encoding: encoding) {
      throw found.error(source: source, bytes: bytes)
    }
    if let encoding {
      let name = encoding.lowercased()
      if name == "utf-8" || name == "utf8" {
        return try decodeUTF8(bytes, source: source)
      }
      return try decodeLegacy(bytes, charset: encoding, source: source)
    }
    if bytes.count >= 2 && bytes[0] == 0xFF && bytes[1] == 0xFE {
      return try decodeLegacy(Array(bytes[2...]), charset: "UTF-16LE", source: source)
    }
    if bytes.count >= 2 && bytes[0] == 0xFE && bytes[1] == 0xFF {
      return try decodeLegacy(Array(bytes[2...]), charset: "UTF-16BE", source: source)
    }
    return try decodeUTF8(bytes, source: source)
  }

  /// Reads and decodes a file; `path == "-"` reads standard input.
  public static func read(path: String, encoding: String? = nil, checkBinary: Bool = true) throws -> String {
    try decode(readBytes(path: path), encoding: encoding, source: path, checkBinary: checkBinary)
  }

  /// How many leading bytes ``binaryContent(_:encoding:)`` looks at (as
  /// git and grep do: a binary file shows itself early).
  public static let binaryProbeLength = 8192

  /// What a file that is not plain text looks like.
  public struct BinaryContent: Sendable, Equatable {
    public enum Kind: String, Sendable {
      case docx = "a Word document (DOCX)"
      case odt = "an OpenDocument text (ODT)"
      case xlsx = "an Excel workbook (XLSX)"
      case zip = "a zip archive"
      case pdf = "a PDF document"
      case gzip = "a gzip-compressed file"
      case ole = "an old Office document (DOC/XLS)"
      case mo = "a compiled gettext catalog (MO)"
      case utf16 = "UTF-16 text without a byte-order mark"
      case binary = "binary data"
    }
    public var kind: Kind
    /// Offset of the first NUL or control byte (0 when the signature alone decides).
    public var offset: Int

    /// What to do with such a file.
    public func hint(source: String) -> String {
      let f = source == "-" ? "FILE" : shellQuoted(source)
      switch kind {
      case .docx: return "save it as plain text (.txt) first, e.g. `pandoc -t plain \(f) -o out.txt`"
      case .odt: return "save it as plain text first, e.g. `soffice --headless --convert-to txt \(f)`"
      case .xlsx: return "export the sheet as CSV and use `tm import`"
      case .zip: return "unpack it and give the text files inside"
      case .pdf: return "extract its text first: `pdftotext -layout \(f) out.txt` (poppler-utils)"
      case .gzip: return "decompress it first: `gunzip -c \(f) > out.txt`, or pipe `zcat \(f)` into `-`"
      case .ole: return "save it as plain text (.txt) first, e.g. `antiword \(f) > out.txt`"
      case .mo: return "`tm import` reads MO catalogs; `msgunfmt \(f)` shows it as text"
      case .utf16: return "name its encoding: --encoding utf-16le (or utf-16be)"
      case .binary: return "give a plain-text file (UTF-8, UTF-16 with BOM, or a legacy encoding named with --encoding)"
      }
    }

    func error(source: String, bytes: [UInt8]) -> TMError {
      // The signature names the format; a position only helps for the rest.
      let byContent = kind == .binary || kind == .utf16
      let line = 1 + bytes.prefix(offset).reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
      let message =
        kind == .utf16
        ? "this looks like UTF-16 text without a byte-order mark"
        : "this looks like \(kind.rawValue), not plain text"
          + (byContent && offset < bytes.count ? String(format: " (control byte 0x%02X)", bytes[offset]) : "")
      return TMError(
        .invalidInput, message, file: source, line: byContent ? line : nil, byteOffset: byContent ? offset : nil,
        hint: hint(source: source))
    }
  }

  /// Whether `bytes` are binary rather than text: a NUL or a C0 control
  /// other than tab, LF, FF and CR in the first ``binaryProbeLength`` bytes
  /// (in the decoded characters for UTF-16 and UTF-32, where NUL bytes are
  /// normal), named after the file's signature when it has a known one
  /// (zip/DOCX/ODT, PDF, gzip, OLE, MO). Nil for text.
  public static func binaryContent(_ bytes: [UInt8], encoding: String? = nil) -> BinaryContent? {
    let probe = bytes.prefix(binaryProbeLength)
    func allowed(_ c: UInt32) -> Bool { c >= 0x20 || c == 0x09 || c == 0x0A || c == 0x0C || c == 0x0D }
    let wide: String.Encoding?
    let name = encoding?.lowercased().replacingOccurrences(of: "_", with: "-")
    if let name, name.hasPrefix("utf-16") || name.hasPrefix("utf16") || name.hasPrefix("ucs-2") {
      wide = name.hasSuffix("be") ? .utf16BigEndian : .utf16LittleEndian
    } else if let name, name.hasPrefix("utf-32") || name.hasPrefix("utf32") {
      wide = name.hasSuffix("be") ? .utf32BigEndian : .utf32LittleEndian
    } else if encoding == nil, probe.starts(with: [0xFF, 0xFE]) {
      wide = .utf16LittleEndian
    } else if encoding == nil, probe.starts(with: [0xFE, 0xFF]) {
      wide = .utf16BigEndian
    } else {
      wide = nil
    }
    if let wide {
      // Code units, not bytes: a control character decoded from the probe.
      let unit = wide == .utf32BigEndian || wide == .utf32LittleEndian ? 4 : 2
      let big = wide == .utf16BigEndian || wide == .utf32BigEndian
      var i = probe.startIndex
      while i + unit <= probe.endIndex {
        var v: UInt32 = 0
        for k in 0..<unit {
          let b = UInt32(probe[big ? i + k : i + unit - 1 - k])
          v = v << 8 | b
        }
        if !allowed(v) { return BinaryContent(kind: .binary, offset: i) }
        i += unit
      }
      return nil
    }
    guard let bad = probe.firstIndex(where: { !allowed(UInt32($0)) }) else { return nil }
    let kind: BinaryContent.Kind
    func has(_ needle: String) -> Bool {
      let n = Array(needle.utf8)
      guard n.count <= probe.count else { return false }
      return probe.indices.dropLast(n.count - 1).contains { probe[$0..<$0 + n.count].elementsEqual(n) }
    }
    if probe.starts(with: [0x50, 0x4B, 0x03, 0x04]) || probe.starts(with: [0x50, 0x4B, 0x05, 0x06]) {
      if has("mimetypeapplication/vnd.oasis.opendocument") {
        kind = .odt
      } else if has("word/") {
        kind = .docx
      } else if has("xl/") {
        kind = .xlsx
      } else {
        kind = .zip
      }
    } else if probe.starts(with: Array("%PDF-".utf8)) {
      kind = .pdf
    } else if probe.starts(with: [0x1F, 0x8B]) {
      kind = .gzip
    } else if probe.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
      kind = .ole
    } else if probe.starts(with: [0xDE, 0x12, 0x04, 0x95]) || probe.starts(with: [0x95, 0x04, 0x12, 0xDE]) {
      kind = .mo
    } else if looksLikeBOMlessUTF16(probe) {
      kind = .utf16
    } else {
      kind = .binary
    }
    return BinaryContent(kind: kind, offset: kind == .binary || kind == .utf16 ? bad : 0)
  }

  /// Mostly ASCII in UTF-16: one of every two bytes NUL, always on the same side.
  static func looksLikeBOMlessUTF16(_ p: ArraySlice<UInt8>) -> Bool {
    guard p.count >= 8 else { return false }
    var even = 0
    var odd = 0
    var other = 0
    for (k, b) in p.enumerated() where b == 0 {
      if k % 2 == 0 { even += 1 } else { odd += 1 }
    }
    for b in p where b != 0 && b < 0x20 && b != 0x09 && b != 0x0A && b != 0x0D { other += 1 }
    let half = p.count / 2
    return other == 0 && (even * 10 >= half * 6 && odd == 0 || odd * 10 >= half * 6 && even == 0)
  }

  /// The raw bytes of a file or of stdin (`-`).
  public static func readBytes(path: String) throws -> [UInt8] {
    if path == "-" { return try readAll(fd: 0, name: "standard input") }
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
      throw TMError(.notFound, "no such file", file: path)
    }
    if isDir.boolValue { throw TMError(.io, "is a directory, not a text file", file: path) }
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
      throw TMError(.io, "cannot open the file (\(String(cString: strerror(errno))))", file: path, hint: "check its permissions")
    }
    defer { close(fd) }
    return try readAll(fd: fd, name: path)
  }

  /// Reads a descriptor to its end with read(2): regular files in one
  /// buffer sized by fstat, and pipes, FIFOs and devices (`/dev/stdin`,
  /// `<(…)`) too, which FileManager.contents(atPath:) refuses.
  static func readAll(fd: Int32, name: String) throws -> [UInt8] {
    var st = stat()
    var capacity = 1 << 16
    if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_size > 0 { capacity = Int(st.st_size) + 1 }
    var out = [UInt8]()
    out.reserveCapacity(capacity)
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    while true {
      let got = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
      if got < 0 {
        if errno == EINTR { continue }
        throw TMError(.io, "cannot read (\(String(cString: strerror(errno))))", file: name)
      }
      if got == 0 { break }
      out.append(contentsOf: chunk[0..<got])
    }
    return out
  }

  static func decodeUTF8(_ bytes: [UInt8], source: String) throws -> String {
    var body = bytes[...]
    if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF {
      body = bytes[3...]
    }
    if let s = String(validating: body, as: UTF8.self) { return s }
    // Find the first invalid sequence for the message.
    let offset = firstInvalidUTF8Offset(body) ?? 0
    let absolute = offset + (body.startIndex)
    let line = 1 + bytes[..<absolute].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    throw TMError(
      .invalidInput,
      String(format: "invalid UTF-8 (byte 0x%02X)", bytes[absolute]),
      file: source, line: line, byteOffset: absolute,
      hint: "if the file is in a legacy encoding, name it with --encoding (cp1251, koi8-r, cp1254)")
  }

  /// Offset (from the slice start) of the first byte of an invalid UTF-8
  /// sequence, or nil when the slice is valid.
  static func firstInvalidUTF8Offset(_ bytes: ArraySlice<UInt8>) -> Int? {
    bytes.withUnsafeBufferPointer { firstInvalidUTF8($0) }
  }

  /// Offset of the first byte of an invalid UTF-8 sequence (overlong forms,
  /// surrogates and code points past U+10FFFF included), or nil. Eight
  /// ASCII bytes at a time: memories of a million units are checked whole.
  static func firstInvalidUTF8(_ p: UnsafeBufferPointer<UInt8>) -> Int? {
    let n = p.count
    guard let base = p.baseAddress else { return nil }
    var i = 0
    while i < n {
      if i + 8 <= n {
        let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
        if w & 0x8080_8080_8080_8080 == 0 {
          i += 8
          continue
        }
      }
      let b = p[i]
      if b < 0x80 {
        i += 1
        continue
      }
      if b < 0xC2 { return i }
      if b < 0xE0 {
        guard i + 1 < n, p[i + 1] & 0xC0 == 0x80 else { return i }
        i += 2
        continue
      }
      if b < 0xF0 {
        guard i + 2 < n else { return i }
        let b1 = p[i + 1]
        let b2 = p[i + 2]
        guard b1 & 0xC0 == 0x80, b2 & 0xC0 == 0x80 else { return i }
        if b == 0xE0 && b1 < 0xA0 { return i }
        if b == 0xED && b1 >= 0xA0 { return i }
        i += 3
        continue
      }
      if b < 0xF5 {
        guard i + 3 < n else { return i }
        let b1 = p[i + 1]
        let b2 = p[i + 2]
        let b3 = p[i + 3]
        guard b1 & 0xC0 == 0x80, b2 & 0xC0 == 0x80, b3 & 0xC0 == 0x80 else { return i }
        if b == 0xF0 && b1 < 0x90 { return i }
        if b == 0xF4 && b1 >= 0x90 { return i }
        i += 4
        continue
      }
      return i
    }
    return nil
  }

  static func decodeLegacy(_ bytes: [UInt8], charset: String, source: String) throws -> String {
    guard tmicu_converter_exists(charset) == 1 else {
      throw TMError(
        .usage, "unknown encoding '\(charset)'",
        hint: "use an ICU converter name such as cp1251, koi8-r, cp1254, utf-16le (`uconv -l` lists them)")
    }
    if bytes.isEmpty { return "" }
    var cap = bytes.count * 2 + 16
    var errorOffset: Int64 = -1
    var status: Int32 = 0
    var produced: Int32 = 0
    var out = [UInt16](repeating: 0, count: cap)
    for _ in 0..<2 {
      bytes.withUnsafeBufferPointer { bp in
        bp.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bp.count) { p in
          produced = tmicu_decode(charset, p, Int32(bp.count), &out, Int32(cap), &errorOffset, &status)
        }
      }
      if status == TMICU_BUFFER_OVERFLOW {
        cap *= 2
        out = [UInt16](repeating: 0, count: cap)
        continue
      }
      break
    }
    if ICU.failed(status) {
      let off = Int(max(0, errorOffset))
      let line = 1 + bytes[..<min(off, bytes.count)].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
      throw TMError(
        .invalidInput, "not valid \(charset) (\(ICU.errorName(status)))", file: source, line: line,
        byteOffset: off, hint: "check the --encoding")
    }
    var s = String(decoding: out.prefix(Int(produced)), as: UTF16.self)
    if s.hasPrefix("\u{FEFF}") { s.removeFirst() }
    return s
  }
}

#if canImport(Glibc)
  import Glibc
  private let systemRead = Glibc.read
#elseif canImport(Musl)
  import Musl
  private let systemRead = Musl.read
#elseif canImport(Darwin)
  import Darwin
  private let systemRead = Darwin.read
#endif

/// `path` as a shell word for a hint the user can paste: bare when it is
/// only safe characters, else in single quotes.
private func shellQuoted(_ path: String) -> String {
  let safe = path.unicodeScalars.allSatisfy {
    ($0.properties.isAlphabetic || $0.properties.numericType != nil || "/._-+,:@%".unicodeScalars.contains($0))
  }
  return safe && !path.isEmpty ? path : "'" + path.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
