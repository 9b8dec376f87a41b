/// Byte-level helpers the line-based readers and the patching writers share.
enum ByteLines {
  /// Checks that `bytes` are UTF-8 text, as the line-based readers (PO,
  /// subtitles, Markdown) read and patch them. A UTF-16 file (its BOM) is
  /// refused by name: decoding it would pass, but its lines are not UTF-8
  /// and text written back into it would be (found by scripts/fuzz.sh).
  static func requireUTF8(_ bytes: [UInt8], name: String) throws {
    if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
      throw TMError(
        .invalidInput, "UTF-16 text is not read in this format", file: name, line: 1, byteOffset: 0,
        hint: "convert it to UTF-8 (iconv -f utf-16 -t utf-8)")
    }
    _ = try TextDecoder.decode(bytes, encoding: "UTF-8", source: name)
  }

  /// The byte ranges of the lines of `bytes`, without their line endings
  /// (LF or CRLF); a last line without an ending counts.
  static func ranges(_ bytes: [UInt8]) -> [Range<Int>] {
    var lines: [Range<Int>] = []
    var s = 0
    for (i, b) in bytes.enumerated() where b == 0x0A {
      lines.append(s..<(i > s && bytes[i - 1] == 0x0D ? i - 1 : i))
      s = i + 1
    }
    if s < bytes.count { lines.append(s..<bytes.count) }
    return lines
  }
}

enum BytePatches {
  /// `source` with each range replaced by its bytes. Patches are applied in
  /// order of their start, insertions at one offset in the order given; a
  /// patch that overlaps an earlier one is skipped.
  static func apply(_ patches: [(Range<Int>, [UInt8])], to source: [UInt8]) -> [UInt8] {
    let ordered = patches.enumerated().sorted { ($0.element.0.lowerBound, $0.offset) < ($1.element.0.lowerBound, $1.offset) }
    var out: [UInt8] = []
    out.reserveCapacity(source.count + patches.reduce(0) { $0 + $1.1.count })
    var at = 0
    for (_, (r, b)) in ordered where r.lowerBound >= at {
      out.append(contentsOf: source[at..<r.lowerBound])
      out.append(contentsOf: b)
      at = r.upperBound
    }
    out.append(contentsOf: source[at...])
    return out
  }
}
