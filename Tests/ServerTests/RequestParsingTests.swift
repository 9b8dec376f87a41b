import Foundation
import Testing

@testable import TMServer

/// The query string and file names are parsed on the bytes (they run on
/// every request): the same results as the straightforward code on
/// `String.split`, kept here as the reference, on random query strings
/// with az/ru text, escapes (good and bad), `+`, empty parts and repeats.
@Suite struct RequestParsingTests {
  struct Rng {
    var s: UInt64
    mutating func next() -> UInt64 {
      s = s &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return s >> 33
    }
    mutating func pick<T>(_ a: [T]) -> T { a[Int(next() % UInt64(a.count))] }
  }

  static func referenceDecode<S: StringProtocol>(_ s: S, plus: Bool) -> String? {
    var out: [UInt8] = []
    var it = Array(s.utf8)[...]
    while let b = it.popFirst() {
      if b == 0x25 {
        guard let h = it.popFirst(), let l = it.popFirst(), let hv = hex(h), let lv = hex(l) else { return nil }
        out.append(hv << 4 | lv)
      } else if b == 0x2B && plus {
        out.append(0x20)
      } else {
        out.append(b)
      }
    }
    return String(validating: out, as: UTF8.self)
  }

  static func hex(_ b: UInt8) -> UInt8? {
    switch b {
    case 0x30...0x39: return b - 0x30
    case 0x41...0x46: return b - 0x41 + 10
    case 0x61...0x66: return b - 0x61 + 10
    default: return nil
    }
  }

  /// The parsed parameters, or the field the error names.
  enum Parsed: Equatable {
    case ok([String: String])
    case bad(String)
  }

  static func reference(_ q: String?) -> Parsed {
    guard let q, !q.isEmpty else { return .ok([:]) }
    var out: [String: String] = [:]
    for part in q.split(separator: "&") where !part.isEmpty {
      let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      guard let k = referenceDecode(kv[0], plus: true) else { return .bad("query") }
      guard let v = referenceDecode(kv.count > 1 ? kv[1] : "", plus: true) else { return .bad(k) }
      out[k] = v
    }
    return .ok(out)
  }

  static func parsed(_ q: String?) -> Parsed {
    do {
      return .ok(try URLCoding.query(q))
    } catch let e as APIError {
      return .bad(e.field ?? "-")
    } catch {
      return .bad("?")
    }
  }

  @Test func queryStringsParseAsTheSplitCodeDid() {
    var r = Rng(s: 7)
    let pieces = [
      "q", "from", "to", "limit", "=", "=", "&", "&", "&&", "+", "%20", "%2B", "%26", "%3D", "%C9%99", "%D0%91",
      "%E2%80%A6", "%", "%4", "%G1", "%C9", "%FF", "Bak%C4%B1da", "ş", "Баку", "en", "ru", "5", "a b",
    ]
    var cases: [String?] = [nil, "", "&", "=", "q", "q=", "=x", "q=1&q=2", "a=%", "a=%2", "%=1", "q=a=b"]
    for _ in 0..<3000 {
      cases.append((0..<Int(r.next() % 9)).map { _ in r.pick(pieces) }.joined())
    }
    for q in cases {
      let a = Self.parsed(q), b = Self.reference(q)
      #expect(a == b, "query \(String(describing: q))")
    }
  }

  @Test func fileNamesAreTheLastPart() {
    for p in [
      "", "/", "///", "a", "news.tsv", "/srv/tm/news.tsv", "srv//tm/", "/srv/tm/xəbərlər.tsv", "tm/новости.tsv",
      "a/b/", "//a",
    ] {
      #expect(fileName(p) == String(p.split(separator: "/").last ?? Substring(p)), "path \(p)")
    }
  }
}
