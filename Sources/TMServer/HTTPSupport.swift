import Foundation
import HTTPTypes
import Hummingbird
import TMKit

/// Percent-decoding and query strings, done here rather than by the router
/// so that `%2F` inside a tmserver text never splits the path, `+` is a
/// space in a query, and invalid UTF-8 is an error naming the part.
enum URLCoding {
  /// Decodes `%XX` (and `+` when `plus`); nil for a bad escape or bytes
  /// that are not UTF-8.
  static func decode<S: StringProtocol>(_ s: S, plus: Bool = false) -> String? {
    var out: [UInt8] = []
    out.reserveCapacity(s.utf8.count)
    var it = Array(s.utf8)[...]
    while let b = it.popFirst() {
      if b == 0x25 {
        guard let h = it.popFirst(), let l = it.popFirst(), let hv = hex(h), let lv = hex(l) else { return nil }
        out.append(hv << 4 | lv)
      } else if b == 0x2B && plus {
        out.append(0x20)
      } else {
        out.append(b)
      }
    }
    return String(validating: out, as: UTF8.self)
  }

  private static func hex(_ b: UInt8) -> UInt8? {
    switch b {
    case 0x30...0x39: return b - 0x30
    case 0x41...0x46: return b - 0x41 + 10
    case 0x61...0x66: return b - 0x61 + 10
    default: return nil
    }
  }

  /// `a=1&b=x+y` → `["a": "1", "b": "x y"]` (the last value of a repeated
  /// name wins).
  static func query(_ q: String?) throws -> [String: String] {
    guard let q, !q.isEmpty else { return [:] }
    var out: [String: String] = [:]
    for part in q.split(separator: "&") where !part.isEmpty {
      let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      guard let k = decode(kv[0], plus: true) else {
        throw APIError.badRequest("a query parameter name is not valid percent-encoded UTF-8", field: "query")
      }
      let raw = kv.count > 1 ? kv[1] : ""
      guard let v = decode(raw, plus: true) else {
        throw APIError.badRequest("the value is not valid percent-encoded UTF-8", field: k)
      }
      out[k] = v
    }
    return out
  }
}

/// JSON in and out.
enum Body {
  static let encoder: JSONEncoder = {
    let e = JSONEncoder()
    e.outputFormatting = [.withoutEscapingSlashes]
    return e
  }()

  static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
    let data = try encoder.encode(value)
    return bytes(Array(data), contentType: "application/json; charset=utf-8", status: status)
  }

  /// A workflow's `Codable` report, encoded as the CLI's `--format jsonl`
  /// encodes it (keys in declaration order).
  static func report<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
    rawJSON(JSON.line(value), status: status)
  }

  /// A lookup's report: the same bytes as `report(_:)`, written by the
  /// hand-made encoder of `LookupReport.jsonLine()` (no generic `Codable`
  /// on the request path).
  static func lookup(_ value: LookupReport, status: HTTPResponse.Status = .ok) -> Response {
    bytes(value.jsonLine(), contentType: "application/json; charset=utf-8", status: status)
  }

  static func rawJSON(_ s: String, status: HTTPResponse.Status = .ok) -> Response {
    bytes(Array(s.utf8), contentType: "application/json; charset=utf-8", status: status)
  }

  static func bytes(_ b: [UInt8], contentType: String, status: HTTPResponse.Status = .ok, extra: [(String, String)] = [])
    -> Response
  {
    var headers = HTTPFields()
    headers[.contentType] = contentType
    headers[.contentLength] = String(b.count)
    headers[Body.noSniff] = "nosniff"
    for (k, v) in extra { if let n = HTTPField.Name(k) { headers[n] = v } }
    return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: b)))
  }

  static let noSniff = HTTPField.Name("X-Content-Type-Options")!

  static func error(_ e: APIError) -> Response {
    var extra = e.headers
    if e.status == 405 && !extra.contains(where: { $0.0 == "Allow" }) { extra.append(("Allow", "GET, POST")) }
    return bytes(Array(e.json.utf8), contentType: "application/json; charset=utf-8",
      status: HTTPResponse.Status(code: e.status), extra: extra)
  }

  /// Decodes a JSON body; a failure names the field at fault.
  static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
    if bytes.isEmpty { throw APIError.badRequest("the request body is empty; send a JSON object", field: "body") }
    guard String(validating: bytes, as: UTF8.self) != nil else {
      throw APIError.badRequest("the request body is not valid UTF-8", field: "body")
    }
    do {
      return try JSONDecoder().decode(T.self, from: Data(bytes))
    } catch let e as DecodingError {
      throw describe(e)
    }
  }

  static func path(_ codingPath: [any CodingKey], _ key: (any CodingKey)? = nil) -> String {
    var parts: [String] = []
    for k in codingPath + (key.map { [$0] } ?? []) {
      if let i = k.intValue { parts.append("[\(i)]") } else { parts.append((parts.isEmpty ? "" : ".") + k.stringValue) }
    }
    let s = parts.joined()
    return s.isEmpty ? "body" : s
  }

  static func describe(_ e: DecodingError) -> APIError {
    switch e {
    case .keyNotFound(let key, let ctx):
      let f = path(ctx.codingPath, key)
      return APIError.badRequest("'\(f)' is required", field: f)
    case .typeMismatch(let type, let ctx):
      let f = path(ctx.codingPath)
      return APIError.badRequest("'\(f)' must be \(typeName(type))", field: f)
    case .valueNotFound(let type, let ctx):
      let f = path(ctx.codingPath)
      return APIError.badRequest("'\(f)' must be \(typeName(type)), not null", field: f)
    case .dataCorrupted(let ctx):
      let f = path(ctx.codingPath)
      if ctx.codingPath.isEmpty { return APIError.badRequest("the request body is not valid JSON", field: "body") }
      return APIError.badRequest("'\(f)' is not valid: \(ctx.debugDescription)", field: f)
    @unknown default:
      return APIError.badRequest("the request body could not be read", field: "body")
    }
  }

  static func typeName(_ t: Any.Type) -> String {
    switch t {
    case is String.Type: return "a string"
    case is Int.Type: return "an integer"
    case is Double.Type: return "a number"
    case is Bool.Type: return "true or false"
    default:
      let n = "\(t)"
      if n.hasPrefix("Array") { return "a list" }
      if n.hasPrefix("Dictionary") { return "an object" }
      return "an object"
    }
  }
}

/// A thread-safe counter of requests in flight, for the concurrency limit.
final class InFlight: @unchecked Sendable {
  private let lock = NSLock()
  private var n = 0
  let limit: Int
  init(limit: Int) { self.limit = limit }

  func enter() -> Bool {
    lock.lock()
    defer { lock.unlock() }
    if n >= limit { return false }
    n += 1
    return true
  }

  func leave() {
    lock.lock()
    n -= 1
    lock.unlock()
  }

  var count: Int {
    lock.lock()
    defer { lock.unlock() }
    return n
  }
}

/// Parses a language field; unknown or empty values name the field.
func language(_ value: String?, field: String) throws -> Language? {
  guard let value, !value.isEmpty else { return nil }
  guard let l = Language(tag: value) else { throw APIError.unknownLanguage(value, field: field) }
  return l
}

/// Constant-time comparison for tokens.
func tokensEqual(_ a: String, _ b: String) -> Bool {
  let x = Array(a.utf8)
  let y = Array(b.utf8)
  var diff = UInt8(x.count == y.count ? 0 : 1)
  for i in 0..<min(x.count, y.count) { diff |= x[i] ^ y[i] }
  return diff == 0
}

/// Collects an export's chunks.
final class ByteSink: @unchecked Sendable {
  var bytes: [UInt8] = []
}
