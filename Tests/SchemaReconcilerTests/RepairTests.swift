import Crypto
import Foundation
import GRDB
import SQLxEmulation
import Testing
@testable import SchemaReconciler

/// User tables' rows only (no schema, no ledger), to prove a repair never touches them.
func userData(_ path: String) throws -> [String] {
    try contentDump(path).filter { !$0.hasPrefix("schema ") && !$0.hasPrefix("_sqlx_migrations ") }
}

func fileBytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

/// The emulator's view: what sqlx's start-up check says about the database at `path`.
func sqlxCheck(_ path: String) throws -> SQLxEmulator.CheckResult {
    let emulator = try SQLxEmulator(folder: Repo.migrations)
    let queue = try SQLxEmulator.open(path)
    defer { try? queue.close() }
    return try queue.read { db in try emulator.startupCheck(db) }
}

/// Pinned clock so backup names are predictable.
let pinnedNow: @Sendable () -> Date = { Date(timeIntervalSince1970: 1_790_000_000) }

@Suite("Repair rewrites the ledger so sqlx starts and reaches the tip")
struct RepairTests {
    let reconciler = Repo.reconciler

    static let repairable: [(String, PlanOptions)] = [
        ("behind-by-three.sqlite", PlanOptions()),
        ("no-ledger.sqlite", PlanOptions()),
        ("checksum-drift-crlf.sqlite", PlanOptions()),
        ("checksum-drift-edited.sqlite", PlanOptions()),
        ("dirty-applied.sqlite", PlanOptions()),
        ("dirty-not-applied.sqlite", PlanOptions()),
        ("wal-behind.sqlite", PlanOptions()),
        ("silent-tail.sqlite", PlanOptions()),
        ("ahead.sqlite", PlanOptions(dropUnproven: true)),
        ("unknown-versions.sqlite", PlanOptions(dropUnknown: true)),
        ("consistent-tip.sqlite", PlanOptions()),
        ("consistent-v20.sqlite", PlanOptions()),
        ("foreign-objects.sqlite", PlanOptions()),
        ("fresh.sqlite", PlanOptions()),
    ]

    @Test("fixture → repair → sqlx's check passes → sqlx migrates to the tip with a schema equal to a fresh replay; user rows untouched; a second repair writes nothing",
          arguments: repairable)
    func repairThenMigrate(_ fixture: String, _ plan: PlanOptions) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture(fixture)
        let dataBefore = try userData(path)

        let outcome = reconciler.repair(databaseAt: path, options: RepairOptions(plan: plan, now: pinnedNow))
        #expect(outcome.status == .repaired || outcome.status == .nothingToDo, "\(fixture): \(outcome.message)")
        #expect(outcome.exitCode == .ok, "\(fixture): \(outcome.message)")
        #expect(try userData(path) == dataBefore, "\(fixture): user rows changed")

        // The independent emulator accepts the ledger...
        guard case .ok = try sqlxCheck(path) else {
            Issue.record("\(fixture): sqlx refuses after repair: \(try sqlxCheck(path))")
            return
        }
        // ...and migrating to the tip gives the fresh replay's schema (the app's own objects aside).
        let emulator = try SQLxEmulator(folder: Repo.migrations)
        let queue = try SQLxEmulator.open(path)
        try queue.writeWithoutTransaction { db in
            guard case .ok = try emulator.run(db) else { Issue.record("\(fixture): run refused"); return }
        }
        try queue.close()
        let migrated = try reconciler.observe(path: path).snapshot
        let foreign = migrated.objects.keys.filter(reconciler.timeline.isForeign)
        #expect(migrated.removing(foreign).hash == reconciler.timeline.tip.fingerprint, "\(fixture)")

        // Idempotent: a second repair on the migrated file plans nothing and writes nothing.
        let bytes = fileBytes(path)
        let second = reconciler.repair(databaseAt: path, options: RepairOptions(plan: plan, now: pinnedNow))
        #expect(second.status == .nothingToDo, "\(fixture): \(second.message)")
        #expect(fileBytes(path) == bytes)
    }

    @Test("the field case restores rows 21–23 exactly as sqlx writes them")
    func fieldCaseRows() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("behind-by-three.sqlite")
        let outcome = reconciler.repair(databaseAt: path, options: RepairOptions(now: pinnedNow))
        #expect(outcome.status == .repaired)
        let queue = try DatabaseQueue(path: path)
        let rows = try queue.read { db in
            try Row.fetchAll(db, sql: """
                SELECT version, description, success, typeof(checksum), checksum, execution_time, installed_on
                FROM _sqlx_migrations WHERE version > 20 ORDER BY version
                """)
        }
        #expect(rows.map { $0[0] as Int64 } == [21, 22, 23])
        for row in rows {
            let version: Int64 = row[0]
            let file = try #require(try FileManager.default.contentsOfDirectory(atPath: Repo.migrations.path)
                .first { $0.hasPrefix(String(format: "%04d_", version)) })
            let bytes = try Data(contentsOf: Repo.migrations.appendingPathComponent(file))
            #expect(row[1] as String == String(file.dropFirst(5).dropLast(4)).replacingOccurrences(of: "_", with: " "))
            #expect(row[2] as Int == 1)
            #expect(row[3] as String == "blob")
            #expect(row[4] as Data == Data(SHA384.hash(data: bytes)))
            #expect(row[5] as Int64 == 0)
            #expect((row[6] as String).count == 19) // CURRENT_TIMESTAMP: YYYY-MM-DD HH:MM:SS
        }
    }

    @Test("a verified backup and an audit record are written beside the database")
    func backupAndAudit() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("behind-by-three.sqlite")
        let original = try contentDump(path)
        let outcome = reconciler.repair(databaseAt: path, options: RepairOptions(now: pinnedNow))
        let backup = try #require(outcome.backupPath)
        #expect(backup == path + ".backup-20260921T141320Z.sqlite")
        #expect(try contentDump(backup) == original)
        let audit = try #require(outcome.auditPath)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: audit))) as? [String: Any]
        #expect(json?["backup"] as? String == backup)
        #expect(json?["verdictBefore"] as? String == "behind")
        #expect(json?["verdictAfter"] as? String == "consistent")
        #expect((json?["ledgerBefore"] as? [Any])?.count == 20)
        #expect((json?["ledgerAfter"] as? [Any])?.count == 23)
        #expect(json?["toolVersion"] as? String == ToolVersion.current)
    }

    @Test("--dry-run changes no byte of the database or its WAL")
    func dryRun() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("wal-behind.sqlite")
        // Leave live WAL content behind, as a running app would.
        let writer = try DatabaseQueue(path: path)
        try writer.write { db in try db.execute(sql: "INSERT INTO settings (key, value, updated_at) VALUES ('k', 'v', 1)") }
        let wal = path + "-wal"
        let before = (fileBytes(path), fileBytes(wal))
        #expect(before.1 != nil)
        let outcome = reconciler.repair(databaseAt: path, options: RepairOptions(dryRun: true, now: pinnedNow))
        #expect(outcome.status == .dryRun)
        #expect(outcome.exitCode == .repairable)
        #expect(fileBytes(path) == before.0)
        #expect(fileBytes(wal) == before.1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).filter { $0.contains("backup") }.isEmpty)
        try writer.close()
    }

    @Test("a WAL database with live WAL content is backed up with that content and repaired")
    func walContentInBackup() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("wal-behind.sqlite")
        let writer = try DatabaseQueue(path: path)
        try writer.write { db in try db.execute(sql: "INSERT INTO settings (key, value, updated_at) VALUES ('in-wal', 'yes', 1)") }
        try writer.close()
        let outcome = reconciler.repair(databaseAt: path, options: RepairOptions(now: pinnedNow))
        #expect(outcome.status == .repaired, "\(outcome.message)")
        let backup = try #require(outcome.backupPath)
        #expect(try contentDump(backup).contains { $0.contains("in-wal") })
    }

    @Test("locked by another connection's write transaction → exit 3 within the timeout, bytes unchanged")
    func lockedDatabase() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("behind-by-three.sqlite")
        let holder = try DatabaseQueue(path: path)
        let bytes = fileBytes(path)
        try holder.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN EXCLUSIVE")
            let clock = ContinuousClock()
            let start = clock.now
            let outcome = reconciler.repair(databaseAt: path, options: RepairOptions(busyTimeout: 0.3, now: pinnedNow))
            let elapsed = clock.now - start
            #expect(outcome.exitCode == .unreadable)
            #expect(outcome.message.contains("database is in use (is the app running?)"), "\(outcome.message)")
            #expect(elapsed < .seconds(10))
            try db.execute(sql: "ROLLBACK")
        }
        try holder.close()
        #expect(fileBytes(path) == bytes)
    }

    @Test("refusals write nothing and say which flag settles them", arguments: [
        ("ahead.sqlite", "--drop-unproven"), ("unrecognised.sqlite", nil), ("malformed-ledger.sqlite", nil),
    ] as [(String, String?)])
    func refusals(_ fixture: String, _ flag: String?) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture(fixture)
        let bytes = fileBytes(path)
        let outcome = reconciler.repair(databaseAt: path, options: RepairOptions(now: pinnedNow))
        #expect(outcome.status == .refused)
        #expect(outcome.exitCode == .needsPerson)
        if let flag { #expect(outcome.message.contains(flag)) }
        #expect(fileBytes(path) == bytes)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == [fixture])
    }

    @Test("unknown versions are kept by default: the rest is repaired, the exit code stays 2")
    func unknownKept() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("unknown-versions.sqlite")
        let outcome = reconciler.repair(databaseAt: path, options: RepairOptions(now: pinnedNow))
        #expect(outcome.status == .nothingToDo)
        #expect(outcome.exitCode == .needsPerson)
        #expect(try sqlxCheck(path) == .refused("migration 35 was previously applied but is missing in the resolved migrations"))
    }

    @Test("an unreadable file is exit 3 with a one-line reason, and nothing is created")
    func unreadable() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture(FixtureFactory.notADatabase)
        let outcome = reconciler.repair(databaseAt: path, options: RepairOptions(now: pinnedNow))
        #expect(outcome.exitCode == .unreadable)
        #expect(outcome.message == "\(path): not a SQLite database (or encrypted)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == [FixtureFactory.notADatabase])
    }

    @Test("the database changing between plan and transaction rolls back with nothing written")
    func changedUnderneath() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("behind-by-three.sqlite")
        let observation = try reconciler.observe(path: path)
        let plan = reconciler.engine.diagnose(observation, path: path, options: PlanOptions()).plan
        // Another process records version 21 after the plan was made.
        let other = try DatabaseQueue(path: path)
        try other.write { db in
            try db.execute(sql: "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (21, 'x', 1, x'00', 1)")
        }
        try other.close()
        let before = try contentDump(path)
        let repairer = Repairer(reconciler: reconciler, path: path, options: RepairOptions(backup: .none, now: pinnedNow))
        var outcome = RepairOutcome(path: path, status: .nothingToDo, before: reconciler.diagnose(databaseAt: path),
                                    after: nil, backupPath: nil, auditPath: nil, ledgerBefore: [], ledgerAfter: nil,
                                    message: "", exitCode: .ok)
        #expect(throws: Repairer.Stop.self) { try repairer.writeForTesting(plan: plan, basis: observation, into: &outcome) }
        #expect(try contentDump(path) == before)
    }
}
