import Foundation
import GRDB
import SQLxEmulation
import Testing
@testable import SchemaReconciler

/// The golang-migrate fixtures' folder and a reconciler over it, built once.
enum GolangMigrateRepo {
    static let folder = Repo.fixtures.appendingPathComponent(GolangMigrateFixtures.folderName)
    static let migrations = folder.appendingPathComponent("migrations")
    static func fixture(_ name: String) -> String { folder.appendingPathComponent(name).path }
    /// Migration 26 wraps itself in BEGIN/COMMIT, so this folder runs with x-no-tx-wrap=true.
    static let dialect = GolangMigrate(noTransactionWrap: true)
    static let reconciler: Reconciler = {
        do { return try Reconciler(migrationsFolder: migrations, dialect: dialect) } catch { fatalError("golang-migrate set: \(error)") }
    }()
    static func emulator() throws -> GolangMigrateEmulator { try GolangMigrateEmulator(folder: migrations, noTxWrap: true) }
    /// The CLI flags that select this folder.
    static let flags = ["--migrations", migrations.path, "--no-tx-wrap"]
}

/// Rows of the user tables a repair must leave alone.
func userRows(_ path: String) throws -> [String] {
    let queue = try DatabaseQueue(path: path, configuration: { var c = Configuration(); c.readonly = true; return c }())
    defer { try? queue.close() }
    return try queue.read { db in
        var lines: [String] = []
        for table in ["threads", "settings", "memories", "thread_names"] where try db.tableExists(table) {
            lines += try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY 1").map { "\(table) \($0)" }
        }
        return lines
    }
}

/// The schema text, ledger excluded, as golang-migrate leaves it.
func schemaText(_ path: String, ledger: String) throws -> [String] {
    let queue = try DatabaseQueue(path: path)
    defer { try? queue.close() }
    return try queue.read { db in
        try String.fetchAll(db, sql: """
            SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_schema
            WHERE tbl_name <> ? AND name NOT LIKE 'sqlite_%' ORDER BY name
            """, arguments: [ledger])
    }
}

@Suite("golang-migrate: schema_migrations (version, dirty), one row, force decided by proof")
struct GolangMigrateTests {
    // MARK: - Layout

    @Test("file names follow golang-migrate's ^([0-9]+)_(.*)\\.(down|up)\\.(.*)$")
    func fileNames() {
        #expect(GolangMigrate.parse(fileName: "0001_create_users.up.sql")! == ("0001", "create_users", true))
        #expect(GolangMigrate.parse(fileName: "20240101120000_x.down.sql")! == ("20240101120000", "x", false))
        #expect(GolangMigrate.parse(fileName: "3_a.up.b.up.sql")! == ("3", "a.up.b", true))
        #expect(GolangMigrate.parse(fileName: "0001_create_users.sql") == nil)
        #expect(GolangMigrate.parse(fileName: "x1_a.up.sql") == nil)
        #expect(GolangMigrate.parse(fileName: "1_a.up.") == nil)
    }

    @Test("the folder loads up files as applied and down files as counted, with no checksum but the version")
    func loads() throws {
        let set = try GolangMigrateRepo.dialect.loadMigrations(from: GolangMigrateRepo.migrations, ignoredCharacters: [])
        #expect(set.applying.map(\.version) == versions(1...34))
        #expect(set.applying.allSatisfy { $0.kind == .reversibleUp && $0.noTransaction })
        #expect(set.applying[0].description == "create_threads")
        #expect(set.migrations.filter { $0.kind == .reversibleDown }.count == 34)
        #expect(set.applying[6].checksum == GolangMigrate.identity(of: 7))
    }

    @Test("the same SQL laid out for golang-migrate fingerprints as sqlx's folder does, from the library and the CLI")
    func fingerprints() throws {
        let golang = GolangMigrateRepo.reconciler.timeline.steps.map(\.fingerprint)
        #expect(golang == Repo.reconciler.timeline.steps.map(\.fingerprint))
        let result = try CLI.run(["fingerprint", "--dialect", "golang-migrate", "--format", "json"] + GolangMigrateRepo.flags)
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout.contains(golang.last!.hex))
    }

    @Test("a version too large for the engine is an error naming the file")
    func hugeVersion() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("99999999999999999999_big.up.sql", "CREATE TABLE t(a);\n")
        #expect(throws: MigrationSetError.unparsableVersion(path: folder.path("99999999999999999999_big.up.sql"),
                                                             prefix: "99999999999999999999")) {
            try GolangMigrate().loadMigrations(from: folder.url, ignoredCharacters: [])
        }
    }

    @Test("a folder with sqlx's simple files is not golang-migrate's; up/down files alone fit both")
    func recognition() throws {
        #expect(!GolangMigrate().recognises(Repo.migrations))
        #expect(GolangMigrate().recognises(GolangMigrateRepo.migrations))
        #expect(SQLxLedger().recognises(GolangMigrateRepo.migrations))
    }

    // MARK: - Detection

    @Test("the ledger table decides: schema_migrations (version, dirty) is golang-migrate, _sqlx_migrations is sqlx")
    func detection() throws {
        let folder = GolangMigrateRepo.migrations
        guard case .decided(let golang, _) = Dialects.detect(folder: folder, databases: [GolangMigrateRepo.fixture("behind.sqlite")]) else {
            Issue.record("golang-migrate ledger not detected"); return
        }
        #expect(golang.name == "golang-migrate")
        guard case .decided(let sqlx, _) = Dialects.detect(folder: folder, databases: [Repo.fixture("behind-by-three.sqlite")]) else {
            Issue.record("sqlx ledger not detected"); return
        }
        #expect(sqlx.name == "sqlx")
        guard case .ambiguous(let candidates, _) = Dialects.detect(folder: folder, databases: [GolangMigrateRepo.fixture("no-ledger.sqlite")]) else {
            Issue.record("no ledger and a shared layout should be ambiguous"); return
        }
        #expect(candidates == ["sqlx", "golang-migrate"])
        // A table named schema_migrations without a dirty column is dbmate's, not golang-migrate's.
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let other = temp.path("other.sqlite")
        try DatabaseQueue(path: other).write { db in try db.execute(sql: "CREATE TABLE schema_migrations (version varchar(128) primary key)") }
        guard case .decided(let dbmate, _) = Dialects.detect(folder: folder, databases: [other]) else {
            Issue.record("schema_migrations without dirty was not told apart"); return
        }
        #expect(dbmate.name == "dbmate")
        #expect(try DatabaseQueue(path: other).read { db in try GolangMigrate().holdsLedger(db) } == false)
    }

    @Test("without a ledger the CLI exits 64 naming the candidates and --dialect; --dialect settles it")
    func ambiguousCLI() throws {
        let result = try CLI.run(["diagnose"] + GolangMigrateRepo.flags + [GolangMigrateRepo.fixture("no-ledger.sqlite")])
        #expect(result.exitCode == 64)
        #expect(result.stderr.contains("candidates: sqlx, golang-migrate"))
        #expect(result.stderr.contains("--dialect NAME"))
        let chosen = try CLI.run(["diagnose", "--dialect", "golang-migrate", "--format", "json"] + GolangMigrateRepo.flags
                                 + [GolangMigrateRepo.fixture("no-ledger.sqlite")])
        // One row cannot say "1–23 ran but not the schema-silent 12 and 17": a person settles it (exit 2).
        #expect(chosen.exitCode == 2)
        let database = try #require((try CLI.json(chosen)["databases"] as? [[String: Any]])?.first)
        #expect(database["dialect"] as? String == "golang-migrate")
        #expect(database["verdict"] as? String == "no-ledger")
        let unknown = try CLI.run(["diagnose", "--dialect", "liquibase"] + GolangMigrateRepo.flags + [GolangMigrateRepo.fixture("behind.sqlite")])
        #expect(unknown.exitCode == 64)
        #expect(unknown.stderr.contains("unknown dialect \"liquibase\"; known: sqlx, golang-migrate"))
    }

    @Test("--dialect wins over the ledger found: a golang-migrate database read as sqlx has no sqlx ledger")
    func dialectWins() throws {
        let result = try CLI.run(["diagnose", "--dialect", "sqlx", "--format", "json", "--migrations", GolangMigrateRepo.migrations.path,
                                  GolangMigrateRepo.fixture("healthy.sqlite")])
        let database = try #require((try CLI.json(result)["databases"] as? [[String: Any]])?.first)
        #expect(database["dialect"] as? String == "sqlx")
        #expect(database["verdict"] as? String == "no-ledger")
        let misused = try CLI.run(["diagnose", "--dialect", "sqlx"] + GolangMigrateRepo.flags + [GolangMigrateRepo.fixture("healthy.sqlite")])
        #expect(misused.exitCode == 64)
        #expect(misused.stderr.contains("--no-tx-wrap is golang-migrate's x-no-tx-wrap; the dialect is sqlx"))
    }

    @Test("sqlx reports say dialect sqlx")
    func sqlxDialectInJSON() throws {
        let result = try CLI.run(["diagnose", "--format", "json", Repo.fixture("consistent-tip.sqlite")])
        let database = try #require((try CLI.json(result)["databases"] as? [[String: Any]])?.first)
        #expect(database["dialect"] as? String == "sqlx")
    }

    // MARK: - Diagnosis

    static let verdicts: [(fixture: String, verdict: Verdict, exit: ExitCode, dirty: [MigrationVersion])] = [
        ("healthy.sqlite", .consistent, .ok, []),
        ("behind.sqlite", .behind, .repairable, []),
        ("no-ledger.sqlite", .noLedger, .needsPerson, []),
        ("dirty-applied.sqlite", .dirty, .repairable, [25]),
        ("dirty-not-applied.sqlite", .dirty, .repairable, [25]),
        ("ahead.sqlite", .ahead, .needsPerson, []),
    ]

    @Test("each fixture gets its verdict", arguments: verdicts.indices)
    func diagnosis(index: Int) throws {
        let expected = Self.verdicts[index]
        let diagnosis = GolangMigrateRepo.reconciler.diagnose(databaseAt: GolangMigrateRepo.fixture(expected.fixture))
        #expect(diagnosis.verdict == expected.verdict, "\(expected.fixture)")
        #expect(diagnosis.exitCode == expected.exit, "\(expected.fixture)")
        #expect(diagnosis.ledger.dirty == expected.dirty, "\(expected.fixture)")
        #expect(diagnosis.ledger.dialect == "golang-migrate")
    }

    @Test("the single row reads as every bundled version up to it, the last one not successful when dirty")
    func readsRow() throws {
        let queue = try DatabaseQueue(path: GolangMigrateRepo.fixture("dirty-applied.sqlite"))
        defer { try? queue.close() }
        let rows = try queue.read { db in try GolangMigrateRepo.reconciler.ledger.read(db).rows }
        #expect(rows.map(\.version) == versions(1...25))
        #expect(rows.filter(\.isDirty).map(\.version) == [25])
        let text = try CLI.run(["diagnose"] + GolangMigrateRepo.flags + [GolangMigrateRepo.fixture("dirty-applied.sqlite")]).stdout
        #expect(text.contains("schema_migrations: one value standing for versions 1–25; dirty 25"), "\(text)")
    }

    @Test("a hand-edited table: several rows are a problem, a text version or a dirty -1 cannot be read as golang-migrate's")
    func handEdited() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        func state(_ sql: String) throws -> LedgerState {
            let path = folder.path("\(UUID().uuidString).sqlite")
            let queue = try DatabaseQueue(path: path)
            defer { try? queue.close() }
            try queue.write { db in
                try db.execute(sql: GolangMigrateRepo.dialect.createTableSQL)
                try db.execute(sql: sql)
            }
            return try queue.read { db in try GolangMigrateRepo.reconciler.ledger.read(db) }
        }
        guard case .present(let two) = try state("INSERT INTO schema_migrations VALUES (3, 0), (5, 0)") else {
            Issue.record("two rows unreadable"); return
        }
        #expect(two.problems == ["2 rows; golang-migrate keeps one and reads whichever comes first"])
        #expect(two.rows.map(\.version) == [1, 2, 3])
        guard case .unusable(let text) = try state("INSERT INTO schema_migrations VALUES ('v3', 0)") else {
            Issue.record("a text version was read"); return
        }
        #expect(text.contains("holds version \"v3\", not an integer"))
        guard case .unusable(let nilDirty) = try state("INSERT INTO schema_migrations VALUES (-1, 1)") else {
            Issue.record("a dirty -1 was read"); return
        }
        #expect(nilDirty.contains("needs `force`"))
        guard case .present(let empty) = try state("SELECT 1") else { Issue.record("empty table unreadable"); return }
        #expect(empty.rows.isEmpty)
    }

    @Test("a schema that proves V but misses a schema-silent version below it is refused, naming --assume-version")
    func unrepresentable() throws {
        let diagnosis = GolangMigrateRepo.reconciler.diagnose(databaseAt: GolangMigrateRepo.fixture("no-ledger.sqlite"))
        #expect(!diagnosis.plan.writes)
        let blocker = try #require(diagnosis.plan.blockers.first)
        #expect(blocker.reason.contains("not 12, 17"))
        #expect(blocker.flag == "--assume-version 23")
        let settled = GolangMigrateRepo.reconciler.diagnose(databaseAt: GolangMigrateRepo.fixture("no-ledger.sqlite"),
                                                            options: PlanOptions(assumeVersion: 23))
        #expect(settled.plan.writes)
    }

    // MARK: - Repair, judged by golang-migrate

    static let repairs: [(fixture: String, extra: [String], recorded: Int64)] = [
        ("behind.sqlite", [], 23),
        ("dirty-applied.sqlite", [], 25),
        ("dirty-not-applied.sqlite", [], 24),
        ("no-ledger.sqlite", ["--dialect", "golang-migrate", "--assume-version", "23"], 23),
        ("ahead.sqlite", ["--drop-unproven"], 20),
    ]

    @Test("repair from the CLI writes (V, 0); golang-migrate starts, runs the rest and ends at a fresh run's schema",
          arguments: repairs.indices)
    func repair(index: Int) throws {
        let expected = Self.repairs[index]
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path(expected.fixture)
        try FileManager.default.copyItem(atPath: GolangMigrateRepo.fixture(expected.fixture), toPath: path)
        let before = try userRows(path)
        let tool = try GolangMigrateRepo.emulator()
        let refusal = try DatabaseQueue(path: path).write { db in try tool.check(db) }
        if expected.fixture.hasPrefix("dirty") { #expect(refusal == .refused("Dirty database version 25. Fix and force version.")) }

        let result = try CLI.run(["repair"] + GolangMigrateRepo.flags + expected.extra + ["--backup", folder.path("backup.sqlite"), path])
        #expect(result.exitCode == 0, "\(expected.fixture): \(result.stdout) \(result.stderr)")
        #expect(try userRows(path) == before, "\(expected.fixture): user rows changed")

        let queue = try DatabaseQueue(path: path)
        let stored = try queue.read { db in try Row.fetchAll(db, sql: "SELECT version, typeof(version), dirty, typeof(dirty) FROM schema_migrations") }
        #expect(stored.count == 1)
        #expect(stored.first.map { [$0[0] as Int64, $0[2] as Int64] } == [expected.recorded, 0])
        #expect(stored.first?[1] == "integer" && stored.first?[3] == "integer")
        let check = try queue.write { db in try tool.check(db) }
        #expect(check == .ok(pending: Array(UInt64(expected.recorded + 1)...34)), "\(expected.fixture)")
        let finished = try queue.writeWithoutTransaction { db in try tool.up(db) }
        #expect(finished == .ok(pending: []))
        try queue.close()

        let fresh = folder.path("fresh.sqlite")
        let freshQueue = try DatabaseQueue(path: fresh)
        try freshQueue.writeWithoutTransaction { db in _ = try tool.up(db) }
        try freshQueue.close()
        #expect(try schemaText(path, ledger: "schema_migrations") == (try schemaText(fresh, ledger: "schema_migrations")),
                "\(expected.fixture): the schema after migrate up differs from a fresh run")
    }

    @Test("a ledger created by repair is golang-migrate's own: table, version_unique index, byte for byte")
    func createdLedgerIsExact() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path("no-ledger.sqlite")
        try FileManager.default.copyItem(atPath: GolangMigrateRepo.fixture("no-ledger.sqlite"), toPath: path)
        let outcome = GolangMigrateRepo.reconciler.repair(databaseAt: path, options: RepairOptions(
            plan: PlanOptions(assumeVersion: 23), backup: .at(folder.path("backup.sqlite"))))
        #expect(outcome.status == .repaired, "\(outcome.message)")
        let ledgerSQL = { (file: String) throws -> [String] in
            try DatabaseQueue(path: file).read { db in
                try String.fetchAll(db, sql: "SELECT type || ' ' || name || ' ' || sql FROM sqlite_schema WHERE tbl_name = 'schema_migrations' ORDER BY name")
            }
        }
        let made = folder.path("made.sqlite")
        try DatabaseQueue(path: made).write { db in try GolangMigrateRepo.emulator().ensureVersionTable(db) }
        #expect(try ledgerSQL(path) == (try ledgerSQL(made)))
        #expect(try ledgerSQL(path).count == 2)
    }

    @Test("a healthy database is left alone and golang-migrate has nothing to run")
    func healthy() throws {
        let path = GolangMigrateRepo.fixture("healthy.sqlite")
        let diagnosis = GolangMigrateRepo.reconciler.diagnose(databaseAt: path)
        #expect(!diagnosis.plan.writes)
        let check = try DatabaseQueue(path: path, configuration: { var c = Configuration(); c.readonly = true; return c }())
            .read { db in try GolangMigrateEmulator(folder: GolangMigrateRepo.migrations).version(db) }
        #expect(check.version == 34 && !check.dirty)
    }

    // MARK: - Fixtures

    @Test("the golang-migrate fixtures regenerate identically and hold user rows")
    func fixturesRegenerate() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try GolangMigrateFixtures.generateAll(sqlxMigrations: Repo.migrations, into: folder.url)
        let fresh = folder.url.appendingPathComponent(GolangMigrateFixtures.folderName)
        for recipe in GolangMigrateFixtures.recipes {
            let committed = GolangMigrateRepo.fixture(recipe.name)
            #expect(try contentDump(committed) == (try contentDump(fresh.appendingPathComponent(recipe.name).path)), "\(recipe.name)")
            #expect(try userRows(committed).contains { $0.hasPrefix("threads ") }, "\(recipe.name)")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: GolangMigrateRepo.migrations.path).sorted()
        #expect(names == (try FileManager.default.contentsOfDirectory(atPath: fresh.appendingPathComponent("migrations").path).sorted()))
        for name in names {
            #expect(FileManager.default.contents(atPath: GolangMigrateRepo.migrations.appendingPathComponent(name).path)
                    == FileManager.default.contents(atPath: fresh.appendingPathComponent("migrations/\(name)").path), "\(name)")
        }
    }
}
