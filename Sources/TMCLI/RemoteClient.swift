import ArgumentParser
import Foundation
import TMKit

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// `--server URL` / `--token-file FILE`: the commands that read or write a
/// memory (lookup, add, import, export, stats) send their request to a
/// `tm-server` instead, decode the same `Codable` workflow report and print it
/// with the same code, so the output and the exit status are the local ones.
public struct ServerOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp("Work against this tm-server (default: $TM_SERVER) instead of local files.", valueName: "url"))
  public var server: String?

  @Option(
    name: .customLong("token-file"),
    help: ArgumentHelp("With --server: the file holding the bearer token (the server's --token-file).", valueName: "file"))
  public var tokenFile: String?

  public init() {}

  /// The client in force, nil when the command works on local files.
  public func client() throws -> RemoteClient? {
    let env = ProcessInfo.processInfo.environment["TM_SERVER"].flatMap { $0.isEmpty ? nil : $0 }
    guard let url = server ?? env else {
      if tokenFile != nil { throw TMError(.usage, "--token-file works with --server URL (or TM_SERVER)") }
      return nil
    }
    var token: String?
    if let tokenFile {
      guard let data = FileManager.default.contents(atPath: tokenFile) else {
        throw TMError(.io, "cannot read the token file", file: tokenFile)
      }
      let t = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
      if t.isEmpty { throw TMError(.usage, "the token file is empty", file: tokenFile) }
      token = t
    }
    return try RemoteClient(base: url, token: token)
  }
}

/// A small blocking-style client of the JSON API over URLSession
/// (FoundationNetworking on Linux, which ships with the toolchain: no
/// SwiftNIO in `tm`). A server's JSON error becomes a `TMError` with its
/// message; a server that cannot be reached names the URL.
public struct RemoteClient: Sendable {
  public let base: URL
  let token: String?

  public init(base: String, token: String?) throws {
    var s = base
    while s.hasSuffix("/") { s.removeLast() }
    guard let url = URL(string: s), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
      url.host != nil
    else {
      throw TMError(.usage, "--server must be an http:// or https:// URL (got '\(base)')")
    }
    self.base = url
    self.token = token
  }

  public struct Reply: Sendable {
    public var body: Data
    public var headers: [String: String]
  }

  /// One request to `path` (e.g. `/api/v1/stats`) with `query` parameters.
  public func send(_ method: String, _ path: String, query: [(String, String?)] = [], body: Data? = nil,
    contentType: String = "application/json") async throws -> Reply
  {
    guard var c = URLComponents(url: base, resolvingAgainstBaseURL: false) else {
      throw TMError(.usage, "--server must be a URL (got '\(base.absoluteString)')")
    }
    c.path = c.path + path
    let items = query.compactMap { k, v in v.map { URLQueryItem(name: k, value: $0) } }
    if !items.isEmpty { c.queryItems = items }
    // `+` is a space in a form query: send it as %2B.
    c.percentEncodedQuery = c.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
    guard let url = c.url else { throw TMError(.usage, "cannot make a URL of \(base.absoluteString)\(path)") }
    var request = URLRequest(url: url, timeoutInterval: 120)
    request.httpMethod = method
    request.setValue("application/json", forHTTPHeaderField: "Accept")
    if let token { request.setValue("Bearer " + token, forHTTPHeaderField: "Authorization") }
    if let body {
      request.httpBody = body
      request.setValue(contentType, forHTTPHeaderField: "Content-Type")
    }
    let data: Data
    let response: URLResponse
    do {
      (data, response) = try await URLSession.shared.data(for: request)
    } catch {
      let reason = (error as NSError).localizedDescription
      throw TMError(.io, "cannot reach the server at \(base.absoluteString): \(reason)",
        hint: "is tm-server running there? (--server URL or TM_SERVER)")
    }
    guard let http = response as? HTTPURLResponse else {
      throw TMError(.io, "no HTTP answer from \(base.absoluteString)")
    }
    var headers: [String: String] = [:]
    for (k, v) in http.allHeaderFields {
      if let k = k as? String, let v = v as? String { headers[k.lowercased()] = v }
    }
    if !(200..<300).contains(http.statusCode) { throw Self.error(status: http.statusCode, data, url: base) }
    return Reply(body: data, headers: headers)
  }

  /// A JSON request body, a JSON report back.
  public func json<T: Decodable>(_ type: T.Type, _ method: String, _ path: String, query: [(String, String?)] = [],
    body: [String: JSONValue]? = nil) async throws -> T
  {
    let data = try body.map { try JSONEncoder().encode($0) }
    let reply = try await send(method, path, query: query, body: data)
    return try decode(type, reply.body)
  }

  public func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
    do {
      return try JSONDecoder().decode(type, from: data)
    } catch {
      throw TMError(.invalidInput, "the server's answer is not the expected JSON (\(T.self)): \(error)",
        file: base.absoluteString)
    }
  }

  /// A `multipart/form-data` body of named files and its Content-Type.
  public static func multipart(_ files: [(name: String, data: Data)]) -> (Data, String) {
    var bytes = [UInt8](repeating: 0, count: 16)
    var g = SystemRandomNumberGenerator()
    for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255, using: &g) }
    var boundary = "tm-" + bytes.map { String($0, radix: 16) }.joined()
    // A boundary must not occur inside a file: a new one until it does not.
    while files.contains(where: { $0.data.range(of: Data(boundary.utf8)) != nil }) { boundary += "x" }
    var body = Data()
    for f in files {
      let name = f.name.replacingOccurrences(of: "\"", with: "_").replacingOccurrences(of: "\r", with: "_")
        .replacingOccurrences(of: "\n", with: "_")
      body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(name)\"\r\n".utf8))
      body.append(Data("Content-Type: application/octet-stream\r\n\r\n".utf8))
      body.append(f.data)
      body.append(Data("\r\n".utf8))
    }
    body.append(Data("--\(boundary)--\r\n".utf8))
    return (body, "multipart/form-data; boundary=\(boundary)")
  }

  /// `{"error": {"status", "code", "message", "hint"?}}` as a `TMError`.
  static func error(status: Int, _ data: Data, url: URL) -> TMError {
    struct Body: Decodable {
      struct E: Decodable {
        var code: String?
        var message: String
        var hint: String?
      }
      var error: E
    }
    if let b = try? JSONDecoder().decode(Body.self, from: data) {
      return TMError(.usage, "server: \(b.error.message) (HTTP \(status))", hint: b.error.hint)
    }
    let text = String(decoding: data.prefix(200), as: UTF8.self)
    return TMError(.io, "server answered HTTP \(status)" + (text.isEmpty ? "" : ": \(text)"), file: url.absoluteString)
  }
}

/// The few JSON values a request body holds.
public enum JSONValue: Encodable, Sendable {
  case string(String), number(Double), int(Int), bool(Bool), array([JSONValue]), object([String: JSONValue])

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.singleValueContainer()
    switch self {
    case .string(let s): try c.encode(s)
    case .number(let d): try c.encode(d)
    case .int(let i): try c.encode(i)
    case .bool(let b): try c.encode(b)
    case .array(let a): try c.encode(a)
    case .object(let o): try c.encode(o)
    }
  }
}
