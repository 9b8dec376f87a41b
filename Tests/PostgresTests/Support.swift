import Foundation
@_exported import TestSupport  // SeededRandom, shared with the other test targets
import Testing
import TMKit

@testable import TMPostgres

/// The database the tests use: `TM_TEST_PG_URL` (`scripts/pg-cluster.sh run
/// swift test` starts a throwaway cluster and sets it; `.ci/run` does).
/// Without it every test here is skipped, and says so.
enum TestDB {
  static let url: String? = {
    let v = ProcessInfo.processInfo.environment["TM_TEST_PG_URL"] ?? ""
    return v.isEmpty ? nil : v
  }()
  static let available = url != nil
  static let skipReason: Comment = "TM_TEST_PG_URL is not set: run `scripts/pg-cluster.sh run swift test` to test the PostgreSQL store"

  /// A store in a schema of its own, so tests run side by side and leave nothing behind.
  static func freshStore(_ label: String, connections: Int = 4) throws -> (PostgresStore, String) {
    let base = url ?? ""
    let schema = "tm_test_\(label)_\(UInt32.random(in: 0...UInt32.max))"
    let admin = try PGConnection(conninfo: base)
    try admin.exec("CREATE SCHEMA \(schema)")
    let sep = base.contains("?") ? "&" : "?"
    let u = base + sep + "options=-c%20search_path%3D\(schema)"
    return (try PostgresStore(url: u, connections: connections), u)
  }

  static func drop(_ store: PostgresStore) {
    guard let base = url, let admin = try? PGConnection(conninfo: base) else { return }
    if let r = store.name.range(of: "search_path%3D") {
      let schema = String(store.name[r.upperBound...])
      _ = try? admin.exec("DROP SCHEMA \(schema) CASCADE")
    }
  }
}

/// Real-looking memories: the shipped iso-codes memory (country and
/// language names in az, ru, en) and news sentences in the three languages
/// with names, numbers and dates varied (as scripts/gen-memory.py makes them).
enum Corpus {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  static func isoCodes() throws -> Memory {
    try MemoryFile.load(path: root.appendingPathComponent("Memories/iso-codes.tsv").path)
  }

  static let templates: [(String, String, String)] = [
    ("The President of {c} signed decree No. {n} on {d} {y}.",
     "{c} Prezidenti {y}-ci il {d} tarixində {n} saylı fərman imzalayıb.",
     "Президент страны {c} подписал {d} {y} г. указ № {n}."),
    ("Exports rose by {p}% to {m} million manats in {y} (report No. {n}).",
     "{y}-ci ildə ixrac {p}% artaraq {m} milyon manata çatıb ({n} saylı hesabat).",
     "В {y} г. экспорт вырос на {p}% и достиг {m} млн манатов (отчёт № {n})."),
    ("Prof. Aliyev said the talks in {c} had been constructive (report No. {n}).",
     "Prof. Əliyev bildirib ki, {c} ilə danışıqlar konstruktiv keçib ({n} saylı hesabat).",
     "Проф. Алиев заявил, что переговоры в стране {c} были конструктивными (отчёт № {n})."),
    ("About {k} people attended concert No. {n} in Baku on {d}.",
     "{d} Bakıda keçirilən {n} saylı konsertdə təxminən {k} nəfər iştirak edib.",
     "На концерте № {n} в Баку {d} присутствовали около {k} человек."),
    ("Law No. {n} enters into force on 1 January {y}.",
     "{n} saylı qanun {y}-ci il yanvarın 1-dən qüvvəyə minir.",
     "Закон № {n} вступает в силу с 1 января {y} г."),
    ("The ministry of {c} opened school No. {n} in Ganja.",
     "{c} nazirliyi Gəncədə {n} saylı məktəb açıb.",
     "Министерство страны {c} открыло школу № {n} в Гяндже."),
  ]
  static let days = [("5 May", "5 may", "5 мая"), ("12 March", "12 mart", "12 марта"), ("1 October", "1 oktyabr", "1 октября")]

  /// `n` distinct news units (az, ru, en), deterministic.
  static func news(_ n: Int, names: [(String, String, String)], seed: UInt64 = 20261201) -> [TranslationUnit] {
    var rng = SeededRandom(seed: seed)
    var out: [TranslationUnit] = []
    for i in 0..<n {
      let t = templates[rng.below(templates.count)]
      let c = names[rng.below(names.count)]
      let d = days[rng.below(days.count)]
      let v: [String: String] = [
        "n": String(i + 1), "y": String(1990 + i % 36), "p": "\(1 + rng.below(99)),\(rng.below(10))",
        "m": "\(1 + rng.below(999)) \(100 + rng.below(900))", "k": "\(1 + rng.below(70)).000",
      ]
      func fill(_ s: String, _ name: String, _ day: String) -> String {
        var r = s.replacingOccurrences(of: "{c}", with: name).replacingOccurrences(of: "{d}", with: day)
        for (k, x) in v { r = r.replacingOccurrences(of: "{\(k)}", with: x) }
        return r
      }
      out.append(
        TranslationUnit(
          texts: [.en: fill(t.0, c.0, d.0), .az: fill(t.1, c.1, d.1), .ru: fill(t.2, c.2, d.2)],
          origin: "align:news-\(i / 100).az.txt#\(i % 100)", created: "2026-11-\(String(format: "%02d", 1 + i % 25))T10:00:00Z",
          score: i % 3 == 0 ? Double(100 + rng.below(900)) / 1000 : nil))
    }
    return out
  }

  /// Country names with all three languages, from iso-codes.
  static func countryNames(_ m: Memory) -> [(String, String, String)] {
    m.units.filter { $0.origin.contains("3166") }.compactMap { u in
      guard let en = u.texts[.en], let az = u.texts[.az], let ru = u.texts[.ru] else { return nil }
      return (en, az, ru)
    }
  }

  /// A query made from a stored segment: a word dropped, doubled or
  /// swapped, case or numbers changed, punctuation removed, or left as is.
  static func perturb(_ text: String, _ rng: inout SeededRandom) -> String {
    var words = text.split(separator: " ").map(String.init)
    switch rng.below(8) {
    case 0: return text
    case 1: if words.count > 2 { words.remove(at: rng.below(words.count)) }
    case 2: if words.count > 2 { let i = rng.below(words.count - 1); words.swapAt(i, i + 1) }
    case 3: return text.uppercased()
    case 4: return text.replacingOccurrences(of: "1", with: "7")
    case 5: return text.filter { !".,()«»%".contains($0) }
    case 6: words.insert(["новый", "yeni", "new", "и"][rng.below(4)], at: rng.below(words.count + 1))
    default: if words.count > 3 { words.removeLast(2) }
    }
    return words.joined(separator: " ")
  }
}
