import ArgumentParser
import Foundation
import TMKit

/// `tm align SOURCE TARGET`: sentence alignment into a memory.
public struct AlignCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "align",
    abstract: "Align two documents that translate each other into a memory.",
    discussion: """
      Segments both documents into sentences (or, with --segmented, takes one \
      segment per line) and aligns them with beads 1-1, 1-2, 2-1, 2-2, 1-0 and 0-1, \
      using lengths, numbers by value, names across scripts, punctuation, paragraph \
      breaks and a dictionary learned from the memories already present. Each bead \
      gets a score in [0, 1].

      By default the beads that have both sides are appended to the memory \
      (--memory, else <memories>/<pair>.tsv) with their score and origin. With \
      --dry-run nothing is written and the beads are printed (--format). \
      --review FILE writes a TSV to check in a spreadsheet and bring back with \
      `tm import FILE`: a header (score, the two language tags, origin), one row \
      per bead; `check` after the origin marks a weak bead (score below 0.4 or \
      --min-score), `unaligned` a segment with no counterpart (fill in or delete \
      those rows before importing).

      A score combines how well the bead's own lengths, numbers, names and words \
      agree with how clearly its boundaries stand out from the alternatives: \
      above 0.9 is near certain, below 0.4 is worth a look.
      """
  )

  @Argument(help: ArgumentHelp("The source document.", valueName: "source"))
  var source: String

  @Argument(help: ArgumentHelp("The target document (its translation).", valueName: "target"))
  var target: String

  @Option(help: ArgumentHelp("Source language (default: guessed from the letters).", valueName: "lang"))
  var from: Language?

  @Option(help: ArgumentHelp("Target language (default: guessed from the letters).", valueName: "lang"))
  var to: Language?

  @Flag(help: "Input is one segment per line (hunalign's convention; <p> or a blank line marks a paragraph).")
  var segmented = false

  @Flag(help: "Write nothing; print the beads to stdout.")
  var dryRun = false

  @Option(help: ArgumentHelp("Output of --dry-run: tsv (source, target, score), jsonl, tmx.", valueName: "format"))
  var format: String = "tsv"

  @Option(help: ArgumentHelp("Keep beads scoring below this out of the memory and list them on stderr.", valueName: "score"))
  var minScore: Double = 0

  @Option(help: ArgumentHelp("Also write the beads to a TSV for review (weak ones marked); bring it back with `tm import`.", valueName: "file"))
  var review: String?

  @Flag(help: "Do not learn a dictionary from the memories already present.")
  var noDictionary = false

  @Option(help: ArgumentHelp("Encoding of both documents (default: UTF-8, BOM or UTF-16 detected).", valueName: "name"))
  var encoding: String?

  @OptionGroup var memoryOptions: MemoryOptions

  public init() {}

  public func validate() throws {
    guard BeadFormat(rawValue: format) != nil else {
      throw ValidationError("unknown --format '\(format)'; use one of: tsv, jsonl, tmx")
    }
    guard minScore >= 0 && minScore <= 1 else {
      throw ValidationError("--min-score must be between 0 and 1, got \(minScore)")
    }
  }

  public func run() throws {
    if !dryRun && format != "tsv" {
      warn("warning: --format \(format) only applies with --dry-run; the beads go to the memory")
    }
    let srcText = try Self.readDocument(source, encoding: encoding)
    let tgtText = try Self.readDocument(target, encoding: encoding)
    let fromLang = try language(from, srcText, file: source, option: "--from")
    let toLang = try language(to, tgtText, file: target, option: "--to")
    if fromLang == toLang {
      warn("warning: both documents are \(fromLang.name); aligning anyway")
    }

    let srcSegs = try AlignDocument.segments(srcText, language: fromLang, segmented: segmented)
    let tgtSegs = try AlignDocument.segments(tgtText, language: toLang, segmented: segmented)
    guard !srcSegs.isEmpty else { throw TMError(.invalidInput, "no text to align", file: source, hint: "the file is blank") }
    guard !tgtSegs.isEmpty else { throw TMError(.invalidInput, "no text to align", file: target, hint: "the file is blank") }

    // The memory written to, resolved before the work so that a bad path
    // fails fast.
    let memoryPath = memoryOptions.memory ?? MemoryStore.defaultMemory(in: memoryOptions.directory, fromLang, toLang)

    let dictionary = noDictionary ? nil : learnDictionary(fromLang, toLang)
    let aligner = try Aligner(from: fromLang, to: toLang, dictionary: dictionary)
    let bar = ProgressBar(enabled: Output.error.isTerminal && (srcSegs.count + tgtSegs.count) > 2000)
    let result = aligner.align(srcSegs, tgtSegs) { bar.update($0) }
    bar.finish()
    for note in result.notes { warn("warning: \(note)") }

    let beads = AlignedBead.make(result.beads, source: srcSegs, target: tgtSegs)
    let created = Self.now()
    let srcName = FileManager.default.displayName(atPath: source)
    let tgtName = FileManager.default.displayName(atPath: target)
    func origin(_ b: AlignedBead) -> String {
      func ids(_ x: [Int]) -> String {
        guard let f = x.first, let l = x.last else { return "" }
        return f == l ? "#\(f)" : "#\(f)-\(l)"
      }
      return "align:\(srcName)\(ids(b.sourceIDs))|\(tgtName)\(ids(b.targetIDs))"
    }

    if let review {
      try writeReview(beads, to: review, fromLang, toLang, origin: origin)
    }

    let summary = AlignmentSummary(beads: beads, sourceSegments: srcSegs.count, targetSegments: tgtSegs.count, minScore: minScore)
    if let w = summary.warning { warn("warning: \(w)") }
    // Beads below --min-score stay out of the memory (and out of the dry-run
    // output, which shows what would be written) and are listed on stderr.
    let weak = beads.filter { !$0.isNull && $0.score < minScore }
    let kept = minScore > 0 ? beads.filter { $0.isNull || $0.score >= minScore } : beads
    if !weak.isEmpty {
      warn("\(weak.count) beads below --min-score \(BeadWriter.score(minScore)) left out:")
      for b in weak {
        Output.error.line("  \(BeadWriter.score(b.score))\t\(origin(b))\t\(TSVCodec.escape(b.source))\t\(TSVCodec.escape(b.target))")
      }
      Output.error.flush()
    }
    if dryRun {
      let out = Output.standard
      switch BeadFormat(rawValue: format) ?? .tsv {
      case .tsv: for b in kept { out.line(BeadWriter.tsvLine(b)) }
      case .jsonl: for b in kept { out.line(BeadWriter.jsonLine(b)) }
      case .tmx:
        out.line(BeadWriter.tmxHeader(source: fromLang, target: toLang, created: created))
        for b in kept {
          if let u = BeadWriter.tmxUnit(b, source: fromLang, target: toLang, origin: origin(b)) { out.line(u) }
        }
        out.line(BeadWriter.tmxFooter)
      }
      out.flush()
      warn("\(fromLang)→\(toLang): \(srcSegs.count) + \(tgtSegs.count) segments, \(summary.line)")
      return
    }

    let units = kept.filter { !$0.isNull }.map { b in
      TranslationUnit(texts: [fromLang: b.source, toLang: b.target], origin: origin(b), created: created, score: b.score)
    }
    try ensureFolder(of: memoryPath)
    let appended = try MemoryFile.append(units, to: memoryPath)
    warn(
      "\(fromLang)→\(toLang): \(srcSegs.count) + \(tgtSegs.count) segments, \(summary.line); "
        + "added \(appended.added) units to \(memoryPath)"
        + (appended.duplicates > 0 ? " (\(appended.duplicates) already there)" : ""))
  }

  // MARK: Helpers

  static func readDocument(_ path: String, encoding: String?) throws -> String {
    let text = try TextDecoder.read(path: path, encoding: encoding)
    if text.utf8.contains(0) {
      throw TMError(.invalidInput, "the file holds NUL bytes: binary data, not text", file: path, hint: "give a plain-text document")
    }
    if text.unicodeScalars.allSatisfy({ $0.properties.isWhitespace }) {
      throw TMError(.invalidInput, "the document is empty", file: path, hint: "give a document with text to align")
    }
    return text
  }

  func language(_ given: Language?, _ text: String, file: String, option: String) throws -> Language {
    let guess = LanguageGuess.guess(text)
    if let given {
      if let guess, guess.language != given {
        warn("warning: \(file) was declared \(given.tag) (\(option)) but looks like \(guess.language.tag) (\(guess.reason))")
      }
      return given
    }
    guard let guess else {
      throw TMError(.usage, "cannot tell the language of the document: no letters", file: file, hint: "say it with \(option)")
    }
    warn("\(file): guessed \(option) \(guess.language.tag) (\(guess.reason))")
    return guess.language
  }

  /// A dictionary from the memories already present (the folder and the
  /// named memory). Unreadable memories are reported and skipped.
  func learnDictionary(_ a: Language, _ b: Language) -> BilingualDictionary? {
    var files = (try? MemoryStore.memoryFiles(in: memoryOptions.directory)) ?? []
    if let m = memoryOptions.memory, FileManager.default.fileExists(atPath: m), !files.contains(m) { files.append(m) }
    var units: [TranslationUnit] = []
    for f in files where Self.headerNames(f, a, b) {
      do {
        let mem = try MemoryFile.load(path: f)
        guard mem.languages.contains(a) && mem.languages.contains(b) else { continue }
        units += mem.units
      } catch {
        warn("warning: \(error); not used for the dictionary")
      }
    }
    guard !units.isEmpty else { return nil }
    return try? BilingualDictionary.learn(from: units, source: a, target: b)
  }

  /// Does the memory's header line name both languages? (Read before
  /// loading, so that big memories of other pairs cost nothing.) Unreadable
  /// headers say yes and let the loader report the problem.
  static func headerNames(_ path: String, _ a: Language, _ b: Language) -> Bool {
    guard let h = FileHandle(forReadingAtPath: path) else { return true }
    defer { try? h.close() }
    let head = (try? h.read(upToCount: 4096)) ?? Data()
    var line = head.prefix { $0 != 0x0A }
    if line.starts(with: [0xEF, 0xBB, 0xBF]) { line = line.dropFirst(3) }
    let tags = String(decoding: line, as: UTF8.self).split(separator: "\t").compactMap {
      Language(tag: $0.trimmingCharacters(in: .whitespacesAndNewlines))
    }
    return tags.contains(a) && tags.contains(b)
  }

  func writeReview(
    _ beads: [AlignedBead], to path: String, _ a: Language, _ b: Language, origin: (AlignedBead) -> String
  ) throws {
    let threshold = max(minScore, 0.4)
    var text = "score\t\(a.tag)\t\(b.tag)\torigin\n"
    for x in beads {
      let mark = x.isNull ? " unaligned" : x.score < threshold ? " check" : ""
      text += "\(BeadWriter.score(x.score))\t\(TSVCodec.escape(x.source))\t\(TSVCodec.escape(x.target))\t\(origin(x))\(mark)\n"
    }
    do {
      try text.write(toFile: path, atomically: true, encoding: .utf8)
    } catch {
      throw TMError(.io, "cannot write the review file: \(error.localizedDescription)", file: path)
    }
  }

  func ensureFolder(of path: String) throws {
    let dir = (path as NSString).deletingLastPathComponent
    if dir.isEmpty || FileManager.default.fileExists(atPath: dir) { return }
    do {
      try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    } catch {
      throw TMError(.io, "cannot create the memories folder", file: dir, hint: "\(error.localizedDescription)")
    }
  }

  static func now() -> String {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime]
    return f.string(from: Date())
  }
}

/// A progress bar on stderr, only when it is a terminal.
final class ProgressBar {
  let enabled: Bool
  private var last = -1

  init(enabled: Bool) { self.enabled = enabled }

  func update(_ fraction: Double) {
    guard enabled else { return }
    let pct = Int((min(1, max(0, fraction)) * 100).rounded(.down))
    if pct == last { return }
    last = pct
    let width = 30
    let filled = pct * width / 100
    Output.error.write("\r\u{1B}[2Kaligning [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] \(pct)%")
    Output.error.flush()
  }

  func finish() {
    guard enabled else { return }
    Output.error.write("\r\u{1B}[2K")
    Output.error.flush()
  }
}
