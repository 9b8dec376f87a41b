import ArgumentParser
import Foundation
import TMKit

/// `tm pretranslate`: a document in, the same document out with every
/// segment that has a good enough memory match translated.
public struct PretranslateCommand: AsyncParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "pretranslate",
    abstract: "Translate a document's segments from the memories, keeping its format.",
    discussion: """
      Each segment (sentences inside paragraphs, cells, cues...) gets the best \
      match at or above --min-score, numbers substituted by value and inline \
      formatting (bold, links, line breaks) moved into the translation; the \
      rest stays in the source language. The document is written back in its \
      own format with everything else unchanged: DOCX, ODT, HTML, Markdown, \
      SRT, WebVTT, PO and XLIFF (targets with state and match %). A report per \
      match band goes to stderr, or as JSON to --report FILE.
      """
  )

  @Argument(help: ArgumentHelp("The document.", valueName: "file"))
  var file: String

  @Option(help: ArgumentHelp("Target language: az, az-Cyrl, ru or en.", valueName: "lang"))
  var to: Language

  @Option(help: ArgumentHelp("Source language (default: the document's, else guessed).", valueName: "lang"))
  var from: Language?

  @Option(name: .shortAndLong, help: ArgumentHelp("Output file (default: FILE with the language before the extension; '-' for stdout).", valueName: "file"))
  var output: String?

  @Option(help: ArgumentHelp("Lowest score used for a translation (0-100).", valueName: "score"))
  var minScore: Double = 75

  @Option(help: ArgumentHelp("Write the analysis as JSON to this file ('-' for stdout).", valueName: "file"))
  var report: String?

  @OptionGroup var memoryOptions: MemoryOptions

  public init() {}

  public func validate() throws {
    if !(0...100).contains(minScore) { throw TMError(.usage, "--min-score must be between 0 and 100 (got \(minScore))") }
  }

  public func run() async throws {
    let (doc, _) = try DocumentIO.read(file)
    let source = DocumentIO.language(from, doc)
    if source == to { throw TMError(.usage, "the document is already in \(to.name) (--from \(source.tag), --to \(to.tag))") }
    let segmenter = try SentenceSegmenter(language: source)
    let blocks = DocumentSegmentation.segment(doc, with: segmenter)
    let result = try await Pretranslate(store: memoryOptions.readStore()).run(
      doc, blocks: blocks, from: source, to: to, minScore: minScore, keepSegments: false)
    var d = doc
    if DocumentFormats.format(id: doc.format)?.bilingual == true { d.targetLanguage = to.tag }
    let bytes = try DocumentFormats.write(d, translations: result.translations, annotations: result.annotations)
    let out = output ?? DocumentIO.derivedName(file, language: to)
    try DocumentIO.write(bytes, to: out)
    if let report {
      try DocumentIO.write(try DocumentIO.json(result.analysis), to: report)
    } else {
      DocumentIO.printAnalysis(result.analysis)
    }
    if out != "-" { warn("wrote \(out)") }
  }
}
