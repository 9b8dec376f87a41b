import ArgumentParser
import TMKit

/// `tm add`. (Placeholder until its issue lands.)
public struct AddCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "add",
    abstract: "Add one translation unit to a memory."
  )
  public init() {}

  public func run() throws {
    throw TMError(.usage, "'add' is not implemented yet")
  }
}
