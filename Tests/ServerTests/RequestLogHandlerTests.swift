import Logging
import Testing

@testable import TMServer

/// `RequestLogHandler` keeps the metadata itself and hands it to the
/// wrapped handler with each message, as the wrapped one would have used it.
@Suite struct RequestLogHandlerTests {
  final class Events: @unchecked Sendable {
    var all: [LogEvent] = []
  }

  struct Capture: LogHandler {
    let events: Events
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info
    var metadataProvider: Logger.MetadataProvider?
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
      get { metadata[key] }
      set { metadata[key] = newValue }
    }
    func log(event: LogEvent) { events.all.append(event) }
  }

  @Test func metadataReachesTheMessage() {
    let events = Events()
    var inner = Capture(events: events)
    inner.metadata = ["server": "tm"]
    let handler = inner
    var logger = Logger(label: "test", factory: { _ in handler }).deferringMetadata()
    logger[metadataKey: "hb.request.id"] = "7"
    #expect(logger[metadataKey: "hb.request.id"] == "7")
    #expect(logger[metadataKey: "server"] == "tm")
    logger.error("boom", metadata: ["server": "explicit"])
    #expect(events.all.count == 1)
    #expect(events.all.first?.message == "boom")
    #expect(events.all.first?.metadata?["hb.request.id"] == "7")
    // An explicit value wins over the logger's own, as in swift-log.
    #expect(events.all.first?.metadata?["server"] == "explicit")
  }

  @Test func levelIsTheWrappedHandlers() {
    let events = Events()
    var logger = Logger(label: "test", factory: { _ in Capture(events: events) }).deferringMetadata()
    logger.logLevel = .error
    logger.info("not shown")
    logger.error("shown")
    #expect(events.all.map(\.message.description) == ["shown"])
  }
}
