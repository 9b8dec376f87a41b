import Foundation
import ZIPFoundation

/// Zip containers (DOCX, ODT) as ordered parts, through ZIPFoundation.
///
/// Reading keeps every entry's bytes and whether it was stored or deflated;
/// writing puts them back in the same order with the same method, so every
/// part we did not touch comes out with the same bytes (ODT's `mimetype`
/// must stay first and stored).
enum ZipParts {
  /// True when `bytes` start like a zip (local file header `PK\3\4`).
  static func looksLikeZip(_ bytes: [UInt8]) -> Bool {
    bytes.count >= 4 && bytes[0] == 0x50 && bytes[1] == 0x4B && bytes[2] == 3 && bytes[3] == 4
  }

  /// The entry names, or nil when `bytes` is not a readable zip.
  static func entryNames(_ bytes: [UInt8]) -> [String]? {
    guard looksLikeZip(bytes), let archive = try? Archive(data: Data(bytes), accessMode: .read) else { return nil }
    return archive.map(\.path)
  }

  static func read(_ bytes: [UInt8], name: String) throws -> [Document.Part] {
    let archive: Archive
    do {
      archive = try Archive(data: Data(bytes), accessMode: .read)
    } catch {
      throw TMError(.invalidInput, "not a readable zip archive (\(error))", file: name, hint: "the file is damaged or truncated")
    }
    var parts: [Document.Part] = []
    for entry in archive where entry.type == .file {
      var data = Data()
      data.reserveCapacity(Int(clamping: entry.uncompressedSize))
      do {
        _ = try archive.extract(entry, bufferSize: 1 << 16) { data.append($0) }
      } catch {
        throw TMError(
          .invalidInput, "zip entry '\(entry.path)' cannot be extracted (\(error))", file: name,
          hint: "the archive is damaged")
      }
      parts.append(Document.Part(path: entry.path, bytes: [UInt8](data), stored: !entry.isCompressed))
    }
    if parts.isEmpty { throw TMError(.invalidInput, "the zip archive has no entries", file: name) }
    return parts
  }

  static func write(_ parts: [Document.Part], name: String) throws -> [UInt8] {
    do {
      let archive = try Archive(data: Data(), accessMode: .create)
      let date = Date(timeIntervalSince1970: 315_532_800)  // 1980-01-01: reproducible output
      for p in parts {
        let data = Data(p.bytes)
        try archive.addEntry(
          with: p.path, type: .file, uncompressedSize: Int64(data.count), modificationDate: date,
          compressionMethod: p.stored ? .none : .deflate, bufferSize: 1 << 16
        ) { position, size in
          data.subdata(in: Int(position)..<Int(position) + size)
        }
      }
      guard let out = archive.data else { throw TMError(.io, "the zip archive could not be assembled", file: name) }
      return [UInt8](out)
    } catch let e as TMError {
      throw e
    } catch {
      throw TMError(.io, "the zip archive could not be written (\(error))", file: name)
    }
  }
}
