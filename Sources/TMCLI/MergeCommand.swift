import ArgumentParser
import Foundation
import TMKit

/// `tm merge`: a translated XLIFF from `tm extract` back into its document.
public struct MergeCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "merge",
    abstract: "Write a translated XLIFF (from 'tm extract') back into the original document's format.",
    discussion: """
      Each trans-unit's target replaces its segment (a unit without a target \
      keeps the source); formatting codes go back where the target puts them. \
      The original travels inside the XLIFF. The source of every unit is \
      checked against the original: an edited source is an error.
      """
  )

  @Argument(help: ArgumentHelp("The translated XLIFF.", valueName: "file"))
  var file: String

  @Option(name: .shortAndLong, help: ArgumentHelp("Output document (default: the original's name with the target language; '-' for stdout).", valueName: "file"))
  var output: String?

  public init() {}

  public func run() throws {
    let bytes = try TextDecoder.readBytes(path: file)
    let merged = try XLIFFExchange.merge(xliff: bytes, name: file) { try SentenceSegmenter(language: $0) }
    var doc = merged.document
    if DocumentFormats.format(id: doc.format)?.bilingual == true { doc.targetLanguage = merged.target.tag }
    let out = try DocumentFormats.write(doc, translations: merged.translations, annotations: merged.annotations)
    var path = output
    if path == nil {
      let dir = URL(fileURLWithPath: file).deletingLastPathComponent().path
      let originalName = doc.name.split(separator: ":").last.map(String.init) ?? "merged"
      path = DocumentIO.derivedName(dir + "/" + originalName, language: merged.target)
    }
    try DocumentIO.write(out, to: path ?? "-")
    if merged.untranslated > 0 { warn("\(merged.untranslated) segments had no target and keep the source text") }
    if path != "-" { warn("wrote \(path ?? "")") }
  }
}
