import ArgumentParser
import Foundation
import TMKit

/// `tm segment`: one sentence per line, an empty line between paragraphs.
public struct SegmentCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "segment",
    abstract: "Split text into sentences, one per line.",
    discussion: """
      Sentences are found with ICU's sentence break, then a no-break layer for \
      abbreviations, initials and numbered headings from the package's lists \
      (Resources/abbreviations/<lang>.txt; add your own with --abbreviations). \
      A blank line (or, with --lines, every line break) ends a paragraph; \
      paragraphs are separated by an empty line in the output. Line breaks \
      inside a sentence are printed as spaces.

      --format jsonl prints one object per sentence: text, paragraph (0-based, \
      per file), start and end (UTF-8 byte offsets in the decoded input) and file.
      """
  )

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case text, jsonl
  }

  @Argument(help: ArgumentHelp("Text files (standard input when none is given, or '-').", valueName: "file"))
  var files: [String] = []

  @Option(name: .long, help: ArgumentHelp("The language of the text: az, az-Cyrl, ru or en.", valueName: "lang"))
  var lang: Language

  @Flag(name: .long, help: "Every line is a paragraph (one paragraph per line).")
  var lines = false

  @Option(name: .long, help: ArgumentHelp("Encoding of the input (default: UTF-8, or UTF-16 with a BOM).", valueName: "name"))
  var encoding: String?

  @Option(
    name: .long,
    help: ArgumentHelp("An extra abbreviation list (format: Resources/abbreviations/README.md); repeatable.", valueName: "file"))
  var abbreviations: [String] = []

  @Option(name: .long, help: ArgumentHelp("Output format: text or jsonl.", valueName: "format"))
  var format: Format = .text

  @Flag(name: .long, help: .hidden)
  var benchmark = false

  public init() {}

  public func run() throws {
    let segmenter = try SentenceSegmenter(language: lang, abbreviationFiles: abbreviations)
    let out = Output.standard
    var scratch: [UInt8] = []
    scratch.reserveCapacity(4096)
    var paragraphsWritten = 0
    for name in files.isEmpty ? ["-"] : files {
      var text = try DocumentText.read(path: name, encoding: encoding)
      if benchmark {
        try runBenchmark(segmenter, &text)
        continue
      }
      let fileJSON = Array(JSON.string(name).utf8)
      var lastParagraph = -1
      text.withUTF8 { buf in
        segmenter.forEachSentence(utf8: buf, lines: lines) { range, paragraph in
          scratch.removeAll(keepingCapacity: true)
          switch format {
          case .text:
            if paragraph != lastParagraph {
              if paragraphsWritten > 0 { scratch.append(0x0A) }
              paragraphsWritten += 1
              lastParagraph = paragraph
            }
            let slice = UnsafeBufferPointer(rebasing: buf[range])
            if let base = slice.baseAddress, memchr(base, 0x0A, slice.count) == nil, memchr(base, 0x0D, slice.count) == nil {
              out.write(bytes: scratch)
              out.write(bytes: slice)
              out.write(bytes: CollectionOfOne(UInt8(0x0A)))
              return
            }
            var i = range.lowerBound
            while i < range.upperBound {
              let b = buf[i]
              if b == 0x0A || b == 0x0D {
                while i < range.upperBound && (buf[i] == 0x0A || buf[i] == 0x0D || buf[i] == 0x20) { i += 1 }
                if scratch.last != 0x20 { scratch.append(0x20) }
                continue
              }
              scratch.append(b)
              i += 1
            }
            scratch.append(0x0A)
          case .jsonl:
            scratch.append(contentsOf: #"{"text":"#.utf8)
            JSON.appendString(&scratch, UnsafeBufferPointer(rebasing: buf[range]))
            scratch.append(contentsOf: #","paragraph":\#(paragraph),"start":\#(range.lowerBound),"end":\#(range.upperBound),"file":"#.utf8)
            scratch.append(contentsOf: fileJSON)
            scratch.append(contentsOf: "}\n".utf8)
          }
          out.write(bytes: scratch)
        }
      }
    }
  }

  /// Times the library's segmentation of one file (no output) and reports on stderr.
  private func runBenchmark(_ segmenter: SentenceSegmenter, _ text: inout String) throws {
    var sentences = 0
    var bytes = 0
    let clock = ContinuousClock()
    let lines = self.lines
    let elapsed = clock.measure {
      text.withUTF8 { buf in
        bytes = buf.count
        segmenter.forEachSentence(utf8: buf, lines: lines) { _, _ in sentences += 1 }
      }
    }
    var candidates = 0
    let icuElapsed = clock.measure {
      text.withUTF8 { buf in candidates = segmenter.countICUBoundaries(utf8: buf) }
    }
    func seconds(_ d: Duration) -> Double {
      Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
    let mb = Double(bytes) / 1_000_000
    let s = seconds(elapsed)
    let i = seconds(icuElapsed)
    warn(
      "segmented \(mb) MB into \(sentences) sentences in \(s) s: \(s > 0 ? Int(mb / s) : 0) MB/s "
        + "(ICU candidates alone: \(candidates) in \(i) s: \(i > 0 ? Int(mb / i) : 0) MB/s)")
  }
}


