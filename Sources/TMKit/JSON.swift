/// JSON for the `jsonl` outputs (segment, align, lookup) and the results
/// of the workflows.
public enum JSON {
  /// A value as one line of JSON, in the shape its `Codable` conformance
  /// gives (the shapes are listed in Documentation/Library.md): keys in the
  /// order the type encodes them, `/` unescaped, UTF-8 as it is.
  public static func line<T: Encodable>(_ value: T) -> String {
    guard let bytes = try? JSONLineEncoder().encode(value) else { return "null" }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// `s` as a JSON string literal: quotes, backslashes and control
  /// characters escaped, everything else as it is (UTF-8).
  public static func string(_ s: String) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(s.utf8.count + 2)
    var copy = s
    copy.withUTF8 { appendString(&out, $0) }
    return String(decoding: out, as: UTF8.self)
  }

  /// Appends the UTF-8 text as a JSON string literal to `out`.
  public static func appendString(_ out: inout [UInt8], _ s: UnsafeBufferPointer<UInt8>) {
    let hex: [UInt8] = Array("0123456789abcdef".utf8)
    out.append(0x22)
    for b in s {
      switch b {
      case 0x22: out.append(contentsOf: [0x5C, 0x22])
      case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
      case 0x0A: out.append(contentsOf: [0x5C, 0x6E])
      case 0x0D: out.append(contentsOf: [0x5C, 0x72])
      case 0x09: out.append(contentsOf: [0x5C, 0x74])
      case 0..<0x20, 0x7F:
        out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]])
      default: out.append(b)
      }
    }
    out.append(0x22)
  }
}
