import ArgumentParser
import TMKit

/// `tm export`. (Placeholder until its issue lands.)
public struct ExportCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Export a memory as TMX, TSV or CSV."
  )
  public init() {}

  public func run() throws {
    throw TMError(.usage, "'export' is not implemented yet")
  }
}
