#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import Dispatch

/// The merge of one index section's chunk parts, on `threads` threads.
///
/// Sections are merged one after another, each on every core, so no core
/// waits for a section that another merges alone and only one section's
/// transient arrays exist at a time. Every step is split so that each
/// thread writes its own positions of the output and the result is the
/// same bytes for any number of threads (`IndexLayoutTests` compares a
/// four-thread build with the one-thread build byte for byte):
/// - the global vocabulary: each thread collects the words of its hash
///   partition from every chunk, sorts them, and the sorted partitions are
///   merged;
/// - entries and tokens: each thread renumbers a run of chunks into its own
///   part of the arrays;
/// - postings, ordered by (segment length, entry): a counting sort by
///   length, then each thread counts and places the postings of one part of
///   that order (a word's postings from the first part come first);
/// - the exact and skeleton hash tables: stable radix sorts, one per thread.
extension LookupIndexBuilder {
  /// A buffer whose disjoint parts the merge's threads write.
  struct SharedBuffer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
    @inline(__always) subscript(i: Int) -> T {
      get { base[i] }
      nonmutating set { base[i] = newValue }
    }
  }

  /// One value per thread, each written by its thread and read after all finished.
  final class PerThread<T>: @unchecked Sendable {
    private var values: [T?]
    init(_ n: Int) { values = Array(repeating: nil, count: n) }
    func set(_ t: Int, _ v: T) { values.withUnsafeMutableBufferPointer { $0[t] = v } }
    func take(_ t: Int) -> T? {
      let v = values[t]
      values[t] = nil
      return v
    }
  }

  /// Runs `body(t)` for every `t` in `0..<threads` at once (inline for one).
  static func onThreads(_ threads: Int, _ body: @Sendable (Int) -> Void) {
    if threads <= 1 {
      body(0)
      return
    }
    DispatchQueue.concurrentPerform(iterations: threads, execute: body)
  }

  /// An array of `n` values, every one written by `fill(t, out)` on thread `t`.
  static func parallelArray<T: BitwiseCopyable>(
    _ n: Int, threads: Int, _ fill: @Sendable (Int, SharedBuffer<T>) -> Void
  ) -> [T] {
    [T](unsafeUninitializedCapacity: n) { b, c in
      if n > 0, let base = b.baseAddress {
        let out = SharedBuffer(base: base)
        onThreads(threads) { t in fill(t, out) }
      }
      c = n
    }
  }

  /// Boundaries of `parts` runs of `0..<weights.count` of about equal total
  /// weight: `b[0] = 0 ... b[parts] = weights.count`.
  static func runs(_ weights: [Int], parts: Int) -> [Int] {
    let total = weights.reduce(0, +)
    var b = [0]
    var acc = 0
    for (i, w) in weights.enumerated() {
      acc += w
      while b.count < parts && acc * parts >= total * b.count && i + 1 < weights.count { b.append(i + 1) }
    }
    while b.count < parts { b.append(weights.count) }
    b.append(weights.count)
    return b
  }

  /// Even boundaries of `0..<n` in `parts` runs.
  static func runs(count n: Int, parts: Int) -> [Int] { (0...parts).map { n * $0 / parts } }

  /// The chunk parts of one section, read by the merge's threads, each
  /// freed by the thread that used it last.
  final class PartStore: @unchecked Sendable {
    let parts: UnsafeMutableBufferPointer<SectionPart>
    init(_ a: inout [SectionPart]) {
      parts = .allocate(capacity: a.count)
      _ = parts.initialize(fromContentsOf: a)
      a = []
    }
    deinit {
      _ = parts.deinitialize()
      parts.deallocate()
    }
    var count: Int { parts.count }
    subscript(k: Int) -> SectionPart { parts[k] }
    func free(_ k: Int) { parts[k] = SectionPart() }
  }

  /// The hash partition (of `partitions`) a word belongs to (bits the
  /// vocabulary's table uses for neither slot nor tag of these sizes).
  @inline(__always) static func partition(_ h: UInt64, _ partitions: Int) -> Int {
    partitions == 1 ? 0 : Int((h >> 24) & 0xFF) % partitions
  }

  /// Merges one section's parts (global vocabulary sorted by bytes) into
  /// its arrays, freeing the parts as it goes.
  static func mergeSection(
    _ partsIn: inout [SectionPart], unitBase: [Int], section: Language, keys: LookupKeys?, threads: Int
  ) -> SectionArrays {
    let store = PartStore(&partsIn)
    let chunkCount = store.count
    let threads = max(1, threads)
    trace("section \(section.rawValue): merge")
    // Where each chunk's words, entries and tokens go.
    var wordBase = [0], entryBase = [0], tokBase = [0]
    for k in 0..<chunkCount {
      let p = store[k]
      wordBase.append(wordBase[k] + p.vocab.count)
      entryBase.append(entryBase[k] + p.entryUnit.count)
      tokBase.append(tokBase[k] + p.tokens.count)
    }
    let words = wordBase, entries = entryBase, toks = tokBase
    let entryTotal = entries[chunkCount], tokenTotal = toks[chunkCount]

    // 1. The global vocabulary, one hash partition per thread: each chunk's
    // word → (partition << 28 | id in the partition), sorted by bytes there.
    let vocabs = PerThread<(ByteVocab, [UInt32])>(threads)
    let toPartition: [UInt32] = parallelArray(words[chunkCount], threads: threads) { p, out in
      var g = ByteVocab(capacity: words[chunkCount] / threads / 2)
      let tag = UInt32(p) << 28
      for k in 0..<chunkCount {
        let v = store[k].vocab
        v.hashes.withUnsafeBufferPointer { hs in
          for local in 0..<v.count where partition(hs[local], threads) == p {
            out[words[k] + local] = tag | v.withWord(local) { g.id($0, hash: hs[local]) }
          }
        }
      }
      g.dropTable()
      vocabs.set(p, (g, sortedByBytes(g)))
    }
    var parts: [(vocab: ByteVocab, order: [UInt32])] = []
    for p in 0..<threads { if let v = vocabs.take(p) { parts.append((v.0, v.1)) } }
    trace("section \(section.rawValue): vocabulary")
    // The partitions' sorted words merged (one thread: the rank of each
    // (partition, id), the sorted table) while another copies the arrays
    // that do not depend on the words' order.
    var rankBase = [0]
    for p in parts { rankBase.append(rankBase[rankBase.count - 1] + p.vocab.count) }
    let n = rankBase[parts.count]
    let sortedParts = parts, partBase = rankBase
    parts = []
    let merged = PerThread<([UInt32], [UInt32], [UInt8])>(1)
    let copied = PerThread<([UInt32], [UInt8], [UInt32], [UInt32], [UInt32])>(1)
    let byTokens = runs((0..<chunkCount).map { toks[$0 + 1] - toks[$0] + 1 }, parts: threads)
    let oneRun = [0, chunkCount]
    let base = unitBase.map { UInt32($0) }
    /// entryUnit, entryColumn, tokStart, exact, skel: thread `t` of `n`
    /// copies the chunks `r[t]..<r[t + 1]`.
    @Sendable func copies(_ r: [Int], _ n: Int) -> ([UInt32], [UInt8], [UInt32], [UInt32], [UInt32]) {
      let entryUnit: [UInt32] = parallelArray(entryTotal, threads: n) { t, out in
        for k in r[t]..<r[t + 1] {
          var at = entries[k]
          for u in store[k].entryUnit {
            out[at] = base[k] + u
            at += 1
          }
        }
      }
      let entryColumn: [UInt8] = parallelArray(entryTotal, threads: n) { t, out in
        for k in r[t]..<r[t + 1] {
          var at = entries[k]
          for c in store[k].entryColumn {
            out[at] = c
            at += 1
          }
        }
      }
      let tokStart: [UInt32] = parallelArray(entryTotal + 1, threads: n) { t, out in
        if t == 0 { out[0] = 0 }
        for k in r[t]..<r[t + 1] {
          var at = entries[k] + 1
          var s = UInt32(toks[k])
          for c in store[k].tokenCount {
            s += c
            out[at] = s
            at += 1
          }
        }
      }
      let exact: [UInt32] = parallelArray(entryTotal, threads: n) { t, out in
        for k in r[t]..<r[t + 1] {
          var at = entries[k]
          for h in store[k].exact {
            out[at] = h
            at += 1
          }
        }
      }
      let skel: [UInt32] = parallelArray(entryTotal, threads: n) { t, out in
        for k in r[t]..<r[t + 1] {
          var at = entries[k]
          for h in store[k].skel {
            out[at] = h
            at += 1
          }
        }
      }
      return (entryUnit, entryColumn, tokStart, exact, skel)
    }
    onThreads(min(threads, 2)) { t in
      if t == 0 {
        var rank = [UInt32](repeating: 0, count: n)
        var vocabOff: [UInt32] = [0]
        var vocabBlob: [UInt8] = []
        vocabOff.reserveCapacity(n + 1)
        vocabBlob.reserveCapacity(sortedParts.reduce(0) { $0 + $1.vocab.blob.count })
        var head = [Int](repeating: 0, count: sortedParts.count)
        for r in 0..<n {
          // The smallest next word of the partitions (few: a linear choice).
          var best = -1
          for p in sortedParts.indices where head[p] < sortedParts[p].order.count {
            if best < 0
              || lessWord(
                sortedParts[p].vocab, Int(sortedParts[p].order[head[p]]), sortedParts[best].vocab,
                Int(sortedParts[best].order[head[best]]))
            {
              best = p
            }
          }
          let id = Int(sortedParts[best].order[head[best]])
          head[best] += 1
          rank[partBase[best] + id] = UInt32(r)
          sortedParts[best].vocab.withWord(id) { vocabBlob.append(contentsOf: $0) }
          vocabOff.append(UInt32(vocabBlob.count))
        }
        merged.set(0, (rank, vocabOff, vocabBlob))
      }
      if t == 1 { copied.set(0, copies(oneRun, 1)) }
    }
    var out = SectionArrays()
    let (unitsCopied, columnsCopied, startsCopied, exact, skel) = copied.take(0) ?? copies(byTokens, threads)
    out.entryUnit = unitsCopied
    out.entryColumn = columnsCopied
    out.tokStart = startsCopied
    var rank: [UInt32] = []
    if let m = merged.take(0) {
      rank = m.0
      out.vocabOff = m.1
      out.vocabBlob = m.2
    }
    trace("section \(section.rawValue): vocabulary sorted, entries")
    // Each chunk's word ids → global sorted ids.
    let bases = rankBase.map { UInt32($0) }
    let ranks = rank
    rank = []
    let toSorted: [UInt32] = parallelArray(toPartition.count, threads: threads) { t, out in
      let r = runs(count: toPartition.count, parts: threads)
      toPartition.withUnsafeBufferPointer { tp in
        ranks.withUnsafeBufferPointer { rk in
          for i in r[t]..<r[t + 1] {
            let v = tp[i]
            out[i] = rk[Int(bases[Int(v >> 28)] + (v & 0x0FFF_FFFF))]
          }
        }
      }
    }
    // Tokens renumbered: each thread a run of chunks.
    out.tokens = parallelArray(tokenTotal, threads: threads) { t, out in
      toSorted.withUnsafeBufferPointer { map in
        for k in byTokens[t]..<byTokens[t + 1] {
          var at = toks[k]
          let w = words[k]
          store[k].tokens.withUnsafeBufferPointer { ts in
            for x in ts {
              out[at] = map[w + Int(x)]
              at += 1
            }
          }
          store.free(k)
        }
      }
    }
    trace("section \(section.rawValue): tokens")
    buildPostings(&out, wordCount: n, threads: threads)
    trace("section \(section.rawValue): postings")
    // Cross-script keys of the words (not numbers), in parallel.
    let keyOfWord = crossScriptKeys(
      vocabOff: out.vocabOff, vocabBlob: out.vocabBlob, section: section, keys: keys, threads: threads)
    trace("section \(section.rawValue): cross-script keys")
    // Per key, the ids of its words (their postings are merged at lookup),
    // beside the hash tables: hashes are kept as their top 32 bits, every
    // candidate they give is checked against its text (exact) or its
    // recomputed skeleton.
    let hashTables = PerThread<([UInt32], [UInt32])>(2)
    let keyTable = PerThread<([UInt32], [UInt8], [UInt32], [UInt32])>(1)
    onThreads(min(threads, 2)) { t in
      if t == 0 || threads == 1 {
        var keyWords: [String: [Int]] = [:]
        for (id, k) in keyOfWord.enumerated() where !k.isEmpty { keyWords[k, default: []].append(id) }
        let keyList = keyWords.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var keyOff: [UInt32] = [0], keyBlob: [UInt8] = [], keyPostStart: [UInt32] = [0], keyPostings: [UInt32] = []
        for k in keyList {
          keyBlob.append(contentsOf: k.utf8)
          keyOff.append(UInt32(keyBlob.count))
          for v in keyWords[k] ?? [] { keyPostings.append(UInt32(v)) }
          keyPostStart.append(UInt32(keyPostings.count))
        }
        keyTable.set(0, (keyOff, keyBlob, keyPostStart, keyPostings))
      }
      if t == 1 || threads == 1 {
        hashTables.set(0, radixSorted(exact))
        hashTables.set(1, radixSorted(skel))
      }
    }
    if let kt = keyTable.take(0) {
      out.keyOff = kt.0
      out.keyBlob = kt.1
      out.keyPostStart = kt.2
      out.keyPostings = kt.3
    }
    if let h = hashTables.take(0) {
      out.exactHash = h.0
      out.exactEntry = h.1
    }
    if let h = hashTables.take(1) {
      out.skelHash = h.0
      out.skelEntry = h.1
    }
    trace("section \(section.rawValue): keys and hashes")
    return out
  }

  /// Whether word `a` of `va` sorts before word `b` of `vb` (by bytes).
  @inline(__always) static func lessWord(_ va: ByteVocab, _ a: Int, _ vb: ByteVocab, _ b: Int) -> Bool {
    va.withWord(a) { x in
      vb.withWord(b) { y in
        let m = min(x.count, y.count)
        let c = m == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, m)
        return c != 0 ? c < 0 : x.count < y.count
      }
    }
  }

  /// The ids of a vocabulary's words in byte order.
  static func sortedByBytes(_ v: ByteVocab) -> [UInt32] {
    let n = v.count
    var order = [UInt32](unsafeUninitializedCapacity: n) { b, c in
      for i in 0..<n { b[i] = UInt32(i) }
      c = n
    }
    v.blob.withUnsafeBufferPointer { blob in
      v.ends.withUnsafeBufferPointer { ends in
        let base = blob.baseAddress
        order.sort { x, y in
          let a = x == 0 ? 0 : Int(ends[Int(x) - 1]), an = Int(ends[Int(x)]) - a
          let b = y == 0 ? 0 : Int(ends[Int(y) - 1]), bn = Int(ends[Int(y)]) - b
          let c = (an == 0 || bn == 0) ? 0 : memcmp(base! + a, base! + b, min(an, bn))
          return c != 0 ? c < 0 : an < bn
        }
      }
    }
    return order
  }

  /// Postings (ordered by segment length, then entry) and segment
  /// signatures from the entries' tokens.
  static func buildPostings(_ out: inout SectionArrays, wordCount: Int, threads: Int) {
    let entryCount = out.entryUnit.count
    guard entryCount > 0 else {
      out.postStart = [UInt32](repeating: 0, count: wordCount + 1)
      out.sigs = []
      return
    }
    let tokStart = out.tokStart, tokens = out.tokens
    // Postings ordered by (segment length, entry): a counting sort by the
    // length capped at 255, each thread a run of entries; lengths of 255
    // and more are then ordered exactly, then by entry.
    let entryRuns = runs(count: entryCount, parts: threads)
    let counts = PerThread<([Int], [UInt32])>(threads)
    onThreads(threads) { t in
      var c = [Int](repeating: 0, count: 256)
      var long: [UInt32] = []
      tokStart.withUnsafeBufferPointer { ts in
        for e in entryRuns[t]..<entryRuns[t + 1] {
          let l = Int(ts[e + 1] - ts[e])
          if l >= 255 { long.append(UInt32(e)) } else { c[l] += 1 }
        }
      }
      counts.set(t, (c, long))
    }
    var perThread: [[Int]] = []
    var long: [UInt32] = []
    for t in 0..<threads {
      let (c, l) = counts.take(t) ?? ([Int](repeating: 0, count: 256), [])
      perThread.append(c)
      long += l
    }
    // Where thread t's entries of length l start.
    var at = [[Int]](repeating: [Int](repeating: 0, count: 256), count: threads)
    var pos = 0
    for l in 0..<255 {
      for t in 0..<threads {
        at[t][l] = pos
        pos += perThread[t][l]
      }
    }
    let longStart = pos
    tokStart.withUnsafeBufferPointer { ts in
      long.sort { a, b in
        let la = ts[Int(a) + 1] - ts[Int(a)], lb = ts[Int(b) + 1] - ts[Int(b)]
        return la != lb ? la < lb : a < b
      }
    }
    let starts = at, longs = long
    let byLength: [UInt32] = parallelArray(entryCount, threads: threads) { t, out in
      var next = starts[t]
      tokStart.withUnsafeBufferPointer { ts in
        for e in entryRuns[t]..<entryRuns[t + 1] {
          let l = Int(ts[e + 1] - ts[e])
          if l >= 255 { continue }
          out[next[l]] = UInt32(e)
          next[l] += 1
        }
      }
      let r = runs(count: longs.count, parts: threads)
      for i in r[t]..<r[t + 1] { out[longStart + i] = longs[i] }
    }
    // Each thread a run of that order: its document frequencies (each entry
    // once per word) and the signatures of its entries.
    let orderRuns = runs(count: entryCount, parts: threads)
    let dfs = PerThread<[UInt32]>(threads)
    out.sigs = parallelArray(entryCount, threads: threads) { t, sigs in
      var df = [UInt32](repeating: 0, count: wordCount)
      var seen = [UInt32](repeating: UInt32.max, count: wordCount)
      df.withUnsafeMutableBufferPointer { df in
        seen.withUnsafeMutableBufferPointer { seen in
          tokStart.withUnsafeBufferPointer { ts in
            tokens.withUnsafeBufferPointer { tokens in
              byLength.withUnsafeBufferPointer { order in
                for i in orderRuns[t]..<orderRuns[t + 1] {
                  let e32 = order[i], e = Int(e32)
                  var s: UInt64 = 0
                  for j in Int(ts[e])..<Int(ts[e + 1]) {
                    let w = Int(tokens[j])
                    s |= LookupIndex.Section.sigBit(tokens[j])
                    if seen[w] != e32 {
                      seen[w] = e32
                      df[w] += 1
                    }
                  }
                  sigs[e] = LookupIndex.Section.meta(length: Int(ts[e + 1] - ts[e]), signature: s)
                }
              }
            }
          }
        }
      }
      dfs.set(t, df)
    }
    // Word v's postings start at postStart[v]; thread t's part of them
    // after the earlier threads' (the frequencies become the fill points).
    var fills: [[UInt32]] = (0..<threads).map { dfs.take($0) ?? [UInt32](repeating: 0, count: wordCount) }
    var postStart = [UInt32](repeating: 0, count: wordCount + 1)
    var total: UInt32 = 0
    for v in 0..<wordCount {
      postStart[v] = total
      for t in 0..<threads {
        let d = fills[t][v]
        fills[t][v] = total
        total += d
      }
    }
    postStart[wordCount] = total
    out.postStart = postStart
    let fillAt = fills
    fills = []
    let postTotal = Int(total)
    // Entries and capped lengths, each thread at its own positions.
    var postLength = [UInt8](repeating: 0, count: postTotal)
    postLength.withUnsafeMutableBufferPointer { plb in
      guard let plBase = plb.baseAddress else { return }
      let pl = SharedBuffer(base: plBase)
      out.postEntry = parallelArray(postTotal, threads: threads) { t, pe in
        var fill = fillAt[t]
        var seen = [UInt32](repeating: UInt32.max, count: wordCount)
        fill.withUnsafeMutableBufferPointer { fill in
          seen.withUnsafeMutableBufferPointer { seen in
            tokStart.withUnsafeBufferPointer { ts in
              tokens.withUnsafeBufferPointer { tokens in
                byLength.withUnsafeBufferPointer { order in
                  for i in orderRuns[t]..<orderRuns[t + 1] {
                    let e32 = order[i], e = Int(e32)
                    let length = UInt8(clamping: Int(ts[e + 1] - ts[e]))
                    for j in Int(ts[e])..<Int(ts[e + 1]) {
                      let w = Int(tokens[j])
                      if seen[w] != e32 {
                        seen[w] = e32
                        let at = Int(fill[w])
                        pe[at] = e32
                        pl[at] = length
                        fill[w] += 1
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    out.postLength = postLength
  }

  /// The cross-script key of every word that starts with a letter ("" for
  /// the others), computed on every core. Word `i` is
  /// `vocabBlob[vocabOff[i]..<vocabOff[i + 1]]`.
  static func crossScriptKeys(
    vocabOff: [UInt32], vocabBlob: [UInt8], section: Language, keys shared: LookupKeys? = nil, threads: Int
  ) -> [String] {
    let n = max(0, vocabOff.count - 1)
    // The word, when it starts with a letter (most words of a memory are
    // numbers: decided on the first byte).
    @Sendable func letterWord(_ i: Int) -> String? {
      let a = Int(vocabOff[i]), b = Int(vocabOff[i + 1])
      guard a < b else { return nil }
      let c = vocabBlob[a]
      if c < 0x80 {
        guard (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A else { return nil }
        return String(decoding: vocabBlob[a..<b], as: UTF8.self)
      }
      let w = String(decoding: vocabBlob[a..<b], as: UTF8.self)
      guard let f = w.unicodeScalars.first, f.properties.isAlphabetic else { return nil }
      return w
    }
    if let shared, n < 5000 {
      return (0..<n).map { i in letterWord(i).map { shared.crossScript($0, language: section) } ?? "" }
    }
    let slots = KeySlots(count: n)
    let threads = max(1, min(threads, n / 5000 + 1))
    DispatchQueue.concurrentPerform(iterations: threads) { t in
      var keys: LookupKeys? = nil
      var i = t
      while i < n {
        if let w = letterWord(i) {
          if keys == nil { keys = LookupKeys() }
          slots.set(i, keys?.crossScript(w, language: section) ?? "")
        }
        i += threads
      }
    }
    return slots.values
  }

  final class KeySlots: @unchecked Sendable {
    private(set) var values: [String]
    init(count: Int) { values = Array(repeating: "", count: count) }
    func set(_ i: Int, _ v: String) { values.withUnsafeMutableBufferPointer { $0[i] = v } }
  }

  // MARK: Sorting

  /// Below this many keys the radix sorts use the comparison sort
  /// (`sortedOrder`, the same order): each radix pass clears and sums a
  /// 65,537-entry count array, which dominated the small indexes of a
  /// query's candidates that the in-database lookup builds (memset alone
  /// 16–22% of its instructions).
  static let radixMinimum = 1024

  /// The hash table of 32-bit `keys`: the keys in ascending order and the
  /// index of each (ties by index), `sortedOrder`'s order, by a stable
  /// two-pass radix sort of (key, index) words on the key's halves.
  static func radixSorted(_ keys: [UInt32]) -> (keys: [UInt32], order: [UInt32]) {
    let n = keys.count
    if n < radixMinimum {
      let o = sortedOrder(keys)
      return (o.map { keys[Int($0)] }, o)
    }
    var a = [UInt64](unsafeUninitializedCapacity: n) { b, c in
      keys.withUnsafeBufferPointer { k in for i in 0..<n { b[i] = UInt64(k[i]) << 32 | UInt64(i) } }
      c = n
    }
    var b = [UInt64](repeating: 0, count: n)
    radixPass(&a, &b, shift: 32)
    radixPass(&b, &a, shift: 48)
    let sortedKeys = a.map { UInt32(truncatingIfNeeded: $0 >> 32) }
    let order = a.map { UInt32(truncatingIfNeeded: $0) }
    return (sortedKeys, order)
  }

  /// One stable counting pass on the 16 bits of `from`'s words at `shift`, into `to`.
  static func radixPass(_ from: inout [UInt64], _ to: inout [UInt64], shift: UInt64) {
    var count = [Int](repeating: 0, count: 65537)
    from.withUnsafeBufferPointer { f in
      count.withUnsafeMutableBufferPointer { c in
        for x in f { c[Int((x >> shift) & 0xFFFF) + 1] += 1 }
        for d in 1...65536 { c[d] += c[d - 1] }
        to.withUnsafeMutableBufferPointer { t in
          for x in f {
            let d = Int((x >> shift) & 0xFFFF)
            t[c[d]] = x
            c[d] += 1
          }
        }
      }
    }
  }

  /// 64-bit `keys` in ascending order and the index of each (ties by
  /// index): a stable radix sort of (key, index), four 16-bit passes.
  static func radixSorted(_ keys: [UInt64]) -> (keys: [UInt64], order: [UInt32]) {
    let n = keys.count
    if n < radixMinimum {
      let o = sortedOrder(keys)
      return (o.map { keys[Int($0)] }, o)
    }
    var k = keys
    var o = [UInt32](unsafeUninitializedCapacity: n) { b, c in
      for i in 0..<n { b[i] = UInt32(i) }
      c = n
    }
    var k2 = [UInt64](repeating: 0, count: n)
    var o2 = [UInt32](repeating: 0, count: n)
    for pass in 0..<4 {
      let shift = UInt64(pass * 16)
      var count = [Int](repeating: 0, count: 65537)
      k.withUnsafeBufferPointer { kf in
        o.withUnsafeBufferPointer { of in
          count.withUnsafeMutableBufferPointer { c in
            for x in kf { c[Int((x >> shift) & 0xFFFF) + 1] += 1 }
            for d in 1...65536 { c[d] += c[d - 1] }
            k2.withUnsafeMutableBufferPointer { kt in
              o2.withUnsafeMutableBufferPointer { ot in
                for i in 0..<n {
                  let d = Int((kf[i] >> shift) & 0xFFFF)
                  kt[c[d]] = kf[i]
                  ot[c[d]] = of[i]
                  c[d] += 1
                }
              }
            }
          }
        }
      }
      swap(&k, &k2)
      swap(&o, &o2)
    }
    return (k, o)
  }

  // MARK: Timeline

  /// `TM_INDEX_TRACE=1`: each build step's end on stderr, with the wall
  /// and process CPU seconds since the build started (for finding serial
  /// stretches; off by default).
  static let tracing: Bool = getenv("TM_INDEX_TRACE").map { $0.pointee != 0 && $0.pointee != 0x30 } ?? false

  static func trace(_ step: @autoclosure () -> String) {
    guard tracing else { return }
    var w = timespec(), c = timespec()
    clock_gettime(CLOCK_MONOTONIC, &w)
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c)
    let wall = Double(w.tv_sec) + Double(w.tv_nsec) / 1e9
    let cpu = Double(c.tv_sec) + Double(c.tv_nsec) / 1e9
    let start = traceStart.withLock { s -> Double in
      if s == 0 { s = wall }
      return s
    }
    let line = "index: \(format3(wall - start)) s wall, \(format3(cpu)) s CPU: \(step())\n"
    var bytes = Array(line.utf8)
    _ = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress, $0.count) }
  }

  static func format3(_ x: Double) -> String {
    let m = Int((x * 1000).rounded())
    let f = String(m % 1000)
    return "\(m / 1000)." + String(repeating: "0", count: 3 - f.count) + f
  }

  static let traceStart = TraceClock()

  final class TraceClock: @unchecked Sendable {
    private var start: Double = 0
    private let lock = DispatchSemaphore(value: 1)
    func withLock<R>(_ body: (inout Double) -> R) -> R {
      lock.wait()
      defer { lock.signal() }
      return body(&start)
    }
  }
}
