/// Reading a document into segments for the aligner.
public enum AlignDocument {
  /// The segments of `text`.
  ///
  /// - Running text (`segmented: false`): sentences from `SentenceSegmenter`;
  ///   a blank line separates paragraphs (or, in a text without any blank
  ///   line, a line break); ids are sentence indices.
  /// - `segmented: true` (the hunalign convention): one segment per line;
  ///   ids are 0-based line numbers. Blank lines and lines holding only `<p>`
  ///   are paragraph breaks, not segments. When a file has neither, every
  ///   line counts as its own paragraph (which tells the aligner nothing).
  public static func segments(_ text: String, language: Language, segmented: Bool) throws -> [AlignSegment] {
    if segmented {
      var out: [AlignSegment] = []
      var lineNo = 0
      var breakPending = true
      var sawBreak = false
      for raw in text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false) {
        defer { lineNo += 1 }
        var line = Substring(raw)
        if line.utf8.last == 0x0D { line = line.dropLast() }
        let trimmed = line.trimmingSpaces()
        if trimmed.isEmpty || trimmed == "<p>" || trimmed == "<P>" {
          breakPending = true
          if !out.isEmpty { sawBreak = true }
          continue
        }
        out.append(AlignSegment(text: String(line).nfc, id: lineNo, startsParagraph: breakPending))
        breakPending = false
      }
      if !sawBreak {
        for k in out.indices { out[k].startsParagraph = true }
      }
      return out
    }
    // Plain-text exports often write one paragraph per line with no blank
    // line anywhere: then each line is a paragraph.
    let lines = !hasBlankLine(text)
    // With blank lines between paragraphs, a line break inside a paragraph
    // is usually a hard wrap.
    let sentences = try SentenceSegmenter(language: language).segment(lines ? text : unwrap(text), lines: lines)
    var out: [AlignSegment] = []
    out.reserveCapacity(sentences.count)
    var lastParagraph = -1
    for (k, s) in sentences.enumerated() {
      out.append(AlignSegment(text: s.text.nfc, id: k, startsParagraph: s.paragraph != lastParagraph))
      lastParagraph = s.paragraph
    }
    return out
  }

  /// Running text without its hard wraps: a line break inside a sentence
  /// (the line before does not end a sentence or clause, and the next line
  /// starts with a lower-case letter) becomes a space. ICU's sentence rules
  /// break at every line break; headings and short lines keep theirs.
  static func unwrap(_ text: String) -> String {
    guard text.utf8.contains(0x0A) else { return text }
    let enders: Set<Character> = [".", "!", "?", ":", ";", "»", "\"", "”", ")", "…"]
    var out = ""
    out.reserveCapacity(text.utf8.count)
    var lastNonSpace: Character? = nil
    var pendingBreak = ""  // the line break and spaces around it, held back
    var blank = false
    for c in text {
      if !pendingBreak.isEmpty {
        if c.isWhitespace {
          // More spaces, or a second line break: a blank line, which is a
          // paragraph break and never joined.
          pendingBreak.append(c)
          if c.isNewline { blank = true }
          continue
        }
        let join = !blank && c.isLowercase && lastNonSpace.map { !enders.contains($0) } == true
        out += join ? " " : pendingBreak
        pendingBreak = ""
        blank = false
      }
      if c.isNewline {
        // Trailing spaces on the line go with the break.
        while let l = out.last, l.isWhitespace, !l.isNewline { out.removeLast() }
        pendingBreak = String(c)
        continue
      }
      out.append(c)
      if !c.isWhitespace { lastNonSpace = c }
    }
    return out + pendingBreak
  }

  /// Does the text contain a line that is empty or only spaces (between
  /// other lines)?
  static func hasBlankLine(_ text: String) -> Bool {
    var sawText = false
    var blankPending = false
    var lineHasText = false
    for b in text.utf8 {
      if b == 0x0A {
        if lineHasText {
          if blankPending { return true }
          sawText = true
        } else if sawText {
          blankPending = true
        }
        lineHasText = false
      } else if b != 0x20 && b != 0x09 && b != 0x0D {
        lineHasText = true
      }
    }
    return lineHasText && blankPending
  }
}

extension Substring {
  func trimmingSpaces() -> Substring {
    guard let first = firstIndex(where: { !$0.isWhitespace }),
      let last = lastIndex(where: { !$0.isWhitespace })
    else { return "" }
    return self[first...last]
  }
}

/// Guesses which of our languages a text is in, from its script and the
/// letters only one language uses: ə ğ ı ş ç ö ü (az Latin); ә ҹ ҝ һ ј ө ү ғ
/// (az Cyrillic); ы э ъ щ (Russian).
public enum DocumentLanguageGuess {
  public struct Result: Sendable, Equatable {
    public var language: Language
    /// Why: which letters decided it, for the message on stderr.
    public var reason: String
  }

  public static func guess(_ text: String, sample: Int = 200_000) -> Result? {
    var latin = 0
    var cyrillic = 0
    var az = 0
    var azCyrl = 0
    var ru = 0
    var seen = 0
    for u in text.unicodeScalars {
      seen += 1
      if seen > sample { break }
      let v = u.value
      guard u.properties.isAlphabetic else { continue }
      if (0x41...0x5A).contains(v) || (0x61...0x7A).contains(v) || (0xC0...0x24F).contains(v) || v == 0x259 || v == 0x18F {
        latin += 1
      } else if (0x400...0x52F).contains(v) {
        cyrillic += 1
      }
      switch u {
      case "ə", "Ə", "ğ", "Ğ", "ı", "ş", "Ş", "ç", "Ç", "ö", "Ö", "ü", "Ü", "İ": az += 1
      case "ә", "Ә", "ҹ", "Ҹ", "ҝ", "Ҝ", "һ", "Һ", "ј", "Ј", "ө", "Ө", "ү", "Ү", "ғ", "Ғ": azCyrl += 1
      case "ы", "Ы", "э", "Э", "ъ", "Ъ", "щ", "Щ": ru += 1
      default: break
      }
    }
    if latin + cyrillic == 0 { return nil }
    if cyrillic > latin {
      if azCyrl > 0 && azCyrl * 4 >= ru {
        return Result(language: .azCyrl, reason: "Cyrillic with Azerbaijani letters (ә ҹ ҝ һ ј …): \(azCyrl)")
      }
      return Result(language: .ru, reason: "Cyrillic" + (ru > 0 ? " with Russian letters (ы э ъ щ): \(ru)" : ""))
    }
    if az * 200 >= latin && az > 0 {
      return Result(language: .az, reason: "Latin with Azerbaijani letters (ə ğ ı ş ç ö ü): \(az)")
    }
    return Result(language: .en, reason: "Latin without Azerbaijani letters")
  }
}
