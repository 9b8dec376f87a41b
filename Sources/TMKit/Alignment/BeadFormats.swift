/// Text renderings of an alignment: what `tm align --dry-run` prints and
/// what `--review` writes.
public struct AlignedBead: Sendable, Hashable {
  public var source: String
  public var target: String
  public var score: Double
  /// Segment ids (sentence indices, or line numbers with `--segmented`).
  public var sourceIDs: [Int]
  public var targetIDs: [Int]

  public init(source: String, target: String, score: Double, sourceIDs: [Int], targetIDs: [Int]) {
    self.source = source
    self.target = target
    self.score = score
    self.sourceIDs = sourceIDs
    self.targetIDs = targetIDs
  }

  /// Builds the printable beads: the segments of a bead are joined by a space.
  public static func make(_ beads: [Bead], source: [AlignSegment], target: [AlignSegment]) -> [AlignedBead] {
    beads.map { b in
      AlignedBead(
        source: b.source.map { source[$0].text }.joined(separator: " "),
        target: b.target.map { target[$0].text }.joined(separator: " "),
        score: b.score,
        sourceIDs: b.source.map { source[$0].id },
        targetIDs: b.target.map { target[$0].id })
    }
  }

  public var isNull: Bool { sourceIDs.isEmpty || targetIDs.isEmpty }
}

public enum BeadFormat: String, CaseIterable, Sendable {
  case tsv, jsonl, tmx
}

public enum BeadWriter {
  /// A score as printed: at most three decimals, no exponent.
  public static func score(_ s: Double) -> String {
    let r = (s * 1000).rounded() / 1000
    if r == r.rounded() { return "\(Int(r))" }
    var t = "\(r)"
    if t.contains("e") { t = "0" }
    return t
  }

  /// Escapes a TSV field the way memories do: `\\`, `\t`, `\n`, `\r`.
  public static func tsvField(_ s: String) -> String {
    guard s.utf8.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else { return s }
    var out = ""
    for c in s.unicodeScalars {
      switch c {
      case "\\": out += "\\\\"
      case "\t": out += "\\t"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      default: out.unicodeScalars.append(c)
      }
    }
    return out
  }

  public static func jsonString(_ s: String) -> String {
    var out = "\""
    for c in s.unicodeScalars {
      switch c {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if c.value < 0x20 {
          let h = String(c.value, radix: 16)
          out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
        } else {
          out.unicodeScalars.append(c)
        }
      }
    }
    return out + "\""
  }

  public static func xml(_ s: String) -> String {
    var out = ""
    for c in s.unicodeScalars {
      switch c {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      default:
        // XML 1.0 forbids most control characters, even escaped.
        if c.value < 0x20 && c != "\t" && c != "\n" && c != "\r" { out += " " } else { out.unicodeScalars.append(c) }
      }
    }
    return out
  }

  /// One line per bead: `source<TAB>target<TAB>score`.
  public static func tsvLine(_ b: AlignedBead) -> String {
    tsvField(b.source) + "\t" + tsvField(b.target) + "\t" + score(b.score)
  }

  public static func jsonLine(_ b: AlignedBead) -> String {
    "{\"source\":\(jsonString(b.source)),\"target\":\(jsonString(b.target)),\"score\":\(score(b.score)),"
      + "\"source_ids\":[\(b.sourceIDs.map(String.init).joined(separator: ","))],"
      + "\"target_ids\":[\(b.targetIDs.map(String.init).joined(separator: ","))]}"
  }

  public static func tmxHeader(source: Language, target: Language, created: String) -> String {
    _ = target
    return """
      <?xml version="1.0" encoding="UTF-8"?>
      <tmx version="1.4">
        <header creationtool="tm" creationtoolversion="0.1.0" datatype="plaintext" segtype="sentence" adminlang="en" srclang="\(source.tag)" o-tmf="tm" creationdate="\(tmxDate(created))"/>
        <body>
      """
  }

  /// One `<tu>` for a bead that has both sides (null beads have nothing to
  /// translate and are left out of TMX).
  public static func tmxUnit(_ b: AlignedBead, source: Language, target: Language, origin: String) -> String? {
    if b.isNull { return nil }
    return """
          <tu>
            <prop type="x-score">\(score(b.score))</prop>
            <prop type="x-origin">\(xml(origin))</prop>
            <tuv xml:lang="\(source.tag)"><seg>\(xml(b.source))</seg></tuv>
            <tuv xml:lang="\(target.tag)"><seg>\(xml(b.target))</seg></tuv>
          </tu>
      """
  }

  public static let tmxFooter = "  </body>\n</tmx>"

  /// `2026-11-25T20:09:04Z` → `20261125T200904Z` (TMX's date format).
  static func tmxDate(_ iso: String) -> String {
    String(iso.filter { $0 != "-" && $0 != ":" })
  }
}
