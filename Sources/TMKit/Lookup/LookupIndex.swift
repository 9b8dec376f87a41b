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

/// Bytes an index lives in: a read-only mapping of its file, or a buffer
/// built in this process.
final class IndexStorage: @unchecked Sendable {
  let base: UnsafeRawPointer
  let count: Int
  private let mapped: Bool

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
    if mapped {
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
/// for exact and near-exact candidates; plus every unit's texts, so a
/// lookup never needs to parse the TSV when the index is fresh.
///
/// It is derived data, persisted as `<memory>.tsv.idx` beside the memory
/// and mapped read-only; it is rebuilt whenever the memory's fingerprint
/// (size, mtime, hash of head and tail) changes or the file does not parse.
public final class LookupIndex: @unchecked Sendable {
  static let magic: [UInt8] = Array("TMLKIDX1".utf8)
  static let version: UInt64 = 6  // 6: keys leave accelerator marks out (LookupKeys.key)
  static let sections: [Language] = [.az, .ru, .en]
  static let perSection = 17
  static let arrayCount = 2 + 3 * perSection
  static let headerSize = 8 + 8 * 9 + 8 + arrayCount * 16

  let storage: IndexStorage
  /// The memory file it describes.
  public let memoryPath: String
  public let fingerprint: MemoryFingerprint
  /// The memory's language columns, in file order.
  public let columns: [Language]
  public let unitCount: Int
  /// A hash of every byte of the memory the index was built from (for a
  /// delta: of the whole file, base included).
  public let contentHash: UInt64
  /// 0 for a full index; for a delta index (units appended to the memory
  /// since the full index was built), the size of the memory the full index
  /// covers.
  public let baseSize: UInt64
  /// Units of this index are numbered from here in the memory.
  public let unitOffset: Int

  let textOffsets: IndexArray<UInt64>
  let textBlob: IndexArray<UInt8>
  let sectionData: [Section]

  struct Section {
    var entryUnit: IndexArray<UInt32>
    var entryColumn: IndexArray<UInt32>
    var entryTokStart: IndexArray<UInt32>
    var tokens: IndexArray<UInt32>
    var vocabOff: IndexArray<UInt32>
    var vocabBlob: IndexArray<UInt8>
    var postStart: IndexArray<UInt32>
    /// Each posting: entry (bits 0–31), its length capped at 255 (32–39)
    /// and a 24-bit token signature (40–63), so scanning a list needs no
    /// other memory access for most candidates.
    var postings: IndexArray<UInt64>
    var keyOff: IndexArray<UInt32>
    var keyBlob: IndexArray<UInt8>
    var keyPostStart: IndexArray<UInt32>
    var keyPostings: IndexArray<UInt32>
    var exactHash: IndexArray<UInt64>
    var exactEntry: IndexArray<UInt32>
    var skelHash: IndexArray<UInt64>
    var skelEntry: IndexArray<UInt32>
    /// Per segment, in one word: its length in tokens (top 8 bits, 255 =
    /// look it up) and a 56-bit set of its tokens (bit `sigBit(id)`), so a
    /// candidate is ruled out with a single memory access.
    var entrySig: IndexArray<UInt64>

    var entryCount: Int { entryUnit.count }
    var vocabCount: Int { max(0, vocabOff.count - 1) }
    var keyCount: Int { max(0, keyOff.count - 1) }
  }

  /// Reads an index; nil when the bytes are not a well-formed index.
  init?(storage: IndexStorage, memoryPath: String) {
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
    contentHash = u64(56)
    baseSize = u64(64)
    unitOffset = Int(clamping: u64(72))
    guard ncols <= 8, units < (1 << 32) else { return nil }
    var cols: [Language] = []
    for i in 0..<Int(ncols) {
      let code = Int(raw.load(fromByteOffset: 80 + i, as: UInt8.self))
      guard code < Language.allCases.count else { return nil }
      cols.append(Language.allCases[code])
    }
    columns = cols
    unitCount = Int(units)
    var table: [(Int, Int)] = []
    for a in 0..<LookupIndex.arrayCount {
      let off = u64(88 + a * 16), n = u64(96 + a * 16)
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
    guard let to = arr(0, UInt64.self), let tb = arr(1, UInt8.self) else { return nil }
    guard to.count == unitCount * cols.count + 1, to[to.count - 1] == UInt64(tb.count) else { return nil }
    textOffsets = to
    textBlob = tb
    var secs: [Section] = []
    for s in 0..<3 {
      let b = 2 + s * LookupIndex.perSection
      guard let eu = arr(b, UInt32.self), let ec = arr(b + 1, UInt32.self), let ets = arr(b + 2, UInt32.self),
        let tk = arr(b + 3, UInt32.self), let vo = arr(b + 4, UInt32.self), let vb = arr(b + 5, UInt8.self),
        let ps = arr(b + 6, UInt32.self), let po = arr(b + 7, UInt64.self), let ko = arr(b + 8, UInt32.self),
        let kb = arr(b + 9, UInt8.self), let kps = arr(b + 10, UInt32.self), let kp = arr(b + 11, UInt32.self),
        let eh = arr(b + 12, UInt64.self), let ee = arr(b + 13, UInt32.self), let sh = arr(b + 14, UInt64.self),
        let se = arr(b + 15, UInt32.self), let sg = arr(b + 16, UInt64.self)
      else { return nil }
      guard ec.count == eu.count, ets.count == (eu.count == 0 ? 0 : eu.count + 1) || (eu.count == 0 && ets.count <= 1),
        ps.count == vo.count, kps.count == ko.count, eh.count == ee.count, sh.count == se.count,
        sg.count == eu.count
      else { return nil }
      secs.append(
        Section(
          entryUnit: eu, entryColumn: ec, entryTokStart: ets, tokens: tk, vocabOff: vo, vocabBlob: vb,
          postStart: ps, postings: po, keyOff: ko, keyBlob: kb, keyPostStart: kps, keyPostings: kp,
          exactHash: eh, exactEntry: ee, skelHash: sh, skelEntry: se, entrySig: sg))
    }
    sectionData = secs
  }

  /// An index built in memory from bytes (`LookupIndexBuilder.build`).
  public convenience init(bytes: [UInt8], memoryPath: String) throws {
    if let me = LookupIndex(storage: IndexStorage(bytes: bytes), memoryPath: memoryPath) {
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
    contentHash = o.contentHash
    baseSize = o.baseSize
    unitOffset = o.unitOffset
    textOffsets = o.textOffsets
    textBlob = o.textBlob
    sectionData = o.sectionData
  }

  /// Maps an index file; nil when it is missing or not an index.
  public static func mapped(path: String, memoryPath: String) -> LookupIndex? {
    guard let s = IndexStorage(mapping: path) else { return nil }
    return LookupIndex(storage: s, memoryPath: memoryPath)
  }

  /// The path of a memory's index.
  public static func indexPath(for memoryPath: String) -> String { memoryPath + ".idx" }

  /// The index of a memory: the persisted one when it is fresh, else built
  /// from the memory (and saved beside it when the folder is writable).
  ///
  /// When units were only appended since the full index was built (what
  /// `tm add` does), the full index is kept and a small delta index of the
  /// new lines is built (`<memory>.tsv.idx.delta`), after checking that
  /// the old bytes are unchanged; the result is then two indexes. A delta
  /// that grows past a quarter of the memory triggers a full rebuild.
  /// `rebuilt` tells whether anything had to be built.
  /// `saved` is false when a built index could not be written beside the
  /// memory (a read-only folder): every lookup will build it again.
  public static func open(memoryPath: String, persist: Bool = true) throws -> (
    indexes: [LookupIndex], rebuilt: Bool, saved: Bool
  ) {
    let fp = try MemoryFingerprint.of(path: memoryPath)
    let ip = indexPath(for: memoryPath)
    let dp = ip + ".delta"
    let base = mapped(path: ip, memoryPath: memoryPath)
    if let base, base.baseSize == 0, base.fingerprint == fp { return ([base], false, true) }
    var bytes: [UInt8]? = nil
    if let base, base.baseSize == 0, fp.size > base.fingerprint.size {
      if let d = mapped(path: dp, memoryPath: memoryPath), d.fingerprint == fp, d.baseSize == base.fingerprint.size,
        d.unitOffset == base.unitCount, d.columns == base.columns
      {
        return ([base, d], false, true)
      }
      let all = try readFile(memoryPath)
      bytes = all
      let oldSize = Int(base.fingerprint.size)
      let added = all.count - oldSize
      if added > 0, added <= max(all.count / 4, 1 << 20), oldSize > 0, all[oldSize - 1] == 0x0A,
        contentHash(all[0..<oldSize]) == base.contentHash,
        let delta = try? buildDelta(all, base: base, fingerprint: fp, memoryPath: memoryPath)
      {
        var saved = true
        if persist, (try? MemoryFingerprint.of(path: memoryPath)) == fp { saved = writeAtomically(delta.bytes, to: dp) }
        return ([base, delta.index], true, saved)
      }
    }
    let all = try bytes ?? readFile(memoryPath)
    // The bytes already read, indexed lazily: units are decoded one at a
    // time, so a 1M-unit memory is not held as a million dictionaries.
    let table = try MemoryTable(bytes: all, path: memoryPath)
    let built = try LookupIndexBuilder.build(
      languages: table.languages, units: table, fingerprint: fp, contentHash: contentHash(all[...]))
    var saved = true
    if persist, (try? MemoryFingerprint.of(path: memoryPath)) == fp {
      saved = writeAtomically(built, to: ip)
      unlink(dp)
    }
    return ([try LookupIndex(bytes: built, memoryPath: memoryPath)], true, saved)
  }

  /// The delta index of the lines after `base`'s end.
  static func buildDelta(_ all: [UInt8], base: LookupIndex, fingerprint: MemoryFingerprint, memoryPath: String) throws
    -> (index: LookupIndex, bytes: [UInt8])
  {
    guard let nl = all.firstIndex(of: 0x0A) else { throw TMError(.malformedMemory, "no header", file: memoryPath) }
    // The header and the new lines, read by the memory reader itself.
    let fragment = Array(all[...nl]) + all[Int(base.fingerprint.size)...]
    let table = try MemoryTable(bytes: fragment, path: memoryPath)
    guard table.languages == base.columns else {
      throw TMError(.malformedMemory, "columns changed", file: memoryPath)
    }
    let bytes = try LookupIndexBuilder.build(
      languages: table.languages, units: table, fingerprint: fingerprint, contentHash: contentHash(all[...]),
      baseSize: base.fingerprint.size, unitOffset: base.unitCount)
    return (try LookupIndex(bytes: bytes, memoryPath: memoryPath), bytes)
  }

  static func readFile(_ path: String) throws -> [UInt8] {
    let fd = Glibc.open(path, O_RDONLY)
    guard fd >= 0 else { throw TMError(.io, "cannot read: \(String(cString: strerror(errno)))", file: path) }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw TMError(.io, "cannot read", file: path) }
    var out = [UInt8](repeating: 0, count: Int(st.st_size))
    var off = 0
    while off < out.count {
      let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + off, $0.count - off, off_t(off)) }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { break }
      off += n
    }
    if off < out.count { out.removeLast(out.count - off) }
    return out
  }

  /// A fast hash of a byte range (64-bit words, FNV-style mixing).
  static func contentHash(_ b: ArraySlice<UInt8>) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(b.count)
    b.withUnsafeBytes { p in
      let n = p.count / 8
      for i in 0..<n {
        h = (h ^ p.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)) &* 0x0000_0100_0000_01B3
        h ^= h >> 29
      }
      for i in (n * 8)..<p.count { h = (h ^ UInt64(p[i])) &* 0x0000_0100_0000_01B3 }
    }
    return h
  }

  /// Writes to a temporary file and renames it over `path`; failures
  /// (a read-only folder) are silent: the index is an optimisation.
  @discardableResult
  static func writeAtomically(_ bytes: [UInt8], to path: String) -> Bool {
    let tmp = path + ".tmp.\(getpid())"
    let fd = Glibc.open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { return false }
    var ok = true
    bytes.withUnsafeBytes { p in
      var off = 0
      while off < p.count {
        let n = Glibc.write(fd, p.baseAddress! + off, p.count - off)
        if n < 0 {
          if errno == EINTR { continue }
          ok = false
          break
        }
        off += n
      }
    }
    close(fd)
    if !ok || rename(tmp, path) != 0 {
      unlink(tmp)
      return false
    }
    return true
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
    let i = unit * columns.count + column
    guard unit >= 0, unit < unitCount, column >= 0, column < columns.count else { return "" }
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

  func tokens(of entry: Int) -> UnsafeBufferPointer<UInt32> {
    tokens.slice(Int(entryTokStart[entry]), Int(entryTokStart[entry + 1]))
  }

  @inline(__always) func length(of entry: Int) -> Int {
    let m = Int(entrySig[entry] >> 56)
    return m < 255 ? m : Int(entryTokStart[entry + 1]) - Int(entryTokStart[entry])
  }

  func vocabID(_ word: String) -> Int? {
    LookupIndex.find(Array(word.utf8), offsets: vocabOff, blob: vocabBlob)
  }

  func documentFrequency(_ id: Int) -> Int { Int(postStart[id + 1]) - Int(postStart[id]) }

  /// Postings of a token restricted to segments of `lengths` tokens.
  @inline(__always) static func sig24Bit(_ id: UInt32) -> UInt64 { 1 << UInt64(((id &* 0x85EB_CA6B) >> 27) % 24) }

  static func posting(entry: Int, length: Int, sig24: UInt64) -> UInt64 {
    UInt64(entry) | (UInt64(min(length, 255)) << 32) | ((sig24 & 0xFF_FFFF) << 40)
  }

  @inline(__always) static func entry(_ p: UInt64) -> Int { Int(p & 0xFFFF_FFFF) }
  @inline(__always) static func cappedLength(_ p: UInt64) -> Int { Int((p >> 32) & 0xFF) }

  /// Postings of a token restricted to segments of `lengths` tokens.
  func postings(_ id: Int, lengths: ClosedRange<Int>) -> UnsafeBufferPointer<UInt64> {
    let all = postings.slice(Int(postStart[id]), Int(postStart[id + 1]))
    let a = firstIndex(in: all, length: lengths.lowerBound)
    let b = lengths.upperBound >= 255 ? all.count : firstIndex(in: all, length: lengths.upperBound + 1)
    guard a < b, let base = all.baseAddress else { return UnsafeBufferPointer(start: nil, count: 0) }
    return UnsafeBufferPointer(start: base + a, count: b - a)
  }

  /// The first position in length-ordered postings whose segment has at
  /// least `length` tokens (lengths from 255 up count as 255).
  func firstIndex(in post: UnsafeBufferPointer<UInt64>, length: Int) -> Int {
    let l = min(length, 255)
    var lo = 0, hi = post.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if Self.cappedLength(post[mid]) < l { lo = mid + 1 } else { hi = mid }
    }
    return lo
  }

  func crossKeyPostings(_ key: String) -> UnsafeBufferPointer<UInt32> {
    guard let k = LookupIndex.find(Array(key.utf8), offsets: keyOff, blob: keyBlob) else {
      return UnsafeBufferPointer(start: nil, count: 0)
    }
    return keyPostings.slice(Int(keyPostStart[k]), Int(keyPostStart[k + 1]))
  }
}
