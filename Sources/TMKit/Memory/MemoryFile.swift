#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A translation memory stored as a TSV file (Documentation/MemoryFormat.md):
/// reading (`load`, `open`), appending (`append`), replacing (`write`).
///
/// - `MemoryFile.load(path:)` reads and validates a whole memory.
/// - `MemoryFile.append(_:to:)` adds units under the memory's lock,
///   skipping duplicates, creating the file (with a header) if needed.
public enum MemoryFile {
  /// Reads a memory. Errors name the file and line.
  public static func load(path: String) throws -> Memory {
    try MemoryTable.open(path: path).memory
  }

  /// Opens a memory without decoding its units (see `MemoryTable`): the
  /// way to read large memories.
  public static func open(path: String) throws -> MemoryTable {
    try MemoryTable.open(path: path)
  }

  /// The columns named by a memory's header (the file is read up to its
  /// first newline only).
  public static func columns(path: String) throws -> [MemoryColumn] {
    let bytes = try FileIO.readAll(path)
    let firstLine = Array(bytes.prefix { $0 != 0x0A }) + [0x0A]
    return try TSVCodec.decode(firstLine, path: path).columns
  }

  /// Appends units to a memory under its lock, in O(new units): one write
  /// of whole lines at the end of the file, then fsync (the write protocol
  /// of Documentation/MemoryFormat.md).
  ///
  /// Texts are normalised to NFC; empty texts count as absent. A unit whose
  /// texts in every language equal those of a unit already in the memory (or
  /// earlier in `units`) is a duplicate and is not stored; existing units
  /// are found through the lookup index's unit keys when it is fresh (and
  /// by reading the memory when it is not). An append is all or nothing: a
  /// writer killed midway leaves bytes that readers ignore and the next
  /// writer truncates away. The whole file is rewritten (atomically, by
  /// rename) only when the header must widen for a new language, or when
  /// the new lines are more than the file holds.
  public static func append(_ units: [TranslationUnit], to path: String) throws -> AppendResult {
    let prepared = try units.enumerated().map { try prepare($0.element, index: $0.offset) }
    let lock = try MemoryLock(for: path)
    defer { lock.release() }
    FileIO.removeStaleTemporaries(of: path)
    guard var writer = try AppendWriter(path: path, lock: lock) else {
      // A new memory.
      let (fresh, duplicates) = dedupe(prepared) { _ in false }
      if fresh.isEmpty { return AppendResult(added: 0, duplicates: duplicates) }
      var needed = Set<Language>()
      for u in fresh { needed.formUnion(u.texts.keys) }
      let columns = MemoryColumn.standard(
        Language.allCases.filter { needed.contains($0) }, codes: MemoryColumn.needCodes(fresh))
      try replaceWhole(path, with: [TSVCodec.encode(fresh, columns: columns)], lock: lock)
      return AppendResult(added: fresh.count, duplicates: duplicates)
    }
    defer { writer.close() }
    let existing = try writer.existingUnits()
    let (fresh, duplicates) = dedupe(prepared) { existing.contains($0) }
    var result = AppendResult(added: fresh.count, duplicates: duplicates)
    result.removedBytes = writer.removedBytes
    if fresh.isEmpty { return result }

    let columns = writer.columns
    var needed = Set<Language>()
    for u in fresh { needed.formUnion(u.texts.keys) }
    let have = Set(languages(of: columns))
    let missing = Language.allCases.filter { needed.contains($0) && !have.contains($0) }
    let freshCodes = MemoryColumn.needCodes(fresh)
    let hasAllMeta =
      [MemoryColumn.origin, .created, .score].allSatisfy(columns.contains) && (!freshCodes || columns.contains(.codes))

    var out: [UInt8] = []
    if missing.isEmpty && hasAllMeta {
      if writer.needsLineFeed { out.append(0x0A) }
      out.reserveCapacity(fresh.count * 160)
      for u in fresh { TSVCodec.unitLine(u, columns, to: &out) }
      if out.count <= writer.size {
        try writer.appendCommitted(out)
        return result
      }
      // More new bytes than old: one atomic rewrite costs no more.
      let old = try FileIO.read(fd: writer.fd, offset: 0, count: writer.size, path: path)
      try replaceWhole(path, with: [old, out], lock: lock)
      return result
    }
    // The header widens: rewrite every line.
    let table = try MemoryTable(bytes: FileIO.read(fd: writer.fd, offset: 0, count: writer.size, path: path), path: path)
    let langs = table.languages + missing
    out = TSVCodec.encode(
      Array(table) + fresh, columns: MemoryColumn.standard(langs, codes: freshCodes || columns.contains(.codes)))
    try replaceWhole(path, with: [out], lock: lock)
    return result
  }

  /// Rewrites a memory without its duplicates (the first of equal units
  /// stays) and without an interrupted append, atomically (temporary file,
  /// fsync, rename, fsync of the folder), under the memory's lock.
  public static func compact(_ path: String) throws -> CompactResult {
    let lock = try MemoryLock(for: path)
    defer { lock.release() }
    FileIO.removeStaleTemporaries(of: path)
    guard var writer = try AppendWriter(path: path, lock: lock) else {
      throw TMError(.notFound, "no such memory file", file: path)
    }
    defer { writer.close() }
    let bytes = try FileIO.read(fd: writer.fd, offset: 0, count: writer.size, path: path)
    let table = try MemoryTable(bytes: bytes, path: path)
    var index = TextIndex(capacity: table.count)
    var keep: [Int] = []
    keep.reserveCapacity(table.count)
    for i in table.indices where index.insert(table, i) { keep.append(i) }
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count + 1)
    let headerEnd = (bytes.firstIndex(of: 0x0A) ?? bytes.count - 1) + 1
    out.append(contentsOf: bytes[..<min(headerEnd, bytes.count)])
    if out.last != 0x0A { out.append(0x0A) }
    for i in keep {
      out.append(contentsOf: bytes[table.lineRange(i)])
      out.append(0x0A)
    }
    let changed = out != bytes
    if changed { try replaceWhole(path, with: [out], lock: lock) }
    return CompactResult(
      units: keep.count, duplicatesRemoved: table.count - keep.count, removedBytes: writer.removedBytes,
      rewritten: changed)
  }

  /// Writes the whole memory to a temporary file and renames it over the
  /// old one (`AtomicFile`), then starts a new journal epoch.
  static func replaceWhole(_ path: String, with parts: [[UInt8]], lock: MemoryLock) throws {
    try FileIO.atomicWrite(parts: parts, to: path)
    if let st = FileState.of(path: path) { try lock.writeJournal(.begin(at: st)) }
  }

  /// Splits prepared units into new ones and duplicates (of the memory, or
  /// of an earlier unit of the batch).
  static func dedupe(_ units: [TranslationUnit], inMemory: (TranslationUnit) -> Bool) -> ([TranslationUnit], Int) {
    var fresh: [TranslationUnit] = []
    var duplicates = 0
    var seen = Set<UnitKey>()
    for u in units {
      if inMemory(u) || !seen.insert(UnitKey(u)).inserted {
        duplicates += 1
      } else {
        fresh.append(u)
      }
    }
    return (fresh, duplicates)
  }

  /// Writes a whole memory (replacing any file at `path`) atomically, under
  /// the memory's lock. Units are written as given: no duplicate removal.
  public static func write(_ units: [TranslationUnit], languages: [Language], to path: String) throws {
    let prepared = try units.enumerated().map { try prepare($0.element, index: $0.offset) }
    var present = Set<Language>()
    for u in prepared { present.formUnion(u.texts.keys) }
    let langs = languages + Language.allCases.filter { present.contains($0) && !languages.contains($0) }
    let lock = try MemoryLock(for: path)
    defer { lock.release() }
    FileIO.removeStaleTemporaries(of: path)
    try replaceWhole(
      path,
      with: [TSVCodec.encode(prepared, columns: MemoryColumn.standard(langs, codes: MemoryColumn.needCodes(prepared)))],
      lock: lock)
  }

  /// Streams a memory in this format (header and lines) to `sink` in
  /// chunks of about 1 MiB.
  public static func writeTSV<Units: Sequence<TranslationUnit>>(
    _ units: Units, languages: [Language], to sink: ([UInt8]) throws -> Void
  ) throws {
    let columns = MemoryColumn.standard(languages)
    var out: [UInt8] = []
    out.reserveCapacity(1 << 20 + 4096)
    TSVCodec.headerLine(columns, to: &out)
    for u in units {
      TSVCodec.unitLine(u, columns, to: &out)
      if out.count >= 1 << 20 {
        try sink(out)
        out.removeAll(keepingCapacity: true)
      }
    }
    try sink(out)
  }

  /// The encoded bytes of a memory (header and lines), for export.
  public static func encoded<Units: Sequence<TranslationUnit>>(_ units: Units, languages: [Language]) -> [UInt8] {
    TSVCodec.encode(units, columns: MemoryColumn.standard(languages))
  }

  /// Writes any file atomically (temporary file, fsync, rename): used for
  /// exports, so an interrupted export never leaves half a file.
  /// A path that is not a regular file (`/dev/null`, a pipe) is written
  /// directly.
  public static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
    var st = stat()
    if stat(path, &st) == 0 && (st.st_mode & S_IFMT) != S_IFREG {
      #if canImport(Glibc)
        let fd = Glibc.open(path, O_WRONLY | O_CLOEXEC)
      #else
        let fd = Darwin.open(path, O_WRONLY | O_CLOEXEC)
      #endif
      if fd < 0 { throw TMError(.io, "cannot open for writing: \(FileIO.errnoText())", file: path) }
      defer { close(fd) }
      try FileIO.writeAll(fd, bytes[...], path: path)
      return
    }
    try FileIO.atomicWrite(bytes, to: path)
  }

  /// Whether a file exists at `path`.
  public static func exists(_ path: String) -> Bool { FileIO.exists(path) }

  static func languages(of columns: [MemoryColumn]) -> [Language] {
    columns.compactMap { if case .language(let l) = $0 { return l } else { return nil } }
  }

  /// NFC, empty texts dropped, a unit with no text refused.
  static func prepare(_ u: TranslationUnit, index: Int) throws -> TranslationUnit {
    var v = u
    v.texts = [:]
    for (l, t) in u.texts {
      let n = t.nfc
      if !n.isEmpty { v.texts[l] = n }
    }
    if v.texts.isEmpty {
      throw TMError(.invalidInput, "unit \(index + 1) has no text in any language", hint: "give at least one segment")
    }
    v.origin = u.origin.nfc
    if let s = u.score, !s.isFinite {
      throw TMError(.invalidInput, "unit \(index + 1) has a score that is not a number")
    }
    return v
  }

  /// The current time as ISO 8601 UTC (`2026-11-25T20:09:04Z`), the form of
  /// the `created` column.
  /// `SOURCE_DATE_EPOCH` (seconds), when set, replaces the clock so that
  /// rebuilt memories are byte-identical (scripts/build-sample-memory.sh).
  public static func now() -> String {
    var t = time(nil)
    if let e = getenv("SOURCE_DATE_EPOCH"), let v = Int(String(cString: e)) { t = time_t(v) }
    var tmv = tm()
    gmtime_r(&t, &tmv)
    return isoString(tmv)
  }

  static func isoString(_ tmv: tm) -> String {
    func p(_ v: Int32, _ w: Int) -> String {
      let s = String(v)
      return String(repeating: "0", count: max(0, w - s.count)) + s
    }
    return "\(p(tmv.tm_year + 1900, 4))-\(p(tmv.tm_mon + 1, 2))-\(p(tmv.tm_mday, 2))T"
      + "\(p(tmv.tm_hour, 2)):\(p(tmv.tm_min, 2)):\(p(tmv.tm_sec, 2))Z"
  }

  /// A Unix time as ISO 8601 UTC.
  public static func isoString(seconds: Int) -> String {
    var t = time_t(seconds)
    var tmv = tm()
    gmtime_r(&t, &tmv)
    return isoString(tmv)
  }
}
