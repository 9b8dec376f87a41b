import Foundation

/// Where memories live: a folder of `*.tsv` files.
///
/// Resolution order: an explicit `--memories DIR`, the `TM_MEMORIES`
/// environment variable, then `Memories/` in the current directory.
public enum MemoryStore {
  public static func directory(explicit: String?) -> String {
    if let explicit, !explicit.isEmpty { return explicit }
    if let env = ProcessInfo.processInfo.environment["TM_MEMORIES"], !env.isEmpty { return env }
    return FileManager.default.currentDirectoryPath + "/Memories"
  }

  /// The memory files in a folder, sorted by name.
  public static func memoryFiles(in directory: String) throws -> [String] {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
      throw TMError(
        .notFound, "no memories folder", file: directory,
        hint: "create it, or point --memories or TM_MEMORIES at the folder that holds your *.tsv memories")
    }
    let names = try FileManager.default.contentsOfDirectory(atPath: directory)
    return names.filter { $0.hasSuffix(".tsv") && !$0.hasPrefix(".") }.sorted().map { directory + "/" + $0 }
  }

  /// The memory a command writes to when none is named: one file per
  /// language pair, tags in the fixed order az, az-Cyrl, ru, en
  /// (`Memories/az-ru.tsv`), so `az→ru` and `ru→az` share it.
  public static func defaultMemory(in directory: String, _ a: Language, _ b: Language) -> String {
    let order = Language.allCases
    let pair = [a, b].sorted { order.firstIndex(of: $0)! < order.firstIndex(of: $1)! }
    return directory + "/" + pair.map(\.tag).joined(separator: "-") + ".tsv"
  }
}
