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
    var s = String(s)
    return s.withUTF8 { decode($0[...], plus: plus) }
  }

  /// ``decode(_:plus:)`` of a slice of UTF-8 bytes.
  static func decode(_ b: Slice<UnsafeBufferPointer<UInt8>>, plus: Bool) -> String? {
    var out: [UInt8] = []
    out.reserveCapacity(b.count)
    var i = b.startIndex
    while i < b.endIndex {
      let c = b[i]
      i += 1
      if c == 0x25 {
        guard i + 1 < b.endIndex, let hv = hex(b[i]), let lv = hex(b[i + 1]) else { return nil }
        out.append(hv << 4 | lv)
        i += 2
      } else if c == 0x2B && plus {
        out.append(0x20)
      } else {
        out.append(c)
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
  /// name wins). Parsed over the UTF-8 bytes (no substrings per part: it
  /// runs on every request).
  static func query(_ q: String?) throws -> [String: String] {
    guard var q, !q.isEmpty else { return [:] }
    return try q.withUTF8 { b in
      var out: [String: String] = [:]
      var start = 0
      while start <= b.count {
        var end = start
        while end < b.count && b[end] != 0x26 { end += 1 }  // '&'
        if end > start {
          var eq = start
          while eq < end && b[eq] != 0x3D { eq += 1 }  // '='
          guard let k = decode(b[start..<eq], plus: true) else {
            throw APIError.badRequest("a query parameter name is not valid percent-encoded UTF-8", field: "query")
          }
          guard let v = decode(b[min(eq + 1, end)..<end], plus: true) else {
            throw APIError.badRequest("the value is not valid percent-encoded UTF-8", field: k)
          }
          out[k] = v
        }
        start = end + 1
      }
      return out
    }
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
