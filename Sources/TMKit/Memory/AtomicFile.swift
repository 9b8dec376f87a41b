#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A file written piece by piece and put in place atomically by `commit`
/// (temporary file in the same folder, fsync, rename). Dropped without
/// `commit`, it leaves nothing behind.
public final class AtomicFile {
  let path: String
  let tmp: String
  var fd: Int32
  var committed = false
  var direct = false

  public init(path: String) throws {
    self.path = path
    let dir = FileIO.directory(of: path)
    try FileIO.makeDirectories(dir)
    tmp = dir + "/." + FileIO.baseName(of: path) + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    var mode: mode_t = 0o644
    var st = stat()
    if stat(path, &st) == 0 {
      mode = st.st_mode & 0o7777
      if (st.st_mode & S_IFMT) != S_IFREG {
        // /dev/null, a pipe: write straight to it.
        direct = true
        fd = open(path, O_WRONLY | O_CLOEXEC)
        if fd < 0 { throw TMError(.io, "cannot open for writing: \(FileIO.errnoText())", file: path) }
        return
      }
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
    if fd < 0 { throw TMError(.io, "cannot create a temporary file: \(FileIO.errnoText())", file: tmp) }
  }

  public func write(_ bytes: [UInt8]) throws { try FileIO.writeAll(fd, bytes[...], path: tmp) }

  public func commit() throws {
    if direct {
      close(fd)
      fd = -1
      committed = true
      return
    }
    if fsync(fd) != 0 { throw TMError(.io, "cannot flush to disk: \(FileIO.errnoText())", file: tmp) }
    close(fd)
    fd = -1
    if rename(tmp, path) != 0 { throw TMError(.io, "cannot replace the file: \(FileIO.errnoText())", file: path) }
    committed = true
    let dfd = open(FileIO.directory(of: path), O_RDONLY | O_CLOEXEC)
    if dfd >= 0 {
      _ = fsync(dfd)
      close(dfd)
    }
  }

  deinit {
    if fd >= 0 { close(fd) }
    if !committed { unlink(tmp) }
  }
}
