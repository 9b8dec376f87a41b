#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif
import ArgumentParser
import TMKit

import Foundation

/// Buffered writing to stdout and stderr, the way grep and ripgrep behave:
/// a closed pipe (`tm lookup … | head`) ends the program quietly with
/// status 0; any other write error on stdout (a full disk) ends it with a
/// message and status 2, so a truncated output never looks like success.
/// Colour only when the stream is a terminal and NO_COLOR is unset.
///
/// There is one `Output` per file descriptor (a process has one stdout);
/// its buffer is behind a lock, so tasks that print at the same time
/// interleave whole writes, never corrupt the buffer.
public final class Output: @unchecked Sendable {
  public static let standard = Output(fd: 1)
  public static let error = Output(fd: 2)

  private let fd: Int32
  private let lock = NSLock()
  private var buffer: [UInt8] = []  // guarded by `lock`
  /// True when this stream is a terminal and colour is allowed.
  public let colour: Bool

  init(fd: Int32) {
    self.fd = fd
    buffer.reserveCapacity(1 << 16)
    colour =
      isatty(fd) == 1 && getenv("NO_COLOR") == nil && (getenv("TERM").map { String(cString: $0) } ?? "dumb") != "dumb"
  }

  public var isTerminal: Bool { isatty(fd) == 1 }

  public func write(_ s: String) { write(bytes: s.utf8) }

  public func line(_ s: String) {
    let full = lock.withLock {
      buffer.append(contentsOf: s.utf8)
      buffer.append(0x0A)
      return buffer.count >= 1 << 16
    }
    if full { flush() }
  }

  /// Appends raw bytes (already UTF-8): a slice of the input, a streaming
  /// path's buffer; no String is made.
  public func write<C: Collection>(bytes: C) where C.Element == UInt8 {
    let full = lock.withLock {
      buffer.append(contentsOf: bytes)
      return buffer.count >= 1 << 16
    }
    if full { flush() }
  }

  /// Writes the buffer out. On stdout, EPIPE ends the program with status
  /// 0 and any other error with a message and status 2.
  public func flush() {
    let failure: Int32? = lock.withLock {
      var off = 0
      defer { buffer.removeAll(keepingCapacity: true) }
      while off < buffer.count {
        let n = buffer.withUnsafeBytes { p in
          #if canImport(Glibc)
            Glibc.write(fd, p.baseAddress! + off, p.count - off)
          #else
            Darwin.write(fd, p.baseAddress! + off, p.count - off)
          #endif
        }
        if n < 0 {
          if errno == EINTR { continue }
          return errno
        }
        off += n
      }
      return nil
    }
    guard let failure else { return }
    if failure == EPIPE { exit(0) }
    if fd == 2 { return }  // nowhere left to report it
    let message = "\(programName()): error: cannot write to standard output: \(String(cString: strerror(failure)))\n"
    _ = message.withCString { p in
      #if canImport(Glibc)
        Glibc.write(2, p, strlen(p))
      #else
        Darwin.write(2, p, strlen(p))
      #endif
    }
    exit(2)
  }

  /// Wraps `s` in an ANSI style when colour is on.
  public func styled(_ s: String, _ code: String) -> String {
    colour ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s
  }
}

public func programName() -> String {
  CommandLine.arguments.first.map { String($0.split(separator: "/").last ?? "tm") } ?? "tm"
}

/// Diagnostics go to stderr, prefixed with the program name.
public func warn(_ message: String, program: String = programName()) {
  Output.standard.flush()
  Output.error.line("\(program): \(message)")
  Output.error.flush()
}

/// Runs a root command with the exit-code contract of grep and ripgrep:
/// 0 success / found, 1 nothing found (a command throws `ExitCode(1)`),
/// 2 any error, including a bad argument. SIGPIPE is ignored so a closed pipe
/// is seen as EPIPE and ends the program with 0.
public func runMain<Command: ParsableCommand>(_ type: Command.Type) async -> Never {
  signal(SIGPIPE, SIG_IGN)
  let program = Command.configuration.commandName ?? "tm"
  do {
    var command = try type.parseAsRoot()
    if var command = command as? AsyncParsableCommand {
      try await command.run()
    } else {
      try command.run()
    }
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
