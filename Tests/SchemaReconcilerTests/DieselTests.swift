import Foundation
import GRDB
import SQLxEmulation
import Testing
@testable import SchemaReconciler

/// The diesel fixtures' folder and a reconciler over it, built once.
enum DieselRepo {
    static let folder = Repo.fixtures.appendingPathComponent(DieselFixtures.folderName)
    static let migrations = folder.appendingPathComponent("migrations")
    static func fixture(_ name: String) -> String { folder.appendingPathComponent(name).path }
    static let reconciler: Reconciler = {
        do { return try Reconciler(migrationsFolder: migrations, dialect: Diesel()) } catch { fatalError("diesel set: \(error)") }
    }()
    static func versions(_ path: String) throws -> [String] {
        try DatabaseQueue(path: path).read { db in try String.fetchAll(db, sql: "SELECT version FROM __diesel_schema_migrations ORDER BY version") }
    }
}

@Suite("diesel: one folder per migration, __diesel_schema_migrations holding version text")
struct DieselTests {
    @Test("the version is the folder name before the first _, dashes removed; metadata.toml can turn the transaction off")
    func layout() throws {
        #expect(Diesel.versionText(of: "2024-01-15-093000_create_users") == "20240115093000")
        #expect(Diesel.versionText(of: "00000000000000_diesel_initial_setup") == "00000000000000")
        #expect(Diesel.runsOutsideTransaction("run_in_transaction = false # PRAGMA foreign_keys\n"))
        #expect(!Diesel.runsOutsideTransaction("run_in_transaction = true\n"))
        let set = try Diesel().loadMigrations(from: DieselRepo.migrations, ignoredCharacters: [])
        #expect(set.applying.map(\.version) == versions(1...34))
        #expect(set.applying.filter(\.noTransaction).map(\.version) == [26])
        #expect(set.applying[0].description == "create_threads")
        #expect(DieselRepo.reconciler.timeline.steps.map(\.fingerprint) == Repo.reconciler.timeline.steps.map(\.fingerprint))
    }

    @Test("text versions order as strings after numbers; a folder whose string order differs from that order is refused naming the folder")
    func badVersions() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        // diesel's string order: "20240101000000" < "abc" < "abd" (digits sort before letters).
        for name in ["abd_y", "abc_x", "20240101000000_first"] {
            try FileManager.default.createDirectory(atPath: folder.path(name), withIntermediateDirectories: true)
            try folder.write("\(name)/up.sql", "CREATE TABLE t\(name.count)_\(name.prefix(3))(x);\n")
        }
        let set = try Diesel().loadMigrations(from: folder.url, ignoredCharacters: [])
        #expect(set.applying.map(\.version.description) == ["20240101000000", "abc", "abd"])
        #expect(set.applying.map(\.version.integer) == [nil, nil, nil], "diesel versions are never integers")
        #expect(set.applying[0].version == MigrationVersion(dotted: "20240101000000"))
        #expect(set.applying[1].version == MigrationVersion(text: "abc"))
        // "1a" follows every number in the engine's order but precedes "20" in diesel's.
        let mixed = try TemporaryFolder()
        defer { mixed.remove() }
        for name in ["1a_x", "20_y"] {
            try FileManager.default.createDirectory(atPath: mixed.path(name), withIntermediateDirectories: true)
            try mixed.write("\(name)/up.sql", "CREATE TABLE t\(name.prefix(2))(x);\n")
        }
        do {
            _ = try Diesel().loadMigrations(from: mixed.url, ignoredCharacters: [])
            Issue.record("a text version among numbers in another order was accepted")
        } catch {
            #expect("\(error)".hasPrefix(mixed.path("1a_x")))
        }
        let other = try TemporaryFolder()
        defer { other.remove() }
        for name in ["9_a", "10_b"] {
            try FileManager.default.createDirectory(atPath: other.path(name), withIntermediateDirectories: true)
            try other.write("\(name)/up.sql", "CREATE TABLE t\(name.count)(x);\n")
        }
        do {
            _ = try Diesel().loadMigrations(from: other.url, ignoredCharacters: [])
            Issue.record("mixed widths accepted")
        } catch {
            #expect("\(error)".hasPrefix(other.path("10_b")))
        }
    }

    @Test("folders with up.sql decide the layout; __diesel_schema_migrations decides a database")
    func detection() throws {
        guard case .decided(let byFolder, _) = Dialects.detect(folder: DieselRepo.migrations, databases: [DieselRepo.fixture("no-ledger.sqlite")]) else {
            Issue.record("not decided"); return
        }
        #expect(byFolder.name == "diesel")
        guard case .decided(let byLedger, _) = Dialects.detect(folder: Repo.migrations, databases: [DieselRepo.fixture("behind.sqlite")]) else {
            Issue.record("not decided"); return
        }
        #expect(byLedger.name == "diesel")
        let result = try CLI.run(["diagnose", "--format", "json", "--migrations", DieselRepo.migrations.path, DieselRepo.fixture("behind.sqlite")])
        let database = try #require((try CLI.json(result)["databases"] as? [[String: Any]])?.first)
        #expect(database["dialect"] as? String == "diesel")
    }

    static let verdicts: [(fixture: String, verdict: Verdict, exit: ExitCode)] = [
        ("healthy.sqlite", .consistent, .ok),
        ("behind.sqlite", .behind, .repairable),
        ("no-ledger.sqlite", .noLedger, .repairable),
        ("failed-no-transaction.sqlite", .behind, .repairable),
        ("ahead.sqlite", .ahead, .needsPerson),
    ]

    @Test("each fixture gets its verdict", arguments: verdicts.indices)
    func diagnosis(index: Int) {
        let expected = Self.verdicts[index]
        let diagnosis = DieselRepo.reconciler.diagnose(databaseAt: DieselRepo.fixture(expected.fixture))
        #expect(diagnosis.verdict == expected.verdict, "\(expected.fixture)")
        #expect(diagnosis.exitCode == expected.exit, "\(expected.fixture)")
        #expect(diagnosis.ledger.dialect == "diesel")
    }

    static let repairs: [(fixture: String, extra: [String], top: Int)] = [
        ("behind.sqlite", [], 23),
        ("failed-no-transaction.sqlite", [], 26),
        ("no-ledger.sqlite", ["--assume-version", "23"], 23),
        ("ahead.sqlite", ["--drop-unproven"], 20),
    ]

    @Test("repair from the CLI writes diesel's rows; diesel runs the rest, user rows untouched", arguments: repairs.indices)
    func repair(index: Int) throws {
        let expected = Self.repairs[index]
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path(expected.fixture)
        try FileManager.default.copyItem(atPath: DieselRepo.fixture(expected.fixture), toPath: path)
        let before = try userRows(path)
        let result = try CLI.run(["repair", "--migrations", DieselRepo.migrations.path] + expected.extra
                                 + ["--backup", folder.path("backup.sqlite"), path])
        #expect(result.exitCode == 0, "\(expected.fixture): \(result.stdout) \(result.stderr)")
        #expect(try userRows(path) == before)
        #expect(try DieselRepo.versions(path) == (1...expected.top).map { String(format: "%04d", $0) })
        let runOn = try DatabaseQueue(path: path).read { db in
            try String.fetchAll(db, sql: "SELECT run_on FROM __diesel_schema_migrations")
        }
        #expect(runOn.allSatisfy { $0.count == 19 && $0.dropFirst(10).hasPrefix(" ") }, "\(runOn)")
        let tool = try DieselEmulator(folder: DieselRepo.migrations)
        let queue = try DatabaseQueue(path: path)
        #expect(try queue.read { db in try tool.pending(db) } == ((expected.top + 1)...34).map { String(format: "%04d", $0) })
        try queue.writeWithoutTransaction { db in try tool.run(db) }
        #expect(try queue.read { db in try tool.pending(db) }.isEmpty)
        try queue.close()
        let fresh = folder.path("fresh.sqlite")
        try DatabaseQueue(path: fresh).writeWithoutTransaction { db in try tool.run(db) }
        #expect(try schemaText(path, ledger: "__diesel_schema_migrations") == (try schemaText(fresh, ledger: "__diesel_schema_migrations")))
    }

    @Test("a ledger created by repair is diesel's own, byte for byte")
    func createdLedgerIsExact() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path("no-ledger.sqlite")
        try FileManager.default.copyItem(atPath: DieselRepo.fixture("no-ledger.sqlite"), toPath: path)
        let outcome = DieselRepo.reconciler.repair(databaseAt: path, options: RepairOptions(plan: PlanOptions(assumeVersion: 23),
                                                                                             backup: .at(folder.path("backup.sqlite"))))
        #expect(outcome.status == .repaired, "\(outcome.message)")
        let made = folder.path("made.sqlite")
        try DatabaseQueue(path: made).write { db in try DieselEmulator(folder: DieselRepo.migrations).setup(db) }
        let ddl = { (file: String) throws -> String? in
            try DatabaseQueue(path: file).read { db in try String.fetchOne(db, sql: "SELECT sql FROM sqlite_schema WHERE name = '__diesel_schema_migrations'") }
        }
        #expect(try ddl(path) == (try ddl(made)))
    }

    @Test("the diesel fixtures regenerate identically and hold user rows")
    func fixturesRegenerate() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try DieselFixtures.generateAll(sqlxMigrations: Repo.migrations, into: folder.url)
        let fresh = folder.url.appendingPathComponent(DieselFixtures.folderName)
        for recipe in DieselFixtures.recipes {
            let committed = DieselRepo.fixture(recipe.name)
            #expect(try contentDump(committed) == (try contentDump(fresh.appendingPathComponent(recipe.name).path)), "\(recipe.name)")
            #expect(try userRows(committed).contains { $0.hasPrefix("threads ") }, "\(recipe.name)")
        }
        for name in Diesel.migrationFolders(in: DieselRepo.migrations) {
            for file in ["up.sql", "down.sql", "metadata.toml"] {
                #expect(FileManager.default.contents(atPath: DieselRepo.migrations.appendingPathComponent("\(name)/\(file)").path)
                        == FileManager.default.contents(atPath: fresh.appendingPathComponent("migrations/\(name)/\(file)").path), "\(name)/\(file)")
            }
        }
    }
}
