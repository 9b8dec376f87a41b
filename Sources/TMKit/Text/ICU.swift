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
    let src = Array(s.utf16)
    return mapUTF16(src, expansion: expansion, call)
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
      if failed(status) { return String(decoding: src, as: UTF16.self) }
      return String(decoding: out, as: UTF16.self)
    }
    return String(decoding: src, as: UTF16.self)
  }
}
