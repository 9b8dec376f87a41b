import Foundation

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
/// ICU's sentence break (UAX #29, root rules, over the UTF-8 text with no
/// copy) finds the candidate boundaries; a no-break layer then drops those
/// after abbreviations, initials and heading numbers, and those before a
/// lower-case continuation, using the language's `AbbreviationList`
/// (`Resources/abbreviations/<tag>.txt`, extensible by the user). An ellipsis
/// before a capital is added as a boundary. Paragraph breaks (a blank line,
/// or every line break with `lines: true`) are always boundaries; a single
/// line break inside a paragraph is one unless the next line starts in lower
/// case. The rules are documented in `Resources/abbreviations/README.md`.
///
/// Not thread-safe (it owns an ICU iterator): create one per thread.
public final class SentenceSegmenter {
  public let language: Language
  public let abbreviations: AbbreviationList
  let iterator: BreakIterator
  // Scratch storage of the hot path (raw pointers: no exclusivity checks).
  private let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
  private let tokenStart = UnsafeMutablePointer<Int>.allocate(capacity: 16)
  private let tokenEnd = UnsafeMutablePointer<Int>.allocate(capacity: 16)
  private var tokenCount = 0
  /// Every way a listed abbreviation can end in text (`д.` for `т. д.`).
  private let finals: ByteKeyTable<Bool>
  private let entries: ByteKeyTable<AbbreviationList.Kind>
  private let starters: ByteKeyTable<Bool>
  private let continuations: ByteKeyTable<Bool>
  private let headings: ByteKeyTable<Bool>
  private let letterWords: ByteKeyTable<Bool>
  private let determiners: ByteKeyTable<Bool>
  private let maxParts: Int

  /// A segmenter with the package's abbreviation list for `language`.
  public convenience init(language: Language) throws {
    try self.init(language: language, abbreviations: AbbreviationList.bundled(language))
  }

  /// A segmenter with the package's list plus the user's files (same format).
  public convenience init(language: Language, abbreviationFiles: [String], encoding: String? = nil) throws {
    var list = try AbbreviationList.bundled(language)
    for f in abbreviationFiles { try list.add(file: f, encoding: encoding) }
    try self.init(language: language, abbreviations: list)
  }

  /// A segmenter with exactly the given abbreviation data.
  public init(language: Language, abbreviations: AbbreviationList) throws {
    self.language = language
    self.abbreviations = abbreviations
    iterator = try BreakIterator(.sentence, locale: language.icuLocale)
    entries = ByteKeyTable(abbreviations.entries.map { ($0.key, $0.value) })
    starters = ByteKeyTable(abbreviations.starters.map { ($0, true) })
    continuations = ByteKeyTable(abbreviations.continuations.map { ($0, true) })
    headings = ByteKeyTable((abbreviations.headings.union(["§", "№"])).map { ($0, true) })
    letterWords = ByteKeyTable(abbreviations.letterWords.map { ($0, true) })
    determiners = ByteKeyTable(abbreviations.determiners.map { ($0, true) })
    maxParts = abbreviations.maxParts
    var tails: Set<String> = []
    for key in abbreviations.entries.keys {
      // Spaces were removed from the keys, so a part may start anywhere.
      var i = key.unicodeScalars.startIndex
      while i < key.unicodeScalars.endIndex {
        tails.insert(String(key.unicodeScalars[i...]))
        i = key.unicodeScalars.index(after: i)
      }
    }
    finals = ByteKeyTable(tails.map { ($0, true) })
  }

  deinit {
    scratch.deallocate()
    tokenStart.deallocate()
    tokenEnd.deallocate()
  }

  /// All sentences of `text`, paragraph by paragraph.
  public func segment(_ text: String, lines: Bool = false) -> [Sentence] {
    var out: [Sentence] = []
    var copy = text
    copy.withUTF8 { buf in
      forEachSentence(utf8: buf, lines: lines) { range, paragraph in
        let s = String(decoding: UnsafeBufferPointer(rebasing: buf[range]), as: UTF8.self)
        out.append(Sentence(text: s, paragraph: paragraph, utf8Range: range))
      }
    }
    return out
  }

  /// Calls `body(range, paragraph)` for each sentence of the UTF-8 text
  /// `utf8`, in order: `range` is the sentence's byte range (trimmed of
  /// whitespace), `paragraph` the 0-based index of its paragraph. No string
  /// is created, so this is the fast path for large inputs. `utf8` must be
  /// valid UTF-8 (any `String`'s bytes are) and shorter than 2 GB.
  public func forEachSentence(
    utf8 buf: UnsafeBufferPointer<UInt8>, lines: Bool, _ body: (Range<Int>, Int) -> Void
  ) {
    guard let p = buf.baseAddress, buf.count > 0 else { return }
    let n = buf.count
    var paragraph = 0
    var emittedInParagraph = false
    var sentStart = skipSpace(p, 0, n)
    var lastNext = -1
    func emit(_ s: Int, _ e: Int) {
      guard e > s else { return }
      splitExtra(p, s, e, n) { a, b in body(a..<b, paragraph) }
      emittedInParagraph = true
    }
    iterator.forEachBoundaryInChunks(utf8: p, count: n) { b in
      guard b < n, b > sentStart else { return }
      let next = skipSpace(p, b, n)
      if next >= n || next == lastNext { return }
      lastNext = next
      let prevEnd = spaceStart(p, b, sentStart)
      guard prevEnd > sentStart else { return }
      // The whitespace between the two sentences: paragraph break?
      var newlines = 0
      var i = prevEnd
      var paragraphSeparator = false
      while i < next {
        if p[i] == 0x0A { newlines += 1 }
        if p[i] == 0xE2 && i + 2 < n && p[i + 1] == 0x80 && p[i + 2] == 0xA9 { paragraphSeparator = true }
        i += 1
      }
      if paragraphSeparator || newlines >= 2 || (lines && newlines >= 1) {
        emit(sentStart, prevEnd)
        if emittedInParagraph { paragraph += 1 }
        emittedInParagraph = false
        sentStart = next
      } else if shouldBreak(p, n, sentStart: sentStart, prevEnd: prevEnd, next: next, newline: newlines > 0) {
        emit(sentStart, prevEnd)
        sentStart = next
      }
    }
    if sentStart < n {
      let end = spaceStart(p, n, sentStart)
      emit(sentStart, end)
    }
  }

  /// ICU's candidate boundaries alone over `utf8` (no rules applied): the
  /// baseline that `tm segment --benchmark` compares the full segmenter with.
  public func countICUBoundaries(utf8 buf: UnsafeBufferPointer<UInt8>) -> Int {
    guard let p = buf.baseAddress else { return 0 }
    var count = 0
    iterator.forEachBoundaryInChunks(utf8: p, count: buf.count) { _ in count += 1 }
    return count
  }

  // MARK: - The no-break layer

  /// Decides a candidate boundary between `..<prevEnd` and `next...` (both
  /// trimmed) inside a paragraph; `newline` when a line break separates them.
  private func shouldBreak(
    _ p: UnsafePointer<UInt8>, _ n: Int, sentStart: Int, prevEnd: Int, next: Int, newline: Bool
  ) -> Bool {
    // 1. What follows: a list item on a new line starts a segment; a
    // lower-case word or a continuation never does.
    if newline && (isListMarker(p, next, n) || isBullet(p, next, n)) { return true }
    let (c, clen) = scalar(p, next, n)
    if isLower(c) { return false }
    if c == 0x2C || c == 0x3B || c == 0x3A { return false }  // , ; :
    var w = next
    if c == 0x2014 || c == 0x2013 || c == 0x2D {  // — – -
      let after = skipSpace(p, next + clen, n)
      if after < n, isLower(scalar(p, after, n).0) { return false }
      // The word after the dash decides (`сказал он. — «Мы`: see splitExtra).
      if after > next + clen { w = after }
    }
    while w < n {
      let (o, olen) = scalar(p, w, n)
      if !isOpening(o) { break }
      w += olen
    }
    let (first, _) = w < n ? scalar(p, w, n) : (0, 0)
    if isLower(first) { return false }
    let nextIsDigit = isDigit(first)

    // 2. What precedes: only a full stop can be an abbreviation's.
    guard p[prevEnd - 1] == 0x2E else { return true }
    if prevEnd - 2 >= sentStart && p[prevEnd - 2] == 0x2E {  // "..." ends a sentence
      var d = prevEnd - 1
      while d > sentStart && p[d - 1] == 0x2E { d -= 1 }
      return !opensQuotation(p, n, sentStart, d)  // unless it opens one: `«... Огайо`
    }

    // Space-separated tokens before the full stop, last first: the last one,
    // and more only when the last one may end an abbreviation or the
    // sentence is short enough to be a heading.
    tokenCount = 0
    collectTokens(p, sentStart: sentStart, prevEnd: prevEnd, limit: 1)
    guard tokenCount > 0 else { return true }
    let last = (tokenStart[0], tokenEnd[0])
    let stripped = stripOpening(p, n, last.0, last.1)
    let (letterCount, firstLetter, allUpper) = dottedLetters(p, n, stripped, last.1)
    let listed = finals.contains(p, last.0, last.1) || finals.contains(p, stripped, last.1)
    if !listed && letterCount == 0 && prevEnd - sentStart > 64 { return true }
    collectTokens(p, sentStart: sentStart, prevEnd: prevEnd, limit: maxParts + 3)

    // A heading or list number: `1.`, `1.2.`, `II.`, `a.`, `Статья 5.`.
    if !newline && isHeadingMarker(p, n) { return false }

    // The abbreviation list, longest match first; a single capital letter is
    // an initial even when its lower case is listed (`В.` vs `в.` = век).
    let maxK = listed ? min(maxParts, tokenCount) : 0
    if letterCount == 1 {
      // The name of a letter or a grade (`grade A.`, `the letter u.`) may end
      // a sentence; any other single capital is an initial, even when its
      // lower case is listed (`В.` vs `в.` = век), and ends a sentence only
      // before a typical sentence starter that is not itself an initial
      // (`Иванов И. И. В нём …`, never `А. С. Пушкин`).
      if tokenCount >= 2 && isLetterWord(p, n, (tokenStart[1], tokenEnd[1])) { return !nextIsDigit }
      if isUpper(firstLetter) { return isStarter(p, n, w, strict: true) }
    }
    if maxK >= 1 {
      for k in stride(from: maxK, through: 1, by: -1) {
        guard let kind = lookup(p, n, count: k) else { continue }
        if nextIsDigit { return false }
        // Tokens of the sentence before the match (exact up to 2): a unit
        // fragment as short as `В 1918 г.` or `Итого 5 тыс.` is not a sentence.
        let before = tokenCount - k
        switch kind {
        case .nobreak:
          return false
        case .end:
          // Not after an article: `the D.C. Circuit`, `The N.C. Supreme Court`.
          return before >= 1 && !isContinuation(p, n, w) && !isDeterminer(p, n, (tokenStart[k], tokenEnd[k]))
        case .unit:
          return before > 2 && isNumberOrAbbreviation(p, n, (tokenStart[k], tokenEnd[k])) && !isContinuation(p, n, w)
        case .weak:
          return isStarter(p, n, w)
        case .numeric:
          // `11 in.` is a unit; `back in.` is the word, and its full stop ends the sentence.
          if before >= 1 && isNumberOrAbbreviation(p, n, (tokenStart[k], tokenEnd[k])) {
            return before > 2 && !isContinuation(p, n, w)
          }
          return true
        }
      }
    }

    // Initials and single letters.
    if letterCount == 1 {
      if isUpper(firstLetter) { return false }  // (decided above)
      if isLower(firstLetter) {  // `с.`, `p.`: a unit
        if nextIsDigit { return false }
        return tokenCount >= 4 && isNumberOrAbbreviation(p, n, (tokenStart[1], tokenEnd[1]))
      }
    } else if letterCount > 1 && allUpper {
      return isStarter(p, n, w)  // `J.R.R.`, `А.С.`
    }
    return true
  }

  /// Continues collecting the space-separated tokens of `sentStart..<prevEnd`
  /// from its end into `tokenStart`/`tokenEnd`, up to `limit` of them.
  @inline(__always)
  private func collectTokens(_ p: UnsafePointer<UInt8>, sentStart: Int, prevEnd: Int, limit: Int) {
    var e = tokenCount == 0 ? prevEnd : tokenStart[tokenCount - 1]
    if tokenCount > 0 { e = spaceStart(p, e, sentStart) }
    while e > sentStart && tokenCount < limit {
      var s = e
      while s > sentStart {
        let b = p[s - 1]
        if b == 0x20 || (b >= 0x09 && b <= 0x0D) { break }
        // Multi-byte spaces end in one of these bytes; check only then.
        if b >= 0x80, b <= 0x8A || b == 0xA0 || b == 0xA8 || b == 0xA9 || b == 0xAF || b == 0x9F || b == 0x85,
          spaceLengthBefore(p, s, sentStart) > 0
        {
          break
        }
        s -= 1
      }
      tokenStart[tokenCount] = s
      tokenEnd[tokenCount] = e
      tokenCount += 1
      e = spaceStart(p, s, sentStart)
    }
  }

  /// Whether the last `count` tokens (spaces removed, leading quotes and
  /// brackets dropped) are a listed abbreviation.
  private func lookup(_ p: UnsafePointer<UInt8>, _ n: Int, count k: Int) -> AbbreviationList.Kind? {
    var count = 0
    for j in stride(from: k - 1, through: 0, by: -1) {
      var s = tokenStart[j]
      let e = tokenEnd[j]
      if j == k - 1 { s = stripOpening(p, n, s, e) }
      if count + e - s > 250 { return nil }
      while s < e {
        scratch[count] = p[s]
        count += 1
        s += 1
      }
    }
    if count < 2 { return nil }
    return entries.value(for: UnsafeBufferPointer(start: scratch, count: count))
  }

  /// `1.`, `1.2.`, `II.`, `a.` — optionally after a heading word, `§` or `№` —
  /// making up the whole sentence so far.
  private func isHeadingMarker(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    guard tokenCount <= 2, tokenCount > 0 else { return false }
    let s = tokenStart[0]
    let e = tokenEnd[0]
    if tokenCount == 2 {
      if !headings.contains(p, tokenStart[1], tokenEnd[1]) { return false }
    }
    // The marker without its final dot.
    var i = s
    var digits = 0
    var roman = 0
    var letters = 0
    var other = 0
    while i < e - 1 {
      let (c, l) = scalar(p, i, n)
      switch c {
      case 0x30...0x39: digits += 1
      case 0x2E: break
      case 0x49, 0x56, 0x58, 0x4C, 0x43, 0x44, 0x4D: roman += 1  // I V X L C D M
      default:
        if isLetter(c) { letters += 1 } else { other += 1 }
      }
      i += l
    }
    if other > 0 { return false }
    if digits > 0 { return roman == 0 && letters == 0 && digits <= 6 }
    if roman > 0 && letters == 0 { return roman <= 6 }
    return letters + roman == 1
  }

  /// A number (`1918`, `1 000`, `3,5`, `XIX`, `1918-ci`) or an abbreviation.
  private func isNumberOrAbbreviation(_ p: UnsafePointer<UInt8>, _ n: Int, _ token: (Int, Int)) -> Bool {
    let (s0, e) = token
    let s = stripOpening(p, n, s0, e)
    guard s < e else { return false }
    let (c, _) = scalar(p, s, n)
    let lastByte = p[e - 1]
    if isDigit(c) { return lastByte != 0x2C && lastByte != 0x3B && lastByte != 0x3A && lastByte != 0x29 }
    if lastByte == 0x2E { return true }
    var i = s
    while i < e {
      switch p[i] {
      case 0x49, 0x56, 0x58, 0x4C, 0x43, 0x44, 0x4D: i += 1
      default: return false
      }
    }
    return true
  }

  /// Whether the word at `w` is one of the language's continuations.
  private func isContinuation(_ p: UnsafePointer<UInt8>, _ n: Int, _ w: Int) -> Bool {
    var e = w
    while e < n {
      let (c, l) = scalar(p, e, n)
      if !isLetter(c) { break }
      e += l
    }
    return e > w && continuations.contains(p, w, e)
  }

  /// Whether the word at `w` is one of the language's sentence starters.
  /// A digit or a symbol counts as one (ICU's boundary stays) unless
  /// `strict`, which also refuses a one-letter word followed by a full stop
  /// (an initial: `В.` is not the preposition `В`).
  private func isStarter(_ p: UnsafePointer<UInt8>, _ n: Int, _ w: Int, strict: Bool = false) -> Bool {
    var e = w
    var letters = 0
    while e < n {
      let (c, l) = scalar(p, e, n)
      if !isLetter(c) { break }
      e += l
      letters += 1
    }
    guard e > w else { return !strict }  // a digit or a symbol: keep ICU's boundary
    if strict && letters == 1 && e < n && p[e] == 0x2E { return false }
    return starters.contains(p, w, e)
  }

  /// Whether `token` (leading quotes and brackets dropped) is one of the
  /// words that name a letter (`grade`, `letter`, `группу`).
  private func isLetterWord(_ p: UnsafePointer<UInt8>, _ n: Int, _ token: (Int, Int)) -> Bool {
    let s = stripOpening(p, n, token.0, token.1)
    return s < token.1 && letterWords.contains(p, s, token.1)
  }

  /// Whether `token` is an article after which an abbreviation is attributive.
  private func isDeterminer(_ p: UnsafePointer<UInt8>, _ n: Int, _ token: (Int, Int)) -> Bool {
    let s = stripOpening(p, n, token.0, token.1)
    return s < token.1 && determiners.contains(p, s, token.1)
  }

  /// Whether an ellipsis starting at `d` opens a quotation or a segment
  /// (`«... Огайо`, `"... Ohio`, a line that starts with `...`): it marks
  /// words left out, not the end of a sentence.
  private func opensQuotation(_ p: UnsafePointer<UInt8>, _ n: Int, _ sentStart: Int, _ d: Int) -> Bool {
    if d <= sentStart { return true }
    var s = d - 1
    while s > sentStart && p[s] & 0xC0 == 0x80 { s -= 1 }
    let (c, _) = scalar(p, s, n)
    guard isOpening(c) else { return false }
    if c != 0x22 && c != 0x27 { return true }  // « „ “ ‘ ( [ {
    // `"` and `'` open when a space, a colon or the segment's start is before them.
    if s <= sentStart { return true }
    let b = p[s - 1]
    return b == 0x20 || b == 0x3A || (b >= 0x09 && b <= 0x0D) || spaceLengthBefore(p, s, sentStart) > 0
  }

  /// For a token made only of `letter.` pairs (`А.`, `J.R.R.`): how many
  /// letters, the first one, and whether all are capitals; (0, 0, false) otherwise.
  private func dottedLetters(_ p: UnsafePointer<UInt8>, _ n: Int, _ s: Int, _ e: Int) -> (Int, UInt32, Bool) {
    var count = 0
    var first: UInt32 = 0
    var allUpper = true
    var i = s
    while i < e {
      let (c, l) = scalar(p, i, n)
      guard isLetter(c), i + l < e, p[i + l] == 0x2E else { return (0, 0, false) }
      if count == 0 { first = c }
      if !isUpper(c) { allUpper = false }
      count += 1
      i += l + 1
    }
    return (count, first, allUpper)
  }

  // MARK: - Boundaries ICU does not propose

  /// Calls `body` with the pieces of `s..<e` split where ICU proposes no
  /// boundary but one is due: after a full stop before a number that starts
  /// a sentence (`… yaşadı. 1920-ci ildə …`, `… said. 15 people …`), before
  /// a list item (`… olunur. a) …`) or before a dash that opens more direct
  /// speech (`— сказал он. — «Мы …`, `– deyə o bildirib. – «Mübarizə`; UAX #29
  /// never breaks before a dash after a full stop), and after an ellipsis `…`
  /// before a capitalised word.
  private func splitExtra(
    _ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int, _ n: Int, _ body: (Int, Int) -> Void
  ) {
    var start = s
    var i = s
    while i < e {
      guard let hit = memchr(p + i, 0x2E, e - i) else { break }
      let j = p.distance(to: hit.assumingMemoryBound(to: UInt8.self))
      i = j + 1
      guard j > start, j + 1 < e, spaceLength(p, j + 1, e) > 0 else { continue }
      let next = skipSpace(p, j + 1, e)
      guard next < e else { continue }
      let (c, clen) = scalar(p, next, n)
      let list = isListMarker(p, next, e)
      let dash = (c == 0x2014 || c == 0x2013) && next + clen < e && spaceLength(p, next + clen, e) > 0
      guard list || dash || isDigit(c) else { continue }
      if dash {
        let after = skipSpace(p, next + clen, e)
        let w = stripOpening(p, n, after, e)
        guard w < e, isUpper(scalar(p, w, n).0),
          shouldBreak(p, n, sentStart: start, prevEnd: j + 1, next: next, newline: false)
        else { continue }
      } else if !list {
        // Only after a word (`yaşadı.`, `3,6%.`), never after a number or an abbreviation.
        let before = p[j - 1]
        if before >= 0x30 && before <= 0x39 { continue }
        if !shouldBreak(p, n, sentStart: start, prevEnd: j + 1, next: next, newline: false) { continue }
      }
      splitAtEllipses(p, start, j + 1, n, body)
      start = next
      i = next
    }
    splitAtEllipses(p, start, e, n, body)
  }

  /// Calls `body` with the pieces of `s..<e` split after each `…` that is
  /// followed by a space and a capitalised word.
  private func splitAtEllipses(
    _ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int, _ n: Int, _ body: (Int, Int) -> Void
  ) {
    var start = s
    var i = s
    while i < e {
      guard let hit = memchr(p + i, 0xE2, e - i) else { break }
      let j = p.distance(to: hit.assumingMemoryBound(to: UInt8.self))
      i = j + 1
      guard j + 2 < e, p[j + 1] == 0x80, p[j + 2] == 0xA6 else { continue }
      if opensQuotation(p, n, start, j) { continue }  // `«… Огайо`
      var after = j + 3
      while after < e {  // closing quotes and brackets stay with the sentence
        let (c, l) = scalar(p, after, n)
        if !isClosing(c) { break }
        after += l
      }
      let next = skipSpace(p, after, e)
      guard next > after, next < e, after > start else { continue }
      var w = next
      while w < e {
        let (c, l) = scalar(p, w, n)
        if !isOpening(c) { break }
        w += l
      }
      guard w < e, isUpper(scalar(p, w, n).0) else { continue }
      body(start, after)
      start = next
      i = next
    }
    body(start, e)
  }
}

// MARK: - UTF-8 helpers (the input is valid UTF-8)

@inline(__always)
private func scalar(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> (UInt32, Int) {
  let b0 = UInt32(p[i])
  if b0 < 0x80 { return (b0, 1) }
  if b0 < 0xE0, i + 1 < n { return (((b0 & 0x1F) << 6) | UInt32(p[i + 1] & 0x3F), 2) }
  if b0 < 0xF0, i + 2 < n {
    return (((b0 & 0x0F) << 12) | (UInt32(p[i + 1] & 0x3F) << 6) | UInt32(p[i + 2] & 0x3F), 3)
  }
  if i + 3 < n {
    return (
      ((b0 & 0x07) << 18) | (UInt32(p[i + 1] & 0x3F) << 12) | (UInt32(p[i + 2] & 0x3F) << 6)
        | UInt32(p[i + 3] & 0x3F), 4
    )
  }
  return (0xFFFD, 1)
}

/// Length of the whitespace character at `i`, or 0.
@inline(__always)
private func spaceLength(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> Int {
  let b = p[i]
  if b == 0x20 || (b >= 0x09 && b <= 0x0D) { return 1 }
  if b < 0xC2 { return 0 }
  if b == 0xC2, i + 1 < n, p[i + 1] == 0xA0 || p[i + 1] == 0x85 { return 2 }
  if b == 0xE2, i + 2 < n {
    if p[i + 1] == 0x80, (0x80...0x8A).contains(p[i + 2]) || p[i + 2] == 0xA8 || p[i + 2] == 0xA9 || p[i + 2] == 0xAF {
      return 3
    }
    if p[i + 1] == 0x81, p[i + 2] == 0x9F { return 3 }
  }
  if b == 0xE3, i + 2 < n, p[i + 1] == 0x80, p[i + 2] == 0x80 { return 3 }
  if b == 0xE1, i + 2 < n, p[i + 1] == 0x9A, p[i + 2] == 0x80 { return 3 }
  return 0
}

/// Length of the whitespace character ending at `i` (not before `lower`), or 0.
@inline(__always)
private func spaceLengthBefore(_ p: UnsafePointer<UInt8>, _ i: Int, _ lower: Int) -> Int {
  guard i > lower else { return 0 }
  let b = p[i - 1]
  if b < 0x80 { return b == 0x20 || (b >= 0x09 && b <= 0x0D) ? 1 : 0 }
  var s = i - 1
  while s > lower && p[s] & 0xC0 == 0x80 { s -= 1 }
  return spaceLength(p, s, i) == i - s ? i - s : 0
}

/// The first non-space position at or after `i` (or `n`).
@inline(__always)
private func skipSpace(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> Int {
  var i = i
  while i < n {
    let l = spaceLength(p, i, n)
    if l == 0 { return i }
    i += l
  }
  return n
}

/// The start of the run of spaces that ends at `i` (not before `lower`).
@inline(__always)
private func spaceStart(_ p: UnsafePointer<UInt8>, _ i: Int, _ lower: Int) -> Int {
  var i = i
  while i > lower {
    let l = spaceLengthBefore(p, i, lower)
    if l == 0 { return i }
    i -= l
  }
  return lower
}

/// A list item marker at `i`: `a)`, `(b)`, `1)`, `(iv)`, followed by a space.
private func isListMarker(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> Bool {
  var j = i
  if j < n && p[j] == 0x28 { j += 1 }
  var digits = 0
  var letters = 0
  var roman = 0
  while j < n && p[j] != 0x29 {
    let (c, l) = scalar(p, j, n)
    if c >= 0x30 && c <= 0x39 {
      digits += 1
    } else if "ivxIVX".unicodeScalars.contains(where: { $0.value == c }) {
      roman += 1
    } else if isLetter(c) {
      letters += 1
    } else {
      return false
    }
    j += l
    if j - i > 6 { return false }
  }
  guard j < n, p[j] == 0x29, j + 1 < n, spaceLength(p, j + 1, n) > 0 else { return false }
  if digits > 0 { return letters == 0 && roman == 0 && digits <= 3 }
  return (letters + roman == 1) || (letters == 0 && roman <= 4)
}

/// A bullet (`•`, `-`, `–`, `—`, `*`, `·`, `▪`) followed by a space at `i`.
private func isBullet(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> Bool {
  let (c, l) = scalar(p, i, n)
  switch c {
  case 0x2022, 0x2D, 0x2013, 0x2014, 0x2A, 0xB7, 0x25AA, 0x2023, 0x25CF:
    return i + l < n && spaceLength(p, i + l, n) > 0
  default: return false
  }
}

/// `s` moved past opening quotes and brackets (not beyond `e`).
@inline(__always)
private func stripOpening(_ p: UnsafePointer<UInt8>, _ n: Int, _ s: Int, _ e: Int) -> Int {
  var s = s
  while s < e {
    let (c, l) = scalar(p, s, n)
    if !isOpening(c) { break }
    s += l
  }
  return s
}

/// Letter/case/digit flags of the code points below U+3000 (Latin, Cyrillic,
/// punctuation...), computed once from the
/// Unicode properties (the per-scalar property lookups dominated the profile).
private let bmpFlags: [UInt8] = {
  var t = [UInt8](repeating: 0, count: 0x3000)
  for c in 0..<0x3000 {
    guard let s = Unicode.Scalar(UInt32(c)) else { continue }
    let pr = s.properties
    var f: UInt8 = 0
    if pr.isAlphabetic { f |= 1 }
    if pr.isUppercase || pr.generalCategory == .titlecaseLetter { f |= 2 }
    if pr.isLowercase { f |= 4 }
    if pr.numericType == .decimal { f |= 8 }
    t[c] = f
  }
  return t
}()

@inline(__always) private func flags(_ c: UInt32) -> UInt8 {
  if c < 0x3000 { return bmpFlags[Int(c)] }
  guard let s = Unicode.Scalar(c) else { return 0 }
  let pr = s.properties
  return (pr.isAlphabetic ? 1 : 0) | (pr.isUppercase ? 2 : 0) | (pr.isLowercase ? 4 : 0)
    | (pr.numericType == .decimal ? 8 : 0)
}

@inline(__always) private func isLower(_ c: UInt32) -> Bool {
  if c < 0x80 { return c >= 0x61 && c <= 0x7A }
  return flags(c) & 4 != 0
}

@inline(__always) private func isUpper(_ c: UInt32) -> Bool {
  if c < 0x80 { return c >= 0x41 && c <= 0x5A }
  return flags(c) & 2 != 0
}

@inline(__always) private func isLetter(_ c: UInt32) -> Bool {
  if c < 0x80 { return (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) }
  return flags(c) & 1 != 0
}

@inline(__always) private func isDigit(_ c: UInt32) -> Bool {
  if c < 0x80 { return c >= 0x30 && c <= 0x39 }
  return flags(c) & 8 != 0
}

/// Opening quotes and brackets: ( [ { « „ “ ‘ ‚ ‹ " '
@inline(__always) private func isOpening(_ c: UInt32) -> Bool {
  switch c {
  case 0x28, 0x5B, 0x7B, 0xAB, 0x201E, 0x201C, 0x2018, 0x201A, 0x2039, 0x22, 0x27: return true
  default: return false
  }
}

/// Closing quotes and brackets: ) ] } » ” ’ › " '
@inline(__always) private func isClosing(_ c: UInt32) -> Bool {
  switch c {
  case 0x29, 0x5D, 0x7D, 0xBB, 0x201D, 0x2019, 0x203A, 0x22, 0x27: return true
  default: return false
  }
}
