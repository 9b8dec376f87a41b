import ArgumentParser
import TMKit

/// `tm import`. (Placeholder until its issue lands.)
public struct ImportCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Import TMX, gettext (.po/.mo) or TSV/CSV into a memory."
  )
  public init() {}

  public func run() throws {
    throw TMError(.usage, "'import' is not implemented yet")
  }
}
