import ArgumentParser
import TMKit

/// `tm add`: one translation unit into a memory.
public struct AddCommand: AsyncParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "add",
    abstract: "Add one translation unit to a memory.",
    discussion: """
      Without --memory the unit goes to the language pair's memory in the memories \
      folder (Memories/az-en.tsv for az and en). Texts are stored in NFC; a unit that \
      is already in the memory is not added twice.
      """
  )

  @Argument(help: "The source text.") public var source: String
  @Argument(help: "Its translation.") public var target: String
  @Option(help: "The source language (az, az-Cyrl, ru, en).") public var from: Language
  @Option(help: "The target language.") public var to: Language
  @OptionGroup public var memoryOptions: MemoryOptions

  public init() {}

  public func run() async throws {
    let r = try await Add(store: memoryOptions.writeStore()).run(
      source: source, target: target, from: from, to: to, memory: memoryOptions.named)
    if r.added {
      Output.standard.line("added 1 unit (\(from.tag)→\(to.tag)) to \(r.memory.name)")
    } else {
      Output.standard.line("already in \(r.memory.name): nothing added")
    }
  }
}
