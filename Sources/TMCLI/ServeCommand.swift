#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import ArgumentParser
import TMKit

/// `tm serve`: runs `tm-server` (the HTTP service, its own product so that
/// the CLI builds without SwiftNIO) from the folder `tm` is in, passing
/// every argument on.
public struct ServeCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Serve the memories over HTTP (runs tm-server; 'tm serve --help' shows its options).",
    discussion: """
      The server is the separate executable tm-server, installed beside tm. Build it with \
      'swift build -c release --product tm-server'.
      """
  )

  @Argument(parsing: .captureForPassthrough, help: "Options for tm-server (see 'tm serve --help').")
  public var arguments: [String] = []

  public init() {}

  /// Where `tm-server` would be: beside the running `tm`.
  public static func serverPath() -> String {
    var buf = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buf, buf.count - 1)
    let exe = n > 0 ? String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : CommandLine.arguments[0]
    let dir = exe.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
    return (dir.isEmpty ? "." : dir) + "/tm-server"
  }

  public func run() throws {
    let path = Self.serverPath()
    guard access(path, X_OK) == 0 else {
      throw TMError(
        .notFound, "tm-server is not installed beside tm", file: path,
        hint: "build it with 'swift build -c release --product tm-server' (or 'swift build --product tm-server')")
    }
    let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
    execv(path, argv)
    throw TMError(.io, "cannot run tm-server (errno \(errno))", file: path)
  }
}
