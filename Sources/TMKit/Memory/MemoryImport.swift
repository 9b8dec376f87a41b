/// Reads translation units from the files `tm import` accepts: TMX, gettext
/// `.po`/`.mo`, our own memory TSV, two-column TSV/CSV (with an optional
/// score column) and CSV with a header naming its columns.
public enum MemoryImport {
  public struct Options: Sendable {
    /// Source language (two-column files; msgid of gettext files, default en).
    public var from: Language?
    /// Target language (two-column files; msgstr of gettext files, default
    /// the catalog's `Language:` header).
    public var to: Language?
    /// Encoding of text files (`TextDecoder`); nil = UTF-8/UTF-16 with BOM.
    public var encoding: String?
    /// Join units of all files that share the source-language text.
    public var join = false
    /// The `created` value of units that carry no date.
    public var now: String

    public init(from: Language? = nil, to: Language? = nil, encoding: String? = nil, join: Bool = false, now: String) {
      self.from = from
      self.to = to
      self.encoding = encoding
      self.join = join
      self.now = now
    }
  }

  public enum Format: String, Sendable {
    case tmx, po, mo, memoryTSV = "memory TSV", tsv, csv
  }

  /// What one file gave.
  public struct FileResult: Sendable, Codable, Equatable {
    public var path: String
    /// The format's name for people (`tmx`, `memory TSV`).
    public var format: String
    public var units: Int
  }

  public struct Result: Sendable {
    public var units: [TranslationUnit]
    public var files: [FileResult]
    /// What was skipped and why (to show the user).
    public var notes: [String]
  }

  /// Reads every file, each in the format ``FormatRegistry`` detects; throws
  /// (naming file and line) on the first bad one, so that nothing is
  /// written when any input is broken.
  public static func read(_ paths: [String], options: Options) throws -> Result {
    var all: [TranslationUnit] = []
    var files: [FileResult] = []
    var notes: [String] = []
    for path in paths {
      let bytes = try TextDecoder.readBytes(path: path)
      let format = try FormatRegistry.detect(path: path, bytes: bytes)
      let before = all.count
      notes += try format.read(bytes, path: path, options: options) { all.append($0) }
      files.append(FileResult(path: path, format: format.displayName, units: all.count - before))
    }
    if options.join { all = join(all, on: options.from ?? .en) }
    return Result(units: all, files: files, notes: notes)
  }

  /// The fields of a file's first line (a UTF-8 BOM already removed).
  static func firstLineFields(_ head: ArraySlice<UInt8>, separator: UInt8) -> [String] {
    let first = head.prefix { $0 != 0x0A && $0 != 0x0D }
    return first.split(separator: separator, omittingEmptySubsequences: false).map {
      String(decoding: $0, as: UTF8.self)
    }
  }

  /// The columns a first line names, nil when it is not a header (it holds
  /// text that is not a tag), or an error when it looks like a header but
  /// names a language tm does not handle (`en<TAB>de`).
  static func headerColumns(_ names: [String], path: String) throws -> [MemoryColumn]? {
    func tagLike(_ s: String) -> Bool {
      let parts = s.split(separator: "-", omittingEmptySubsequences: false).flatMap {
        $0.split(separator: "_", omittingEmptySubsequences: false)
      }
      guard let f = parts.first, (2...3).contains(f.count), f.allSatisfy({ $0.isASCII && $0.isLetter }) else {
        return false
      }
      return parts.dropFirst().allSatisfy { (2...8).contains($0.count) && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } }
    }
    guard !names.isEmpty else { return nil }
    let known = names.map(MemoryColumn.init(name:))
    let meta: Set<String> = ["origin", "created", "score"]
    guard names.allSatisfy({ tagLike($0) || meta.contains($0) }),
      known.contains(where: { if case .language = $0 { return true } else { return false } })
    else { return nil }
    var columns: [MemoryColumn] = []
    for (n, c) in zip(names, known) {
      guard let c else {
        throw TMError(
          .invalidInput, "unknown language '\(n)' in the header", file: path, line: 1,
          hint: "tm handles " + Language.allCases.map(\.tag).joined(separator: ", "))
      }
      if columns.contains(c) {
        throw TMError(.invalidInput, "column '\(n)' appears twice in the header", file: path, line: 1)
      }
      columns.append(c)
    }
    return columns
  }

  /// Rows of a delimited file as units: either a header row naming the
  /// columns (language tags, origin, created, score), or two columns
  /// source, target (with --from/--to) and an optional score column.
  static func delimitedUnits(_ rows: [Delimited.Row], format: Format, path: String, options: Options) throws -> (
    units: [TranslationUnit], notes: [String]
  ) {
    var units: [TranslationUnit] = []
    var notes: [String] = []
    guard let first = rows.first else { return ([], ["\(path): empty file"]) }
    let kind = format == .csv ? "csv" : "tsv"
    var body = rows[...]
    var columns: [MemoryColumn]
    if let header = try headerColumns(first.fields.map(\.trimmingSpaces), path: path) {
      columns = header
      body = body.dropFirst()
    } else {
      guard let f = options.from, let t = options.to else {
        throw TMError(
          .usage, "a two-column \(kind.uppercased()) file needs --from and --to", file: path,
          hint: "say which language each column holds, e.g. --from az --to ru")
      }
      columns = [.language(f), .language(t), .score]
      // A spreadsheet's own header row ("Source, Target", "English, Russian").
      let words: Set<String> = [
        "source", "target", "src", "tgt", "score", "quality", "english", "russian", "azerbaijani",
        "azeri", "azərbaycan", "русский", "английский", "азербайджанский", "ingilis", "rus",
      ]
      if first.fields.count >= 2,
        first.fields.allSatisfy({ words.contains($0.trimmingSpaces.lowercased()) || $0.trimmingSpaces.isEmpty })
      {
        body = body.dropFirst()
        notes.append("\(path): line \(first.line) taken as a header row and skipped")
      }
    }
    var emptySide = 0
    for row in body {
      var fields = row.fields
      if columns.last == .score && fields.count == columns.count - 1 { fields.append("") }
      guard fields.count == columns.count else {
        throw TMError(
          .invalidInput,
          "\(row.fields.count) columns, expected \(columns.count == 3 && columns.last == .score ? "2 or 3" : String(columns.count)) (\(columns.map(\.name).joined(separator: ", ")))",
          file: path, line: row.line,
          hint: kind == "tsv" ? "a tab inside a segment cannot be told from a column break; fix the line" : nil)
      }
      var u = TranslationUnit(texts: [:], origin: "\(kind):\(FileIO.baseName(of: path))#\(row.line)", created: options.now)
      for (c, v) in zip(columns, fields) {
        switch c {
        case .language(let l):
          // hunalign -text joins the sentences of a 1-n bead with " ~~~ ".
          let t = (kind == "tsv" ? v.replacingAll(" ~~~ ", with: " ") : v).nfc
          if !t.isEmpty { u.texts[l] = t }
        case .origin: if !v.isEmpty { u.origin = v }
        case .created: if !v.isEmpty { u.created = v }
        case .codes: u.codes = v
        case .score:
          let s = v.trimmingSpaces
          if !s.isEmpty {
            guard let d = Double(s), d.isFinite else {
              throw TMError(
                .invalidInput, "score '\(s)' is not a number", file: path, line: row.line,
                hint: "the third column is an alignment score (0 to 1, with a dot), or absent")
            }
            u.score = min(1, max(0, d))
          }
        }
      }
      if u.texts.count < 2 {
        emptySide += 1
        continue
      }
      units.append(u)
    }
    if emptySide > 0 {
      notes.append("\(path): skipped \(emptySide) rows with fewer than two segments (1-0/0-1 alignments)")
    }
    return (units, notes)
  }

  /// Joins units that share their text in `on` (e.g. the English msgid of
  /// two catalogs, az and ru) into one unit, when their other texts do not
  /// disagree. Order: the first occurrence's place.
  public static func join(_ units: [TranslationUnit], on key: Language) -> [TranslationUnit] {
    var out: [TranslationUnit] = []
    var byKey: [String: [Int]] = [:]
    for u in units {
      guard let k = u.texts[key] else {
        out.append(u)
        continue
      }
      var merged = false
      for idx in byKey[k] ?? [] {
        let m = out[idx]
        if u.texts.allSatisfy({ m.texts[$0.key] == nil || m.texts[$0.key] == $0.value }) {
          out[idx].texts.merge(u.texts) { a, _ in a }
          if !u.origin.isEmpty && !m.origin.split(separator: " + ").contains(Substring(u.origin)) {
            out[idx].origin = m.origin.isEmpty ? u.origin : m.origin + " + " + u.origin
          }
          merged = true
          break
        }
      }
      if !merged {
        byKey[k, default: []].append(out.count)
        out.append(u)
      }
    }
    return out
  }
}

extension String {
  var trimmingSpaces: String {
    let s = unicodeScalars
    guard let a = s.firstIndex(where: { !$0.properties.isWhitespace }),
      let b = s.lastIndex(where: { !$0.properties.isWhitespace })
    else { return "" }
    return String(s[a...b])
  }
}
