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
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 {
      if errno == ENOENT { throw TMError(.notFound, "no such memory file", file: path) }
      throw TMError(.io, "cannot open: \(errnoText())", file: path)
    }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw TMError(.io, "cannot stat: \(errnoText())", file: path) }
    if (st.st_mode & S_IFMT) == S_IFDIR {
      throw TMError(.io, "is a directory, not a memory file", file: path)
    }
    var out: [UInt8] = []
    var capacity = max(Int(st.st_size), 0) + 1
    out.reserveCapacity(capacity)
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    // Read straight into the array's spare capacity when the size is known.
    out = try [UInt8](unsafeUninitializedCapacity: capacity) { buf, count in
      count = 0
      while true {
        if count == buf.count { break }
        let n = read(fd, buf.baseAddress! + count, buf.count - count)
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
      while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
        if n < 0 {
          if errno == EINTR { continue }
          throw TMError(.io, "cannot read: \(errnoText())", file: path)
        }
        if n == 0 { break }
        out.append(contentsOf: chunk[0..<n])
        capacity += n
      }
    }
    return out
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
