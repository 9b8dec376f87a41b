import Foundation
import TMKit

/// `POST /api/v1/lookup` (the GET form takes the same names as query
/// parameters).
struct LookupRequest: Decodable {
  var q: String
  var from: String?
  var to: String?
  var limit: Int?
  var min_score: Double?
  var concordance: Bool?
}

struct UnitRequest: Decodable {
  var source: String
  var target: String
  var from: String
  var to: String
  var origin: String?
  var score: Double?
}

struct AddRequest: Decodable {
  var units: [UnitRequest]
  var memory: String?
}

struct AddResponse: Codable {
  var added: Int
  var duplicates: Int
  /// The memory the units went to (its file name), when they all went to one.
  var memory: String?
}

struct AnalyzeRequest: Decodable {
  var text: String
  var from: String?
  var to: String?
  var segment: Bool?
  var min_score: Double?
}




struct SegmentRequest: Decodable {
  var text: String
  var lang: String?
  var lines: Bool?
}

struct SentenceJSON: Codable {
  var text: String
  var paragraph: Int
  var start: Int
  var end: Int
}

struct TransliterateRequest: Decodable {
  var text: String?
  var texts: [String]?
  var scheme: String?
}

struct TransliterateResponse: Codable {
  var scheme: String
  var text: String?
  var texts: [String]?
}

struct AlignRequest: Decodable {
  var source: String
  var target: String
  var from: String?
  var to: String?
  var segmented: Bool?
}

struct BeadJSON: Codable, Equatable {
  var source: String
  var target: String
  var score: Double
  var source_ids: [Int]
  var target_ids: [Int]
}

struct AlignResponse: Codable {
  var from: String
  var to: String
  var beads: [BeadJSON]
  var notes: [String]
}


