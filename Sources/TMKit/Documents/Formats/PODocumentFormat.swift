/// A gettext PO catalog as a document: each entry's msgid is a block, its
/// msgstr the block's existing translation.
///
/// Writing fills msgstr (one line, or `""` plus one line per `\n`), and
/// marks review-worthy (fuzzy-match) targets `#, fuzzy`; the header entry,
/// comments, references, obsolete `#~` entries and everything else are kept
/// byte for byte. Plural entries are left alone (their forms need a person).
public struct PODocumentFormat: DocumentFormat {
  public init() {}
  public var id: String { "po" }
  public var xliffDatatype: String { "po" }
  public var extensions: [String] { ["po", "pot"] }
  public var bilingual: Bool { true }

  public func detect(_ probe: DocumentProbe) -> Int {
    guard probe.zipEntries == nil else { return 0 }
    let head = probe.head(4096)
    if head.contains("\nmsgid \"") || head.hasPrefix("msgid \""), head.contains("msgstr") { return 85 }
    return extensions.contains(probe.fileExtension) ? 10 : 0
  }

  public func read(_ probe: DocumentProbe) throws -> Document {
    try ByteLines.requireUTF8(probe.bytes, name: probe.name)  // valid UTF-8, else line and offset
    let bytes = probe.bytes
    let lines = ByteLines.ranges(bytes)
    func str(_ r: Range<Int>) -> String { String(decoding: bytes[r], as: UTF8.self) }

    var blocks: [Block] = []
    var i = 0
    var language: String?
    while i < lines.count {
      // One entry: comments, keywords and their strings up to a blank line.
      var comments: [String] = []
      var fuzzy = false
      var entryStart: Int?
      var field = ""
      var values: [String: String] = [:]
      var msgstrRange: Range<Int>?
      var plural = false
      var obsolete = false
      while i < lines.count {
        let line = str(lines[i]).trimmingCharacters(in: .whitespaces)
        if line.isEmpty {
          if entryStart != nil || !comments.isEmpty { break }
          i += 1
          continue
        }
        // No blank line between entries: a comment or a new msgctxt/msgid after a msgid starts the next.
        if values["msgid"] != nil && (line.hasPrefix("#") || line.hasPrefix("msgctxt ") || line.hasPrefix("msgid ")) { break }
        if line.hasPrefix("#~") {
          obsolete = true
        } else if line.hasPrefix("#,") {
          if line.contains("fuzzy") { fuzzy = true }
        } else if line.hasPrefix("#. ") || line.hasPrefix("# ") {
          comments.append(String(line.dropFirst(2)).trimmingCharacters(in: .whitespaces))
        } else if line.hasPrefix("#") {
        } else if line.hasPrefix("\"") {
          guard !field.isEmpty else {
            throw TMError(.invalidInput, "a string continuation without msgid or msgstr before it", file: probe.name, line: i + 1)
          }
          values[field, default: ""] += try unquote(line, file: probe.name, line: i + 1)
          if field == "msgstr" { msgstrRange = (msgstrRange?.lowerBound ?? lines[i].lowerBound)..<lines[i].upperBound }
        } else if let sp = line.firstIndex(of: " ") {
          let key = String(line[..<sp])
          let rest = line[sp...].trimmingCharacters(in: .whitespaces)
          if entryStart == nil { entryStart = lines[i].lowerBound }
          if key.hasPrefix("msgstr[") || key == "msgid_plural" { plural = true }
          field = key
          values[key] = try unquote(rest, file: probe.name, line: i + 1)
          if key == "msgstr" {
            msgstrRange = lines[i]
          }
        } else {
          throw TMError(.invalidInput, "a line that is neither a comment, a keyword nor a string", file: probe.name, line: i + 1)
        }
        i += 1
      }
      guard let start = entryStart, !obsolete, let msgid = values["msgid"] else { continue }
      if msgid.isEmpty {
        if let h = values["msgstr"], let r = h.range(of: "Language: ") {
          language = String(h[r.upperBound...].prefix(while: { $0 != "\n" && $0 != "\\" })).trimmingCharacters(in: .whitespaces)
        }
        continue
      }
      if plural { continue }
      guard let mr = msgstrRange else {
        throw TMError(.invalidInput, "an entry without msgstr", file: probe.name, line: i)
      }
      var b = Block(kind: .unit, content: [.text(msgid)])
      b.key = values["msgctxt"] ?? ""
      b.notes = comments
      let existing = values["msgstr"] ?? ""
      b.target = existing.isEmpty ? nil : [.text(existing)]
      b.targetState = existing.isEmpty ? nil : (fuzzy ? "needs-review-translation" : "translated")
      // slot 0: the msgstr lines; slot 1 (empty range): where `#, fuzzy` goes.
      b.slots = [Slot(part: 0, range: mr, span: 0, wrap: .render), Slot(part: 0, range: start..<start, span: fuzzy ? 1 : 0)]
      blocks.append(b)
    }
    var doc = Document(format: id, parts: [Document.Part(path: probe.name, bytes: bytes)], blocks: blocks, name: probe.name)
    doc.targetLanguage = language
    return doc
  }

  func unquote(_ s: String, file: String, line: Int) throws -> String {
    guard s.count >= 2, s.hasPrefix("\""), s.hasSuffix("\"") else {
      throw TMError(.invalidInput, "a PO string must be in double quotes", file: file, line: line)
    }
    var out = ""
    var esc = false
    for c in s.dropFirst().dropLast() {
      if esc {
        switch c {
        case "n": out += "\n"
        case "t": out += "\t"
        case "r": out += "\r"
        default: out.append(c)
        }
        esc = false
      } else if c == "\\" {
        esc = true
      } else {
        out.append(c)
      }
    }
    return out
  }

  static func quote(_ s: String) -> String {
    var out = "\""
    for c in s.unicodeScalars {
      switch c {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      case "\r": out += "\\r"
      default: out.unicodeScalars.append(c)
      }
    }
    return out + "\""
  }

  public func write(_ document: Document, translations: [Int: [Inline]], annotations: [Int: TargetAnnotation]) throws -> [UInt8] {
    var patches: [(Range<Int>, [UInt8])] = []
    for (i, content) in translations {
      guard i < document.blocks.count else { continue }
      let b = document.blocks[i]
      let text = InlineText.plain(content)
      let existing = b.target.map(InlineText.plain) ?? ""
      let fuzzy = annotations[i]?.state == "needs-review-translation"
      if text == existing && (annotations[i] == nil || fuzzy == (b.targetState == "needs-review-translation")) { continue }
      guard b.slots.count == 2 else { continue }
      var rendered = "msgstr "
      // By scalars: "\r\n" is one Character, so splitting and escaping by
      // Characters left a raw line break inside a string (a PO that no
      // longer parsed; found by scripts/fuzz.sh).
      let lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { String(String.UnicodeScalarView($0)) }
      if lines.count > 1 {
        rendered += "\"\""
        for (k, l) in lines.enumerated() where !(k == lines.count - 1 && l.isEmpty) {
          rendered += "\n" + Self.quote(l + (k < lines.count - 1 ? "\n" : ""))
        }
      } else {
        rendered += Self.quote(text)
      }
      patches.append((b.slots[0].range, Array(rendered.utf8)))
      if fuzzy && b.slots[1].span == 0 { patches.append((b.slots[1].range, Array("#, fuzzy\n".utf8))) }
    }
    return BytePatches.apply(patches, to: document.parts[0].bytes)
  }
}

import Foundation
