/// Builds the bytes of a `LookupIndex` from a memory.
public enum LookupIndexBuilder {
  /// The segment of a unit that a section indexes: for Azerbaijani the Latin
  /// text when there is one, else the Cyrillic.
  static func sourceColumn(of unit: TranslationUnit, section: Language, columns: [Language]) -> Int? {
    let candidates: [Language] = section == .az ? [.az, .azCyrl] : [section]
    for l in candidates {
      if let t = unit.texts[l], !t.isEmpty, let c = columns.firstIndex(of: l) { return c }
    }
    return nil
  }

  public static func build(
    _ memory: Memory, fingerprint: MemoryFingerprint, contentHash: UInt64 = 0, baseSize: UInt64 = 0,
    unitOffset: Int = 0
  ) throws -> [UInt8] {
    try build(
      languages: memory.languages, units: memory.units, fingerprint: fingerprint, contentHash: contentHash,
      baseSize: baseSize, unitOffset: unitOffset)
  }

  /// Builds from any collection of units, e.g. a `MemoryTable`, which
  /// decodes each unit when it is visited instead of holding them all.
  /// `keys`: pass one to reuse its ICU objects across builds (a store that
  /// indexes each query's candidates builds many small indexes; making the
  /// tokenizers and transforms anew costs more than indexing a few units).
  public static func build<Units: RandomAccessCollection<TranslationUnit>>(
    languages: [Language], units: Units, fingerprint: MemoryFingerprint, contentHash: UInt64 = 0,
    baseSize: UInt64 = 0, unitOffset: Int = 0, keys: LookupKeys = LookupKeys()
  ) throws -> [UInt8] {
    let columns = languages
    var arrays: [[UInt8]] = []

    // Texts of every unit in every column.
    var textOffsets: [UInt64] = [0]
    var textBlob: [UInt8] = []
    textOffsets.reserveCapacity(units.count * columns.count + 1)
    for u in units {
      for c in columns {
        if let t = u.texts[c] { textBlob.append(contentsOf: t.utf8) }
        textOffsets.append(UInt64(textBlob.count))
      }
    }
    arrays.append(bytes(of: textOffsets))
    arrays.append(textBlob)

    for section in LookupIndex.sections {
      var entryUnit: [UInt32] = []
      var entryColumn: [UInt32] = []
      var entryTokStart: [UInt32] = [0]
      var tokens: [UInt32] = []
      var vocab: [String: UInt32] = [:]
      var words: [String] = []
      var exact: [(UInt64, UInt32)] = []
      var skel: [(UInt64, UInt32)] = []
      for (ui, u) in units.enumerated() {
        guard let c = sourceColumn(of: u, section: section, columns: columns) else { continue }
        let lang = columns[c]
        let text = u.texts[lang] ?? ""
        let e = UInt32(entryUnit.count)
        entryUnit.append(UInt32(ui))
        entryColumn.append(UInt32(c))
        let key = keys.key(text, language: lang)
        let toks = keys.tokens(ofKey: key, language: lang)
        for t in toks {
          if let id = vocab[t.text] {
            tokens.append(id)
          } else {
            let id = UInt32(words.count)
            vocab[t.text] = id
            words.append(t.text)
            tokens.append(id)
          }
        }
        entryTokStart.append(UInt32(tokens.count))
        exact.append((fnv1a64(text.nfc.utf8), e))
        skel.append((fnv1a64(LookupKeys.skeleton(key: key, tokens: toks, language: lang).utf8), e))
      }
      // Sort the vocabulary by bytes and renumber.
      let order = words.indices.sorted { words[$0].utf8.lexicographicallyPrecedes(words[$1].utf8) }
      var remap = [UInt32](repeating: 0, count: words.count)
      for (newID, old) in order.enumerated() { remap[old] = UInt32(newID) }
      for i in tokens.indices { tokens[i] = remap[Int(tokens[i])] }
      var vocabOff: [UInt32] = [0]
      var vocabBlob: [UInt8] = []
      for old in order {
        vocabBlob.append(contentsOf: words[old].utf8)
        vocabOff.append(UInt32(vocabBlob.count))
      }
      // Postings ordered by (segment length, entry).
      let entryCount = entryUnit.count
      let byLength = (0..<entryCount).sorted {
        let la = entryTokStart[$0 + 1] - entryTokStart[$0], lb = entryTokStart[$1 + 1] - entryTokStart[$1]
        return la != lb ? la < lb : $0 < $1
      }
      var df = [UInt32](repeating: 0, count: words.count + 1)
      var seen = [UInt32](repeating: UInt32.max, count: words.count)
      for e in 0..<entryCount {
        for i in Int(entryTokStart[e])..<Int(entryTokStart[e + 1]) {
          let t = Int(tokens[i])
          if seen[t] != UInt32(e) {
            seen[t] = UInt32(e)
            df[t] += 1
          }
        }
      }
      var postStart = [UInt32](repeating: 0, count: words.count + 1)
      for v in 0..<words.count { postStart[v + 1] = postStart[v] + df[v] }
      var fill = Array(postStart.dropLast())
      var sig24 = [UInt64](repeating: 0, count: entryCount)
      for e in 0..<entryCount {
        for i in Int(entryTokStart[e])..<Int(entryTokStart[e + 1]) { sig24[e] |= LookupIndex.Section.sig24Bit(tokens[i]) }
      }
      var postings = [UInt64](repeating: 0, count: Int(postStart.last ?? 0))
      for i in seen.indices { seen[i] = UInt32.max }
      for e in byLength {
        for i in Int(entryTokStart[e])..<Int(entryTokStart[e + 1]) {
          let t = Int(tokens[i])
          if seen[t] != UInt32(e) {
            seen[t] = UInt32(e)
            postings[Int(fill[t])] = LookupIndex.Section.posting(
              entry: e, length: Int(entryTokStart[e + 1] - entryTokStart[e]), sig24: sig24[e])
            fill[t] += 1
          }
        }
      }
      // Cross-script keys of the words (not numbers).
      var keyWords: [String: [Int]] = [:]
      for (newID, old) in order.enumerated() {
        let w = words[old]
        guard let f = w.unicodeScalars.first, f.properties.isAlphabetic else { continue }
        let k = keys.crossScript(w, language: section)
        if k.isEmpty { continue }
        keyWords[k, default: []].append(newID)
      }
      let keyList = keyWords.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
      var keyOff: [UInt32] = [0]
      var keyBlob: [UInt8] = []
      var keyPostStart: [UInt32] = [0]
      var keyPostings: [UInt32] = []
      for k in keyList {
        keyBlob.append(contentsOf: k.utf8)
        keyOff.append(UInt32(keyBlob.count))
        var es: [UInt32] = []
        for v in keyWords[k] ?? [] {
          for p in postings[Int(postStart[v])..<Int(postStart[v + 1])] { es.append(UInt32(truncatingIfNeeded: p)) }
        }
        es.sort()
        var last = UInt32.max
        for e in es where e != last {
          keyPostings.append(e)
          last = e
        }
        keyPostStart.append(UInt32(keyPostings.count))
      }
      exact.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
      skel.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
      var sigs = [UInt64](repeating: 0, count: entryCount)
      for e in 0..<entryCount {
        var sig: UInt64 = 0
        for i in Int(entryTokStart[e])..<Int(entryTokStart[e + 1]) {
          sig |= LookupIndex.Section.sigBit(tokens[i])
        }
        sigs[e] = LookupIndex.Section.meta(length: Int(entryTokStart[e + 1] - entryTokStart[e]), signature: sig)
      }
      if entryCount == 0 { entryTokStart = [] }

      arrays.append(bytes(of: entryUnit))
      arrays.append(bytes(of: entryColumn))
      arrays.append(bytes(of: entryTokStart))
      arrays.append(bytes(of: tokens))
      arrays.append(bytes(of: entryCount == 0 ? [] : vocabOff))
      arrays.append(vocabBlob)
      arrays.append(bytes(of: entryCount == 0 ? [] : postStart))
      arrays.append(bytes(of: postings))
      arrays.append(bytes(of: entryCount == 0 ? [] : keyOff))
      arrays.append(keyBlob)
      arrays.append(bytes(of: entryCount == 0 ? [] : keyPostStart))
      arrays.append(bytes(of: keyPostings))
      arrays.append(bytes(of: exact.map(\.0)))
      arrays.append(bytes(of: exact.map(\.1)))
      arrays.append(bytes(of: skel.map(\.0)))
      arrays.append(bytes(of: skel.map(\.1)))
      arrays.append(bytes(of: sigs))
    }
    let sizes: [Int] = [8, 1] + Array(repeating: [4, 4, 4, 4, 4, 1, 4, 8, 4, 1, 4, 4, 8, 4, 8, 4, 8], count: 3).flatMap { $0 }
    precondition(arrays.count == LookupIndex.arrayCount && sizes.count == arrays.count)

    // Header, table, then each array 8-byte aligned.
    var out: [UInt8] = LookupIndex.magic
    func put(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
    put(LookupIndex.version)
    put(fingerprint.size)
    put(UInt64(bitPattern: fingerprint.mtimeNanoseconds))
    put(fingerprint.hash)
    put(UInt64(units.count))
    put(UInt64(columns.count))
    put(contentHash)
    put(baseSize)
    put(UInt64(unitOffset))
    var colBytes = [UInt8](repeating: 255, count: 8)
    for (i, c) in columns.prefix(8).enumerated() { colBytes[i] = UInt8(Language.allCases.firstIndex(of: c) ?? 255) }
    out.append(contentsOf: colBytes)
    let tableAt = out.count
    out.append(contentsOf: [UInt8](repeating: 0, count: LookupIndex.arrayCount * 16))
    var table: [(UInt64, UInt64)] = []
    for (a, data) in arrays.enumerated() {
      while out.count % 8 != 0 { out.append(0) }
      table.append((UInt64(out.count), UInt64(data.count / sizes[a])))
      out.append(contentsOf: data)
    }
    for (a, (off, n)) in table.enumerated() {
      withUnsafeBytes(of: off.littleEndian) { for (i, b) in $0.enumerated() { out[tableAt + a * 16 + i] = b } }
      withUnsafeBytes(of: n.littleEndian) { for (i, b) in $0.enumerated() { out[tableAt + a * 16 + 8 + i] = b } }
    }
    return out
  }

  static func bytes<T: FixedWidthInteger>(of a: [T]) -> [UInt8] {
    a.withUnsafeBytes { Array($0) }
  }
}
