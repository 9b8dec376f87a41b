import Foundation
import TMKit
import Testing

@testable import TMServer

/// Each test starts a real server on a free loopback port and talks HTTP
/// to it through a socket.
@Suite struct APITests {
  @Test func healthzCountsTheUnits() async throws {
    let s = try await TestServer.start()
    defer { Task { await s.stop() } }
    let r = try await s.get("/healthz")
    #expect(r.status == 200)
    #expect(r.object["units"] as? Int == 6)
    #expect(r.headers["content-type"]?.hasPrefix("application/json") == true)
  }

  @Test func lookupGuessesTheLanguageAndFindsTheExactMatch() async throws {
    let s = try await TestServer.start()
    defer { Task { await s.stop() } }
    let q = weblateQuote("Bakıda hava yağışlı olacaq.")
    let r = try await s.get("/api/v1/lookup?q=\(q)&to=ru")
    #expect(r.status == 200)
    let a = try #require(r.answer)
    #expect(a["language"] as? String == "az")
    #expect(a["languageGuessed"] as? Bool == true)
    let m = try #require((a["matches"] as? [[String: Any]])?.first)
    #expect(m["kind"] as? String == "exact")
    #expect(m["score"] as? Double == 100)
    let t = try #require((m["targets"] as? [[String: Any]])?.first)
    #expect(t["language"] as? String == "ru")
    #expect(t["text"] as? String == "В Баку будет дождливая погода.")
  }

  @Test func lookupPutsTheQueryNumbersIntoTheTranslation() async throws {
    let s = try await TestServer.start()
    defer { Task { await s.stop() } }
    let r = try await s.post(
      "/api/v1/lookup", json: ["q": "Yeni qanun 2028-ci il yanvarın 1-dən qüvvəyə minir.", "from": "az", "to": "ru"])
    #expect(r.status == 200)
    let m = try #require((r.answer?["matches"] as? [[String: Any]])?.first)
    #expect(m["kind"] as? String == "near-exact")
    let t = try #require((m["targets"] as? [[String: Any]])?.first)
    #expect(t["substituted"] as? String == "Новый закон вступает в силу с 1 января 2028 г.")
  }

  @Test func badRequestsAre4xxNamingTheField() async throws {
    let s = try await TestServer.start()
    defer { Task { await s.stop() } }
    let cases: [(HTTPReply, Int, String)] = [
      (try await s.get("/api/v1/lookup?q=salam&from=xx"), 400, "from"),
      (try await s.get("/api/v1/lookup?q=salam&limit=many"), 400, "limit"),
      (try await s.get("/api/v1/lookup?limit=2"), 400, "q"),
      (try await s.get("/api/v1/lookup?q=%FF%FE"), 400, "q"),
      (try await s.get("/api/v1/lookup?q=%ZZ"), 400, "q"),
      (try await s.post("/api/v1/lookup", raw: Array("{\"q\": ".utf8)), 400, "body"),
      (try await s.post("/api/v1/lookup", raw: [0x7B, 0x22, 0x71, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D]), 400, "body"),
      (try await s.post("/api/v1/lookup", json: ["q": 5]), 400, "q"),
      (try await s.post("/api/v1/lookup", json: ["from": "az"]), 400, "q"),
      (try await s.post("/api/v1/units", json: ["units": [["source": "a", "target": "b", "from": "az", "to": "de"]]], token: s.token),
        400, "units[0].to"),
      (try await s.post("/api/v1/units", json: ["units": [["source": "a", "from": "az", "to": "ru"]]], token: s.token), 400,
        "units[0].target"),
      (try await s.post("/api/v1/transliterate", json: ["text": "Баку", "scheme": "klingon"]), 400, "scheme"),
      (try await s.post("/api/v1/align", json: ["source": "", "target": "Текст."]), 400, "source"),
      (try await s.get("/api/v1/no-such-thing"), 404, "path"),
    ]
    for (r, status, field) in cases {
      #expect(r.status == status, "\(r.text)")
      #expect(r.errorField == field, "\(r.text)")
      #expect(r.headers["content-type"]?.hasPrefix("application/json") == true)
    }
    // A control character in the query is the client's fault too.
    let ctl = try await s.get("/api/v1/lookup?q=a%01b")
    #expect(ctl.status == 422)
    #expect(ctl.errorField == "q")
    let wrongMethod = try await s.request("DELETE", "/api/v1/lookup?q=x")
    #expect(wrongMethod.status == 405)
  }

  @Test func limitsRefuseBigBodiesLongQueriesAndSlowClients() async throws {
    let s = try await TestServer.start {
      $0.maxBodyBytes = 4096
      $0.maxQueryCharacters = 100
      $0.requestTimeout = 1
    }
    defer { Task { await s.stop() } }
    let big = try await s.post("/api/v1/lookup", raw: Array(("{\"q\":\"" + String(repeating: "ə", count: 5000) + "\"}").utf8))
    #expect(big.status == 413)
    #expect(big.errorField == "body")
    let long = try await s.get("/api/v1/lookup?q=" + String(repeating: "a", count: 200))
    #expect(long.status == 413)
    #expect(long.errorField == "q")
    // Headers and half a body, then silence: the server answers 408 and
    // frees the worker.
    let head = "POST /api/v1/lookup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"q\":"
    let slow = try await s.raw(Array(head.utf8), pauseAfter: head.utf8.count, pause: 0)
    #expect(slow.status == 408)
  }

  @Test func writesNeedTheToken() async throws {
    let s = try await TestServer.start()
    defer { Task { await s.stop() } }
    let unit: [String: Any] = [
      "units": [["source": "Sabah Şuşada festival başlayır.", "target": "Завтра в Шуше начинается фестиваль.", "from": "az", "to": "ru"]]
    ]
    let none = try await s.post("/api/v1/units", json: unit)
    #expect(none.status == 401)
    #expect(none.headers["www-authenticate"] == "Bearer")
    let wrong = try await s.post("/api/v1/units", json: unit, token: "not-the-token-at-all")
    #expect(wrong.status == 403)
    let ok = try await s.post("/api/v1/units", json: unit, token: s.token)
    #expect(ok.status == 200)
    #expect(ok.object["added"] as? Int == 1)
    let again = try await s.post("/api/v1/units", json: unit, token: s.token)
    #expect(again.object["added"] as? Int == 0)
    #expect(again.object["duplicates"] as? Int == 1)
    // Readers see it at once, and it went to the pair's memory.
    let r = try await s.get("/api/v1/lookup?q=\(weblateQuote("Sabah Şuşada festival başlayır."))&to=ru")
    let m = try #require((r.answer?["matches"] as? [[String: Any]])?.first)
    #expect(m["kind"] as? String == "exact")
    #expect(((m["unit"] as? [String: Any])?["memory"] as? [String: Any])?["name"] as? String == "az-ru.tsv")
    #expect(FileManager.default.fileExists(atPath: s.memoriesPath + "/az-ru.tsv"))
  }

  @Test func closedReadsNeedTheTokenToo() async throws {
    let s = try await TestServer.start { $0.closedReads = true }
    defer { Task { await s.stop() } }
    #expect(try await s.get("/api/v1/lookup?q=salam").status == 401)
    #expect(try await s.get("/api/v1/lookup?q=salam", token: s.token).status == 200)
    #expect(try await s.get("/tmserver/languages/").status == 403)
    #expect(try await s.get("/tmserver/k/\(s.token)/languages/").status == 200)
    #expect(try await s.get("/tmserver/k/wrong-secret-0123456789/languages/").status == 403)
  }

  @Test func concurrentWritersLoseNothing() async throws {
    let s = try await TestServer.start()
    defer { Task { await s.stop() } }
    let writers = 20
    let perWriter = 10
    try await withThrowingTaskGroup(of: Int.self) { group in
      for w in 0..<writers {
        group.addTask {
          var added = 0
          for i in 0..<perWriter {
            let r = try await s.post(
              "/api/v1/units",
              json: ["units": [["source": "Xəbər \(w)-\(i): Bakıda görüş oldu.", "target": "Новость \(w)-\(i): в Баку прошла встреча.", "from": "az", "to": "ru"]]],
              token: s.token)
            added += r.object["added"] as? Int ?? 0
          }
          return added
        }
      }
      var total = 0
      for try await n in group { total += n }
      #expect(total == writers * perWriter)
    }
    let table = try MemoryTable.open(path: s.memoriesPath + "/az-ru.tsv")
    #expect(table.count == writers * perWriter)
    #expect(s.backend?.snapshot.unitCount == 6 + writers * perWriter)
  }

  @Test func importThenExportRoundTrips() async throws {
    let s = try await TestServer.start()
    defer { Task { await s.stop() } }
    let tmx = """
      <?xml version="1.0" encoding="UTF-8"?>
      <tmx version="1.4"><header srclang="en" datatype="plaintext" segtype="sentence" adminlang="en" o-tmf="x" creationtool="x" creationtoolversion="1"/>
      <body><tu><tuv xml:lang="en"><seg>Parliament met on Monday.</seg></tuv><tuv xml:lang="ru"><seg>Парламент собрался в понедельник.</seg></tuv></tu></body></tmx>
      """
    let noToken = try await s.post("/api/v1/import?format=tmx", raw: Array(tmx.utf8), contentType: "application/octet-stream")
    #expect(noToken.status == 401)
    let r = try await s.post("/api/v1/import?format=tmx&name=desk.tmx", raw: Array(tmx.utf8), token: s.token, contentType: "application/octet-stream")
    #expect(r.status == 200, "\(r.text)")
    #expect(r.object["added"] as? Int == 1)
    let bad = try await s.post("/api/v1/import?format=tmx", raw: Array("<tmx><body><tu>".utf8), token: s.token)
    #expect(bad.status == 422 || bad.status == 400)
    #expect(bad.errorField == "body")
    let e = try await s.get("/api/v1/export?format=tsv&memory=ru-en.tsv")
    #expect(e.status == 200, "\(e.text)")
    #expect(e.text.contains("Парламент собрался в понедельник."))
    #expect(e.text.contains("tmx:desk.tmx"))
    let stats = try await s.get("/api/v1/stats")
    #expect((stats.object["memories"] as? [Any])?.count == 2)
  }

  @Test func segmentTransliterateAlign() async throws {
    let s = try await TestServer.start()
    defer { Task { await s.stop() } }
    let seg = try await s.post("/api/v1/segment", json: ["text": "Prof. H. Əliyev Bakıda doğulub. Sonra Gəncəyə köçdü.", "lang": "az"])
    #expect(seg.array.map { $0["text"] as? String } == ["Prof. H. Əliyev Bakıda doğulub.", "Sonra Gəncəyə köçdü."])
    let tr = try await s.post("/api/v1/transliterate", json: ["texts": ["Азәрбајҹан Республикасы"], "scheme": "az-cyrl-latn"])
    #expect(tr.object["texts"] as? [String] == ["Azərbaycan Respublikası"])
    let al = try await s.post(
      "/api/v1/align",
      json: [
        "source": "Azərbaycan Respublikası 1918-ci ildə yaradılıb. Paytaxtı Bakıdır.",
        "target": "Азербайджанская Республика основана в 1918 г. Столица — Баку.", "from": "az", "to": "ru",
      ])
    #expect(al.status == 200, "\(al.text)")
    #expect((al.object["beads"] as? [[String: Any]])?.count == 2)
  }

  @Test func analysisBandsADocument() async throws {
    let s = try await TestServer.start()
    defer { Task { await s.stop() } }
    let r = try await s.post(
      "/api/v1/analyze",
      json: ["text": "Bakıda hava yağışlı olacaq.\nTamamilə başqa bir cümlə burada yazılıb.", "from": "az", "to": "ru"])
    #expect(r.status == 200, "\(r.text)")
    let bands = try #require((r.object["analysis"] as? [String: Any])?["analysis"] as? [[String: Any]])
    #expect(bands.first?["segments"] as? Int == 1)
    #expect(bands.last?["segments"] as? Int == 1)
  }

  @Test func metricsInPrometheusText() async throws {
    let s = try await TestServer.start()
    defer { Task { await s.stop() } }
    _ = try await s.get("/api/v1/lookup?q=Baku")
    let m = try await s.get("/metrics")
    #expect(m.status == 200)
    #expect(m.text.contains("tm_http_requests_total{route=\"lookup\",status=\"200\"} 1"))
    #expect(m.text.contains("tm_http_request_duration_seconds_bucket"))
    #expect(m.text.contains("tm_units 6"))
    #expect(m.text.contains("tm_index_age_seconds"))
  }

  @Test func thePageIsServedWithAStrictPolicy() async throws {
    let s = try await TestServer.start()
    defer { Task { await s.stop() } }
    let page = try await s.get("/")
    #expect(page.status == 200)
    #expect(page.headers["content-security-policy"]?.contains("script-src 'self'") == true)
    #expect(page.text.contains("<script src=\"/static/app.js\""))
    let js = try await s.get("/static/app.js")
    #expect(js.status == 200)
    // Server text reaches the page through textContent only.
    #expect(!js.text.contains("innerHTML"))
    let spec = try await s.get("/api/v1/openapi.yaml")
    #expect(spec.text.hasPrefix("openapi: 3"))
    // A unit holding markup comes back as a JSON string, never as markup.
    let r = try await s.get("/api/v1/lookup?q=news&from=en&concordance=true")
    let m = try #require((r.answer?["concordance"] as? [[String: Any]])?.first)
    #expect((m["source"] as? String)?.hasPrefix("<script>") == true)
  }
}

@Suite struct TMServerProtocolTests {
  @Test func languagesUseLowerCaseCodes() async throws {
    let s = try await TestServer.start()
    defer { Task { await s.stop() } }
    let r = try await s.get("/tmserver/languages/")
    #expect(r.status == 200)
    let src = try #require(r.object["sourceLanguages"] as? [String])
    #expect(Set(src) == ["az", "az_cyrl", "ru", "en"])
    #expect(Set(r.object["targetLanguages"] as? [String] ?? []) == ["az", "ru", "en"])
  }

  @Test func weblateSettingsCheckGetsAnEmptyList() async throws {
    let s = try await TestServer.start()
    defer { Task { await s.stop() } }
    let r = try await s.get("/tmserver/en/de/unit/test")
    #expect(r.status == 200)
    #expect(r.text == "[]")
  }

  @Test func unitLookupAnswersWithIntegerQuality() async throws {
    let s = try await TestServer.start()
    defer { Task { await s.stop() } }
    let r = try await s.get("/tmserver/az/ru/unit/" + weblateQuote("Bakıda hava yağışlı olacaq"))
    #expect(r.status == 200)
    let first = try #require(r.array.first)
    #expect(first["target"] as? String == "В Баку будет дождливая погода.")
    #expect(first["quality"] is Int)
    #expect((first["quality"] as? Int ?? 0) >= 90)
    #expect(first["rank"] as? Int == 1)
    // No match: [] with 200, not 404.
    let none = try await s.get("/tmserver/az/ru/unit/" + weblateQuote("Tamamilə fərqli mətn"))
    #expect(none.status == 200)
    #expect(none.text == "[]")
  }

  @Test func anEncodedSlashStaysInTheText() async throws {
    let s = try await TestServer.start(memory: TestServer.memory + "Gəlir/xərc hesabatı hazırdır.\tОтчёт о доходах/расходах готов.\tThe income/expense report is ready.\ttest\t2026-11-01T10:00:00Z\t\n")
    defer { Task { await s.stop() } }
    let r = try await s.get("/tmserver/az/ru/unit/" + weblateQuote("Gəlir/xərc hesabatı hazırdır."))
    #expect(r.status == 200)
    #expect(r.array.first?["quality"] as? Int == 100)
    // Cyrillic at Weblate's 500-character limit: a 6 KB path.
    let long = String(repeating: "Отчёт о доходах ", count: 32).prefix(500)
    let big = try await s.get("/tmserver/ru/az/unit/" + weblateQuote(String(long)))
    #expect(big.status == 200)
  }

  @Test func placeholdersCountAsOneToken() async throws {
    let s = try await TestServer.start()
    defer { Task { await s.stop() } }
    // Weblate sends "Hello %s" as "Hello [X6X]".
    let r = try await s.get("/tmserver/en/ru/unit/" + weblateQuote("Hello [X6X]"))
    #expect(r.status == 200)
    let first = try #require(r.array.first, "\(r.text)")
    #expect(first["target"] as? String == "Привет, %s")
    #expect(TMServerText.queryText("[X0X]Are you sure?[X16X]").contains("6") == false)
  }

  @Test func invalidUTF8InThePathIs400() async throws {
    let s = try await TestServer.start()
    defer { Task { await s.stop() } }
    let r = try await s.get("/tmserver/az/ru/unit/%FF%FEabc")
    #expect(r.status == 400)
    #expect(r.errorField == "text")
  }
}

@Suite struct ReviewTests {
  static let source = "Azərbaycan Respublikası 1918-ci ildə yaradılıb. Paytaxtı Bakıdır. Əhalisi 10 milyon nəfərdir."
  static let target = "Азербайджанская Республика основана в 1918 г. Столица — Баку. Население — 10 млн человек."

  @Test func editsAreSavedAndSurviveARestart() async throws {
    let s = try await TestServer.start()
    let state = (s.backend?.configuration.resolvedStateDirectory ?? "")
    let created = try await s.post(
      "/api/v1/reviews", json: ["source": Self.source, "target": Self.target, "from": "az", "to": "ru"], token: s.token)
    #expect(created.status == 201, "\(created.text)")
    let id = try #require(created.object["id"] as? String)
    #expect((created.object["beads"] as? [Any])?.count == 3)
    #expect(try await s.post("/api/v1/reviews/\(id)/edits", json: ["op": "merge", "bead": 0]).status == 401)
    let merged = try await s.post("/api/v1/reviews/\(id)/edits", json: ["op": "merge", "bead": 0, "version": 0], token: s.token)
    #expect(merged.status == 200, "\(merged.text)")
    #expect((merged.object["beads"] as? [Any])?.count == 2)
    let stale = try await s.post("/api/v1/reviews/\(id)/edits", json: ["op": "split", "bead": 0, "version": 0], token: s.token)
    #expect(stale.status == 409)
    let bad = try await s.post("/api/v1/reviews/\(id)/edits", json: ["op": "merge", "bead": 7], token: s.token)
    #expect(bad.status == 400)
    #expect(bad.errorField == "bead")
    // A new server over the same state folder has the edit.
    let memories = s.memoriesPath
    let keep = FileManager.default.temporaryDirectory.appendingPathComponent("tm-review-keep-\(UUID().uuidString)")
    try FileManager.default.copyItem(atPath: s.dir.path, toPath: keep.path)
    await s.stop()
    _ = memories
    let t = try await TestServer.start {
      $0.memoriesDirectory = keep.appendingPathComponent("Memories").path
      $0.stateDirectory = keep.path + "/Memories/.tm-server"
    }
    defer {
      Task {
        await t.stop()
        try? FileManager.default.removeItem(at: keep)
      }
    }
    _ = state
    let again = try await t.get("/api/v1/reviews/\(id)")
    #expect(again.status == 200)
    let beads = try #require(again.object["beads"] as? [[String: Any]])
    #expect(beads.count == 2)
    #expect(beads[0]["source"] as? [Int] == [0, 1])
    #expect(beads[0]["target"] as? [Int] == [0, 1])
  }

  @Test func confirmedBeadsGoToTheMemory() async throws {
    let s = try await TestServer.start()
    defer { Task { await s.stop() } }
    let created = try await s.post(
      "/api/v1/reviews", json: ["source": Self.source, "target": Self.target, "from": "az", "to": "ru"], token: s.token)
    let id = try #require(created.object["id"] as? String)
    _ = try await s.post("/api/v1/reviews/\(id)/edits", json: ["op": "confirm", "bead": 1], token: s.token)
    _ = try await s.post("/api/v1/reviews/\(id)/edits", json: ["op": "unalign", "bead": 2], token: s.token)
    let c = try await s.post("/api/v1/reviews/\(id)/commit", json: [:], token: s.token)
    #expect(c.status == 200, "\(c.text)")
    #expect(c.object["added"] as? Int == 1)
    let r = try await s.get("/api/v1/lookup?q=\(weblateQuote("Paytaxtı Bakıdır."))&to=ru")
    let m = try #require((r.answer?["matches"] as? [[String: Any]])?.first)
    #expect(m["kind"] as? String == "exact")
    #expect((m["targets"] as? [[String: Any]])?.first?["text"] as? String == "Столица — Баку.")
    // Committing again adds nothing.
    let c2 = try await s.post("/api/v1/reviews/\(id)/commit", json: [:], token: s.token)
    #expect(c2.object["added"] as? Int == 0)
  }

  @Test func aReviewFileFromTmAlign() async throws {
    let s = try await TestServer.start()
    defer { Task { await s.stop() } }
    let tsv = "score\taz\tru\torigin\n0.999\tPaytaxtı Bakıdır.\tСтолица — Баку.\talign:a#1|b#1\n0.120\tƏlavə cümlə.\t\talign:a#2| unaligned\n"
    let r = try await s.post("/api/v1/reviews", json: ["review": tsv, "name": "news.review.tsv"], token: s.token)
    #expect(r.status == 201, "\(r.text)")
    #expect(r.object["source"] as? [String] == ["Paytaxtı Bakıdır.", "Əlavə cümlə."])
    #expect((r.object["beads"] as? [[String: Any]])?[1]["target"] as? [Int] == [])
  }
}
