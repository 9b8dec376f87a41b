#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// What identifies the exact bytes of a memory file cheaply: size,
/// modification time and a hash of its first and last 64 KiB. An index is
/// used only when all three still agree with the file.
public struct MemoryFingerprint: Sendable, Equatable {
  public var size: UInt64
  public var mtimeNanoseconds: Int64
  public var hash: UInt64

  public init(size: UInt64, mtimeNanoseconds: Int64, hash: UInt64) {
    self.size = size
    self.mtimeNanoseconds = mtimeNanoseconds
    self.hash = hash
  }

  public static func of(path: String) throws -> MemoryFingerprint {
    var st = stat()
    guard stat(path, &st) == 0 else {
      throw TMError(
        .notFound, "no such memory", file: path,
        hint: "check the path, or list the memories with 'tm stats'")
    }
    guard (st.st_mode & S_IFMT) == S_IFREG else {
      throw TMError(.io, "not a regular file", file: path, hint: "give a memory .tsv file")
    }
    let size = UInt64(st.st_size)
    let mtime = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw TMError(.io, "cannot read: \(String(cString: strerror(errno)))", file: path) }
    defer { close(fd) }
    let window = 65536
    var buf = [UInt8](repeating: 0, count: window)
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    func readAt(_ offset: Int) {
      let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, window, off_t(offset)) }
      if n > 0 { h = fnv1a64(buf.prefix(n), seed: h) }
    }
    readAt(0)
    if Int(size) > window { readAt(max(window, Int(size) - window)) }
    return MemoryFingerprint(size: size, mtimeNanoseconds: mtime, hash: h)
  }
}

/// A memory file held open for reading texts by offset. It keeps the file
/// an index was opened with, even if the memory is replaced meanwhile.
final class MemorySource: @unchecked Sendable {
  let fd: Int32
  let path: String

  init?(path: String) {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    self.fd = fd
    self.path = path
  }

  deinit { close(fd) }

  /// Field `k` of the line in `range` (its line end included or not),
  /// unescaped; "" when the bytes are not such a line.
  func field(_ k: Int, ofLineAt range: Range<Int>) -> String {
    guard range.count > 0, range.count < 1 << 26,
      let line = try? FileIO.read(fd: fd, offset: range.lowerBound, count: range.count, path: path)
    else { return "" }
    var start = 0
    var n = 0
    var end = line.count
    while end > 0 && (line[end - 1] == 0x0A || line[end - 1] == 0x0D) { end -= 1 }
    for i in 0...end {
      if i == end || line[i] == 0x09 {
        if n == k {
          return line.withUnsafeBufferPointer { p in
            (try? TSVCodec.decodeField(p, start, i, file: path, line: 0, column: "")) ?? ""
          }
        }
        n += 1
        start = i + 1
      }
    }
    return ""
  }
}

/// Bytes an index lives in: a read-only mapping of its file, or a buffer
/// built in this process.
final class IndexStorage: @unchecked Sendable {
  let base: UnsafeRawPointer
  let count: Int
  private let mapped: Bool
  /// An anonymous mapping to unmap (``init(hugePagesCopyOf:)``).
  private var anonymous: (UnsafeMutableRawPointer, Int)? = nil

  /// The bytes of `o` copied into anonymous memory in 2 MiB transparent
  /// huge pages (where the kernel grants them): the lookups' random reads
  /// over the entry arrays then miss the TLB far less than on a file
  /// mapping's 4 KiB pages. nil when no such memory could be had.
  init?(hugePagesCopyOf o: IndexStorage) {
    let huge = 2 << 20
    let n = (o.count + huge - 1) / huge * huge
    let total = n + huge
    guard let p = mmap(nil, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), p != MAP_FAILED
    else { return nil }
    let skip = (huge - Int(UInt(bitPattern: p) % UInt(huge))) % huge
    let q = p + skip
    _ = madvise(q, n, Int32(MADV_HUGEPAGE))
    q.copyMemory(from: o.base, byteCount: o.count)
    _ = mprotect(q, n, PROT_READ)
    base = UnsafeRawPointer(q)
    count = o.count
    mapped = false
    anonymous = (p, total)
  }

  init(bytes: [UInt8]) {
    let p = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 8), alignment: 16)
    bytes.withUnsafeBytes { if let b = $0.baseAddress { p.copyMemory(from: b, byteCount: bytes.count) } }
    base = UnsafeRawPointer(p)
    count = bytes.count
    mapped = false
  }

  init?(mapping path: String) {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0, st.st_size > 0 else { return nil }
    let n = Int(st.st_size)
    guard let p = mmap(nil, n, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else { return nil }
    base = UnsafeRawPointer(p)
    count = n
    mapped = true
  }

  deinit {
    if let (p, n) = anonymous {
      munmap(p, n)
    } else if mapped {
      munmap(UnsafeMutableRawPointer(mutating: base), count)
    } else {
      UnsafeMutableRawPointer(mutating: base).deallocate()
    }
  }
}

/// A typed, bounds-checked view of one array in an index.
struct IndexArray<T: FixedWidthInteger> {
  let base: UnsafePointer<T>?
  let count: Int

  static var empty: IndexArray { IndexArray(base: nil, count: 0) }

  @inline(__always) subscript(i: Int) -> T {
    guard i >= 0, i < count, let base else { return 0 }
    return base[i]
  }

  /// Elements lo..<hi, clamped to the array.
  @inline(__always) func slice(_ lo: Int, _ hi: Int) -> UnsafeBufferPointer<T> {
    guard let base, lo >= 0, hi <= count, lo < hi else { return UnsafeBufferPointer(start: nil, count: 0) }
    return UnsafeBufferPointer(start: base + lo, count: hi - lo)
  }
}

/// The lookup index of one memory: for each language (both Azerbaijani
/// scripts share one section), the segments' key tokens, a sorted
/// vocabulary, postings ordered by segment length (so the length filter is
/// a binary search), cross-script name keys for concordance, and hashes
/// for exact and near-exact candidates; plus, per unit, where its line
/// starts in the memory (texts are read from there with `pread`) and its
/// unit key (a hash of its texts, for duplicate checks on append).
///
/// It is derived data, persisted as `<memory>.tsv.idx` beside the memory
/// and mapped read-only. It is used when it describes the file as it is
/// (size, mtime, hash of head and tail), or a prefix of it that the
/// memory's journal vouches for (only `tm` appends since); units appended
/// after it go to a small delta index, `<memory>.tsv.idx.delta`. Anything
/// else rebuilds it.
public final class LookupIndex: @unchecked Sendable {
  static let magic: [UInt8] = Array("TMLKIDX1".utf8)
  // 9: store's layout (8) with keys that leave accelerator marks out (LookupKeys.key)
  // 10: entry columns as bytes, exact and skeleton hashes as their top 32 bits
  // 11: postings as two arrays, entries (4 bytes) and capped lengths (1 byte),
  //     without the 24-bit signature (5 bytes a posting instead of 8)
  // 12: each entry's meta word beside its first token's position (16 bytes an
  //     entry, one cache line read instead of two in the posting scan)
  static let version: UInt64 = 12
  static let sections: [Language] = [.az, .ru, .en]
  static let perSection = 18
  static let arrayCount = 7 + 3 * perSection
  static let fixedHeaderSize = 8 + 8 * 11 + 8 + 8
  static let headerSize = fixedHeaderSize + arrayCount * 16

  let storage: IndexStorage
  /// The memory file it describes.
  public let memoryPath: String
  public let fingerprint: MemoryFingerprint
  /// The memory's language columns, in file order.
  public let columns: [Language]
  public let unitCount: Int
  /// The journal epoch the index was built in (0: none), see `MemoryJournal`.
  public let epoch: UInt64
  /// 0 for a full index; for a delta index (units appended to the memory
  /// since the full index was built), the size of the memory the full index
  /// covers.
  public let baseSize: UInt64
  /// Units of this index are numbered from here in the memory.
  public let unitOffset: Int
  /// Texts are read from the memory file (else they are in the index).
  let textsInFile: Bool
  let fieldCount: Int
  let fieldOfColumn: [Int]
  /// The memory file, open for `pread` when texts are read from it.
  let source: MemorySource?

  let textOffsets: IndexArray<UInt64>
  let textBlob: IndexArray<UInt8>
  let lineStart: IndexArray<UInt64>
  let unitHash: IndexArray<UInt64>
  let unitHashUnit: IndexArray<UInt32>
  /// The covered bytes in chunks (from offset 0, the header first) and a
  /// hash of each: to check, by reading the file but not parsing it, that a
  /// memory which grew without the journal's word still starts with them.
  let chunkEnd: IndexArray<UInt64>
  let chunkHash: IndexArray<UInt64>
  let sectionData: [Section]

  struct Section {
    var entryUnit: IndexArray<UInt32>
    var entryColumn: IndexArray<UInt8>
    var entryTokStart: IndexArray<UInt32>
    var tokens: IndexArray<UInt32>
    var vocabOff: IndexArray<UInt32>
    var vocabBlob: IndexArray<UInt8>
    var postStart: IndexArray<UInt32>
    /// The postings of word `v` are `postStart[v]..<postStart[v + 1]`,
    /// ordered by (segment length, entry): each one's entry, and beside it
    /// (so the length window is a binary search and a scan outward from the
    /// query's length reads no other memory) the segment's length in tokens
    /// capped at 255 (255: look it up with `length(of:)`).
    var postEntry: IndexArray<UInt32>
    var postLength: IndexArray<UInt8>
    var keyOff: IndexArray<UInt32>
    var keyBlob: IndexArray<UInt8>
    var keyPostStart: IndexArray<UInt32>
    var keyPostings: IndexArray<UInt32>
    /// The top 32 bits of each hash (`LookupIndex.hash32`), sorted.
    var exactHash: IndexArray<UInt32>
    var exactEntry: IndexArray<UInt32>
    var skelHash: IndexArray<UInt32>
    var skelEntry: IndexArray<UInt32>
    /// Two words per segment: at `2·e` its length in tokens (top 8 bits,
    /// 255 = look it up) and a 56-bit set of its tokens (bit `sigBit(id)`),
    /// so a candidate is ruled out with a single memory access; at `2·e + 1`
    /// where its tokens start (`entryTokStart[e]`), read in the same cache
    /// line by the posting scan when the signature does not rule it out.
    var entryMeta: IndexArray<UInt64>

    var entryCount: Int { entryUnit.count }
    var vocabCount: Int { max(0, vocabOff.count - 1) }
    var keyCount: Int { max(0, keyOff.count - 1) }
  }

  /// Reads an index; nil when the bytes are not a well-formed index.
  init?(storage: IndexStorage, memoryPath: String, source: MemorySource? = nil) {
    self.storage = storage
    self.memoryPath = memoryPath
    let raw = storage.base
    guard storage.count >= LookupIndex.headerSize else { return nil }
    guard (0..<8).allSatisfy({ raw.load(fromByteOffset: $0, as: UInt8.self) == LookupIndex.magic[$0] }) else {
      return nil
    }
    func u64(_ off: Int) -> UInt64 { raw.loadUnaligned(fromByteOffset: off, as: UInt64.self) }
    guard u64(8) == LookupIndex.version else { return nil }
    fingerprint = MemoryFingerprint(size: u64(16), mtimeNanoseconds: Int64(bitPattern: u64(24)), hash: u64(32))
    let units = u64(40), ncols = u64(48)
    epoch = u64(56)
    baseSize = u64(64)
    unitOffset = Int(clamping: u64(72))
    textsInFile = u64(80) == 1
    fieldCount = Int(clamping: u64(88))
    guard ncols <= 8, units < (1 << 32), fieldCount <= 64 else { return nil }
    var cols: [Language] = []
    var fields: [Int] = []
    for i in 0..<Int(ncols) {
      let code = Int(raw.load(fromByteOffset: 96 + i, as: UInt8.self))
      guard code < Language.allCases.count else { return nil }
      cols.append(Language.allCases[code])
      let f = Int(raw.load(fromByteOffset: 104 + i, as: UInt8.self))
      if textsInFile { guard f < fieldCount else { return nil } }
      fields.append(f)
    }
    columns = cols
    fieldOfColumn = fields
    unitCount = Int(units)
    var table: [(Int, Int)] = []
    let tableAt = LookupIndex.fixedHeaderSize
    for a in 0..<LookupIndex.arrayCount {
      let off = u64(tableAt + a * 16), n = u64(tableAt + 8 + a * 16)
      guard off <= UInt64(storage.count), n <= UInt64(storage.count) else { return nil }
      table.append((Int(off), Int(n)))
    }
    func arr<T: FixedWidthInteger>(_ a: Int, _: T.Type) -> IndexArray<T>? {
      let (off, n) = table[a]
      let size = MemoryLayout<T>.stride
      guard off % size == 0, off + n * size <= storage.count else { return nil }
      if n == 0 { return .empty }
      return IndexArray(base: (raw + off).assumingMemoryBound(to: T.self), count: n)
    }
    guard let to = arr(0, UInt64.self), let tb = arr(1, UInt8.self), let ls = arr(2, UInt64.self),
      let uh = arr(3, UInt64.self), let uu = arr(4, UInt32.self), let ce = arr(5, UInt64.self),
      let ch = arr(6, UInt64.self)
    else { return nil }
    guard ce.count == ch.count else { return nil }
    chunkEnd = ce
    chunkHash = ch
    if textsInFile {
      guard ls.count == unitCount + 1, source != nil || unitCount == 0 else { return nil }
    } else {
      guard to.count == unitCount * cols.count + 1, to[to.count - 1] == UInt64(tb.count) else { return nil }
    }
    guard uh.count == unitCount, uu.count == unitCount else { return nil }
    textOffsets = to
    textBlob = tb
    lineStart = ls
    unitHash = uh
    unitHashUnit = uu
    self.source = source
    var secs: [Section] = []
    for s in 0..<3 {
      let b = 7 + s * LookupIndex.perSection
      guard let eu = arr(b, UInt32.self), let ec = arr(b + 1, UInt8.self), let ets = arr(b + 2, UInt32.self),
        let tk = arr(b + 3, UInt32.self), let vo = arr(b + 4, UInt32.self), let vb = arr(b + 5, UInt8.self),
        let ps = arr(b + 6, UInt32.self), let pe = arr(b + 7, UInt32.self), let pl = arr(b + 8, UInt8.self),
        let ko = arr(b + 9, UInt32.self), let kb = arr(b + 10, UInt8.self), let kps = arr(b + 11, UInt32.self),
        let kp = arr(b + 12, UInt32.self), let eh = arr(b + 13, UInt32.self), let ee = arr(b + 14, UInt32.self),
        let sh = arr(b + 15, UInt32.self), let se = arr(b + 16, UInt32.self), let sg = arr(b + 17, UInt64.self)
      else { return nil }
      guard ec.count == eu.count, ets.count == (eu.count == 0 ? 0 : eu.count + 1) || (eu.count == 0 && ets.count <= 1),
        ps.count == vo.count, pe.count == pl.count, ps.count == 0 || Int(ps[ps.count - 1]) == pe.count,
        kps.count == ko.count, eh.count == ee.count, sh.count == se.count, sg.count == 2 * eu.count
      else { return nil }
      secs.append(
        Section(
          entryUnit: eu, entryColumn: ec, entryTokStart: ets, tokens: tk, vocabOff: vo, vocabBlob: vb,
          postStart: ps, postEntry: pe, postLength: pl, keyOff: ko, keyBlob: kb, keyPostStart: kps,
          keyPostings: kp, exactHash: eh, exactEntry: ee, skelHash: sh, skelEntry: se, entryMeta: sg))
    }
    sectionData = secs
  }

  /// An index built in memory from bytes (`LookupIndexBuilder.build`).
  public convenience init(bytes: [UInt8], memoryPath: String) throws {
    if let me = LookupIndex(storage: IndexStorage(bytes: bytes), memoryPath: memoryPath, source: MemorySource(path: memoryPath)) {
      self.init(copying: me)
    } else {
      throw TMError(.io, "the lookup index just built does not read back", file: memoryPath)
    }
  }

  private init(copying o: LookupIndex) {
    storage = o.storage
    memoryPath = o.memoryPath
    fingerprint = o.fingerprint
    columns = o.columns
    unitCount = o.unitCount
    epoch = o.epoch
    baseSize = o.baseSize
    unitOffset = o.unitOffset
    textsInFile = o.textsInFile
    fieldCount = o.fieldCount
    fieldOfColumn = o.fieldOfColumn
    source = o.source
    textOffsets = o.textOffsets
    textBlob = o.textBlob
    lineStart = o.lineStart
    unitHash = o.unitHash
    unitHashUnit = o.unitHashUnit
    chunkEnd = o.chunkEnd
    chunkHash = o.chunkHash
    sectionData = o.sectionData
  }

  /// Maps an index file; nil when it is missing or not an index.
  public static func mapped(path: String, memoryPath: String) -> LookupIndex? {
    guard let s = IndexStorage(mapping: path) else { return nil }
    return LookupIndex(storage: s, memoryPath: memoryPath, source: MemorySource(path: memoryPath))
  }

  /// The same index with its bytes in transparent huge pages
  /// (``IndexStorage/init(hugePagesCopyOf:)``), for a server that keeps it
  /// for many lookups; nil when that memory cannot be had.
  public func inHugePages() -> LookupIndex? {
    guard let s = IndexStorage(hugePagesCopyOf: storage) else { return nil }
    return LookupIndex(storage: s, memoryPath: memoryPath, source: source)
  }

  /// The size of the index's bytes.
  public var byteCount: Int { storage.count }

  /// Whether `other` was read from the same index bytes: same memory state
  /// built from (fingerprint, epoch, base), same units, same end.
  public func sameIndex(as other: LookupIndex) -> Bool {
    memoryPath == other.memoryPath && fingerprint == other.fingerprint && epoch == other.epoch
      && baseSize == other.baseSize && unitOffset == other.unitOffset && unitCount == other.unitCount
      && endOffset == other.endOffset && storage.count == other.storage.count && columns == other.columns
  }

  /// The path of a memory's index.
  public static func indexPath(for memoryPath: String) -> String { memoryPath + ".idx" }

  /// The bytes of the memory the index covers end here.
  var endOffset: UInt64 { textsInFile ? lineStart[unitCount] : fingerprint.size }

  /// Whether this full index covers a prefix of the memory in `state`:
  /// the file is exactly the one it was built from, or the journal says
  /// that only appends happened since.
  func covers(_ state: FileState, fingerprint now: MemoryFingerprint, journal: MemoryJournal?) -> Bool {
    if fingerprint == now { return true }
    guard let j = journal, j.vouches(for: state), fingerprint.size <= j.current.size else { return false }
    if epoch != 0 && epoch == j.epoch { return true }
    return UInt64(fingerprint.size) == j.start.size && fingerprint.mtimeNanoseconds == j.start.mtime
  }

  /// Whether the memory (open as `fd`, `size` bytes) still starts with the
  /// bytes this index covers: the chunk hashes recorded at build time,
  /// recomputed. One read of the covered part, no parsing.
  func prefixUnchanged(fd: Int32, size: UInt64) -> Bool {
    let n = chunkEnd.count
    guard n > 0, chunkEnd[n - 1] == endOffset, endOffset <= size else { return false }
    var start = 0
    for k in 0..<n {
      let end = Int(chunkEnd[k])
      guard end > start || (k == 0 && end == 0),
        let bytes = try? FileIO.read(fd: fd, offset: start, count: end - start, path: memoryPath),
        bytes.count == end - start
      else { return false }
      if bytes.withUnsafeBytes({ MemoryTable.hashBytes($0, 0) }) != chunkHash[k] { return false }
      start = end
    }
    if endOffset > 0 {
      guard let last = try? FileIO.read(fd: fd, offset: Int(endOffset) - 1, count: 1, path: memoryPath),
        last.first == 0x0A
      else { return false }
    }
    return true
  }

  /// The indexes that cover a prefix of the memory in `state`, and how
  /// far they reach: what an append checks duplicates against. Never
  /// builds anything (empty when there is no usable index).
  static func current(memoryPath: String, state: FileState, journal: MemoryJournal?) -> ([LookupIndex], Int) {
    guard let fp = try? MemoryFingerprint.of(path: memoryPath),
      let base = mapped(path: indexPath(for: memoryPath), memoryPath: memoryPath), base.baseSize == 0,
      base.textsInFile
    else { return ([], 0) }
    if !base.covers(state, fingerprint: fp, journal: journal) {
      // Grown by someone else: usable if the covered bytes are unchanged.
      guard let s = base.source, base.endOffset < state.size, base.prefixUnchanged(fd: s.fd, size: state.size) else {
        return ([], 0)
      }
      return ([base], Int(base.endOffset))
    }
    let chain = deltas(after: base, memoryPath: memoryPath, state: state, fingerprint: fp, journal: journal,
      visible: Int(state.size))
    return ([base] + chain, Int(chain.last?.endOffset ?? base.endOffset))
  }

  /// How many delta indexes may follow a full one before they are merged.
  static let maxDeltas = 8

  /// The path of delta index `k` (`<memory>.tsv.idx.delta`, `.delta.1`, ...).
  static func deltaPath(for memoryPath: String, _ k: Int) -> String {
    indexPath(for: memoryPath) + (k == 0 ? ".delta" : ".delta.\(k)")
  }

  /// The persisted deltas that continue `base` without a gap, each built
  /// in this journal epoch (or for exactly this file).
  static func deltas(
    after base: LookupIndex, memoryPath: String, state: FileState, fingerprint fp: MemoryFingerprint,
    journal: MemoryJournal?, visible: Int
  ) -> [LookupIndex] {
    var out: [LookupIndex] = []
    var end = base.endOffset
    var units = base.unitCount
    for k in 0..<maxDeltas {
      guard let d = mapped(path: deltaPath(for: memoryPath, k), memoryPath: memoryPath), d.textsInFile,
        d.baseSize == end, d.unitOffset == units, d.columns == base.columns, d.endOffset <= UInt64(visible),
        d.fingerprint == fp || (d.epoch != 0 && d.epoch == journal?.epoch && journal?.vouches(for: state) == true)
      else { break }
      out.append(d)
      end = d.endOffset
      units += d.unitCount
    }
    return out
  }

  /// The index of a memory: the persisted one when it is fresh, else built
  /// from the memory (and saved beside it when the folder is writable).
  ///
  /// When units were only appended since the full index was built (what
  /// `tm add` does; the memory's journal vouches for it, or the covered
  /// bytes hash as they did), the full index is kept and a delta index of
  /// the lines after the last index is built from those lines alone
  /// (`<memory>.tsv.idx.delta`, then `.delta.1`...): each lookup after an
  /// append indexes only what was appended since the previous one. The
  /// ninth delta merges them into one; more than an eighth of the memory
  /// (or 64 MiB) in deltas triggers a full rebuild, which merges them all.
  /// `rebuilt` tells whether anything had to be built.
  /// `saved` is false when a built index could not be written beside the
  /// memory (a read-only folder): every lookup will build it again.
  public static func open(memoryPath: String, persist: Bool = true) throws -> (
    indexes: [LookupIndex], rebuilt: Bool, saved: Bool
  ) {
    guard let source = MemorySource(path: memoryPath) else {
      _ = try MemoryFingerprint.of(path: memoryPath)  // the error that says why
      throw TMError(.io, "cannot read", file: memoryPath)
    }
    let fp = try MemoryFingerprint.of(path: memoryPath)
    let journal = MemoryJournal.read(lockPath: MemoryLock.lockPath(for: memoryPath))
    guard let st = FileState.of(fd: source.fd) else { throw TMError(.io, "cannot stat", file: memoryPath) }
    // What readers see: an append in progress is left out.
    var visible = Int(st.size)
    if let j = journal, let p = j.pending, j.current.inode == st.inode, p < st.size { visible = Int(p) }
    let ip = indexPath(for: memoryPath)
    let headerLine = try FileIO.firstLine(fd: source.fd, path: memoryPath)
    let headerEnd = headerLine.count
    if let base = mapped(path: ip, memoryPath: memoryPath), base.baseSize == 0, base.textsInFile,
      base.covers(st, fingerprint: fp, journal: journal)
        || (base.endOffset < UInt64(visible) && base.prefixUnchanged(fd: source.fd, size: UInt64(visible)))
    {
      var chain = deltas(
        after: base, memoryPath: memoryPath, state: st, fingerprint: fp, journal: journal, visible: visible)
      var end = Int(chain.last?.endOffset ?? base.endOffset)
      if end == visible { return ([base] + chain, false, true) }
      // Too many deltas: merge them into one, built from the full index's end.
      if chain.count >= maxDeltas {
        chain = []
        end = Int(base.endOffset)
      }
      let added = visible - Int(base.endOffset)
      if visible > end, added <= max(visible / 8, 1 << 20), added <= 64 << 20 {
        var h = LookupIndexBuilder.Header(fingerprint: fp)
        h.epoch = journal.map { $0.vouches(for: st) ? $0.epoch : 0 } ?? 0
        h.baseSize = UInt64(end)
        h.unitOffset = base.unitCount + chain.reduce(0) { $0 + $1.unitCount }
        if let delta = try? buildIndex(
          source: source, memoryPath: memoryPath, headerLine: headerLine, range: end..<visible, header: h,
          persistAt: persist ? deltaPath(for: memoryPath, chain.count) : nil), delta.index.columns == base.columns
        {
          if persist && delta.saved {
            for k in (chain.count + 1)..<maxDeltas { unlink(deltaPath(for: memoryPath, k)) }
          }
          return ([base] + chain + [delta.index], true, delta.saved)
        }
      }
    }
    var h = LookupIndexBuilder.Header(fingerprint: fp)
    h.epoch = journal.map { $0.vouches(for: st) ? $0.epoch : 0 } ?? 0
    let built = try buildIndex(
      source: source, memoryPath: memoryPath, headerLine: headerLine, range: min(headerEnd, visible)..<visible,
      header: h, persistAt: persist ? ip : nil)
    if persist && built.saved {
      for k in 0..<maxDeltas { unlink(deltaPath(for: memoryPath, k)) }
    }
    return ([built.index], true, built.saved)
  }

  /// Builds an index of the lines in `range`, into a file beside the
  /// memory (renamed into place) or, when that fails, in memory.
  static func buildIndex(
    source: MemorySource, memoryPath: String, headerLine: [UInt8], range: Range<Int>,
    header: LookupIndexBuilder.Header, persistAt path: String?
  ) throws -> (index: LookupIndex, saved: Bool) {
    if let path {
      let tmp = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
      let fd = Glibc.open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
      if fd >= 0 {
        var ok = false
        defer {
          Glibc.close(fd)
          if !ok { unlink(tmp) }
        }
        let sink = FileSink(fd: fd, path: tmp)
        try LookupIndexBuilder.build(
          file: source.fd, path: memoryPath, headerLine: headerLine, range: range, header: header, to: sink)
        try sink.flush()
        // Derived data: no fsync (a lost index is rebuilt), but renamed
        // into place so that readers never map half of one.
        if rename(tmp, path) == 0, let s = IndexStorage(mapping: path),
          let idx = LookupIndex(storage: s, memoryPath: memoryPath, source: source)
        {
          ok = true
          return (idx, true)
        }
      }
    }
    let sink = ByteSink()
    try LookupIndexBuilder.build(
      file: source.fd, path: memoryPath, headerLine: headerLine, range: range, header: header, to: sink)
    guard let idx = LookupIndex(storage: IndexStorage(bytes: sink.bytes), memoryPath: memoryPath, source: source) else {
      throw TMError(.io, "the lookup index just built does not read back", file: memoryPath)
    }
    return (idx, path == nil)
  }

  /// Writes to a temporary file and renames it over `path`; failures
  /// (a read-only folder) are silent: the index is an optimisation.
  @discardableResult
  static func writeAtomically(_ bytes: [UInt8], to path: String) -> Bool {
    let tmp = path + ".tmp.\(getpid())"
    let fd = Glibc.open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { return false }
    let ok = (try? FileIO.pwriteAll(fd, bytes[...], at: 0, path: tmp)) != nil
    close(fd)
    if !ok || rename(tmp, path) != 0 {
      unlink(tmp)
      return false
    }
    return true
  }

  /// Whether the memory holds a unit with exactly the texts of `u` (NFC):
  /// its unit key is in the index and the line there has the same texts.
  public func contains(_ u: TranslationUnit) -> Bool {
    let h = MemoryTable.unitHash(u)
    var lo = 0, hi = unitHash.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if unitHash[mid] < h { lo = mid + 1 } else { hi = mid }
    }
    while lo < unitHash.count, unitHash[lo] == h {
      let unit = Int(unitHashUnit[lo])
      var same = true
      for l in Language.allCases {
        let mine = columns.contains(l) ? (text(unit: unit, language: l) ?? "") : ""
        if mine != (u.texts[l] ?? "") {
          same = false
          break
        }
      }
      if same { return true }
      lo += 1
    }
    return false
  }

  // MARK: Access

  func section(_ l: Language) -> Section? {
    guard let i = LookupIndex.sections.firstIndex(of: LookupKeys.section(of: l)) else { return nil }
    let s = sectionData[i]
    return s.entryCount > 0 ? s : nil
  }

  /// The languages the index can search (section languages with segments).
  public var searchableSections: [Language] { LookupIndex.sections.filter { section($0) != nil } }

  /// The language of a column, nil when out of range (a damaged index).
  func column(_ i: Int) -> Language? { i >= 0 && i < columns.count ? columns[i] : nil }

  /// Text of a unit in a column ("" when absent).
  public func text(unit: Int, column: Int) -> String {
    guard unit >= 0, unit < unitCount, column >= 0, column < columns.count else { return "" }
    if textsInFile {
      guard let source else { return "" }
      let lo = Int(clamping: lineStart[unit]), hi = Int(clamping: lineStart[unit + 1])
      return source.field(fieldOfColumn[column], ofLineAt: lo..<hi)
    }
    let i = unit * columns.count + column
    let lo = Int(clamping: textOffsets[i]), hi = Int(clamping: textOffsets[i + 1])
    let s = textBlob.slice(lo, hi)
    return String(decoding: s, as: UTF8.self)
  }

  /// Text of a unit in a language, nil when the unit has none.
  public func text(unit: Int, language: Language) -> String? {
    guard let c = columns.firstIndex(of: language) else { return nil }
    let t = text(unit: unit, column: c)
    return t.isEmpty ? nil : t
  }

  static func compare(_ a: UnsafeBufferPointer<UInt8>, _ b: [UInt8]) -> Int {
    let n = min(a.count, b.count)
    if n > 0, let ab = a.baseAddress {
      let c = b.withUnsafeBufferPointer { memcmp(ab, $0.baseAddress!, n) }
      if c != 0 { return c < 0 ? -1 : 1 }
    }
    return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
  }

  /// Binary search of a sorted string table.
  static func find(_ word: [UInt8], offsets: IndexArray<UInt32>, blob: IndexArray<UInt8>) -> Int? {
    var lo = 0, hi = offsets.count - 1
    while lo < hi {
      let mid = (lo + hi) / 2
      let c = compare(blob.slice(Int(offsets[mid]), Int(offsets[mid + 1])), word)
      if c == 0 { return mid }
      if c < 0 { lo = mid + 1 } else { hi = mid }
    }
    return nil
  }

  /// What an index keeps of a 64-bit exact or skeleton hash: its top 32
  /// bits (candidates are checked against their texts, so a collision costs
  /// a check, never a wrong answer).
  @inline(__always) static func hash32(_ h: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: h >> 32) }

  /// Entries whose 64-bit hash is `h` in a sorted (32-bit hash, entry)
  /// table (see `hash32`).
  static func lookup(_ h: UInt64, hashes: IndexArray<UInt32>, entries: IndexArray<UInt32>) -> [Int] {
    let k = hash32(h)
    var lo = 0, hi = hashes.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if hashes[mid] < k { lo = mid + 1 } else { hi = mid }
    }
    var out: [Int] = []
    while lo < hashes.count, hashes[lo] == k {
      out.append(Int(entries[lo]))
      lo += 1
    }
    return out
  }

  /// Entries whose 64-bit hash is `h` in a sorted (hash, entry) table.
  static func lookup(_ h: UInt64, hashes: IndexArray<UInt64>, entries: IndexArray<UInt32>) -> [Int] {
    var lo = 0, hi = hashes.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if hashes[mid] < h { lo = mid + 1 } else { hi = mid }
    }
    var out: [Int] = []
    while lo < hashes.count, hashes[lo] == h {
      out.append(Int(entries[lo]))
      lo += 1
    }
    return out
  }
}

extension LookupIndex.Section {
  /// The signature bit of a token id.
  @inline(__always) static func sigBit(_ id: UInt32) -> UInt64 { 1 << UInt64(((id &* 0x9E37_79B1) >> 26) % 56) }

  static let sigMask: UInt64 = (1 << 56) - 1

  /// The meta word of a segment: length (capped at 255) and signature.
  static func meta(length: Int, signature: UInt64) -> UInt64 {
    (signature & sigMask) | (UInt64(min(length, 255)) << 56)
  }

  @inline(__always) func tokens(of entry: Int) -> UnsafeBufferPointer<UInt32> {
    tokens.slice(Int(entryTokStart[entry]), Int(entryTokStart[entry + 1]))
  }

  @inline(__always) func length(of entry: Int) -> Int {
    let m = Int(entryMeta[2 &* entry] >> 56)
    return m < 255 ? m : Int(entryTokStart[entry + 1]) - Int(entryTokStart[entry])
  }

  func vocabID(_ word: String) -> Int? {
    LookupIndex.find(Array(word.utf8), offsets: vocabOff, blob: vocabBlob)
  }

  func documentFrequency(_ id: Int) -> Int { Int(postStart[id + 1]) - Int(postStart[id]) }

  /// All postings of word `id`: the entries holding it, ordered by
  /// (segment length, entry).
  func postings(_ id: Int) -> UnsafeBufferPointer<UInt32> {
    postEntry.slice(Int(postStart[id]), Int(postStart[id + 1]))
  }

  /// Postings of a token restricted to segments of `lengths` tokens.
  func postings(_ id: Int, lengths: ClosedRange<Int>) -> Postings {
    let lo = Int(postStart[id]), hi = Int(postStart[id + 1])
    let all = Postings(entries: postEntry.slice(lo, hi), lengths: postLength.slice(lo, hi))
    let a = firstIndex(in: all, length: lengths.lowerBound)
    let b = lengths.upperBound >= 255 ? all.count : firstIndex(in: all, length: lengths.upperBound + 1)
    guard a < b, all.entries.count == all.lengths.count else { return Postings() }
    return Postings(
      entries: UnsafeBufferPointer(rebasing: all.entries[a..<b]), lengths: UnsafeBufferPointer(rebasing: all.lengths[a..<b]))
  }

  /// The first position in length-ordered postings whose segment has at
  /// least `length` tokens (lengths from 255 up count as 255).
  func firstIndex(in post: Postings, length: Int) -> Int {
    let l = UInt8(clamping: length)
    var lo = 0, hi = post.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if post.lengths[mid] < l { lo = mid + 1 } else { hi = mid }
    }
    return lo
  }

  /// The vocabulary ids whose cross-script key is `key`.
  func crossKeyVocabulary(_ key: String) -> [Int] {
    guard let k = LookupIndex.find(Array(key.utf8), offsets: keyOff, blob: keyBlob) else { return [] }
    return keyPostings.slice(Int(keyPostStart[k]), Int(keyPostStart[k + 1])).compactMap {
      Int($0) < vocabCount ? Int($0) : nil
    }
  }

  /// The entries of the segments holding any of the tokens `ids`, ascending
  /// and once each.
  func segments(holdingAnyOf ids: [Int]) -> [UInt32] {
    var out: [UInt32] = []
    for v in ids where v >= 0 && v < vocabCount { out += postings(v) }
    out.sort()
    var w = 0
    for x in out where w == 0 || out[w - 1] != x {
      out[w] = x
      w += 1
    }
    out.removeLast(out.count - w)
    return out
  }
}

/// A run of postings: entries and, beside each, its segment's length in
/// tokens capped at 255 (see `LookupIndex.Section.postEntry`).
struct Postings {
  var entries = UnsafeBufferPointer<UInt32>(start: nil, count: 0)
  var lengths = UnsafeBufferPointer<UInt8>(start: nil, count: 0)

  var count: Int { min(entries.count, lengths.count) }

  @inline(__always) func entry(_ i: Int) -> Int { Int(entries[i]) }
  @inline(__always) func cappedLength(_ i: Int) -> Int { Int(lengths[i]) }
}
