import Foundation
import GRDB
import SQLxEmulation
import Testing
@testable import SchemaReconciler

/// A migrations folder and a database built from it by the sqlx emulator, then edited by `damage`.
func scenario(_ files: [String: String], upTo: Int64? = nil, in folder: TemporaryFolder,
              damage: (Database) throws -> Void) throws -> (Reconciler, String) {
    let migrations = folder.url.appendingPathComponent("m")
    try FileManager.default.createDirectory(at: migrations, withIntermediateDirectories: true)
    for (name, sql) in files { try sql.write(to: migrations.appendingPathComponent(name), atomically: true, encoding: .utf8) }
    let path = folder.path("app.sqlite")
    let queue = try DatabaseQueue(path: path)
    try queue.writeWithoutTransaction { db in
        try SQLxEmulator(folder: migrations).run(db, upTo: upTo)
        try damage(db)
    }
    try queue.close()
    return (try Reconciler(migrationsFolder: migrations, useLock: false), path)
}

@Suite("Ledger edge cases")
struct LedgerEdgeCaseTests {
    @Test("a ledger table is found as SQLite finds names: any case; never a view, a temp table or a NUL-cut name")
    func ledgerTableLookup() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: """
                CREATE TABLE "_SQLx_Migrations"(version BIGINT PRIMARY KEY, description TEXT NOT NULL,
                    installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, success BOOLEAN NOT NULL,
                    checksum BLOB NOT NULL, execution_time BIGINT NOT NULL, note TEXT NOT NULL, extra TEXT);
                INSERT INTO "_SQLx_Migrations" VALUES (1, 'one', '2026-01-01', TRUE, x'00', 5, 'n', NULL);
                CREATE VIEW goose_db_version AS SELECT 1 AS version_id, 1 AS is_applied;
                CREATE TEMP TABLE schema_migrations(version TEXT);
                CREATE TABLE "it's"(a);
                """)
            #expect(try RawStatement.tableExists("_sqlx_migrations", in: db))
            #expect(try !RawStatement.tableExists("goose_db_version", in: db))  // a view
            #expect(try !RawStatement.tableExists("schema_migrations", in: db)) // temp, not main
            #expect(try !RawStatement.tableExists("_sqlx_migrations\0x", in: db))
            #expect(try !RawStatement.tableExists("nothing", in: db))
            #expect(try SQLxLedger.columnNames("it's", in: db) == ["a"])
            #expect(try Goose().read(db) == .absent)
            // The columns in declaration order; only `note` (NOT NULL, no default, not sqlx's) blocks sqlx's INSERT.
            guard case .present(let contents) = try SQLxLedger().read(db) else {
                Issue.record("the ledger was not read")
                return
            }
            #expect(contents.columns == ["version", "description", "installed_on", "success", "checksum", "execution_time", "note", "extra"])
            #expect(contents.unwritableColumns == ["note"])
            #expect(contents.rows.map(\.version) == [1] && contents.rows.first?.checksum == Digest(bytes: [0]))
            #expect(contents.rows.first?.success == true && contents.rows.first?.executionTime == 5)
        }
    }

    @Test("cells of unexpected storage classes are read, not trapped on")
    func oddStorageClasses() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("consistent-tip.sqlite")
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: """
                UPDATE _sqlx_migrations SET installed_on = 1700000000 WHERE version = 1;
                UPDATE _sqlx_migrations SET execution_time = 'slow' WHERE version = 2;
                UPDATE _sqlx_migrations SET checksum = 42 WHERE version = 3;
                UPDATE _sqlx_migrations SET description = x'ff00' WHERE version = 4;
                """)
        }
        try queue.close()
        let diagnosis = Repo.reconciler.diagnose(databaseAt: path)
        #expect(diagnosis.verdict == .checksumDrift)
        #expect(diagnosis.ledger.checksumMismatches == [3])
        let outcome = Repo.reconciler.repair(databaseAt: path, options: RepairOptions(backup: .none))
        #expect(outcome.exitCode == .ok, "\(outcome.message)")
    }

    @Test("an empty ledger claims nothing: a schema matching separate versions is ambiguous, not version 0")
    func emptyLedgerIsNotVersionZero() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (reconciler, path) = try scenario([
            "0_create_t.sql": "CREATE TABLE t(a);", "1_drop_t.sql": "DROP TABLE t;", "2_recreate_t.sql": "CREATE TABLE t(a);",
        ], in: folder) { db in try db.execute(sql: "DELETE FROM _sqlx_migrations") }
        let diagnosis = reconciler.diagnose(databaseAt: path)
        #expect(diagnosis.findings.contains { $0.kind == .ambiguousMatch })
        #expect(!diagnosis.plan.writes)
        #expect(diagnosis.plan.blockers.contains { $0.flag == "--assume-version N" })
    }

    @Test("a dirty row for a version that is not bundled blocks the repair and names --drop-unknown")
    func dirtyUnknownRow() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (reconciler, path) = try scenario(["1_a.sql": "CREATE TABLE a(x);", "2_b.sql": "CREATE TABLE b(x);"], in: folder) { db in
            try db.execute(sql: """
                DELETE FROM _sqlx_migrations WHERE version = 2;
                INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (9, 'newer', 0, x'00', -1);
                """)
        }
        let diagnosis = reconciler.diagnose(databaseAt: path)
        #expect(diagnosis.plan.blockers.contains { $0.flag == "--drop-unknown" })
        #expect(!diagnosis.plan.writes)
        let dropping = reconciler.repair(databaseAt: path, options: RepairOptions(plan: PlanOptions(dropUnknown: true), backup: .none))
        #expect(dropping.exitCode == .ok, "\(dropping.message)")
    }

    @Test("a dirty schema-silent row is marked succeeded only with proof: a probe or --assume-version, never a later version")
    func dirtySilentRow() throws {
        let files = ["1_a.sql": "CREATE TABLE a(x);", "2_fill.sql": "INSERT INTO a VALUES (1);", "3_b.sql": "CREATE TABLE b(x);"]
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        // Schema at 2 (= 1): nothing proves the dirty backfill finished.
        let (reconciler, path) = try scenario(files, upTo: 2, in: folder) { db in
            try db.execute(sql: "UPDATE _sqlx_migrations SET success = 0 WHERE version = 2")
        }
        let undecided = reconciler.diagnose(databaseAt: path)
        #expect(undecided.plan.blockers.contains { $0.flag == "--assume-version N" })
        let assumed = reconciler.diagnose(databaseAt: path, options: PlanOptions(assumeVersion: 2))
        #expect(assumed.plan.actions.first { $0.kind == .markSucceeded }?.reason == "--assume-version 2 covers it: version 2 completed")

        // Schema at 3: version 3 ran after 2, but "a later version follows it" proves nothing about 2's data.
        let later = try TemporaryFolder()
        defer { later.remove() }
        let (reconciler3, path3) = try scenario(files, in: later) { db in
            try db.execute(sql: "UPDATE _sqlx_migrations SET success = 0 WHERE version = 2")
        }
        let followed = reconciler3.diagnose(databaseAt: path3)
        #expect(!followed.plan.actions.contains { $0.kind == .markSucceeded })
        #expect(followed.plan.blockers.contains { $0.flag == "--assume-version N" })
        #expect(followed.exitCode == .needsPerson)
    }

    @Test("ledger table names that sqlx's pasted SQL could not use are rejected", arguments: [
        "ledger -- note", "select", "main._sqlx_migrations", "", "a b",
    ])
    func badTableNames(_ text: String) {
        #expect(throws: SQLxLedger.InvalidTableName.self) { try SQLxLedger(tableNameText: text) }
    }

    @Test("the name's whitespace is trimmed exactly as Foundation's CharacterSet.whitespaces trims it")
    func whitespaceTrimming() throws {
        let texts = ["", " ", "\t\t", " a ", "\u{00A0}b\u{3000}", "\n c \n", "\u{2028}d", "e\u{200B}", " e\u{301} ", "\u{1680}f\u{202F}",
                     "  two  words  ", "\r\ng\r\n", "é\t"]
        for text in texts {
            #expect(SQLxLedger.trimmingWhitespace(text) == text.trimmingCharacters(in: .whitespaces), "\(text.unicodeScalars.map(\.value))")
        }
        // Every scalar of the basic plane, alone and around a letter: the same set as Foundation's.
        var differing: [UInt32] = []
        for value in UInt32(0)...0xFFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = String(scalar) + "x" + String(scalar)
            if SQLxLedger.trimmingWhitespace(text) != text.trimmingCharacters(in: .whitespaces) { differing.append(value) }
        }
        #expect(differing.isEmpty, "\(differing.prefix(20).map { String($0, radix: 16) })")
        #expect(try SQLxLedger(tableNameText: "  app_migrations\t").tableName == "app_migrations")
    }

    @Test("quoted and plain ledger names are accepted")
    func goodTableNames() throws {
        #expect(try SQLxLedger(tableNameText: "\"select\"").tableName == "select")
        #expect(try SQLxLedger(tableNameText: "app_migrations").tableName == "app_migrations")
    }
}
