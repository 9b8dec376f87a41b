import ArgumentParser
import TMKit

/// `--memory FILE` / `--memories DIR`, shared by every command that reads or
/// writes memories.
public struct MemoryOptions: ParsableArguments {
  @Option(name: .long, help: ArgumentHelp("The memory file to use (a TSV file).", valueName: "file"))
  public var memory: String?

  @Option(
    name: .long,
    help: ArgumentHelp("The folder of memories (default: $TM_MEMORIES, else ./Memories).", valueName: "dir"))
  public var memories: String?

  public init() {}

  /// The folder of memories in force.
  public var directory: String { MemoryFolder.directory(explicit: memories) }

  /// The store a reading command uses: `--memory FILE` alone, else every
  /// `*.tsv` in the folder.
  public func readStore() -> TSVFolderStore {
    if let memory { return TSVFolderStore(file: memory, folder: directory) }
    return TSVFolderStore(folder: directory)
  }

  /// The store a writing command uses: the folder and, with `--memory
  /// FILE`, that file too (align learns its dictionary from both).
  public func writeStore() -> TSVFolderStore {
    TSVFolderStore(folder: directory, files: memory.map { [$0] } ?? [])
  }

  /// The memory `--memory FILE` names, if any.
  public var named: MemoryRef? { memory.map { MemoryRef(id: $0) } }
}

extension Language: ExpressibleByArgument {
  public init?(argument: String) { self.init(tag: argument) }
  public static var allValueStrings: [String] { allCases.map(\.tag) }
}
