// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "schema-reconcile",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "SchemaReconciler", targets: ["SchemaReconciler"]),
        .executable(name: "schema-reconcile", targets: ["schema-reconcile"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        // `swift package generate-documentation --target SchemaReconciler` (see README).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // sqlite3_db_config is variadic and cannot be called from Swift: a tiny C shim does it.
        .target(
            name: "CSQLiteHardening",
            linkerSettings: [.linkedLibrary("sqlite3")]),
        .target(
            name: "SchemaReconciler",
            dependencies: [
                "CSQLiteHardening",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]),
        .executableTarget(
            name: "schema-reconcile",
            dependencies: [
                "SchemaReconciler",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // Emulates sqlx (apply, start-up check) independently of the engine; builds fixtures.
        .target(
            name: "SQLxEmulation",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .executableTarget(
            name: "generate-fixtures",
            dependencies: ["SQLxEmulation"]),
        // Seeded synthetic migration histories for benchmarks (no dependency but Foundation).
        .target(name: "MigrationSynthesis"),
        .executableTarget(
            name: "generate-migrations",
            dependencies: ["MigrationSynthesis"]),
        // In-process benchmarks against floors measured in the same run (see Benchmarks/RESULTS.md).
        .executableTarget(
            name: "bench",
            dependencies: ["SchemaReconciler", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Benchmarks/bench"),
        .testTarget(
            name: "SchemaReconcilerTests",
            dependencies: ["SchemaReconciler", "SQLxEmulation", "MigrationSynthesis", "schema-reconcile"]),
    ]
)
