/// Documents: what a translator receives (DOCX, ODT, HTML, Markdown, XLIFF,
/// PO, subtitles) as a sequence of blocks with inline codes.
///
/// A `Document` keeps its original bytes (or, for a zip, its parts) plus the
/// translatable `blocks`. Each block's text lives in `slots`: byte ranges of
/// the original where the text of one formatting span sits (a DOCX `<w:t>`,
/// an HTML text node, a Markdown line). Writing back replaces the slots of
/// the blocks whose content changed and leaves every other byte as it was,
/// so a document with no changes is written back byte for byte.

/// What a block is, in the terms of a word processor.
public enum BlockKind: String, Sendable, Codable, CaseIterable {
  case paragraph, heading, listItem = "list-item", tableCell = "table-cell", caption, footnote
  case cue, header, footer, title, attribute, unit
}

/// An inline code: formatting, a link, a line break, a field, a footnote
/// reference. Paired codes (`open`/`close`) surround text, standalone codes
/// stand for something that has no translatable text of its own.
public struct InlineCode: Sendable, Hashable, Codable {
  public enum Kind: String, Sendable, Codable {
    case bold, italic, underline, link, format, lineBreak = "lb", tab, footnote, field, image, space, code
    case other
  }
  /// Unique within a block; the same id on `open` and `close`.
  public var id: Int
  public var kind: Kind
  /// What the code stands for in plain text (a line break is "\n", a tab
  /// "\t", a space " "; formatting nothing).
  public var text: String
  /// The format's own markup for it, when a reader keeps it (XLIFF `<ph>`
  /// content, a Markdown `**`), for display and for XLIFF export.
  public var native: String?
  /// A paired code's closing markup (`**`, `</i>`, `](url)`).
  public var nativeClose: String?

  public init(id: Int, kind: Kind, text: String = "", native: String? = nil, nativeClose: String? = nil) {
    self.id = id
    self.kind = kind
    self.text = text
    self.native = native
    self.nativeClose = nativeClose
  }
}

/// One piece of a block's content.
public enum Inline: Sendable, Hashable, Codable {
  case text(String)
  case open(InlineCode)
  case close(Int)
  case standalone(InlineCode)
}

/// Where one formatting span's text sits in the original bytes.
public struct Slot: Sendable, Hashable {
  /// Index into `Document.parts`.
  public var part: Int
  /// Byte range replaced when the block is written back.
  public var range: Range<Int>
  /// The formatting span the text belongs to (see `Block.spans`).
  public var span: Int
  /// How the replacement is wrapped (`<w:t xml:space="preserve">` for DOCX).
  public var wrap: Wrap

  public enum Wrap: Sendable, Hashable {
    /// The slot is replaced by the span's text as is (escaped by the format).
    case none
    /// DOCX: the slot is a whole `<w:t>` element.
    case wordText
    /// An attribute value (HTML `alt`, `title`).
    case attribute
    /// The slot takes the whole block, rendered with the codes' native
    /// markup (Markdown, subtitles): used by text formats whose codes are
    /// markup in the text itself.
    case render
  }

  public init(part: Int, range: Range<Int>, span: Int, wrap: Wrap = .none) {
    self.part = part
    self.range = range
    self.span = span
    self.wrap = wrap
  }
}

/// A translatable unit of a document: a paragraph, a table cell, a cue.
public struct Block: Sendable, Hashable {
  public var kind: BlockKind
  public var content: [Inline]
  /// Where the text goes back. Formats that rebuild their output (XLIFF,
  /// PO) leave this empty and use `key`.
  public var slots: [Slot] = []
  /// Formatting spans in document order: `spans[i]` is the id of the paired
  /// code that marks span i, or nil for text in the block's base formatting.
  public var spans: [Int?] = []
  /// For each standalone code id, the index of the span that follows it.
  public var standaloneSpan: [Int: Int] = [:]
  /// A format's own reference (XLIFF unit id, PO entry index, cue number).
  public var key: String = ""
  /// Notes for the translator (XLIFF notes, PO comments), shown in XLIFF.
  public var notes: [String] = []
  /// An existing translation (XLIFF target, PO msgstr), if the format has one.
  public var target: [Inline]?
  public var targetState: String?

  public init(kind: BlockKind, content: [Inline]) {
    self.kind = kind
    self.content = content
  }

  /// The text a reader sees: text runs and the text of standalone codes.
  public var plainText: String { InlineText.plain(content) }
}

/// A document read by one of the `DocumentFormat`s.
public struct Document: Sendable {
  /// The format's id (`docx`, `html`, ...), see `DocumentFormats`.
  public var format: String
  /// The original bytes: one part for text formats, every zip entry for
  /// DOCX and ODT (in archive order).
  public var parts: [Part]
  public var blocks: [Block]
  /// The document's language when it says so (XLIFF, PO, `<html lang>`).
  public var sourceLanguage: String?
  public var targetLanguage: String?
  /// The file it was read from, for messages.
  public var name: String
  /// Anything a format needs to write itself back (encoding, line ending).
  public var properties: [String: String] = [:]

  public struct Part: Sendable {
    public var path: String
    public var bytes: [UInt8]
    /// Zip entries: stored without compression (ODT's `mimetype`).
    public var stored: Bool = false
    /// A directory entry (kept so the archive lists the same entries).
    public var directory: Bool = false
    public init(path: String, bytes: [UInt8], stored: Bool = false, directory: Bool = false) {
      self.path = path
      self.bytes = bytes
      self.stored = stored
      self.directory = directory
    }
  }

  public init(format: String, parts: [Part], blocks: [Block], name: String) {
    self.format = format
    self.parts = parts
    self.blocks = blocks
    self.name = name
  }

  /// The plain text of every block, one block per paragraph (blocks
  /// separated by a blank line, line breaks inside a block kept as one
  /// newline): what the text commands (`segment`, `align`) read.
  public var plainText: String {
    var out = ""
    out.reserveCapacity(blocks.count * 64)
    for b in blocks {
      var t = b.plainText
      // A blank line inside a block would split it into two paragraphs.
      while t.contains("\n\n") { t = t.replacingOccurrences(of: "\n\n", with: "\n") }
      t = t.trimmingCharacters(in: .whitespacesAndNewlines)
      if t.isEmpty { continue }
      if !out.isEmpty { out += "\n\n" }
      out += t
    }
    if !out.isEmpty { out += "\n" }
    return out
  }
}

import Foundation
