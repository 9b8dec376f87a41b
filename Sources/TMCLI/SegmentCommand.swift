import ArgumentParser
import TMKit

/// `tm segment`. (Placeholder until its issue lands.)
public struct SegmentCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "segment",
    abstract: "Split text into sentences."
  )
  public init() {}

  public func run() throws {
    throw TMError(.usage, "'segment' is not implemented yet")
  }
}
