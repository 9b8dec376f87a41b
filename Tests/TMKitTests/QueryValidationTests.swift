import Testing

@testable import TMKit

/// `Matcher.validate` takes a byte loop for ASCII queries without control
/// characters: it must refuse exactly what the scalar checks refuse, with
/// the same message (the checks kept here as the reference), on random
/// ASCII, az/ru text, whitespace and control characters.
@Suite struct QueryValidationTests {
  static func reference(_ text: String) -> String? {
    if text.unicodeScalars.allSatisfy({ $0.properties.isWhitespace }) { return "empty" }
    for u in text.unicodeScalars
    where u.properties.generalCategory == .control && u != "\t" && u != "\n" && u != "\r" {
      return "control \(u.value)"
    }
    return nil
  }

  static func outcome(_ text: String) -> String? {
    do {
      try Matcher.validate(text)
      return nil
    } catch let e as TMError {
      if e.message == "the query is empty" { return "empty" }
      if let u = text.unicodeScalars.first(where: {
        $0.properties.generalCategory == .control && $0 != "\t" && $0 != "\n" && $0 != "\r"
      }), e.message.contains(String(u.value, radix: 16, uppercase: true)) {
        return "control \(u.value)"
      }
      return e.message
    } catch {
      return "\(error)"
    }
  }

  @Test func theASCIIPathRefusesWhatTheScalarChecksRefuse() {
    var r = FastPathTests.Rng(s: 5)
    let pieces = [
      "a", "Z", "1", "%s", " ", "  ", "\t", "\n", "\r", "\u{0B}", "\u{0C}", "\u{1F}", "\u{7F}", "\u{00}", "\u{85}",
      "\u{A0}", "\u{2003}", "ə", "Bakı", "Баку", "file", "Open…", "~",
    ]
    var cases = ["", " ", "\t\n", "a", " a ", "\u{0B}", "\u{A0}", "\u{7F}x", "x\u{1B}"]
    for _ in 0..<5000 { cases.append((0..<Int(r.next() % 6)).map { _ in r.pick(pieces) }.joined()) }
    for t in cases {
      #expect(Self.outcome(t) == Self.reference(t), "text \(t.unicodeScalars.map { $0.value })")
    }
  }
}
