import Foundation

// What several test targets need and must not each carry a copy of: the
// fixed-seed generator of the property tests, and a runner for the built
// executables (tm, transliterate, tm-server) with captured output.

/// A fixed-seed generator (SplitMix64) for the property tests: the same
/// seed gives the same inputs on every run and machine.
public struct SeededRandom: RandomNumberGenerator, Sendable {
  public var state: UInt64
  public init(seed: UInt64) { state = seed }
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  /// A number in 0..<n.
  public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

/// The exit status and the output of one run of a built executable.
public struct ProcessOutput: Sendable {
  public var status: Int32
  public var stdout: String
  public var stderr: String
}

/// The executables of this package, as `swift test` built them.
public enum Executables {
  /// Where they are: next to the test bundle (`.build/<triple>/debug/`;
  /// Swift Testing may run from inside the bundle), or `$TM_BIN_DIR`.
  public static var directory: URL {
    if let d = ProcessInfo.processInfo.environment["TM_BIN_DIR"] { return URL(fileURLWithPath: d) }
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    for _ in 0..<4 {
      if FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("tm").path) { return dir }
      dir.deleteLastPathComponent()
    }
    return dir
  }

  /// Runs `program` to its end and captures what it printed. `NO_COLOR` is
  /// set; `env` adds to the inherited environment and `unset` removes from it
  /// (e.g. `TM_SERVER`, so a developer's own setting cannot reach a test).
  /// Stdin is written on a thread of its own so a big input cannot deadlock
  /// against a full stdout pipe.
  public static func run(
    _ program: String, _ args: [String], stdin: [UInt8] = [], cwd: URL? = nil, env: [String: String] = [:],
    unset: [String] = []
  ) throws -> ProcessOutput {
    let p = Process()
    p.executableURL = directory.appendingPathComponent(program)
    p.arguments = args
    var environment = ProcessInfo.processInfo.environment
    environment["NO_COLOR"] = "1"
    for k in unset { environment[k] = nil }
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
    let writer = Thread {
      inp.fileHandleForWriting.write(Data(stdin))
      try? inp.fileHandleForWriting.close()
    }
    writer.start()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return ProcessOutput(
      status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
  }

  /// A fresh, empty temporary directory whose name starts with `prefix`.
  public static func temporaryDirectory(prefix: String = "tm-test") throws -> URL {
    let u = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
    return u
  }
}
