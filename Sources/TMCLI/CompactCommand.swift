import ArgumentParser
import TMKit

/// `tm compact`: rewrite a memory without duplicates or an interrupted append.
public struct CompactCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "compact",
    abstract: "Rewrite memories without duplicate units or an interrupted append.",
    discussion: """
      Appends ('tm add', 'tm import', 'tm align') only add lines at the end of a \
      memory; compaction is the one full rewrite: duplicates are dropped (the first \
      of equal units stays, order is kept) and the bytes of an append whose writer \
      was killed are removed. The new file replaces the old atomically (temporary \
      file, fsync, rename), under the memory's lock. Without --memory, every memory \
      of the folder is compacted.
      """
  )

  @OptionGroup public var memoryOptions: MemoryOptions

  public init() {}

  public func run() throws {
    let out = Output.standard
    for r in try Compact(store: memoryOptions.readStore()).run().memories {
      var notes: [String] = []
      if r.duplicatesRemoved > 0 { notes.append("\(r.duplicatesRemoved) duplicates removed") }
      if r.removedBytes > 0 { notes.append("\(r.removedBytes) bytes of an interrupted append removed") }
      let what = r.rewritten ? "compacted" : "already compact"
      out.line(
        "\(r.memory): \(what), \(units(r.units))" + (notes.isEmpty ? "" : " (" + notes.joined(separator: ", ") + ")"))
    }
  }
}
