import Foundation
import Testing

/// What issue 9 changed that a user sees: write errors on stdout, the review
/// round trip, one clock.
@Suite struct LibraryEndToEndTests {
  static let memory = """
    az\tru\torigin\tcreated\tscore
    Bakıda hava küləkli olacaq.\tВ Баку будет ветрено.\tnews\t2026-11-25T20:09:04Z\t
    Sabah Gəncədə yağış yağacaq.\tЗавтра в Гяндже пойдёт дождь.\tnews\t2026-11-25T20:09:04Z\t

    """

  /// Runs `tm` with stdout on a given file (e.g. /dev/full).
  func run(_ args: [String], stdout path: String, cwd: URL) throws -> (status: Int32, stderr: String) {
    let p = Process()
    p.executableURL = Run.binDir.appendingPathComponent("tm")
    p.arguments = args
    p.currentDirectoryURL = cwd
    var env = ProcessInfo.processInfo.environment
    env["NO_COLOR"] = "1"
    p.environment = env
    let out = try #require(FileHandle(forWritingAtPath: path))
    let err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: e, as: UTF8.self))
  }

  @Test(
    "#9: a full disk on stdout is exit 2 with a message, not a truncated success",
    .enabled(if: FileManager.default.isWritableFile(atPath: "/dev/full")))
  func writeErrorOnStdoutIsExit2() throws {
    let dir = try Run.tempDir()
    try Data(Self.memory.utf8).write(to: dir.appendingPathComponent("news.tsv"))
    for args in [
      ["export", "--memory", "news.tsv", "--format", "tsv"], ["export", "--memory", "news.tsv"],
      ["lookup", "Bakıda hava küləkli olacaq.", "--memory", "news.tsv"], ["stats", "--memory", "news.tsv"],
    ] {
      let r = try run(args, stdout: "/dev/full", cwd: dir)
      #expect(r.status == 2, "\(args)")
      #expect(r.stderr.contains("cannot write to standard output: No space left on device"), "\(args): \(r.stderr)")
    }
    // A device that takes the bytes is a success.
    let ok = try run(["export", "--memory", "news.tsv"], stdout: "/dev/null", cwd: dir)
    #expect(ok.status == 0)
  }

  @Test("#9: an edited review file imports without its marks and without one-language rows")
  func reviewRoundTrip() throws {
    let dir = try Run.tempDir()
    let a = dir.appendingPathComponent("a.txt").path
    let b = dir.appendingPathComponent("b.txt").path
    try Data("Maddə 1\nBütün insanlar azad doğulurlar.\nQeyd: bu mətn qısaldılıb.\nMaddə 2\nHər kəs bərabərdir.\n".utf8)
      .write(to: URL(fileURLWithPath: a))
    try Data("Статья 1\nВсе люди рождаются свободными.\nСтатья 2\nВсе равны.\n".utf8).write(to: URL(fileURLWithPath: b))
    let review = dir.appendingPathComponent("review.tsv").path
    let r = try Run(
      "tm", ["align", a, b, "--from", "az", "--to", "ru", "--segmented", "--dry-run", "--review", review, "--min-score", "0.99"],
      cwd: dir)
    #expect(r.status == 0, "\(r.stderr)")
    let text = try String(contentsOfFile: review, encoding: .utf8)
    #expect(text.contains(" check\n") || text.contains(" unaligned\n"))
    let mem = dir.appendingPathComponent("m.tsv").path
    let i = try Run("tm", ["import", review, "--memory", mem], cwd: dir)
    #expect(i.status == 0, "\(i.stderr)")
    #expect(i.stdout.contains("(review TSV)"))
    let stored = try String(contentsOfFile: mem, encoding: .utf8)
    #expect(!stored.contains(" check") && !stored.contains(" unaligned"))
    let rows = stored.split(separator: "\n").dropFirst().map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
    #expect(rows.allSatisfy { $0.count >= 2 && !$0[0].isEmpty && !$0[1].isEmpty })
    if text.contains(" unaligned\n") { #expect(i.stderr.contains("one language only")) }
  }

  @Test("#9: align's units carry SOURCE_DATE_EPOCH's time like every other command")
  func alignHonoursSourceDateEpoch() throws {
    let dir = try Run.tempDir()
    let a = dir.appendingPathComponent("a.txt").path
    let b = dir.appendingPathComponent("b.txt").path
    try Data("Maddə 1\nHər kəs bərabərdir.\n".utf8).write(to: URL(fileURLWithPath: a))
    try Data("Статья 1\nВсе равны.\n".utf8).write(to: URL(fileURLWithPath: b))
    let r = try Run(
      "tm", ["align", a, b, "--from", "az", "--to", "ru", "--segmented", "--memories", dir.path],
      env: ["SOURCE_DATE_EPOCH": "1764094144"])
    #expect(r.status == 0, "\(r.stderr)")
    let stored = try String(contentsOfFile: dir.appendingPathComponent("az-ru.tsv").path, encoding: .utf8)
    #expect(stored.contains("\t2025-11-25T18:09:04Z\t"))
  }
}
