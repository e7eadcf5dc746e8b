import Foundation
import GRDB
import SQLxEmulation
import Testing
@testable import SchemaReconciler

/// Paths and shared, expensive-to-build values for the tests.
enum Repo {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let migrations = root.appendingPathComponent("Migrations")
    static let fixtures = root.appendingPathComponent("Fixtures")

    static func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    /// The bundled set, replayed once for the whole test run.
    static let reconciler: Reconciler = {
        do { return try Reconciler(migrationsFolder: migrations) } catch { fatalError("bundled migrations: \(error)") }
    }()
}

/// The linked SQLite library's version, read through GRDB rather than the code under test.
let sqliteVersion: String = {
    (try? DatabaseQueue().read { db in try String.fetchOne(db, sql: "SELECT sqlite_version()") }) ?? "unknown"
}()

/// A fresh temporary folder, removed when the value is deinitialised by `defer { folder.remove() }`.
struct TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("schema-reconcile-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Writes a file with exact bytes.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> URL {
        let file = url.appendingPathComponent(name)
        try Data(bytes).write(to: file)
        return file
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> URL { try write(name, Array(text.utf8)) }

    /// Copies a fixture (and its -wal, if any) into the folder.
    func copyFixture(_ name: String) throws -> String {
        let target = path(name)
        try FileManager.default.copyItem(atPath: Repo.fixture(name), toPath: target)
        return target
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Snapshot of an in-memory database built from SQL, for snapshot property tests.
func snapshot(_ sql: String, options: SnapshotOptions = SnapshotOptions()) throws -> SchemaSnapshot {
    let queue = try DatabaseQueue()
    return try queue.write { db in
        try db.execute(sql: sql)
        var introspector = SchemaIntrospector(options: options)
        return try introspector.snapshot(of: db)
    }
}

/// Hex of SHA-384 computed by the system's `sha384sum`, independently of the code under test.
func sha384sum(_ file: URL) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["sha384sum", file.path]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
}

extension Tag {
    /// Tests that take seconds (large databases, many processes).
    @Tag static var slow: Self
}

/// The integer versions of `range`, for comparing with a set's or a ledger's versions.
func versions(_ range: ClosedRange<Int64>) -> [MigrationVersion] { range.map { MigrationVersion($0) } }
