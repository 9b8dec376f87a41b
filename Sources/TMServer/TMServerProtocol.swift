import Hummingbird
import TMKit

/// The tmserver protocol of translate-toolkit, amaGama and Virtaal, as
/// Weblate's `TMServerTranslation` speaks it (see the README):
///
/// - `GET /tmserver/languages/` → `{"sourceLanguages": [...], "targetLanguages": [...]}`
/// - `GET /tmserver/{src}/{tgt}/unit/{text}` → `[{"source", "target", "quality", "rank"}]`
///   best first, `[]` for none; `quality` an integer (Weblate parses it with `int()`).
/// - A closed server takes its token as a path prefix, `/tmserver/k/TOKEN/...`
///   (Weblate sends no credentials).
///
/// The text is split from the raw path before any decoding, so `%2F` is a
/// slash inside the text. Codes are lower-case with `_` (`az`, `az_cyrl`,
/// `ru`, `en`); an unknown one (Weblate's settings check asks for `en/de`)
/// answers 200 `[]`, since a 404 would be taken as an error.
extension API {
  func tmserver(_ segs: [Substring], _ request: Request) async throws -> Response {
    var segs = segs
    var authorised = false
    if segs.count >= 2 && segs[0] == "k" {
      guard let secret = URLCoding.decode(segs[1]), tokensEqual(secret, token) else {
        throw APIError(403, "forbidden", "the secret in the path is not the server's token", field: "path")
      }
      authorised = true
      segs = Array(segs.dropFirst(2))
    }
    if config.closedReads && !authorised {
      if let t = bearer(request), tokensEqual(t, token) {
      } else {
        throw APIError(403, "forbidden", "this server is closed: use /tmserver/k/TOKEN/", field: "path")
      }
    }
    if request.method != .get && request.method != .head {
      var e = APIError(405, "method_not_allowed", "the tmserver protocol takes GET")
      e.headers = [("Allow", "GET")]
      throw e
    }
    // languages/ (Weblate always sends the trailing slash).
    if segs.first == "languages" && segs.dropFirst().allSatisfy(\.isEmpty) {
      let s = try await store.summary()
      var sources: [String] = []
      for l in s.searchable {
        sources.append(code(l))
        if l == .az && !s.searchable.contains(.azCyrl) { sources.append(code(.azCyrl)) }
        if l == .azCyrl && !s.searchable.contains(.az) { sources.append(code(.az)) }
      }
      let targets = s.columns.map(code)
      return try Body.json(["sourceLanguages": sources, "targetLanguages": targets])
    }
    guard segs.count >= 4, segs[2] == "unit" else {
      throw APIError(404, "not_found", "tmserver paths are languages/ and {source}/{target}/unit/{text}", field: "path")
    }
    // The text is everything after unit/, slashes included.
    let rawText = segs[3...].joined(separator: "/")
    guard let text = URLCoding.decode(rawText) else {
      throw APIError.badRequest("the text is not valid percent-encoded UTF-8", field: "text")
    }
    guard let srcCode = URLCoding.decode(segs[0]), let tgtCode = URLCoding.decode(segs[1]) else {
      throw APIError.badRequest("a language code is not valid percent-encoded UTF-8", field: "source")
    }
    if text.count > max(config.maxQueryCharacters, 500) {
      throw APIError(413, "too_long", "the text has \(text.count) characters; the limit is \(config.maxQueryCharacters)", field: "text")
    }
    guard let from = Language(tag: srcCode), let to = Language(tag: tgtCode), from != to else {
      return Body.rawJSON("[]")
    }
    let query = TMServerText.queryText(text)
    if query.unicodeScalars.allSatisfy({ $0.properties.isWhitespace }) { return Body.rawJSON("[]") }
    let answer: LookupAnswer
    do {
      let report = try await Lookup(store: store).run(
        Lookup.Request(queries: [query], from: from, to: to, limit: 10, minScore: 50))
      guard let a = report.answers.first else { return Body.rawJSON("[]") }
      answer = a
    } catch is TMError {
      // A language the memories lack, a control character, an over-long
      // query: nothing to suggest (an error status would switch Weblate off).
      return Body.rawJSON("[]")
    }
    var w = JSONWriter(capacity: 256 * (answer.matches.count + 1))
    w.byte(0x5B)
    var rank = 0
    for m in answer.matches {
      guard let t = m.targets.first(where: { $0.language == to }) else { continue }
      rank += 1
      if rank > 1 { w.byte(0x2C) }
      w.byte(0x7B)
      w.key("source", first: true)
      w.string(m.source)
      w.key("target")
      w.string(t.substituted ?? t.text)
      w.key("quality")
      w.integer(Int(m.score.rounded(.down)))
      w.key("rank")
      w.integer(rank)
      w.byte(0x7D)
    }
    w.byte(0x5D)
    return Body.bytes(w.bytes, contentType: "application/json; charset=utf-8")
  }

  func code(_ l: Language) -> String { l.tag.lowercased().replacingOccurrences(of: "-", with: "_") }
}

/// Weblate's placeholders in a query.
enum TMServerText {
  /// The query with each `[X<n>X]` placeholder Weblate puts for markup or
  /// a format specifier replaced by `%s`: one token, its offset never read
  /// as a number, and the commonest placeholder of the catalogs Weblate
  /// serves (`Hello [X6X]` finds `Hello %s` at 100, not 50).
  static func queryText(_ text: String) -> String {
    var out = ""
    var i = text.startIndex
    while i < text.endIndex {
      if text[i] == "[", let end = placeholderEnd(text, i) {
        out += "%s"
        i = end
      } else {
        out.append(text[i])
        i = text.index(after: i)
      }
    }
    return out
  }

  /// The index after `[X123X]` starting at `i`, if there is one.
  static func placeholderEnd(_ s: String, _ i: String.Index) -> String.Index? {
    var j = s.index(after: i)
    guard j < s.endIndex, s[j] == "X" else { return nil }
    j = s.index(after: j)
    var digits = 0
    while j < s.endIndex, let d = s[j].asciiValue, d >= 0x30 && d <= 0x39 {
      digits += 1
      j = s.index(after: j)
    }
    guard digits > 0, j < s.endIndex, s[j] == "X" else { return nil }
    j = s.index(after: j)
    guard j < s.endIndex, s[j] == "]" else { return nil }
    return s.index(after: j)
  }
}
