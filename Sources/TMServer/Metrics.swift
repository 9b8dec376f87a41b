import Foundation
import Prometheus
import Synchronization

/// `/metrics` in the Prometheus text format (swift-prometheus): requests
/// by route and status, a latency histogram by route, the units and
/// memories served, and how old the lookup indexes in force are.
final class ServerMetrics: Sendable {
  let registry = PrometheusCollectorRegistry()
  let units: Gauge
  let memories: Gauge
  let indexAge: Gauge
  static let buckets: [Duration] = [
    .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
    .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
    .seconds(5),
  ]
  static let routes = [
    "page", "healthz", "metrics", "tmserver", "lookup", "analyze", "units", "import", "export", "stats", "languages",
    "segment", "transliterate", "align", "reviews", "openapi.yaml",
  ]

  init() {
    units = registry.makeGauge(descriptor: Self.name("tm_units", "", "Translation units in the memories served"))
    memories = registry.makeGauge(descriptor: Self.name("tm_memories", "", "Memory files served"))
    indexAge = registry.makeGauge(
      descriptor: Self.name("tm_index_age", "seconds", "Seconds since the lookup indexes in force were built"))
  }

  /// The collectors of a route and status, made once (the registry's
  /// `make…` builds the label strings and looks them up under its lock on
  /// every call; a request only needs the two objects).
  private let made = Mutex<[Int: (Counter, DurationHistogram)]>([:])

  func record(route: String, status: Int, duration: Duration) {
    let ri = ServerMetrics.routes.firstIndex(of: route) ?? ServerMetrics.routes.count
    let slot = ri << 16 | (status & 0xFFFF)
    let pair =
      made.withLock { $0[slot] }
      ?? {
        let r = ri < ServerMetrics.routes.count ? route : "other"
        let p = (
          registry.makeCounter(
            descriptor: Self.name("tm_http_requests", "total", "HTTP requests answered"),
            labels: [("route", r), ("status", String(status))]),
          registry.makeDurationHistogram(
            descriptor: Self.name("tm_http_request_duration", "seconds", "Time to answer a request"),
            labels: [("route", r)], buckets: ServerMetrics.buckets)
        )
        made.withLock { $0[slot] = p }
        return p
      }()
    pair.0.increment()
    pair.1.record(duration)
  }

  static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
    MetricNameDescriptor(metricName: metric, unitName: unit, helpText: help)
  }

  /// `s` nil: the store could not say (the database is down); the gauges
  /// keep their last values.
  func emit(_ s: StoreSummary?) -> [UInt8] {
    if let s {
      units.set(Double(s.units))
      memories.set(Double(s.memories))
      indexAge.set(s.indexAge ?? 0)
    }
    return registry.emitToBuffer()
  }
}
