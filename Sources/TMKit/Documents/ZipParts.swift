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
    guard looksLikeZip(bytes), structuralProblem(bytes) == nil, let archive = try? Archive(data: Data(bytes), accessMode: .read) else { return nil }
    return archive.map(\.path)
  }

  /// Checks the archive's structure before ZIPFoundation sees it (its
  /// in-memory reader traps on offsets past the end): the end record, the
  /// central directory and every entry's data must lie inside the bytes.
  /// Returns a message and a byte offset for the first problem.
  static func structuralProblem(_ b: [UInt8]) -> (String, Int)? {
    func u16(_ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
    func u32(_ i: Int) -> Int { u16(i) | u16(i + 2) << 16 }
    guard b.count >= 22 else { return ("too short for a zip archive", 0) }
    var eocd = -1
    var i = b.count - 22
    let limit = max(0, b.count - 22 - 65_535)
    while i >= limit {
      if b[i] == 0x50 && b[i + 1] == 0x4B && b[i + 2] == 5 && b[i + 3] == 6 {
        eocd = i
        break
      }
      i -= 1
    }
    guard eocd >= 0 else { return ("the zip's end of central directory record is missing (truncated file?)", b.count) }
    let entries = u16(eocd + 10)
    let cdSize = u32(eocd + 12)
    let cdOffset = u32(eocd + 16)
    if cdOffset == 0xFFFF_FFFF || entries == 0xFFFF { return nil }  // ZIP64: left to ZIPFoundation
    guard cdOffset + cdSize <= eocd else { return ("the zip's central directory points past its end", eocd + 16) }
    var p = cdOffset
    for _ in 0..<entries {
      guard p + 46 <= eocd, b[p] == 0x50, b[p + 1] == 0x4B, b[p + 2] == 1, b[p + 3] == 2 else {
        return ("a damaged central directory entry", p)
      }
      let compressed = u32(p + 20)
      let nameLength = u16(p + 28)
      let extra = u16(p + 30)
      let comment = u16(p + 32)
      let local = u32(p + 42)
      guard local + 30 <= b.count, b[local] == 0x50, b[local + 1] == 0x4B, b[local + 2] == 3, b[local + 3] == 4 else {
        return ("an entry's local header is missing", local)
      }
      let dataStart = local + 30 + u16(local + 26) + u16(local + 28)
      guard compressed != 0xFFFF_FFFF else { return nil }
      guard dataStart + compressed <= b.count else { return ("an entry's data runs past the end of the file", local) }
      p += 46 + nameLength + extra + comment
    }
    return nil
  }

  static func read(_ bytes: [UInt8], name: String) throws -> [Document.Part] {
    if let (problem, offset) = structuralProblem(bytes) {
      throw TMError(.invalidInput, "not a readable zip archive: \(problem)", file: name, byteOffset: offset, hint: "the file is damaged or truncated")
    }
    let archive: Archive
    do {
      archive = try Archive(data: Data(bytes), accessMode: .read)
    } catch {
      throw TMError(.invalidInput, "not a readable zip archive (\(error))", file: name, hint: "the file is damaged or truncated")
    }
    var parts: [Document.Part] = []
    for entry in archive {
      if entry.type == .directory {
        parts.append(Document.Part(path: entry.path, bytes: [], stored: true, directory: true))
        continue
      }
      guard entry.type == .file else { continue }
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
        if p.directory {
          try archive.addEntry(
            with: p.path, type: .directory, uncompressedSize: Int64(0), modificationDate: date, compressionMethod: .none,
            bufferSize: 1 << 16
          ) { (_: Int64, _: Int) in Data() }
          continue
        }
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
