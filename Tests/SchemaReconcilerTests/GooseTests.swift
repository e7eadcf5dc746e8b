import Foundation
import GRDB
import SQLxEmulation
import Testing
@testable import SchemaReconciler

/// The goose fixtures' folder and a reconciler over it, built once.
enum GooseRepo {
    static let folder = Repo.fixtures.appendingPathComponent(GooseFixtures.folderName)
    static let migrations = folder.appendingPathComponent("migrations")
    static func fixture(_ name: String) -> String { folder.appendingPathComponent(name).path }
    static let reconciler: Reconciler = {
        do { return try Reconciler(migrationsFolder: migrations, dialect: Goose()) } catch { fatalError("goose set: \(error)") }
    }()
    static func emulator() throws -> GooseEmulator { try GooseEmulator(folder: migrations) }
}

@Suite("goose: goose_db_version with its version-0 row, annotated files, only Up replays")
struct GooseTests {
    // MARK: - Parsing

    @Test("only the Up part is kept, split as goose splits it; StatementBegin/End blocks stay whole")
    func parsesUp() throws {
        let parsed = try GooseSQL.parse("""
            -- a header comment
            -- +goose Up
            -- a comment before the statement is dropped
            CREATE TABLE a (x INTEGER); -- trailing comment
            CREATE TABLE b (
              y TEXT
            );
            -- +goose StatementBegin
            CREATE TRIGGER t AFTER INSERT ON a BEGIN
              INSERT INTO b VALUES ('x');
            END;
            -- +goose StatementEnd

            -- +goose Down
            DROP TABLE b;
            DROP TABLE a;
            """)
        #expect(parsed.up == [
            "CREATE TABLE a (x INTEGER); -- trailing comment",
            "CREATE TABLE b (\n  y TEXT\n);",
            "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  INSERT INTO b VALUES ('x');\nEND;",
        ])
        #expect(parsed.useTransaction)
        #expect(try GooseSQL.parse("-- +goose NO TRANSACTION\n-- +goose Up\nVACUUM;\n") == GooseSQL(up: ["VACUUM;"], useTransaction: false))
        #expect(try GooseSQL.parse("-- +goose UP\nSELECT 1;\n-- +goose ENVSUB OFF\n").up == ["SELECT 1;"])
        // "+goose" is matched case-sensitively: "+GOOSE" is a plain comment, so the file never starts.
        #expect(throws: GooseSQL.Failure.self) { try GooseSQL.parse("-- +GOOSE Up\nSELECT 1;\n") }
    }

    @Test("files goose rejects are errors that name the file", arguments: [
        ("CREATE TABLE a(x);\n", "must start with '-- +goose Up'"),
        ("-- +goose Up\n-- +goose Up\n", "duplicate '-- +goose Up'"),
        ("-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n", "missing '-- +goose StatementEnd'"),
        ("-- +goose Up\nSELECT 1\n", "missing semicolon"),
        ("-- +goose Up\n-- +goose Sideways\n", "unknown annotation"),
        ("-- +goose Up\n-- +goose ENVSUB ON\nSELECT '${X}';\n", "environment variables"),
        ("-- +goose Up\n  -- +goose StatementBegin\n", "leading whitespace"),
    ])
    func rejects(text: String, message: String) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("00001_bad.sql", text)
        do {
            _ = try Goose().loadMigrations(from: folder.url, ignoredCharacters: [])
            Issue.record("accepted: \(text)")
        } catch let error as MigrationSetError {
            #expect(error.description.hasPrefix(folder.path("00001_bad.sql")), "\(error)")
            #expect(error.description.contains(message), "\(error)")
        }
    }

    @Test("the folder loads goose's way: versions ≥ 1 before the first _, other files skipped, NO TRANSACTION kept")
    func loads() throws {
        let set = try Goose().loadMigrations(from: GooseRepo.migrations, ignoredCharacters: [])
        #expect(set.applying.map(\.version) == versions(1...34))
        #expect(set.applying.filter(\.noTransaction).map(\.version) == [26])
        #expect(set.applying[0].description == "create_threads")
        #expect(!set.applying[0].sql.contains("not reversible"))
        #expect(set.applying[13].checksum == Goose.identity(of: 14))
        #expect(Goose.version(of: "00000_zero.sql") == nil && Goose.version(of: "helpers.sql") == nil && Goose.version(of: "7_x.go") == nil)
    }

    @Test("the up SQL goose runs fingerprints as the sqlx files it was laid out from")
    func fingerprints() {
        #expect(GooseRepo.reconciler.timeline.steps.map(\.fingerprint) == Repo.reconciler.timeline.steps.map(\.fingerprint))
    }

    // MARK: - Detection

    @Test("goose's annotations decide a folder without a ledger; goose_db_version decides a database")
    func detection() throws {
        guard case .decided(let byFolder, _) = Dialects.detect(folder: GooseRepo.migrations, databases: [GooseRepo.fixture("no-ledger.sqlite")]) else {
            Issue.record("not decided"); return
        }
        #expect(byFolder.name == "goose")
        guard case .decided(let byLedger, let evidence) = Dialects.detect(folder: Repo.migrations, databases: [GooseRepo.fixture("behind.sqlite")]) else {
            Issue.record("not decided"); return
        }
        #expect(byLedger.name == "goose")
        #expect(evidence.contains("goose_db_version"))
        #expect(!Goose().recognises(Repo.migrations))
        let result = try CLI.run(["diagnose", "--format", "json", "--migrations", GooseRepo.migrations.path, GooseRepo.fixture("behind.sqlite")])
        let database = try #require((try CLI.json(result)["databases"] as? [[String: Any]])?.first)
        #expect(database["dialect"] as? String == "goose")
        #expect(database["verdict"] as? String == "behind")
    }

    // MARK: - Diagnosis

    static let verdicts: [(fixture: String, verdict: Verdict, exit: ExitCode)] = [
        ("healthy.sqlite", .consistent, .ok),
        ("behind.sqlite", .behind, .repairable),
        ("no-ledger.sqlite", .noLedger, .needsPerson),
        ("failed-no-transaction.sqlite", .behind, .repairable),
        ("ahead.sqlite", .ahead, .needsPerson),
    ]

    @Test("each fixture gets its verdict", arguments: verdicts.indices)
    func diagnosis(index: Int) {
        let expected = Self.verdicts[index]
        let diagnosis = GooseRepo.reconciler.diagnose(databaseAt: GooseRepo.fixture(expected.fixture))
        #expect(diagnosis.verdict == expected.verdict, "\(expected.fixture)")
        #expect(diagnosis.exitCode == expected.exit, "\(expected.fixture)")
        #expect(diagnosis.ledger.dialect == "goose")
    }

    @Test("row 0 is goose's own; every other version_id counts as applied whatever is_applied says")
    func readsRows() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path("rows.sqlite")
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: Goose().createTableSQL)
            try db.execute(sql: "INSERT INTO goose_db_version (version_id, is_applied) VALUES (1, 1), (2, 1), (2, 0), (3, 1)")
        }
        guard case .present(let contents) = try queue.read({ db in try Goose().read(db) }) else { Issue.record("unreadable"); return }
        #expect(contents.rows.map(\.version) == [1, 2, 3])
        #expect(contents.problems.count == 2)
        #expect(contents.problems.contains { $0.hasPrefix("no version 0 row") })
        #expect(contents.problems.contains { $0.contains("is_applied = 0 rows for 2") })
    }

    @Test("a gap below the newest row is refused, as goose refuses it, unless --allow-missing")
    func missingRule() throws {
        let diagnosis = GooseRepo.reconciler.diagnose(databaseAt: GooseRepo.fixture("no-ledger.sqlite"))
        let blocker = try #require(diagnosis.plan.blockers.first)
        #expect(blocker.reason.contains("12, 17"))
        #expect(blocker.flag?.contains("--assume-version 23") == true)
        #expect(blocker.flag?.contains("--allow-missing") == true)
        let allowing = try Reconciler(migrations: GooseRepo.reconciler.migrations, ledger: Goose(allowMissing: true), useLock: false)
        #expect(allowing.diagnose(databaseAt: GooseRepo.fixture("no-ledger.sqlite")).plan.writes)
    }

    @Test("a ledger goose refuses (a version missing below its newest row) and nothing proves is a decision for a person")
    func refusedGap() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path("gap.sqlite")
        try FileManager.default.copyItem(atPath: GooseRepo.fixture("healthy.sqlite"), toPath: path)
        try DatabaseQueue(path: path).write { db in try db.execute(sql: "DELETE FROM goose_db_version WHERE version_id = 12") }
        #expect(try DatabaseQueue(path: path).write { db in try GooseRepo.emulator().check(db) }
                == .refused("error: found 1 missing migrations before current version 34"))
        let diagnosis = GooseRepo.reconciler.diagnose(databaseAt: path)
        #expect(diagnosis.exitCode == .needsPerson)
        #expect(diagnosis.findings.contains { $0.kind == .ledgerCheck && $0.message.contains("found 1 missing migrations") })
        // A reference backup whose ledger records 12 proves it ran: the repair records it and goose starts.
        let reference = folder.path("reference.sqlite")
        try FileManager.default.copyItem(atPath: GooseRepo.fixture("healthy.sqlite"), toPath: reference)
        let outcome = GooseRepo.reconciler.repair(databaseAt: path, options: RepairOptions(plan: PlanOptions(referencePath: reference),
                                                                                            backup: .at(folder.path("backup.sqlite"))))
        #expect(outcome.status == .repaired, "\(outcome.message)")
        #expect(try DatabaseQueue(path: path).write { db in try GooseRepo.emulator().check(db) } == .ok(pending: []))
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.copyItem(atPath: folder.path("backup.sqlite"), toPath: path)
        let allowing = try Reconciler(migrations: GooseRepo.reconciler.migrations, ledger: Goose(allowMissing: true), useLock: false)
        #expect(allowing.diagnose(databaseAt: path).exitCode == .ok)
    }

    // MARK: - Repair, judged by goose

    static let repairs: [(fixture: String, extra: [String], recorded: [Int64], pending: [Int64])] = [
        ("behind.sqlite", [], Array(0...23), Array(24...34)),
        ("failed-no-transaction.sqlite", [], Array(0...26), Array(27...34)),
        ("no-ledger.sqlite", ["--assume-version", "23"], Array(0...23), Array(24...34)),
        ("no-ledger.sqlite", ["--allow-missing"], Array(0...23).filter { $0 != 12 && $0 != 17 }, [12, 17] + Array(24...34)),
        ("ahead.sqlite", ["--drop-unproven"], Array(0...20), Array(21...34)),
    ]

    @Test("repair from the CLI writes goose's rows; goose starts, runs the rest, user rows untouched", arguments: repairs.indices)
    func repair(index: Int) throws {
        let expected = Self.repairs[index]
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path(expected.fixture)
        try FileManager.default.copyItem(atPath: GooseRepo.fixture(expected.fixture), toPath: path)
        let before = try userRows(path)
        let result = try CLI.run(["repair", "--migrations", GooseRepo.migrations.path] + expected.extra
                                 + ["--backup", folder.path("backup.sqlite"), path])
        #expect(result.exitCode == 0, "\(expected.fixture): \(result.stdout) \(result.stderr)")
        #expect(try userRows(path) == before)
        let queue = try DatabaseQueue(path: path)
        let recorded = try queue.read { db in try Int64.fetchAll(db, sql: "SELECT version_id FROM goose_db_version ORDER BY version_id") }
        #expect(recorded == expected.recorded, "\(expected.fixture)")
        let applied = try queue.read { db in try Int64.fetchOne(db, sql: "SELECT count(*) FROM goose_db_version WHERE is_applied <> 1") }
        #expect(applied == 0)
        let tool = try GooseEmulator(folder: GooseRepo.migrations, allowMissing: expected.extra.contains("--allow-missing"))
        #expect(try queue.write { db in try tool.check(db) } == .ok(pending: expected.pending), "\(expected.fixture)")
        #expect(try queue.writeWithoutTransaction { db in try tool.up(db) } == .ok(pending: []))
        try queue.close()
    }

    @Test("a ledger created by repair is goose's own table with its version-0 row")
    func createdLedgerIsExact() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path("no-ledger.sqlite")
        try FileManager.default.copyItem(atPath: GooseRepo.fixture("no-ledger.sqlite"), toPath: path)
        let outcome = GooseRepo.reconciler.repair(databaseAt: path, options: RepairOptions(plan: PlanOptions(assumeVersion: 23),
                                                                                            backup: .at(folder.path("backup.sqlite"))))
        #expect(outcome.status == .repaired, "\(outcome.message)")
        let made = folder.path("made.sqlite")
        try DatabaseQueue(path: made).writeWithoutTransaction { db in try GooseEmulator(folder: GooseRepo.migrations).ensureVersionTable(db) }
        let ddl = { (file: String) throws -> String? in
            try DatabaseQueue(path: file).read { db in try String.fetchOne(db, sql: "SELECT sql FROM sqlite_schema WHERE name = 'goose_db_version'") }
        }
        #expect(try ddl(path) == (try ddl(made)))
        let zero = try DatabaseQueue(path: path).read { db in try Row.fetchOne(db, sql: "SELECT version_id, is_applied, tstamp IS NOT NULL FROM goose_db_version ORDER BY id LIMIT 1") }
        #expect(zero.map { [$0[0] as Int64, $0[1] as Int64, $0[2] as Int64] } == [0, 1, 1])
    }

    @Test("a ledger without its version-0 row gets it back with the repair, and goose starts")
    func restoresZeroRow() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path("behind.sqlite")
        try FileManager.default.copyItem(atPath: GooseRepo.fixture("behind.sqlite"), toPath: path)
        try DatabaseQueue(path: path).write { db in try db.execute(sql: "DELETE FROM goose_db_version WHERE version_id = 0") }
        let tool = try GooseRepo.emulator()
        #expect(try DatabaseQueue(path: path).write { db in try tool.check(db) } == .refused("missing zero version migration"))
        let outcome = GooseRepo.reconciler.repair(databaseAt: path, options: RepairOptions(backup: .at(folder.path("backup.sqlite"))))
        #expect(outcome.status == .repaired, "\(outcome.message)")
        #expect(try DatabaseQueue(path: path).write { db in try tool.check(db) } == .ok(pending: Array(24...34)))
    }

    // MARK: - Fixtures

    @Test("the goose fixtures regenerate identically and hold user rows")
    func fixturesRegenerate() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try GooseFixtures.generateAll(sqlxMigrations: Repo.migrations, into: folder.url)
        let fresh = folder.url.appendingPathComponent(GooseFixtures.folderName)
        for recipe in GooseFixtures.recipes {
            let committed = GooseRepo.fixture(recipe.name)
            #expect(try contentDump(committed) == (try contentDump(fresh.appendingPathComponent(recipe.name).path)), "\(recipe.name)")
            #expect(try userRows(committed).contains { $0.hasPrefix("threads ") }, "\(recipe.name)")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: GooseRepo.migrations.path).sorted()
        #expect(names == (try FileManager.default.contentsOfDirectory(atPath: fresh.appendingPathComponent("migrations").path).sorted()))
        for name in names {
            #expect(FileManager.default.contents(atPath: GooseRepo.migrations.appendingPathComponent(name).path)
                    == FileManager.default.contents(atPath: fresh.appendingPathComponent("migrations/\(name)").path), "\(name)")
        }
    }
}
