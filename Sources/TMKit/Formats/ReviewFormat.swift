/// The review file of `tm align --review FILE`: a TSV to check in a
/// spreadsheet and bring back with `tm import FILE`.
///
///     score<TAB>az<TAB>ru<TAB>origin
///     0.93<TAB>Maddə 1<TAB>Статья 1<TAB>align:a.txt#0|b.txt#0
///     0.21<TAB>…<TAB>…<TAB>align:a.txt#5|b.txt#5 check
///     0<TAB>Qeyd<TAB><TAB>align:a.txt#6| unaligned
///
/// Fields are escaped as in a memory (`\t`, `\n`, `\\`). After the origin,
/// ` check` marks a weak bead (score below the threshold) and ` unaligned`
/// a segment with no counterpart: marks for the reviewer, not part of the
/// origin, so reading drops them. Rows still holding one language (an
/// unaligned segment nobody filled in) are skipped, as TMX and CSV import
/// skip them.
public struct ReviewFormat: InterchangeFormat {
  public init() {}
  public var id: String { "review" }
  public var displayName: String { "review TSV" }
  public var extensions: [String] { [] }

  /// The marks written after the origin.
  public static let marks = [" check", " unaligned"]

  public func matches(content head: ArraySlice<UInt8>, path: String) throws -> Bool {
    let f = MemoryImport.firstLineFields(head, separator: 0x09)
    return f.count == 4 && f[0] == "score" && f[3] == "origin" && Language(tag: f[1]) != nil
      && Language(tag: f[2]) != nil && f[1] == Language(tag: f[1])?.tag && f[2] == Language(tag: f[2])?.tag
  }

  /// The review file of `beads`: weak ones (score below `threshold`) and
  /// null ones marked.
  public static func render(
    _ beads: [AlignedBead], source: Language, target: Language, threshold: Double, origin: (AlignedBead) -> String
  ) -> [UInt8] {
    var text = "score\t\(source.tag)\t\(target.tag)\torigin\n"
    for x in beads {
      let mark = x.isNull ? marks[1] : x.score < threshold ? marks[0] : ""
      text += "\(BeadWriter.score(x.score))\t\(TSVCodec.escape(x.source))\t\(TSVCodec.escape(x.target))\t\(origin(x))\(mark)\n"
    }
    return Array(text.utf8)
  }

  public func read(
    _ bytes: [UInt8], path: String, options: MemoryImport.Options, _ body: (TranslationUnit) throws -> Void
  ) throws -> [String] {
    let text = try TextDecoder.decode(bytes, encoding: options.encoding, source: path)
    let rows = Delimited.parseTSV(text, name: path)
    guard let header = rows.first, header.fields.count == 4,
      let a = Language(tag: header.fields[1].trimmingSpaces), let b = Language(tag: header.fields[2].trimmingSpaces)
    else {
      throw TMError(.invalidInput, "not a review file: the first line is not score, two languages, origin", file: path, line: 1)
    }
    var oneSided = 0
    for row in rows.dropFirst() {
      var f = row.fields
      if f.count == 3 { f.append("") }
      guard f.count == 4 else {
        throw TMError(
          .invalidInput, "\(row.fields.count) columns, expected 4 (score, \(a.tag), \(b.tag), origin)", file: path,
          line: row.line, hint: "a tab inside a segment is written \\t; fix the line")
      }
      var u = TranslationUnit(texts: [:], origin: "", created: options.now)
      for (l, v) in [(a, f[1]), (b, f[2])] {
        let t = try TSVCodec.unescape(v, file: path, line: row.line).nfc
        if !t.unicodeScalars.allSatisfy(\.properties.isWhitespace) { u.texts[l] = t }
      }
      var origin = try TSVCodec.unescape(f[3], file: path, line: row.line)
      for m in Self.marks where origin.hasSuffix(m) { origin = String(origin.dropLast(m.count)) }
      u.origin = origin
      let s = f[0].trimmingSpaces
      if !s.isEmpty {
        guard let d = Double(s), d.isFinite else {
          throw TMError(
            .invalidInput, "score '\(s)' is not a number", file: path, line: row.line,
            hint: "the first column is the alignment score (0 to 1, with a dot), or empty")
        }
        u.score = min(1, max(0, d))
      }
      if u.texts.count < 2 {
        oneSided += 1
        continue
      }
      guard let v = restrict(u, to: options) else { continue }
      try body(v)
    }
    return oneSided > 0
      ? ["\(path): skipped \(oneSided) rows with one language only (unaligned segments not filled in)"] : []
  }
}
