// swift-tools-version: 6.0
import PackageDescription

let package = Package(
  name: "tm",
  platforms: [.macOS(.v13)],
  products: [
    .library(name: "TMKit", targets: ["TMKit"]),
    .executable(name: "tm", targets: ["tm"]),
    .executable(name: "transliterate", targets: ["transliterate"]),
    // The HTTP service (`tm serve` runs it): its own product, so that the
    // quick start builds only the CLI and not SwiftNIO.
    .executable(name: "tm-server", targets: ["tm-server"]),
    .executable(name: "tm-postgres", targets: ["tm-postgres"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/weichsel/ZIPFoundation", exact: "0.9.20"),
    // The server only (TMServer, tm-server): never linked into `tm`.
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
  ],
  targets: [
    // Opaque C wrapper around the system ICU 72 (libicu-dev). Its public header
    // shows only <stdint.h> types: ICU's own C types must never be visible to a
    // Swift module that also sees Foundation (see README, "Building").
    .target(
      name: "CICUShim",
      linkerSettings: [
        .linkedLibrary("icui18n"), .linkedLibrary("icuuc"), .linkedLibrary("icudata"),
      ]
    ),
    // Opaque C wrapper around libxml2's HTML and XML parsers (libxml2-dev): its header
    // shows no libxml2 type, for the same reason as CICUShim.
    .target(
      name: "CHTMLShim",
      cSettings: [.unsafeFlags(["-I/usr/include/libxml2"])],
      linkerSettings: [.linkedLibrary("xml2")]
    ),
    // All behaviour: text (ICU), memories, lookup, alignment, documents.
    .target(
      name: "TMKit",
      dependencies: ["CICUShim", "CHTMLShim", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
      resources: [.copy("Resources")]
    ),
    // The commands (argument parsing, output formats, exit codes), shared by
    // both executables so that `tm transliterate` and `transliterate` are one.
    .target(
      name: "TMCLI",
      dependencies: ["TMKit", .product(name: "ArgumentParser", package: "swift-argument-parser")]
    ),
    .executableTarget(name: "tm", dependencies: ["TMCLI"]),
    .executableTarget(name: "transliterate", dependencies: ["TMCLI"]),
    // The HTTP service: routes, limits, auth, metrics, the browser page.
    .target(
      name: "TMServer",
      dependencies: [
        "TMKit",
        // `tm serve --store postgres://…` (libpq through CPQShim: no NIO in it).
        "TMPostgres",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "Prometheus", package: "swift-prometheus"),
      ],
      resources: [.copy("Resources")]
    ),
    .executableTarget(
      name: "tm-server",
      dependencies: ["TMServer", "TMPostgres", .product(name: "ArgumentParser", package: "swift-argument-parser")]
    ),
    // What the test targets share (the seeded generator, the executable runner).
    .target(name: "TestSupport", path: "Tests/TestSupport"),
    .testTarget(name: "ServerTests", dependencies: ["TMServer", "TMKit", "TMPostgres", "TestSupport"]),
    // PostgreSQL store (team memories). libpq through an opaque C wrapper,
    // like ICU: no libpq type is visible to Swift (see Documentation/Scaling.md
    // for why libpq and not postgres-nio).
    .target(name: "CPQShim", linkerSettings: [.linkedLibrary("pq")]),
    .target(name: "TMPostgres", dependencies: ["TMKit", "CPQShim"], resources: [.copy("Migrations")]),
    .executableTarget(name: "tm-postgres", dependencies: ["TMPostgres", "TMKit"]),
    .testTarget(name: "PostgresTests", dependencies: ["TMPostgres", "TMKit", "TestSupport"]),
    .testTarget(name: "TMKitTests", dependencies: ["TMKit", "TestSupport"], resources: [.copy("Fixtures")]),
    .testTarget(name: "EndToEndTests", dependencies: ["TMKit", "TestSupport"], resources: [.copy("Golden")]),
  ],
  swiftLanguageModes: [.v6]
)
