import TMKit

/// An error a client receives: an HTTP status and a JSON body
/// `{"error": {"status", "code", "message", "field"?, "hint"?}}`.
///
/// Every failure of a request ends here (the error middleware maps
/// `TMError`, decoding errors and anything else), so a client never sees an
/// HTML page or a bare 500 for something it sent.
public struct APIError: Error, Sendable, Equatable {
  public var status: Int
  public var code: String
  public var message: String
  /// The request field (JSON key, query parameter or path part) at fault.
  public var field: String?
  public var hint: String?
  /// Extra headers (`WWW-Authenticate`, `Retry-After`, `Allow`).
  public var headers: [(String, String)] = []

  public init(_ status: Int, _ code: String, _ message: String, field: String? = nil, hint: String? = nil) {
    self.status = status
    self.code = code
    self.message = message
    self.field = field
    self.hint = hint
  }

  public static func == (a: APIError, b: APIError) -> Bool {
    a.status == b.status && a.code == b.code && a.message == b.message && a.field == b.field
  }

  static func badRequest(_ message: String, field: String? = nil, hint: String? = nil) -> APIError {
    APIError(400, "bad_request", message, field: field, hint: hint)
  }

  static func unknownLanguage(_ value: String, field: String) -> APIError {
    APIError(
      400, "unknown_language", "unknown language '\(value)'", field: field,
      hint: "use one of: " + Language.allCases.map(\.tag).joined(separator: ", "))
  }

  /// A library error as the client sees it.
  static func from(_ e: TMError, field: String? = nil) -> APIError {
    let status: Int
    let code: String
    switch e.kind {
    case .usage: (status, code) = (400, "bad_request")
    case .invalidInput: (status, code) = (422, "invalid_input")
    case .malformedMemory: (status, code) = (500, "malformed_memory")
    case .icu: (status, code) = (400, "bad_request")
    case .notFound: (status, code) = (404, "not_found")
    case .io: (status, code) = (500, "io")
    }
    var message = e.message
    if let line = e.line { message += " (line \(line))" } else if let off = e.byteOffset { message += " (byte \(off))" }
    return APIError(status, code, message, field: field, hint: e.hint)
  }

  /// The JSON body.
  var json: String {
    var f = ["\"status\":\(status)", "\"code\":\(JSON.string(code))", "\"message\":\(JSON.string(message))"]
    if let field { f.append("\"field\":\(JSON.string(field))") }
    if let hint { f.append("\"hint\":\(JSON.string(hint))") }
    return "{\"error\":{" + f.joined(separator: ",") + "}}"
  }
}
