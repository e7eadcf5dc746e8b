import Foundation
import Testing
@testable import SchemaReconciler

/// A copy of the bundled migrations in a temporary folder, with its own lock.
func migrationsCopy(in folder: TemporaryFolder) throws -> URL {
    let copy = folder.url.appendingPathComponent("Migrations")
    try FileManager.default.copyItem(at: Repo.migrations, to: copy)
    return copy
}

@Suite("The fingerprint lock makes a healthy check replay-free, and a stale lock falls back to replay")
struct FingerprintLockTests {
    @Test("the committed lock is up to date and is what the bundled reconciler uses")
    func committedLockIsFresh() throws {
        let replayed = try Reconciler(migrationsFolder: Repo.migrations, useLock: false)
        let lock = try #require(try FingerprintLock.read(from: Repo.migrations.appendingPathComponent(FingerprintLock.fileName)))
        #expect(lock.staleness(for: replayed.migrations, options: replayed.snapshotOptions, manifest: replayed.manifest) == nil)
        #expect(lock.migrations.map(\.fingerprint) == replayed.timeline.steps.dropFirst().map(\.fingerprint),
                "Migrations/ changed or the snapshot format changed: run `swift run schema-reconcile fingerprint --write-lock`")
        let bundled = Repo.reconciler
        #expect(bundled.fingerprintSource == .lock(path: Repo.migrations.appendingPathComponent(FingerprintLock.fileName).path))
    }

    @Test("with the lock, a database built by the migrations is snapshotted without a single pragma, to the same hash")
    func pragmaFreeHealthyCheck() throws {
        let reconciler = Repo.reconciler
        let queue = try HardenedDatabase.open(path: Repo.fixture("consistent-tip.sqlite"), access: .readOnly)
        defer { try? queue.close() }
        try queue.read { db in
            var known = SchemaIntrospector(options: reconciler.snapshotOptions, known: reconciler.timeline.knownObjects)
            var cold = SchemaIntrospector(options: reconciler.snapshotOptions)
            let fast = try known.snapshot(of: db)
            let slow = try cold.snapshot(of: db)
            #expect(known.introspectedObjectCount == 0)
            #expect(cold.introspectedObjectCount > 20)
            #expect(fast.hash == slow.hash)
            #expect(fast.objects == slow.objects)
            #expect(fast.hash == reconciler.timeline.tip.fingerprint)
        }
    }

    @Test("the quick check decides a healthy database from the lock's index alone, and defers anything else")
    func quickCheck() throws {
        let url = Repo.migrations.appendingPathComponent(FingerprintLock.fileName)
        let quick = try JSONDecoder().decode(FingerprintLock.QuickLock.self, from: Data(contentsOf: url))
        #expect(quick.migrations.count == 34)
        for fixture in ["consistent-tip.sqlite", "consistent-v20.sqlite", "fresh.sqlite", "foreign-objects.sqlite"] {
            let result = try Reconciler.quickCheck(databaseAt: Repo.fixture(fixture), migrationsFolder: Repo.migrations)
            #expect(result.decidedQuickly, "\(fixture): \(result.diagnosis.verdict)")
            #expect(result.diagnosis.verdict == Repo.reconciler.diagnose(databaseAt: Repo.fixture(fixture)).verdict)
        }
        for fixture in ["behind-by-three.sqlite", "unrecognised.sqlite", "silent-tail.sqlite"] {
            let result = try Reconciler.quickCheck(databaseAt: Repo.fixture(fixture), migrationsFolder: Repo.migrations)
            #expect(!result.decidedQuickly, "\(fixture)")
            #expect(result.diagnosis == Repo.reconciler.diagnose(databaseAt: Repo.fixture(fixture)), "\(fixture)")
        }
    }

    @Test("a timeline read from the lock equals the replayed one, effects and all")
    func lockEqualsReplay() throws {
        let replayed = try Reconciler(migrationsFolder: Repo.migrations, useLock: false).timeline
        let locked = Repo.reconciler.timeline
        #expect(locked.steps.count == replayed.steps.count)
        for (a, b) in zip(locked.steps, replayed.steps) {
            #expect(a.fingerprint == b.fingerprint)
            #expect(a.effect == b.effect, "version \(a.version)")
            #expect(a.migration?.checksum == b.migration?.checksum)
        }
        #expect(locked.everCreated == replayed.everCreated)
        #expect(locked.namesCreatedBySQL == replayed.namesCreatedBySQL)
    }

    @Test("a changed, added or removed file makes the lock stale, names the file, and replay takes over",
          arguments: ["changed", "added", "removed"])
    func staleLock(_ change: String) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let copy = try migrationsCopy(in: folder)
        let file: String
        switch change {
        case "changed":
            file = "0007_add_threads_source.sql"
            let url = copy.appendingPathComponent(file)
            try (try String(contentsOf: url, encoding: .utf8) + "-- reviewed\n").write(to: url, atomically: true, encoding: .utf8)
        case "added":
            file = "0035_create_pins.sql"
            try "CREATE TABLE pins(a);\n".write(to: copy.appendingPathComponent(file), atomically: true, encoding: .utf8)
        default:
            file = "0031_add_jobs_last_error.sql"
            try FileManager.default.removeItem(at: copy.appendingPathComponent(file))
        }
        let reconciler = try Reconciler(migrationsFolder: copy)
        guard case .replayedStaleLock(_, let reasons) = reconciler.fingerprintSource else {
            Issue.record("expected a stale lock, got \(reconciler.fingerprintSource)")
            return
        }
        #expect(reasons.count == 1)
        #expect(reasons.first?.hasPrefix(file) == true)
        #expect(reconciler.fingerprintSource.description.contains("is stale"))
        let diagnosis = reconciler.diagnose(databaseAt: Repo.fixture("behind-by-three.sqlite"))
        #expect(diagnosis.findings.contains { $0.kind == .behind && $0.versions == [21, 22, 23] })

        let cli = try CLI.run(["fingerprint", "--check-lock", "--migrations", copy.path])
        #expect(cli.exitCode == 1)
        #expect(cli.stdout.contains(file))
        let check = try CLI.run(["check", "--migrations", copy.path, "Fixtures/consistent-v20.sqlite"])
        #expect(check.stderr.contains("is stale"))
        // The edited 0007 no longer matches the checksum the database recorded: drift that repair fixes.
        #expect(check.exitCode == (change == "changed" ? 1 : 0))
    }

    @Test("a lock made for another ledger table is trusted unless a migration creates an object of that name")
    func otherLedgerTable() throws {
        let reconciler = Repo.reconciler
        let lock = try #require(try FingerprintLock.read(from: Repo.migrations.appendingPathComponent(FingerprintLock.fileName)))
        var options = reconciler.snapshotOptions
        options.ledgerTable = "schema_history"
        #expect(lock.staleness(for: reconciler.migrations, options: options, manifest: reconciler.manifest) == nil)
        options.ledgerTable = "THREADS"
        #expect(lock.staleness(for: reconciler.migrations, options: options, manifest: reconciler.manifest)
                == ["made for ledger table _sqlx_migrations, not THREADS"])
    }

    @Test("--write-lock writes a lock that --check-lock then accepts")
    func writeThenCheck() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let copy = try migrationsCopy(in: folder)
        try FileManager.default.removeItem(at: copy.appendingPathComponent(FingerprintLock.fileName))
        let missing = try CLI.run(["fingerprint", "--check-lock", "--migrations", copy.path])
        #expect(missing.exitCode == 1)
        let written = try CLI.run(["fingerprint", "--write-lock", "--migrations", copy.path])
        #expect(written.exitCode == 0)
        #expect(written.stdout.hasPrefix("wrote \(copy.path)/\(FingerprintLock.fileName): 34 migration(s)"))
        let checked = try CLI.run(["fingerprint", "--check-lock", "--migrations", copy.path])
        #expect(checked.exitCode == 0, "\(checked.stdout)")
    }
}
