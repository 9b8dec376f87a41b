import Foundation
import TMKit
import Testing

@testable import TMPostgres
@testable import TMServer

/// The database the tests use (`TM_TEST_PG_URL`, set by `.ci/run` and by
/// `scripts/pg-cluster.sh run swift test`); each test gets a schema of its
/// own. Without it the suite is skipped, and says so.
enum ServerTestDB {
  static let url: String? = {
    let v = ProcessInfo.processInfo.environment["TM_TEST_PG_URL"] ?? ""
    return v.isEmpty ? nil : v
  }()

  /// A fresh schema on the test database, as a URL whose connections use it.
  static func freshURL(_ label: String) throws -> String {
    let base = url ?? ""
    let schema = "tm_srv_\(label)_\(UInt32.random(in: 0...UInt32.max))"
    let admin = try PGConnection(conninfo: base)
    try admin.exec("CREATE SCHEMA \(schema)")
    return base + (base.contains("?") ? "&" : "?") + "options=-c%20search_path%3D\(schema)"
  }
}

extension TestServer {
  /// A server on the PostgreSQL memory at `url` (the TSV folder stays empty).
  /// `staleness`: `--staleness` in seconds (default: the server's).
  static func startPostgres(_ url: String, staleness: Double? = nil) async throws -> TestServer {
    try await start(memory: "") { c in
      c.postgres = url
      if let staleness { c.lookupStaleness = staleness }
    }
  }
}

@Suite(
  "tm serve --store postgres", .serialized,
  .enabled(if: ServerTestDB.url != nil, "TM_TEST_PG_URL is not set: run `scripts/pg-cluster.sh run swift test`"))
struct PostgresServerTests {
  static var units: [[String: Any]] { [
    ["from": "az", "to": "ru", "source": "Nazirlik yeni qaydaları açıqlayıb.", "target": "Министерство объявило новые правила."],
    ["from": "az", "to": "ru", "source": "Mətbuat konfransı saat 10-da başlayacaq.", "target": "Пресс-конференция начнётся в 10 часов."],
  ] }

  @Test func twoServersOnOneDatabaseSeeEachOthersWrites() async throws {
    let url = try ServerTestDB.freshURL("two")
    let a = try await TestServer.startPostgres(url)
    let b = try await TestServer.startPostgres(url)
    defer { Task { await a.stop(); await b.stop() } }
    let h = try await b.get("/healthz")
    #expect(h.status == 200)
    #expect(h.object["store"] as? String == "postgres")
    #expect(h.object["database"] as? String == "ok")
    #expect(h.object["units"] as? Int == 0)
    let add = try await a.post("/api/v1/units", json: ["units": Self.units], token: a.token)
    #expect(add.status == 200, "\(add.text)")
    #expect(add.object["added"] as? Int == 2)
    // Through the other server at once: nothing cached per server.
    let q = weblateQuote("Mətbuat konfransı saat 11-da başlayacaq.")
    let r = try await b.get("/api/v1/lookup?q=\(q)&from=az&to=ru")
    #expect(r.status == 200, "\(r.text)")
    let m = try #require((r.answer?["matches"] as? [[String: Any]])?.first)
    #expect(m["kind"] as? String == "near-exact")
    let t = try #require((m["targets"] as? [[String: Any]])?.first)
    #expect(t["text"] as? String == "Пресс-конференция начнётся в 10 часов.")
    #expect((try await b.get("/healthz")).object["units"] as? Int == 2)
    // The same units again through b: duplicates, not second copies.
    let again = try await b.post("/api/v1/units", json: ["units": Self.units], token: b.token)
    #expect(again.object["added"] as? Int == 0)
    #expect(again.object["duplicates"] as? Int == 2)
    let langs = try await a.get("/api/v1/languages")
    #expect(langs.object["search"] as? [String] == ["az", "ru"])
  }

  @Test func severalFilesAreOneImportAllOrNothing() async throws {
    let s = try await TestServer.startPostgres(try ServerTestDB.freshURL("imp"))
    defer { Task { await s.stop() } }
    let good = "az\tru\nNazirlik yeni qaydaları açıqlayıb.\tМинистерство объявило новые правила.\n"
    let good2 = "az\tru\nBakıda hava yağışlı olacaq.\tВ Баку будет дождливая погода.\n"
    let bad = "az\tru\nYalnız bir sütun\n"
    func multipart(_ files: [(String, String)]) -> ([UInt8], String) {
      var b = ""
      for (n, c) in files {
        b += "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(n)\"\r\n\r\n\(c)\r\n"
      }
      return (Array((b + "--XyZ--\r\n").utf8), "multipart/form-data; boundary=XyZ")
    }
    let (body1, type1) = multipart([("a.tsv", good), ("b.tsv", good2), ("c.tsv", bad)])
    let r1 = try await s.post("/api/v1/import", raw: body1, token: s.token, contentType: type1)
    #expect(r1.status == 422 || r1.status == 400, "\(r1.text)")
    #expect(r1.text.contains("c.tsv"), "\(r1.text)")
    #expect((try await s.get("/healthz")).object["units"] as? Int == 0)
    let (body2, type2) = multipart([("a.tsv", good), ("b.tsv", good2)])
    let r2 = try await s.post("/api/v1/import", raw: body2, token: s.token, contentType: type2)
    #expect(r2.status == 200, "\(r2.text)")
    #expect(r2.object["added"] as? Int == 2)
    let files = try #require(r2.object["files"] as? [[String: Any]])
    #expect(files.map { $0["path"] as? String } == ["a.tsv", "b.tsv"])
  }

  @Test func exportIsByteForByteTheTSVServersExport() async throws {
    let tsv = try await TestServer.start()
    let pg = try await TestServer.startPostgres(try ServerTestDB.freshURL("exp"))
    defer { Task { await tsv.stop(); await pg.stop() } }
    let r = try await pg.post(
      "/api/v1/import?name=news.tsv", raw: Array(TestServer.memory.utf8), token: pg.token,
      contentType: "application/octet-stream")
    #expect(r.status == 200, "\(r.text)")
    #expect(r.object["added"] as? Int == 6)
    let a = try await tsv.get("/api/v1/export?format=tsv&memory=news.tsv")
    let b = try await pg.get("/api/v1/export?format=tsv")
    #expect(a.status == 200 && b.status == 200, "\(b.text)")
    #expect(b.headers["x-tm-units"] == "6")
    #expect(a.body == b.body)
    #expect(b.text == TestServer.memory)
  }

  @Test func aDatabaseThatIsDownIs503WithJSON() async throws {
    // Nothing listens on port 1: connecting fails at once.
    let dead = try PostgresStore(url: "postgres://tm@127.0.0.1:1/tm", connections: 2, migrate: false, name: "tm")
    let s = try await TestServer.start(memory: "", serving: PostgresServingStore(store: dead))
    defer { Task { await s.stop() } }
    let h = try await s.get("/healthz")
    #expect(h.status == 503)
    #expect(h.object["database"] as? String == "unavailable")
    let w = try await s.post("/api/v1/units", json: ["units": Self.units], token: s.token)
    #expect(w.status == 503, "\(w.text)")
    let e = try #require(w.object["error"] as? [String: Any])
    #expect(e["code"] as? String == "unavailable")
    #expect((e["message"] as? String)?.hasPrefix("the database is unavailable") == true)
    #expect(w.headers["retry-after"] == "1")
    let l = try await s.get("/api/v1/lookup?q=Salam&from=az&to=ru")
    #expect(l.status == 503, "\(l.text)")
  }

  /// A news-desk memory of near-duplicate variants (what makes ranking
  /// hard): templates × cities × numbers, az → ru.
  static func deskMemory() -> (tsv: String, queries: [String]) {
    let cities = [("Bakı", "Баку"), ("Gəncə", "Гянджа"), ("Sumqayıt", "Сумгаит"), ("Şəki", "Шеки"), ("Lənkəran", "Ленкорань"),
      ("Quba", "Губа"), ("Naxçıvan", "Нахчыван"), ("Mingəçevir", "Мингячевир")]
    let templates = [
      ("{c} şəhərində {n} yeni məktəb tikiləcək.", "В городе {c} будет построено {n} новых школ."),
      ("{c} şəhərində hava sabah yağışlı olacaq, temperatur {n} dərəcə.", "В городе {c} завтра будет дождливо, температура {n} градусов."),
      ("Nazirlik {c} üçün {n} milyon manat ayırıb.", "Министерство выделило {n} миллионов манатов для города {c}."),
      ("{c} rayonunda {n} kilometr yol təmir olunub.", "В районе {c} отремонтировано {n} километров дорог."),
      ("Prezident {c} şəhərində yeni xəstəxananın açılışında iştirak edib.", "Президент принял участие в открытии новой больницы в городе {c}."),
    ]
    var out = "az\tru\torigin\tcreated\tscore\n"
    var queries: [String] = []
    for (ti, t) in templates.enumerated() {
      for (ci, c) in cities.enumerated() {
        for n in t.0.contains("{n}") ? [3, 12, 45] : [12] {
          let az = t.0.replacingOccurrences(of: "{c}", with: c.0).replacingOccurrences(of: "{n}", with: String(n))
          let ru = t.1.replacingOccurrences(of: "{c}", with: c.1).replacingOccurrences(of: "{n}", with: String(n))
          out += "\(az)\t\(ru)\tdesk\t2026-11-0\(1 + ti)T10:00:00Z\t\n"
          if n == 12 && ci % 3 == ti % 3 {
            queries.append(az)  // exact
            queries.append(az.replacingOccurrences(of: "12", with: "17"))  // number substituted
            queries.append(az.replacingOccurrences(of: " yeni ", with: " ").replacingOccurrences(of: "sabah", with: "bu gün"))  // fuzzy
          }
        }
      }
    }
    queries += ["Bakı", "yeni məktəb", "Gəncə şəhərində yeni park salınacaq.", "Nazirlik Quba rayonu üçün vəsait ayırıb."]
    return (out, queries)
  }

  /// Waits until the server's derived index is warm with `units` units.
  static func waitWarm(_ s: TestServer, units: Int) async throws {
    for _ in 0..<600 {
      let h = try await s.get("/healthz")
      if h.object["index"] as? String == "warm", h.object["index_units"] as? Int == units { return }
      try await Task.sleep(nanoseconds: 50_000_000)
    }
    Issue.record("the derived index did not become warm with \(units) units: \((try await s.get("/healthz")).text)")
  }

  /// The derived index (warm), the in-database retrieval (index off) and a
  /// TSV server on the same units answer alike; a unit added through
  /// another server is in the warm server's next answer; a unit in a new
  /// language (not an append to the derived memory) rebuilds it, and the
  /// lookups stay right meanwhile.
  @Test func derivedIndexAnswersAsTheDatabaseAndTheTSVMemory() async throws {
    let (memory, queries) = Self.deskMemory()
    let url = try ServerTestDB.freshURL("derived")
    // Staleness 0: every lookup checks the database (read-your-writes
    // across servers, asserted below).
    let warm = try await TestServer.startPostgres(url, staleness: 0)
    let offStore = try PostgresStore(url: url, connections: 2, migrate: true, name: PostgresStore.databaseName(url))
    let off = try await TestServer.start(memory: "", serving: PostgresServingStore(store: offStore, indexCache: false))
    let tsv = try await TestServer.start(memory: memory)
    defer { Task { await warm.stop(); await off.stop(); await tsv.stop() } }
    #expect((try await off.get("/healthz")).object["index"] as? String == "off")
    let imp = try await off.post(
      "/api/v1/import?name=desk.tsv", raw: Array(memory.utf8), token: off.token, contentType: "application/octet-stream")
    #expect(imp.status == 200, "\(imp.text)")
    let n = try #require(imp.object["added"] as? Int)
    #expect(n == 104)
    // The first lookup brings the index up to the import (built before it, or after).
    _ = try await warm.get("/api/v1/lookup?q=Bak%C4%B1&from=az&to=ru")
    try await Self.waitWarm(warm, units: n)

    func answer(_ s: TestServer, _ q: String) async throws -> [[String: Any]] {
      let r = try await s.get("/api/v1/lookup?q=\(weblateQuote(q))&from=az&to=ru&limit=5&min_score=50")
      #expect(r.status == 200, "\(r.text)")
      return (r.answer?["matches"] as? [[String: Any]]) ?? []
    }
    func withoutWhere(_ ms: [[String: Any]]) -> [NSDictionary] {
      ms.map { m in
        var m = m
        m["memory"] = nil
        m["unit"] = nil
        m["line"] = nil
        return m as NSDictionary
      }
    }
    var matched = 0
    for q in queries {
      let a = try await answer(warm, q)
      let b = try await answer(off, q)
      let c = try await answer(tsv, q)
      #expect(a.map { $0 as NSDictionary } == b.map { $0 as NSDictionary }, "warm vs in-database: \(q)")
      #expect(withoutWhere(a) == withoutWhere(c), "warm vs TSV: \(q)")
      if !a.isEmpty { matched += 1 }
    }
    #expect(matched >= queries.count - 4)

    // Read-your-writes across servers: added through `off`, looked up through `warm` at once.
    let fresh = "Qəbələ şəhərində 7 yeni məktəb tikiləcək."
    let add = try await off.post(
      "/api/v1/units", json: ["units": [["from": "az", "to": "ru", "source": fresh, "target": "В городе Габала будет построено 7 новых школ."]]],
      token: off.token)
    #expect(add.object["added"] as? Int == 1, "\(add.text)")
    let got = try await answer(warm, fresh)
    #expect(got.first?["kind"] as? String == "exact")
    #expect(got.first?["unit"] as? Int == (try await answer(off, fresh)).first?["unit"] as? Int)
    #expect((try await warm.get("/healthz")).object["index_units"] as? Int == n + 1)

    // English is a new column of the memory: the index is rebuilt, lookups go to the database meanwhile.
    let en = try await off.post(
      "/api/v1/units",
      json: ["units": [["from": "az", "to": "en", "source": "Şamaxıda 5 yeni məktəb tikiləcək.", "target": "Five new schools will be built in Shamakhi."]]],
      token: off.token)
    #expect(en.object["added"] as? Int == 1, "\(en.text)")
    let q2 = "Şamaxıda 5 yeni məktəb tikiləcək."
    let during = try await warm.get("/api/v1/lookup?q=\(weblateQuote(q2))&from=az&to=en")
    #expect(((during.answer?["matches"] as? [[String: Any]])?.first)?["kind"] as? String == "exact", "\(during.text)")
    try await Self.waitWarm(warm, units: n + 2)
    for q in queries.prefix(12) + [fresh, q2] {
      let a = try await answer(warm, q)
      let b = try await answer(off, q)
      #expect(a.map { $0 as NSDictionary } == b.map { $0 as NSDictionary }, "rebuilt vs in-database: \(q)")
    }
  }

  @Test func anAddressWithAPasswordIsRefused() async throws {
    #expect(throws: TMError.self) {
      _ = try PostgresStore(url: "postgres://tm:secret@127.0.0.1:1/tm", migrate: false)
    }
    #expect(PostgresStore.databaseName("postgresql://u@h:5432/desk?sslmode=disable") == "desk")
    #expect(PostgresStore.databaseName("host=h dbname=desk2 user=u") == "desk2")
  }
}
