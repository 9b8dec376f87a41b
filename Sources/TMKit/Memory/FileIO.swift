#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The file layer's POSIX helpers: whole-file reads, folders, atomic
/// replacement of a file (temporary file in the same folder, fsync, rename,
/// fsync of the folder). The lock is `MemoryLock`, piecewise atomic writes
/// are `AtomicFile`.
enum FileIO {
  static func errnoText() -> String { String(cString: strerror(errno)) }

  /// The folder part of a path (`.` when there is none).
  static func directory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    if slash == path.startIndex { return "/" }
    return String(path[..<slash])
  }

  static func baseName(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return path }
    return String(path[path.index(after: slash)...])
  }

  static func exists(_ path: String) -> Bool {
    var st = stat()
    return stat(path, &st) == 0
  }

  /// Reads a whole regular file.
  static func readAll(_ path: String) throws -> [UInt8] {
    try readAllWithState(path).0
  }

  /// Reads the rest of an open regular file.
  static func readAll(fd: Int32, path: String) throws -> [UInt8] {
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw TMError(.io, "cannot stat: \(errnoText())", file: path) }
    if (st.st_mode & S_IFMT) == S_IFDIR {
      throw TMError(.io, "is a directory, not a memory file", file: path)
    }
    let capacity = max(Int(st.st_size), 0) + 1
    // Read straight into the array when the size is known.
    var out = try [UInt8](unsafeUninitializedCapacity: capacity) { buf, count in
      count = 0
      while count < buf.count {
        let n = Glibc.read(fd, buf.baseAddress! + count, buf.count - count)
        if n < 0 {
          if errno == EINTR { continue }
          throw TMError(.io, "cannot read: \(errnoText())", file: path)
        }
        if n == 0 { break }
        count += n
      }
    }
    // The file grew while we read it (or is a pipe): read the rest.
    if out.count == capacity {
      var chunk = [UInt8](repeating: 0, count: 1 << 16)
      while true {
        let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
        if n < 0 {
          if errno == EINTR { continue }
          throw TMError(.io, "cannot read: \(errnoText())", file: path)
        }
        if n == 0 { break }
        out.append(contentsOf: chunk[0..<n])
      }
    }
    return out
  }

  /// A memory file's bytes as a reader should see them: everything up to
  /// the end of the last committed append (see `MemoryJournal`), plus what
  /// was left out.
  ///
  /// When the lock file's journal records an append in progress (or one
  /// whose writer was killed), the bytes from where it began are left out:
  /// readers see appends whole or not at all, and a torn last line is
  /// never parsed. A last line without a line end that no journal explains
  /// (an editor that drops the final newline) is kept, as before.
  static func readMemory(_ path: String) throws -> (bytes: [UInt8], state: FileState, ignored: Int) {
    var attempt = 0
    while true {
      let (bytes, state) = try readAllWithState(path)
      let journal = MemoryJournal.read(lockPath: MemoryLock.lockPath(for: path))
      if let j = journal, let p = j.pending, j.current.inode == state.inode, p <= UInt64(bytes.count), p > 0 {
        let keep = Int(p)
        if keep < bytes.count { return (Array(bytes[..<keep]), state, bytes.count - keep) }
        return (bytes, state, 0)
      }
      // A torn tail with no journal entry: a writer may have committed
      // between our read and the journal read. Read again (briefly).
      if bytes.last != 0x0A, !bytes.isEmpty, attempt < 3, journal != nil {
        attempt += 1
        usleep(2000)
        continue
      }
      return (bytes, state, 0)
    }
  }

  /// Reads a whole regular file and tells which state (inode, size, mtime)
  /// the bytes are of.
  static func readAllWithState(_ path: String) throws -> ([UInt8], FileState) {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 {
      if errno == ENOENT { throw TMError(.notFound, "no such memory file", file: path) }
      throw TMError(.io, "cannot open: \(errnoText())", file: path)
    }
    defer { close(fd) }
    let bytes = try readAll(fd: fd, path: path)
    guard var state = FileState.of(fd: fd) else { throw TMError(.io, "cannot stat: \(errnoText())", file: path) }
    state.size = UInt64(bytes.count)
    return (bytes, state)
  }

  /// `count` bytes from `offset` (fewer at the end of the file).
  static func read(fd: Int32, offset: Int, count: Int, path: String) throws -> [UInt8] {
    if count <= 0 { return [] }
    return try [UInt8](unsafeUninitializedCapacity: count) { buf, n in
      n = 0
      while n < count {
        let r = pread(fd, buf.baseAddress! + n, count - n, off_t(offset + n))
        if r < 0 {
          if errno == EINTR { continue }
          throw TMError(.io, "cannot read: \(errnoText())", file: path)
        }
        if r == 0 { break }
        n += r
      }
    }
  }

  /// The first `count` bytes of an open file ([] when they cannot be read).
  static func readOrEmpty(fd: Int32, count: Int) -> [UInt8] {
    (try? read(fd: fd, offset: 0, count: count, path: "")) ?? []
  }

  /// The first line of a file, with its line feed (the whole file when it
  /// has none), read in 64 KiB steps.
  static func firstLine(fd: Int32, path: String) throws -> [UInt8] {
    var out: [UInt8] = []
    while true {
      let chunk = try read(fd: fd, offset: out.count, count: 1 << 16, path: path)
      if let nl = chunk.firstIndex(of: 0x0A) {
        out.append(contentsOf: chunk[...nl])
        return out
      }
      out.append(contentsOf: chunk)
      if chunk.count < 1 << 16 { return out }
    }
  }

  /// Creates a folder and its parents.
  static func makeDirectories(_ path: String) throws {
    if path.isEmpty || path == "." || path == "/" { return }
    var st = stat()
    if stat(path, &st) == 0 {
      if (st.st_mode & S_IFMT) != S_IFDIR { throw TMError(.io, "exists and is not a folder", file: path) }
      return
    }
    try makeDirectories(directory(of: path))
    if mkdir(path, 0o755) != 0 && errno != EEXIST {
      throw TMError(.io, "cannot create the folder: \(errnoText())", file: path)
    }
  }

  /// Replaces `path` with `bytes` atomically: a reader (or a crash) sees the
  /// old content or the new, never a mixture. Keeps the old file's mode.
  static func atomicWrite(_ bytes: [UInt8], to path: String) throws {
    try atomicWrite(parts: [bytes], to: path)
  }

  /// `atomicWrite` of several pieces, written one after the other (so a
  /// large existing memory is not copied to add a few lines).
  static func atomicWrite(parts: [[UInt8]], to path: String) throws {
    let dir = directory(of: path)
    try makeDirectories(dir)
    let tmp = dir + "/." + baseName(of: path) + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    var mode: mode_t = 0o644
    var st = stat()
    if stat(path, &st) == 0 { mode = st.st_mode & 0o7777 }
    let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
    if fd < 0 { throw TMError(.io, "cannot create a temporary file: \(errnoText())", file: tmp) }
    var ok = false
    defer {
      if !ok { unlink(tmp) }
    }
    do {
      defer { close(fd) }
      _ = fchmod(fd, mode)
      let pause = getenv("TM_CRASH_TEST_PAUSE_MS").flatMap { UInt32(String(cString: $0)) }
      for bytes in parts {
        if let ms = pause {
          // For the crash tests only: stop halfway through the temporary
          // file, so that a test can kill the writer at that point.
          let half = bytes.count / 2
          try writeAll(fd, bytes[..<half], path: tmp)
          usleep(ms * 1000)
          try writeAll(fd, bytes[half...], path: tmp)
        } else {
          try writeAll(fd, bytes[...], path: tmp)
        }
      }
      if fsync(fd) != 0 { throw TMError(.io, "cannot flush to disk: \(errnoText())", file: tmp) }
    }
    if rename(tmp, path) != 0 {
      throw TMError(.io, "cannot replace the file: \(errnoText())", file: path)
    }
    ok = true
    let dfd = open(dir, O_RDONLY | O_CLOEXEC)
    if dfd >= 0 {
      _ = fsync(dfd)
      close(dfd)
    }
  }

  /// Writes all of `bytes` at `offset` (`pwrite`, retried on EINTR and
  /// short writes).
  static func pwriteAll(_ fd: Int32, _ bytes: ArraySlice<UInt8>, at offset: Int, path: String) throws {
    try bytes.withUnsafeBytes { try pwriteAll(fd, $0, at: offset, path: path) }
  }

  static func pwriteAll(_ fd: Int32, _ p: UnsafeRawBufferPointer, at offset: Int, path: String) throws {
    guard let base = p.baseAddress else { return }
    var off = 0
    while off < p.count {
      let n = pwrite(fd, base + off, p.count - off, off_t(offset + off))
      if n < 0 {
        if errno == EINTR { continue }
        throw TMError(.io, "cannot write: \(errnoText())", file: path)
      }
      off += n
    }
  }

  static func writeAll(_ fd: Int32, _ bytes: ArraySlice<UInt8>, path: String) throws {
    var off = 0
    try bytes.withUnsafeBytes { p in
      while off < p.count {
        let n = write(fd, p.baseAddress! + off, p.count - off)
        if n < 0 {
          if errno == EINTR { continue }
          throw TMError(.io, "cannot write: \(errnoText())", file: path)
        }
        off += n
      }
    }
  }

  /// Removes temporary files a killed writer may have left beside `path`.
  /// Only call while holding the memory's lock.
  static func removeStaleTemporaries(of path: String) {
    let dir = directory(of: path)
    let prefix = "." + baseName(of: path) + ".tmp-"
    guard let d = opendir(dir) else { return }
    defer { closedir(d) }
    while let e = readdir(d) {
      let name = withUnsafePointer(to: e.pointee.d_name) {
        $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
      }
      if name.hasPrefix(prefix) { unlink(dir + "/" + name) }
    }
  }

  /// Modification time of a file, seconds since 1970, or nil.
  static func modificationTime(_ path: String) -> (seconds: Int, size: Int)? {
    var st = stat()
    guard stat(path, &st) == 0 else { return nil }
    #if canImport(Darwin)
      return (Int(st.st_mtimespec.tv_sec), Int(st.st_size))
    #else
      return (Int(st.st_mtim.tv_sec), Int(st.st_size))
    #endif
  }
}

/// What identifies one version of a file without reading it: inode, size
/// and modification time (nanoseconds).
public struct FileState: Equatable, Sendable {
  public var inode: UInt64
  public var size: UInt64
  public var mtime: Int64

  public init(inode: UInt64, size: UInt64, mtime: Int64) {
    self.inode = inode
    self.size = size
    self.mtime = mtime
  }

  static func of(fd: Int32) -> FileState? {
    var st = stat()
    guard fstat(fd, &st) == 0 else { return nil }
    return FileState(st)
  }

  static func of(path: String) -> FileState? {
    var st = stat()
    guard stat(path, &st) == 0 else { return nil }
    return FileState(st)
  }

  init(_ st: stat) {
    inode = UInt64(st.st_ino)
    size = UInt64(max(st.st_size, 0))
    #if canImport(Darwin)
      mtime = Int64(st.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(st.st_mtimespec.tv_nsec)
    #else
      mtime = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
    #endif
  }
}
