import CICUShim

/// One compiled ICU transform: an ID (`Russian-Latin/BGN`, a compound like
/// `Any-Latin; Latin-ASCII`) or rule text (ICU transform rule syntax).
///
/// Not thread-safe: use one instance per thread. Apply it line by line or
/// paragraph by paragraph: ICU is super-linear on one huge buffer.
public final class ICUTransform {
  let handle: OpaquePointer
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
      // ICU 72 reports transform-rule errors with line 0 and `offset` = the
      // UTF-16 offset in the whole rule text: turn that into a 1-based line
      // and column, and quote the line.
      var lineNo: Int? = nil
      var where_ = ""
      if offset >= 0 {
        let loc = ICUTransform.locate(utf16Offset: Int(offset), in: rulesU)
        lineNo = loc.line
        where_ = " at line \(loc.line), column \(loc.column) (offset \(offset))"
        if !loc.text.isEmpty { where_ += ": `\(loc.text)`" }
      } else if line > 0 {
        lineNo = Int(line)
        where_ = " at line \(line)"
      }
      throw TMError(
        .icu, "ICU rejected the transform rules\(where_): \(ICU.errorName(status))", file: name,
        line: lineNo,
        hint: "check the rule syntax (https://unicode-org.github.io/icu/userguide/transforms/general/rules.html)")
    }
    handle = h
  }

  deinit { tmicu_trans_close(handle) }

  /// 1-based line and column of a UTF-16 offset in rule text, and that line.
  static func locate(utf16Offset: Int, in text: [UInt16]) -> (line: Int, column: Int, text: String) {
    let off = min(max(0, utf16Offset), text.count)
    var line = 1
    var lineStart = 0
    for i in 0..<off where text[i] == 0x0A {
      line += 1
      lineStart = i + 1
    }
    var lineEnd = lineStart
    while lineEnd < text.count && text[lineEnd] != 0x0A && text[lineEnd] != 0x0D { lineEnd += 1 }
    let column = String(decoding: text[lineStart..<off], as: UTF16.self).count + 1
    let quoted = String(decoding: text[lineStart..<lineEnd], as: UTF16.self)
    return (line, column, quoted.count > 120 ? String(quoted.prefix(120)) + "…" : quoted)
  }

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
