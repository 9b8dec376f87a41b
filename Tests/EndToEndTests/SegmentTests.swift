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
