// swift-tools-version: 6.0
import PackageDescription

let package = Package(
  name: "tm",
  platforms: [.macOS(.v13)],
  products: [
    .library(name: "TMKit", targets: ["TMKit"]),
    .executable(name: "tm", targets: ["tm"]),
    .executable(name: "transliterate", targets: ["transliterate"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/weichsel/ZIPFoundation", exact: "0.9.20"),
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
    // Opaque C wrapper around libxml2's HTML parser (libxml2-dev): its header
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
    .testTarget(name: "TMKitTests", dependencies: ["TMKit"], resources: [.copy("Fixtures")]),
    .testTarget(name: "EndToEndTests", dependencies: ["TMKit"], resources: [.copy("Golden")]),
  ],
  swiftLanguageModes: [.v6]
)
