import ArgumentParser
import TMKit

/// `tm stats`. (Placeholder until its issue lands.)
public struct StatsCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "stats",
    abstract: "Show what a memory holds."
  )
  public init() {}

  public func run() throws {
    throw TMError(.usage, "'stats' is not implemented yet")
  }
}
