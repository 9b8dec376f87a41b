import ArgumentParser
import Foundation
import TMKit

/// `tm align SOURCE TARGET`: sentence alignment into a memory.
public struct AlignCommand: AsyncParsableCommand {
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

  public func run() async throws {
    if !dryRun && format != "tsv" {
      warn("warning: --format \(format) only applies with --dry-run; the beads go to the memory")
    }
    let request = Align.Request(
      source: try Align.Document.read(path: source, encoding: encoding),
      target: try Align.Document.read(path: target, encoding: encoding), from: from, to: to,
      segmented: segmented, minScore: minScore, useDictionary: !noDictionary, write: !dryRun,
      memory: memoryOptions.named)
    let bar = ProgressBar(enabled: Output.error.isTerminal)
    let report = try await Align(store: memoryOptions.writeStore()).run(request) { bar.update($0) }
    bar.finish()
    for note in report.notes { warn(note) }
    if let review {
      do {
        try MemoryFile.writeAtomically(report.review, to: review)
      } catch let e as TMError {
        throw TMError(.io, "cannot write the review file: \(e.message)", file: review)
      }
    }
    let counts = "\(report.from)→\(report.to): \(report.sourceSegments) + \(report.targetSegments) segments, \(report.summary)"
    // Beads below --min-score stay out of the memory (and out of the dry-run
    // output, which shows what would be written) and are listed on stderr.
    let weak = report.weak
    if !weak.isEmpty {
      warn("\(weak.count) beads below --min-score \(BeadWriter.score(minScore)) left out:")
      for b in weak {
        Output.error.line("  \(BeadWriter.score(b.score))\t\(b.origin ?? "")\t\(TSVCodec.escape(b.source))\t\(TSVCodec.escape(b.target))")
      }
      Output.error.flush()
    }
    if dryRun {
      let out = Output.standard
      switch BeadFormat(rawValue: format) ?? .tsv {
      case .tsv: for b in report.kept { out.line(BeadWriter.tsvLine(b)) }
      case .jsonl: for b in report.kept { out.line(BeadWriter.jsonLine(b)) }
      case .tmx:
        // The memory's own TMX writer: what `tm export` would give.
        _ = try TMXFormat().write(
          report.units, languages: [report.from, report.to], sourceLanguage: report.from
        ) { out.write(bytes: $0) }
      }
      out.flush()
      warn(counts)
      return
    }
    let appended = report.appended ?? AppendResult(added: 0, duplicates: 0)
    warn(
      "\(counts); added \(appended.added) units to \(report.memory.name)"
        + (appended.duplicates > 0 ? " (\(appended.duplicates) already there)" : ""))
  }
}

/// A progress bar on stderr, only when it is a terminal.
final class ProgressBar: @unchecked Sendable {
  let enabled: Bool
  private var last = -1  // touched only by the aligner's progress callback, on one thread

  private let start = Stopwatch.now()

  init(enabled: Bool) { self.enabled = enabled }

  /// Drawn only for alignments that take a while (after half a second).
  func update(_ fraction: Double) {
    guard enabled, last >= 0 || Stopwatch.now() - start > 500 else { return }
    let pct = Int((min(1, max(0, fraction)) * 100).rounded(.down))
    if pct == last { return }
    last = pct
    let width = 30
    let filled = pct * width / 100
    Output.error.write("\r\u{1B}[2Kaligning [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] \(pct)%")
    Output.error.flush()
  }

  func finish() {
    guard enabled, last >= 0 else { return }
    Output.error.write("\r\u{1B}[2K")
    Output.error.flush()
  }
}
