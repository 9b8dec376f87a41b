// swift-tools-version: 6.0
import PackageDescription

let package = Package(
  name: "tm",
  platforms: [.macOS(.v13)],
  products: [
    .library(name: "TMKit", targets: ["TMKit"]),
    .executable(name: "tm", targets: ["tm"]),
    .executable(name: "transliterate", targets: ["transliterate"]),
    .executable(name: "tm-postgres", targets: ["tm-postgres"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
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
    // All behaviour: text (ICU), memories, lookup, alignment.
    .target(
      name: "TMKit",
      dependencies: ["CICUShim"],
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
    // PostgreSQL store (team memories). libpq through an opaque C wrapper,
    // like ICU: no libpq type is visible to Swift (see Documentation/Scaling.md
    // for why libpq and not postgres-nio).
    .target(name: "CPQShim", linkerSettings: [.linkedLibrary("pq")]),
    .target(name: "TMPostgres", dependencies: ["TMKit", "CPQShim"], resources: [.copy("Migrations")]),
    .executableTarget(name: "tm-postgres", dependencies: ["TMPostgres", "TMKit"]),
    .testTarget(name: "PostgresTests", dependencies: ["TMPostgres", "TMKit"]),
    .testTarget(name: "TMKitTests", dependencies: ["TMKit"], resources: [.copy("Fixtures")]),
    .testTarget(name: "EndToEndTests", dependencies: ["TMKit"], resources: [.copy("Golden")]),
  ],
  swiftLanguageModes: [.v6]
)
