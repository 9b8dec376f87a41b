import Foundation
import Testing
@testable import TMKit

/// The index as the file build writes it (many chunks, sections merged on
/// every core) against the one-chunk build on one thread and against a
/// straightforward reference computed from the texts: the same arrays, the
/// postings every entry's tokens say, and a fuzzy candidate scan that finds
/// exactly what scoring every segment finds.
@Suite struct IndexLayoutTests {
  static let words: [String] = {
    var w = [
      "Bakı", "şəhər", "prezident", "fərman", "imzalayıb", "nazir", "görüş", "keçirilib", "il", "may",
      "Президент", "подписал", "указ", "министр", "встреча", "состоялась", "года", "мая", "в", "и",
      "The", "president", "signed", "decree", "minister", "met", "the", "in", "of", "on", "Baku", "Ilham",
      "Aliyev", "Əliyev", "Алиев", "İstanbul", "ölkə", "Azərbaycan", "Россия", "Moscow",
    ]
    var r = FastPathTests.Rng(s: 31)
    for _ in 0..<300 { w.append(FastPathTests.randomText(&r, maxLength: 9).filter { $0 != " " }) }
    return w.filter { !$0.isEmpty }
  }()

  /// Units of 1 to 30 words (a few of 300, past the posting's length cap),
  /// frequent words drawn more often, numbers, some units without a
  /// language, Azerbaijani in either script.
  static func units(_ n: Int, seed: UInt64) -> [TranslationUnit] {
    var r = FastPathTests.Rng(s: seed)
    func sentence() -> String {
      let len = r.next() % 40 == 0 ? 300 : 1 + Int(r.next() % 30)
      var parts: [String] = []
      for _ in 0..<len {
        switch r.next() % 10 {
        case 0: parts.append(String(r.next() % 5000))
        case 1...5: parts.append(words[Int(r.next() % 20)])
        default: parts.append(r.pick(words))
        }
      }
      return parts.joined(separator: " ") + "."
    }
    var out: [TranslationUnit] = []
    for i in 0..<n {
      var t: [Language: String] = [:]
      if r.next() % 7 != 0 { t[r.next() % 5 == 0 ? .azCyrl : .az] = sentence() }
      if r.next() % 6 != 0 { t[.ru] = sentence() }
      if r.next() % 5 != 0 || t.isEmpty { t[.en] = sentence() + " \(i)" }
      if t.count == 1 { t[.en] = (t[.en] ?? "") + " unit \(i)" }
      out.append(TranslationUnit(texts: t))
    }
    return out
  }

  static func tempDir() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tm-idxlayout-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
  }

  /// The memory at `path` indexed from the file in chunks of `chunkBytes`.
  static func fileIndex(_ path: String, chunkBytes: Int) throws -> LookupIndex {
    let source = try #require(MemorySource(path: path))
    let headerLine = try FileIO.firstLine(fd: source.fd, path: path)
    let size = Int(try MemoryFingerprint.of(path: path).size)
    let sink = ByteSink()
    try LookupIndexBuilder.build(
      file: source.fd, path: path, headerLine: headerLine, range: headerLine.count..<size,
      header: LookupIndexBuilder.Header(fingerprint: try MemoryFingerprint.of(path: path)), to: sink,
      chunkBytes: chunkBytes)
    return try #require(LookupIndex(storage: IndexStorage(bytes: sink.bytes), memoryPath: path, source: source))
  }

  static func array<T>(_ a: IndexArray<T>) -> [T] { Array(a.slice(0, a.count)) }

  static func word(_ s: LookupIndex.Section, _ id: UInt32) -> String {
    String(decoding: s.vocabBlob.slice(Int(s.vocabOff[Int(id)]), Int(s.vocabOff[Int(id) + 1])), as: UTF8.self)
  }

  @Test func parallelMergeOfManyChunksEqualsTheOneChunkBuild() throws {
    let dir = try Self.tempDir()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/news.tsv"
    try MemoryFile.write(Self.units(1500, seed: 5), languages: [.az, .azCyrl, .ru, .en], to: path)
    let table = try MemoryFile.open(path: path)
    let file = try Self.fileIndex(path, chunkBytes: 4000)
    let one = try LookupIndex(
      bytes: try LookupIndexBuilder.build(
        languages: table.languages, units: Array(table), fingerprint: MemoryFingerprint(size: 0, mtimeNanoseconds: 0, hash: 0)),
      memoryPath: path)
    #expect(file.unitCount == one.unitCount)
    for (a, b) in zip(file.sectionData, one.sectionData) {
      #expect(a.entryCount > 500)
      #expect(Self.array(a.entryUnit) == Self.array(b.entryUnit))
      #expect(Self.array(a.entryColumn) == Self.array(b.entryColumn))
      #expect(Self.array(a.entryTokStart) == Self.array(b.entryTokStart))
      #expect(Self.array(a.tokens) == Self.array(b.tokens))
      #expect(Self.array(a.vocabOff) == Self.array(b.vocabOff))
      #expect(Self.array(a.vocabBlob) == Self.array(b.vocabBlob))
      #expect(Self.array(a.postStart) == Self.array(b.postStart))
      #expect(Self.array(a.postEntry) == Self.array(b.postEntry))
      #expect(Self.array(a.postLength) == Self.array(b.postLength))
      #expect(Self.array(a.keyOff) == Self.array(b.keyOff))
      #expect(Self.array(a.keyBlob) == Self.array(b.keyBlob))
      #expect(Self.array(a.keyPostStart) == Self.array(b.keyPostStart))
      #expect(Self.array(a.keyPostings) == Self.array(b.keyPostings))
      #expect(Self.array(a.exactHash) == Self.array(b.exactHash))
      #expect(Self.array(a.exactEntry) == Self.array(b.exactEntry))
      #expect(Self.array(a.skelHash) == Self.array(b.skelHash))
      #expect(Self.array(a.skelEntry) == Self.array(b.skelEntry))
      #expect(Self.array(a.entryMeta) == Self.array(b.entryMeta))
    }
    // The same file built twice is the same bytes, whatever order the
    // sections finish in.
    let sinks = try (0..<2).map { _ in
      let source = try #require(MemorySource(path: path))
      let headerLine = try FileIO.firstLine(fd: source.fd, path: path)
      let sink = ByteSink()
      try LookupIndexBuilder.build(
        file: source.fd, path: path, headerLine: headerLine,
        range: headerLine.count..<Int(try MemoryFingerprint.of(path: path).size),
        header: LookupIndexBuilder.Header(fingerprint: try MemoryFingerprint.of(path: path)), to: sink, chunkBytes: 3000)
      return sink.bytes
    }
    #expect(sinks[0] == sinks[1])
  }

  /// The file's bytes on one thread and on two, three and four threads
  /// (each section's merge split among them: vocabulary partitions, runs
  /// of chunks, runs of the postings order) are the same.
  @Test func buildOnManyThreadsIsTheOneThreadBuildByteForByte() throws {
    let dir = try Self.tempDir()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/news.tsv"
    try MemoryFile.write(Self.units(2500, seed: 9), languages: [.az, .azCyrl, .ru, .en], to: path)
    let source = try #require(MemorySource(path: path))
    let headerLine = try FileIO.firstLine(fd: source.fd, path: path)
    let fp = try MemoryFingerprint.of(path: path)
    func bytes(threads: Int, chunkBytes: Int) throws -> [UInt8] {
      let sink = ByteSink()
      try LookupIndexBuilder.build(
        file: source.fd, path: path, headerLine: headerLine, range: headerLine.count..<Int(fp.size),
        header: LookupIndexBuilder.Header(fingerprint: fp), to: sink, chunkBytes: chunkBytes, threads: threads)
      return sink.bytes
    }
    let one = try bytes(threads: 1, chunkBytes: 5000)
    #expect(one.count > 100_000)
    for t in [2, 3, 4] { #expect(try bytes(threads: t, chunkBytes: 5000) == one, "\(t) threads") }
    // Chunking changes the chunk table only: the sections are the same.
    let whole = try #require(LookupIndex(storage: IndexStorage(bytes: try bytes(threads: 4, chunkBytes: 1 << 30)), memoryPath: path, source: source))
    let many = try #require(LookupIndex(storage: IndexStorage(bytes: one), memoryPath: path, source: source))
    for (a, b) in zip(whole.sectionData, many.sectionData) {
      #expect(Self.array(a.tokens) == Self.array(b.tokens))
      #expect(Self.array(a.postEntry) == Self.array(b.postEntry))
      #expect(Self.array(a.keyPostings) == Self.array(b.keyPostings))
    }
  }

  /// The radix sorts of the hash tables give `sortedOrder`'s order: keys
  /// ascending, ties by index (many ties, and keys using every bit).
  @Test func radixSortsEqualTheComparisonSort() {
    var r = FastPathTests.Rng(s: 3)
    for n in [0, 1, 7, LookupIndexBuilder.radixMinimum - 1, LookupIndexBuilder.radixMinimum, 5000, 70_000] {
      let k32 = (0..<n).map { _ in r.next() % 3 == 0 ? UInt32(r.next() % 50) : UInt32(truncatingIfNeeded: r.next()) }
      let s32 = LookupIndexBuilder.radixSorted(k32)
      let o32 = LookupIndexBuilder.sortedOrder(k32)
      #expect(s32.order == o32)
      #expect(s32.keys == o32.map { k32[Int($0)] })
      let k64 = (0..<n).map { _ in r.next() % 3 == 0 ? UInt64(r.next() % 50) << 40 : UInt64(r.next()) &* 0x9E37_79B9_7F4A_7C15 }
      let s64 = LookupIndexBuilder.radixSorted(k64)
      let o64 = LookupIndexBuilder.sortedOrder(k64)
      #expect(s64.order == o64)
      #expect(s64.keys == o64.map { k64[Int($0)] })
    }
  }

  /// Every array of every section against the texts: entries, their
  /// tokens, postings ordered by (length, entry) with capped lengths,
  /// signatures, exact and skeleton hashes.
  @Test func sectionsHoldWhatTheTextsSay() throws {
    let dir = try Self.tempDir()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/news.tsv"
    try MemoryFile.write(Self.units(1200, seed: 9), languages: [.az, .azCyrl, .ru, .en], to: path)
    let table = try MemoryFile.open(path: path)
    let idx = try Self.fileIndex(path, chunkBytes: 5000)
    let keys = LookupKeys()
    var long = 0
    for (si, section) in LookupIndex.sections.enumerated() {
      let sec = idx.sectionData[si]
      // Entries: the units with a text for the section, in order.
      var expected: [(unit: Int, column: Int, words: [String], text: String, key: String)] = []
      for u in 0..<table.count {
        let texts = table[u].texts
        guard
          let (c, t) = LookupIndexBuilder.sourceColumn(
            texts: { texts[$0] }, section: section, columns: table.languages)
        else { continue }
        let lang = table.languages[c]
        let key = keys.key(t, language: lang)
        expected.append((u, c, keys.tokens(ofKey: key, language: lang).map { String($0.text) }, t, key))
      }
      try #require(sec.entryCount == expected.count)
      var containing: [String: [Int]] = [:]
      for (e, x) in expected.enumerated() {
        #expect(Int(sec.entryUnit[e]) == x.unit)
        #expect(Int(sec.entryColumn[e]) == x.column)
        let toks = sec.tokens(of: e)
        #expect(toks.map { Self.word(sec, $0) } == x.words)
        #expect(sec.length(of: e) == x.words.count)
        if x.words.count >= 255 { long += 1 }
        var sig: UInt64 = 0
        for t in toks { sig |= LookupIndex.Section.sigBit(t) }
        #expect(sec.entryMeta[2 * e] == LookupIndex.Section.meta(length: x.words.count, signature: sig))
        #expect(sec.entryMeta[2 * e + 1] == UInt64(sec.entryTokStart[e]))
        for w in Set(x.words) { containing[w, default: []].append(e) }
        #expect(
          LookupIndex.lookup(fnv1a64(x.text.utf8), hashes: sec.exactHash, entries: sec.exactEntry).contains(e))
      }
      // Postings: per word, the entries holding it by (length, entry).
      #expect(sec.vocabCount == containing.count)
      for v in 0..<sec.vocabCount {
        let w = Self.word(sec, UInt32(v))
        let want = (containing[w] ?? []).sorted { a, b in
          let la = expected[a].words.count, lb = expected[b].words.count
          return la != lb ? la < lb : a < b
        }
        #expect(sec.postings(v).map { Int($0) } == want, "\(w)")
        let all = sec.postings(v, lengths: 0...Int.max)
        #expect((0..<all.count).map { all.cappedLength($0) } == want.map { min(expected[$0].words.count, 255) })
        // A length window is the slice of the list with those lengths.
        for window in [1...3, 4...12, 10...10, 20...400] {
          let p = sec.postings(v, lengths: window)
          let inWindow = want.filter { e in
            let c = min(expected[e].words.count, 255)
            return c >= window.lowerBound && (window.upperBound >= 255 || c <= window.upperBound)
          }
          #expect((0..<p.count).map { p.entry($0) } == inWindow, "\(w) \(window)")
        }
      }
    }
    #expect(long > 0)
  }

  /// The fuzzy candidate scan (postings read outward from the query's
  /// length, signature and shared-token bounds, the k-th best score
  /// narrowing the window) finds exactly the segments that scoring every
  /// segment sharing a word with the query finds.
  @Test func candidateScanEqualsScoringEverySegment() throws {
    let dir = try Self.tempDir()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/news.tsv"
    let units = Self.units(1200, seed: 13)
    try MemoryFile.write(units, languages: [.az, .azCyrl, .ru, .en], to: path)
    let table = try MemoryFile.open(path: path)
    let idx = try Self.fileIndex(path, chunkBytes: 6000)
    let matcher = Matcher(indexes: [idx])
    let keys = LookupKeys()
    var r = FastPathTests.Rng(s: 77)
    var compared = 0
    for round in 0..<90 {
      let lang: Language = [.az, .ru, .en][round % 3]
      let si = LookupIndex.sections.firstIndex(of: lang) ?? 0
      let sec = idx.sectionData[si]
      // A stored segment with words changed, dropped and added.
      let e0 = Int(r.next() % UInt64(sec.entryCount))
      var qw = sec.tokens(of: e0).map { Self.word(sec, $0) }
      guard qw.count >= 4, qw.count <= 40 else { continue }
      for _ in 0..<(1 + Int(r.next() % 4)) {
        let i = Int(r.next() % UInt64(qw.count))
        switch r.next() % 3 {
        case 0: qw[i] = r.pick(Self.words).lowercased()
        case 1: if qw.count > 4 { qw.remove(at: i) }
        default: qw.insert(String(r.next() % 9000), at: i)
        }
      }
      let text = qw.joined(separator: " ")
      compared += Self.expectScanEqualsScoringEverySegment(
        matcher, idx, section: si, text: text, language: lang, keys: keys,
        pools: [(50.0, 0), (30.0, 5), (70.0, 1), (10.0, 40)])
    }
    #expect(compared > 150)
    _ = table
  }

  /// Queries not taken from a stored segment: words repeated (the same
  /// frequent word two or three times, so one prefix token covers several
  /// of the query's tokens), rare words and numbers mixed in, 4 to 30
  /// tokens, against memories where many segments share the frequent words.
  /// A segment first met in a later prefix token's postings is bounded by
  /// the query tokens not yet scanned; this checks that bound loses
  /// nothing against scoring every segment, at floors and pool sizes where
  /// the threshold rises during the scan.
  @Test func scanWithRepeatedAndRareQueryWordsEqualsScoringEverySegment() throws {
    var compared = 0
    for seed in [5, 21] as [UInt64] {
      let dir = try Self.tempDir()
      defer { try? FileManager.default.removeItem(atPath: dir) }
      let path = dir + "/desk.tsv"
      try MemoryFile.write(Self.units(900, seed: seed), languages: [.az, .azCyrl, .ru, .en], to: path)
      let idx = try Self.fileIndex(path, chunkBytes: 5000)
      let matcher = Matcher(indexes: [idx])
      let keys = LookupKeys()
      var r = FastPathTests.Rng(s: seed &* 1000 &+ 3)
      for round in 0..<60 {
        let lang: Language = [.az, .ru, .en][round % 3]
        let si = LookupIndex.sections.firstIndex(of: lang) ?? 0
        var qw: [String] = []
        let n = 4 + Int(r.next() % 27)
        while qw.count < n {
          switch r.next() % 8 {
          case 0: qw.append(String(r.next() % 5000))
          case 1, 2:
            let w = Self.words[Int(r.next() % 20)]
            for _ in 0..<(1 + Int(r.next() % 3)) { qw.append(w) }
          case 3...5: qw.append(Self.words[Int(r.next() % 20)])
          default: qw.append(r.pick(Self.words))
          }
        }
        let text = qw.joined(separator: " ")
        compared += Self.expectScanEqualsScoringEverySegment(
          matcher, idx, section: si, text: text, language: lang, keys: keys,
          pools: [(20.0, 3), (40.0, 10), (60.0, 0), (15.0, 40), (1.0, 1)])
      }
    }
    #expect(compared > 400)
  }

  /// The matcher's fuzzy matches for `text` at each (floor, keep) against
  /// scoring every segment of the section sharing a word with the query;
  /// returns how many pools were compared (none for a short query, which
  /// also takes similar words).
  static func expectScanEqualsScoringEverySegment(
    _ matcher: Matcher, _ idx: LookupIndex, section si: Int, text: String, language lang: Language,
    keys: LookupKeys, pools: [(Double, Int)]
  ) -> Int {
    let sec = idx.sectionData[si]
    let q = LookupQuery(text: text, language: lang)
    let key = keys.key(text.nfc, language: lang)
    let qTokens = keys.tokens(ofKey: key, language: lang)
    let qWords = qTokens.map { String($0.text) }
    guard qWords.count > Matcher.similarWordQueryLength else { return 0 }
    let qSet = Set(qWords)
    var scores: [Int: Double] = [:]
    for e in 0..<sec.entryCount {
      let words = sec.tokens(of: e).map { Self.word(sec, $0) }
      guard words.contains(where: { qSet.contains($0) }) else { continue }
      let d = TokenDistance.distance(qWords, words) ?? max(qWords.count, words.count)
      scores[e] = TokenDistance.score(distance: d, qWords.count, words.count)
    }
    for (floor, keep) in pools {
      let got = matcher.search(
        idx, order: 0, query: q, text: text.nfc, key: key, tokens: qTokens, floor: floor, keep: keep)
      var fuzzy: [Int: Double] = [:]
      var others = Set<Int>()
      for m in got {
        if m.kind == .fuzzy { fuzzy[m.localUnit] = m.score } else { others.insert(m.localUnit) }
      }
      var cut = floor
      let ranked = scores.values.filter { $0 >= floor }.sorted(by: >)
      if keep > 0, ranked.count >= keep { cut = max(floor, ranked[keep - 1]) }
      var want: [Int: Double] = [:]
      for (e, s) in scores where s >= cut - 1e-9 {
        let u = Int(sec.entryUnit[e])
        if !others.contains(u) { want[u] = min(s, 99) }
      }
      #expect(fuzzy == want, "\(text) floor \(floor) keep \(keep)")
    }
    return pools.count
  }

  /// The file sink (direct I/O from a 4 MiB buffer, the last block padded
  /// then truncated, the table patched through the page cache) writes the
  /// same bytes as the in-memory sink.
  @Test func fileSinkWritesWhatTheByteSinkHolds() throws {
    let dir = try Self.tempDir()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var r = FastPathTests.Rng(s: 41)
    for total in [0, 100, 4096, FileSink.capacity, FileSink.capacity + 1, 2 * FileSink.capacity + 12345] {
      let path = dir + "/x-\(total).idx"
      let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o644)
      try #require(fd >= 0)
      defer { close(fd) }
      let file = FileSink(fd: fd, path: path)
      let mem = ByteSink()
      var left = total
      while left > 0 {
        // Pieces from a byte to past the buffer's size.
        let n = min(left, r.next() % 4 == 0 ? Int(r.next() % UInt64(FileSink.capacity + 5000)) + 1 : Int(r.next() % 3000) + 1)
        let piece = (0..<n).map { _ in UInt8(truncatingIfNeeded: r.next()) }
        for sink in [file, mem] as [IndexSink] { try piece.withUnsafeBytes { try sink.append($0) } }
        if r.next() % 5 == 0 { for sink in [file, mem] as [IndexSink] { try sink.pad(to: 8) } }
        left -= n
      }
      if mem.count >= 16 {
        for sink in [file, mem] as [IndexSink] { try sink.patch([1, 2, 3, 4, 5, 6, 7, 8], at: 8) }
      }
      try file.flush()
      #expect(file.count == mem.count)
      let written = try #require(FileManager.default.contents(atPath: path))
      #expect(written.count == mem.bytes.count)
      #expect(Array(written) == mem.bytes, "\(total) bytes")
    }
  }

  @Test func anIndexOfTheFormerVersionIsRebuiltNotRead() throws {
    let dir = try Self.tempDir()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/news.tsv"
    try MemoryFile.write(Self.units(200, seed: 3), languages: [.az, .ru, .en], to: path)
    let first = try LookupIndex.open(memoryPath: path)
    #expect(first.rebuilt && first.saved)
    #expect(try LookupIndex.open(memoryPath: path).rebuilt == false)
    // The same bytes stamped with version 10 (8-byte postings): not read.
    var bytes = try #require(FileManager.default.contents(atPath: LookupIndex.indexPath(for: path))).map { $0 }
    withUnsafeBytes(of: UInt64(10).littleEndian) { for (i, b) in $0.enumerated() { bytes[8 + i] = b } }
    #expect(LookupIndex(storage: IndexStorage(bytes: bytes), memoryPath: path, source: MemorySource(path: path)) == nil)
    try Data(bytes).write(to: URL(fileURLWithPath: LookupIndex.indexPath(for: path)))
    let again = try LookupIndex.open(memoryPath: path)
    #expect(again.rebuilt)
    #expect(again.indexes.first?.unitCount == 200)
  }
}
