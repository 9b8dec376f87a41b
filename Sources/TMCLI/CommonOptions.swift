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
  public var directory: String { MemoryStore.directory(explicit: memories) }

  /// The memories a reading command uses: `--memory FILE`, else every
  /// `*.tsv` in the folder (an error when there is none).
  public func readPaths() throws -> [String] {
    if let memory { return [memory] }
    let paths = try MemoryStore.memoryFiles(in: directory)
    if paths.isEmpty {
      throw TMError(
        .notFound, "no memories (*.tsv) in the folder", file: directory,
        hint: "add some with 'tm add' or 'tm import', or point --memory at a file")
    }
    return paths
  }
}

extension Language: ExpressibleByArgument {
  public init?(argument: String) { self.init(tag: argument) }
  public static var allValueStrings: [String] { allCases.map(\.tag) }
}
