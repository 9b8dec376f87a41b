import Foundation

/// Where the memories folder is and what files it holds: a folder of
/// `*.tsv` files. (Only path resolution; the store over the folder is
/// ``TSVFolderStore``.)
///
/// Resolution order: an explicit `--memories DIR`, the `TM_MEMORIES`
/// environment variable, then `Memories/` in the current directory.
public enum MemoryFolder {
  public static func directory(explicit: String?) -> String {
    if let explicit, !explicit.isEmpty { return explicit }
    if let env = ProcessInfo.processInfo.environment["TM_MEMORIES"], !env.isEmpty { return env }
    return FileManager.default.currentDirectoryPath + "/Memories"
  }

  /// Whether `directory` exists and is a folder.
  public static func exists(_ directory: String) -> Bool {
    var isDir: ObjCBool = false
    return FileManager.default.fileExists(atPath: directory, isDirectory: &isDir) && isDir.boolValue
  }

  /// The memory files in a folder, sorted by name.
  public static func memoryFiles(in directory: String) throws -> [String] {
    guard exists(directory) else {
      throw TMError(
        .notFound, "no memories folder", file: directory,
        hint: "create it, or point --memories or TM_MEMORIES at the folder that holds your *.tsv memories")
    }
    let names = try FileManager.default.contentsOfDirectory(atPath: directory)
    return names.filter { $0.hasSuffix(".tsv") && !$0.hasPrefix(".") }.sorted().map { directory + "/" + $0 }
  }

  /// The file name of the memory a command writes to when none is named:
  /// one file per language pair, tags in the fixed order az, az-Cyrl, ru, en
  /// (`az-ru.tsv`), so `az→ru` and `ru→az` share it.
  public static func defaultFileName(_ languages: [Language]) -> String {
    Language.allCases.filter(languages.contains).map(\.tag).joined(separator: "-") + ".tsv"
  }

  /// `defaultFileName` inside `directory`.
  public static func defaultMemory(in directory: String, _ a: Language, _ b: Language) -> String {
    directory + "/" + defaultFileName([a, b])
  }
}
