import Foundation
import Testing

/// `transliterate` and `tm transliterate`, run as built binaries.
@Suite struct TransliterateEndToEndTests {
  /// Both spellings of the command: the standalone binary and the subcommand.
  static let commands: [(String, [String])] = [("transliterate", []), ("tm", ["transliterate"])]

  @Test(arguments: [0, 1]) func textArguments(_ which: Int) throws {
    let (prog, pre) = Self.commands[which]
    let r = try Run(prog, pre + ["Илһам", "Әлијев,", "Ҝәнҹә"])
    #expect(r.status == 0)
    #expect(r.stdout == "İlham Əliyev, Gəncə\n")
    #expect(r.stderr.isEmpty)
    let ru = try Run(prog, pre + ["--scheme", "ru-latn-bgn", "ЩЕРБАКОВ Щербаков"])
    #expect(ru.stdout == "SHCHERBAKOV Shcherbakov\n")
  }

  @Test(arguments: [0, 1]) func stdinKeepsLinesExactly(_ which: Int) throws {
    let (prog, pre) = Self.commands[which]
    let input = "Азәрбајҹан Республикасы\n\n\t1918-ҹи ил, «Ҝәнҹә»\r\nсон"
    let r = try Run(prog, pre, stdin: input)
    #expect(r.status == 0)
    #expect(r.stdout == "Azərbaycan Respublikası\n\n\t1918-ci il, «Gəncə»\r\nson")
  }

  @Test func latinToCyrillicAndRussianSchemes() throws {
    #expect(try Run("transliterate", ["--scheme", "az-latn-cyrl", "İsmayıllı, Işıq"]).stdout == "Исмајыллы, Ышыг\n")
    #expect(try Run("transliterate", ["--scheme", "ru-latn-icao", "Юлия Подъезд"]).stdout == "Iuliia Podieezd\n")
    #expect(try Run("transliterate", ["--scheme", "ru-latn-gost", "Хрущёв"]).stdout == "Xrushhyov\n")
    #expect(try Run("transliterate", ["--scheme", "ru-latn-iso9", "Хрущёв"]).stdout == "Hruŝëv\n")
  }

  @Test func fileAndLegacyEncoding() throws {
    let dir = try Run.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    // "Щербаков\n" in cp1251.
    let cp1251: [UInt8] = [0xD9, 0xE5, 0xF0, 0xE1, 0xE0, 0xEA, 0xEE, 0xE2, 0x0A]
    let f = dir.appendingPathComponent("ru-cp1251.txt")
    try Data(cp1251).write(to: f)
    let r = try Run("transliterate", ["--scheme", "ru-latn-bgn", "--encoding", "cp1251", "--file", f.path])
    #expect(r.status == 0)
    #expect(r.stdout == "Shcherbakov\n")
    let bad = try Run("transliterate", ["--scheme", "ru-latn-bgn", "--file", f.path])
    #expect(bad.status == 2)
    #expect(bad.stderr.contains("invalid UTF-8"))
  }

  @Test func verboseReportsRepairsOnStderr() throws {
    let r = try Run("transliterate", ["--verbose"], stdin: "Азәрбајҹан\nРеспубликасы Əлијева\n")
    #expect(r.status == 0)
    #expect(r.stdout == "Azərbaycan\nRespublikası Əliyeva\n")
    #expect(r.stderr.contains("line 2"))
    #expect(r.stderr.contains("Əлијева"))
    #expect(r.stderr.contains("U+018F"))
    let quiet = try Run("transliterate", [], stdin: "Əлијева\n")
    #expect(quiet.stderr.isEmpty)
    let raw = try Run("transliterate", ["--no-repair", "cәpҝи"])
    #expect(raw.stdout == "cəpgi\n")
  }

  @Test func listShowsSchemesWithStandardsAndICUIDs() throws {
    let r = try Run("transliterate", ["--list"])
    #expect(r.status == 0)
    for name in ["az-cyrl-latn", "az-latn-cyrl", "ru-latn-bgn", "ru-latn-icao", "ru-latn-gost", "ru-latn-iso9"] {
      #expect(r.stdout.contains(name))
    }
    #expect(r.stdout.contains("ICAO Doc 9303"))
    #expect(r.stdout.contains("ISO 9:1995"))
    #expect(r.stdout.contains("Russian-Latin/BGN"))
    #expect(r.stdout.contains("Any-Latin"))
  }

  @Test(arguments: [0, 1]) func unknownSchemeIsExit2ListingSchemes(_ which: Int) throws {
    let (prog, pre) = Self.commands[which]
    let r = try Run(prog, pre + ["--scheme", "ru-latn-klingon", "Щ"])
    #expect(r.status == 2)
    #expect(r.stdout.isEmpty)
    #expect(r.stderr.contains("ru-latn-klingon"))
    #expect(r.stderr.contains("az-cyrl-latn") && r.stderr.contains("ru-latn-iso9"))
  }

  @Test func badICUIDIsExit2WithMessage() throws {
    let r = try Run("transliterate", ["--icu", "Russian-Klingon", "Щ"])
    #expect(r.status == 2)
    #expect(r.stderr.contains("Russian-Klingon"))
    #expect(r.stderr.contains("U_INVALID_ID"))
    let ok = try Run("transliterate", ["--icu", "Any-Latin; Latin-ASCII", "Щербаков"])
    #expect(ok.status == 0)
    #expect(ok.stdout == "Serbakov\n")
  }

  @Test func badRulesFileIsExit2WithLineAndColumn() throws {
    let dir = try Run.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let f = dir.appendingPathComponent("rules.txt")
    try "# my rules\nш > sh;\nщ > [shch;\n".write(to: f, atomically: true, encoding: .utf8)
    let r = try Run("transliterate", ["--rules", f.path, "щи"])
    #expect(r.status == 2)
    #expect(r.stderr.contains("rules.txt:3:"))
    #expect(r.stderr.contains("column"))
    #expect(r.stderr.contains("U_MALFORMED_SET"))
    let g = dir.appendingPathComponent("good.txt")
    try "ш > sh;\nщ > shch;\n".write(to: g, atomically: true, encoding: .utf8)
    #expect(try Run("transliterate", ["--rules", g.path, "щи ши"]).stdout == "shchи shи\n")
    let missing = try Run("transliterate", ["--rules", dir.appendingPathComponent("none.txt").path, "x"])
    #expect(missing.status == 2)
    #expect(missing.stderr.contains("no such file"))
  }

  @Test func conflictingSourcesAreUsageErrors() throws {
    let r = try Run("transliterate", ["--scheme", "ru-latn-bgn", "--icu", "Any-Latin", "x"])
    #expect(r.status == 2)
    #expect(r.stderr.contains("exclude"))
  }

  @Test func invalidUTF8OnStdinNamesLineAndOffset() throws {
    // Line 2, byte 9 (0-based) of the input is 0xFF.
    let bytes: [UInt8] = Array("Щи\nба".utf8) + [0xFF] + Array("д\n".utf8)
    let r = try Run("transliterate", ["--scheme", "ru-latn-bgn"], stdinBytes: bytes)
    #expect(r.status == 2)
    #expect(r.stderr.contains("-:2:"))
    #expect(r.stderr.contains("0xFF"))
    #expect(r.stderr.contains("byte offset 9"))
    #expect(r.stderr.contains("--encoding"))
  }

  @Test func byteOrderMarksAreHonoured() throws {
    let utf8BOM: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("Щи\n".utf8)
    #expect(try Run("transliterate", ["--scheme", "ru-latn-bgn"], stdinBytes: utf8BOM).stdout == "Shchi\n")
    // UTF-16LE with BOM: "Щи\n".
    let utf16: [UInt8] = [0xFF, 0xFE, 0x29, 0x04, 0x38, 0x04, 0x0A, 0x00]
    #expect(try Run("transliterate", ["--scheme", "ru-latn-bgn"], stdinBytes: utf16).stdout == "Shchi\n")
  }

  @Test func bigInputStreamsThroughUnchangedInShape() throws {
    // 3 MB over several 1 MB chunks: line count and content survive the seams.
    let line = "Все люди рождаются свободными и равными в своем достоинстве и правах. ASCII line\n"
    let input = String(repeating: line + "plain ascii\n", count: 20_000)
    let r = try Run("transliterate", ["--scheme", "ru-latn-icao"], stdin: input)
    #expect(r.status == 0)
    let want = "Vse liudi rozhdaiutsia svobodnymi i ravnymi v svoem dostoinstve i pravakh. ASCII line\nplain ascii\n"
    #expect(r.stdout == String(repeating: want, count: 20_000))
  }

  @Test func directoryAndMissingFileAreErrors() throws {
    let dir = try Run.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let d = try Run("transliterate", ["--file", dir.path])
    #expect(d.status == 2)
    #expect(d.stderr.contains("directory"))
    let m = try Run("transliterate", ["--file", dir.appendingPathComponent("nope.txt").path])
    #expect(m.status == 2)
    #expect(m.stderr.contains("no such file"))
  }

  /// Golden outputs: every scheme on real-looking text (news, names, numbers
  /// in local formats, quotes, a tab, an empty line, mixed-script words).
  /// `TM_UPDATE_GOLDEN=1 swift test --filter goldenSchemes` rewrites them.
  @Test(arguments: [
    ("translit-ru.in.txt", "ru-latn-bgn"), ("translit-ru.in.txt", "ru-latn-icao"),
    ("translit-ru.in.txt", "ru-latn-gost"), ("translit-ru.in.txt", "ru-latn-iso9"),
    ("translit-az-cyrl.in.txt", "az-cyrl-latn"), ("translit-az-latn.in.txt", "az-latn-cyrl"),
  ])
  func goldenSchemes(_ input: String, _ scheme: String) throws {
    let text = try Run.golden(input)
    let r = try Run("transliterate", ["--scheme", scheme, "--verbose"], stdin: text)
    #expect(r.status == 0)
    let got = r.stdout + (r.stderr.isEmpty ? "" : "--- stderr (--verbose)\n" + r.stderr)
    let name = input.replacingOccurrences(of: ".in.txt", with: "") + ".\(scheme).out.txt"
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name)")
    if ProcessInfo.processInfo.environment["TM_UPDATE_GOLDEN"] == "1" {
      try got.write(to: url, atomically: true, encoding: .utf8)
    }
    #expect(got == (try Run.golden(name)), "Golden/\(name) differs; rerun with TM_UPDATE_GOLDEN=1 after checking the change")
  }
}
