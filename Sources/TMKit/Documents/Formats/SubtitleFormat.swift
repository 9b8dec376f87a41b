/// SubRip (`.srt`) and WebVTT (`.vtt`) subtitles: one block per cue.
///
/// A cue is an optional number or identifier, a timing line
/// (`00:00:01,000 --> 00:00:04,000`; WebVTT with `.` and cue settings) and
/// text lines up to a blank line. The timings and numbers are never
/// touched; the text lines become one block whose line breaks are
/// standalone codes, and the cue's tags (`<i>`, `<b>`, `<font ...>`,
/// WebVTT's `<c.x>`, `<v Name>`) paired codes. WebVTT `NOTE`, `STYLE` and
/// `REGION` blocks are skipped.
public struct SubtitleFormat: DocumentFormat {
  public static let srt = SubtitleFormat(vtt: false)
  public static let vtt = SubtitleFormat(vtt: true)
  let vtt: Bool

  public var id: String { vtt ? "vtt" : "srt" }
  public var xliffDatatype: String { vtt ? "x-webvtt" : "x-srt" }
  public var extensions: [String] { vtt ? ["vtt"] : ["srt"] }

  public func detect(_ probe: DocumentProbe) -> Int {
    guard probe.zipEntries == nil else { return 0 }
    let head = probe.head(600)
    if vtt { return head.hasPrefix("WEBVTT") || head.hasPrefix("\u{FEFF}WEBVTT") ? 95 : (probe.fileExtension == "vtt" ? 10 : 0) }
    // A number line, then a timing line with commas.
    let lines = head.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map { $0.trimmingCharacters(in: .whitespaces) }
    if lines.count >= 2, Int(lines[0].replacingOccurrences(of: "\u{FEFF}", with: "")) != nil, lines[1].contains("-->"), lines[1].contains(",") { return 90 }
    return probe.fileExtension == "srt" ? 10 : 0
  }

  public func read(_ probe: DocumentProbe) throws -> Document {
    try ByteLines.requireUTF8(probe.bytes, name: probe.name)  // valid UTF-8, else line and offset
    let bytes = probe.bytes
    let lines = ByteLines.ranges(bytes)  // without the line endings
    func str(_ r: Range<Int>) -> String { String(decoding: bytes[r], as: UTF8.self) }
    var blocks: [Block] = []
    var i = 0
    let lineBreak = bytes.contains(0x0D) ? "\r\n" : "\n"
    while i < lines.count {
      let line = str(lines[i]).trimmingCharacters(in: .whitespaces)
      if line.isEmpty {
        i += 1
        continue
      }
      if vtt && (line.hasPrefix("WEBVTT") || line.hasPrefix("\u{FEFF}WEBVTT") || line.hasPrefix("NOTE") || line == "STYLE" || line.hasPrefix("REGION")) {
        while i < lines.count && !str(lines[i]).trimmingCharacters(in: .whitespaces).isEmpty { i += 1 }
        continue
      }
      // Find the timing line: this one or the next.
      var timing = i
      if !line.contains("-->") { timing = i + 1 }
      guard timing < lines.count, str(lines[timing]).contains("-->") else {
        throw TMError(
          .invalidInput, "a cue without a timing line ('00:00:01,000 --> 00:00:02,000')", file: probe.name, line: i + 1)
      }
      var j = timing + 1
      let first = j
      while j < lines.count && !str(lines[j]).trimmingCharacters(in: .whitespaces).isEmpty { j += 1 }
      if j > first {
        let range = lines[first].lowerBound..<lines[j - 1].upperBound
        let raw = str(range)
        var block = Block(kind: .cue, content: MarkupInline.parse(raw, lineBreak: lineBreak))
        block.slots = [Slot(part: 0, range: range, span: 0, wrap: .render)]
        block.key = str(lines[timing]).trimmingCharacters(in: .whitespaces)
        if block.plainText.contains(where: { !$0.isWhitespace }) { blocks.append(block) }
      }
      i = j
    }
    return Document(format: id, parts: [Document.Part(path: probe.name, bytes: probe.bytes)], blocks: blocks, name: probe.name)
  }

  public func write(_ document: Document, translations: [Int: [Inline]], annotations: [Int: TargetAnnotation]) throws -> [UInt8] {
    SlotWriter.apply(document, translations: translations) { text, _ in Array(text.utf8) }[0]
  }
}

/// Text whose inline codes are HTML-like tags (subtitles): `<i>…</i>` as
/// paired codes with their markup kept, line breaks as standalone codes.
///
/// Linear in the text: the next `>` is looked for once per stretch, and a
/// closing tag looks among the open ones only when one of its name is open
/// (7,000 `<i>a</b>` took seconds; found by scripts/fuzz.sh).
enum MarkupInline {
  static func parse(_ raw: String, lineBreak: String) -> [Inline] {
    var out: [Inline] = []
    var text = ""
    var nextID = 1
    var open: [(name: String, index: Int, id: Int)] = []
    var openCount: [String: Int] = [:]
    var greater: (from: String.Index, at: String.Index?)?
    func nextGreater(_ i: String.Index) -> String.Index? {
      if let g = greater, g.from <= i, g.at.map({ $0 >= i }) ?? true { return g.at }
      let at = raw[i...].firstIndex(of: ">")
      greater = (i, at)
      return at
    }
    func flush() {
      if !text.isEmpty { out.append(.text(text)) }
      text = ""
    }
    var i = raw.startIndex
    while i < raw.endIndex {
      let c = raw[i]
      if c == "\r" || c == "\n" {
        flush()
        var j = raw.index(after: i)
        if c == "\r", j < raw.endIndex, raw[j] == "\n" { j = raw.index(after: j) }
        out.append(.standalone(InlineCode(id: nextID, kind: .lineBreak, text: "\n", native: String(raw[i..<j]))))
        nextID += 1
        i = j
        continue
      }
      if c == "<", let close = nextGreater(i) {
        let tag = String(raw[i...close])
        let inner = tag.dropFirst().dropLast()
        flush()
        if inner.hasPrefix("/") {
          let name = inner.dropFirst().lowercased()
          if openCount[name, default: 0] > 0, let k = open.lastIndex(where: { $0.name == name }) {
            openCount[name, default: 1] -= 1
            if case .open(var code) = out[open[k].index] {
              code.nativeClose = tag
              out[open[k].index] = .open(code)
            }
            out.append(.close(open[k].id))
            open.remove(at: k)
          } else {
            out.append(.standalone(InlineCode(id: nextID, kind: .other, native: tag)))
            nextID += 1
          }
        } else if let f = inner.first, f.isLetter {
          let name = String(inner.prefix(while: { $0.isLetter || $0.isNumber })).lowercased()
          let kind: InlineCode.Kind = name == "b" ? .bold : name == "i" ? .italic : name == "u" ? .underline : .format
          out.append(.open(InlineCode(id: nextID, kind: kind, native: tag, nativeClose: "")))
          open.append((name, out.count - 1, nextID))
          openCount[name, default: 0] += 1
          nextID += 1
        } else {
          out.append(.standalone(InlineCode(id: nextID, kind: .other, native: tag)))
          nextID += 1
        }
        i = raw.index(after: close)
        continue
      }
      text.append(c)
      i = raw.index(after: i)
    }
    flush()
    // Tags never closed (WebVTT allows it) become standalone.
    for o in open.reversed() {
      if case .open(let code) = out[o.index] {
        out[o.index] = .standalone(InlineCode(id: code.id, kind: .other, native: code.native))
      }
    }
    return out
  }
}

import Foundation
