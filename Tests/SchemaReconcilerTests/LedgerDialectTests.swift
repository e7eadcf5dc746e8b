import Foundation
import GRDB
import Testing
@testable import SchemaReconciler

@Suite("Ledger dialects: one protocol, the engine dialect-free")
struct LedgerDialectTests {
    @Test("the applied set a plan leaves: inserts and mark-succeeded add, deletes remove, moves refile, dirty rows do not count")
    func appliedAfterPlan() {
        let rows = [LedgerRow(version: 1), LedgerRow(version: 2), LedgerRow(version: 3, success: false), LedgerRow(version: 5)]
        let actions: [RepairPlan.Action] = [
            .init(kind: .move, version: 4, previousVersion: 5, reason: ""),
            .init(kind: .insert, version: 6, reason: ""),
            .init(kind: .delete, version: 1, reason: ""),
            .init(kind: .keep, version: 2, reason: ""),
        ]
        #expect(RepairPlan.appliedVersions(after: actions, over: rows) == [2, 4, 6])
        #expect(RepairPlan.appliedVersions(after: [.init(kind: .markSucceeded, version: 3, reason: "")], over: rows) == [1, 2, 3, 5])
        #expect(RepairPlan.appliedVersions(after: [], over: rows) == [1, 2, 5])
    }

    @Test("each table ledger is recognised by the columns its tool gives it; a table of that name without them is unusable, not another tool's")
    func ledgerColumnsDecide() throws {
        let tables = Dialects.all.filter { !$0.tableName.contains(" ") }
        #expect(tables.count == 7)
        for dialect in tables {
            let real = try DatabaseQueue()
            try real.write { db in
                if let golang = dialect as? GolangMigrate {
                    try db.execute(sql: golang.createTableSQL)  // a single-row ledger: created by its repair
                } else {
                    try #require(dialect as? any RowLedger, "\(dialect.name) creates its table").createTable(db)
                }
            }
            try real.read { db in
                #expect(try dialect.holdsLedger(db), "\(dialect.name) recognises the table it creates")
                guard case .present = try dialect.read(db) else {
                    Issue.record("\(dialect.name) cannot read the table it creates"); return
                }
            }
            // The same name with one column no tool uses: no tool's ledger, so detection passes it by.
            let impostor = try DatabaseQueue()
            try impostor.write { try $0.execute(sql: "CREATE TABLE \"\(dialect.tableName)\"(note TEXT)") }
            try impostor.read { db in
                // sqlx claims any table of its name, and says what is missing when it reads it.
                #expect(try dialect.holdsLedger(db) == (dialect.name == "sqlx"), "\(dialect.name)")
                guard case .unusable(let reason) = try dialect.read(db) else {
                    Issue.record("\(dialect.name) read a table without its columns as a ledger"); return
                }
                #expect(reason.contains(dialect.tableName), "\(dialect.name): \(reason)")
                #expect(try Dialects.ledgers(heldBy: db, among: [dialect]).isEmpty == (dialect.name != "sqlx"))
            }
        }
    }

    @Test("a sqlx ledger in the database decides the dialect; a folder of sqlx files decides without one")
    func detectsSQLx() {
        guard case .decided(let byLedger, let evidence) = Dialects.detect(folder: Repo.migrations,
                                                                          databases: [Repo.fixture("behind-by-three.sqlite")]) else {
            Issue.record("not decided"); return
        }
        #expect(byLedger.name == "sqlx")
        #expect(evidence.contains("_sqlx_migrations"))
        guard case .decided(let byFolder, _) = Dialects.detect(folder: Repo.migrations, databases: [Repo.fixture("no-ledger.sqlite")]) else {
            Issue.record("not decided"); return
        }
        #expect(byFolder.name == "sqlx")
    }

    @Test("a folder no tool lays out, and no ledger, is unknown")
    func unknownLayout() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("notes.txt", "nothing here\n")
        guard case .unknown = Dialects.detect(folder: folder.url, databases: []) else {
            Issue.record("an empty folder was recognised"); return
        }
        #expect(Dialects.named("SQLX")?.name == "sqlx")
        #expect(Dialects.named("flyway")?.name == "flyway")
    }

    @Test("diagnoses name their dialect, in the library and in JSON")
    func dialectInReports() throws {
        let diagnosis = Repo.reconciler.diagnose(databaseAt: Repo.fixture("behind-by-three.sqlite"))
        #expect(diagnosis.ledger.dialect == "sqlx")
        let result = try CLI.run(["diagnose", "--format", "json", Repo.fixture("consistent-tip.sqlite")])
        let database = try #require((try CLI.json(result)["databases"] as? [[String: Any]])?.first)
        #expect(database["dialect"] as? String == "sqlx")
        let unknown = try CLI.run(["diagnose", "--dialect", "liquibase", Repo.fixture("consistent-tip.sqlite")])
        #expect(unknown.exitCode == 64)
        #expect(unknown.stderr.contains("unknown dialect \"liquibase\"; known: sqlx, golang-migrate"))
    }

    @Test("an index on the ledger table belongs to the ledger, not to the schema")
    func ledgerIndexExcluded() throws {
        let plain = try snapshot("CREATE TABLE t(a); CREATE TABLE _sqlx_migrations(version);")
        let indexed = try snapshot("CREATE TABLE t(a); CREATE TABLE _sqlx_migrations(version); CREATE INDEX ledger_idx ON _sqlx_migrations(version);")
        #expect(plain.hash == indexed.hash)
    }
}
