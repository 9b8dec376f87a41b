import Foundation

/// What a reader is given: the file's name and bytes, and for a zip its
/// entry names (read once for all formats).
public struct DocumentProbe: Sendable {
  public var name: String
  public var bytes: [UInt8]
  /// Entry names when the bytes are a readable zip, else nil.
  public var zipEntries: [String]?

  public init(name: String, bytes: [UInt8]) {
    self.name = name
    self.bytes = bytes
    zipEntries = ZipParts.entryNames(bytes)
  }

  /// The lower-cased extension of `name` (`docx`), or "".
  public var fileExtension: String {
    guard let dot = name.lastIndex(of: "."), !name[dot...].contains("/") else { return "" }
    return name[name.index(after: dot)...].lowercased()
  }

  /// The first `n` bytes as text (for sniffing).
  func head(_ n: Int = 2048) -> String {
    String(decoding: bytes.prefix(n), as: UTF8.self)
  }
}

/// A document format: reads a file into blocks and writes it back with the
/// blocks' new content. One file per format; each is listed once in
/// `DocumentFormats.registered` and nothing else switches on formats.
public protocol DocumentFormat: Sendable {
  /// Short id, e.g. `docx`; also the XLIFF `datatype` suffix.
  var id: String { get }
  /// The XLIFF 1.2 `datatype` for this format.
  var xliffDatatype: String { get }
  /// File extensions (lower case, no dot).
  var extensions: [String] { get }
  /// True for formats that carry their own targets (XLIFF, PO): writing
  /// fills targets instead of replacing the source.
  var bilingual: Bool { get }
  /// How sure the format is that `probe` is one of its files, from the
  /// content first: 0 = no, 100 = certain (a zip with `word/document.xml`),
  /// 10 = only the extension matches.
  func detect(_ probe: DocumentProbe) -> Int
  func read(_ probe: DocumentProbe) throws -> Document
  /// Writes `document` back; `translations[i]`, when present, replaces the
  /// content of `document.blocks[i]` (the target, for bilingual formats);
  /// `annotations[i]` is what a bilingual format records with it (state,
  /// match score, origin).
  func write(_ document: Document, translations: [Int: [Inline]], annotations: [Int: TargetAnnotation]) throws -> [UInt8]
}

extension DocumentFormat {
  public var bilingual: Bool { false }
}

/// What a bilingual format (XLIFF, PO) records with a target.
public struct TargetAnnotation: Sendable, Hashable {
  /// XLIFF state: `translated`, `needs-review-translation`, `final`...
  public var state: String
  /// The match score (0...100) the target came from, if any.
  public var score: Double?
  /// Where it came from (memory file), for a note.
  public var origin: String?
  public init(state: String, score: Double? = nil, origin: String? = nil) {
    self.state = state
    self.score = score
    self.origin = origin
  }
}

/// The registry of document formats.
public enum DocumentFormats {
  /// Every format, in the order ties are broken.
  public static let registered: [any DocumentFormat] = [
    DOCXFormat(), ODTFormat(), XLIFFFormat(), HTMLFormat(), PODocumentFormat(), SubtitleFormat.srt,
    SubtitleFormat.vtt, MarkdownFormat(),
  ]

  public static func format(id: String) -> (any DocumentFormat)? {
    registered.first { $0.id == id }
  }

  /// The format of `probe`, chosen by content first, then by extension;
  /// nil for plain text (no format claims it).
  public static func detect(_ probe: DocumentProbe) throws -> (any DocumentFormat)? {
    if probe.bytes.starts(with: Array("%PDF-".utf8)) || (probe.fileExtension == "pdf" && probe.zipEntries == nil) {
      throw TMError(
        .invalidInput, "PDF is not read: its text has no paragraphs to keep", file: probe.name,
        hint: "convert it first with 'pdftotext -layout \(probe.name) out.txt' and use the text")
    }
    var best: (any DocumentFormat)?
    var bestScore = 0
    for f in registered {
      let s = f.detect(probe)
      if s > bestScore {
        best = f
        bestScore = s
      }
    }
    if best == nil, probe.zipEntries != nil || ZipParts.looksLikeZip(probe.bytes) {
      if probe.zipEntries == nil {
        throw TMError(.invalidInput, "a damaged zip archive (the central directory cannot be read)", file: probe.name, byteOffset: 0)
      }
      throw TMError(
        .invalidInput, "a zip archive that is neither DOCX (word/document.xml) nor ODT (content.xml)", file: probe.name,
        hint: "entries: \((probe.zipEntries ?? []).prefix(5).joined(separator: ", "))")
    }
    return best
  }

  /// Reads a document from a file (`-` for standard input); nil when the
  /// file is plain text (no format claims it).
  public static func read(path: String) throws -> Document? {
    let bytes = try TextDecoder.readBytes(path: path)
    let probe = DocumentProbe(name: path, bytes: bytes)
    guard let f = try detect(probe) else { return nil }
    return try f.read(probe)
  }

  /// Writes `document` back in its own format.
  public static func write(
    _ document: Document, translations: [Int: [Inline]], annotations: [Int: TargetAnnotation] = [:]
  ) throws -> [UInt8] {
    guard let f = format(id: document.format) else {
      throw TMError(.usage, "no writer for format '\(document.format)'", file: document.name)
    }
    return try f.write(document, translations: translations, annotations: annotations)
  }
}

/// The text commands' way into documents: the plain text of a file, one
/// block per paragraph, whatever its format (plain text decoded as before).
public enum DocumentText {
  /// Content decides, standard input included: a zip (DOCX, ODT) or a PDF is
  /// never read as text, whatever `--encoding` says; the text formats (HTML,
  /// Markdown, XLIFF, subtitles) are probed when no encoding is named, since
  /// a named one is the user's word that the file is text in that encoding.
  public static func read(path: String, encoding: String? = nil) throws -> String {
    try readDocument(path: path, encoding: encoding).text
  }

  /// The text, and the document when the file is one.
  public static func readDocument(path: String, encoding: String? = nil) throws -> (text: String, document: Document?) {
    let bytes = try TextDecoder.readBytes(path: path)
    let probe = DocumentProbe(name: path, bytes: bytes)
    let container = ZipParts.looksLikeZip(bytes) || bytes.starts(with: Array("%PDF-".utf8))
    if encoding == nil || container, let f = try DocumentFormats.detect(probe) {
      let doc = try f.read(probe)
      return (doc.plainText, doc)
    }
    return (try TextDecoder.decode(bytes, encoding: encoding, source: path), nil)
  }

  /// True when `path` is a document (not plain text): its text is split
  /// into sentences by the batch commands.
  public static func isDocument(path: String) -> Bool {
    guard path != "-", let bytes = try? TextDecoder.readBytes(path: path) else { return false }
    return (try? DocumentFormats.detect(DocumentProbe(name: path, bytes: bytes))) != nil
  }
}

// MARK: - Writing back through slots

enum SlotWriter {
  /// The text each span gets from `content`: text inside a paired code goes
  /// to that code's span; base text to the next base span at or after the
  /// last one written (so moving a bold word to the front of a sentence
  /// still keeps the rest in order); a standalone code moves the floor to
  /// the span after it.
  static func distribute(_ content: [Inline], _ block: Block) -> [String] {
    var out = [String](repeating: "", count: block.spans.count)
    guard !block.spans.isEmpty else { return out }
    var spansOf: [Int: [Int]] = [:]
    var bases: [Int] = []
    for (i, s) in block.spans.enumerated() {
      if let s { spansOf[s, default: []].append(i) } else { bases.append(i) }
    }
    var current: Int?
    var floor = 0
    var stack: [Int] = []
    for piece in content {
      switch piece {
      case .open(let c):
        stack.append(c.id)
        current = nil
      case .close(let id):
        if let k = stack.lastIndex(of: id) { stack.remove(at: k) }
        current = nil
      case .standalone(let c):
        if let s = block.standaloneSpan[c.id] { floor = max(floor, s) }
        current = nil
      case .text(let t):
        var target: Int?
        if let id = stack.last(where: { spansOf[$0] != nil }), let list = spansOf[id] {
          target = list.first(where: { $0 >= floor }) ?? list.first
        } else if let c = current, block.spans[c] == nil {
          target = c
        } else {
          target = bases.first(where: { $0 >= floor }) ?? bases.last ?? 0
        }
        if let t0 = target {
          out[t0] += t
          current = t0
          floor = max(floor, t0)
        }
      }
    }
    return out
  }

  /// Applies the changed blocks' text to the parts. `encode` renders a
  /// span's text for a slot (escaped, wrapped).
  static func apply(
    _ doc: Document, translations: [Int: [Inline]], encode: (String, Slot) -> [UInt8]
  ) -> [[UInt8]] {
    apply(doc, translations: translations, encode: encode, render: render)
  }

  /// Content as text with the codes' native markup (`render` slots).
  static func render(_ content: [Inline]) -> String {
    var s = ""
    var closes: [Int: String] = [:]
    for piece in content {
      switch piece {
      case .text(let t): s += t
      case .open(let c):
        s += c.native ?? ""
        closes[c.id] = c.nativeClose ?? ""
      case .close(let id): s += closes[id] ?? ""
      case .standalone(let c): s += c.native ?? c.text
      }
    }
    return s
  }

  static func apply(
    _ doc: Document, translations: [Int: [Inline]], encode: (String, Slot) -> [UInt8],
    render: ([Inline]) -> String
  ) -> [[UInt8]] {
    var patches = [[(Range<Int>, [UInt8])]](repeating: [], count: doc.parts.count)
    for (index, content) in translations {
      guard index >= 0, index < doc.blocks.count else { continue }
      let block = doc.blocks[index]
      if content == block.content || block.slots.isEmpty { continue }
      if block.slots.count == 1, block.slots[0].wrap == .render {
        patches[block.slots[0].part].append((block.slots[0].range, encode(render(content), block.slots[0])))
        continue
      }
      let texts = distribute(content, block)
      var written = Set<Int>()
      for slot in block.slots {
        let first = written.insert(slot.span).inserted
        let text = first && slot.span < texts.count ? texts[slot.span] : ""
        patches[slot.part].append((slot.range, encode(text, slot)))
      }
    }
    var out: [[UInt8]] = []
    for (i, part) in doc.parts.enumerated() {
      var list = patches[i]
      if list.isEmpty {
        out.append(part.bytes)
        continue
      }
      list.sort { $0.0.lowerBound < $1.0.lowerBound }
      var bytes: [UInt8] = []
      bytes.reserveCapacity(part.bytes.count + list.count * 16)
      var at = 0
      for (r, b) in list where r.lowerBound >= at {
        bytes.append(contentsOf: part.bytes[at..<r.lowerBound])
        bytes.append(contentsOf: b)
        at = r.upperBound
      }
      bytes.append(contentsOf: part.bytes[at...])
      out.append(bytes)
    }
    return out
  }
}

/// Builds a block from text pieces in document order, merging pieces with
/// equal formatting into one span and marking every span that differs from
/// the block's first (base) formatting with a paired code.
struct BlockBuilder {
  var kind: BlockKind
  private(set) var content: [Inline] = []
  private(set) var slots: [Slot] = []
  private(set) var spans: [Int?] = []
  private(set) var standaloneSpan: [Int: Int] = [:]
  private var baseKey: String?
  private var lastKey: String?
  private var canExtend = false
  private var openID: Int?
  private var nextID = 1
  private var hasText = false

  init(kind: BlockKind) { self.kind = kind }

  /// Adds text with formatting `key`, in a slot of `part` (nil: no slot).
  mutating func text(_ t: String, key: String, code: InlineCode.Kind, slot: (part: Int, range: Range<Int>, wrap: Slot.Wrap)?) {
    if baseKey == nil { baseKey = key }
    if !(canExtend && key == lastKey) {
      closeOpen()
      if key == baseKey {
        spans.append(nil)
      } else {
        let id = nextID
        nextID += 1
        content.append(.open(InlineCode(id: id, kind: code)))
        spans.append(id)
        openID = id
      }
      lastKey = key
      canExtend = true
    }
    if let slot { slots.append(Slot(part: slot.part, range: slot.range, span: spans.count - 1, wrap: slot.wrap)) }
    if t.isEmpty { return }
    if !hasText, t.contains(where: { !$0.isWhitespace }) { hasText = true }
    if case .text(let prev)? = content.last {
      content[content.count - 1] = .text(prev + t)
    } else {
      content.append(.text(t))
    }
  }

  mutating func standalone(_ kind: InlineCode.Kind, text: String = "", native: String? = nil) {
    closeOpen()
    let id = nextID
    nextID += 1
    content.append(.standalone(InlineCode(id: id, kind: kind, text: text, native: native)))
    standaloneSpan[id] = spans.count
    canExtend = false
  }

  private mutating func closeOpen() {
    if let id = openID {
      content.append(.close(id))
      openID = nil
    }
  }

  var isEmpty: Bool { !hasText }

  mutating func finish() -> Block? {
    closeOpen()
    guard hasText else { return nil }
    // Codes after the last text and before the first keep their place.
    var b = Block(kind: kind, content: content)
    b.slots = slots
    b.spans = spans
    b.standaloneSpan = standaloneSpan
    return b
  }
}
