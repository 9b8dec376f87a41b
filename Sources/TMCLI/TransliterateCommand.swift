import ArgumentParser
import TMKit

/// `tm transliterate`. (Placeholder until its issue lands.)
public struct TransliterateCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "transliterate",
    abstract: "Transliterate text (az Cyrillic <-> Latin, Russian -> Latin, any ICU transform)."
  )
  public init() {}

  public func run() throws {
    throw TMError(.usage, "'transliterate' is not implemented yet")
  }
}
