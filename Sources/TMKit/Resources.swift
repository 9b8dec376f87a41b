import Foundation

/// Finds the data files that ship with the package (abbreviation lists,
/// transliteration rules) without `Bundle.module`, whose accessor stops the
/// process when the bundle is missing.
public enum PackageResources {
  /// The `Resources` folder: next to the executable (`tm_TMKit.resources`,
  /// how SwiftPM installs it), else the source tree this was built from.
  public static let directory: URL? = {
    var candidates: [URL] = []
    if let env = ProcessInfo.processInfo.environment["TM_RESOURCES"] { candidates.append(URL(fileURLWithPath: env)) }
    let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
    candidates.append(exe.appendingPathComponent("tm_TMKit.resources/Resources"))
    candidates.append(exe.appendingPathComponent("tm_TMKit.resources"))
    for b in Bundle.allBundles where b.bundlePath.hasSuffix("tm_TMKit.resources") {
      candidates.append(URL(fileURLWithPath: b.bundlePath).appendingPathComponent("Resources"))
    }
    if let u = Bundle.main.resourceURL {
      candidates.append(u.appendingPathComponent("tm_TMKit.resources/Resources"))
    }
    candidates.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources"))
    return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("abbreviations").path) }
  }()

  /// Reads a resource file as UTF-8 text, e.g. `abbreviations/ru.txt`.
  public static func text(_ relativePath: String) throws -> String {
    guard let dir = directory else {
      throw TMError(
        .notFound, "the package's data files (abbreviations, transliteration rules) were not found",
        hint: "run the tools from the build folder or set TM_RESOURCES to Sources/TMKit/Resources")
    }
    let url = dir.appendingPathComponent(relativePath)
    guard let data = FileManager.default.contents(atPath: url.path) else {
      throw TMError(.notFound, "missing data file", file: url.path)
    }
    return String(decoding: data, as: UTF8.self)
  }
}
