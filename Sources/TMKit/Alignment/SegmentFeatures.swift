/// One segment (sentence or line) of a document to align.
public struct AlignSegment: Sendable, Hashable {
  /// The text as it will be written to the memory.
  public var text: String
  /// The segment's id in its document: the sentence index in running text,
  /// the 0-based line number with `--segmented`.
  public var id: Int
  /// True when the segment opens a paragraph.
  public var startsParagraph: Bool

  public init(text: String, id: Int, startsParagraph: Bool) {
    self.text = text
    self.id = id
    self.startsParagraph = startsParagraph
  }
}

/// What the aligner compares about a segment (or two adjacent segments
/// taken together). All lists are sorted so that overlaps are a merge.
struct SegmentFeatures: Sendable {
  /// Length in characters (Unicode scalars), whitespace excluded.
  var length: Double = 0
  /// Number values, sorted, with repetitions (`70 000` = `70.000` = 70000).
  var numbers: [Double] = []
  /// Cross-script keys of capitalised words (names): sorted, unique hashes.
  var names: [UInt32] = []
  /// 4-letter cross-script key prefixes of words of 5+ letters (cognates:
  /// Respublika ~ Республика ~ republic), sorted unique hashes.
  var cognates: [UInt32] = []
  /// Case-folded words, sorted unique hashes (the target side of the dictionary).
  var words: [UInt32] = []
  /// Hashes of the dictionary translations of this segment's words.
  var translations: [UInt32] = []
  /// How many of this segment's words the dictionary knows.
  var dictionaryWords: Int = 0
  /// Punctuation signature, see `Punct`.
  var punct: UInt8 = 0

  /// The features of two adjacent segments read as one.
  func merged(_ o: SegmentFeatures) -> SegmentFeatures {
    var m = SegmentFeatures()
    m.length = length + o.length
    m.numbers = (numbers + o.numbers).sorted()
    m.names = Self.union(names, o.names)
    m.cognates = Self.union(cognates, o.cognates)
    m.words = Self.union(words, o.words)
    m.translations = Self.union(translations, o.translations)
    m.dictionaryWords = dictionaryWords + o.dictionaryWords
    m.punct = punct | o.punct
    return m
  }

  static func union(_ a: [UInt32], _ b: [UInt32]) -> [UInt32] {
    if a.isEmpty { return b }
    if b.isEmpty { return a }
    return Array(Set(a).union(b)).sorted()
  }
}

/// The features of many segments packed in flat arrays, so that the search
/// loop reads them without reference counting.
struct FeatureTable {
  var length: [Double] = []
  var punct: [UInt8] = []
  var dictionaryWords: [Int32] = []
  var numbers = Pool<Double>()
  var names = Pool<UInt32>()
  var cognates = Pool<UInt32>()
  var words = Pool<UInt32>()
  var translations = Pool<UInt32>()

  init(_ features: [SegmentFeatures]) {
    length.reserveCapacity(features.count)
    for f in features {
      length.append(f.length)
      punct.append(f.punct)
      dictionaryWords.append(Int32(f.dictionaryWords))
      numbers.append(f.numbers)
      names.append(f.names)
      cognates.append(f.cognates)
      words.append(f.words)
      translations.append(f.translations)
    }
  }
}

/// Variable-length lists stored back to back.
struct Pool<T: Comparable> {
  var values: [T] = []
  var start: [Int32] = [0]

  mutating func append(_ list: [T]) {
    values += list
    start.append(Int32(values.count))
  }

  @inline(__always) func count(_ i: Int) -> Int { Int(start[i + 1] - start[i]) }

  /// Size of the intersection of list `i` here and list `j` of `other`
  /// (multiset intersection: both lists are sorted).
  @inline(__always)
  func overlap(_ i: Int, _ other: Pool<T>, _ j: Int) -> Int {
    var a = Int(start[i])
    let ae = Int(start[i + 1])
    var b = Int(other.start[j])
    let be = Int(other.start[j + 1])
    var n = 0
    while a < ae && b < be {
      let x = values[a]
      let y = other.values[b]
      if x == y {
        n += 1
        a += 1
        b += 1
      } else if x < y {
        a += 1
      } else {
        b += 1
      }
    }
    return n
  }
}

/// Punctuation signature bits.
enum Punct {
  static let question: UInt8 = 1
  static let exclamation: UInt8 = 2
  static let colon: UInt8 = 4
  static let quote: UInt8 = 8
  static let semicolon: UInt8 = 16
  static let parenthesis: UInt8 = 32
  static let dash: UInt8 = 64
}

/// FNV-1a: a stable 32-bit hash (Swift's `Hasher` is seeded per process and
/// would make alignments differ from run to run on collisions).
@inline(__always)
func fnv1a<S: Sequence>(_ bytes: S) -> UInt32 where S.Element == UInt8 {
  var h: UInt32 = 2_166_136_261
  for b in bytes {
    h ^= UInt32(b)
    h = h &* 16_777_619
  }
  return h
}

/// Computes `SegmentFeatures` for the segments of one language.
///
/// Not thread-safe (it owns an ICU tokenizer and transform); one per side.
final class FeatureExtractor {
  let language: Language
  private let tokenizer: Tokenizer
  /// `CrossScriptKey`'s rules over a whole sentence: letters to a Latin
  /// skeleton, other characters removed except the spaces between words.
  private let toLatin: ICUTransform
  private let dictionary: [String: [String]]

  init(language: Language, dictionary: [String: [String]] = [:]) throws {
    self.language = language
    tokenizer = try Tokenizer(language: language)
    let rules = CrossScriptKey.rules.replacing("[:^L:] > ;", with: "[[:^L:]-[\\u0020]] > ;")
    toLatin = try ICUTransform(rules: rules, name: "align-key")
    self.dictionary = dictionary
  }

  static let vowels: Set<UInt8> = Set("aeiouy".utf8)

  /// What a translator copies unchanged, the names of software strings:
  /// printf conversions (`%s`, `%lu`, `%1$d` → `%d`), options (`--help`),
  /// placeholders (`{name}`, `<%s>`), and ASCII words with a digit, an
  /// underscore or only capitals (`UTF-8`, `ARG1`, `GNU`, `LC_ALL`).
  static func codes(_ text: String) -> [[UInt8]] {
    let b = Array(text.utf8)
    var out: [[UInt8]] = []
    var i = 0
    func isAlnum(_ c: UInt8) -> Bool { (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A) || c == 0x5F }
    while i < b.count {
      let c = b[i]
      if c == 0x25, i + 1 < b.count {  // %
        var k = i + 1
        var conv: [UInt8] = [0x25]
        while k < b.count, k < i + 8 {
          let d = b[k]
          if d == 0x25 { break }
          if (d | 0x20 >= 0x61 && d | 0x20 <= 0x7A) {
            conv.append(d)
            // length modifiers run on into the conversion letter
            if "hlLqjzt".utf8.contains(d) {
              k += 1
              continue
            }
            out.append(conv)
            break
          }
          if !(d >= 0x30 && d <= 0x39) && !"$.*#+- '".utf8.contains(d) { break }
          k += 1
        }
        i = k + 1
        continue
      }
      if c == 0x2D, i + 2 < b.count, b[i + 1] == 0x2D, isAlnum(b[i + 2]), i == 0 || !isAlnum(b[i - 1]) {  // --option
        var k = i + 2
        while k < b.count, isAlnum(b[k]) || b[k] == 0x2D { k += 1 }
        out.append(Array(b[i..<k]))
        i = k
        continue
      }
      if c == 0x7B {  // {placeholder}
        if let e = b[(i + 1)..<min(b.count, i + 32)].firstIndex(of: 0x7D) {
          out.append(Array(b[i...e]))
          i = e + 1
          continue
        }
      }
      if isAlnum(c), i == 0 || (!isAlnum(b[i - 1]) && b[i - 1] < 0x80) {
        var k = i
        var digit = false
        var lower = false
        var upper = 0
        var underscore = false
        while k < b.count, isAlnum(b[k]) || (b[k] == 0x2D && k + 1 < b.count && isAlnum(b[k + 1])) {
          let d = b[k]
          if d >= 0x30 && d <= 0x39 { digit = true } else if d == 0x5F { underscore = true } else if d >= 0x61 && d <= 0x7A { lower = true } else if d >= 0x41 && d <= 0x5A { upper += 1 }
          k += 1
        }
        // A word glued to non-ASCII letters is not an ASCII word.
        let glued = k < b.count && b[k] >= 0x80 && !(b[k] == 0xC2 || b[k] == 0xE2)
        let letters = upper > 0 || lower
        let letterFirst = c | 0x20 >= 0x61 && c | 0x20 <= 0x7A
        if !glued && letters && ((digit && letterFirst) || underscore || (upper >= 2 && !lower)) {
          out.append(Array(b[i..<k]))
        }
        i = k
        continue
      }
      i += 1
    }
    return out
  }

  func features(_ text: String) -> SegmentFeatures {
    var f = SegmentFeatures()
    var length = 0
    for u in text.unicodeScalars {
      if u.value < 0x80 {
        if u.value > 0x20 { length += 1 }
      } else if !u.properties.isWhitespace {
        length += 1
      }
    }
    f.length = Double(length)
    f.numbers = Numbers.find(in: text, language: language).map(\.value).sorted()

    var words: [Substring] = []
    var capitalised: [Bool] = []
    for t in tokenizer.tokens(text) {
      switch t.kind {
      case .word:
        words.append(t.text)
        capitalised.append(t.text.unicodeScalars.first?.properties.isUppercase ?? false)
      case .punctuation:
        for u in t.text.unicodeScalars {
          switch u {
          case "?", "¿": f.punct |= Punct.question
          case "!": f.punct |= Punct.exclamation
          case ":": f.punct |= Punct.colon
          case ";": f.punct |= Punct.semicolon
          case "(", ")", "[", "]": f.punct |= Punct.parenthesis
          case "«", "»", "“", "”", "„", "\"", "‘": f.punct |= Punct.quote
          case "—", "–": f.punct |= Punct.dash
          default: break
          }
        }
      default: break
      }
    }
    guard !words.isEmpty else {
      f.names = Self.codes(text).map { fnv1a($0) ^ 0x636F_6465 }.sorted()
      f.names = Array(Set(f.names)).sorted()
      return f
    }
    // One ICU call per segment for folding and one for the keys: the words
    // are joined by spaces, which both transforms keep.
    let folded = words.joined(separator: " ").caseFolded(for: language)
    let foldedWords = folded.utf8.split(separator: 0x20, omittingEmptySubsequences: false)
    let latin = toLatin.apply(folded)
    let keys = latin.utf8.split(separator: 0x20, omittingEmptySubsequences: false)
    let aligned = keys.count == words.count && foldedWords.count == words.count

    var names = Set<UInt32>()
    var cognates = Set<UInt32>()
    var wordHashes = Set<UInt32>()
    var translations = Set<UInt32>()
    for (k, w) in foldedWords.enumerated() {
      wordHashes.insert(fnv1a(w))
      if !dictionary.isEmpty, let tr = dictionary[String(decoding: w, as: UTF8.self)] {
        f.dictionaryWords += 1
        for t in tr { translations.insert(fnv1a(t.utf8)) }
      }
      guard aligned else { continue }
      // Consonant skeleton: the key's vowels are where the spellings of one
      // name differ most (Азербайджан ~ Azərbaycan → zrbjn).
      let skeleton = CrossScriptKey.squeeze(String(decoding: keys[k], as: UTF8.self)).utf8.filter { !Self.vowels.contains($0) }
      if capitalised[k] && skeleton.count >= 2 { names.insert(fnv1a(skeleton)) }
      if skeleton.count >= 3 && w.lazy.filter({ $0 & 0xC0 != 0x80 }).count >= 5 { cognates.insert(fnv1a(skeleton.prefix(3))) }
    }
    for code in Self.codes(text) { names.insert(fnv1a(code) ^ 0x636F_6465) }
    f.names = names.sorted()
    f.cognates = cognates.sorted()
    f.words = wordHashes.sorted()
    f.translations = translations.sorted()
    return f
  }
}

/// Size of the (multiset) intersection of two sorted lists: hashes of
/// names and words (unique), or number values (repeats count).
@inline(__always)
func overlap<T: Comparable>(_ a: [T], _ b: [T]) -> Int {
  var i = 0
  var j = 0
  var n = 0
  while i < a.count && j < b.count {
    if a[i] == b[j] {
      n += 1
      i += 1
      j += 1
    } else if a[i] < b[j] {
      i += 1
    } else {
      j += 1
    }
  }
  return n
}
