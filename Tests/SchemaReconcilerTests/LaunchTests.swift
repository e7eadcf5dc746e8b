import Foundation
import GRDB
import Testing
@testable import SchemaReconciler

@Suite("One pre-launch call: ready, repaired or needs attention, with typed failures")
struct LaunchTests {
    static func launch(_ path: String, dropUnproven: Bool = false) throws -> Reconciler.LaunchResult {
        try Reconciler.launch(databaseAt: path, migrationsFolder: Repo.migrations,
                              options: .init(dryRun: false, backup: .none, busyTimeout: 1,
                                             plan: PlanOptions(dropUnproven: dropUnproven)),
                              ignoredCharacters: [], ledger: SQLxLedger())
    }

    @Test("a healthy database is ready from the lock's quick index alone, and nothing is written")
    func healthyIsQuick() throws {
        for fixture in ["consistent-tip.sqlite", "consistent-v20.sqlite", "foreign-objects.sqlite"] {
            let folder = try TemporaryFolder()
            defer { folder.remove() }
            let path = try folder.copyFixture(fixture)
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            let result = try Self.launch(path)
            guard case .ready(let diagnosis) = result.outcome else { Issue.record("\(fixture): \(result.outcome)"); continue }
            #expect(result.decidedQuickly, "\(fixture)")
            #expect(diagnosis.exitCode == .ok)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
            #expect(!diagnosis.summary.isEmpty)
        }
    }

    @Test("behind by three: repaired after a verified backup; a second launch is ready on the quick path")
    func behindIsRepaired() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("behind-by-three.sqlite")
        let outcome = try Reconciler.prepareForLaunch(databaseAt: path, migrationsFolder: Repo.migrations,
                                                      backup: .at(folder.path("before.sqlite")))
        guard case .repaired(let report) = outcome else { Issue.record("expected repaired, got \(outcome)"); return }
        #expect(report.status == .repaired)
        #expect(report.before.verdict == .behind)
        #expect(outcome.canOpenDatabase)
        #expect(FileManager.default.fileExists(atPath: folder.path("before.sqlite")))
        let again = try Self.launch(path)
        guard case .ready = again.outcome else { Issue.record("second launch: \(again.outcome)"); return }
        #expect(again.decidedQuickly)
    }

    @Test("dryRun plans the repair and writes nothing")
    func dryRun() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("behind-by-three.sqlite")
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let outcome = try Reconciler.prepareForLaunch(databaseAt: path, migrationsFolder: Repo.migrations, dryRun: true)
        guard case .repaired(let report) = outcome else { Issue.record("expected repaired, got \(outcome)"); return }
        #expect(report.status == .dryRun)
        #expect(!outcome.canOpenDatabase)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["behind-by-three.sqlite"])
    }

    @Test("drift a person must settle is needsAttention with a summary, never a throw; the flag settles it")
    func ahead() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("ahead.sqlite")
        let outcome = try Self.launch(path).outcome
        guard case .needsAttention(let diagnosis) = outcome else { Issue.record("expected needsAttention, got \(outcome)"); return }
        #expect(diagnosis.verdict == .ahead)
        #expect(diagnosis.failure == nil)
        #expect(diagnosis.summary.contains("dropUnproven"))
        let settled = try Self.launch(path, dropUnproven: true).outcome
        guard case .repaired(let report) = settled else { Issue.record("expected repaired, got \(settled)"); return }
        #expect(report.status == .repaired)
    }

    @Test("a database that does not exist yet is ready (fresh): the migrator creates it")
    func firstLaunch() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let outcome = try Reconciler.prepareForLaunch(databaseAt: folder.path("new.sqlite"), migrationsFolder: Repo.migrations)
        guard case .ready(let diagnosis) = outcome else { Issue.record("expected ready, got \(outcome)"); return }
        #expect(diagnosis.verdict == .fresh)
        #expect(!FileManager.default.fileExists(atPath: folder.path("new.sqlite")))
    }

    @Test("an unusable migration folder throws; a database in any state does not")
    func throwsOnlyForMigrations() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        #expect(throws: MigrationSetError.self) {
            _ = try Reconciler.prepareForLaunch(databaseAt: Repo.fixture("consistent-tip.sqlite"),
                                                migrationsFolder: folder.url.appendingPathComponent("missing"))
        }
        for fixture in ["unrecognised.sqlite", "dirty-applied.sqlite", "malformed-ledger.sqlite", "unknown-versions.sqlite"] {
            let copy = try folder.copyFixture(fixture)
            _ = try Reconciler.prepareForLaunch(databaseAt: copy, migrationsFolder: Repo.migrations, dryRun: true)
        }
    }

    // MARK: Typed failures

    @Test("not a database: needsAttention carrying .notADatabase with SQLite's extended result code")
    func notADatabase() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("unreadable-not-a-database.sqlite")
        let outcome = try Self.launch(path).outcome
        guard case .needsAttention(let diagnosis) = outcome else { Issue.record("expected needsAttention, got \(outcome)"); return }
        let failure = try #require(diagnosis.failure)
        #expect(failure.kind == .notADatabase)
        #expect(failure.resultCode == .SQLITE_NOTADB)
        #expect(failure.extendedResultCode == ResultCode.SQLITE_NOTADB.rawValue)
        #expect(failure.path == path)
    }

    @Test("a folder, and a file that cannot be read, are typed before SQLite sees them")
    func precheckKinds() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        #expect(DatabaseFailure.precheck(path: folder.url.path)?.kind == .notADatabase)
        #expect(DatabaseFailure.precheck(path: folder.path("absent.sqlite"))?.kind == .missing)
        #expect(DatabaseFailure.precheck(path: Repo.fixture("consistent-tip.sqlite")) == nil)
    }

    @Test("locked by a writer: needsAttention carrying .busy (SQLITE_BUSY) within the busy timeout")
    func busy() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("behind-by-three.sqlite")
        let holder = try DatabaseQueue(path: path)
        try holder.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN EXCLUSIVE")
            let start = Date()
            let outcome = try Reconciler.prepareForLaunch(databaseAt: path, migrationsFolder: Repo.migrations, busyTimeout: 0.3)
            #expect(Date().timeIntervalSince(start) < 5)
            guard case .needsAttention(let diagnosis) = outcome else { Issue.record("expected needsAttention, got \(outcome)"); return }
            guard case .busy(let context)? = diagnosis.failure else {
                Issue.record("expected .busy, got \(String(describing: diagnosis.failure))")
                return
            }
            #expect(context.extendedResultCode.map { ResultCode(rawValue: $0).primaryResultCode } == .SQLITE_BUSY)
            #expect(context.path == path)
            try db.execute(sql: "ROLLBACK")
        }
        try holder.close()
    }

    @Test("corrupt: quick_check's findings come back as .corrupt and nothing is written")
    func corrupt() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("behind-by-three.sqlite")
        // Overwrite the middle of a table's page: the header stays valid, the b-tree does not.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let pageSize = Int(bytes[16]) << 8 | Int(bytes[17])
        let pages = bytes.count / pageSize
        for page in 2..<pages where page % 2 == 0 {
            for offset in 0..<64 { bytes[(page - 1) * pageSize + 8 + offset] = 0xFF }
        }
        try bytes.write(to: URL(fileURLWithPath: path))
        let outcome = try Self.launch(path).outcome
        guard case .needsAttention(let diagnosis) = outcome else { Issue.record("expected needsAttention, got \(outcome)"); return }
        let kind = try #require(diagnosis.failure?.kind)
        #expect(kind == .corrupt || kind == .notADatabase, "\(diagnosis.failure?.description ?? "")")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
    }

    @Test("read-only file: the repair stops with .readOnly and the database is unchanged")
    func readOnly() throws {
        guard getuid() != 0 else { return } // root writes through any mode bit: the file-mode test means nothing there
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("behind-by-three.sqlite")
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: path)
        let outcome = try Self.launch(path).outcome
        guard case .needsAttention(let diagnosis) = outcome else { Issue.record("expected needsAttention, got \(outcome)"); return }
        #expect(diagnosis.failure?.kind == .readOnly)
    }

    @Test("a change between plan and transaction is .changedDuringRepair, and a failed backup is .backupFailed")
    func repairFailures() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("behind-by-three.sqlite")
        let reconciler = Repo.reconciler
        let basis = try reconciler.observe(path: path)
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "DELETE FROM _sqlx_migrations WHERE version = 20") }
        try queue.close()
        let repairer = Repairer(reconciler: reconciler, path: path, options: RepairOptions(backup: .none))
        var outcome = RepairOutcome(path: path, status: .nothingToDo, before: reconciler.diagnose(databaseAt: path),
                                    after: nil, backupPath: nil, auditPath: nil, ledgerBefore: [], ledgerAfter: nil,
                                    message: "", exitCode: .ok)
        let plan = reconciler.engine.diagnose(basis, path: path, options: PlanOptions()).plan
        do {
            try repairer.writeForTesting(plan: plan, basis: basis, into: &outcome)
            Issue.record("the transaction should have refused")
        } catch let stop as Repairer.Stop {
            #expect(stop.failure.kind == .changedDuringRepair)
        }

        let backupInMissingFolder = reconciler.repair(databaseAt: path,
                                                      options: RepairOptions(backup: .at(folder.path("no/such/folder/b.sqlite"))))
        #expect(backupInMissingFolder.status == .failed)
        #expect(backupInMissingFolder.failure?.kind == .backupFailed)
    }

    @Test("the CLI renders the typed failure: JSON carries its kind and SQLite's extended result code, text its line")
    func cliRendersFailure() throws {
        let json = try CLI.json(try CLI.run(["diagnose", "--format", "json", "Fixtures/unreadable-not-a-database.sqlite",
                                             "Fixtures/consistent-tip.sqlite"]))
        let databases = try #require(json["databases"] as? [[String: Any]])
        let failure = try #require(databases[0]["failure"] as? [String: Any])
        #expect(failure["kind"] as? String == "not-a-database")
        #expect(failure["extendedResultCode"] as? Int == Int(ResultCode.SQLITE_NOTADB.rawValue))
        #expect(databases[1]["failure"] == nil, "a readable database has no failure key")
        let text = try CLI.run(["diagnose", "Fixtures/unreadable-not-a-database.sqlite"])
        #expect(text.exitCode == 3)
        #expect(text.stdout.contains("not a SQLite database"))
    }

    @Test("a crashed writer's hot journal: the launch rolls it back as SQLite does and repairs, or reports .needsRecovery unchanged")
    func hotJournal() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try BadInputTests.hotJournal(in: folder)
        #expect(Repo.reconciler.diagnose(databaseAt: path).failure?.kind == .needsRecovery,
                "read-only, the hot journal blocks reading")
        let outcome = try Self.launch(path).outcome
        switch outcome {
        case .repaired(let report):
            #expect(report.status == .repaired)
            #expect(report.message.contains("rolled back"))
            #expect(!FileManager.default.fileExists(atPath: path + "-journal"))
        case .needsAttention(let diagnosis):
            #expect(diagnosis.failure?.kind == .needsRecovery)
        case .ready:
            Issue.record("a hot journal over a database behind by three cannot be ready")
        }
    }

    @Test("SQLite's result codes, extended ones included, map to the kinds an app switches on",
          arguments: [
              (ResultCode.SQLITE_BUSY, DatabaseFailure.Kind.busy), (.SQLITE_BUSY_SNAPSHOT, .busy), (.SQLITE_LOCKED, .busy),
              (.SQLITE_FULL, .diskFull), (.SQLITE_IOERR, .ioError), (.SQLITE_IOERR_WRITE, .ioError),
              (.SQLITE_CORRUPT, .corrupt), (.SQLITE_CORRUPT_INDEX, .corrupt), (.SQLITE_NOTADB, .notADatabase),
              (.SQLITE_READONLY, .readOnly), (.SQLITE_READONLY_DBMOVED, .readOnly),
              (.SQLITE_READONLY_ROLLBACK, .needsRecovery), (.SQLITE_READONLY_RECOVERY, .needsRecovery),
              (.SQLITE_CANTOPEN, .permissionDenied), (.SQLITE_ERROR, .other),
          ])
    func resultCodes(code: ResultCode, kind: DatabaseFailure.Kind) {
        let failure = DatabaseFailure(DatabaseError(resultCode: code, message: "from SQLite"), path: "app.sqlite")
        #expect(failure.kind == kind)
        #expect(failure.extendedResultCode == code.rawValue)
        #expect(failure.resultCode == code.primaryResultCode)
        #expect(failure.sqliteMessage == "from SQLite")
        #expect(failure.path == "app.sqlite")
    }

    @Test("the summary of a repairable database names what a repair records")
    func summaryNamesVersions() throws {
        let diagnosis = Repo.reconciler.diagnose(databaseAt: Repo.fixture("behind-by-three.sqlite"))
        #expect(diagnosis.verdict == .behind)
        #expect(diagnosis.summary.contains("version 21, version 22, version 23"), "\(diagnosis.summary)")
        #expect(diagnosis.summary.contains("A repair writes 3 ledger change(s)"), "\(diagnosis.summary)")
    }
}

