// libFuzzer entry point for the readers of `tm import` and of memory files.
//
// Built by scripts/fuzz.sh with `swiftc -sanitize=fuzzer,address` over the
// TMKit sources and this file as one module (so the internal readers are
// reachable), never by `swift build`. One binary for every reader: the
// environment variable TM_FUZZ_TARGET picks which one gets the input.
//
// The contract checked on every input: no crash, no hang (libFuzzer's
// -timeout), and a rejection is a TMError that says where (a line or a byte
// offset). Anything else stops the fuzzer with the input saved as a crash.

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

@testable import TMKit

/// Writes a line to stderr (the C `stderr` global is not concurrency-safe in Swift 6).
func report(_ message: String) {
  var line = message + "\n"
  line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

enum FuzzTarget: String, CaseIterable {
  /// Our memory TSV, decoded whole (`TSVCodec.decode`, as `tm import` does).
  case tsv
  /// Our memory TSV, opened as an index of fields (`MemoryTable`, as lookup
  /// does), then every unit read back.
  case table
  case tmx
  case po
  case mo
  /// A CSV with a header row naming the columns or two columns and a score.
  case csv
}

nonisolated(unsafe) var selected: FuzzTarget = .tsv

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
  guard let raw = getenv("TM_FUZZ_TARGET"), let t = FuzzTarget(rawValue: String(cString: raw)) else {
    report("TM_FUZZ_TARGET must be one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: " "))")
    exit(2)
  }
  selected = t
  return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
  do {
    try run(selected, bytes)
  } catch let e as TMError {
    if e.line == nil && e.byteOffset == nil {
      report("fuzz(\(selected.rawValue)): a TMError without a position: \(e)")
      abort()
    }
  } catch {
    report("fuzz(\(selected.rawValue)): an error that is not a TMError: \(error)")
    abort()
  }
  return 0
}

func run(_ target: FuzzTarget, _ bytes: [UInt8]) throws {
  let name = "fuzz.\(target.rawValue)"
  switch target {
  case .tsv:
    let (columns, units) = try TSVCodec.decode(bytes, path: name)
    // What decodes must encode and decode to as many units again.
    let again = try TSVCodec.decode(TSVCodec.encode(units, columns: columns), path: name + ".again")
    if again.units.count != units.count {
      report("fuzz(tsv): \(units.count) units decoded, \(again.units.count) after a round trip")
      abort()
    }
  case .table:
    let table = try MemoryTable(bytes: bytes, path: name)
    for i in table.indices {
      _ = table[i]
      for l in table.languages { _ = table.has(i, l) }
    }
    _ = table.duplicateCount()
  case .tmx:
    _ = try TMX.decode(bytes, name: name, now: "2026-12-01T00:00:00Z")
  case .po:
    let catalog = try Gettext.parsePO(String(decoding: bytes, as: UTF8.self), name: name)
    _ = Gettext.units(catalog, source: .en, target: .ru, origin: "po:fuzz", created: "2026-12-01T00:00:00Z")
  case .mo:
    let catalog = try Gettext.parseMO(bytes, name: name)
    _ = Gettext.units(catalog, source: .en, target: .az, origin: "mo:fuzz", created: "2026-12-01T00:00:00Z")
  case .csv:
    let rows = try Delimited.parseCSV(String(decoding: bytes, as: UTF8.self), name: name)
    let options = MemoryImport.Options(from: .az, to: .ru, now: "2026-12-01T00:00:00Z")
    _ = try MemoryImport.delimitedUnits(rows, format: .csv, path: name, options: options)
  }
}
