#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// An exclusive advisory lock (`flock`) on `<memory>.lock`, held from
/// `init` until `release`. Writers of the same memory (several `tm add`,
/// `tm import`, `tm align`, `tm compact` processes) take turns; the kernel
/// drops the lock when a process dies, so a killed writer never leaves it
/// stuck. The lock file also holds the memory's `MemoryJournal`.
final class MemoryLock {
  private var fd: Int32
  let path: String

  static func lockPath(for path: String) -> String { path + ".lock" }

  init(for memoryPath: String) throws {
    try FileIO.makeDirectories(FileIO.directory(of: memoryPath))
    path = MemoryLock.lockPath(for: memoryPath)
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    if fd < 0 { throw TMError(.io, "cannot open the lock file: \(FileIO.errnoText())", file: path) }
    while flock(fd, LOCK_EX) != 0 {
      if errno == EINTR { continue }
      let text = FileIO.errnoText()
      close(fd)
      fd = -1
      throw TMError(.io, "cannot lock: \(text)", file: path)
    }
  }

  /// The journal, nil when there is none (a new or emptied lock file).
  func readJournal() -> MemoryJournal? {
    guard fd >= 0, let b = try? FileIO.read(fd: fd, offset: 0, count: MemoryJournal.size, path: path) else { return nil }
    return MemoryJournal(bytes: b)
  }

  /// Replaces the journal with one `pwrite` of a fixed-size record (a
  /// reader sees the old record or the new one). No fsync: the journal
  /// protects against killed processes; after a power cut the memory file
  /// itself is what counts (see Documentation/MemoryFormat.md).
  func writeJournal(_ j: MemoryJournal) throws {
    let b = j.encoded()
    var off = 0
    while off < b.count {
      let n = b.withUnsafeBytes { pwrite(fd, $0.baseAddress! + off, b.count - off, off_t(off)) }
      if n < 0 {
        if errno == EINTR { continue }
        throw TMError(.io, "cannot write the journal: \(FileIO.errnoText())", file: path)
      }
      off += n
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

/// What the writers of a memory record in its lock file, so that readers,
/// the next writer and the lookup index know what happened to the file
/// without reading it.
///
/// - `epoch` names a run of appends: while it stays the same, every change
///   to the file since `start` was an append by `tm` (bytes only added at
///   the end). A writer that finds the file not in the `current` state
///   (someone edited it, or replaced it) starts a new epoch.
/// - `current` is the file after the last committed append.
/// - `pending`, when set, is the size the file had when an append began
///   that has not finished (in progress, or its writer was killed). Readers
///   ignore the bytes from there on; the next writer truncates them away.
///
/// One fixed-size ASCII line (`TMJ1 epoch inode size mtime inode size
/// mtime pending`), so a person can read it and one `pwrite` replaces it.
struct MemoryJournal: Equatable {
  static let size = 192
  var epoch: UInt64
  var start: FileState
  var current: FileState
  var pending: UInt64?

  init(epoch: UInt64, start: FileState, current: FileState, pending: UInt64? = nil) {
    self.epoch = epoch
    self.start = start
    self.current = current
    self.pending = pending
  }

  /// A new epoch beginning at `state`.
  static func begin(at state: FileState) -> MemoryJournal {
    MemoryJournal(epoch: UInt64.random(in: 1...UInt64.max), start: state, current: state)
  }

  init?(bytes: [UInt8]) {
    guard bytes.count == MemoryJournal.size, bytes.last == 0x0A else { return nil }
    let words = String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
    guard words.count == 9, words[0] == "TMJ1", let e = UInt64(words[1], radix: 16),
      let si = UInt64(words[2]), let ss = UInt64(words[3]), let sm = Int64(words[4]),
      let ci = UInt64(words[5]), let cs = UInt64(words[6]), let cm = Int64(words[7]), let p = Int64(words[8])
    else { return nil }
    epoch = e
    start = FileState(inode: si, size: ss, mtime: sm)
    current = FileState(inode: ci, size: cs, mtime: cm)
    pending = p < 0 ? nil : UInt64(p)
  }

  func encoded() -> [UInt8] {
    let fields = [
      "TMJ1", String(epoch, radix: 16), "\(start.inode)", "\(start.size)", "\(start.mtime)",
      "\(current.inode)", "\(current.size)", "\(current.mtime)", pending.map { "\($0)" } ?? "-1",
    ]
    var b = Array(fields.joined(separator: " ").utf8)
    while b.count < MemoryJournal.size - 1 { b.append(0x20) }
    b.append(0x0A)
    return b
  }

  /// Reads a memory's journal without taking the lock.
  static func read(lockPath: String) -> MemoryJournal? {
    let fd = open(lockPath, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    guard let b = try? FileIO.read(fd: fd, offset: 0, count: size, path: lockPath) else { return nil }
    return MemoryJournal(bytes: b)
  }

  /// Whether the file in `state` is this journal's `current` state (with,
  /// possibly, an append in progress after it), so that an index built
  /// from a state of this epoch covers a prefix of it.
  func vouches(for state: FileState) -> Bool {
    if let p = pending { return current.inode == state.inode && p == current.size && state.size >= p }
    return current == state
  }
}
