/// Every interchange format, in the order detection asks them, and the one
/// place a new format is added.
public enum FormatRegistry {
  /// Content tests run in this order; a file no content test claims goes to
  /// the first format whose extension it has, else to plain TSV.
  public static let all: [any InterchangeFormat] = [
    MOFormat(), XLIFFMemoryFormat(), TMXFormat(), POFormat(), ReviewFormat(), MemoryTSVFormat(), CSVFormat(), TSVFormat(),
  ]

  /// The formats `tm export` writes, by id.
  public static let writers: [any InterchangeWriter] = [TMXFormat(), MemoryTSVFormat(), CSVFormat()]

  /// The format of a file: by its content first, then its extension.
  public static func detect(path: String, bytes: [UInt8]) throws -> any InterchangeFormat {
    var head = bytes.prefix(1 << 16)
    if head.starts(with: [0xEF, 0xBB, 0xBF]) { head = head.dropFirst(3) }
    if let mo = all.first(where: { $0 is MOFormat }), try mo.matches(content: head, path: path) { return mo }
    if let mo = all.first(where: { $0 is MOFormat }), mo.hasExtension(path) { return mo }  // it explains what is wrong
    // Text formats: a NUL byte means a binary file (UTF-16 is recognised by its BOM).
    let utf16 = bytes.count >= 2 && ((bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF))
    if !utf16, let nul = bytes.prefix(1 << 16).firstIndex(of: 0) {
      throw TMError(
        .invalidInput, "this is a binary file, not TMX, gettext, TSV or CSV", file: path, byteOffset: nul,
        hint: "tm import reads .tmx, .po, .mo, .tsv and .csv files")
    }
    for f in all where !(f is MOFormat) {
      if try f.matches(content: head, path: path) { return f }
    }
    for f in all where f.hasExtension(path) { return f }
    return TSVFormat()
  }

  /// A writer by id (`tmx`, `tsv`, `csv`; `memory-tsv` is `tsv`).
  public static func writer(_ id: String) -> (any InterchangeWriter)? {
    let id = id == "tsv" ? "memory-tsv" : id
    return writers.first { $0.id == id }
  }
}
