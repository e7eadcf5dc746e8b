import Foundation
import GRDB
import SQLxEmulation
import Testing
@testable import SchemaReconciler

/// A database migrated release by release: each release's folder is laid out in turn and sqlx (the
/// emulator) migrates the database with it, as an app updated over time does. The last release's
/// folder is the one diagnosed.
struct ReleaseHistory {
    let folder: TemporaryFolder
    let migrations: URL
    let path: String

    init(_ releases: [[String: String]], in folder: TemporaryFolder, upTo: [Int64?]? = nil,
         damage: (Database) throws -> Void = { _ in }) throws {
        self.folder = folder
        migrations = folder.url.appendingPathComponent("migrations")
        path = folder.path("app.sqlite")
        let queue = try DatabaseQueue(path: path)
        for (index, files) in releases.enumerated() {
            try Self.lay(files, in: migrations)
            let limit = upTo?[index] ?? nil
            try queue.writeWithoutTransaction { db in _ = try SQLxEmulator(folder: migrations).run(db, upTo: limit) }
        }
        try queue.writeWithoutTransaction { db in try damage(db) }
        try queue.close()
    }

    /// Replaces the folder's migration files with `files`.
    static func lay(_ files: [String: String], in migrations: URL) throws {
        try? FileManager.default.removeItem(at: migrations)
        try FileManager.default.createDirectory(at: migrations, withIntermediateDirectories: true)
        for (name, sql) in files { try Data(sql.utf8).write(to: migrations.appendingPathComponent(name)) }
    }

    func reconciler() throws -> Reconciler { try Reconciler(migrationsFolder: migrations, useLock: false) }

    /// sqlx's start-up check on the database with the newest release.
    func sqlxCheck() throws -> SQLxEmulator.CheckResult { try SchemaReconcilerTests.sqlxCheck(path, migrations: migrations) }

    /// The ledger as (version, checksum hex, installed_on, execution_time), read independently.
    func ledger() throws -> [[String]] {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT version, hex(checksum), installed_on, execution_time FROM _sqlx_migrations ORDER BY version")
                .map { row in (0..<4).map { index in
                    let value = row[index] as DatabaseValue
                    return String.fromDatabaseValue(value) ?? value.description
                } }
        }
    }

    /// Runs sqlx once more with the newest release (the app's next start).
    func migrate() throws {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        try queue.writeWithoutTransaction { db in _ = try SQLxEmulator(folder: migrations).run(db) }
    }

    func query<T: DatabaseValueConvertible>(_ sql: String) throws -> [T?] {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in try Optional<T>.fetchAll(db, sql: sql) }
    }
}

/// The checksum sqlx records for a text, in SQLite's `hex()` spelling, computed by the system's sha384sum.
func checksumHex(_ sql: String) throws -> String {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    return try sha384sum(folder.write("text.sql", sql)).uppercased()
}

/// The same checksum as bytes, for writing rows by hand.
func checksumBytes(_ sql: String) throws -> Data {
    let hex = Array(try checksumHex(sql).utf8)
    return Data(stride(from: 0, to: hex.count, by: 2).map { UInt8(String(decoding: hex[$0...$0 + 1], as: UTF8.self), radix: 16)! })
}

@Suite("History model: the set and order a database really ran, and nothing claimed without proof")
struct HistoryModelTests {
    static let create = "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT, w TEXT);\nINSERT INTO t(v) VALUES ('a'), ('b');\n"
    static let backfill = "UPDATE t SET w = upper(v) WHERE w IS NULL;\n"
    static let index = "CREATE INDEX t_v ON t(v);\n"

    // MARK: 1–2 Out-of-order merges

    @Test("out-of-order merge, data-only pending: consistent with 2 pending, repair writes nothing, the backfill then runs")
    func outOfOrderDataOnly() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let history = try ReleaseHistory([["1_create.sql": Self.create, "3_index.sql": Self.index],
                                          ["1_create.sql": Self.create, "2_backfill.sql": Self.backfill, "3_index.sql": Self.index]],
                                         in: folder, upTo: [nil, 0])
        let reconciler = try history.reconciler()
        let diagnosis = reconciler.diagnose(databaseAt: history.path)
        #expect(diagnosis.verdict == .consistent)
        #expect(diagnosis.exitCode == .ok)
        #expect(!diagnosis.plan.writes)
        #expect(diagnosis.history.pending == [2])
        #expect(diagnosis.history.outOfOrder == [2])
        let finding = try #require(diagnosis.findings.first { $0.kind == .pendingOutOfOrder })
        #expect(finding.message.hasPrefix("2 pending (out of order)"))
        let before = try history.ledger()
        let outcome = reconciler.repair(databaseAt: history.path, options: RepairOptions(backup: .none))
        #expect(outcome.status == .nothingToDo)
        #expect(try history.ledger() == before)
        #expect(try history.sqlxCheck() == .ok(pending: [2]))
        try history.migrate()
        let filled: [String?] = try history.query("SELECT w FROM t ORDER BY id")
        #expect(filled == ["A", "B"], "the backfill ran at the next start")
    }

    @Test("out-of-order merge, DDL pending: the ledger's own order explains the schema; consistent, exit 0, from the CLI too")
    func outOfOrderDDL() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let createU = "CREATE TABLE u(id INTEGER PRIMARY KEY);\n"
        let history = try ReleaseHistory([["1_create.sql": Self.create, "3_index.sql": Self.index],
                                          ["1_create.sql": Self.create, "2_create_u.sql": createU, "3_index.sql": Self.index]],
                                         in: folder, upTo: [nil, 0])
        let diagnosis = try history.reconciler().diagnose(databaseAt: history.path)
        #expect(diagnosis.verdict == .consistent)
        #expect(diagnosis.history.order == .ledger)
        #expect(diagnosis.history.pending == [2])
        #expect(diagnosis.history.applied == [1, 3])
        #expect(!diagnosis.plan.writes)
        let result = try CLI.run(["check", "--migrations", history.migrations.path, history.path])
        #expect(result.exitCode == 0, "\(result.stdout)")
        #expect(result.stdout.contains("2 pending (out of order)"), "\(result.stdout)")
    }

    @Test("a gap whose DDL the schema shows is behind: the row is inserted")
    func gapWithEffect() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let createU = "CREATE TABLE u(id INTEGER PRIMARY KEY);\n"
        let files = ["1_create.sql": Self.create, "2_create_u.sql": createU, "3_index.sql": Self.index]
        let history = try ReleaseHistory([files], in: folder) { db in
            try db.execute(sql: "DELETE FROM _sqlx_migrations WHERE version = 2")
        }
        let diagnosis = try history.reconciler().diagnose(databaseAt: history.path)
        #expect(diagnosis.verdict == .behind)
        #expect(diagnosis.plan.actions.filter { $0.kind == .insert }.compactMap(\.version) == [2])
    }

    @Test("one recorded version whose effect is gone from the middle of the ledger is named ahead, nothing else")
    func ledgerWithoutOne() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let files = ["1_create.sql": Self.create, "2_a.sql": "CREATE TABLE a(x);\n", "3_index.sql": Self.index]
        let history = try ReleaseHistory([files], in: folder) { db in try db.execute(sql: "DROP TABLE a") }
        let reconciler = try history.reconciler()
        let diagnosis = reconciler.diagnose(databaseAt: history.path)
        #expect(diagnosis.history.order == .ledgerWithoutOne)
        #expect(diagnosis.verdict == .ahead)
        #expect(diagnosis.findings.first { $0.kind == .ahead }?.versions == [2])
        #expect(!diagnosis.plan.writes)
        let dropping = reconciler.diagnose(databaseAt: history.path, options: PlanOptions(dropUnproven: true))
        #expect(dropping.plan.actions.filter { $0.kind == .delete }.compactMap(\.version) == [2])
    }

    @Test("a pending version that ran without its row, beside an out-of-order gap: its row is inserted, the gap stays pending")
    func ledgerWithOne() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let createU = "CREATE TABLE u(id INTEGER PRIMARY KEY);\n", createV = "CREATE TABLE v(id INTEGER PRIMARY KEY);\n"
        let history = try ReleaseHistory([["1_create.sql": Self.create, "3_index.sql": Self.index, "4_v.sql": createV],
                                          ["1_create.sql": Self.create, "2_u.sql": createU, "3_index.sql": Self.index, "4_v.sql": createV]],
                                         in: folder, upTo: [nil, 0]) { db in
            try db.execute(sql: "DELETE FROM _sqlx_migrations WHERE version = 4")
        }
        let reconciler = try history.reconciler()
        let diagnosis = reconciler.diagnose(databaseAt: history.path)
        #expect(diagnosis.history.order == .ledgerWithOne)
        #expect(diagnosis.verdict == .behind)
        #expect(diagnosis.plan.actions.filter { $0.kind == .insert }.compactMap(\.version) == [4])
        #expect(diagnosis.history.pending == [2])
        let outcome = reconciler.repair(databaseAt: history.path, options: RepairOptions(backup: .none))
        #expect(outcome.exitCode == .ok, "\(outcome.message)")
        #expect(try history.sqlxCheck() == .ok(pending: [2]))
    }

    // MARK: 3 Renumbered and swapped files

    @Test("renumbered files: row 2 holds the index file's checksum, now file 3; moved with its history, 2 left pending")
    func renumberedSwap() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let history = try ReleaseHistory([["1_create.sql": Self.create, "2_index.sql": Self.index, "3_backfill.sql": Self.backfill]],
                                         in: folder, upTo: [2])
        try ReleaseHistory.lay(["1_create.sql": Self.create, "2_backfill.sql": Self.backfill, "3_index.sql": Self.index],
                               in: history.migrations)
        let before = try history.ledger()
        let reconciler = try history.reconciler()
        let diagnosis = reconciler.diagnose(databaseAt: history.path)
        #expect(diagnosis.verdict == .movedRows)
        #expect(diagnosis.exitCode == .repairable)
        #expect(diagnosis.ledger.moved == [LedgerSummary.Move(from: 2, to: 3)])
        let move = try #require(diagnosis.plan.actions.first { $0.kind == .move })
        #expect(move.previousVersion == 2 && move.version == 3)
        #expect(!diagnosis.plan.actions.contains { $0.kind == .insert || $0.kind == .restamp })
        #expect(diagnosis.history.pending == [2])

        let outcome = reconciler.repair(databaseAt: history.path, options: RepairOptions(backup: .none))
        #expect(outcome.exitCode == .ok, "\(outcome.message)")
        let after = try history.ledger()
        #expect(after.map { $0[0] } == ["1", "3"])
        #expect(after[1][1] == (try checksumHex(Self.index)))
        #expect(after[1][2] == before[1][2] && after[1][3] == before[1][3], "installed_on and execution_time move with the row")
        #expect(try history.sqlxCheck() == .ok(pending: [2]))
        try history.migrate()
        let filled: [String?] = try history.query("SELECT w FROM t ORDER BY id")
        #expect(filled == ["A", "B"], "the backfill was left pending and ran")
    }

    @Test("two DDL files swapped: rows 2 and 3 carry each other's files and are moved; sqlx then starts")
    func swappedDDL() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let a = "CREATE TABLE a(x);\n", b = "CREATE TABLE b(y);\n"
        let history = try ReleaseHistory([["1_create.sql": Self.create, "2_a.sql": a, "3_b.sql": b]], in: folder)
        try ReleaseHistory.lay(["1_create.sql": Self.create, "2_b.sql": b, "3_a.sql": a], in: history.migrations)
        #expect(try history.sqlxCheck() == .refused("migration 2 was previously applied but has been modified"))
        let reconciler = try history.reconciler()
        let diagnosis = reconciler.diagnose(databaseAt: history.path)
        let finding = try #require(diagnosis.findings.first { $0.kind == .movedRows })
        #expect(finding.message.hasPrefix("rows 2 and 3 carry each other's files"))
        let outcome = reconciler.repair(databaseAt: history.path, options: RepairOptions(backup: .none))
        #expect(outcome.exitCode == .ok, "\(outcome.message)")
        #expect(try history.sqlxCheck() == .ok(pending: []))
        #expect(try history.ledger().map { $0[1] } == [try checksumHex(Self.create), try checksumHex(b), try checksumHex(a)])
    }

    @Test("a renumbered file that also gained CRLF line endings is still recognised by its LF variant")
    func renumberedWithCRLF() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let history = try ReleaseHistory([["1_create.sql": Self.create, "2_index.sql": Self.index]], in: folder)
        let crlf = Self.index.replacingOccurrences(of: "\n", with: "\r\n")
        try ReleaseHistory.lay(["1_create.sql": Self.create, "2_backfill.sql": Self.backfill, "3_index.sql": crlf],
                               in: history.migrations)
        let reconciler = try history.reconciler()
        let diagnosis = reconciler.diagnose(databaseAt: history.path)
        #expect(diagnosis.ledger.moved == [LedgerSummary.Move(from: 2, to: 3)])
        let evidence = diagnosis.findings.first { $0.kind == .movedRows }?.evidence.first?.detail ?? ""
        #expect(evidence.contains(ChecksumEdit.appliedHadLF.description), "\(evidence)")
        let outcome = reconciler.repair(databaseAt: history.path, options: RepairOptions(backup: .none))
        #expect(outcome.exitCode == .ok, "\(outcome.message)")
        #expect(try history.sqlxCheck() == .ok(pending: [2]))
    }

    @Test("a row under a version no longer bundled whose checksum proves file 3 is moved (exit 1 before, 0 after)")
    func renumberedToUnbundledVersion() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let history = try ReleaseHistory([["1_create.sql": Self.create, "5_index.sql": Self.index]], in: folder)
        try ReleaseHistory.lay(["1_create.sql": Self.create, "3_index.sql": Self.index], in: history.migrations)
        let before = try CLI.run(["check", "--migrations", history.migrations.path, history.path])
        #expect(before.exitCode == 1, "\(before.stdout)")
        let repair = try CLI.run(["repair", "--no-backup", "--migrations", history.migrations.path, history.path])
        #expect(repair.exitCode == 0, "\(repair.stdout)\(repair.stderr)")
        #expect(try history.ledger().map { $0[0] } == ["1", "3"])
        #expect(try history.sqlxCheck() == .ok(pending: []))
        let after = try CLI.run(["check", "--migrations", history.migrations.path, history.path])
        #expect(after.exitCode == 0)
    }

    // MARK: 4 Edited in place

    @Test("a schema-silent migration edited in a way not known to be cosmetic needs a person and names --accept-edit")
    func silentEditUnknown() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let files = ["1_create.sql": Self.create, "2_backfill.sql": Self.backfill]
        let history = try ReleaseHistory([files], in: folder)
        try ReleaseHistory.lay(["1_create.sql": Self.create, "2_backfill.sql": "UPDATE t SET w = lower(v) WHERE w IS NULL;\n"],
                               in: history.migrations)
        let reconciler = try history.reconciler()
        let diagnosis = reconciler.diagnose(databaseAt: history.path)
        #expect(diagnosis.exitCode == .needsPerson)
        #expect(diagnosis.plan.blockers.contains { $0.flag == "--accept-edit 2" })
        #expect(!diagnosis.plan.writes)
        let accepted = reconciler.diagnose(databaseAt: history.path, options: PlanOptions(acceptEdits: [2]))
        #expect(accepted.exitCode == .repairable)
        #expect(accepted.plan.actions.filter { $0.kind == .restamp }.compactMap(\.version) == [2])
        let cli = try CLI.run(["repair", "--no-backup", "--accept-edit", "2", "--migrations", history.migrations.path, history.path])
        #expect(cli.exitCode == 0, "\(cli.stdout)\(cli.stderr)")
        #expect(try history.sqlxCheck() == .ok(pending: []))
    }

    @Test("a schema-silent migration whose file gained CRLF endings is a cosmetic edit: re-stamped")
    func silentEditCRLF() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let history = try ReleaseHistory([["1_create.sql": Self.create, "2_backfill.sql": Self.backfill]], in: folder)
        try ReleaseHistory.lay(["1_create.sql": Self.create, "2_backfill.sql": Self.backfill.replacingOccurrences(of: "\n", with: "\r\n")],
                               in: history.migrations)
        let diagnosis = try history.reconciler().diagnose(databaseAt: history.path)
        #expect(diagnosis.verdict == .checksumDrift)
        #expect(diagnosis.exitCode == .repairable)
        #expect(diagnosis.plan.actions.first { $0.kind == .restamp }?.reason == ChecksumEdit.appliedHadLF.description)
    }

    /// A git repository holding the migrations folder, with one commit per text of the backfill.
    func gitHistory(_ texts: [String], in history: ReleaseHistory) throws {
        func git(_ arguments: [String]) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["git", "-C", history.folder.url.path, "-c", "user.name=t", "-c", "user.email=t@example.invalid"] + arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "git \(arguments)")
        }
        try git(["init", "-q"])
        for text in texts {
            try Data(text.utf8).write(to: history.migrations.appendingPathComponent("2_backfill.sql"))
            try git(["add", "-A"])
            try git(["commit", "-q", "-m", "edit"])
        }
    }

    @Test("git history: an old text that differs only in comments and case is found and the row re-stamped")
    func gitHistoryCosmetic() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let history = try ReleaseHistory([["1_create.sql": Self.create, "2_backfill.sql": Self.backfill]], in: folder)
        let edited = "-- fill w from v for rows made before w existed\nupdate t set w = upper(v)\n    where w is null;\n"
        try gitHistory([Self.backfill, edited], in: history)
        let diagnosis = try history.reconciler().diagnose(databaseAt: history.path)
        #expect(diagnosis.exitCode == .repairable, "\(diagnosis.findings.map(\.message))")
        let restamp = try #require(diagnosis.plan.actions.first { $0.kind == .restamp })
        #expect(restamp.reason.contains("git history"))
        #expect(restamp.reason.contains("cosmetic"))
    }

    @Test("git history: an old text with another expression is a semantic edit, shown, and needs a person")
    func gitHistorySemantic() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let history = try ReleaseHistory([["1_create.sql": Self.create, "2_backfill.sql": Self.backfill]], in: folder)
        try gitHistory([Self.backfill, "UPDATE t SET w = lower(v) WHERE w IS NULL;\n"], in: history)
        let diagnosis = try history.reconciler().diagnose(databaseAt: history.path)
        #expect(diagnosis.exitCode == .needsPerson)
        let evidence = diagnosis.findings.flatMap(\.evidence).map(\.detail).joined(separator: "\n")
        #expect(evidence.contains("upper → lower"), "\(evidence)")
        #expect(diagnosis.plan.blockers.contains { $0.flag == "--accept-edit 2" })
    }

    // MARK: 5 Half-applied

    @Test("only the first statement of a no-transaction migration ran: named partially applied, not the earlier version that mentions the table")
    func partiallyApplied() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let first = Self.create + "CREATE TABLE a(x);\nDROP TABLE a;\n" // mentions `a` as a scratch table
        let second = "-- no-transaction\nCREATE TABLE a(x);\nCREATE TABLE b(y);\nCREATE INDEX a_x ON a(x);\n"
        let history = try ReleaseHistory([["1_create.sql": first, "2_split.sql": second]], in: folder, upTo: [1]) { db in
            try db.execute(sql: "CREATE TABLE a(x)")
        }
        let diagnosis = try history.reconciler().diagnose(databaseAt: history.path)
        #expect(diagnosis.exitCode == .needsPerson)
        let finding = try #require(diagnosis.findings.first { $0.kind == .partiallyApplied })
        #expect(finding.versions == [2])
        #expect(finding.message.contains("the first 1 of 2_split.sql's 3 statements"), "\(finding.message)")
        let json = try CLI.run(["diagnose", "--format", "json", "--migrations", history.migrations.path, history.path])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let database = (object?["databases"] as? [[String: Any]])?.first
        let findings = database?["findings"] as? [[String: Any]] ?? []
        #expect(findings.contains { $0["kind"] as? String == "partially-applied" && $0["versions"] as? [Int] == [2] })
    }

    // MARK: 6 Every ledger finding whatever the verdict

    @Test("an unrecognised database still reports every mismatch sqlx would name")
    func ledgerFindingsWhenUnrecognised() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let history = try ReleaseHistory([["1_create.sql": Self.create, "2_index.sql": Self.index, "3_backfill.sql": Self.backfill]],
                                         in: folder) { db in
            try db.execute(sql: "UPDATE _sqlx_migrations SET checksum = x'00' WHERE version = 3; ALTER TABLE t ADD COLUMN stray INTEGER")
        }
        let diagnosis = try history.reconciler().diagnose(databaseAt: history.path)
        #expect(diagnosis.verdict == .unrecognised)
        #expect(diagnosis.ledger.checksumMismatches == [3])
        #expect(diagnosis.findings.contains { $0.kind == .ledgerCheck && $0.message.contains("MISMATCH 3") })
    }

    // MARK: 7 A migration that fails to replay

    @Test("a migration that fails to replay here blocks only the databases that need it; fingerprint names it and exits 64")
    func replayFailure() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let newer = "CREATE TABLE c AS SELECT concat('a', 'b') AS x;\n" // concat() needs SQLite 3.44
        let history = try ReleaseHistory([["1_create.sql": Self.create, "2_index.sql": Self.index]], in: folder)
        try ReleaseHistory.lay(["1_create.sql": Self.create, "2_index.sql": Self.index, "3_concat.sql": newer], in: history.migrations)
        let reconciler = try history.reconciler()
        let failure = try #require(reconciler.timeline.replayFailure)
        #expect(failure.version == 3)
        let diagnosis = reconciler.diagnose(databaseAt: history.path)
        #expect(diagnosis.verdict == .consistent)
        #expect(diagnosis.exitCode == .ok)
        let finding = try #require(diagnosis.findings.first { $0.kind == .replayFailed })
        #expect(finding.message.contains("no such function: concat"))
        #expect(finding.message.contains("SQLite \(sqliteVersion)"))
        let fingerprint = try CLI.run(["fingerprint", "--migrations", history.migrations.path])
        #expect(fingerprint.exitCode == 64)
        #expect(fingerprint.stderr.contains("3_concat.sql: version 3 failed to replay: no such function: concat"))

        // A ledger that claims the failing version needs a person: nothing past it can be proven.
        let queue = try DatabaseQueue(path: history.path)
        try queue.write { db in
            try db.execute(sql: "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (3, 'concat', 1, ?, 1)",
                           arguments: [try checksumBytes(newer)])
        }
        try queue.close()
        let claimed = reconciler.diagnose(databaseAt: history.path)
        #expect(claimed.exitCode == .needsPerson)
        #expect(!claimed.plan.writes)
    }

    // MARK: 8 A ledger sqlx cannot write

    @Test("a ledger with an extra NOT NULL column without default is said up front to need a person")
    func unwritableLedger() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("behind-by-three.sqlite")
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "ALTER TABLE _sqlx_migrations ADD COLUMN app TEXT NOT NULL DEFAULT 'x'") }
        // ADD COLUMN needs a default; rebuild the table so the column has none, as a hand-made ledger might.
        try queue.write { db in
            try db.execute(sql: """
                CREATE TABLE l2 (version BIGINT PRIMARY KEY, description TEXT NOT NULL, installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
                                 success BOOLEAN NOT NULL, checksum BLOB NOT NULL, execution_time BIGINT NOT NULL, app TEXT NOT NULL);
                INSERT INTO l2 SELECT * FROM _sqlx_migrations;
                DROP TABLE _sqlx_migrations;
                ALTER TABLE l2 RENAME TO _sqlx_migrations;
                """)
        }
        try queue.close()
        let diagnosis = Repo.reconciler.diagnose(databaseAt: path)
        #expect(diagnosis.exitCode == .needsPerson)
        #expect(diagnosis.findings.contains { $0.kind == .malformedLedger && $0.message.contains("app") })
        #expect(!diagnosis.plan.writes)
        let outcome = Repo.reconciler.repair(databaseAt: path, options: RepairOptions(backup: .none))
        #expect(outcome.status == .refused)
    }

    // MARK: Healthy databases replay nothing

    @Test("a healthy prefix database explores no other history: the replayer runs nothing")
    func healthyReplaysNothing() throws {
        let reconciler = try Reconciler(migrationsFolder: Repo.migrations)
        for fixture in ["consistent-tip.sqlite", "consistent-v20.sqlite", "behind-by-three.sqlite", "no-ledger.sqlite"] {
            _ = reconciler.diagnose(databaseAt: Repo.fixture(fixture))
            #expect(reconciler.replayer.replayCount == 0, "\(fixture)")
        }
    }
}
