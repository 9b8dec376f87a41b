import ArgumentParser
import TMKit

/// `tm add`: one translation unit into a memory.
public struct AddCommand: ParsableCommand {
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

  public func run() throws {
    guard from != to else {
      throw TMError(.usage, "--from and --to are both '\(from.tag)'", hint: "a unit pairs two different languages")
    }
    let s = source.nfc
    let t = target.nfc
    guard [s, t].allSatisfy({ $0.unicodeScalars.contains { !$0.properties.isWhitespace } }) else {
      throw TMError(.usage, "the source and the target must not be empty")
    }
    let path = memoryOptions.memory ?? MemoryStore.defaultMemory(in: memoryOptions.directory, from, to)
    let unit = TranslationUnit(texts: [from: s, to: t], origin: "add", created: MemoryFile.now())
    let r = try MemoryFile.append([unit], to: path)
    if r.added == 1 {
      Output.standard.line("added 1 unit (\(from.tag)→\(to.tag)) to \(path)")
    } else {
      Output.standard.line("already in \(path): nothing added")
    }
  }
}

