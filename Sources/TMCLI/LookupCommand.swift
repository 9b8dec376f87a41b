import ArgumentParser
import TMKit

/// `tm lookup`. (Placeholder until its issue lands.)
public struct LookupCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "lookup",
    abstract: "Find exact, fuzzy and concordance matches in the memories."
  )
  public init() {}

  public func run() throws {
    throw TMError(.usage, "'lookup' is not implemented yet")
  }
}
