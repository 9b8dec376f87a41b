import ArgumentParser
import Foundation
import TMKit

/// `tm extract`: any document to a bilingual XLIFF 1.2 for a CAT tool.
public struct ExtractCommand: AsyncParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "extract",
    abstract: "Make a bilingual XLIFF 1.2 from a document (optionally pretranslated).",
    discussion: """
      One <trans-unit> per segment, grouped by block, inline formatting as \
      <g>/<x/> codes; the original document travels inside the XLIFF \
      (<skl><internal-file>), so 'tm merge' needs only the XLIFF. With \
      --pretranslate, segments with a memory match at or above --min-score get \
      a <target> (state translated for 100%, else needs-review-translation) and \
      an <alt-trans match-quality> with the score.
      """
  )

  @Argument(help: ArgumentHelp("The document.", valueName: "file"))
  var file: String

  @Option(help: ArgumentHelp("Target language: az, az-Cyrl, ru or en.", valueName: "lang"))
  var to: Language

  @Option(help: ArgumentHelp("Source language (default: the document's, else guessed).", valueName: "lang"))
  var from: Language?

  @Option(name: .shortAndLong, help: ArgumentHelp("Output XLIFF (default: FILE.xlf; '-' for stdout).", valueName: "file"))
  var output: String?

  @Flag(help: "Fill targets from the memories.")
  var pretranslate = false

  @Option(help: ArgumentHelp("With --pretranslate: lowest score used (0-100).", valueName: "score"))
  var minScore: Double = 75

  @OptionGroup var memoryOptions: MemoryOptions

  public init() {}

  public func run() async throws {
    let (doc, original) = try DocumentIO.read(file)
    let source = DocumentIO.language(from, doc)
    let segmenter = try SentenceSegmenter(language: source)
    let blocks = DocumentSegmentation.segment(doc, with: segmenter)
    var pre: [Int: ([Inline], TargetAnnotation)] = [:]
    if pretranslate {
      let result = try await Pretranslate(store: memoryOptions.readStore()).run(doc, blocks: blocks, from: source, to: to, minScore: minScore)
      pre = result.segments
      DocumentIO.printAnalysis(result.analysis)
    }
    let xliff = XLIFFExchange.extract(doc, blocks: blocks, source: source, target: to, pretranslated: pre, original: original)
    let out = output ?? file + ".xlf"
    try DocumentIO.write(xliff, to: out)
    let units = blocks.reduce(0) { $0 + $1.segmentCount }
    if out != "-" { warn("wrote \(out): \(doc.blocks.count) blocks, \(units) segments") }
  }
}
