import Logging

/// The server's log handler: the caller's handler, with the metadata kept
/// here and handed to it only when a message is logged.
///
/// Hummingbird sets `hb.request.id` on its logger for every request, and
/// swift-log's `StreamLogHandler` (the default) renders all of its metadata
/// as text on every set: 0.6% of the server's CPU at realistic 100k, though
/// at the default level nothing is logged on a lookup. Messages and their
/// metadata come out as before (the metadata reaches the handler with the
/// message instead of beforehand).
struct RequestLogHandler: LogHandler {
  var inner: any LogHandler
  var metadata: Logger.Metadata = [:]

  init(wrapping inner: any LogHandler) {
    self.inner = inner
    metadata = inner.metadata
    self.inner.metadata = [:]
  }

  var logLevel: Logger.Level {
    get { inner.logLevel }
    set { inner.logLevel = newValue }
  }

  var metadataProvider: Logger.MetadataProvider? {
    get { inner.metadataProvider }
    set { inner.metadataProvider = newValue }
  }

  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  func log(event: LogEvent) {
    var e = event
    if !metadata.isEmpty {
      e.metadata = metadata.merging(event.metadata ?? [:]) { _, explicit in explicit }
    }
    inner.log(event: e)
  }
}

extension Logger {
  /// This logger with its metadata held by ``RequestLogHandler``.
  func deferringMetadata() -> Logger {
    var l = self
    l.handler = RequestLogHandler(wrapping: handler)
    return l
  }
}
