#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import Dispatch

/// Builds the bytes of a `LookupIndex` from a memory.
///
/// A memory file is indexed in chunks of about 4 MiB of lines, on every
/// core: each chunk is read with `pread`, checked by the memory reader
/// (`MemoryTable`), and its segments' keys, tokens and hashes computed with
/// the chunk's own `LookupKeys` and vocabulary. The chunks' sections are
/// then merged on every core (as many at once as there are cores) and each
/// is written to the index file when the one before it is, so neither the
/// memory nor the whole index is ever held at once: peak memory is about the
/// tokens and entries of all sections plus the merges in progress.
public enum LookupIndexBuilder {
  /// Where the units' texts live in the index.
  enum Texts {
    /// Copied into the index (an index of a `Memory` value, in tests).
    case embedded
    /// Read from the memory file by line offset (every persisted index).
    case inFile
  }

  /// The header of an index: what it covers and where its units are.
  struct Header {
    var fingerprint: MemoryFingerprint
    var epoch: UInt64 = 0
    var baseSize: UInt64 = 0
    var unitOffset: Int = 0
    /// Field position, in a memory line, of each language column (in-file texts).
    var fieldOfColumn: [Int] = []
    var fieldCount: Int = 0
    /// (end, hash) of the covered bytes in chunks, from offset 0 (full
    /// in-file indexes only).
    var chunks: [(UInt64, UInt64)] = []
  }

  /// Builds from a `Memory` value; the texts are embedded.
  public static func build(
    _ memory: Memory, fingerprint: MemoryFingerprint, contentHash: UInt64 = 0, baseSize: UInt64 = 0,
    unitOffset: Int = 0
  ) throws -> [UInt8] {
    try build(
      languages: memory.languages, units: memory.units, fingerprint: fingerprint, contentHash: contentHash,
      baseSize: baseSize, unitOffset: unitOffset)
  }

  /// Builds from any collection of units (texts embedded).
  /// `keys`: pass one to reuse its ICU objects across builds (a store that
  /// indexes each query's candidates builds many small indexes; making the
  /// tokenizers and transforms anew costs more than indexing a few units).
  public static func build<Units: RandomAccessCollection<TranslationUnit>>(
    languages: [Language], units: Units, fingerprint: MemoryFingerprint, contentHash: UInt64 = 0,
    baseSize: UInt64 = 0, unitOffset: Int = 0, keys: LookupKeys = LookupKeys()
  ) throws -> [UInt8] {
    let us = Array(units)
    var chunk = ChunkResult()
    for (i, u) in us.enumerated() {
      chunk.unitHash.append(MemoryTable.unitHash(u))
      chunk.add(unit: i, texts: { u.texts[$0] }, columns: languages, keys: keys, normalise: true)
    }
    let sink = ByteSink()
    var header = Header(fingerprint: fingerprint)
    header.baseSize = baseSize
    header.unitOffset = unitOffset
    var chunks = [chunk]
    chunk = ChunkResult()
    try write(
      chunks: &chunks, unitCount: us.count, columns: languages, header: header, texts: .embedded, keys: keys,
      embeddedTexts: { i, c in us[i].texts[c] }, to: sink)
    return sink.bytes
  }

  /// Indexes the lines of a memory file in `range` (whole lines; the
  /// header excluded) and writes the index to `sink`, in chunks of about
  /// `chunkBytes` (tests make them small to merge many), on `threads`
  /// threads (every core when nil; the bytes are the same for any number).
  static func build(
    file fd: Int32, path: String, headerLine: [UInt8], range: Range<Int>, header: Header, to sink: IndexSink,
    chunkBytes: Int = 4 << 20, threads requested: Int? = nil
  ) throws {
    _ = boundHeap
    trace("build: start")
    let columnsTable = try MemoryTable(bytes: headerLine.last == 0x0A ? headerLine : headerLine + [0x0A], path: path)
    let columns = columnsTable.languages
    var h = header
    h.fieldOfColumn = columns.map { l in columnsTable.columns.firstIndex(of: .language(l)) ?? 0 }
    h.fieldCount = columnsTable.columns.count
    // Chunk boundaries at line starts.
    let target = max(1, chunkBytes)
    var bounds = [range.lowerBound]
    var at = range.lowerBound + target
    while at < range.upperBound {
      let probe = try FileIO.read(fd: fd, offset: at, count: min(1 << 16, range.upperBound - at), path: path)
      guard let nl = probe.firstIndex(of: 0x0A) else {
        at += probe.count
        if probe.isEmpty { break }
        continue
      }
      let next = at + nl + 1
      if next >= range.upperBound { break }
      bounds.append(next)
      at = next + target
    }
    bounds.append(range.upperBound)
    let cuts = bounds
    let chunkCount = cuts.count - 1
    let results = ResultSlots(count: chunkCount)
    let threads = max(1, min(chunkCount, requested ?? cores))
    let lines = headerLine.last == 0x0A ? headerLine : headerLine + [0x0A]
    // One chunk (a delta): on this thread, with one set of ICU objects for
    // everything (making them costs more than indexing a few lines).
    let shared: LookupKeys? = chunkCount == 1 ? LookupKeys() : nil
    if let shared {
      results.set(0, chunk(0, cuts: cuts, fd: fd, path: path, lines: lines, columns: columns, keys: shared))
    } else {
      DispatchQueue.concurrentPerform(iterations: threads) { t in
        let keys = LookupKeys()
        var k = t
        while k < chunkCount {
          results.set(k, chunk(k, cuts: cuts, fd: fd, path: path, lines: lines, columns: columns, keys: keys))
          k += threads
        }
      }
    }
    var chunks: [ChunkResult] = []
    chunks.reserveCapacity(chunkCount)
    for k in 0..<chunkCount { chunks.append(try results.take(k).get()) }
    let unitCount = chunks.reduce(0) { $0 + $1.unitHash.count }
    // A full index also hashes the header line, so its chunks start at 0.
    if range.lowerBound == lines.count || range.lowerBound == headerLine.count {
      var head = ChunkResult()
      head.end = UInt64(range.lowerBound)
      head.hash = FileIO.readOrEmpty(fd: fd, count: range.lowerBound).withUnsafeBytes { MemoryTable.hashBytes($0, 0) }
      h.chunks = [(head.end, head.hash)]
    }
    h.chunks += chunks.map { ($0.end, $0.hash) }
    trace("chunks: \(chunkCount) keyed")
    // Handed over: the merge frees each chunk's arrays as it uses them.
    try write(
      chunks: &chunks, unitCount: unitCount, columns: columns, header: h, texts: .inFile, endOffset: range.upperBound,
      keys: shared, threads: requested, embeddedTexts: { _, _ in nil }, to: sink)
    trace("build: end")
  }

  /// The cores this process may use.
  static var cores: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

  /// Big arrays come and go during a build (each chunk's, then each
  /// section's). With glibc's default, the size from which a block is
  /// mapped rises to 32 MiB as big blocks are freed, so freed arrays stay
  /// in the heap and new ones take fresh memory: the 1M-unit build peaked
  /// 100 MiB higher. Here blocks from 256 KiB are mapped (and unmapped
  /// when freed) and free memory at the heap's top is returned past 1 MiB.
  /// Process-wide, set once before the first build (glibc's `mallopt`,
  /// looked up at run time; elsewhere nothing is changed).
  static let boundHeap: Void = {
    #if canImport(Glibc)
      typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
      // RTLD_DEFAULT; M_MMAP_THRESHOLD is -3, M_TRIM_THRESHOLD -1 (malloc.h).
      if let f = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") {
        let mallopt = unsafeBitCast(f, to: MallOpt.self)
        _ = mallopt(-3, 256 << 10)
        _ = mallopt(-1, 1 << 20)
      }
    #endif
  }()

  /// Reads, checks and indexes chunk `k` (the lines from `cuts[k]` to `cuts[k + 1]`).
  static func chunk(
    _ k: Int, cuts: [Int], fd: Int32, path: String, lines: [UInt8], columns: [Language], keys: LookupKeys
  ) -> Result<ChunkResult, any Error> {
    do {
      let body = try FileIO.read(fd: fd, offset: cuts[k], count: cuts[k + 1] - cuts[k], path: path)
      let table = try MemoryTable(bytes: lines + body, path: path)
      guard table.languages == columns else {
        throw TMError(.malformedMemory, "columns changed while indexing", file: path)
      }
      var chunk = ChunkResult()
      chunk.end = UInt64(cuts[k + 1])
      chunk.hash = body.withUnsafeBytes { MemoryTable.hashBytes($0, 0) }
      chunk.lineStart.reserveCapacity(table.count + 1)
      let shift = cuts[k] - lines.count
      // Which column each section indexes: for Azerbaijani the Latin text
      // when there is one, else the Cyrillic.
      let sources: [[(column: Int, field: Int)]] = LookupIndex.sections.map { section in
        (section == .az ? [Language.az, .azCyrl] : [section]).compactMap { l in
          guard let c = columns.firstIndex(of: l) else { return nil }
          let f = table.languageColumn[MemoryTable.languageIndex(l)]
          return f < 0 ? nil : (c, f)
        }
      }
      table.bytes.withUnsafeBufferPointer { all in
        for i in table.indices {
          chunk.lineStart.append(UInt64(table.lineRange(i).lowerBound + shift))
          chunk.unitHash.append(table.unitHash(i))
          for s in sources.indices {
            guard let (c, f) = sources[s].lazy.map({ ($0.column, $0.field) }).first(where: { !table.fieldRange(i, $0.1).isEmpty })
            else { continue }
            let r = table.fieldRange(i, f)
            let lang = columns[c]
            if !chunk.sections[s].add(unit: i, column: c, utf8: UnsafeBufferPointer(rebasing: all[r]), language: lang, keys: keys),
              let text = table.text(i, lang)
            {
              chunk.sections[s].add(unit: i, column: c, text: text, language: lang, keys: keys, normalise: false)
            }
          }
        }
      }
      // The words are kept in order; the lookup table is not needed any more.
      // Every chunk is held until the merge: trimmed to its size (arrays
      // grown by appending have up to twice the room they use).
      for s in chunk.sections.indices {
        chunk.sections[s].vocab.dropTable()
        chunk.sections[s].trim()
      }
      chunk.lineStart = trimmed(chunk.lineStart)
      chunk.unitHash = trimmed(chunk.unitHash)
      return .success(chunk)
    } catch {
      return .failure(error)
    }
  }

  /// `a` in an array of exactly its size (when appending left spare room).
  static func trimmed<T>(_ a: [T]) -> [T] {
    if a.capacity - a.count <= max(16, a.count / 16) { return a }
    return [T](unsafeUninitializedCapacity: a.count) { b, n in
      _ = a.withUnsafeBufferPointer { b.initialize(fromContentsOf: $0) }
      n = a.count
    }
  }

  /// The segment of a unit that a section indexes: for Azerbaijani the Latin
  /// text when there is one, else the Cyrillic.
  static func sourceColumn(texts: (Language) -> String?, section: Language, columns: [Language]) -> (Int, String)? {
    let candidates: [Language] = section == .az ? [.az, .azCyrl] : [section]
    for l in candidates {
      if let c = columns.firstIndex(of: l), let t = texts(l), !t.isEmpty { return (c, t) }
    }
    return nil
  }

  /// One section's entries from one chunk, with the chunk's own vocabulary.
  struct SectionPart {
    var entryUnit: [UInt32] = []
    var entryColumn: [UInt8] = []
    var tokenCount: [UInt32] = []
    var tokens: [UInt32] = []
    /// The chunk's words (key bytes), numbered in order of appearance.
    var vocab = ByteVocab()
    /// The top 32 bits of each entry's exact and skeleton hashes (all the
    /// index keeps of them, `LookupIndex.hash32`).
    var exact: [UInt32] = []
    var skel: [UInt32] = []

    /// `add(unit:column:text:…)` of a text given as its UTF-8 bytes (a
    /// memory's field without escapes), when its key needs no `String`
    /// (``LookupKeys/key(utf8:language:)``): false, and nothing added, else.
    mutating func add(
      unit i: Int, column c: Int, utf8 text: UnsafeBufferPointer<UInt8>, language lang: Language, keys: LookupKeys
    ) -> Bool {
      guard let k = keys.key(utf8: text, language: lang) else { return false }
      entryUnit.append(UInt32(i))
      entryColumn.append(UInt8(c))
      keys.tokenRanges(ofKey: k, language: lang, into: &keys.scratchRanges)
      let toks = keys.scratchRanges
      tokenCount.append(UInt32(toks.count))
      // The words' hashes first and their table slots touched together, so
      // that the cache misses of a segment's rare words overlap instead of
      // coming one lookup at a time.
      keys.scratchHashes.removeAll(keepingCapacity: true)
      for t in toks { keys.scratchHashes.append(ByteVocab.hash(UnsafeBufferPointer(rebasing: k[t.start..<t.end]))) }
      let hashes = keys.scratchHashes
      vocab.touch(hashes)
      for (t, h) in zip(toks, hashes) { tokens.append(vocab.id(UnsafeBufferPointer(rebasing: k[t.start..<t.end]), hash: h)) }
      skel.append(LookupIndex.hash32(LookupKeys.skeletonHash(key: k, tokens: toks)))
      exact.append(LookupIndex.hash32(fnv1a64(buffer: text, seed: 0xcbf2_9ce4_8422_2325)))
      return true
    }

    mutating func add(unit i: Int, column c: Int, text: String, language lang: Language, keys: LookupKeys, normalise: Bool) {
      var key = keys.key(text, language: lang)
      entryUnit.append(UInt32(i))
      entryColumn.append(UInt8(c))
      key.withUTF8 { k in
        keys.tokenRanges(ofKey: k, language: lang, into: &keys.scratchRanges)
        let toks = keys.scratchRanges
        tokenCount.append(UInt32(toks.count))
        for t in toks { tokens.append(vocab.id(UnsafeBufferPointer(rebasing: k[t.start..<t.end]))) }
        skel.append(LookupIndex.hash32(LookupKeys.skeletonHash(key: k, tokens: toks)))
      }
      // Stored texts are NFC (writers normalise, readers do not re-normalise).
      exact.append(LookupIndex.hash32(fnv1a64(normalise ? text.nfc.utf8 : text.utf8)))
    }

    mutating func trim() {
      entryUnit = trimmed(entryUnit)
      entryColumn = trimmed(entryColumn)
      tokenCount = trimmed(tokenCount)
      tokens = trimmed(tokens)
      exact = trimmed(exact)
      skel = trimmed(skel)
      vocab.trim()
    }
  }

  /// A set of byte strings (the words of a vocabulary), each with a dense
  /// id in order of insertion: an open-addressing table over the UTF-8 bytes
  /// of keys that are already NFKC and folded, so hashing one is a pass over
  /// its bytes (a `String` key would be normalised again on every hash).
  struct ByteVocab {
    /// The words' bytes, one after the other; word `i` ends at `ends[i]`.
    private(set) var blob: [UInt8] = []
    private(set) var ends: [UInt32] = []
    private(set) var hashes: [UInt64] = []
    private var slots: [UInt64] = []

    var count: Int { ends.count }

    init(capacity: Int = 0) {
      var size = 64
      while size < capacity * 2 { size <<= 1 }
      slots = [UInt64](repeating: 0, count: size)
      ends.reserveCapacity(capacity)
      hashes.reserveCapacity(capacity)
    }

    @inline(__always) static func hash(_ p: UnsafeBufferPointer<UInt8>) -> UInt64 {
      MemoryTable.hashBytes(UnsafeRawBufferPointer(p), 0x243F_6A88_85A3_08D3)
    }

    func start(_ i: Int) -> Int { i == 0 ? 0 : Int(ends[i - 1]) }

    /// Word `i`'s bytes, valid while the vocabulary is not changed.
    func withWord<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
      let s = start(i), e = Int(ends[i])
      return blob.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[s..<e])) }
    }

    /// The id of `word`, added if new.
    @inline(__always) mutating func id(_ word: UnsafeBufferPointer<UInt8>) -> UInt32 {
      id(word, hash: ByteVocab.hash(word))
    }

    mutating func id(_ word: UnsafeBufferPointer<UInt8>, hash h: UInt64) -> UInt32 {
      if (count + 1) * 2 > slots.count { grow() }
      // A slot: the hash's top 32 bits and id + 1 (0: empty).
      let tag = h & 0xFFFF_FFFF_0000_0000
      let found: Int? = slots.withUnsafeBufferPointer { sl in
        ends.withUnsafeBufferPointer { en in
          blob.withUnsafeBufferPointer { bl in
            let mask = sl.count - 1
            var i = Int(truncatingIfNeeded: h) & mask
            while true {
              let v = sl[i]
              if v == 0 { return -1 - i }
              if v & 0xFFFF_FFFF_0000_0000 == tag {
                let s = Int(v & 0xFFFF_FFFF) - 1
                let a = s == 0 ? 0 : Int(en[s - 1]), n = Int(en[s]) - a
                if n == word.count && (n == 0 || memcmp(bl.baseAddress! + a, word.baseAddress!, n) == 0) { return s }
              }
              i = (i + 1) & mask
            }
          }
        }
      }
      if let f = found, f >= 0 { return UInt32(f) }
      let slot = -1 - (found ?? -1)
      let id = count
      slots[slot] = tag | UInt64(id + 1)
      blob.append(contentsOf: word)
      ends.append(UInt32(blob.count))
      hashes.append(h)
      return UInt32(id)
    }

    private mutating func grow() {
      let size = max(64, slots.count * 2)
      slots = [UInt64](repeating: 0, count: size)
      let mask = size - 1
      for (id, h) in hashes.enumerated() {
        var i = Int(truncatingIfNeeded: h) & mask
        while slots[i] != 0 { i = (i + 1) & mask }
        slots[i] = (h & 0xFFFF_FFFF_0000_0000) | UInt64(id + 1)
      }
    }

    /// Reads the slots of `hashes` and the first bytes of the words there
    /// (independent loads: their misses overlap), before they are looked up.
    mutating func touch(_ hashes: [UInt64]) {
      if (count + hashes.count) * 2 > slots.count { return }
      var acc: UInt64 = 0
      slots.withUnsafeBufferPointer { sl in
        ends.withUnsafeBufferPointer { en in
          blob.withUnsafeBufferPointer { bl in
            let mask = sl.count - 1
            for h in hashes { acc &+= sl[Int(truncatingIfNeeded: h) & mask] }
            for h in hashes {
              let v = sl[Int(truncatingIfNeeded: h) & mask]
              if v != 0 { acc &+= UInt64(en[Int(v & 0xFFFF_FFFF) - 1]) }
            }
            for h in hashes {
              let v = sl[Int(truncatingIfNeeded: h) & mask]
              let id = Int(v & 0xFFFF_FFFF) - 1
              if id > 0 {
                let s = Int(en[id - 1])
                if s < bl.count { acc &+= UInt64(bl[s]) }
              }
            }
          }
        }
      }
      touched = acc
    }
    /// What `touch` read (kept so the reads are not optimised away).
    private var touched: UInt64 = 0

    /// Drops the lookup table (the words, ids and hashes stay).
    mutating func dropTable() { slots = [] }

    mutating func trim() {
      blob = trimmed(blob)
      ends = trimmed(ends)
      hashes = trimmed(hashes)
    }
  }

  /// What one chunk of units contributes.
  struct ChunkResult {
    var lineStart: [UInt64] = []
    /// End offset and hash of the chunk's bytes (in-file builds).
    var end: UInt64 = 0
    var hash: UInt64 = 0
    var unitHash: [UInt64] = []
    var sections = [SectionPart](repeating: SectionPart(), count: LookupIndex.sections.count)

    mutating func add(
      unit i: Int, texts: (Language) -> String?, columns: [Language], keys: LookupKeys, normalise: Bool = false
    ) {
      for s in sections.indices {
        guard let (c, text) = sourceColumn(texts: texts, section: LookupIndex.sections[s], columns: columns) else {
          continue
        }
        sections[s].add(unit: i, column: c, text: text, language: columns[c], keys: keys, normalise: normalise)
      }
    }
  }

  /// Results of the parallel pass, one slot per chunk. Each slot is
  /// written by one worker and read after all have finished.
  final class ResultSlots: @unchecked Sendable {
    private var slots: [Result<ChunkResult, any Error>?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ k: Int, _ r: Result<ChunkResult, any Error>) {
      slots.withUnsafeMutableBufferPointer { $0[k] = r }
    }
    func take(_ k: Int) -> Result<ChunkResult, any Error> {
      let r = slots[k] ?? .failure(TMError(.io, "an index chunk was not built"))
      slots[k] = nil
      return r
    }
  }

  // MARK: Writing

  /// Appends arrays to a sink, 8-byte aligned, and records the table.
  final class ArrayWriter {
    let sink: IndexSink
    var table: [(UInt64, UInt64)] = []
    init(_ sink: IndexSink) { self.sink = sink }
    /// `alignment`: of the array's offset in the file (16 for pairs of
    /// words read together, so that no pair straddles a cache line).
    func emit<T: FixedWidthInteger>(_ a: [T], alignment: Int = 8) throws {
      try sink.pad(to: alignment)
      table.append((UInt64(sink.count), UInt64(a.count)))
      try a.withUnsafeBytes { try sink.append($0) }
    }
  }

  /// Merges chunk results and writes header, array table and arrays.
  static func write(
    chunks: inout [ChunkResult], unitCount: Int, columns: [Language], header: Header, texts: Texts, endOffset: Int = 0,
    keys: LookupKeys? = nil, threads: Int? = nil, embeddedTexts: (Int, Language) -> String?, to sink: IndexSink
  ) throws {
    var head: [UInt8] = LookupIndex.magic
    func put(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { head.append(contentsOf: $0) } }
    put(LookupIndex.version)
    put(header.fingerprint.size)
    put(UInt64(bitPattern: header.fingerprint.mtimeNanoseconds))
    put(header.fingerprint.hash)
    put(UInt64(unitCount))
    put(UInt64(columns.count))
    put(header.epoch)
    put(header.baseSize)
    put(UInt64(header.unitOffset))
    put(texts == .inFile ? 1 : 0)
    put(UInt64(header.fieldCount))
    var colBytes = [UInt8](repeating: 255, count: 8)
    for (i, c) in columns.prefix(8).enumerated() { colBytes[i] = UInt8(Language.allCases.firstIndex(of: c) ?? 255) }
    head.append(contentsOf: colBytes)
    var fieldBytes = [UInt8](repeating: 255, count: 8)
    for (i, f) in header.fieldOfColumn.prefix(8).enumerated() { fieldBytes[i] = UInt8(clamping: f) }
    head.append(contentsOf: fieldBytes)
    let tableAt = head.count
    head.append(contentsOf: [UInt8](repeating: 0, count: LookupIndex.arrayCount * 16))
    try head.withUnsafeBytes { try sink.append($0) }
    let w = ArrayWriter(sink)

    // Texts: embedded, or where each unit's line starts in the memory.
    if texts == .embedded {
      var textOffsets: [UInt64] = [0]
      var textBlob: [UInt8] = []
      for i in 0..<unitCount {
        for c in columns {
          if let t = embeddedTexts(i, c) { textBlob.append(contentsOf: t.utf8) }
          textOffsets.append(UInt64(textBlob.count))
        }
      }
      try w.emit(textOffsets)
      try w.emit(textBlob)
      try w.emit([UInt64]())
    } else {
      try w.emit([UInt64]())
      try w.emit([UInt8]())
      var lineStart: [UInt64] = []
      lineStart.reserveCapacity(unitCount + 1)
      for k in chunks.indices {
        lineStart += chunks[k].lineStart
        chunks[k].lineStart = []
      }
      lineStart.append(UInt64(endOffset))
      try w.emit(lineStart)
    }
    let workers = keys == nil ? max(1, threads ?? cores) : 1
    // From here the arrays are written in order on a thread of their own
    // while this one goes on merging (one thread: each at once).
    let writes = OrderedWrites(background: workers > 1)
    let writer = UncheckedBox(w)
    // Unit keys sorted by hash (ties by unit), for duplicate checks.
    let fullFromStart = header.chunks.first.map { _ in header.baseSize == 0 } ?? false
    let chunkTable = fullFromStart ? header.chunks : []
    var unitBase: [Int] = []
    do {
      var hashes: [UInt64] = []
      hashes.reserveCapacity(unitCount)
      for k in chunks.indices {
        unitBase.append(hashes.count)
        hashes += chunks[k].unitHash
        chunks[k].unitHash = []
      }
      let unitHashes = hashes
      hashes = []
      let chunkEnds = chunkTable.map(\.0), chunkHashes = chunkTable.map(\.1)
      try writes.add {
        let sorted = radixSorted(unitHashes)
        try writer.value.emit(sorted.keys)
        try writer.value.emit(sorted.order)
        try writer.value.emit(chunkEnds)
        try writer.value.emit(chunkHashes)
        trace("lines and unit keys written")
      }
    }
    // Sections, one after another, each merged on every core (with ICU
    // objects handed in: on this thread) and written while the next merges.
    var sectionParts: [[SectionPart]] = []
    for s in LookupIndex.sections.indices {
      var parts: [SectionPart] = []
      for k in chunks.indices {
        parts.append(chunks[k].sections[s])
        chunks[k].sections[s] = SectionPart()
      }
      sectionParts.append(parts)
    }
    chunks = []
    for s in sectionParts.indices {
      var parts = sectionParts[s]
      sectionParts[s] = []
      let merged = UncheckedBox(
        Pending(mergeSection(&parts, unitBase: unitBase, section: LookupIndex.sections[s], keys: keys, threads: workers)))
      try writes.add {
        try merged.value.arrays.emit(to: writer.value)
        trace("section \(LookupIndex.sections[s].rawValue): written")
      }
    }
    try writes.finish()
    guard w.table.count == LookupIndex.arrayCount else { throw TMError(.io, "index layout mismatch") }
    var t: [UInt8] = []
    for (off, n) in w.table {
      withUnsafeBytes(of: off.littleEndian) { t.append(contentsOf: $0) }
      withUnsafeBytes(of: n.littleEndian) { t.append(contentsOf: $0) }
    }
    try sink.patch(t, at: tableAt)
  }

  /// Indices of 32-bit `keys` in ascending key order (ties by index): one
  /// plain sort of (key, index) packed in a word.
  static func sortedOrder(_ keys: [UInt32]) -> [UInt32] {
    var packed = [UInt64](unsafeUninitializedCapacity: keys.count) { b, n in
      for i in 0..<keys.count { b[i] = UInt64(keys[i]) << 32 | UInt64(i) }
      n = keys.count
    }
    packed.sort()
    return packed.map { UInt32(truncatingIfNeeded: $0) }
  }

  /// Indices of `keys` in ascending key order (ties by index).
  static func sortedOrder(_ keys: [UInt64]) -> [UInt32] {
    var order = (0..<UInt32(keys.count)).map { $0 }
    keys.withUnsafeBufferPointer { k in
      order.sort { a, b in
        let x = k[Int(a)], y = k[Int(b)]
        return x != y ? x < y : a < b
      }
    }
    return order
  }

  /// Writes run in the order they are added, on one thread of their own
  /// (`background`) or at once; the first error stops the rest and is
  /// thrown by `finish`.
  final class OrderedWrites: @unchecked Sendable {
    private let queue = DispatchQueue(label: "tm.index.write")
    private let background: Bool
    /// Set on the queue, read after it drained.
    private var error: (any Error)? = nil
    init(background: Bool) { self.background = background }

    func add(_ job: @escaping @Sendable () throws -> Void) throws {
      guard background else { return try job() }
      queue.async {
        guard self.error == nil else { return }
        do { try job() } catch { self.error = error }
      }
    }

    /// Waits for every write; throws the first error.
    func finish() throws {
      if background { queue.sync {} }
      if let e = error { throw e }
    }
  }

  /// A value handed to the writing thread, used by one thread at a time
  /// (`OrderedWrites` runs the writes one after another).
  final class UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
  }

  /// A merged section waiting to be written (freed as it is).
  final class Pending {
    var arrays: SectionArrays
    init(_ arrays: SectionArrays) { self.arrays = arrays }
  }

  /// The 18 arrays of a section (see `LookupIndex.Section`), in file order.
  struct SectionArrays {
    var entryUnit: [UInt32] = []
    var entryColumn: [UInt8] = []
    var tokStart: [UInt32] = []
    var tokens: [UInt32] = []
    var vocabOff: [UInt32] = []
    var vocabBlob: [UInt8] = []
    var postStart: [UInt32] = []
    var postEntry: [UInt32] = []
    var postLength: [UInt8] = []
    var keyOff: [UInt32] = []
    var keyBlob: [UInt8] = []
    var keyPostStart: [UInt32] = []
    var keyPostings: [UInt32] = []
    var exactHash: [UInt32] = []
    var exactEntry: [UInt32] = []
    var skelHash: [UInt32] = []
    var skelEntry: [UInt32] = []
    var sigs: [UInt64] = []

    /// Writes the arrays (an empty section: offset tables left empty),
    /// freeing each once written.
    mutating func emit(to w: ArrayWriter) throws {
      let empty = entryUnit.isEmpty
      try w.emit(entryUnit)
      try w.emit(entryColumn)
      try w.emit(empty ? [] : tokStart)
      // Each entry's meta word beside where its tokens start (see
      // `LookupIndex.Section.entryMeta`).
      var meta = [UInt64](repeating: 0, count: 2 * sigs.count)
      for e in sigs.indices where e < tokStart.count {
        meta[2 * e] = sigs[e]
        meta[2 * e + 1] = UInt64(tokStart[e])
      }
      sigs = []
      tokStart = []
      try w.emit(tokens)
      tokens = []
      try w.emit(empty ? [] : vocabOff)
      try w.emit(vocabBlob)
      try w.emit(empty ? [] : postStart)
      try w.emit(postEntry)
      postEntry = []
      try w.emit(postLength)
      postLength = []
      try w.emit(empty ? [] : keyOff)
      try w.emit(keyBlob)
      try w.emit(empty ? [] : keyPostStart)
      try w.emit(keyPostings)
      try w.emit(exactHash)
      try w.emit(exactEntry)
      try w.emit(skelHash)
      try w.emit(skelEntry)
      try w.emit(meta, alignment: 16)
    }
  }

}

/// Where index bytes go: a growing buffer, or a file written as it is built.
class IndexSink {
  private(set) var count = 0
  func write(_ p: UnsafeRawBufferPointer) throws {}
  func patch(_ bytes: [UInt8], at offset: Int) throws {}
  final func append(_ p: UnsafeRawBufferPointer) throws {
    try write(p)
    count += p.count
  }
  final func pad(to alignment: Int) throws {
    let n = (alignment - count % alignment) % alignment
    if n > 0 { try [UInt8](repeating: 0, count: n).withUnsafeBytes { try append($0) } }
  }
}

final class ByteSink: IndexSink {
  var bytes: [UInt8] = []
  override func write(_ p: UnsafeRawBufferPointer) throws { bytes.append(contentsOf: p) }
  override func patch(_ b: [UInt8], at offset: Int) throws {
    for (i, x) in b.enumerated() { bytes[offset + i] = x }
  }
}

/// Writes to an open file descriptor through a 4 MiB buffer, with direct
/// I/O (`O_DIRECT`) where the file system allows it, else through the page
/// cache.
///
/// Why direct: the index is written once and then mapped for a lookup that
/// reads a few pages of it. Through the page cache every byte is copied
/// into a newly allocated page, and on this kind of machine (a VM whose
/// free pages go back to the host) that is the most expensive part of the
/// build: 500 MB took about 3 s of CPU and, the writes of one file being
/// serialised, 3 s of wall time; written directly from one reused buffer
/// it takes a fraction of that. The last block is padded to the
/// alignment direct I/O needs and the file truncated to its size; `patch`
/// (the array table, written last) goes through the page cache.
final class FileSink: IndexSink {
  let fd: Int32
  let path: String
  static let capacity = 4 << 20
  static let alignment = 4096
  private let buffer: UnsafeMutableRawPointer
  private var used = 0
  /// Bytes written to the file so far (a multiple of `capacity` while direct).
  private var flushed = 0
  private var direct: Bool

  init(fd: Int32, path: String) {
    self.fd = fd
    self.path = path
    buffer = UnsafeMutableRawPointer.allocate(byteCount: FileSink.capacity, alignment: FileSink.alignment)
    let flags = fcntl(fd, F_GETFL)
    direct = FileSink.oDirect != 0 && flags >= 0 && fcntl(fd, F_SETFL, flags | FileSink.oDirect) == 0
  }

  /// `O_DIRECT` (Linux; its value depends on the architecture and Swift's
  /// Glibc module does not export it), 0 where it is not used.
  static var oDirect: Int32 {
    #if os(Linux) && arch(x86_64)
      return 0o40000
    #elseif os(Linux) && arch(arm64)
      return 0o200000
    #else
      return 0
    #endif
  }

  deinit { buffer.deallocate() }

  override func write(_ p: UnsafeRawBufferPointer) throws {
    guard var from = p.baseAddress else { return }
    var left = p.count
    while left > 0 {
      let n = min(left, FileSink.capacity - used)
      (buffer + used).copyMemory(from: from, byteCount: n)
      used += n
      from += n
      left -= n
      if used == FileSink.capacity { try writeBuffer(count: used) }
    }
  }

  /// Writes the buffer's first `count` bytes at `flushed` (padded to the
  /// alignment when direct) and empties it.
  private func writeBuffer(count: Int) throws {
    if count == 0 { return }
    if direct {
      let padded = (count + FileSink.alignment - 1) / FileSink.alignment * FileSink.alignment
      if padded > count { (buffer + count).initializeMemory(as: UInt8.self, repeating: 0, count: padded - count) }
      let n = pwrite(fd, buffer, padded, off_t(flushed))
      if n == padded {
        flushed += count
        used = 0
        return
      }
      // Refused (a file system without direct I/O, or a short write): the
      // page cache from here on.
      guard n >= 0 || errno == EINVAL else { throw TMError(.io, "cannot write: \(String(cString: strerror(errno)))", file: path) }
      try stopDirect()
    }
    try FileIO.pwriteAll(fd, UnsafeRawBufferPointer(start: buffer, count: count), at: flushed, path: path)
    flushed += count
    used = 0
  }

  private func stopDirect() throws {
    direct = false
    let flags = fcntl(fd, F_GETFL)
    guard flags >= 0, fcntl(fd, F_SETFL, flags & ~FileSink.oDirect) == 0 else {
      throw TMError(.io, "cannot write: \(String(cString: strerror(errno)))", file: path)
    }
  }

  /// Writes what is buffered; the file then has exactly `count` bytes.
  func flush() throws {
    let wasDirect = direct
    try writeBuffer(count: used)
    if wasDirect {
      try stopDirect()
      // The padding of the last direct block goes.
      guard ftruncate(fd, off_t(flushed)) == 0 else {
        throw TMError(.io, "cannot write: \(String(cString: strerror(errno)))", file: path)
      }
    }
  }

  override func patch(_ b: [UInt8], at offset: Int) throws {
    try flush()
    try FileIO.pwriteAll(fd, b[...], at: offset, path: path)
  }
}
