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
    guard looksLikeZip(bytes), case .success(let records) = layout(bytes) else { return nil }
    return records.map(\.path)
  }

  /// Where one entry's data lies, from the central directory.
  struct Record {
    var path: String
    var dataStart: Int
    var compressed: Int
    var uncompressed: Int
    var method: Int
    var crc: UInt32
    /// A directory entry (its name ends in `/`), or a symbolic link (a
    /// Unix mode in the external attributes), which holds no part.
    var directory: Bool
    var symlink: Bool
  }

  struct Problem: Error {
    var message: String
    var offset: Int
  }

  /// The data of every entry in central directory order, or the first
  /// problem with a byte offset: the end record, the central directory (each
  /// record with its name, extra field and comment) and every entry's data
  /// must lie inside the bytes. ZIPFoundation's reader is not used to read:
  /// its in-memory file traps on offsets past the end (found by
  /// scripts/fuzz.sh, in the central directory too). A ZIP64 archive
  /// (an entry or the archive past 4 GiB, or over 65,535 entries) is refused:
  /// this walk does not read ZIP64 records (ZIPFoundation, which did, trapped
  /// on their offsets past the end; found by scripts/fuzz.sh), and no
  /// document worth translating needs one.
  static func layout(_ b: [UInt8]) -> Result<[Record], Problem> {
    func u16(_ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
    func u32(_ i: Int) -> Int { u16(i) | u16(i + 2) << 16 }
    func problem(_ m: String, _ o: Int) -> Result<[Record], Problem> { .failure(Problem(message: m, offset: o)) }
    let zip64 = "a ZIP64 archive (over 4 GiB or 65,535 entries) is not supported"
    guard b.count >= 22 else { return problem("too short for a zip archive", 0) }
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
    guard eocd >= 0 else { return problem("the zip's end of central directory record is missing (truncated file?)", b.count) }
    let entries = u16(eocd + 10)
    let cdSize = u32(eocd + 12)
    let cdOffset = u32(eocd + 16)
    if cdOffset == 0xFFFF_FFFF || cdSize == 0xFFFF_FFFF || entries == 0xFFFF { return problem(zip64, eocd) }
    guard cdOffset + cdSize <= eocd else { return problem("the zip's central directory points past its end", eocd + 16) }
    var p = cdOffset
    var records: [Record] = []
    for _ in 0..<entries {
      guard p + 46 <= eocd, b[p] == 0x50, b[p + 1] == 0x4B, b[p + 2] == 1, b[p + 3] == 2 else {
        return problem("a damaged central directory entry", p)
      }
      let method = u16(p + 10)
      let crc = UInt32(u32(p + 16))
      let compressed = u32(p + 20)
      let uncompressed = u32(p + 24)
      let nameLength = u16(p + 28)
      let extra = u16(p + 30)
      let comment = u16(p + 32)
      let local = u32(p + 42)
      guard p + 46 + nameLength + extra + comment <= eocd else { return problem("a central directory entry runs past the directory", p) }
      guard local + 30 <= b.count, b[local] == 0x50, b[local + 1] == 0x4B, b[local + 2] == 3, b[local + 3] == 4 else {
        return problem("an entry's local header is missing", local)
      }
      let dataStart = local + 30 + u16(local + 26) + u16(local + 28)
      guard compressed != 0xFFFF_FFFF, uncompressed != 0xFFFF_FFFF, local != 0xFFFF_FFFF else { return problem(zip64, p) }
      guard dataStart + compressed <= b.count else { return problem("an entry's data runs past the end of the file", local) }
      let nameBytes = b[(p + 46)..<(p + 46 + nameLength)]
      // Read as UTF-8 (flag bit 11, or ASCII as every DOCX and ODT name is).
      let path = String(decoding: nameBytes, as: UTF8.self)
      let unixMode = u16(p + 4) >> 8 == 3 ? u32(p + 38) >> 16 : 0
      records.append(
        Record(
          path: path, dataStart: dataStart, compressed: compressed, uncompressed: uncompressed, method: method, crc: crc,
          directory: path.hasSuffix("/"), symlink: unixMode & 0o170000 == 0o120000))
      p += 46 + nameLength + extra + comment
    }
    return .success(records)
  }

  static func read(_ bytes: [UInt8], name: String) throws -> [Document.Part] {
    let records: [Record]
    switch layout(bytes) {
    case .failure(let p):
      throw TMError(.invalidInput, "not a readable zip archive: \(p.message)", file: name, byteOffset: p.offset, hint: "the file is damaged or truncated")
    case .success(let r): records = r
    }
    var parts: [Document.Part] = []
    for r in records where !r.symlink {
      if r.directory {
        parts.append(Document.Part(path: r.path, bytes: [], stored: true, directory: true))
        continue
      }
      let data: [UInt8]
      do {
        data = try extract(bytes, r, expected: UInt64(r.uncompressed))
      } catch {
        throw TMError(
          .invalidInput, "zip entry '\(r.path)' cannot be extracted (\(error))", file: name,
          byteOffset: r.dataStart, hint: "the archive is damaged")
      }
      parts.append(Document.Part(path: r.path, bytes: data, stored: r.method == 0))
    }
    if parts.isEmpty { throw TMError(.invalidInput, "the zip archive has no entries", file: name) }
    return parts
  }

  struct ExtractError: Error, CustomStringConvertible {
    var description: String
  }

  /// One entry's data, inflated from its own bytes. Not ZIPFoundation's
  /// `extract`: given a deflate stream that does not end within its entry,
  /// that asks for more input forever (an empty chunk never ends its loop),
  /// so a damaged DOCX hung `tm` (found by scripts/fuzz.sh). Here asking
  /// past the entry's end is an error, and the CRC-32 is checked.
  static func extract(_ bytes: [UInt8], _ r: Record, expected: UInt64) throws -> [UInt8] {
    let raw = bytes[r.dataStart..<(r.dataStart + r.compressed)]
    switch r.method {
    case 0:
      let out = [UInt8](raw)
      guard Data(out).crc32(checksum: 0) == r.crc else { throw ExtractError(description: "its CRC-32 does not match") }
      return out
    case 8:
      var out: [UInt8] = []
      // The header's size is the file's word, not a fact: reserve no more
      // than deflate can make of the stored bytes (about 1032:1), nor 64 MiB
      // (a crafted size asked for exabytes; found by scripts/fuzz.sh).
      let plausible = r.compressed > (1 << 26) / 1032 ? 1 << 26 : r.compressed * 1032
      out.reserveCapacity(min(Int(clamping: expected), plausible))
      let crc = try Data.decompress(
        size: Int64(r.compressed), bufferSize: 1 << 16, skipCRC32: false,
        provider: { position, size in
          let at = Int(clamping: position)
          guard at < raw.count else { throw ExtractError(description: "its deflate stream does not end within the entry") }
          // Always `size` bytes (the file's next bytes, then zeros): the
          // inflate loop tells zlib a whole buffer is there.
          let from = r.dataStart + at
          var chunk = Data(bytes[from..<min(from + size, bytes.count)])
          if chunk.count < size { chunk.append(Data(count: size - chunk.count)) }
          return chunk
        },
        consumer: { out.append(contentsOf: $0) })
      guard crc == r.crc else { throw ExtractError(description: "its CRC-32 does not match") }
      return out
    default:
      throw ExtractError(description: "compression method \(r.method) is not read (only stored and deflate)")
    }
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
