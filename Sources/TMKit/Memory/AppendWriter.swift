#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// An existing memory opened for appending, under its lock: an interrupted
/// earlier append already rolled back, the header read, the journal's epoch
/// checked. Only `MemoryFile.append` and `MemoryFile.compact` use it.
struct AppendWriter {
  let path: String
  let lock: MemoryLock
  private(set) var fd: Int32
  /// The file's size (after any rollback): new lines go here.
  private(set) var size: Int
  private(set) var state: FileState
  private(set) var journal: MemoryJournal
  let columns: [MemoryColumn]
  /// The last line has no line feed (a hand-edited file): add one first.
  let needsLineFeed: Bool
  /// Bytes of an interrupted append that were truncated away.
  private(set) var removedBytes: Int

  /// nil when there is no file at `path`.
  init?(path: String, lock: MemoryLock) throws {
    self.path = path
    self.lock = lock
    let fd = open(path, O_RDWR | O_CLOEXEC)
    if fd < 0 {
      if errno == ENOENT { return nil }
      throw TMError(.io, "cannot open for writing: \(FileIO.errnoText())", file: path)
    }
    self.fd = fd
    var ok = false
    defer { if !ok { Glibc.close(fd) } }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw TMError(.io, "cannot stat: \(FileIO.errnoText())", file: path) }
    guard (st.st_mode & S_IFMT) == S_IFREG else {
      throw TMError(.io, "not a regular file", file: path, hint: "a memory is a .tsv file")
    }
    var now = FileState(st)
    var removed = 0
    var j = lock.readJournal()
    // Roll back an append whose writer was killed: readers already ignore
    // its bytes (FileIO.readMemory).
    if let old = j, let p = old.pending, old.current.inode == now.inode {
      if now.size > p {
        removed = Int(now.size - p)
        guard ftruncate(fd, off_t(p)) == 0, fsync(fd) == 0 else {
          throw TMError(.io, "cannot truncate an interrupted append: \(FileIO.errnoText())", file: path)
        }
        now = FileState.of(fd: fd) ?? now
      }
      // The bytes are those of the journal's current state again.
      j = p == old.current.size ? MemoryJournal(epoch: old.epoch, start: old.start, current: now) : nil
    }
    if now.size == 0 {
      throw TMError(
        .malformedMemory, "empty file: a memory starts with a header line naming its columns", file: path, line: 1,
        hint: "write a header such as 'en<TAB>az<TAB>origin<TAB>created<TAB>score', or delete the file")
    }
    // The header (the whole file is not read).
    let first = try FileIO.firstLine(fd: fd, path: path)
    columns = try TSVCodec.decode(first.last == 0x0A ? first : first + [0x0A], path: path).columns
    let last = try FileIO.read(fd: fd, offset: Int(now.size) - 1, count: 1, path: path)
    needsLineFeed = last.first != 0x0A
    if j == nil || j?.current != now {
      // Someone else changed the file (or there is no journal yet).
      j = .begin(at: now)
    }
    guard let journal = j else { throw TMError(.io, "no journal", file: path) }
    try lock.writeJournal(journal)
    self.journal = journal
    removedBytes = removed
    state = now
    size = Int(now.size)
    ok = true
  }

  mutating func close() {
    if fd >= 0 { Glibc.close(fd) }
    fd = -1
  }

  /// Appends whole lines in one write and fsyncs them; the journal marks
  /// the append pending until then, so a writer killed midway leaves bytes
  /// that readers ignore and the next writer removes.
  mutating func appendCommitted(_ bytes: [UInt8]) throws {
    journal.pending = UInt64(size)
    try lock.writeJournal(journal)
    do {
      if let ms = getenv("TM_CRASH_TEST_PAUSE_MS").flatMap({ UInt32(String(cString: $0)) }) {
        // For the kill tests only: stop halfway through the new lines, so
        // that a test can kill the writer with a torn last line.
        let half = bytes.count / 2
        try FileIO.pwriteAll(fd, bytes[..<half], at: size, path: path)
        usleep(ms * 1000)
        try FileIO.pwriteAll(fd, bytes[half...], at: size + half, path: path)
      } else {
        try FileIO.pwriteAll(fd, bytes[...], at: size, path: path)
      }
      guard fsync(fd) == 0 else { throw TMError(.io, "cannot flush to disk: \(FileIO.errnoText())", file: path) }
    } catch {
      // A full disk: take the partial lines back out.
      _ = ftruncate(fd, off_t(size))
      journal.pending = nil
      journal.current = FileState.of(fd: fd) ?? journal.current
      try? lock.writeJournal(journal)
      throw error
    }
    guard let now = FileState.of(fd: fd) else { throw TMError(.io, "cannot stat: \(FileIO.errnoText())", file: path) }
    journal.current = now
    journal.pending = nil
    try lock.writeJournal(journal)
    state = now
    size = Int(now.size)
  }

  /// The units already in the memory, for duplicate checks: the lookup
  /// index's unit keys for the part it covers, the rest read from the file.
  func existingUnits() throws -> ExistingUnits {
    let (indexes, covered) = LookupIndex.current(memoryPath: path, state: state, journal: journal)
    let headerEnd = try FileIO.firstLine(fd: fd, path: path).count
    var bytes: [UInt8]
    if covered == 0 {
      bytes = try FileIO.read(fd: fd, offset: 0, count: size, path: path)
    } else {
      bytes = try FileIO.read(fd: fd, offset: 0, count: headerEnd, path: path)
      if bytes.last != 0x0A { bytes.append(0x0A) }
      bytes += try FileIO.read(fd: fd, offset: covered, count: size - covered, path: path)
    }
    let rest = try MemoryTable(bytes: bytes, path: path)
    var index = TextIndex(capacity: rest.count)
    for i in rest.indices { _ = index.insert(rest, i) }
    return ExistingUnits(indexes: indexes, rest: rest, restIndex: index)
  }
}

/// Units already in a memory: some covered by lookup indexes (by unit key),
/// the rest in a table.
struct ExistingUnits {
  let indexes: [LookupIndex]
  let rest: MemoryTable
  let restIndex: TextIndex

  func contains(_ u: TranslationUnit) -> Bool {
    if restIndex.contains(rest, u) { return true }
    return indexes.contains { $0.contains(u) }
  }
}
