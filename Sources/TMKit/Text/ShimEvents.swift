/// A reader of the event buffers the C shims write (`tmhtml_parse`,
/// `tmxml_parse` in CHTMLShim/include/htmlshim.h): little-endian integers
/// and strings as `len:u32 bytes` (UTF-8). Every read is bounds-checked and
/// returns nil past the end.
struct ShimEvents {
  let base: UnsafePointer<UInt8>
  let count: Int
  private(set) var at = 0

  init(_ base: UnsafePointer<UInt8>, count: Int) {
    self.base = base
    self.count = count
  }

  var atEnd: Bool { at >= count }

  mutating func u8() -> UInt8? {
    guard at < count else { return nil }
    defer { at += 1 }
    return base[at]
  }

  private mutating func bytes(_ n: Int) -> UInt64? {
    guard n <= count - at else { return nil }
    var v: UInt64 = 0
    for k in 0..<n { v |= UInt64(base[at + k]) << (8 * UInt64(k)) }
    at += n
    return v
  }

  mutating func u32() -> Int? { bytes(4).map { Int($0) } }
  mutating func i32() -> Int? { bytes(4).map { Int(Int32(truncatingIfNeeded: $0)) } }
  mutating func i64() -> Int? { bytes(8).map { Int(Int64(bitPattern: $0)) } }

  mutating func string() -> String? {
    guard let l = u32(), l <= count - at else { return nil }
    defer { at += l }
    return String(decoding: UnsafeBufferPointer(start: base + at, count: l), as: UTF8.self)
  }
}
