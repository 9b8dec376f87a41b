/// A sentence found in a document.
public struct Sentence: Sendable, Hashable {
  /// The sentence, trimmed of surrounding whitespace (inner text as is).
  public var text: String
  /// 0-based index of the paragraph it belongs to.
  public var paragraph: Int
  /// UTF-8 byte offsets of `text` in the segmented input.
  public var utf8Range: Range<Int>

  public init(text: String, paragraph: Int, utf8Range: Range<Int>) {
    self.text = text
    self.paragraph = paragraph
    self.utf8Range = utf8Range
  }
}

/// Splits text into sentences for a language.
///
/// ICU's sentence break is the base (`@ss=standard` where ICU has data);
/// paragraph breaks (a blank line, or every line break with `lines: true`)
/// are always boundaries.
///
/// INTERFACE CONTRACT: `init(language:)` and `segment(_:lines:)` are what the
/// rest of the library uses; the segmentation work refines the rules behind
/// them (abbreviation no-break layer, initials, quotes, headings).
public final class SentenceSegmenter {
  public let language: Language
  private let iterator: BreakIterator

  public init(language: Language) throws {
    self.language = language
    iterator = try BreakIterator(.sentence, locale: language.icuLocale + "@ss=standard")
  }

  /// All sentences of `text`, paragraph by paragraph.
  public func segment(_ text: String, lines: Bool = false) -> [Sentence] {
    var out: [Sentence] = []
    var paragraph = 0
    for (range, para) in Paragraphs.split(text, lines: lines) {
      var found = false
      let u8 = para.utf8
      iterator.forEachPiece(in: String(para)) { start, end, _ in
        let lo = u8.index(u8.startIndex, offsetBy: start)
        let hi = u8.index(u8.startIndex, offsetBy: end)
        let piece = para[lo..<hi]
        guard let trimmed = piece.trimmedRange() else { return }
        let t0 = range.lowerBound + start + piece.utf8.distance(from: piece.startIndex, to: trimmed.lowerBound)
        let t = piece[trimmed]
        out.append(Sentence(text: String(t), paragraph: paragraph, utf8Range: t0..<(t0 + t.utf8.count)))
        found = true
      }
      if found { paragraph += 1 }
    }
    return out
  }
}

/// Splits a document into paragraphs.
public enum Paragraphs {
  /// Paragraphs of `text` with their UTF-8 byte ranges: separated by one or
  /// more blank lines, or, with `lines`, one per non-empty line. CRLF counts
  /// as a line break.
  public static func split(_ text: String, lines: Bool) -> [(Range<Int>, Substring)] {
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

extension Substring {
  /// The range without leading and trailing whitespace, or nil when blank.
  func trimmedRange() -> Range<String.Index>? {
    guard let first = firstIndex(where: { !$0.isWhitespace }),
      let last = lastIndex(where: { !$0.isWhitespace })
    else { return nil }
    return first..<index(after: last)
  }
}
