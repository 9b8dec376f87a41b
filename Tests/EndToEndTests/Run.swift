import Foundation
import TestSupport
import Testing

/// Runs a built executable of this package and captures what it printed.
///
/// The binaries sit next to the test bundle (`.build/debug/`), or in
/// `$TM_BIN_DIR`. Working directory and environment can be set so a test
/// never touches the repository's own `Memories/`.
struct Run {
  var status: Int32
  var stdout: String
  var stderr: String

  static var binDir: URL { Executables.directory }

  /// A fresh, empty temporary directory.
  static func tempDir() throws -> URL { try Executables.temporaryDirectory(prefix: "tm-e2e") }

  @discardableResult
  init(
    _ program: String, _ args: [String], stdin: String? = nil, stdinBytes: [UInt8]? = nil,
    cwd: URL? = nil, env: [String: String] = [:]
  ) throws {
    let r = try Executables.run(
      program, args, stdin: stdinBytes ?? stdin.map { Array($0.utf8) } ?? [], cwd: cwd, env: env)
    status = r.status
    stdout = r.stdout
    stderr = r.stderr
  }

  /// Reads a golden file from `Tests/EndToEndTests/Golden/`.
  static func golden(_ name: String) throws -> String {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name)")
    return try String(contentsOf: url, encoding: .utf8)
  }
}

@Suite struct CLIContractTests {
  @Test func versionNamesICU() throws {
    let r = try Run("tm", ["--version"])
    #expect(r.status == 0)
    #expect(r.stdout.contains("ICU 72"))
  }

  @Test func unknownOptionIsExit2WithMessageOnStderr() throws {
    let r = try Run("tm", ["--no-such-option"])
    #expect(r.status == 2)
    #expect(r.stdout.isEmpty)
    #expect(r.stderr.contains("--no-such-option"))
  }
}
