import Foundation
import GRDB
import SQLxEmulation
import Testing
@testable import SchemaReconciler

/// The refinery fixtures' folder and a reconciler over it, built once.
enum RefineryRepo {
    static let folder = Repo.fixtures.appendingPathComponent(RefineryFixtures.folderName)
    static let migrations = folder.appendingPathComponent("migrations")
    static func fixture(_ name: String) -> String { folder.appendingPathComponent(name).path }
    static let reconciler: Reconciler = {
        do { return try Reconciler(migrationsFolder: migrations, dialect: Refinery()) } catch { fatalError("refinery set: \(error)") }
    }()
}

@Suite("refinery: refinery_schema_history with SipHash-1-3 checksums and RFC 3339 times")
struct RefineryTests {
    /// Vectors computed outside this code: CPython 3.11 hashes `bytes` with SipHash-1-3 and, under
    /// `PYTHONHASHSEED=0`, keys (0, 0): `PYTHONHASHSEED=0 python3 -c "print(hash(b'a') % 2**64)"`.
    @Test("SipHash-1-3 with zero keys matches CPython's bytes hash", arguments: [
        ("a", UInt64(4644417185603328019)),
        ("abcdefgh", UInt64(4574395652268504554)),
        ("0001_create_threads", UInt64(9621225919230724159)),
    ])
    func sipHash(input: String, expected: UInt64) {
        #expect(SipHash13.hash(Array(input.utf8)) == expected)
    }

    /// `hash(b'create_threads' + b'\xff' + struct.pack('<i', 1) + open('V1__create_threads.sql','rb').read() + b'\xff')`
    /// under `PYTHONHASHSEED=0`, modulo 2**64.
    @Test("refinery's checksum of V1 is SipHash-1-3 over name, 0xFF, LE32 version, the raw text, 0xFF")
    func checksumVector() throws {
        let set = try Refinery().loadMigrations(from: RefineryRepo.migrations, ignoredCharacters: [])
        let first = try #require(set.applying.first)
        #expect(Refinery.checksum(name: "create_threads", version: 1, sql: first.sql) == 18387284864763519936)
        #expect(first.checksum == Refinery.digest(18387284864763519936))
        #expect(set.applying.map(\.version) == versions(1...34))
        #expect(RefineryRepo.reconciler.timeline.steps.map(\.fingerprint) == Repo.reconciler.timeline.steps.map(\.fingerprint))
    }

    @Test("file names follow refinery's ^([U|V])(\\d+(?:\\.\\d+)?)__(\\w+)\\.sql$; a version beyond int4 names the file")
    func names() throws {
        #expect(Refinery.parse(fileName: "V1__create_users.sql")! == (true, "1", "create_users"))
        #expect(Refinery.parse(fileName: "U20__seed.sql")! == (false, "20", "seed"))
        #expect(Refinery.parse(fileName: "V1_create.sql") == nil && Refinery.parse(fileName: "1__x.sql") == nil)
        #expect(Refinery.parse(fileName: "V2__has-dash.sql") == nil)
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("V3000000000__big.sql", "CREATE TABLE t(a);\n")
        #expect(throws: MigrationSetError.unparsableVersion(path: folder.path("V3000000000__big.sql"), prefix: "3000000000")) {
            try Refinery().loadMigrations(from: folder.url, ignoredCharacters: [])
        }
    }

    @Test("refinery_schema_history decides a database; V<n>__ files alone are Flyway's too, a U file is refinery's")
    func detection() throws {
        guard case .decided(let byLedger, _) = Dialects.detect(folder: Repo.migrations, databases: [RefineryRepo.fixture("behind.sqlite")]) else {
            Issue.record("not decided"); return
        }
        #expect(byLedger.name == "refinery")
        guard case .ambiguous(let names, _) = Dialects.detect(folder: RefineryRepo.migrations, databases: [RefineryRepo.fixture("no-ledger.sqlite")]) else {
            Issue.record("not ambiguous"); return
        }
        #expect(names.sorted() == ["flyway", "refinery"])
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("V1__create.sql", "CREATE TABLE t(a);\n")
        try folder.write("U2__seed.sql", "INSERT INTO t VALUES (1);\n")
        guard case .decided(let byFolder, _) = Dialects.detect(folder: folder.url, databases: []) else {
            Issue.record("not decided"); return
        }
        #expect(byFolder.name == "refinery")
        let result = try CLI.run(["diagnose", "--format", "json", "--migrations", RefineryRepo.migrations.path, RefineryRepo.fixture("behind.sqlite")])
        let database = try #require((try CLI.json(result)["databases"] as? [[String: Any]])?.first)
        #expect(database["dialect"] as? String == "refinery")
    }

    static let verdicts: [(fixture: String, verdict: Verdict, exit: ExitCode)] = [
        ("healthy.sqlite", .consistent, .ok),
        ("behind.sqlite", .behind, .repairable),
        ("no-ledger.sqlite", .noLedger, .needsPerson),
        ("checksum-drift.sqlite", .checksumDrift, .repairable),
        ("ahead.sqlite", .ahead, .needsPerson),
    ]

    @Test("each fixture gets its verdict", arguments: verdicts.indices)
    func diagnosis(index: Int) {
        let expected = Self.verdicts[index]
        let diagnosis = RefineryRepo.reconciler.diagnose(databaseAt: RefineryRepo.fixture(expected.fixture))
        #expect(diagnosis.verdict == expected.verdict, "\(expected.fixture)")
        #expect(diagnosis.exitCode == expected.exit, "\(expected.fixture)")
        #expect(diagnosis.ledger.dialect == "refinery")
    }

    static let repairs: [(fixture: String, extra: [String], top: Int32)] = [
        ("behind.sqlite", [], 23),
        ("no-ledger.sqlite", ["--dialect", "refinery", "--assume-version", "23"], 23),
        ("checksum-drift.sqlite", [], 34),
        ("ahead.sqlite", ["--drop-unproven"], 20),
    ]

    @Test("repair from the CLI passes refinery's verifier, in refinery's formats; refinery runs the rest", arguments: repairs.indices)
    func repair(index: Int) throws {
        let expected = Self.repairs[index]
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path(expected.fixture)
        try FileManager.default.copyItem(atPath: RefineryRepo.fixture(expected.fixture), toPath: path)
        let before = try userRows(path)
        let tool = try RefineryEmulator(folder: RefineryRepo.migrations)
        if expected.fixture.hasPrefix("checksum") {
            #expect(try DatabaseQueue(path: path).write { db in try tool.check(db) } == .refused("DivergentVersion(13)"))
        }
        let result = try CLI.run(["repair", "--migrations", RefineryRepo.migrations.path] + expected.extra
                                 + ["--backup", folder.path("backup.sqlite"), path])
        #expect(result.exitCode == 0, "\(expected.fixture): \(result.stdout) \(result.stderr)")
        #expect(try userRows(path) == before)
        let queue = try DatabaseQueue(path: path)
        let times = try queue.read { db in try String.fetchAll(db, sql: "SELECT applied_on FROM refinery_schema_history") }
        let rfc3339 = try NSRegularExpression(pattern: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"#)
        #expect(times.allSatisfy { rfc3339.firstMatch(in: $0, range: NSRange(location: 0, length: ($0 as NSString).length)) != nil }, "\(times)")
        #expect(try queue.write { db in try tool.check(db) } == .ok(pending: expected.top == 34 ? [] : Array((expected.top + 1)...34)))
        #expect(try queue.writeWithoutTransaction { db in try tool.run(db) } == .ok(pending: []))
        try queue.close()
    }

    @Test("a ledger created by repair is refinery's own, byte for byte")
    func createdLedgerIsExact() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path("no-ledger.sqlite")
        try FileManager.default.copyItem(atPath: RefineryRepo.fixture("no-ledger.sqlite"), toPath: path)
        let outcome = RefineryRepo.reconciler.repair(databaseAt: path, options: RepairOptions(plan: PlanOptions(assumeVersion: 23),
                                                                                               backup: .at(folder.path("backup.sqlite"))))
        #expect(outcome.status == .repaired, "\(outcome.message)")
        let made = folder.path("made.sqlite")
        try DatabaseQueue(path: made).write { db in try RefineryEmulator(folder: RefineryRepo.migrations).ensureTable(db) }
        let ddl = { (file: String) throws -> String? in
            try DatabaseQueue(path: file).read { db in try String.fetchOne(db, sql: "SELECT sql FROM sqlite_schema WHERE name = 'refinery_schema_history'") }
        }
        #expect(try ddl(path) == (try ddl(made)))
    }

    @Test("rows refinery would panic on are reported; refinery's verifier names missing and divergent rows")
    func verifier() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path("odd.sqlite")
        try FileManager.default.copyItem(atPath: RefineryRepo.fixture("healthy.sqlite"), toPath: path)
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "UPDATE refinery_schema_history SET applied_on = '2026-01-15 12:00:00' WHERE version = 2")
            try db.execute(sql: "UPDATE refinery_schema_history SET checksum = 'abc' WHERE version = 3")
        }
        guard case .present(let contents) = try DatabaseQueue(path: path).read({ db in try RefineryRepo.reconciler.ledger.read(db) }) else {
            Issue.record("unreadable"); return
        }
        #expect(contents.problems.contains { $0.hasPrefix("version 2: applied_on") && $0.contains("not RFC 3339") })
        #expect(contents.problems.contains { $0.hasPrefix("version 3: checksum abc is not a decimal u64") })
        let set = RefineryRepo.reconciler.migrations
        let rows = contents.rows.filter { $0.version != 3 }
        #expect(Refinery().startupProblem(rows: rows, migrations: set, ignoreMissing: false) == "found migration on file system V3__add_threads_model_provider.sql not applied")
        let unknown = rows + [LedgerRow(version: 99, description: "later", checksum: Refinery.digest(1))]
        #expect(Refinery().startupProblem(rows: unknown, migrations: set, ignoreMissing: false)?.contains("missing from the filesystem") == true)
    }

    @Test("the refinery fixtures regenerate identically and hold user rows")
    func fixturesRegenerate() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try RefineryFixtures.generateAll(sqlxMigrations: Repo.migrations, into: folder.url)
        let fresh = folder.url.appendingPathComponent(RefineryFixtures.folderName)
        for recipe in RefineryFixtures.recipes {
            let committed = RefineryRepo.fixture(recipe.name)
            #expect(try contentDump(committed) == (try contentDump(fresh.appendingPathComponent(recipe.name).path)), "\(recipe.name)")
            #expect(try userRows(committed).contains { $0.hasPrefix("threads ") }, "\(recipe.name)")
        }
        for name in try FileManager.default.contentsOfDirectory(atPath: RefineryRepo.migrations.path) {
            #expect(FileManager.default.contents(atPath: RefineryRepo.migrations.appendingPathComponent(name).path)
                    == FileManager.default.contents(atPath: fresh.appendingPathComponent("migrations/\(name)").path), "\(name)")
        }
    }
}
