import CHTMLShim

/// HTML, parsed by libxml2's HTML parser (through the opaque `CHTMLShim`).
///
/// The encoding is found the way a browser does before parsing: a BOM, else
/// `<meta charset>` / `http-equiv` in the first 1024 bytes, else UTF-8 (an
/// error with the byte offset if the bytes are not UTF-8); libxml2 decodes
/// with it and reports every event's byte offset in the original bytes.
///
/// Block elements (`p`, `h1`…`h6`, `li`, `td`, `th`, `caption`, `div`,
/// `title`, ...) start and end blocks; inline elements (`b`, `strong`, `i`,
/// `em`, `a`, `span`, ...) are paired codes over the text they hold; `<br>`
/// and `<img>` are standalone codes. `alt`, `title` and `placeholder`
/// attributes are blocks of their own. `<script>`, `<style>`, `<template>`,
/// `<textarea>`, comments and anything under `translate="no"` are skipped;
/// entities are decoded. Writing replaces a span's first text node (and
/// empties its others) with the translation escaped and encoded in the
/// document's encoding (characters it cannot hold as `&#N;`).
public struct HTMLFormat: DocumentFormat {
  public init() {}
  public var id: String { "html" }
  public var xliffDatatype: String { "html" }
  public var extensions: [String] { ["html", "htm", "xhtml"] }

  static let blockElements: Set<String> = [
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog", "div", "dl",
    "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header",
    "hgroup", "hr", "html", "legend", "li", "main", "nav", "ol", "option", "p", "pre", "section", "summary", "table",
    "tbody", "td", "tfoot", "th", "thead", "title", "tr", "ul", "select", "noscript", "menu",
  ]
  static let skipped: Set<String> = ["script", "style", "template", "textarea", "svg", "math", "object", "iframe"]
  static let translatableAttributes = ["alt", "title", "placeholder"]

  public func detect(_ probe: DocumentProbe) -> Int {
    guard probe.zipEntries == nil else { return 0 }
    let head = probe.head(1024).lowercased()
    if head.contains("<!doctype html") || head.contains("<html") { return 90 }
    if head.contains("<body") || head.contains("<p>") || head.contains("<div") { return extensions.contains(probe.fileExtension) ? 60 : 25 }
    return extensions.contains(probe.fileExtension) ? 15 : 0
  }

  /// The encoding of an HTML file: BOM, `<meta>` prescan, else UTF-8.
  static func sniffEncoding(_ bytes: [UInt8]) -> String? {
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return "UTF-8" }
    if bytes.starts(with: [0xFF, 0xFE]) { return "UTF-16LE" }
    if bytes.starts(with: [0xFE, 0xFF]) { return "UTF-16BE" }
    let head = String(decoding: bytes.prefix(1024), as: UTF8.self).lowercased()
    guard let r = head.range(of: "charset\\s*=\\s*[\"']?\\s*[a-z0-9_:.-]+", options: .regularExpression) else { return nil }
    // Only inside a <meta ...> tag.
    guard let lt = head[..<r.lowerBound].lastIndex(of: "<"), head[lt...].hasPrefix("<meta") else { return nil }
    let value = head[r].split(separator: "=", maxSplits: 1).last.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"' ")) }
    return value
  }

  private struct Event {
    var kind: UInt8
    var pos: Int
    var name: String
    var attributes: [(String, String)]
  }

  /// libxml2's events, one at a time (a 50 MB page has millions: they are
  /// never all held as values).
  private func forEachEvent(
    _ bytes: [UInt8], encoding: String, name: String, _ body: (Event) throws -> Void
  ) throws {
    var result = bytes.withUnsafeBufferPointer { p in
      encoding.withCString { enc in tmhtml_parse(p.baseAddress, Int64(p.count), enc) }
    }
    defer { tmhtml_free(&result) }
    if result.status == -3 {
      throw TMError(.invalidInput, "unknown character encoding '\(encoding)' declared by the HTML", file: name, hint: "convert the file to UTF-8 (iconv -f … -t utf-8)")
    }
    guard result.status == 0 else { throw TMError(.invalidInput, "libxml2 could not parse the HTML (status \(result.status))", file: name) }
    guard let base = result.events else { return }
    var ev = ShimEvents(base, count: Int(result.length))
    while let kind = ev.u8(), let pos = ev.i64() {
      // libxml2's consumed count is -1 after an encoder error (a legacy
      // page with bytes its encoding lacks): a position before the first
      // byte indexed the input at -1 and trapped (found by scripts/fuzz.sh).
      var e = Event(kind: kind, pos: max(0, pos), name: "", attributes: [])
      switch kind {
      case 0x53:  // S
        guard let el = ev.string(), let count = ev.u32() else { return }
        e.name = el.lowercased()
        for _ in 0..<count {
          guard let k = ev.string(), let v = ev.string() else { return }
          e.attributes.append((k.lowercased(), v))
        }
      case 0x45, 0x54:  // E, T
        guard let t = ev.string() else { return }
        e.name = t
      default:
        break
      }
      try body(e)
    }
  }

  public func read(_ probe: DocumentProbe) throws -> Document {
    let bytes = probe.bytes
    let declared = Self.sniffEncoding(bytes)
    let encoding = declared ?? "UTF-8"
    let utf8 = ["utf-8", "utf8"].contains(encoding.lowercased())
    // Invalid UTF-8: the decoder's error gives line and offset (a valid
    // file is only checked, not decoded into a copy).
    if utf8, TextDecoder.firstInvalidUTF8Offset(bytes[...]) != nil { _ = try TextDecoder.decode(bytes, source: probe.name) }
    if encoding.lowercased().hasPrefix("utf-16") {
      throw TMError(.invalidInput, "UTF-16 HTML is not read", file: probe.name, hint: "convert it to UTF-8 (iconv -f utf-16 -t utf-8)")
    }
    // What libxml2 reads, the writer must write: it took 'windows-12-51',
    // iconv does not, and writing the page back failed (scripts/fuzz.sh).
    if !utf8, !LegacyEncoding.canWrite(encoding) {
      throw TMError(
        .invalidInput, "unknown character encoding '\(encoding)' declared by the HTML", file: probe.name,
        hint: "convert the file to UTF-8 (iconv -f … -t utf-8)")
    }

    var blocks: [Block] = []
    var builder: BlockBuilder?
    var blockKinds: [BlockKind] = [.paragraph]
    // The open inline elements, innermost last, each with the id of the
    // formatting context it makes: contexts are interned by (outer context,
    // element and attributes), so equal stacks have equal ids and a text
    // event's key costs O(1), not the depth (12,000 unclosed <b> took
    // minutes as joined strings; found by scripts/fuzz.sh).
    var inline: [(name: String, context: Int)] = []
    var contexts: [String: Int] = [:]
    var openCount: [String: Int] = [:]  // open inline elements by name
    func closeInline(from k: Int) {
      for e in inline[k...] { openCount[e.name, default: 1] -= 1 }
      inline.removeSubrange(k...)
    }
    var skipDepth = 0
    var skipStack: [String] = []
    var lastPos = 0
    var lang: String?
    let markup = HTMLMarkup(bytes)
    func flush() {
      if var b = builder, let block = b.finish() { blocks.append(block) }
      builder = nil
    }
    func kind(_ name: String) -> BlockKind? {
      switch name {
      case "h1", "h2", "h3", "h4", "h5", "h6": return .heading
      case "li", "dt", "dd": return .listItem
      case "td", "th": return .tableCell
      case "caption", "figcaption": return .caption
      case "title": return .title
      default: return Self.blockElements.contains(name) ? .paragraph : nil
      }
    }
    func codeKind(_ name: String) -> InlineCode.Kind {
      switch name {
      case "b", "strong": return .bold
      case "i", "em", "cite": return .italic
      case "u", "ins": return .underline
      case "a": return .link
      case "code", "kbd", "samp", "var": return .code
      default: return .format
      }
    }
    try forEachEvent(bytes, encoding: encoding, name: probe.name) { e in
      switch e.kind {
      case 0x53:  // start
        // The tag in the source, as our tokenizer found it (a '>' in a
        // quoted attribute value does not end it); nil for an implied tag.
        let tag = markup.startTag(at: min(e.pos, bytes.count), name: e.name, in: bytes)
        let tagStart = tag?.lowerBound
        let tagEnd = tag?.upperBound ?? lastPos
        if let tag { lastPos = max(lastPos, tag.upperBound) }
        if e.name == "html", lang == nil { lang = e.attributes.first { $0.0 == "lang" }?.1 }
        let noTranslate = e.attributes.contains { $0.0 == "translate" && $0.1.lowercased() == "no" }
          || e.attributes.contains { $0.0 == "class" && $0.1.split(separator: " ").contains("notranslate") }
        let void = ["br", "img", "hr", "input", "meta", "link", "wbr", "area", "base", "col", "embed", "source", "track", "param"].contains(e.name)
        if skipDepth > 0 || Self.skipped.contains(e.name) || noTranslate {
          if !void {
            skipDepth += 1
            skipStack.append(e.name)
          }
          if skipDepth == 1 && !void && builder != nil && kind(e.name) == nil { builder?.standalone(.other) }
          return
        }
        // Translatable attributes: blocks of their own, written in place.
        if let ts = tagStart {
          for a in Self.translatableAttributes {
            if let (value, range) = attributeValue(bytes, ts..<tagEnd, a), value.contains(where: { !$0.isWhitespace }) {
              let decoded = e.attributes.first { $0.0 == a }?.1 ?? value
              var b = BlockBuilder(kind: .attribute)
              b.text(decoded, key: "", code: .format, slot: (0, range, .attribute))
              if let block = b.finish() { blocks.append(block) }
            }
          }
        }
        if let k = kind(e.name) {
          flush()
          blockKinds.append(k)
          closeInline(from: 0)
        } else if e.name == "br" {
          if builder == nil { builder = BlockBuilder(kind: blockKinds.last ?? .paragraph) }
          builder?.standalone(.lineBreak, text: "\n")
        } else if e.name == "img" || e.name == "input" {
          builder?.standalone(.image)
        } else if !void {
          let attrs = e.attributes.filter { $0.0 == "href" || $0.0 == "class" || $0.0 == "style" || $0.0 == "id" }.map { "\($0.0)=\($0.1)" }
          let key = "\(inline.last?.context ?? 0)>\(e.name) \(attrs.joined(separator: " "))"
          let context = contexts[key] ?? contexts.count + 1
          contexts[key] = context
          inline.append((e.name, context))
          openCount[e.name, default: 0] += 1
        }
      case 0x45:  // end
        lastPos = max(lastPos, min(e.pos, bytes.count))
        if skipDepth > 0 {
          if let k = skipStack.lastIndex(of: e.name) {
            skipStack.removeSubrange(k...)
            skipDepth = skipStack.count
          }
          return
        }
        if kind(e.name) != nil {
          flush()
          if blockKinds.count > 1 { blockKinds.removeLast() }
          closeInline(from: 0)
        } else if openCount[e.name, default: 0] > 0, let k = inline.lastIndex(where: { $0.name == e.name }) {
          closeInline(from: k)
        }
      case 0x54:  // text
        let end = min(max(e.pos, lastPos), bytes.count)
        let start = min(lastPos, end)
        lastPos = end
        if skipDepth > 0 { return }
        // The slot is the text between markup in libxml2's range: markup
        // libxml2 consumed without an event (a DOCTYPE, a second <body>) or
        // read past is never the text's (writing over it dropped tags;
        // found by scripts/fuzz.sh). Text in two places with markup between
        // cannot take one translation: the file is refused with the
        // position, not written wrong.
        let slot: Range<Int>
        let runs = start < end ? markup.textRuns(in: start..<end) : []
        let filled = runs.filter { r in bytes[r].contains { !Self.space($0) } }
        if filled.count > 1 {
          let at = filled[0].upperBound
          throw TMError(
            .invalidInput, "the HTML parser read text across markup at byte \(at); its translation cannot be written back safely",
            file: probe.name, byteOffset: at, hint: "check the markup there (an unclosed quote or a stray '<')")
        }
        if let r = filled.first ?? runs.first {
          slot = r
        } else {
          // Text libxml2 found inside what HTML5 reads as markup (`</Тег>`
          // is a bogus comment to HTML5; libxml2 drops the `</` and reads
          // "Тег>"): the markup stays as it is and the text's place is
          // just after it, empty.
          let at = markup.boundary(near: start, in: bytes)
          slot = at..<at
        }
        if builder == nil {
          if !e.name.contains(where: { !$0.isWhitespace }) { return }
          builder = BlockBuilder(kind: blockKinds.last ?? .paragraph)
        }
        let key = inline.last.map { String($0.context) } ?? ""
        builder?.text(e.name, key: key, code: inline.last.map { codeKind($0.name) } ?? .format, slot: (0, slot, .none))
      default:
        lastPos = max(lastPos, min(e.pos, bytes.count))
      }
    }
    flush()
    var doc = Document(format: id, parts: [Document.Part(path: probe.name, bytes: bytes)], blocks: blocks, name: probe.name)
    doc.properties["encoding"] = encoding
    doc.sourceLanguage = lang
    return doc
  }

  static func space(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0C }

  /// An attribute's raw value and its byte range in a start tag (quoted or not).
  private func attributeValue(_ bytes: [UInt8], _ tag: Range<Int>, _ name: String) -> (String, Range<Int>)? {
    let key = Array(name.utf8)
    var i = tag.lowerBound + 1
    while i < tag.upperBound && bytes[i] != 0x20 && bytes[i] != 0x09 && bytes[i] != 0x0A && bytes[i] != 0x0D && bytes[i] != 0x3E { i += 1 }
    func space(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0C }
    while i < tag.upperBound {
      while i < tag.upperBound && (space(bytes[i]) || bytes[i] == 0x2F) { i += 1 }
      let ns = i
      while i < tag.upperBound && !space(bytes[i]) && bytes[i] != 0x3D && bytes[i] != 0x3E { i += 1 }
      let nameRange = ns..<i
      while i < tag.upperBound && space(bytes[i]) { i += 1 }
      var value: Range<Int>?
      if i < tag.upperBound && bytes[i] == 0x3D {
        i += 1
        while i < tag.upperBound && space(bytes[i]) { i += 1 }
        if i < tag.upperBound && (bytes[i] == 0x22 || bytes[i] == 0x27) {
          let q = bytes[i]
          i += 1
          let vs = i
          while i < tag.upperBound && bytes[i] != q { i += 1 }
          value = vs..<i
          i += 1
        } else {
          let vs = i
          while i < tag.upperBound && !space(bytes[i]) && bytes[i] != 0x3E { i += 1 }
          value = vs..<i
        }
      }
      if nameRange.isEmpty {
        i += 1
        continue
      }
      if nameRange.count == key.count, zip(nameRange, key).allSatisfy({ bytes[$0.0] | 0x20 == $0.1 | 0x20 }), let v = value {
        return (String(decoding: bytes[v], as: UTF8.self), v)
      }
    }
    return nil
  }

  public func write(_ document: Document, translations: [Int: [Inline]], annotations: [Int: TargetAnnotation]) throws -> [UInt8] {
    let encoding = document.properties["encoding"] ?? "UTF-8"
    var failure: TMError?
    let source = document.parts[0].bytes
    let out = SlotWriter.apply(document, translations: translations) { text, slot in
      var escaped = slot.wrap == .attribute ? XMLText.escapeAttribute(text) : XMLText.escape(text)
      // An unquoted attribute value (`alt=Logo`) gets quotes: the translation may have spaces.
      if slot.wrap == .attribute, slot.range.lowerBound > 0, source[slot.range.lowerBound - 1] != 0x22,
        source[slot.range.lowerBound - 1] != 0x27
      {
        escaped = "\"" + escaped + "\""
      }
      do {
        return try LegacyEncoding.encode(escaped, to: encoding)
      } catch let e as TMError {
        failure = e
        return []
      } catch {
        return []
      }
    }
    if let failure { throw failure }
    // The page must still say its encoding where a reader looks for it:
    // translations longer than the texts before a <meta charset> can move it
    // past the first 1024 bytes, and the page read back as UTF-8 (found by
    // scripts/fuzz.sh with TM_FUZZ_HTML_WRITE=1).
    func normal(_ e: String?) -> String {
      let l = (e ?? "UTF-8").lowercased()
      return l == "utf8" ? "utf-8" : l
    }
    if !translations.isEmpty, normal(Self.sniffEncoding(out[0])) != normal(encoding) {
      throw TMError(
        .invalidInput, "the translated page no longer declares its encoding '\(encoding)' in its first 1024 bytes",
        file: document.name, hint: "move the <meta charset> to the top of <head>, or convert the page to UTF-8 (iconv -f \(encoding) -t utf-8)")
    }
    return out[0]
  }
}

#if canImport(Glibc)
  import Glibc
#endif
import Foundation

/// Encoding text into a legacy charset through iconv; characters the
/// charset cannot hold become numeric character references.
enum LegacyEncoding {
  /// Whether iconv can write `encoding`.
  static func canWrite(_ encoding: String) -> Bool {
    let cd = iconv_open(encoding, "UTF-8")
    if cd == iconv_t(bitPattern: -1) { return false }
    iconv_close(cd)
    return true
  }

  static func encode(_ s: String, to encoding: String) throws -> [UInt8] {
    let e = encoding.lowercased()
    if e == "utf-8" || e == "utf8" { return Array(s.utf8) }
    let cd = iconv_open(encoding, "UTF-8")
    if cd == iconv_t(bitPattern: -1) {
      throw TMError(.invalidInput, "cannot write the encoding '\(encoding)'", hint: "convert the document to UTF-8 first")
    }
    defer { iconv_close(cd) }
    var out: [UInt8] = []
    out.reserveCapacity(s.utf8.count)
    var buffer = [CChar](repeating: 0, count: 16)
    for ch in s.unicodeScalars {
      var input = Array(String(ch).utf8).map { CChar(bitPattern: $0) }
      var inLeft = input.count
      var outLeft = buffer.count
      let ok: Bool = input.withUnsafeMutableBufferPointer { ip in
        buffer.withUnsafeMutableBufferPointer { op in
          var inPtr: UnsafeMutablePointer<CChar>? = ip.baseAddress
          var outPtr: UnsafeMutablePointer<CChar>? = op.baseAddress
          return iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft) != -1
        }
      }
      if ok {
        out.append(contentsOf: buffer[0..<(buffer.count - outLeft)].map { UInt8(bitPattern: $0) })
      } else {
        out.append(contentsOf: "&#\(ch.value);".utf8)
      }
      input.removeAll()
    }
    return out
  }
}
