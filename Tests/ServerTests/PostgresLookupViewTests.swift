import Foundation
import TMKit
import Testing

@testable import TMPostgres
@testable import TMServer

/// A lookup on a warm derived index is one round trip to the database (the
/// freshness check) and still sees every unit committed before it arrived,
/// through any server.
@Suite(
  "PostgreSQL lookup view", .serialized,
  .enabled(if: ServerTestDB.url != nil, "TM_TEST_PG_URL is not set: run `scripts/pg-cluster.sh run swift test`"))
struct PostgresLookupViewTests {
  static let units = [
    TranslationUnit(texts: [.az: "Nazirlik yeni qaydaları açıqlayıb.", .ru: "Министерство объявило новые правила."], origin: "add"),
    TranslationUnit(texts: [.az: "Mətbuat konfransı saat 10-da başlayacaq.", .ru: "Пресс-конференция начнётся в 10 часов."], origin: "add"),
    TranslationUnit(texts: [.az: "Hökumət büdcə layihəsini təsdiq edib.", .ru: "Правительство утвердило проект бюджета."], origin: "add"),
  ]

  static func warm(_ s: PostgresServingStore, units: Int) async throws {
    // Under the whole suite on 2 cores the build of even three units took over 60 s (CI).
    let start = Date()
    let deadline = start.addingTimeInterval(300)
    let d = try #require(s.derived)
    while Date() < deadline {
      let st = d.status
      if st.name == "warm" && st.units == units {
        let took = Date().timeIntervalSince(start)
        if took > 5 {
          let r = d.buildReport
          print("PostgresLookupViewTests: warm with \(units) units after \(took) s; last build: \(r.phases), failed builds: \(r.failed)")
        }
        return
      }
      try await Task.sleep(nanoseconds: 50_000_000)
    }
    let r = d.buildReport
    Issue.record("the derived index did not become warm with \(units) units; last build: \(r.phases), failed builds: \(r.failed)")
  }

  static func top(_ s: PostgresServingStore, _ q: String, to: Language = .ru) async throws -> LookupMatch? {
    let r = try await Lookup(store: s).run(Lookup.Request(queries: [q], from: .az, to: to))
    return r.answers.first?.matches.first
  }

  @Test func oneRoundTripPerLookupAndFreshAcrossServers() async throws {
    let url = try ServerTestDB.freshURL("view")
    let name = PostgresStore.databaseName(url)
    let aStore = try PostgresStore(url: url, connections: 2, migrate: true, name: name)
    let bStore = try PostgresStore(url: url, connections: 2, migrate: true, name: name)
    _ = try aStore.append(Self.units)
    let a = PostgresServingStore(store: aStore, indexCache: true)
    try await Self.warm(a, units: 3)

    // Warm: the lookup's only database call is the freshness check.
    let before = aStore.connectionUses
    let m = try #require(try await Self.top(a, "Mətbuat konfransı saat 11-da başlayacaq."))
    #expect(m.targets.first?.text == "Пресс-конференция начнётся в 10 часов.")
    #expect(m.kind != .exact)
    #expect(aStore.connectionUses - before == 1)
    let before5 = aStore.connectionUses
    for _ in 0..<5 { _ = try await Self.top(a, "Hökumət büdcə layihəsini təsdiq edib.") }
    #expect(aStore.connectionUses - before5 == 5)

    // A unit committed through another server is in the next answer.
    _ = try bStore.append([
      TranslationUnit(texts: [.az: "Prezident fərman imzalayıb.", .ru: "Президент подписал указ."], origin: "add")
    ])
    let fresh = try #require(try await Self.top(a, "Prezident fərman imzalayıb."))
    #expect(fresh.kind == .exact)
    #expect(fresh.targets.first?.text == "Президент подписал указ.")
    #expect(fresh.unit.index == 3)

    // A unit in a new language (English) through the other server: the
    // index is dropped and rebuilt, and the lookup asks the database
    // meanwhile: English translations are there at once.
    _ = try bStore.append([
      TranslationUnit(
        texts: [.az: "Parlament qanunu qəbul edib.", .ru: "Парламент принял закон.", .en: "Parliament passed the law."],
        origin: "add")
    ])
    let en = try #require(try await Self.top(a, "Parlament qanunu qəbul edib.", to: .en))
    #expect(en.kind == .exact)
    #expect(en.targets.first?.text == "Parliament passed the law.")
    try await Self.warm(a, units: 5)
    let enWarm = try #require(try await Self.top(a, "Parlament qanunu qəbul edib.", to: .en))
    #expect(enWarm.targets.first?.text == "Parliament passed the law.")
    #expect(enWarm.unit == en.unit)
  }
}
