#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// An exclusive advisory lock (`flock`) on `<memory>.lock`, held from
/// `acquire` until `release`. Writers of the same memory (several `tm add`,
/// `tm import`, `tm align` processes) take turns; the kernel drops the lock
/// when a process dies, so a killed writer never leaves it stuck.
final class MemoryLock {
  private var fd: Int32

  static func lockPath(for path: String) -> String { path + ".lock" }

  init(for path: String) throws {
    try FileIO.makeDirectories(FileIO.directory(of: path))
    let lp = MemoryLock.lockPath(for: path)
    fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    if fd < 0 { throw TMError(.io, "cannot open the lock file: \(FileIO.errnoText())", file: lp) }
    while flock(fd, LOCK_EX) != 0 {
      if errno == EINTR { continue }
      let text = FileIO.errnoText()
      close(fd)
      fd = -1
      throw TMError(.io, "cannot lock: \(text)", file: lp)
    }
  }

  func release() {
    if fd >= 0 {
      _ = flock(fd, LOCK_UN)
      close(fd)
      fd = -1
    }
  }

  deinit { release() }
}
