import ArgumentParser
import TMKit

/// `tm align`. (Placeholder until its issue lands.)
public struct AlignCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "align",
    abstract: "Align two documents that translate each other into a memory."
  )
  public init() {}

  public func run() throws {
    throw TMError(.usage, "'align' is not implemented yet")
  }
}
