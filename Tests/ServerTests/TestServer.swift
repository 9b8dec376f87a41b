import Foundation
import Logging
import TMKit
import Testing

@testable import TMServer

#if canImport(Glibc)
  import Glibc
#endif

/// An HTTP/1.1 response as read off the socket.
struct HTTPReply {
  var status: Int
  var headers: [String: String]
  var body: [UInt8]
  var text: String { String(decoding: body, as: UTF8.self) }

  func json() throws -> Any { try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) }
  var object: [String: Any] { ((try? json()) as? [String: Any]) ?? [:] }
  var array: [[String: Any]] { ((try? json()) as? [[String: Any]]) ?? [] }
  /// The first answer of a `LookupReport`.
  var answer: [String: Any]? { (object["answers"] as? [[String: Any]])?.first }
  /// `error.field` of an error body.
  var errorField: String? { (object["error"] as? [String: Any])?["field"] as? String }
}

/// A real server on a free loopback port, in this process, over a
/// temporary memories folder; requests go through real sockets.
final class TestServer: @unchecked Sendable {
  let port: Int
  let token: String
  let dir: URL
  let task: Task<Void, any Error>
  /// The TSV folder's indexes (nil when serving PostgreSQL).
  let backend: Backend?

  /// The memory the tests search: az/ru/en news-desk units.
  static let memory = """
    az\tru\ten\torigin\tcreated\tscore
    Yeni qanun 2027-ci il yanvarın 1-dən qüvvəyə minir.\tНовый закон вступает в силу с 1 января 2027 г.\tThe new law takes effect on 1 January 2027.\ttest\t2026-11-01T10:00:00Z\t
    Azərbaycan Respublikası 1918-ci ildə yaradılıb.\tАзербайджанская Республика основана в 1918 г.\tThe Republic of Azerbaijan was founded in 1918.\ttest\t2026-11-01T10:00:00Z\t
    Prezident İlham Əliyev Gəncədə olub.\tПрезидент Ильхам Алиев побывал в Гяндже.\tPresident Ilham Aliyev visited Ganja.\ttest\t2026-11-01T10:00:00Z\t
    Bakıda hava yağışlı olacaq.\tВ Баку будет дождливая погода.\tThe weather in Baku will be rainy.\ttest\t2026-11-01T10:00:00Z\t
    Hello %s\tПривет, %s\tHello %s\ttest\t2026-11-01T10:00:00Z\t
    <script>alert(1)</script> xəbərləri\t<script>alert(1)</script> новости\t<script>alert(1)</script> news\ttest\t2026-11-01T10:00:00Z\t

    """

  private init(port: Int, token: String, dir: URL, task: Task<Void, any Error>, backend: Backend?) {
    self.port = port
    self.token = token
    self.dir = dir
    self.task = task
    self.backend = backend
  }

  static func start(
    memory: String = TestServer.memory, serving: (any ServedStore)? = nil,
    configure: (inout ServerConfiguration) -> Void = { _ in }
  ) async throws -> TestServer {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tm-server-test-\(UUID().uuidString)")
    let memories = dir.appendingPathComponent("Memories")
    try FileManager.default.createDirectory(at: memories, withIntermediateDirectories: true)
    if !memory.isEmpty {
      try memory.write(to: memories.appendingPathComponent("news.tsv"), atomically: true, encoding: .utf8)
    }
    var config = ServerConfiguration(memoriesDirectory: memories.path)
    config.port = 0
    config.token = "test-token-0123456789abcdef"
    configure(&config)
    var logger = Logger(label: "tm-server-test")
    logger.logLevel = .critical
    let (stream, cont) = AsyncStream.makeStream(of: Int.self)
    let prepared = try await TMServerApp.prepare(config, logger: logger, serving: serving) { port in cont.yield(port) }
    let app = prepared.application
    let task = Task { try await app.run() }
    var port = 0
    for await p in stream {
      port = p
      break
    }
    return TestServer(port: port, token: prepared.token, dir: dir, task: task, backend: prepared.backend)
  }

  func stop() async {
    task.cancel()
    _ = try? await task.value
    try? FileManager.default.removeItem(at: dir)
  }

  var memoriesPath: String { dir.appendingPathComponent("Memories").path }

  // MARK: HTTP

  func get(_ path: String, token: String? = nil) async throws -> HTTPReply {
    try await request("GET", path, token: token)
  }

  func post(_ path: String, json: Any, token: String? = nil) async throws -> HTTPReply {
    let data = try JSONSerialization.data(withJSONObject: json)
    return try await request("POST", path, body: Array(data), token: token, contentType: "application/json")
  }

  func post(_ path: String, raw: [UInt8], token: String? = nil, contentType: String = "application/json") async throws
    -> HTTPReply
  {
    try await request("POST", path, body: raw, token: token, contentType: contentType)
  }

  func request(
    _ method: String, _ path: String, body: [UInt8] = [], token: String? = nil, contentType: String? = nil
  ) async throws -> HTTPReply {
    var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
    if let token { head += "Authorization: Bearer \(token)\r\n" }
    if let contentType { head += "Content-Type: \(contentType)\r\n" }
    if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
    head += "\r\n"
    return try await raw(Array(head.utf8) + body)
  }

  /// Sends bytes as they are and reads the reply until the server closes,
  /// on a thread of its own: blocking socket calls must not occupy the
  /// cooperative pool the server answers on.
  func raw(_ bytes: [UInt8], pauseAfter: Int? = nil, pause: Double = 0) async throws -> HTTPReply {
    try await withCheckedThrowingContinuation { (c: CheckedContinuation<HTTPReply, any Error>) in
      let t = Thread {
        c.resume(with: Result { try self.rawBlocking(bytes, pauseAfter: pauseAfter, pause: pause) })
      }
      t.start()
    }
  }

  func rawBlocking(_ bytes: [UInt8], pauseAfter: Int?, pause: Double) throws -> HTTPReply {
    let fd = try connect()
    defer { close(fd) }
    var off = 0
    while off < bytes.count {
      let end = pauseAfter.map { off < $0 ? min($0, bytes.count) : bytes.count } ?? bytes.count
      let n = bytes[off..<end].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
      if n <= 0 { break }
      off += n
      if let p = pauseAfter, off == p, pause > 0 { Thread.sleep(forTimeInterval: pause) }
    }
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
      if n <= 0 { break }
      out += buf[0..<n]
    }
    return try HTTPReply.parse(out)
  }

  func connect() throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    // Generous: under CI the whole suite shares 2 loaded cores (a 20 s limit timed out there).
    var tv = timeval(tv_sec: 90, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let r = withUnsafePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    if r != 0 {
      close(fd)
      throw TMError(.io, "cannot connect to 127.0.0.1:\(port)")
    }
    return fd
  }
}

extension HTTPReply {
  static func parse(_ bytes: [UInt8]) throws -> HTTPReply {
    guard let sep = bytes.indices.first(where: { i in i + 3 < bytes.count && bytes[i...i + 3].elementsEqual([13, 10, 13, 10]) })
    else { throw TMError(.invalidInput, "no HTTP reply (\(bytes.count) bytes)") }
    let head = String(decoding: bytes[..<sep], as: UTF8.self).components(separatedBy: "\r\n")
    let statusParts = head[0].split(separator: " ")
    guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw TMError(.invalidInput, "bad status line") }
    var headers: [String: String] = [:]
    for h in head.dropFirst() {
      guard let c = h.firstIndex(of: ":") else { continue }
      headers[h[..<c].lowercased()] = h[h.index(after: c)...].trimmingCharacters(in: .whitespaces)
    }
    var body = Array(bytes[(sep + 4)...])
    if headers["transfer-encoding"]?.lowercased() == "chunked" {
      var out: [UInt8] = []
      var i = 0
      while i < body.count {
        guard let crlf = body[i...].indices.first(where: { $0 + 1 < body.count && body[$0] == 13 && body[$0 + 1] == 10 }),
          let size = Int(String(decoding: body[i..<crlf], as: UTF8.self), radix: 16)
        else { break }
        if size == 0 { break }
        out += body[(crlf + 2)..<min(body.count, crlf + 2 + size)]
        i = crlf + 2 + size + 2
      }
      body = out
    }
    return HTTPReply(status: status, headers: headers, body: body)
  }
}

/// Percent-encodes as Weblate does: UTF-8, nothing left safe.
func weblateQuote(_ s: String) -> String {
  var out = ""
  for b in s.utf8 {
    switch b {
    case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E: out.append(Character(Unicode.Scalar(b)))
    default: out += String(format: "%%%02X", b)
    }
  }
  return out
}
