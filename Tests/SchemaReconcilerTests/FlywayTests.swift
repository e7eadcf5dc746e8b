import Foundation
import GRDB
import SQLxEmulation
import Testing
@testable import SchemaReconciler

/// The Flyway fixtures' folder.
enum FlywayRepo {
    static let folder = Repo.fixtures.appendingPathComponent(FlywayFixtures.folderName)
    static let migrations = folder.appendingPathComponent("migrations")
    static func fixture(_ name: String) -> String { folder.appendingPathComponent(name).path }
}

@Suite("Flyway: flyway_schema_history with CRC-32 line checksums, installed_rank order and validate's rules")
struct FlywayTests {
    /// Computed outside this code with the JDK alone: `java scripts/FlywayChecksumVectors.java` feeds
    /// each text through `BufferedReader.readLine()` and `java.util.zip.CRC32` as Flyway's
    /// `ChecksumCalculator` does (BOM dropped from the first line, lines joined with nothing, `(int)`),
    /// on OpenJDK 17.0.15. Cross-checked with `zlib.crc32` in CPython 3.11 over the text with CR and LF removed.
    static let vectors: [(name: String, text: String, checksum: Int32)] = [
        ("empty", "", 0),
        ("LF", "CREATE TABLE t (a INTEGER);\nINSERT INTO t VALUES (1);\n", 706629872),
        ("CRLF", "CREATE TABLE t (a INTEGER);\r\nINSERT INTO t VALUES (1);\r\n", 706629872),
        ("lone CR", "CREATE TABLE t (a INTEGER);\rINSERT INTO t VALUES (1);\r", 706629872),
        ("no trailing newline", "CREATE TABLE t (a INTEGER);\nINSERT INTO t VALUES (1);", 706629872),
        ("BOM", "\u{FEFF}CREATE TABLE t (a INTEGER);\nINSERT INTO t VALUES (1);\n", 706629872),
        ("blank lines", "\n\nCREATE TABLE t (a INTEGER);\n\n\nINSERT INTO t VALUES (1);\n\n", 706629872),
        ("non-ASCII", "INSERT INTO t VALUES ('héllo wörld ✓ 😀');\n", -1380384434),
        ("a trailing space", "CREATE TABLE t (a INTEGER); \nINSERT INTO t VALUES (1);\n", -319636805),
        ("BOM on the second line", "CREATE TABLE t (a INTEGER);\n\u{FEFF}INSERT INTO t VALUES (1);\n", 610697956),
        ("SELECT 1", "SELECT 1;\n", 78787420),
    ]

    @Test("the emulator's checksum matches the JDK's CRC32 over readLine()", arguments: vectors.indices)
    func emulatorChecksum(index: Int) {
        let vector = Self.vectors[index]
        #expect(FlywayEmulator.checksum(Data(vector.text.utf8)) == vector.checksum, "\(vector.name)")
    }

    /// `java scripts/FlywayChecksumVectors.java Fixtures/flyway/migrations/V1__create_threads.sql …`.
    @Test("the checksums of bundled files match the JDK's")
    func fileVectors() throws {
        let tool = try FlywayEmulator(folder: FlywayRepo.migrations)
        let byVersion = Dictionary(uniqueKeysWithValues: tool.sources.compactMap { source in source.version.map { ($0.text, source.checksum) } })
        #expect(byVersion["1"] == -2082119248)
        #expect(byVersion["13"] == 123716330)
        #expect(tool.sources.map(\.version?.text) == (1...34).map(String.init))
        #expect(tool.sources.filter { !$0.executeInTransaction }.map(\.script) == ["V26__rebuild_threads_constraints.sql"])
    }

    @Test("the emulator orders versions as MigrationVersion does and refuses equal versions")
    func emulatorVersions() throws {
        let versions = ["1.2.10", "1.2.9", "1_1", "2", "1.0.0.0", "1.10"].map { FlywayEmulator.Version($0)! }
        #expect(versions.sorted().map(\.text) == ["1.0.0.0", "1.1", "1.2.9", "1.2.10", "1.10", "2"])
        #expect(FlywayEmulator.Version("1") == FlywayEmulator.Version("1.0"))
        #expect(FlywayEmulator.Version("1.x") == nil && FlywayEmulator.Version("1..2") == nil)
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("V1__a.sql", "CREATE TABLE a(x);\n")
        try folder.write("V1.0__b.sql", "CREATE TABLE b(x);\n")
        #expect(throws: FixtureError.self) { try FlywayEmulator(folder: folder.url) }
    }

    @Test("the emulator's validate: failed rows, CRLF-proof checksums, ignored versions below the last applied, DELETE rows")
    func emulatorValidate() throws {
        let tool = try FlywayEmulator(folder: FlywayRepo.migrations)
        let queue = try DatabaseQueue(path: FlywayRepo.fixture("failed.sqlite"))
        guard case .refused(let failed) = try queue.read({ db in try tool.validate(db) }) else { Issue.record("failed accepted"); return }
        #expect(failed.first?.hasPrefix("Detected failed migration to version 26 (rebuild threads constraints)") == true)
        let drift = try DatabaseQueue(path: FlywayRepo.fixture("checksum-drift.sqlite"))
        guard case .refused(let mismatch) = try drift.read({ db in try tool.validate(db) }) else { Issue.record("drift accepted"); return }
        #expect(mismatch.first?.hasPrefix("Migration checksum mismatch for migration version 13") == true)
        let behind = try DatabaseQueue(path: FlywayRepo.fixture("behind.sqlite"))
        #expect(try behind.read { db in try tool.validate(db) } == .ok(pending: (21...34).map(String.init)))
        #expect(try DatabaseQueue(path: FlywayRepo.fixture("ahead.sqlite")).read { db in try tool.validate(db) } == .ok(pending: (24...34).map(String.init)))
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path("healthy.sqlite")
        try FileManager.default.copyItem(atPath: FlywayRepo.fixture("healthy.sqlite"), toPath: path)
        let copy = try DatabaseQueue(path: path)
        try copy.write { db in try db.execute(sql: "DELETE FROM flyway_schema_history WHERE version = '5'") }
        guard case .refused(let ignored) = try copy.read({ db in try tool.validate(db) }) else { Issue.record("gap accepted"); return }
        #expect(ignored == ["Detected resolved migration not applied to database: 5.\nTo ignore this migration, set -ignoreMigrationPatterns='*:ignored'. To allow executing this migration, set -outOfOrder=true."])
        #expect(try copy.read { db in try tool.validate(db, outOfOrder: true) } == .ok(pending: ["5"]))
        try copy.write { db in
            try db.execute(sql: """
                INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
                VALUES (100, '99', 'later', 'SQL', 'V99__later.sql', 1, '', 0, 1), (101, '5', 'create settings', 'SQL', 'V5__create_settings.sql', 0, '', 0, 1)
                """)
        }
        guard case .refused(let wrong) = try copy.read({ db in try tool.validate(db) }) else { Issue.record("accepted"); return }
        #expect(wrong.count == 1 && wrong[0].hasPrefix("Migration checksum mismatch for migration version 5"), "a future row is ignored: \(wrong)")
        try copy.write { db in
            try db.execute(sql: "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) VALUES (102, '5', 'create settings', 'DELETE', 'V5__create_settings.sql', 0, '', 0, 1)")
        }
        #expect(try copy.read { db in try tool.validate(db, outOfOrder: true) } == .ok(pending: ["5"]))
        let noLedger = folder.path("no-ledger.sqlite")
        try FileManager.default.copyItem(atPath: FlywayRepo.fixture("no-ledger.sqlite"), toPath: noLedger)
        guard case .refused(let nonEmpty) = try DatabaseQueue(path: noLedger).writeWithoutTransaction({ db in try tool.migrate(db) }) else {
            Issue.record("migrated a non-empty schema without a history table"); return
        }
        #expect(nonEmpty.first?.hasPrefix("Found non-empty schema(s) \"main\" but no schema history table") == true)
    }

    @Test("the Flyway fixtures regenerate identically and hold user rows")
    func fixturesRegenerate() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try FlywayFixtures.generateAll(sqlxMigrations: Repo.migrations, into: folder.url)
        let fresh = folder.url.appendingPathComponent(FlywayFixtures.folderName)
        for recipe in FlywayFixtures.recipes {
            let committed = FlywayRepo.fixture(recipe.name)
            #expect(try contentDump(committed) == (try contentDump(fresh.appendingPathComponent(recipe.name).path)), "\(recipe.name)")
            #expect(try userRows(committed).contains { $0.hasPrefix("threads ") }, "\(recipe.name)")
        }
        for name in try FileManager.default.contentsOfDirectory(atPath: FlywayRepo.migrations.path) {
            #expect(FileManager.default.contents(atPath: FlywayRepo.migrations.appendingPathComponent(name).path)
                    == FileManager.default.contents(atPath: fresh.appendingPathComponent("migrations/\(name)").path), "\(name)")
        }
        #expect(FileManager.default.contents(atPath: FlywayRepo.fixture("flyway.toml")) == FileManager.default.contents(atPath: fresh.appendingPathComponent("flyway.toml").path))
    }
}
