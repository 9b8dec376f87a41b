import Foundation
import TMKit
import TestSupport
import Testing

/// The built `tm` with `--server`, against a real server on a loopback port:
/// the same output and exit codes as `tm` on the same memory locally.
@Suite struct CLIClientTests {
  /// `tm` run on a thread of its own (the in-process server answers on the
  /// cooperative pool, which a blocking wait must not occupy).
  enum Run {
    static func tm(_ args: [String], stdin: String = "", env: [String: String] = [:]) async throws -> ProcessOutput {
      try await withCheckedThrowingContinuation { (c: CheckedContinuation<ProcessOutput, any Error>) in
        let t = Thread {
          c.resume(with: Result { try Executables.run("tm", args, stdin: Array(stdin.utf8), env: env, unset: ["TM_SERVER"]) })
        }
        t.start()
      }
    }
  }

  func tokenFile(_ s: TestServer) throws -> String {
    let path = s.dir.appendingPathComponent("token").path
    try (s.token + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  @Test func lookupPrintsWhatTheLocalLookupPrints() async throws {
    let s = try await TestServer.start()
    defer { Task { await s.stop() } }
    let url = "http://127.0.0.1:\(s.port)"
    let local = s.memoriesPath + "/news.tsv"
    for args in [
      ["Yeni qanun 2027-ci il yanvarın 1-dən qüvvəyə minir."],
      ["Yeni qanun 2028-ci il yanvarın 1-dən qüvvəyə minir.", "--to", "ru"],
      ["Prezident İlham Əliyev Bakıda olub.", "--format", "jsonl"],
      ["Gəncədə", "--format", "tsv"],
    ] {
      let r = try await Run.tm(["lookup"] + args + ["--server", url])
      let l = try await Run.tm(["lookup"] + args + ["--memory", local])
      #expect(r.status == 0, "\(args): \(r.stderr)")
      #expect(!r.stdout.isEmpty)
      // The server names a memory by its file name, the local store by its path.
      #expect(r.stdout == l.stdout.replacingOccurrences(of: s.memoriesPath + "/", with: ""), "\(args)")
      #expect(r.stderr == l.stderr, "\(args)")
    }
    // TM_SERVER works as --server does; no match is exit 1, as locally.
    let none = try await Run.tm(["lookup", "Tamamilə başqa bir cümlə burada yazılıb."], env: ["TM_SERVER": url])
    #expect(none.status == 1)
    #expect(none.stdout.isEmpty)
  }

  @Test func addThenLookupFindsTheUnitAndStatsCountsIt() async throws {
    let s = try await TestServer.start()
    defer { Task { await s.stop() } }
    let url = "http://127.0.0.1:\(s.port)"
    let token = try tokenFile(s)
    let add = try await Run.tm([
      "add", "Sabah Sumqayıtda konsert olacaq.", "Tomorrow there will be a concert in Sumgait.", "--from", "az", "--to",
      "en", "--server", url, "--token-file", token,
    ])
    #expect(add.status == 0, "\(add.stderr)")
    #expect(add.stdout == "added 1 unit (az→en) to az-en.tsv\n")
    #expect(!add.stdout.contains(s.token) && !add.stderr.contains(s.token))
    let again = try await Run.tm([
      "add", "Sabah Sumqayıtda konsert olacaq.", "Tomorrow there will be a concert in Sumgait.", "--from", "az", "--to",
      "en", "--server", url, "--token-file", token,
    ])
    #expect(again.stdout == "already in az-en.tsv: nothing added\n")
    let found = try await Run.tm(["lookup", "Sabah Sumqayıtda konsert olacaq.", "--server", url])
    #expect(found.status == 0)
    #expect(found.stdout.contains("100% exact"))
    #expect(found.stdout.contains("Tomorrow there will be a concert in Sumgait."))

    let stats = try await Run.tm(["stats", "--server", url])
    let local = try await Run.tm(["stats", "--memories", s.memoriesPath])
    #expect(stats.status == 0)
    #expect(stats.stdout == local.stdout.replacingOccurrences(of: s.memoriesPath + "/", with: ""))
    #expect(stats.stdout.contains("2 memories, 7 units"))
  }

  @Test func importThenExportThroughTheServer() async throws {
    let s = try await TestServer.start()
    defer { Task { await s.stop() } }
    let url = "http://127.0.0.1:\(s.port)"
    let token = try tokenFile(s)
    let tmx = s.dir.appendingPathComponent("desk.tmx").path
    try """
      <?xml version="1.0" encoding="UTF-8"?>
      <tmx version="1.4"><header srclang="az" datatype="plaintext" segtype="sentence" adminlang="en" creationtool="t" creationtoolversion="1" o-tmf="t"/>
      <body>
      <tu><tuv xml:lang="az"><seg>Mətbuat konfransı saat 10-da başlayacaq.</seg></tuv><tuv xml:lang="ru"><seg>Пресс-конференция начнётся в 10 часов.</seg></tuv></tu>
      <tu><tuv xml:lang="az"><seg>Nazirlik yeni qaydaları açıqlayıb.</seg></tuv><tuv xml:lang="ru"><seg>Министерство объявило новые правила.</seg></tuv></tu>
      </body></tmx>
      """.write(toFile: tmx, atomically: true, encoding: .utf8)
    let imp = try await Run.tm(["import", tmx, "--server", url, "--token-file", token])
    #expect(imp.status == 0, "\(imp.stderr)")
    #expect(imp.stdout == "\(tmx): 2 units (tmx)\nadded 2 units to az-ru.tsv\n")
    let exp = try await Run.tm(["export", "--format", "tsv", "--from", "az", "--to", "ru", "--server", url])
    #expect(exp.status == 0, "\(exp.stderr)")
    #expect(exp.stdout.contains("Nazirlik yeni qaydaları açıqlayıb.\tМинистерство объявило новые правила."))
    let local = try await Run.tm(["export", "--format", "tsv", "--from", "az", "--to", "ru", "--memories", s.memoriesPath])
    #expect(exp.stdout == local.stdout)
    // To a file: the count on stderr, as locally.
    let out = s.dir.appendingPathComponent("out.tmx").path
    let file = try await Run.tm(["export", "--memory", "news.tsv", "-o", out, "--server", url])
    #expect(file.status == 0, "\(file.stderr)")
    #expect(file.stderr == "exported 6 units to \(out)\n")
    #expect(try String(contentsOfFile: out, encoding: .utf8).contains("<seg>Bakıda hava yağışlı olacaq.</seg>"))
  }

  @Test func severalFilesGoInOneRequestAllOrNothing() async throws {
    let s = try await TestServer.start()
    defer { Task { await s.stop() } }
    let url = "http://127.0.0.1:\(s.port)"
    let token = try tokenFile(s)
    let a = s.dir.appendingPathComponent("a.tsv").path
    let b = s.dir.appendingPathComponent("b.tsv").path
    let bad = s.dir.appendingPathComponent("bad.tsv").path
    try "az\tru\nNazirlik yeni qaydaları açıqlayıb.\tМинистерство объявило новые правила.\n".write(
      toFile: a, atomically: true, encoding: .utf8)
    try "az\tru\nMətbuat konfransı saat 10-da başlayacaq.\tПресс-конференция начнётся в 10 часов.\n".write(
      toFile: b, atomically: true, encoding: .utf8)
    try "az\tru\nYalnız bir sütun\n".write(toFile: bad, atomically: true, encoding: .utf8)
    let failed = try await Run.tm(["import", a, b, bad, "--server", url, "--token-file", token])
    #expect(failed.status == 2)
    #expect(failed.stderr.contains("bad.tsv"), "\(failed.stderr)")
    #expect(!FileManager.default.fileExists(atPath: s.memoriesPath + "/az-ru.tsv"))
    let ok = try await Run.tm(["import", a, b, "--server", url, "--token-file", token])
    #expect(ok.status == 0, "\(ok.stderr)")
    #expect(ok.stdout == "\(a): 1 unit (memory TSV)\n\(b): 1 unit (memory TSV)\nadded 2 units to az-ru.tsv\n")
  }

  @Test func aMissingTokenIsExit2WithTheServersMessage() async throws {
    let s = try await TestServer.start()
    defer { Task { await s.stop() } }
    let r = try await Run.tm([
      "add", "Bu gün hava günəşlidir.", "Today the weather is sunny.", "--from", "az", "--to", "en", "--server",
      "http://127.0.0.1:\(s.port)",
    ])
    #expect(r.status == 2)
    #expect(r.stdout.isEmpty)
    #expect(r.stderr.contains("writes need 'Authorization: Bearer TOKEN'"))
    #expect(r.stderr.contains("HTTP 401"))
    // A wrong token: 403, its message.
    let bad = s.dir.appendingPathComponent("bad-token").path
    try "not-the-token".write(toFile: bad, atomically: true, encoding: .utf8)
    let w = try await Run.tm([
      "add", "Bu gün hava günəşlidir.", "Today the weather is sunny.", "--from", "az", "--to", "en", "--server",
      "http://127.0.0.1:\(s.port)", "--token-file", bad,
    ])
    #expect(w.status == 2)
    #expect(w.stderr.contains("the token is not the server's"))
    #expect(!w.stderr.contains("not-the-token"))
  }

  @Test func aDeadServerIsExit2NamingTheURL() async throws {
    // A port that was just free: nothing listens there.
    let s = try await TestServer.start()
    let port = s.port
    await s.stop()
    let r = try await Run.tm(["lookup", "Bakıda hava yağışlı olacaq.", "--server", "http://127.0.0.1:\(port)"])
    #expect(r.status == 2)
    #expect(r.stdout.isEmpty)
    #expect(r.stderr.contains("cannot reach the server at http://127.0.0.1:\(port)"))
    let stats = try await Run.tm(["stats"], env: ["TM_SERVER": "http://127.0.0.1:\(port)"])
    #expect(stats.status == 2)
  }
}
