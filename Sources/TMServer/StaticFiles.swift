import Foundation
import Hummingbird

/// The browser page and the OpenAPI document, read once from the target's
/// resources (`Sources/TMServer/Resources/`): plain files, no build step.
final class StaticFiles: Sendable {
  let files: [String: [UInt8]]

  static let names = ["index.html", "app.js", "style.css", "openapi.yaml"]

  init() throws {
    var files: [String: [UInt8]] = [:]
    if let dir = Self.directory {
      for name in Self.names {
        if let d = FileManager.default.contents(atPath: dir.appendingPathComponent(name).path) { files[name] = Array(d) }
      }
    }
    self.files = files
  }

  /// The resources folder: beside the executable (`tm_TMServer.resources`,
  /// as SwiftPM lays it out), `$TM_SERVER_RESOURCES`, or the source tree.
  /// Not `Bundle.module`, whose accessor stops the process when it is missing.
  static let directory: URL? = {
    var candidates: [URL] = []
    if let env = ProcessInfo.processInfo.environment["TM_SERVER_RESOURCES"] { candidates.append(URL(fileURLWithPath: env)) }
    let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
    candidates.append(exe.appendingPathComponent("tm_TMServer.resources/Resources"))
    for b in Bundle.allBundles where b.bundlePath.hasSuffix("tm_TMServer.resources") {
      candidates.append(URL(fileURLWithPath: b.bundlePath).appendingPathComponent("Resources"))
    }
    var dir = exe
    for _ in 0..<4 {
      candidates.append(dir.appendingPathComponent("tm_TMServer.resources/Resources"))
      dir.deleteLastPathComponent()
    }
    candidates.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources"))
    return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("index.html").path) }
  }()

  func response(_ name: String) -> Response {
    guard let bytes = files[name] else {
      return Body.error(APIError(404, "not_found", "no such file: \(name)", field: "path"))
    }
    let type: String
    var extra: [(String, String)] = [("Cache-Control", "no-cache")]
    switch name.split(separator: ".").last ?? "" {
    case "html":
      type = "text/html; charset=utf-8"
      // Only our own script and style; no inline script, no framing.
      extra.append(("Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'"))
      extra.append(("X-Frame-Options", "DENY"))
      extra.append(("Referrer-Policy", "no-referrer"))
    case "js": type = "text/javascript; charset=utf-8"
    case "css": type = "text/css; charset=utf-8"
    case "yaml": type = "application/yaml; charset=utf-8"
    default: type = "application/octet-stream"
    }
    return Body.bytes(bytes, contentType: type, extra: extra)
  }
}
