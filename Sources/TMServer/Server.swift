import Foundation
import Hummingbird
import Logging
import NIOCore
import TMKit

/// The HTTP service: one responder that routes by the raw path (so that a
/// `%2F` in a tmserver text is never a separator), checks the token and the
/// limits, counts, and maps every error to a JSON body.
public struct TMResponder: HTTPResponder {
  public typealias Context = BasicRequestContext

  let api: API
  let inFlight: InFlight
  let metrics: ServerMetrics

  public func respond(to request: Request, context: Context) async throws -> Response {
    let start = ContinuousClock.now
    var route = "other"
    let response: Response
    if !inFlight.enter() {
      response = Body.error(
        {
          var e = APIError(503, "busy", "too many requests at once (limit \(inFlight.limit)); try again")
          e.headers = [("Retry-After", "1")]
          return e
        }())
    } else {
      defer { inFlight.leave() }
      do {
        response = try await api.route(request, route: &route)
      } catch let e as APIError {
        response = Body.error(e)
      } catch let e as TMError {
        response = Body.error(APIError.from(e))
      } catch let e as DecodingError {
        response = Body.error(Body.describe(e))
      } catch let e as HTTPError {
        let code = e.status.code
        let message = code == 413 ? "the request body is larger than the limit (\(api.config.maxBodyBytes) bytes)" : e.body ?? e.status.reasonPhrase
        response = Body.error(APIError(code, code == 413 ? "too_large" : "http", message, field: code == 413 ? "body" : nil))
      } catch is NIOTooManyBytesError {
        response = Body.error(
          APIError(413, "too_large", "the request body is larger than the limit (\(api.config.maxBodyBytes) bytes)", field: "body"))
      } catch is CancellationError {
        response = Body.error(APIError(408, "timeout", "the request did not arrive in \(Int(api.config.requestTimeout)) s"))
      } catch {
        api.logger.error("internal error: \(error)")
        response = Body.error(APIError(500, "internal", "internal error"))
      }
    }
    metrics.record(route: route, status: response.status.code, duration: ContinuousClock.now - start)
    return response
  }
}

/// Where the endpoints live.
final class API: Sendable {
  let store: any ServedStore
  let reviews: ReviewStore
  let config: ServerConfiguration
  let token: String
  let metrics: ServerMetrics
  let logger: Logger
  let page: StaticFiles

  init(store: any ServedStore, config: ServerConfiguration, reviews: ReviewStore, token: String, metrics: ServerMetrics,
    logger: Logger) throws
  {
    self.store = store
    self.reviews = reviews
    self.config = config
    self.token = token
    self.metrics = metrics
    self.logger = logger
    page = try StaticFiles()
  }

  // MARK: Routing

  func route(_ request: Request, route: inout String) async throws -> Response {
    let rawPath = request.uri.path
    let parts = rawPath.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
    let method = request.method
    let segs = Array(parts)
    // tmserver: its own rules (no auth header, the secret in the path).
    if segs.first == "tmserver" {
      route = "tmserver"
      return try await tmserver(Array(segs.dropFirst()), request)
    }
    let path = segs.filter { !$0.isEmpty }.map(String.init)
    func only(_ m: HTTPRequest.Method) throws {
      if method != m && !(m == .get && method == .head) {
        var e = APIError(405, "method_not_allowed", "\(rawPath) takes \(m.rawValue), not \(method.rawValue)")
        e.headers = [("Allow", m.rawValue)]
        throw e
      }
    }
    switch path.first {
    case nil:
      route = "page"
      try only(.get)
      return page.response("index.html")
    case "static":
      route = "page"
      try only(.get)
      return page.response(path.dropFirst().joined(separator: "/"))
    case "healthz":
      route = "healthz"
      try only(.get)
      // 503 while the store cannot serve (the database is down), so that a
      // load balancer sends requests to another server meanwhile.
      let h = await store.health()
      let body = "{\"status\":\(h.ok ? "\"ok\"" : "\"unavailable\""),\(h.fields.joined(separator: ","))}"
      return Body.rawJSON(body, status: h.ok ? .ok : .serviceUnavailable)
    case "metrics":
      route = "metrics"
      try only(.get)
      return Body.bytes(metrics.emit(try? await store.summary()), contentType: "text/plain; version=0.0.4; charset=utf-8")
    case "api" where path.count >= 3 && path[1] == "v1":
      route = path[2]
      return try await v1(Array(path.dropFirst(2)), request, only: only)
    default:
      throw APIError(404, "not_found", "no such endpoint: \(rawPath)", field: "path",
        hint: "the API is under /api/v1/ (see /api/v1/openapi.yaml), the tmserver protocol under /tmserver/")
    }
  }

  func v1(_ path: [String], _ request: Request, only: (HTTPRequest.Method) throws -> Void) async throws -> Response {
    let q = try URLCoding.query(request.uri.query)
    switch (path[0], path.count) {
    case ("openapi.yaml", 1):
      try only(.get)
      return page.response("openapi.yaml")
    case ("lookup", 1):
      try readAllowed(request)
      if request.method == .post {
        let r = try Body.decode(LookupRequest.self, from: try await body(request))
        return Body.lookup(try await lookup(r))
      }
      try only(.get)
      guard let text = q["q"] else { throw APIError.badRequest("'q' is required: the text to look up", field: "q") }
      let r = LookupRequest(
        q: text, from: q["from"], to: q["to"], limit: try int(q["limit"], field: "limit"),
        min_score: try double(q["min_score"], field: "min_score"), concordance: try bool(q["concordance"], field: "concordance"))
      return Body.lookup(try await lookup(r))
    case ("analyze", 1):
      try only(.post)
      try readAllowed(request)
      return Body.lookup(try await analyze(Body.decode(AnalyzeRequest.self, from: try await body(request))))
    case ("units", 1):
      try only(.post)
      try writeAllowed(request)
      let r = try Body.decode(AddRequest.self, from: try await body(request))
      return try Body.json(try await add(r))
    case ("import", 1):
      try only(.post)
      try writeAllowed(request)
      let bytes = try await body(request)
      if let boundary = Multipart.boundary(contentType: request.headers[.contentType]) {
        let parts = try await runBlocking { try Multipart.parse(bytes, boundary: boundary) }
        return Body.report(try await importDocuments(parts, q))
      }
      return Body.report(try await importDocuments([Multipart.Part(name: q["name"] ?? "upload", bytes: bytes)], q))
    case ("export", 1):
      try only(.get)
      try readAllowed(request)
      return try await export(q)
    case ("stats", 1):
      try only(.get)
      try readAllowed(request)
      return Body.report(try await Stats(store: store).run())
    case ("languages", 1):
      try only(.get)
      try readAllowed(request)
      let s = try await store.summary()
      return try Body.json(["search": s.searchable.map(\.tag), "translations": s.columns.map(\.tag)])
    case ("segment", 1):
      try only(.post)
      try readAllowed(request)
      let r = try Body.decode(SegmentRequest.self, from: try await body(request))
      return try Body.json(try await runBlocking { try self.segment(r) })
    case ("transliterate", 1):
      try only(.post)
      try readAllowed(request)
      let r = try Body.decode(TransliterateRequest.self, from: try await body(request))
      return try Body.json(try await runBlocking { try self.transliterate(r) })
    case ("align", 1):
      try only(.post)
      try readAllowed(request)
      let r = try Body.decode(AlignRequest.self, from: try await body(request))
      return try Body.json(try await runBlocking { try self.align(r) })
    case ("reviews", 1):
      if request.method == .post {
        try writeAllowed(request)
        let r = try Body.decode(ReviewCreateRequest.self, from: try await body(request))
        return try Body.json(try await createReview(r), status: .created)
      }
      try only(.get)
      try readAllowed(request)
      return try Body.json(await reviews.list())
    case ("reviews", 2):
      try only(.get)
      try readAllowed(request)
      return try Body.json(try await reviews.get(path[1]))
    case ("reviews", 3) where path[2] == "edits":
      try only(.post)
      try writeAllowed(request)
      let e = try Body.decode(ReviewEdit.self, from: try await body(request))
      return try Body.json(try await reviews.apply(e, to: path[1]))
    case ("reviews", 3) where path[2] == "commit":
      try only(.post)
      try writeAllowed(request)
      return try Body.json(try await reviews.commit(path[1], store: store))
    default:
      throw APIError(404, "not_found", "no such endpoint: /api/v1/\(path.joined(separator: "/"))", field: "path",
        hint: "see /api/v1/openapi.yaml")
    }
  }

  // MARK: Auth and limits

  func bearer(_ request: Request) -> String? {
    guard let h = request.headers[.authorization] else { return nil }
    let parts = h.split(separator: " ", maxSplits: 1)
    guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
    return String(parts[1]).trimmingCharacters(in: .whitespaces)
  }

  func writeAllowed(_ request: Request) throws {
    guard let t = bearer(request) else {
      var e = APIError(401, "unauthorized", "writes need 'Authorization: Bearer TOKEN'", field: "Authorization",
        hint: "the token is the content of the server's --token-file")
      e.headers = [("WWW-Authenticate", "Bearer")]
      throw e
    }
    guard tokensEqual(t, token) else {
      throw APIError(403, "forbidden", "the token is not the server's", field: "Authorization")
    }
  }

  func readAllowed(_ request: Request) throws {
    if config.closedReads { try writeAllowed(request) }
  }

  /// The body, up to the size limit, arriving within the request timeout.
  func body(_ request: Request) async throws -> [UInt8] {
    let limit = config.maxBodyBytes
    let timeout = config.requestTimeout
    let buffer = try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
      group.addTask {
        var req = request
        return try await req.collectBody(upTo: limit)
      }
      group.addTask {
        try await Task.sleep(for: .milliseconds(Int(timeout * 1000)))
        return nil
      }
      guard let first = try await group.next(), let b = first else {
        group.cancelAll()
        throw APIError(408, "timeout", "the request body did not arrive in \(Int(timeout)) s", field: "body")
      }
      group.cancelAll()
      return b
    }
    return Array(buffer.readableBytesView)
  }

  func int(_ s: String?, field: String) throws -> Int? {
    guard let s else { return nil }
    guard let v = Int(s) else { throw APIError.badRequest("'\(field)' must be an integer (got '\(s)')", field: field) }
    return v
  }

  func double(_ s: String?, field: String) throws -> Double? {
    guard let s else { return nil }
    guard let v = Double(s), v.isFinite else {
      throw APIError.badRequest("'\(field)' must be a number (got '\(s)')", field: field)
    }
    return v
  }

  func bool(_ s: String?, field: String) throws -> Bool? {
    switch s {
    case nil: return nil
    case "true", "1", "yes": return true
    case "false", "0", "no": return false
    case .some(let v): throw APIError.badRequest("'\(field)' must be true or false (got '\(v)')", field: field)
    }
  }

  func checkText(_ s: String, field: String, limit: Int? = nil) throws {
    let max = limit ?? config.maxQueryCharacters
    if s.count > max {
      throw APIError(413, "too_long", "'\(field)' has \(s.count) characters; the limit is \(max)", field: field)
    }
  }

  // MARK: Endpoints

  /// `tm lookup` through the same workflow: `Lookup.run` on the serving
  /// store, its `LookupReport` as the answer.
  func lookup(_ r: LookupRequest) async throws -> LookupReport {
    try checkText(r.q, field: "q")
    if let l = r.limit, l < 1 || l > 1000 { throw APIError.badRequest("'limit' must be between 1 and 1000", field: "limit") }
    if let m = r.min_score, !(0...100).contains(m) {
      throw APIError.badRequest("'min_score' must be between 0 and 100", field: "min_score")
    }
    let request = Lookup.Request(
      queries: [r.q], from: try language(r.from, field: "from"), to: try language(r.to, field: "to"), limit: r.limit,
      minScore: r.min_score ?? 70, concordanceOnly: r.concordance == true)
    do {
      var report = try await Lookup(store: store).run(request)
      report.timing = nil
      return report
    } catch let e as TMError {
      throw APIError.from(e, field: e.message.contains("translations") ? "to" : "q")
    }
  }

  /// `tm lookup --batch`: the analysis of a posted document.
  func analyze(_ r: AnalyzeRequest) async throws -> LookupReport {
    try checkText(r.text, field: "text", limit: config.maxBodyBytes)
    let from = try language(r.from, field: "from")
    let to = try language(r.to, field: "to")
    let n = r.text.utf8.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    if n > config.maxBatchSegments {
      throw APIError(413, "too_long", "\(n) lines; the limit is \(config.maxBatchSegments)", field: "text")
    }
    do {
      var report = try await BatchAnalysis(store: store).run(
        text: r.text, segment: r.segment ?? false, from: from, to: to, limit: 1, minScore: r.min_score ?? 70)
      report.timing = nil
      return report
    } catch let e as TMError {
      throw APIError.from(e, field: "text")
    }
  }

  func add(_ r: AddRequest) async throws -> AddResponse {
    if r.units.count > config.maxBatchSegments {
      throw APIError(413, "too_long", "\(r.units.count) units; the limit is \(config.maxBatchSegments)", field: "units")
    }
    var units: [TranslationUnit] = []
    let now = MemoryFile.now()
    for (i, u) in r.units.enumerated() {
      guard let from = try language(u.from, field: "units[\(i)].from") else {
        throw APIError.badRequest("'units[\(i)].from' is required", field: "units[\(i)].from")
      }
      guard let to = try language(u.to, field: "units[\(i)].to") else {
        throw APIError.badRequest("'units[\(i)].to' is required", field: "units[\(i)].to")
      }
      if from == to {
        throw APIError.badRequest("'units[\(i)]': from and to are both '\(from.tag)'", field: "units[\(i)].to")
      }
      for (f, s) in [("source", u.source), ("target", u.target)] {
        if s.unicodeScalars.allSatisfy({ $0.properties.isWhitespace }) {
          throw APIError.badRequest("'units[\(i)].\(f)' is empty", field: "units[\(i)].\(f)")
        }
        try checkText(s, field: "units[\(i)].\(f)", limit: 100_000)
      }
      if let sc = u.score, !(0...1).contains(sc) {
        throw APIError.badRequest("'units[\(i)].score' must be between 0 and 1", field: "units[\(i)].score")
      }
      units.append(TranslationUnit(
        texts: [from: u.source.nfc, to: u.target.nfc], origin: u.origin ?? "api", created: now, score: u.score))
    }
    let (res, memory) = try await store.add(units, memory: r.memory)
    return AddResponse(added: res.added, duplicates: res.duplicates, memory: memory)
  }

  /// `tm import` of posted documents through the `Import` workflow: every
  /// file is read before anything is written, then all their units go in
  /// one append (one transaction on PostgreSQL, one locked write per memory
  /// on TSV), so a bad file, or a server killed midway, stores nothing.
  func importDocuments(_ parts: [Multipart.Part], _ q: [String: String]) async throws -> ImportReport {
    if parts.isEmpty { throw APIError.badRequest("the request holds no file", field: "body") }
    let format = q["format"]?.lowercased()
    let known = ["tmx", "po", "mo", "tsv", "csv", "txt"]
    if let format, !known.contains(format) {
      throw APIError.badRequest("unknown format '\(format)'", field: "format", hint: "use one of: " + known.joined(separator: ", "))
    }
    let from = try language(q["from"], field: "from")
    let to = try language(q["to"], field: "to")
    if let from, let to, from == to { throw APIError.badRequest("from and to are both '\(from.tag)'", field: "to") }
    let options = MemoryImport.Options(
      from: from, to: to, encoding: q["encoding"], join: try bool(q["join"], field: "join") ?? false, now: MemoryFile.now())
    // The workflow reads files: each part goes to a private temporary one
    // named as the client named it (the units' origin says `tmx:desk.tmx`),
    // in a folder of its own so that two parts may share a name.
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tm-server-import-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dir) }
    // Written off the event loop (a posted file may be megabytes).
    let (paths, names) = try await runBlocking { () throws -> ([String], [String]) in
      try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
      var paths: [String] = []
      var names: [String] = []
      for (i, part) in parts.enumerated() {
        var name = part.name
        if let format, !name.lowercased().hasSuffix("." + format) { name += "." + format }
        let safe = String(String(name.map { $0 == "/" || $0 == "\\" || $0 == "\0" ? "_" : $0 }).prefix(100))
        let fileName = safe.isEmpty || safe.hasPrefix(".") ? "upload" + safe : safe
        let sub = dir.appendingPathComponent(String(i))
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        let file = sub.appendingPathComponent(fileName)
        try Data(part.bytes).write(to: file)
        paths.append(file.path)
        names.append(fileName)
      }
      return (paths, names)
    }
    do {
      var report = try await Import(store: store).run(
        files: paths, options: options, into: q["memory"].map { MemoryRef(id: $0) } ?? store.onlyMemory)
      for i in report.files.indices {
        if let k = paths.firstIndex(of: report.files[i].path) {
          report.files[i].path = names[k]
        } else if i < names.count {
          report.files[i].path = names[i]
        }
      }
      return report
    } catch let e as TMError {
      // The file at fault by the name the client gave it; a file that is
      // not what it claims is the client's error (422), not the server's.
      var named = e
      if let f = e.file {
        let k = paths.firstIndex(of: f) ?? paths.firstIndex { f.hasPrefix($0) || $0.hasSuffix("/" + f) }
        let name = k.map { names[$0] } ?? (parts.count == 1 ? names[0] : fileName(f))
        named.file = name
        named.message = name + ": " + e.message
      }
      var api = APIError.from(named, field: "body")
      if e.kind == .malformedMemory { (api.status, api.code) = (422, "invalid_input") }
      throw api
    }
  }

  /// `tm export` through the `Export` workflow.
  func export(_ q: [String: String]) async throws -> Response {
    let format = q["format"] ?? "tmx"
    guard let writer = FormatRegistry.writer(format) else {
      throw APIError.badRequest("unknown format '\(format)'", field: "format", hint: "use tmx, tsv or csv")
    }
    let from = try language(q["from"], field: "from")
    let to = try language(q["to"], field: "to")
    let out = ByteSink()
    let report: ExportReport
    do {
      report = try await Export(store: store).run(
        memory: q["memory"].map { MemoryRef(id: $0) }, format: writer, from: from, to: to, to: { out.bytes += $0 })
    } catch let e as TMError {
      throw APIError.from(e, field: e.message.contains("memor") ? "memory" : "from")
    }
    let type: String
    switch format {
    case "tsv": type = "text/tab-separated-values; charset=utf-8"
    case "csv": type = "text/csv; charset=utf-8"
    default: type = "application/x-tmx+xml; charset=utf-8"
    }
    let base = report.memory.name.replacingOccurrences(of: ".tsv", with: "")
    return Body.bytes(out.bytes, contentType: type, extra: [
      ("Content-Disposition", "attachment; filename=\"\(base).\(format)\""), ("X-TM-Units", String(report.units)),
    ])
  }

  func segment(_ r: SegmentRequest) throws -> [SentenceJSON] {
    try checkText(r.text, field: "text", limit: config.maxBodyBytes)
    let lang = try language(r.lang, field: "lang") ?? LanguageGuess.language(of: String(r.text.prefix(2000)))
    return try SentenceSegmenter(language: lang).segment(r.text, lines: r.lines ?? false).map {
      SentenceJSON(text: $0.text, paragraph: $0.paragraph, start: $0.utf8Range.lowerBound, end: $0.utf8Range.upperBound)
    }
  }

  func transliterate(_ r: TransliterateRequest) throws -> TransliterateResponse {
    let name = r.scheme ?? "az-cyrl-latn"
    guard let scheme = TransliterationScheme(name: name) else {
      throw APIError.badRequest("unknown scheme '\(name)'", field: "scheme",
        hint: "use one of: " + TransliterationScheme.allCases.map(\.rawValue).joined(separator: ", "))
    }
    if r.text == nil && r.texts == nil { throw APIError.badRequest("'text' or 'texts' is required", field: "text") }
    if let texts = r.texts, texts.count > config.maxBatchSegments {
      throw APIError(413, "too_long", "\(texts.count) texts; the limit is \(config.maxBatchSegments)", field: "texts")
    }
    let t = try Transliterator(scheme: scheme)
    return TransliterateResponse(scheme: scheme.rawValue, text: r.text.map(t.apply), texts: r.texts?.map(t.apply))
  }

  func alignDocuments(_ r: AlignRequest) throws -> (Language, Language, [AlignSegment], [AlignSegment], Alignment) {
    try checkText(r.source, field: "source", limit: config.maxBodyBytes)
    try checkText(r.target, field: "target", limit: config.maxBodyBytes)
    let from = try language(r.from, field: "from") ?? LanguageGuess.language(of: String(r.source.prefix(5000)))
    let to = try language(r.to, field: "to") ?? LanguageGuess.language(of: String(r.target.prefix(5000)))
    let s = try AlignDocument.segments(r.source, language: from, segmented: r.segmented ?? false)
    let t = try AlignDocument.segments(r.target, language: to, segmented: r.segmented ?? false)
    if s.isEmpty { throw APIError.badRequest("'source' has no text to align", field: "source") }
    if t.isEmpty { throw APIError.badRequest("'target' has no text to align", field: "target") }
    if s.count + t.count > 2 * config.maxBatchSegments {
      throw APIError(413, "too_long", "\(s.count) + \(t.count) segments; the limit is \(config.maxBatchSegments) a side", field: "source")
    }
    let aligner = try Aligner(from: from, to: to)
    return (from, to, s, t, aligner.align(s, t))
  }

  func align(_ r: AlignRequest) throws -> AlignResponse {
    let (from, to, s, t, a) = try alignDocuments(r)
    let beads = AlignedBead.make(a.beads, source: s, target: t).map {
      BeadJSON(source: $0.source, target: $0.target, score: ($0.score * 1000).rounded() / 1000, source_ids: $0.sourceIDs,
        target_ids: $0.targetIDs)
    }
    return AlignResponse(from: from.tag, to: to.tag, beads: beads, notes: a.notes)
  }

  func createReview(_ r: ReviewCreateRequest) async throws -> ReviewSession {
    if let tsv = r.review {
      try checkText(tsv, field: "review", limit: config.maxBodyBytes)
      return try await reviews.create(fromReviewTSV: tsv, name: r.name ?? "review.tsv")
    }
    guard let source = r.source, let target = r.target else {
      throw APIError.badRequest("give 'source' and 'target' documents, or a 'review' file", field: r.source == nil ? "source" : "target")
    }
    let request = AlignRequest(source: source, target: target, from: r.from, to: r.to, segmented: r.segmented)
    let (from, to, s, t, a) = try await runBlocking { try self.alignDocuments(request) }
    return try await reviews.create(
      from: from, to: to, source: s.map(\.text), target: t.map(\.text),
      beads: a.beads.map { ReviewBead(source: Array($0.source), target: Array($0.target), score: $0.score) },
      names: (r.source_name ?? "source.txt", r.target_name ?? "target.txt"))
  }
}
