import Foundation
import GRDB
import Testing
@testable import SchemaReconciler

/// Runs `sql` on the database at `path`, as the app (or a person with sqlite3) would.
private func execute(_ path: String, _ sql: String) throws {
    let queue = try DatabaseQueue(path: path)
    try queue.writeWithoutTransaction { try $0.execute(sql: sql) }
    try queue.close()
}

/// The state key of the database at `path`, as a quick check reads it.
private func stateKey(_ path: String) throws -> Digest? {
    let queue = try HardenedDatabase.open(path: path, access: .readOnly)
    defer { try? queue.close() }
    return try queue.read { try VerdictMemo.stateKey($0, ledger: SQLxLedger()) }
}

@Suite("A healthy verdict is remembered under exactly what it read, and anything else the diagnosis depends on misses")
struct VerdictMemoTests {
    /// A migrations copy, a healthy database beside it, and a cache folder of the test's own.
    private struct Setup {
        let folder: TemporaryFolder
        let migrations: URL
        let database: String
        let cache: LaunchCache

        init() throws {
            folder = try TemporaryFolder()
            migrations = try migrationsCopy(in: folder)
            database = try folder.copyFixture("consistent-tip.sqlite")
            cache = LaunchCache(directory: folder.path("cache"), racyWindow: 0)
        }

        func check(_ path: String? = nil, options: PlanOptions = PlanOptions(),
                   ignoredCharacters: Set<Unicode.Scalar> = []) throws -> Reconciler.QuickCheckResult {
            try QuickChecker(migrationsFolder: migrations, ignoredCharacters: ignoredCharacters, options: options, cache: cache)
                .check(databaseAt: path ?? database)
        }

        /// What the quick check says with no cache at all: the reference every remembered answer must equal.
        func uncached(_ path: String? = nil, options: PlanOptions = PlanOptions()) throws -> Diagnosis {
            try QuickChecker(migrationsFolder: migrations, options: options, cache: nil).check(databaseAt: path ?? database).diagnosis
        }

        var memoPath: String { cache.memoPath(folder: migrations.standardizedFileURL.path, ignoredCharacters: []) }

        /// Checks the database twice: the first check files its verdict, the second must be answered from it.
        func warm(sourceLocation: SourceLocation = #_sourceLocation) throws {
            _ = try check()
            #expect(try check().remembered, sourceLocation: sourceLocation)
        }
    }

    @Test("the second check of a healthy database is remembered, equals the quick index's answer, and carries its own path")
    func secondCheckIsRemembered() throws {
        let setup = try Setup()
        defer { setup.folder.remove() }
        let first = try setup.check()
        #expect(first.diagnosis.verdict == .consistent && first.decidedQuickly && !first.remembered)
        #expect(FileManager.default.fileExists(atPath: setup.memoPath))

        let second = try setup.check()
        #expect(second.remembered && second.decidedQuickly)
        #expect(second.diagnosis == first.diagnosis)
        #expect(second.diagnosis == (try setup.uncached()))
        #expect(second.fingerprintSource == first.fingerprintSource)
        #expect(second.tipVersion == first.tipVersion)

        // Another file with the same schema and ledger is the same state: remembered, under its own path.
        let twin = setup.folder.path("twin.sqlite")
        try FileManager.default.copyItem(atPath: setup.database, toPath: twin)
        let third = try setup.check(twin)
        #expect(third.remembered && third.diagnosis.path == twin)
        #expect(third.diagnosis == (try setup.uncached(twin)))

        // A remembered verdict vouches for the quick index without decoding it.
        #expect(try QuickChecker(migrationsFolder: setup.migrations, cache: setup.cache).hasQuickIndex)
    }

    @Test("user data may change; a ledger cell, a schema object or a header value may not", arguments: [
        ("UPDATE _sqlx_migrations SET execution_time = execution_time + 1 WHERE version = 1", false),
        ("UPDATE _sqlx_migrations SET checksum = zeroblob(48) WHERE version = 30", false),
        ("DELETE FROM _sqlx_migrations WHERE version = 34", false),
        ("CREATE INDEX settings_value_idx ON settings(value)", false),
        ("PRAGMA user_version = 7", false),
        ("PRAGMA application_id = 7", false),
        ("INSERT INTO settings(key, value) VALUES ('verdict-memo-test', 'dark')", true),
    ])
    func changesThatMiss(sql: String, stillRemembered: Bool) throws {
        let setup = try Setup()
        defer { setup.folder.remove() }
        try setup.warm()
        try execute(setup.database, sql)
        let after = try setup.check()
        #expect(after.remembered == stillRemembered)
        // Remembered or not, the answer is the one a check without any cache gives.
        #expect(after.diagnosis == (try setup.uncached()))
    }

    @Test("an object outside the lock, read through pragmas, is never remembered", arguments: [
        "CREATE VIRTUAL TABLE app_search USING fts5(body)",
        "CREATE VIEW app_recent AS SELECT * FROM settings",
        "CREATE TABLE app_cache(key TEXT PRIMARY KEY, value BLOB)",
        "CREATE INDEX app_settings_desc ON settings(value DESC)",
    ])
    func foreignObjects(sql: String) throws {
        let setup = try Setup()
        defer { setup.folder.remove() }
        try execute(setup.database, sql)
        let first = try setup.check()
        // A foreign object leaves the database healthy (the migrator never sees it).
        #expect(first.diagnosis.verdict == .consistent && first.diagnosis.exitCode == .ok && first.decidedQuickly)
        #expect(first.diagnosis.findings.contains { $0.kind == .foreignObjects })
        // Their pragmas' answers can depend on more than the text (the header's schema format decides
        // whether DESC counts; a module reads its own tables), which the state key does not hold.
        let second = try setup.check()
        #expect(!second.remembered)
        #expect(second.diagnosis == (try setup.uncached()))
    }

    @Test("the state key tells storage classes and bytes apart, and is the same for the same state in another file")
    func stateKeyIsExact() throws {
        let setup = try Setup()
        defer { setup.folder.remove() }
        let original = try #require(try stateKey(setup.database))
        let twin = setup.folder.path("twin.sqlite")
        try FileManager.default.copyItem(atPath: setup.database, toPath: twin)
        #expect(try stateKey(twin) == original)

        // A checksum stored as a BLOB and the same bytes stored as TEXT are different ledgers to sqlx
        // (the column has no affinity to convert one into the other).
        try execute(twin, "UPDATE _sqlx_migrations SET checksum = CAST(checksum AS TEXT) WHERE version = 1")
        #expect(try stateKey(twin) != original)
        try execute(twin, "UPDATE _sqlx_migrations SET checksum = CAST(checksum AS BLOB) WHERE version = 1")
        #expect(try stateKey(twin) == original)

        // A ledger computed by a view could read differently twice: no key, nothing remembered.
        try execute(twin, """
            ALTER TABLE _sqlx_migrations RENAME TO ledger_rows;
            CREATE VIEW _sqlx_migrations AS SELECT * FROM ledger_rows;
            """)
        #expect(try stateKey(twin) == nil)
        // No ledger at all is a state like any other (a fresh database).
        try execute(twin, "DROP VIEW _sqlx_migrations")
        #expect(try stateKey(twin) != nil)
    }

    @Test("another context misses: other options, a reference backup, an edited migration file")
    func contextChangesMiss() throws {
        let setup = try Setup()
        defer { setup.folder.remove() }
        try setup.warm()

        let tipRequired = PlanOptions(requireTip: true)
        #expect(try !setup.check(options: tipRequired).remembered)
        #expect(try setup.check(options: tipRequired).remembered)
        #expect(try !setup.check().remembered) // the memo holds one context: the plain one was replaced

        // A reference backup is evidence the state does not include: never remembered.
        let reference = PlanOptions(referencePath: setup.database)
        _ = try setup.check(options: reference)
        #expect(try !setup.check(options: reference).remembered)

        // With `\r` ignored, a `\r` added to a file leaves its checksum (and the lock) as they were, but
        // not its text, which a replay runs: the context holds the texts then, and misses.
        let crlf: Set<Unicode.Scalar> = ["\r"]
        _ = try setup.check(ignoredCharacters: crlf)
        #expect(try setup.check(ignoredCharacters: crlf).remembered)
        let first = try #require(try MigrationSet.load(from: setup.migrations).applying.first)
        try (first.sql.replacingOccurrences(of: "\n", with: "\r\n")).write(to: first.url, atomically: true, encoding: .utf8)
        let carriageReturns = try setup.check(ignoredCharacters: crlf)
        #expect(carriageReturns.decidedQuickly && !carriageReturns.remembered)

        // An edit to a migration file changes the set, which makes the lock stale: the full engine decides.
        let last = try #require(try MigrationSet.load(from: setup.migrations).applying.last)
        try (last.sql + "\n-- edited\n").write(to: last.url, atomically: true, encoding: .utf8)
        let edited = try setup.check()
        #expect(!edited.remembered && !edited.decidedQuickly)
        #expect(edited.diagnosis == (try setup.uncached()))
    }

    @Test("the context names this build of the engine and of libsqlite3 by their build IDs, so a rebuilt engine trusts no old verdict")
    func buildIdentityIsTheCode() throws {
        let identity = try #require(VerdictMemo.buildIdentity)
        var reader = RecordReader(bytes: identity)
        var ids: [[UInt8]] = []
        for _ in 0..<2 {
            switch try reader.byte() {
            case 1: ids.append(try reader.blob())
            case 2:
                let path = try reader.string()
                #expect(FileStamp.of(path: path) == (try reader.stamp()))
            default: Issue.record("unknown identity entry")
            }
        }
        #expect(reader.offset == identity.count)
        #if os(Linux)
        // Both images carry a GNU build ID here; each is the one in its file's note (read from the file,
        // independently of the loader's view), which the linker derives from the code.
        #expect(ids.count == 2)
        let files = ["/proc/self/exe", "/usr/lib/x86_64-linux-gnu/libsqlite3.so.0"]
        for (id, file) in zip(ids, files) where FileManager.default.fileExists(atPath: file) {
            #expect(id.count >= 16)
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: file))
            let head = [UInt8](try handle.read(upToCount: 1 << 16) ?? Data())
            try handle.close()
            let note = Array("GNU\0".utf8) + id
            #expect(head.indices.dropLast(note.count).contains { head[$0..<$0 + note.count].elementsEqual(note) }, "\(file)")
        }
        #endif
    }

    @Test("a corrupt, torn, truncated, foreign or group-writable memo file is ignored and replaced")
    func badMemoFiles() throws {
        let setup = try Setup()
        defer { setup.folder.remove() }
        let healthy = try setup.check().diagnosis
        let url = URL(fileURLWithPath: setup.memoPath)
        let good = [UInt8](try Data(contentsOf: url))
        var torn = good
        for index in (good.count / 3)..<(good.count / 3 + 64) { torn[index] = 0 } // a block a crash left zeroed
        // A well-formed, sealed memo for another context, holding this very state's key.
        var foreign = VerdictMemo(path: setup.memoPath + ".other", context: Digest.sha256(of: "another context"))
        var foreignBytes: [UInt8] = []
        _ = foreign.remember(healthy, for: try #require(try stateKey(setup.database))) { foreignBytes = $1; return true }
        let cases: [(String, [UInt8])] = [("garbage", Array("SRVM garbage".utf8)), ("truncated", Array(good.prefix(good.count - 5))),
                                          ("torn", torn), ("foreign", foreignBytes), ("empty", [])]
        for (name, bytes) in cases {
            try Data(bytes).write(to: url)
            let result = try setup.check()
            #expect(!result.remembered, "\(name)")
            #expect(result.diagnosis == (try setup.uncached()))
            #expect(try setup.check().remembered, "\(name)")
        }
        // Anyone else able to write it could plant verdicts: a group-writable memo is not read.
        #expect(chmod(setup.memoPath, 0o660) == 0)
        #expect(try !setup.check().remembered)
        #expect(try setup.check().remembered) // rewritten by a rename, private again
    }

    @Test("a database another process holds locked is unreadable (busy) on the memo's path too, remembered or not")
    func lockedDatabase() throws {
        let setup = try Setup()
        defer { setup.folder.remove() }
        try setup.warm()
        let writer = try DatabaseQueue(path: setup.database)
        defer { try? writer.close() }
        try writer.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN EXCLUSIVE")
            defer { try? db.execute(sql: "ROLLBACK") }
            let checker = try QuickChecker(migrationsFolder: setup.migrations, cache: setup.cache)
            let locked = try checker.check(databaseAt: setup.database, busyTimeout: 0.05)
            #expect(locked.diagnosis.verdict == .unreadable && !locked.remembered)
            #expect(locked.diagnosis.failure?.kind == .busy)
        }
        // Released, the same state is remembered again: the failure was not filed under it.
        #expect(try setup.check().remembered)
    }

    @Test("a diagnosis round-trips through the record layout: every committed fixture's, and one with every optional field")
    func diagnosisRecordLayout() throws {
        func roundTrip(_ diagnosis: Diagnosis) throws -> Diagnosis {
            var writer = RecordWriter()
            writer.diagnosis(diagnosis)
            var reader = RecordReader(bytes: writer.bytes)
            let decoded = try reader.diagnosis()
            #expect(reader.offset == writer.bytes.count)
            return decoded
        }
        let fixtures = try FileManager.default.contentsOfDirectory(atPath: Repo.fixtures.path).filter { $0.hasSuffix(".sqlite") }.sorted()
        var seen = 0
        for name in fixtures {
            let diagnosis = Repo.reconciler.diagnose(databaseAt: Repo.fixture(name))
            guard diagnosis.failure == nil else { continue } // never remembered, so not laid out
            seen += 1
            #expect(try roundTrip(diagnosis) == diagnosis, "\(name)")
        }
        #expect(seen >= 10)

        var full = Repo.reconciler.diagnose(databaseAt: Repo.fixture("behind-by-three.sqlite"))
        #expect(!full.plan.actions.isEmpty && !full.findings.isEmpty)
        full.versionNames = [MigrationVersion(1): "v1", MigrationVersion(text: "2026_add_notes"): "add notes"]
        full.findings.append(Finding(kind: .probe, verdict: .unrecognised, exitCode: .needsPerson, message: "é 🧪",
                                     versions: [MigrationVersion(dotted: "1.2.3")!],
                                     evidence: [Finding.Evidence(version: nil, objects: ["a", "b"], detail: "")]))
        full.plan.actions.append(RepairPlan.Action(kind: .move, version: 5, description: "d", checksum: Digest.sha384(of: [1]),
                                                   previousChecksum: Digest.sha384(of: [2]), previousVersion: 4,
                                                   installedOn: "2026-12-07 23:00:00", executionTime: -7, reason: "r"))
        full.plan.blockers.append(RepairPlan.Blocker(reason: "why", flag: "--assume-version"))
        full.ledger.moved = [LedgerSummary.Move(from: 3, to: 4)]
        full.history = AppliedHistory(order: .ledgerWithOne, applied: [1, 2], pending: [3], outOfOrder: [3])
        #expect(try roundTrip(full) == full)
        // A cut-short record is refused, never half-read.
        var writer = RecordWriter()
        writer.diagnosis(full)
        var cut = RecordReader(bytes: Array(writer.bytes.dropLast(3)))
        #expect(throws: RecordReader.Malformed.self) { try cut.diagnosis() }
    }

    @Test("only healthy verdicts are remembered, and no more than the limit")
    func onlyHealthyAndBounded() throws {
        let setup = try Setup()
        defer { setup.folder.remove() }
        let behind = try setup.folder.copyFixture("behind-by-three.sqlite")
        _ = try setup.check(behind)
        let again = try setup.check(behind)
        #expect(!again.remembered && again.diagnosis.exitCode != .ok)
        #expect(!FileManager.default.fileExists(atPath: setup.memoPath))

        // Each distinct ledger is a distinct state; the file keeps the newest `limit`.
        for index in 0...VerdictMemo.limit {
            try execute(setup.database, "UPDATE _sqlx_migrations SET execution_time = \(index) WHERE version = 1")
            #expect(try !setup.check().remembered)
        }
        let context = try #require(VerdictMemo.context(
            folder: setup.migrations.standardizedFileURL.path, set: try MigrationSet.load(from: setup.migrations),
            lockDigest: Digest.sha256(of: try Data(contentsOf: setup.migrations.appendingPathComponent(FingerprintLock.fileName))),
            manifestDigest: (try? Data(contentsOf: setup.migrations.appendingPathComponent(Manifest.fileName))).map { Digest.sha256(of: $0) },
            ledger: SQLxLedger(), ignored: [], options: PlanOptions()))
        let memo = VerdictMemo(path: setup.memoPath, context: context)
        #expect(memo.entries.count == VerdictMemo.limit)
        #expect(try setup.check().remembered) // the newest is kept
        try execute(setup.database, "UPDATE _sqlx_migrations SET execution_time = 0 WHERE version = 1")
        #expect(try !setup.check().remembered) // the oldest was dropped
    }
}
