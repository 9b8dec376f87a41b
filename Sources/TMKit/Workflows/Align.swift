/// `tm align SOURCE TARGET`: two documents that translate each other,
/// aligned sentence by sentence into a memory of a store.
///
/// The workflow guesses (or checks) the documents' languages from their
/// letters, segments them, learns a dictionary from the store's memories of
/// the same pair, aligns, and appends the beads that have both sides (those
/// scoring at least `minScore`) to the pair's memory. The review file
/// (``ReviewFormat``) and the dry-run renderings are made from the
/// ``AlignReport``.
public struct Align: Sendable {
  /// A document to align: its name (for origins and messages) and text.
  public struct Document: Sendable, Codable, Equatable {
    /// The file's path or a name; origins use its last component.
    public var name: String
    public var text: String
    /// A document's blocks (DOCX, HTML...), whose inline codes go into the
    /// memory as tags (`DocumentAlignment`); nil for plain text.
    public var blocks: [[Inline]]?

    public init(name: String, text: String, blocks: [[Inline]]? = nil) {
      self.name = name
      self.text = text
      self.blocks = blocks
    }

    /// Reads a document file (or `-`, stdin): UTF-8, a BOM or UTF-16
    /// detected, else `encoding`. Binary and blank files are refused.
    public static func read(path: String, encoding: String? = nil) throws -> Document {
      let (text, document) = try DocumentText.readDocument(path: path, encoding: encoding)
      if text.utf8.contains(0) {
        throw TMError(
          .invalidInput, "the file holds NUL bytes: binary data, not text", file: path,
          hint: "give a plain-text document")
      }
      if text.unicodeScalars.allSatisfy({ $0.properties.isWhitespace }) {
        throw TMError(.invalidInput, "the document is empty", file: path, hint: "give a document with text to align")
      }
      return Document(name: path, text: text, blocks: document?.blocks.map(\.content))
    }
  }

  public struct Request: Sendable {
    public var source: Document
    public var target: Document
    /// Declared languages; nil = guessed from the letters.
    public var from: Language?
    public var to: Language?
    /// One segment per line (hunalign's convention) instead of sentences.
    public var segmented: Bool
    /// Beads scoring below this stay out of the memory (and are reported).
    public var minScore: Double
    /// Learn a dictionary from the store's memories of the pair.
    public var useDictionary: Bool
    /// Append the beads to the memory (false: a dry run).
    public var write: Bool
    /// The memory written to; nil = the pair's memory of the store.
    public var memory: MemoryRef?

    public init(
      source: Document, target: Document, from: Language? = nil, to: Language? = nil, segmented: Bool = false,
      minScore: Double = 0, useDictionary: Bool = true, write: Bool = true, memory: MemoryRef? = nil
    ) {
      self.source = source
      self.target = target
      self.from = from
      self.to = to
      self.segmented = segmented
      self.minScore = minScore
      self.useDictionary = useDictionary
      self.write = write
      self.memory = memory
    }
  }

  public let store: any MemoryStore

  public init(store: any MemoryStore) { self.store = store }

  /// The score below which a bead is marked ` check` in the review file.
  public static let reviewThreshold = 0.4

  public func run(_ r: Request, progress: (@Sendable (Double) -> Void)? = nil) async throws -> AlignReport {
    var notes: [String] = []
    let fromLang = try language(r.from, r.source, option: "--from", notes: &notes)
    let toLang = try language(r.to, r.target, option: "--to", notes: &notes)
    if fromLang == toLang { notes.append("warning: both documents are \(fromLang.name); aligning anyway") }
    var srcSegs: [AlignSegment], tgtSegs: [AlignSegment]
    var srcTagged: [String]?, tgtTagged: [String]?
    if let blocks = r.source.blocks, !r.segmented {
      (srcSegs, srcTagged) = try DocumentAlignment.segments(blocks: blocks, language: fromLang)
    } else {
      srcSegs = try AlignDocument.segments(r.source.text, language: fromLang, segmented: r.segmented)
    }
    if let blocks = r.target.blocks, !r.segmented {
      (tgtSegs, tgtTagged) = try DocumentAlignment.segments(blocks: blocks, language: toLang)
    } else {
      tgtSegs = try AlignDocument.segments(r.target.text, language: toLang, segmented: r.segmented)
    }
    guard !srcSegs.isEmpty else { throw TMError(.invalidInput, "no text to align", file: r.source.name, hint: "the file is blank") }
    guard !tgtSegs.isEmpty else { throw TMError(.invalidInput, "no text to align", file: r.target.name, hint: "the file is blank") }
    // The memory written to, resolved before the work so that a bad name
    // fails fast.
    let memory = try r.memory ?? store.defaultMemory(for: [fromLang, toLang])

    var entries: Int?
    var dictionary: BilingualDictionary?
    if r.useDictionary {
      dictionary = await learnDictionary(fromLang, toLang, notes: &notes)
      entries = dictionary?.count
    }
    let aligner = try Aligner(from: fromLang, to: toLang, dictionary: dictionary)
    let result = aligner.align(srcSegs, tgtSegs) { progress?($0) }
    for note in result.notes { notes.append("warning: \(note)") }

    let created = Timestamp.now()
    let srcName = FileIO.baseName(of: r.source.name)
    let tgtName = FileIO.baseName(of: r.target.name)
    var beads = DocumentAlignment.withCodes(
      AlignedBead.make(result.beads, source: srcSegs, target: tgtSegs), source: srcTagged, target: tgtTagged)
    for i in beads.indices { beads[i].origin = Self.origin(beads[i], srcName, tgtName) }

    var report = AlignReport(
      from: fromLang, to: toLang, sourceSegments: srcSegs.count, targetSegments: tgtSegs.count, beads: beads,
      minScore: r.minScore, created: created, dictionaryEntries: entries, memory: memory, appended: nil, notes: notes)
    if r.write {
      report.appended = try await store.append(report.units, to: memory)
    }
    return report
  }

  /// `align:src.txt#3-4|tgt.txt#5`: the documents and segment ids of a bead.
  static func origin(_ b: AlignedBead, _ src: String, _ tgt: String) -> String {
    func ids(_ x: [Int]) -> String {
      guard let f = x.first, let l = x.last else { return "" }
      return f == l ? "#\(f)" : "#\(f)-\(l)"
    }
    return "align:\(src)\(ids(b.sourceIDs))|\(tgt)\(ids(b.targetIDs))"
  }

  func language(_ given: Language?, _ doc: Document, option: String, notes: inout [String]) throws -> Language {
    let guess = LanguageGuess.guess(doc.text)
    if let given {
      if let guess, guess.language != given {
        notes.append(
          "warning: \(doc.name) was declared \(given.tag) (\(option)) but looks like \(guess.language.tag) (\(guess.reason))")
      }
      return given
    }
    guard let guess else {
      throw TMError(.usage, "cannot tell the language of the document: no letters", file: doc.name, hint: "say it with \(option)")
    }
    notes.append("\(doc.name): guessed \(option) \(guess.language.tag) (\(guess.reason))")
    return guess.language
  }

  /// A dictionary from the store's memories that hold both languages.
  /// Unreadable memories are reported and skipped.
  func learnDictionary(_ a: Language, _ b: Language, notes: inout [String]) async -> BilingualDictionary? {
    let memories = (try? await store.memories()) ?? []
    var units: [TranslationUnit] = []
    let keep = 20_000  // BilingualDictionary.learn reads the last 20,000
    for m in memories where m.has(a, b) {
      do {
        try await store.forEachUnit(in: m.ref) { s in
          units.append(s.unit)
          if units.count >= 2 * keep { units.removeFirst(units.count - keep) }
        }
      } catch {
        notes.append("warning: \(error); not used for the dictionary")
      }
    }
    guard !units.isEmpty else { return nil }
    return try? BilingualDictionary.learn(from: units, source: a, target: b)
  }
}

/// What an alignment gave: every bead, with what was kept and written.
public struct AlignReport: Sendable, Codable {
  public var from: Language
  public var to: Language
  public var sourceSegments: Int
  public var targetSegments: Int
  /// Every bead, in document order (null beads 1-0 / 0-1 included).
  public var beads: [AlignedBead]
  public var minScore: Double
  /// The `created` time of the units.
  public var created: String
  /// Entries of the dictionary learned from the store, nil when none.
  public var dictionaryEntries: Int?
  /// The memory written to (or that would be, in a dry run).
  public var memory: MemoryRef
  /// What the append did; nil in a dry run.
  public var appended: AppendResult?
  /// Warnings and guesses, in order, for a person.
  public var notes: [String]

  /// Beads with both sides that score below `minScore`: left out.
  public var weak: [AlignedBead] { beads.filter { !$0.isNull && $0.score < minScore } }

  /// The beads written (or shown by a dry run): null beads included (they
  /// show in TSV and JSON), weak ones left out.
  public var kept: [AlignedBead] { minScore > 0 ? beads.filter { $0.isNull || $0.score >= minScore } : beads }

  /// The units for the memory: kept beads that have both sides.
  public var units: [TranslationUnit] {
    kept.filter { !$0.isNull }.map { b in
      TranslationUnit(
        texts: [from: b.source, to: b.target], origin: b.origin ?? "", created: created, score: b.score,
        codes: b.codes ?? "")
    }
  }

  /// The review file (``ReviewFormat``): every bead, weak ones (below
  /// `max(minScore, 0.4)`) marked ` check`, null ones ` unaligned`.
  public var review: [UInt8] {
    ReviewFormat.render(beads, source: from, target: to, threshold: max(minScore, Align.reviewThreshold)) {
      $0.origin ?? ""
    }
  }

  /// Bead kinds, mean score, the share of each side left unaligned, the
  /// beads below the threshold, and the warning when too much is unaligned.
  public var summary: AlignmentSummary {
    AlignmentSummary(beads: beads, sourceSegments: sourceSegments, targetSegments: targetSegments, minScore: minScore)
  }
}
