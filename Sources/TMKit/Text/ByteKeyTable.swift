/// A read-only hash table from UTF-8 byte strings to small values, looked up
/// straight from a byte buffer: no `String` is created and no Unicode
/// normalisation is done when hashing (the keys are stored NFC, as written).
/// The segmenter's hot path uses it for abbreviations, starters and headings.
struct ByteKeyTable<Value> {
  private var slots: [Int32]  // index into `keys`, or -1
  private var keyStart: [Int] = []
  private var keyLength: [Int] = []
  private var values: [Value] = []
  private var pool: [UInt8] = []
  private let mask: Int
  /// The longest key, in bytes.
  private(set) var maxLength = 0

  init<S: Sequence>(_ pairs: S) where S.Element == (String, Value) {
    let items = Array(pairs)
    var size = 16
    while size < items.count * 2 + 1 { size <<= 1 }
    slots = Array(repeating: -1, count: size)
    mask = size - 1
    for (key, value) in items {
      let bytes = Array(key.utf8)
      let h = ByteKeyTable.hash(bytes.withUnsafeBufferPointer { $0 })
      var i = Int(truncatingIfNeeded: h) & mask
      while slots[i] >= 0 { i = (i + 1) & mask }
      slots[i] = Int32(values.count)
      keyStart.append(pool.count)
      keyLength.append(bytes.count)
      pool.append(contentsOf: bytes)
      values.append(value)
      maxLength = max(maxLength, bytes.count)
    }
  }

  @inline(__always)
  static func hash(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for x in b {
      h = (h ^ UInt64(x)) &* 0x0000_0100_0000_01B3
    }
    return h ^ (h >> 29)
  }

  /// The value for the bytes `b`, if they are a key.
  @inline(__always)
  func value(for b: UnsafeBufferPointer<UInt8>) -> Value? {
    if b.count == 0 || b.count > maxLength { return nil }
    var i = Int(truncatingIfNeeded: ByteKeyTable.hash(b)) & mask
    while true {
      let s = Int(slots[i])
      if s < 0 { return nil }
      if keyLength[s] == b.count {
        let start = keyStart[s]
        var equal = true
        var j = 0
        while j < b.count {
          if pool[start + j] != b[j] {
            equal = false
            break
          }
          j += 1
        }
        if equal { return values[s] }
      }
      i = (i + 1) & mask
    }
  }

  /// Whether `p[s..<e]` is a key.
  @inline(__always)
  func contains(_ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
    value(for: UnsafeBufferPointer(start: p + s, count: e - s)) != nil
  }
}
