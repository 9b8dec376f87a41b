import CICUShim

/// Internal plumbing for calling the C shim with UTF-16 buffers.
///
/// The only place besides the other `Text/` files that touches `CICUShim`.
enum ICU {
  static var version: String { String(cString: tmicu_version()) }

  static func errorName(_ status: Int32) -> String { String(cString: tmicu_error_name(status)) }

  static func failed(_ status: Int32) -> Bool { status > 0 }

  /// Runs an ICU "preflighting" function over `s`'s UTF-16 and returns the
  /// result as a String, growing the buffer once when ICU asks for more.
  static func mapUTF16(
    _ s: String, expansion: Int = 2,
    _ call: (UnsafePointer<UInt16>, Int32, UnsafeMutablePointer<UInt16>, Int32, inout Int32) -> Int32
  ) -> String {
    return mapUTF16(utf16(s), expansion: expansion, call)
  }

  /// The UTF-16 code units of `s`, converted by ICU (several times faster
  /// than iterating `s.utf16`, which decodes scalar by scalar).
  static func utf16(_ s: String) -> [UInt16] {
    var s = s
    let out = s.withUTF8 { u8 -> [UInt16] in
      guard let base = u8.baseAddress, !u8.isEmpty else { return [] }
      // UTF-16 never needs more code units than UTF-8 has bytes.
      return [UInt16](unsafeUninitializedCapacity: u8.count) { buf, n in
        var status: Int32 = 0
        let produced = base.withMemoryRebound(to: CChar.self, capacity: u8.count) {
          tmicu_utf8_to_utf16($0, Int32(u8.count), buf.baseAddress!, Int32(buf.count), &status)
        }
        n = failed(status) ? 0 : min(Int(produced), buf.count)
      }
    }
    if out.isEmpty && !s.isEmpty { return Array(s.utf16) }
    return out
  }

  /// A String from UTF-16 code units, converted by ICU (lone surrogates
  /// become U+FFFD, as `String(decoding:as:)` does).
  static func string(utf16 p: UnsafeBufferPointer<UInt16>) -> String {
    guard let base = p.baseAddress, !p.isEmpty else { return "" }
    let cap = p.count * 3
    let s = String(unsafeUninitializedCapacity: cap) { buf in
      var status: Int32 = 0
      let n = buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: cap) {
        tmicu_utf16_to_utf8(base, Int32(p.count), $0, Int32(cap), &status)
      }
      return failed(status) ? 0 : min(Int(n), cap)
    }
    if s.isEmpty { return String(decoding: p, as: UTF16.self) }
    return s
  }

  static func mapUTF16(
    _ src: [UInt16], expansion: Int = 2,
    _ call: (UnsafePointer<UInt16>, Int32, UnsafeMutablePointer<UInt16>, Int32, inout Int32) -> Int32
  ) -> String {
    if src.isEmpty { return "" }
    var cap = src.count * expansion + 16
    for _ in 0..<2 {
      var status: Int32 = 0
      var produced: Int32 = 0
      let out = [UInt16](unsafeUninitializedCapacity: cap) { buf, initialized in
        produced = src.withUnsafeBufferPointer { sp in
          call(sp.baseAddress!, Int32(sp.count), buf.baseAddress!, Int32(cap), &status)
        }
        initialized = status == TMICU_BUFFER_OVERFLOW || failed(status) ? 0 : Int(produced)
      }
      if status == TMICU_BUFFER_OVERFLOW {
        cap = Int(produced) + 16
        continue
      }
      if failed(status) { return src.withUnsafeBufferPointer { string(utf16: $0) } }
      return out.withUnsafeBufferPointer { string(utf16: $0) }
    }
    return src.withUnsafeBufferPointer { string(utf16: $0) }
  }
}
