/// `tm import`: interchange files into a memory of a store.
public struct Import: Sendable {
  public let store: any MemoryStore

  public init(store: any MemoryStore) { self.store = store }

  /// Reads every file (each in the format its content, else its name,
  /// shows), then appends all units at once: on any error nothing is
  /// written. `memory` nil: the pair's memory of the store, which needs the
  /// units to hold one pair (or `--from`/`--to`).
  public func run(files: [String], options: MemoryImport.Options, into memory: MemoryRef? = nil) async throws
    -> ImportReport
  {
    if let from = options.from, let to = options.to, from == to {
      throw TMError(.usage, "--from and --to are both '\(from.tag)'", hint: "a unit pairs two different languages")
    }
    // Reading and parsing (a large TMX is seconds of CPU) block: off the
    // caller's executor, which in `tm-server` is an event loop.
    let paths = files.isEmpty ? ["-"] : files
    let read = try await runBlocking { try MemoryImport.read(paths, options: options) }
    let target = try memory ?? defaultMemory(read.units, options: options)
    let r = try await store.append(read.units, to: target)
    return ImportReport(files: read.files, notes: read.notes, memory: target, added: r.added, duplicates: r.duplicates)
  }

  func defaultMemory(_ units: [TranslationUnit], options: MemoryImport.Options) throws -> MemoryRef {
    if let from = options.from, let to = options.to { return try store.defaultMemory(for: [from, to]) }
    let sets = Set(units.map { Set($0.texts.keys) })
    if sets.count == 1, let s = sets.first, s.count == 2 {
      return try store.defaultMemory(for: Language.allCases.filter(s.contains))
    }
    if units.isEmpty {
      throw TMError(.invalidInput, "nothing to import: the files hold no translated units")
    }
    throw TMError(
      .usage, "the units hold several languages or pairs, so there is no single default memory",
      hint: "name the memory with --memory FILE (a memory may hold three languages)")
  }
}

/// What an import did.
public struct ImportReport: Sendable, Codable, Equatable {
  public var files: [MemoryImport.FileResult]
  /// What was skipped and why.
  public var notes: [String]
  public var memory: MemoryRef
  public var added: Int
  public var duplicates: Int
}

/// `tm add`: one unit into a memory.
public struct Add: Sendable {
  public let store: any MemoryStore

  public init(store: any MemoryStore) { self.store = store }

  /// Adds `source` (in `from`) and `target` (in `to`) as one unit, to
  /// `memory` or the pair's memory; a unit already there is not added again.
  public func run(source: String, target: String, from: Language, to: Language, memory: MemoryRef? = nil)
    async throws -> AddReport
  {
    guard from != to else {
      throw TMError(.usage, "--from and --to are both '\(from.tag)'", hint: "a unit pairs two different languages")
    }
    let s = source.nfc
    let t = target.nfc
    guard [s, t].allSatisfy({ $0.unicodeScalars.contains { !$0.properties.isWhitespace } }) else {
      throw TMError(.usage, "the source and the target must not be empty")
    }
    let ref = try memory ?? store.defaultMemory(for: [from, to])
    let unit = TranslationUnit(texts: [from: s, to: t], origin: "add", created: Timestamp.now())
    let r = try await store.append([unit], to: ref)
    return AddReport(memory: ref, from: from, to: to, added: r.added == 1)
  }
}

public struct AddReport: Sendable, Codable, Equatable {
  public var memory: MemoryRef
  public var from: Language
  public var to: Language
  /// False when the unit was already there.
  public var added: Bool
}

/// `tm export`: one memory of a store in an interchange format.
public struct Export: Sendable {
  public let store: any MemoryStore

  public init(store: any MemoryStore) { self.store = store }

  /// The memory to export when none is named: the pair's memory when
  /// `--from`/`--to` name one that exists, else the only memory.
  public func memory(from: Language?, to: Language?) async throws -> MemoryRef {
    let all = try await store.memories().map(\.ref)
    if let from, let to {
      let p = try store.defaultMemory(for: [from, to])
      if all.contains(p) { return p }
    }
    if all.count == 1 { return all[0] }
    throw TMError(
      .usage, all.isEmpty ? "no memories in the folder" : "\(all.count) memories in the folder: which one?",
      file: store.displayName, hint: "name it with --memory FILE")
  }

  /// Streams `memory` (nil: see ``memory(from:to:)``) as `format` to
  /// `sink`. With `from` and `to`, only units holding both, with just those
  /// two; with `from` alone, that language first (TMX's `srclang`).
  public func run(
    memory: MemoryRef?, format: any InterchangeWriter, from: Language?, to: Language?,
    to sink: @escaping ([UInt8]) throws -> Void
  ) async throws -> ExportReport {
    if (from == nil) != (to == nil) && !(format is TMXFormat) {
      throw TMError(.usage, "give both --from and --to, or neither")
    }
    if let from, let to, from == to { throw TMError(.usage, "--from and --to are both '\(from.tag)'") }
    let ref: MemoryRef
    if let memory { ref = memory } else { ref = try await self.memory(from: from, to: to) }
    let info = try await store.memories().first { $0.ref == ref }
    var languages = info?.languages ?? []
    if let from, let to {
      languages = [from, to]
    } else if let from, !languages.contains(from) {
      throw TMError(.usage, "the memory has no '\(from.tag)' column", file: ref.name)
    } else if let from {
      languages = [from] + languages.filter { $0 != from }
    }
    let source = from ?? languages.first ?? .en
    // The store pushes units in batches; each goes straight to the encoder.
    var writer = ChunkedWriter(format.encoder(languages: languages, sourceLanguage: source), sink: sink)
    try await store.forEachUnit(in: ref) { s in
      if let from, let to {
        guard let a = s.unit.texts[from], let b = s.unit.texts[to] else { return }
        var u = s.unit
        u.texts = [from: a, to: b]
        try writer.add(u)
      } else {
        try writer.add(s.unit)
      }
    }
    let summary = try writer.finish()
    return ExportReport(
      memory: ref, format: format.id, units: summary.units,
      segmentsWithDroppedCharacters: summary.segmentsWithDroppedCharacters)
  }
}

public struct ExportReport: Sendable, Codable, Equatable {
  public var memory: MemoryRef
  public var format: String
  public var units: Int
  public var segmentsWithDroppedCharacters: Int
}
