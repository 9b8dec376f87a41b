#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif
import ArgumentParser
import TMKit

/// Buffered writing to stdout and stderr, the way grep and ripgrep behave:
/// a closed pipe (`tm lookup … | head`) ends the program quietly with
/// status 0; colour only when the stream is a terminal and NO_COLOR is unset.
public final class Output: @unchecked Sendable {
  public static let standard = Output(fd: 1)
  public static let error = Output(fd: 2)

  private let fd: Int32
  private var buffer: [UInt8] = []

  init(fd: Int32) {
    self.fd = fd
    buffer.reserveCapacity(1 << 16)
  }

  /// True when this stream is a terminal and colour is allowed.
  public lazy var colour: Bool = {
    isatty(fd) == 1 && getenv("NO_COLOR") == nil && (getenv("TERM").map { String(cString: $0) } ?? "dumb") != "dumb"
  }()

  public var isTerminal: Bool { isatty(fd) == 1 }

  public func write(_ s: String) {
    buffer.append(contentsOf: s.utf8)
    if buffer.count >= 1 << 16 { flush() }
  }

  public func line(_ s: String) {
    write(s)
    buffer.append(0x0A)
    if buffer.count >= 1 << 16 { flush() }
  }

  /// Appends raw bytes (already UTF-8): a slice of the input, a streaming
  /// path's buffer; no String is made.
  public func write<C: Collection>(bytes: C) where C.Element == UInt8 {
    buffer.append(contentsOf: bytes)
    if buffer.count >= 1 << 16 { flush() }
  }

  public func flush() {
    var off = 0
    while off < buffer.count {
      let n = buffer.withUnsafeBytes { p in Glibc.write(fd, p.baseAddress! + off, p.count - off) }
      if n < 0 {
        if errno == EINTR { continue }
        if errno == EPIPE { Glibc.exit(0) }
        buffer.removeAll(keepingCapacity: true)
        return
      }
      off += n
    }
    buffer.removeAll(keepingCapacity: true)
  }

  /// Wraps `s` in an ANSI style when colour is on.
  public func styled(_ s: String, _ code: String) -> String {
    colour ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s
  }
}

/// Diagnostics go to stderr, prefixed with the program name.
public func warn(_ message: String, program: String = CommandLine.arguments.first.map { String($0.split(separator: "/").last ?? "tm") } ?? "tm") {
  Output.standard.flush()
  Output.error.line("\(program): \(message)")
  Output.error.flush()
}

/// Runs a root command with the exit-code contract of grep and ripgrep:
/// 0 success / found, 1 nothing found (a command throws `ExitCode(1)`),
/// 2 any error, including a bad argument. SIGPIPE is ignored so a closed pipe
/// is seen as EPIPE and ends the program with 0.
public func runMain<Command: ParsableCommand>(_ type: Command.Type) -> Never {
  signal(SIGPIPE, SIG_IGN)
  let program = Command.configuration.commandName ?? "tm"
  do {
    var command = try type.parseAsRoot()
    try command.run()
    Output.standard.flush()
    exit(0)
  } catch let e as TMError {
    Output.standard.flush()
    warn("error: \(e)", program: program)
    exit(2)
  } catch let e as ExitCode {
    Output.standard.flush()
    exit(e.rawValue)
  } catch {
    Output.standard.flush()
    let code = type.exitCode(for: error)
    if code == .success {
      type.exit(withError: error)  // --help, --version: printed by ArgumentParser
    }
    let message = type.fullMessage(for: error)
    Output.error.line(message)
    Output.error.flush()
    exit(2)
  }
}
