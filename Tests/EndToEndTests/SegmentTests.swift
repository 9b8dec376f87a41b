import Foundation
import Testing

@Suite struct SegmentCommandTests {
  static var goldenDir: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
  }

  @Test func mixedAzerbaijaniRussianTextMatchesGolden() throws {
    let input = Self.goldenDir.appendingPathComponent("segment-mixed.txt").path
    let r = try Run("tm", ["segment", "--lang", "az", input])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stderr.isEmpty)
    #expect(r.stdout == (try Run.golden("segment-mixed.az.out")))
  }

  @Test func readsStandardInput() throws {
    let r = try Run("tm", ["segment", "--lang", "ru"], stdin: "Лекцию читал проф. Иванов. Затем ушёл.\n\nВторой абзац.")
    #expect(r.status == 0)
    #expect(r.stdout == "Лекцию читал проф. Иванов.\nЗатем ушёл.\n\nВторой абзац.\n")
    let dash = try Run("tm", ["segment", "--lang", "ru", "-"], stdin: "Один. Два.")
    #expect(dash.stdout == "Один.\nДва.\n")
  }

  /// A file argument that is a pipe or a device (`/dev/stdin`, a shell's
  /// `<(…)`) is read like a regular file; FileManager refused it.
  @Test func readsAPipeNamedAsAFile() throws {
    let r = try Run("tm", ["segment", "--lang", "ru", "/dev/stdin"], stdin: "Проф. Иванов пришёл. Всё.\n")
    #expect(r.status == 0)
    #expect(r.stdout == "Проф. Иванов пришёл.\nВсё.\n")
  }

  @Test func crlfInputGivesCleanLines() throws {
    let r = try Run(
      "tm", ["segment", "--lang", "en"], stdin: "Mr. Smith came.\r\nHe said it was\r\nlate. Then he left.\r\n\r\nNew paragraph.\r\n")
    #expect(r.status == 0)
    #expect(r.stdout == "Mr. Smith came.\nHe said it was late.\nThen he left.\n\nNew paragraph.\n")
    #expect(!r.stdout.contains("\r"))
  }

  @Test func linesModeMakesEveryLineAParagraph() throws {
    let r = try Run("tm", ["segment", "--lang", "az", "--lines"], stdin: "Birinci sətir\nikinci sətir. Prof. Əliyev gəldi.\n")
    #expect(r.stdout == "Birinci sətir\n\nikinci sətir.\nProf. Əliyev gəldi.\n")
  }

  @Test func cp1251FileWithEncoding() throws {
    let dir = try Run.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("ru-1251.txt")
    let text = "Ул. Ленина, д. 5. См. рис. 3. Конец."
    let bytes = try #require(text.data(using: .windowsCP1251))
    try bytes.write(to: file)
    let r = try Run("tm", ["segment", "--lang", "ru", "--encoding", "cp1251", file.path])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout == "Ул. Ленина, д. 5.\nСм. рис. 3.\nКонец.\n")
    // Without the encoding the bytes are invalid UTF-8: exit 2, file and offset named.
    let bad = try Run("tm", ["segment", "--lang", "ru", file.path])
    #expect(bad.status == 2)
    #expect(bad.stdout.isEmpty)
    #expect(bad.stderr.contains(file.path))
    #expect(bad.stderr.contains("byte offset 0"))
  }

  @Test func invalidUTF8IsExit2NamingFileAndOffset() throws {
    let dir = try Run.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("broken.txt")
    try Data(Array("Salam. Necəsən?\nYax".utf8) + [0xC3, 0x28] + Array("şı.".utf8)).write(to: file)
    let r = try Run("tm", ["segment", "--lang", "az", file.path])
    #expect(r.status == 2)
    #expect(r.stderr.contains("broken.txt:2"))
    #expect(r.stderr.contains("byte offset 21"))  // "ə" is two bytes
    #expect(r.stderr.contains("--encoding"))
  }

  @Test func unknownLanguageIsExit2() throws {
    let r = try Run("tm", ["segment", "--lang", "xx"], stdin: "Text.")
    #expect(r.status == 2)
    #expect(r.stdout.isEmpty)
    #expect(r.stderr.contains("xx"))
    let missing = try Run("tm", ["segment"], stdin: "Text.")
    #expect(missing.status == 2)
    #expect(missing.stderr.contains("--lang"))
  }

  @Test func jsonlGivesByteOffsetsIntoTheDecodedInput() throws {
    let input = "Prof. Əliyev gəldi.\tSonra getdi.\n\n«Да!» — сказал он.\nYeni\nsətir."
    let r = try Run("tm", ["segment", "--lang", "az", "--format", "jsonl"], stdin: input)
    #expect(r.status == 0, "\(r.stderr)")
    let rows = r.stdout.split(separator: "\n").map { line -> [String: Any] in
      (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
    }
    #expect(rows.count == 4)
    let bytes = Array(input.utf8)
    for row in rows {
      let start = row["start"] as? Int ?? -1
      let end = row["end"] as? Int ?? -1
      #expect(start >= 0 && end <= bytes.count && start < end)
      #expect(String(decoding: bytes[start..<end], as: UTF8.self) == row["text"] as? String)
      #expect(row["file"] as? String == "-")
    }
    #expect(rows.map { $0["paragraph"] as? Int ?? -1 } == [0, 0, 1, 1])
    #expect(rows.last?["text"] as? String == "Yeni\nsətir.")
  }

  @Test func userAbbreviationFile() throws {
    let dir = try Run.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let list = dir.appendingPathComponent("mine.txt")
    try "# legal\nГК.\n".write(to: list, atomically: true, encoding: .utf8)
    let text = "Иск подан по ГК. Суд принял его."
    #expect(try Run("tm", ["segment", "--lang", "ru"], stdin: text).stdout.split(separator: "\n").count == 2)
    let r = try Run("tm", ["segment", "--lang", "ru", "--abbreviations", list.path], stdin: text)
    #expect(r.stdout == text + "\n")
    let bad = dir.appendingPathComponent("bad.txt")
    try "ГК.\nабз. often\n".write(to: bad, atomically: true, encoding: .utf8)
    let e = try Run("tm", ["segment", "--lang", "ru", "--abbreviations", bad.path], stdin: text)
    #expect(e.status == 2)
    #expect(e.stderr.contains("bad.txt:2"))
    #expect(e.stderr.contains("often"))
  }

  @Test func severalFilesAreSeparatedLikeParagraphs() throws {
    let dir = try Run.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let a = dir.appendingPathComponent("a.txt")
    let b = dir.appendingPathComponent("b.txt")
    try "One. Two.".write(to: a, atomically: true, encoding: .utf8)
    try "Three.".write(to: b, atomically: true, encoding: .utf8)
    let r = try Run("tm", ["segment", "--lang", "en", a.path, b.path])
    #expect(r.stdout == "One.\nTwo.\n\nThree.\n")
    let j = try Run("tm", ["segment", "--lang", "en", "--format", "jsonl", a.path, b.path])
    #expect(j.stdout.contains(#""file":"\#(b.path)""#))
  }
}

/// Issue 8, §4: a file that is not text (a DOCX, a PDF, any binary) is an
/// error naming the file and what it looks like, in every command that reads
/// a document, instead of its bytes printed with exit 0.
@Suite struct BinaryInputTests {
  /// The start of a real DOCX: a zip whose first entry is `[Content_Types].xml`
  /// and which names `word/document.xml`.
  static let docx: [UInt8] =
    [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00, 0x00, 0x00, 0x21, 0x00]
    + Array("[Content_Types].xml".utf8) + [0x00, 0x00, 0x8D, 0x2F] + Array("word/document.xml".utf8) + [0x00, 0x01]
  static let pdf: [UInt8] =
    Array("%PDF-1.7\n%".utf8) + [0xE2, 0xE3, 0xCF, 0xD3] + Array("\n1 0 obj\n<</Type/Catalog>>\nstream\n".utf8)
    + [0x78, 0x9C, 0x00, 0x03, 0x10]
  /// Text with one NUL in it, as a corrupted or concatenated file has.
  static let nul: [UInt8] = Array("Bakı şəhərində yeni metro stansiyası açılıb.\n".utf8) + [0x00, 0x00, 0x07] + Array("tail".utf8)

  func files() throws -> (URL, [String: String]) {
    let dir = try Run.tempDir()
    var paths: [String: String] = [:]
    for (name, bytes) in [("report.docx", Self.docx), ("report.pdf", Self.pdf), ("broken.txt", Self.nul)] {
      let u = dir.appendingPathComponent(name)
      try Data(bytes).write(to: u)
      paths[name] = u.path
    }
    return (dir, paths)
  }

  func expectRefused(_ r: Run, _ path: String, _ what: String, hint: String, sourceLine: SourceLocation = #_sourceLocation) {
    #expect(r.status == 2, "\(r.stderr)", sourceLocation: sourceLine)
    #expect(r.stdout.isEmpty, sourceLocation: sourceLine)
    #expect(r.stderr.contains(path), sourceLocation: sourceLine)
    #expect(r.stderr.contains(what), "\(r.stderr)", sourceLocation: sourceLine)
    #expect(r.stderr.contains(hint), "\(r.stderr)", sourceLocation: sourceLine)
  }

  @Test func segmentRefusesDOCXPDFAndNUL() throws {
    let (dir, f) = try files()
    defer { try? FileManager.default.removeItem(at: dir) }
    let docx = try #require(f["report.docx"])
    let pdf = try #require(f["report.pdf"])
    let nul = try #require(f["broken.txt"])
    expectRefused(try Run("tm", ["segment", "--lang", "az", docx]), docx, "not a readable zip archive", hint: "damaged or truncated")
    expectRefused(try Run("tm", ["segment", "--lang", "az", pdf]), pdf, "PDF is not read", hint: "pdftotext -layout")
    let r = try Run("tm", ["segment", "--lang", "az", nul])
    expectRefused(r, nul, "binary data", hint: "plain-text file")
    #expect(r.stderr.contains("broken.txt:2:"), "the line of the first control byte: \(r.stderr)")
    #expect(r.stderr.contains("0x00"))
    // Standard input too, and a named legacy encoding does not let it through.
    expectRefused(try Run("tm", ["segment", "--lang", "ru"], stdinBytes: Self.pdf), "-", "PDF is not read", hint: "pdftotext")
    expectRefused(
      try Run("tm", ["segment", "--lang", "ru", "--encoding", "cp1251", docx]), docx, "not a readable zip archive", hint: "damaged or truncated")
  }

  @Test func alignRefusesABinaryDocument() throws {
    let (dir, f) = try files()
    defer { try? FileManager.default.removeItem(at: dir) }
    let docx = try #require(f["report.docx"])
    let text = dir.appendingPathComponent("ru.txt")
    try "Президент принял гостей. Встреча прошла в Баку.\n".write(to: text, atomically: true, encoding: .utf8)
    let r = try Run("tm", ["align", docx, text.path, "--from", "az", "--to", "ru", "--dry-run", "--memories", dir.path])
    expectRefused(r, docx, "not a readable zip archive", hint: "damaged or truncated")
    let p = try #require(f["report.pdf"])
    let r2 = try Run("tm", ["align", text.path, p, "--from", "ru", "--to", "en", "--dry-run", "--memories", dir.path])
    expectRefused(r2, p, "PDF is not read", hint: "pdftotext -layout")
  }

  @Test func lookupBatchRefusesABinaryFile() throws {
    let (dir, f) = try files()
    defer { try? FileManager.default.removeItem(at: dir) }
    try "az\tru\torigin\tcreated\tscore\nBakı şəhərində yeni metro stansiyası açılıb.\tВ Баку открылась новая станция метро.\tadd\t2026-11-25T20:00:00Z\t\n"
      .write(to: dir.appendingPathComponent("news.tsv"), atomically: true, encoding: .utf8)
    let nul = try #require(f["broken.txt"])
    let r = try Run("tm", ["lookup", "--memories", dir.path, "--batch", nul], cwd: dir)
    expectRefused(r, nul, "binary data", hint: "plain-text file")
    let pdf = try #require(f["report.pdf"])
    let r2 = try Run("tm", ["lookup", "--memories", dir.path, "--batch", pdf, "--segment"], cwd: dir)
    expectRefused(r2, pdf, "PDF is not read", hint: "pdftotext -layout")
  }

  /// Legitimate text with bytes below 0x20 in it still reads: UTF-16 with a
  /// BOM (NUL in every other byte), tabs, form feeds and CRLF.
  @Test func utf16WithBOMAndFormFeedsStillRead() throws {
    let dir = try Run.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let u = dir.appendingPathComponent("ru-16.txt")
    try Data([0xFF, 0xFE] + Array("Проф. Иванов пришёл.\tВсё.\r\n\u{0C}\r\nКонец.".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
      .write(to: u)
    let r = try Run("tm", ["segment", "--lang", "ru", u.path])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout == "Проф. Иванов пришёл.\nВсё.\n\nКонец.\n")
  }
}
