import CICUShim

/// One compiled ICU transform: an ID (`Russian-Latin/BGN`, a compound like
/// `Any-Latin; Latin-ASCII`) or rule text (ICU transform rule syntax).
///
/// Not thread-safe: use one instance per thread. Apply it line by line or
/// paragraph by paragraph: ICU is super-linear on one huge buffer.
public final class ICUTransform {
  private let handle: OpaquePointer
  private var buffer: [UInt16] = []

  /// Opens a transform by ICU ID.
  public init(id: String, reverse: Bool = false) throws {
    var line: Int32 = -1
    var offset: Int32 = -1
    var status: Int32 = 0
    let idU = Array(id.utf16)
    let h = tmicu_trans_open(idU, Int32(idU.count), nil, 0, reverse ? 1 : 0, &line, &offset, &status)
    guard let h, !ICU.failed(status) else {
      throw TMError(
        .icu, "ICU does not know the transform ID '\(id)'\(reverse ? " in reverse" : "") (\(ICU.errorName(status)))",
        hint: "`transliterate --list` shows the IDs and named schemes")
    }
    handle = h
  }

  /// Compiles ICU transform rules. `name` is for messages (a file name).
  public init(rules: String, name: String, reverse: Bool = false) throws {
    var line: Int32 = -1
    var offset: Int32 = -1
    var status: Int32 = 0
    let idU = Array("Rules-\(name.isEmpty ? "inline" : "file")".utf16)
    let rulesU = Array(rules.utf16)
    let h = rulesU.withUnsafeBufferPointer { rp in
      tmicu_trans_open(idU, Int32(idU.count), rp.baseAddress ?? UnsafePointer(bitPattern: 1), Int32(rp.count),
                       reverse ? 1 : 0, &line, &offset, &status)
    }
    guard let h, !ICU.failed(status) else {
      // ICU's UParseError line is 0-based in the rule text (by rule, not
      // always by physical line); report a 1-based line and the offset.
      var where_ = ""
      if line >= 0 { where_ = " at rule line \(line + 1)" }
      if offset >= 0 { where_ += ", offset \(offset)" }
      throw TMError(
        .icu, "ICU rejected the transform rules\(where_): \(ICU.errorName(status))", file: name,
        line: line >= 0 ? Int(line) + 1 : nil,
        hint: "check the rule syntax (https://unicode-org.github.io/icu/userguide/transforms/general/rules.html)")
    }
    handle = h
  }

  deinit { tmicu_trans_close(handle) }

  /// The ICU ID of this transform.
  public var id: String {
    var buf = [UInt16](repeating: 0, count: 256)
    let n = Int(tmicu_trans_id(handle, &buf, Int32(buf.count)))
    return String(decoding: buf.prefix(min(n, buf.count)), as: UTF16.self)
  }

  /// Applies the transform to `text`.
  public func apply(_ text: String) -> String {
    if text.isEmpty { return text }
    let n = text.utf16.count
    var cap = max(n * 3 + 16, buffer.count)
    for _ in 0..<4 {
      if buffer.count < cap { buffer = [UInt16](repeating: 0, count: cap) }
      var len = Int32(0)
      var status: Int32 = 0
      buffer.withUnsafeMutableBufferPointer { bp in
        var i = 0
        for u in text.utf16 { bp[i] = u; i += 1 }
        len = Int32(n)
        tmicu_trans_apply(handle, bp.baseAddress!, &len, Int32(bp.count), &status)
      }
      if status == TMICU_BUFFER_OVERFLOW {
        cap *= 2
        continue
      }
      if ICU.failed(status) { return text }
      return buffer.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[0..<Int(len)]), as: UTF16.self) }
    }
    return text
  }

  /// Every transform ID the system ICU offers, sorted.
  public static func availableIDs() -> [String] {
    let joined = ICU.mapUTF16([0], expansion: 1) { _, _, d, c, status in
      tmicu_trans_ids(d, c, &status)
    }
    return joined.split(separator: "\n").map(String.init).sorted()
  }
}
