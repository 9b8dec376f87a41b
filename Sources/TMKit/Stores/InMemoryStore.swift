import Foundation

/// A store that keeps its units in memory and answers `candidates` with
/// every unit that has text in the query's section: the simplest backend,
/// for tests (a server's, a client's) and small throwaway memories. It
/// scores through the protocol's default `search`, like any backend
/// without its own index.
public final class InMemoryStore: MemoryStore, @unchecked Sendable {
  private let lock = NSLock()
  private var units: [String: (languages: [Language], units: [TranslationUnit])] = [:]  // guarded by lock
  private var order: [MemoryRef] = []  // guarded by lock

  public init() {}

  public var displayName: String { "memory" }

  public func memories() async throws -> [MemoryInfo] {
    lock.withLock { order.map { MemoryInfo(ref: $0, languages: units[$0.id]?.languages ?? []) } }
  }

  public func defaultMemory(for languages: [Language]) throws -> MemoryRef {
    MemoryRef(id: MemoryFolder.defaultFileName(languages))
  }

  public func append(_ new: [TranslationUnit], to memory: MemoryRef) async throws -> AppendResult {
    for (i, u) in new.enumerated() where !u.texts.values.contains(where: { !$0.nfc.isEmpty }) {
      throw TMError(.invalidInput, "unit \(i + 1) has no text in any language", hint: "give at least one segment")
    }
    return lock.withLock {
      var m = units[memory.id] ?? ([], [])
      if units[memory.id] == nil { order.append(memory) }
      var seen = Set(m.units.map(UnitKey.init))
      var added = 0
      for var u in new {
        u.texts = u.texts.mapValues(\.nfc).filter { !$0.value.isEmpty }
        u.origin = u.origin.nfc
        guard seen.insert(UnitKey(u)).inserted else { continue }
        m.units.append(u)
        added += 1
        for l in Language.allCases where u.texts[l] != nil && !m.languages.contains(l) { m.languages.append(l) }
      }
      units[memory.id] = m
      return AppendResult(added: added, duplicates: new.count - added)
    }
  }

  public func forEachUnit(in memory: MemoryRef, _ body: (StoredUnit) throws -> Void) async throws {
    let all = lock.withLock { units[memory.id]?.units ?? [] }
    for (i, u) in all.enumerated() { try body(StoredUnit(ref: UnitRef(memory: memory, index: i), unit: u)) }
  }

  public func exact(_ text: String, language: Language, in memories: [MemoryRef]?) async throws -> [StoredUnit] {
    var out: [StoredUnit] = []
    for m in try await resolve(memories) {
      try await forEachUnit(in: m) { if $0.unit.texts[language] == text.nfc { out.append($0) } }
    }
    return out
  }

  public func candidates(for request: CandidateRequest) async throws -> [StoredUnit] {
    let langs: [Language] = request.section == .az ? [.az, .azCyrl] : [request.section]
    var out: [StoredUnit] = []
    for m in try await resolve(request.memories) {
      try await forEachUnit(in: m) { s in if langs.contains(where: { s.unit.texts[$0] != nil }) { out.append(s) } }
    }
    return out
  }
}

