// swift-tools-version:6.1
import PackageDescription

// An app launcher that reconciles its GRDB database before opening it. Depends on schema-reconcile
// by path, so it always builds against this checkout. Not built by the main package's tests or CI.
let package = Package(
    name: "LaunchCheck",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "schema-reconcile", path: "../.."),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
    ],
    targets: [
        .executableTarget(
            name: "LaunchCheck",
            dependencies: [
                .product(name: "SchemaReconciler", package: "schema-reconcile"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
    ]
)
