import Foundation
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

  static var binDir: URL {
    if let d = ProcessInfo.processInfo.environment["TM_BIN_DIR"] { return URL(fileURLWithPath: d) }
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    // `swift test` runs `.build/<triple>/debug/tmPackageTests.xctest`; Swift
    // Testing may also run from inside the bundle.
    for _ in 0..<4 {
      if FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("tm").path) { return dir }
      dir.deleteLastPathComponent()
    }
    return dir
  }

  /// A fresh, empty temporary directory.
  static func tempDir() throws -> URL {
    let u = FileManager.default.temporaryDirectory.appendingPathComponent("tm-e2e-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
    return u
  }

  @discardableResult
  init(
    _ program: String, _ args: [String], stdin: String? = nil, stdinBytes: [UInt8]? = nil,
    cwd: URL? = nil, env: [String: String] = [:]
  ) throws {
    let p = Process()
    p.executableURL = Run.binDir.appendingPathComponent(program)
    p.arguments = args
    var environment = ProcessInfo.processInfo.environment
    environment["NO_COLOR"] = "1"
    for (k, v) in env { environment[k] = v }
    p.environment = environment
    if let cwd { p.currentDirectoryURL = cwd }
    let out = Pipe()
    let err = Pipe()
    let inp = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = inp
    try p.run()
    let bytes = stdinBytes ?? stdin.map { Array($0.utf8) } ?? []
    // Write stdin on a separate thread so big inputs cannot deadlock.
    let writer = Thread {
      inp.fileHandleForWriting.write(Data(bytes))
      try? inp.fileHandleForWriting.close()
    }
    writer.start()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    status = p.terminationStatus
    stdout = String(decoding: o, as: UTF8.self)
    stderr = String(decoding: e, as: UTF8.self)
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
