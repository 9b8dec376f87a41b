import CICUShim
import Foundation

/// Turns the bytes of a file into text.
///
/// UTF-8 (with or without BOM) and UTF-16 with a BOM are recognised;
/// anything else must be named (`cp1251`, `koi8-r`, `cp1254`, or any ICU
/// converter name). Invalid UTF-8 is an error naming the file, line and byte
/// offset: nothing is silently replaced. Line endings are left as they are;
/// readers accept LF and CRLF.
public enum TextDecoder {
  /// Decodes `bytes`. `source` names the file in messages (`-` for stdin).
  public static func decode(_ bytes: [UInt8], encoding: String? = nil, source: String) throws -> String {
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
  public static func read(path: String, encoding: String? = nil) throws -> String {
    try decode(readBytes(path: path), encoding: encoding, source: path)
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
