import Foundation
import TMKit

/// One bead under review: segment numbers on each side, the aligner's
/// score and what the reviewer decided.
public struct ReviewBead: Codable, Sendable, Equatable {
  public var source: [Int]
  public var target: [Int]
  public var score: Double
  /// `auto` (as aligned), `confirmed`, or `unaligned` (kept out of the memory).
  public var status: String = "auto"
  /// Written to the memory by a commit.
  public var added: Bool = false

  public init(source: [Int], target: [Int], score: Double, status: String = "auto") {
    self.source = source
    self.target = target
    self.score = score
    self.status = status
  }
}

/// A half-done (or done) alignment review, saved on disk after every edit.
public struct ReviewSession: Codable, Sendable {
  public var id: String
  public var created: String
  public var updated: String
  public var from: String
  public var to: String
  public var source_name: String
  public var target_name: String
  public var source: [String]
  public var target: [String]
  public var beads: [ReviewBead]
  /// Beads scoring below this are marked weak on the page.
  public var weak_below: Double = 0.4
  /// Increases with every edit.
  public var version: Int = 0
  /// Earlier bead lists, for undo (the last 100).
  public var history: [[ReviewBead]] = []
}

public struct ReviewSummary: Codable, Sendable {
  var id: String
  var from: String
  var to: String
  var source_name: String
  var target_name: String
  var beads: Int
  var confirmed: Int
  var updated: String
}

struct ReviewCreateRequest: Decodable {
  var source: String?
  var target: String?
  var from: String?
  var to: String?
  var segmented: Bool?
  var source_name: String?
  var target_name: String?
  /// A `tm align --review` TSV instead of two documents.
  var review: String?
  var name: String?
}

/// An edit of one bead (`bead` is its index):
/// `merge` (with the next), `split` (the last segment of each side that has
/// several into a new bead after it), `move` (`side` source|target,
/// `direction` up: the bead's first segment to the end of the previous one;
/// down: its last segment to the start of the next), `unalign` (toggle),
/// `confirm` (toggle with `value`), `undo`.
struct ReviewEdit: Decodable {
  var op: String
  var bead: Int?
  var side: String?
  var direction: String?
  var value: Bool?
  /// The version the client saw; an edit on an older one is refused (409).
  var version: Int?
}

struct CommitResponse: Codable {
  var added: Int
  var duplicates: Int
  var review: ReviewSession
}

/// The review sessions, one JSON file each in `<state>/reviews/`, written
/// atomically (temporary file, fsync, rename) before an edit is answered:
/// a closed tab, a reload or a crash loses nothing.
public actor ReviewStore {
  let folder: String
  var sessions: [String: ReviewSession] = [:]

  public init(folder: String) throws {
    self.folder = folder
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    for name in try FileManager.default.contentsOfDirectory(atPath: folder) where name.hasSuffix(".json") {
      guard let data = FileManager.default.contents(atPath: folder + "/" + name),
        let s = try? JSONDecoder().decode(ReviewSession.self, from: data)
      else { continue }
      sessions[s.id] = s
    }
  }

  func list() -> [ReviewSummary] {
    sessions.values.sorted { $0.updated > $1.updated }.map {
      ReviewSummary(
        id: $0.id, from: $0.from, to: $0.to, source_name: $0.source_name, target_name: $0.target_name,
        beads: $0.beads.count, confirmed: $0.beads.filter { $0.status == "confirmed" }.count, updated: $0.updated)
    }
  }

  func get(_ id: String) throws -> ReviewSession {
    guard let s = sessions[id] else { throw APIError(404, "not_found", "no review '\(id)'", field: "id") }
    return s
  }

  func create(from: Language, to: Language, source: [String], target: [String], beads: [ReviewBead],
    names: (String, String)) throws -> ReviewSession
  {
    let now = MemoryFile.now()
    let id = String(UUID().uuidString.lowercased().prefix(12)).replacingOccurrences(of: "-", with: "")
    let s = ReviewSession(
      id: id, created: now, updated: now, from: from.tag, to: to.tag, source_name: names.0, target_name: names.1,
      source: source, target: target, beads: beads)
    try save(s)
    sessions[id] = s
    return s
  }

  /// A session from the TSV `tm align --review` writes (`score`, the two
  /// languages, `origin` with ` check`/` unaligned` marks).
  func create(fromReviewTSV tsv: String, name: String) throws -> ReviewSession {
    var lines = tsv.split(separator: "\n", omittingEmptySubsequences: true).map {
      $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
    }
    guard !lines.isEmpty else { throw APIError.badRequest("the review file is empty", field: "review") }
    let header = lines.removeFirst().split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
    guard header.count >= 3, header[0] == "score", let a = Language(tag: header[1]), let b = Language(tag: header[2]) else {
      throw APIError.badRequest(
        "the review file must start with 'score<TAB>lang<TAB>lang<TAB>origin' as tm align --review writes it",
        field: "review")
    }
    var src: [String] = []
    var tgt: [String] = []
    var beads: [ReviewBead] = []
    for (n, line) in lines.enumerated() {
      let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      guard f.count >= 3, let score = Double(f[0]) else {
        throw APIError.badRequest("line \(n + 2) of the review file is not 'score<TAB>text<TAB>text'", field: "review")
      }
      var bead = ReviewBead(source: [], target: [], score: score)
      let s = (try? TSVCodec.unescape(f[1])) ?? f[1]
      let t = (try? TSVCodec.unescape(f[2])) ?? f[2]
      if !s.isEmpty {
        bead.source = [src.count]
        src.append(s)
      }
      if !t.isEmpty {
        bead.target = [tgt.count]
        tgt.append(t)
      }
      if f.count > 3 && f[3].hasSuffix(" unaligned") && !(bead.source.isEmpty || bead.target.isEmpty) {
        bead.status = "unaligned"
      }
      beads.append(bead)
    }
    return try create(from: a, to: b, source: src, target: tgt, beads: beads, names: (name, name))
  }

  func apply(_ e: ReviewEdit, to id: String) throws -> ReviewSession {
    var s = try get(id)
    if let v = e.version, v != s.version {
      throw APIError(409, "conflict", "the review changed (version \(s.version), the edit saw \(v)); reload it", field: "version")
    }
    var beads = s.beads
    func index() throws -> Int {
      guard let i = e.bead else { throw APIError.badRequest("'bead' is required for '\(e.op)'", field: "bead") }
      guard beads.indices.contains(i) else {
        throw APIError.badRequest("'bead' \(i) is out of range (0..<\(beads.count))", field: "bead")
      }
      return i
    }
    switch e.op {
    case "merge":
      let i = try index()
      guard i + 1 < beads.count else { throw APIError.badRequest("the last bead has no next one to merge with", field: "bead") }
      let a = beads[i]
      let b = beads[i + 1]
      beads[i] = ReviewBead(source: a.source + b.source, target: a.target + b.target, score: min(a.score, b.score))
      beads.remove(at: i + 1)
    case "split":
      let i = try index()
      let a = beads[i]
      guard a.source.count > 1 || a.target.count > 1 else {
        throw APIError.badRequest("bead \(i) has one segment a side: nothing to split", field: "bead")
      }
      let first = ReviewBead(
        source: a.source.count > 1 ? Array(a.source.dropLast()) : a.source,
        target: a.target.count > 1 ? Array(a.target.dropLast()) : a.target, score: a.score)
      let second = ReviewBead(
        source: a.source.count > 1 ? [a.source[a.source.count - 1]] : [],
        target: a.target.count > 1 ? [a.target[a.target.count - 1]] : [], score: a.score)
      beads[i] = first
      beads.insert(second, at: i + 1)
    case "move":
      let i = try index()
      guard let side = e.side, side == "source" || side == "target" else {
        throw APIError.badRequest("'side' must be source or target", field: "side")
      }
      let up = e.direction == "up"
      guard up || e.direction == "down" else { throw APIError.badRequest("'direction' must be up or down", field: "direction") }
      let j = up ? i - 1 : i + 1
      guard beads.indices.contains(j) else {
        throw APIError.badRequest("bead \(i) has no \(up ? "previous" : "next") bead", field: "bead")
      }
      var from = side == "source" ? beads[i].source : beads[i].target
      var to = side == "source" ? beads[j].source : beads[j].target
      guard !from.isEmpty else { throw APIError.badRequest("bead \(i) has no \(side) segment to move", field: "side") }
      if up { to.append(from.removeFirst()) } else { to.insert(from.removeLast(), at: 0) }
      if side == "source" {
        beads[i].source = from
        beads[j].source = to
      } else {
        beads[i].target = from
        beads[j].target = to
      }
      beads[i].status = "auto"
      beads[j].status = "auto"
      beads.removeAll { $0.source.isEmpty && $0.target.isEmpty }
    case "unalign":
      let i = try index()
      beads[i].status = beads[i].status == "unaligned" ? "auto" : "unaligned"
    case "confirm":
      let i = try index()
      let on = e.value ?? (beads[i].status != "confirmed")
      beads[i].status = on ? "confirmed" : "auto"
    case "undo":
      guard let last = s.history.popLast() else { throw APIError.badRequest("nothing to undo", field: "op") }
      s.beads = last
      s.version += 1
      s.updated = MemoryFile.now()
      try save(s)
      sessions[id] = s
      return s
    default:
      throw APIError.badRequest("unknown op '\(e.op)'", field: "op",
        hint: "use merge, split, move, unalign, confirm or undo")
    }
    s.history.append(s.beads)
    if s.history.count > 100 { s.history.removeFirst(s.history.count - 100) }
    s.beads = beads
    s.version += 1
    s.updated = MemoryFile.now()
    try save(s)
    sessions[id] = s
    return s
  }

  /// Writes the confirmed beads not yet added through the store.
  func commit(_ id: String, store: any ServedStore) async throws -> CommitResponse {
    var s = try get(id)
    guard let from = Language(tag: s.from), let to = Language(tag: s.to), from != to else {
      throw APIError.badRequest("the review's languages are not a pair", field: "id")
    }
    var units: [TranslationUnit] = []
    var which: [Int] = []
    let now = MemoryFile.now()
    for (i, b) in s.beads.enumerated() where b.status == "confirmed" && !b.added && !b.source.isEmpty && !b.target.isEmpty {
      let st = b.source.compactMap { s.source.indices.contains($0) ? s.source[$0] : nil }.joined(separator: " ")
      let tt = b.target.compactMap { s.target.indices.contains($0) ? s.target[$0] : nil }.joined(separator: " ")
      units.append(TranslationUnit(
        texts: [from: st.nfc, to: tt.nfc], origin: "review:\(s.source_name)#\(i)|\(s.target_name)", created: now,
        score: (b.score * 1000).rounded() / 1000))
      which.append(i)
    }
    let (r, _) = try await store.add(units, memory: nil)
    // Re-read: edits may have landed while the write ran.
    s = try get(id)
    for i in which where s.beads.indices.contains(i) { s.beads[i].added = true }
    s.version += 1
    s.updated = MemoryFile.now()
    try save(s)
    sessions[id] = s
    return CommitResponse(added: r.added, duplicates: r.duplicates, review: s)
  }

  func save(_ s: ReviewSession) throws {
    let data = try JSONEncoder().encode(s)
    try MemoryFile.writeAtomically(Array(data), to: folder + "/" + s.id + ".json")
  }
}
