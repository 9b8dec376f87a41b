/// The one clock of the workflows: the `created` time of new units, the
/// creation date of exported TMX. `SOURCE_DATE_EPOCH` (seconds), when set,
/// replaces the clock so that rebuilt memories and exports are
/// byte-identical (reproducible builds' convention).
///
/// (It forwards to the memory layer's clock, so that `tm add`, `tm import`
/// and `tm align` cannot disagree.)
public enum Timestamp {
  /// Now as ISO 8601 UTC (`2026-11-25T20:09:04Z`).
  public static func now() -> String { MemoryFile.now() }

  /// A Unix time as ISO 8601 UTC.
  public static func isoString(seconds: Int) -> String { MemoryFile.isoString(seconds: seconds) }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Milliseconds from a monotonic clock (for `--timing`), and the peak
/// resident memory.
public enum Stopwatch {
  public static func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1_000_000
  }

  /// Peak resident set size in MiB.
  public static func maxRSSMB() -> Int {
    var u = rusage()
    #if canImport(Glibc)
      getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u)
    #else
      getrusage(RUSAGE_SELF, &u)
    #endif
    return Int(u.ru_maxrss / 1024)
  }
}
