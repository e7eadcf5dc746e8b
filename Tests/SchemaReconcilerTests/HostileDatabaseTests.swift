import Foundation
import GRDB
import SQLxEmulation
import Testing
@testable import SchemaReconciler

/// Builds a database from a fixture plus hostile SQL, the way an attacker or a careless tool would.
func hostileCopy(of fixture: String, in folder: TemporaryFolder, _ sql: String, writableSchema: Bool = false) throws -> String {
    let path = try folder.copyFixture(fixture)
    let queue = try DatabaseQueue(path: path)
    try queue.writeWithoutTransaction { db in
        if writableSchema { try db.execute(sql: "PRAGMA writable_schema = ON") }
        try db.execute(sql: sql)
        if writableSchema { try db.execute(sql: "PRAGMA writable_schema = OFF") }
    }
    try queue.close()
    return path
}

@Suite("Hostile database files are read and repaired without running their code")
struct HostileDatabaseTests {
    let reconciler = Repo.reconciler

    @Test("a trigger planted on the ledger table does not fire during repair")
    func ledgerTrigger() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try hostileCopy(of: "behind-by-three.sqlite", in: folder, """
            CREATE TABLE audit_log(entry TEXT);
            CREATE TRIGGER wipe AFTER INSERT ON _sqlx_migrations BEGIN
              DELETE FROM threads; INSERT INTO audit_log VALUES ('fired');
            END;
            CREATE TRIGGER wipe_on_update AFTER UPDATE ON _sqlx_migrations BEGIN DELETE FROM memories; END;
            """)
        let before = try userData(path)
        let outcome = reconciler.repair(databaseAt: path, options: RepairOptions(backup: .none))
        #expect(outcome.status == .repaired, "\(outcome.message)")
        #expect(try userData(path) == before)
        #expect(try ledgerRows(path).count == 23)
        let foreign = outcome.before.findings.first { $0.kind == .foreignObjects }
        #expect(foreign?.message.contains("trigger wipe") == true)
    }

    @Test("a view calling a function that does not exist is reported, not evaluated")
    func viewWithUnknownFunction() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try hostileCopy(of: "consistent-tip.sqlite", in: folder,
                                   "CREATE VIEW exfiltrate AS SELECT no_such_function(id) FROM threads")
        let diagnosis = reconciler.diagnose(databaseAt: path)
        #expect(diagnosis.verdict == .consistent)
        #expect(diagnosis.findings.contains { $0.kind == .foreignObjects && $0.message.contains("view exfiltrate") })
    }

    @Test("a virtual table whose module is not loaded is read by its text, and the rest still matches")
    func unknownModule() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try hostileCopy(of: "consistent-tip.sqlite", in: folder, """
            INSERT INTO sqlite_schema(type, name, tbl_name, rootpage, sql)
            VALUES ('table', 'secrets', 'secrets', 0, 'CREATE VIRTUAL TABLE secrets USING evil_module(payload)')
            """, writableSchema: true)
        let diagnosis = reconciler.diagnose(databaseAt: path)
        #expect(diagnosis.verdict == .consistent)
        #expect(diagnosis.exitCode == .ok)
        #expect(diagnosis.findings.contains { $0.kind == .foreignObjects && $0.message.contains("virtual table secrets") })
    }

    @Test("a schema entry SQLite cannot parse is unreadable with a one-line reason, exit 3")
    func malformedSchema() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try hostileCopy(of: "consistent-tip.sqlite", in: folder, """
            INSERT INTO sqlite_schema(type, name, tbl_name, rootpage, sql) VALUES ('table', 'bad', 'bad', 0, 'CREATE TABLE bad(')
            """, writableSchema: true)
        let bytes = fileBytes(path)
        let diagnosis = reconciler.diagnose(databaseAt: path)
        #expect(diagnosis.verdict == .unreadable)
        #expect(diagnosis.findings.first?.message.hasPrefix(path) == true)
        #expect(diagnosis.findings.first?.message.contains("\n") == false)
        let outcome = reconciler.repair(databaseAt: path)
        #expect(outcome.exitCode == .unreadable)
        #expect(fileBytes(path) == bytes)
    }

    @Test("names with quotes, spaces, unicode and keywords are quoted everywhere and compared correctly")
    func awkwardNames() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("1_odd.sql", """
            CREATE TABLE "we""ird table" ("select" INTEGER PRIMARY KEY, [from] TEXT, `ünïcödé` TEXT);
            CREATE INDEX "idx with space" ON "we""ird table" ([from], "ünïcödé" COLLATE NOCASE);
            CREATE VIEW "order" AS SELECT "select", [from] FROM "we""ird table";
            """)
        try folder.write("2_more.sql", "ALTER TABLE \"we\"\"ird table\" ADD COLUMN \"group\" TEXT DEFAULT 'x''y';")
        let set = try MigrationSet.load(from: folder.url)
        let odd = try Reconciler(migrations: set, ledger: try SQLxLedger(tableNameText: "\"my ledger\""))
        let path = folder.path("odd.sqlite")
        let emulator = SQLxEmulator(sources: try SQLxEmulator(folder: folder.url).sources, table: "\"my ledger\"")
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            try emulator.run(db)
            try db.execute(sql: "INSERT INTO \"we\"\"ird table\" VALUES (1, 'a', 'b', 'c'); DELETE FROM \"my ledger\" WHERE version = 2")
        }
        try queue.close()
        let diagnosis = odd.diagnose(databaseAt: path)
        #expect(diagnosis.verdict == .behind)
        #expect(diagnosis.matchedVersions == VersionRange(lowest: 2, highest: 2))
        let outcome = odd.repair(databaseAt: path, options: RepairOptions(backup: .none))
        #expect(outcome.status == .repaired, "\(outcome.message)")
        let check = try DatabaseQueue(path: path).read { db in try emulator.startupCheck(db) }
        #expect(check == .ok(pending: []))
    }

    @Test("a deeply nested view and a very long CHECK are snapshotted without recursion trouble")
    func deepNesting() throws {
        let nested = String(repeating: "(", count: 80) + "1" + String(repeating: ")", count: 80)
        let longCheck = (0..<500).map { "a <> \($0)" }.joined(separator: " AND ")
        let snap = try snapshot("CREATE TABLE t(a INTEGER CHECK (\(longCheck))); CREATE VIEW v AS SELECT \(nested) AS x")
        #expect(snap.objects.count == 2)
        let table = try #require(snap.objects[ObjectKey(kind: .table, name: "t")])
        #expect(table.facet("column a")?.contains("a <> 499") == true)
    }

    @Test("two repairs at once: one repairs, the other finds nothing to do or backs off; never a double insert")
    func concurrentRepairs() throws {
        for round in 0..<4 {
            let folder = try TemporaryFolder()
            defer { folder.remove() }
            let path = try folder.copyFixture(round % 2 == 0 ? "behind-by-three.sqlite" : "wal-behind.sqlite")
            let first = try RepairProcess(path)
            let second = try RepairProcess(path)
            first.process.waitUntilExit()
            second.process.waitUntilExit()
            let codes = [first.process.terminationStatus, second.process.terminationStatus].sorted()
            #expect(codes == [0, 0] || codes == [0, 3], "round \(round): exit codes \(codes)")
            #expect(try ledgerRows(path).count == 23)
            #expect(try sqlxCheck(path) == .ok(pending: Array(24...34)))
        }
    }
}
