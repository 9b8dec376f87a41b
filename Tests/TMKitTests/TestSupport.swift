// SeededRandom and the executable runner come from the shared TestSupport target.
@_exported import TestSupport

/// Splits a document into paragraphs: a plain reference for the tests
/// (the segmenter has its own, streaming, paragraph logic).
enum Paragraphs {
  /// Paragraphs of `text` with their UTF-8 byte ranges: separated by one or
  /// more blank lines, or, with `lines`, one per non-empty line. CRLF counts
  /// as a line break.
  static func split(_ text: String, lines: Bool) -> [(Range<Int>, Substring)] {
    var out: [(Range<Int>, Substring)] = []
    let u8 = text.utf8
    var lineStart = u8.startIndex
    var paraStart: String.Index? = nil
    var paraEnd = u8.startIndex
    var offset = 0
    var paraStartOffset = 0
    var paraEndOffset = 0
    func flush() {
      if let s = paraStart {
        out.append((paraStartOffset..<paraEndOffset, text[s..<paraEnd]))
      }
      paraStart = nil
    }
    var i = u8.startIndex
    var lineStartOffset = 0
    while true {
      let atEnd = i == u8.endIndex
      if atEnd || u8[i] == 0x0A {
        var lineEnd = i
        var lineEndOffset = offset
        if lineEnd > lineStart && u8[u8.index(before: lineEnd)] == 0x0D {
          lineEnd = u8.index(before: lineEnd)
          lineEndOffset -= 1
        }
        let line = text[lineStart..<lineEnd]
        let blank = line.allSatisfy { $0.isWhitespace }
        if blank || lines { flush() }
        if !blank {
          if paraStart == nil {
            paraStart = lineStart
            paraStartOffset = lineStartOffset
          }
          paraEnd = lineEnd
          paraEndOffset = lineEndOffset
          if lines { flush() }
        }
        if atEnd { break }
        i = u8.index(after: i)
        offset += 1
        lineStart = i
        lineStartOffset = offset
        continue
      }
      i = u8.index(after: i)
      offset += 1
    }
    flush()
    return out
  }
}

