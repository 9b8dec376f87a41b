import Foundation
import Testing

/// The document commands through the built binary: extract → translate the
/// XLIFF → merge, pretranslate from a memory, and exit 2 with the file and
/// position for bad input.
@Suite struct DocumentCommandTests {
  static var fixtures: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("TMKitTests/Fixtures/documents")
  }

  @Test func extractTranslateMergeDocx() throws {
    let dir = try Run.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let docx = Self.fixtures.appendingPathComponent("xeber.az.docx").path
    let xlf = dir.appendingPathComponent("xeber.xlf").path
    let r = try Run("tm", ["extract", docx, "--from", "az", "--to", "ru", "-o", xlf])
    #expect(r.status == 0, "\(r.stderr)")
    var x = try String(contentsOfFile: xlf, encoding: .utf8)
    #expect(x.contains(#"<source>Prezident İlham Əliyev <g id="1" ctype="bold">Xətai</g> stansiyasının açılış mərasimində iştirak edib.<x id="2" ctype="x-footnote"/></source>"#))
    // A translator's target, with the codes moved.
    x = x.replacingOccurrences(
      of: #"<x id="2" ctype="x-footnote"/></source>"#,
      with: #"<x id="2" ctype="x-footnote"/></source><target>Президент Ильхам Алиев принял участие в открытии станции <g id="1">Хатаи</g>.<x id="2"/></target>"#)
    try x.write(toFile: xlf, atomically: true, encoding: .utf8)
    let out = dir.appendingPathComponent("xeber.ru.docx").path
    let m = try Run("tm", ["merge", xlf, "-o", out])
    #expect(m.status == 0, "\(m.stderr)")
    let s = try Run("tm", ["segment", "--lang", "ru", out])
    #expect(s.stdout.contains("Президент Ильхам Алиев принял участие в открытии станции Хатаи.\nStansiya gündə 45 000 sərnişinə xidmət edəcək.\n"))
  }

  @Test func pretranslateMarkdownWithReport() throws {
    let dir = try Run.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let mem = dir.appendingPathComponent("az-ru.tsv")
    try "az\tru\torigin\tcreated\tscore\nTikinti 2018-ci ildə başlayıb.\tСтроительство началось в 2018 году.\tt\t2026-12-01T00:00:00Z\t\n"
      .write(to: mem, atomically: true, encoding: .utf8)
    let md = dir.appendingPathComponent("x.md")
    try "# Xəbər\n\nTikinti **2019-cu** ildə başlayıb. Kod: `make`.\n\n```\nTikinti 2019-cu ildə başlayıb.\n```\n".write(to: md, atomically: true, encoding: .utf8)
    let out = dir.appendingPathComponent("x.ru.md").path
    let report = dir.appendingPathComponent("r.json").path
    let r = try Run("tm", ["pretranslate", md.path, "--from", "az", "--to", "ru", "--memory", mem.path, "-o", out, "--report", report])
    #expect(r.status == 0, "\(r.stderr)")
    let text = try String(contentsOfFile: out, encoding: .utf8)
    #expect(text == "# Xəbər\n\nСтроительство началось в **2019** году. Kod: `make`.\n\n```\nTikinti 2019-cu ildə başlayıb.\n```\n")
    let json = try String(contentsOfFile: report, encoding: .utf8)
    #expect(json.contains("\"translated\" : 1"))
  }

  @Test func badInputIsExit2WithFileAndPosition() throws {
    let dir = try Run.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let pdf = dir.appendingPathComponent("a.pdf")
    try Data("%PDF-1.7\n%âãÏÓ\n".utf8).write(to: pdf)
    let p = try Run("tm", ["extract", pdf.path, "--to", "ru"])
    #expect(p.status == 2)
    #expect(p.stderr.contains("pdftotext -layout"))
    let docx = try Data(contentsOf: Self.fixtures.appendingPathComponent("xeber.az.docx"))
    let cut = dir.appendingPathComponent("cut.docx")
    try docx.prefix(docx.count - 40).write(to: cut)
    let c = try Run("tm", ["pretranslate", cut.path, "--to", "ru"])
    #expect(c.status == 2)
    #expect(c.stderr.contains("cut.docx") && c.stderr.contains("byte offset"), "\(c.stderr)")
    let xlf = dir.appendingPathComponent("n.xlf")
    try "<?xml version=\"1.0\"?>\n<xliff version=\"1.2\" xmlns=\"urn:oasis:names:tc:xliff:document:1.2\">\n<file original=\"a.txt\" source-language=\"az\" datatype=\"plaintext\"><body/></file></xliff>\n"
      .write(to: xlf, atomically: true, encoding: .utf8)
    let x = try Run("tm", ["merge", xlf.path])
    #expect(x.status == 2)
    #expect(x.stderr.contains("n.xlf:3") && x.stderr.contains("target-language"), "\(x.stderr)")
  }
}
