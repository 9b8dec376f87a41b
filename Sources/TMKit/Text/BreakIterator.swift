import CICUShim
import Foundation

/// ICU break iteration over UTF-8 text, yielding UTF-8 byte offsets.
///
/// Uses `utext_openUTF8`, so no UTF-16 copy of the text is made.
final class BreakIterator {
  enum Kind: Int32 {
    case character = 0, word = 1, line = 2, sentence = 3
  }

  private let handle: OpaquePointer

  init(_ kind: Kind, locale: String) throws {
    var status: Int32 = 0
    guard let h = tmicu_break_open(kind.rawValue, locale, &status), !ICU.failed(status) else {
      throw TMError(.icu, "ICU could not open a \(kind) break iterator for '\(locale)' (\(ICU.errorName(status)))")
    }
    handle = h
  }

  deinit { tmicu_break_close(handle) }

  /// Calls `body(start, end, ruleStatus)` for each piece of `text`, with
  /// byte offsets into `text.utf8`.
  func forEachPiece(in text: String, _ body: (Int, Int, Int32) -> Void) {
    var copy = text
    copy.withUTF8 { u8 in
      guard let base = u8.baseAddress, u8.count > 0 else { return }
      var status: Int32 = 0
      base.withMemoryRebound(to: CChar.self, capacity: u8.count) { p in
        tmicu_break_set_utf8(handle, p, Int64(u8.count), &status)
      }
      if ICU.failed(status) { body(0, u8.count, 0); return }
      var start = Int(tmicu_break_first(handle))
      while true {
        let end = Int(tmicu_break_next(handle))
        if end < 0 { break }
        body(start, end, tmicu_break_rule_status(handle))
        start = end
      }
    }
  }

  /// Calls `body(start, end, ruleStatus)` for each piece of the UTF-8 text
  /// `base[0..<count]` (what `forEachPiece(in:_:)` gives for the same bytes).
  /// The text must stay valid during the call; no copy is made.
  @inline(__always)
  func forEachPiece(utf8 base: UnsafePointer<UInt8>, count: Int, _ body: (Int, Int, Int32) -> Void) {
    guard count > 0 else { return }
    var status: Int32 = 0
    base.withMemoryRebound(to: CChar.self, capacity: count) { p in
      tmicu_break_set_utf8(handle, p, Int64(count), &status)
    }
    if ICU.failed(status) { body(0, count, 0); return }
    var start = Int(tmicu_break_first(handle))
    while true {
      let end = Int(tmicu_break_next(handle))
      if end < 0 { break }
      body(start, end, tmicu_break_rule_status(handle))
      start = end
    }
  }

  /// Calls `body(boundary)` for each boundary after the start of the UTF-8
  /// text `base[0..<count]` (the last one is `count`). The text must stay
  /// valid during the call; no copy is made.
  func forEachBoundary(utf8 base: UnsafePointer<UInt8>, count: Int, _ body: (Int) -> Void) {
    guard count > 0 else { return }
    var status: Int32 = 0
    base.withMemoryRebound(to: CChar.self, capacity: count) { p in
      tmicu_break_set_utf8(handle, p, Int64(count), &status)
    }
    if ICU.failed(status) { body(count); return }
    _ = tmicu_break_first(handle)
    while true {
      let b = Int(tmicu_break_next(handle))
      if b < 0 { break }
      body(b)
    }
  }

  /// Like `forEachBoundary(utf8:count:_:)`, faster: ICU iterates a UTF-16
  /// copy of 32 KB chunks of the text, each ending at a line feed (sentence
  /// and line rules never look across one, so the result is the same as one
  /// pass over the whole text; for a line of more than 32 KB the chunk is the
  /// whole line). Memory stays bounded by the chunk size.
  func forEachBoundaryInChunks(utf8 base: UnsafePointer<UInt8>, count: Int, _ body: (Int) -> Void) {
    var start = 0
    let chunk = 1 << 15
    var out: [Int32] = []
    while start < count {
      var end = min(count, start + chunk)
      if end < count {
        if let nl = memchr(base + end, 0x0A, count - end) {
          end = base.distance(to: nl.assumingMemoryBound(to: UInt8.self)) + 1
        } else {
          end = count
        }
      }
      let len = end - start
      if len >= Int(Int32.max) {  // ICU's offsets are 32-bit: the slow path
        forEachBoundary(utf8: base + start, count: len) { body(start + $0) }
        start = end
        continue
      }
      if out.count < len + 1 { out = [Int32](repeating: 0, count: len + 1) }
      var status: Int32 = 0
      let n = out.withUnsafeMutableBufferPointer { o in
        (base + start).withMemoryRebound(to: CChar.self, capacity: len) { p in
          tmicu_break_utf8_offsets(handle, p, Int32(len), o.baseAddress, &status)
        }
      }
      if n < 0 || ICU.failed(status) {
        body(end)
      } else {
        for k in 0..<Int(n) { body(start + Int(out[k])) }
      }
      start = end
    }
  }
}
