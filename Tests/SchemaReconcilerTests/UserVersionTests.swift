import Foundation
import GRDB
import SQLxEmulation
import Testing
@testable import SchemaReconciler

/// The user_version fixtures, built from the bundled `Migrations/` as an app's runner applies them.
enum UserVersionRepo {
    static let folder = Repo.fixtures.appendingPathComponent(UserVersionFixtures.folderName)
    static func fixture(_ name: String) -> String { folder.appendingPathComponent(name).path }
    static let reconciler: Reconciler = {
        do { return try Reconciler(migrationsFolder: Repo.migrations, dialect: UserVersion(), useLock: false) } catch { fatalError("\(error)") }
    }()
    static func userVersion(_ path: String) throws -> Int64 {
        try DatabaseQueue(path: path).read { db in try Int64.fetchOne(db, sql: "PRAGMA user_version") ?? -1 }
    }
}

@Suite("user-version: PRAGMA user_version is the whole ledger, meaning a version or a count")
struct UserVersionTests {
    static let verdicts: [(fixture: String, verdict: Verdict, exit: ExitCode)] = [
        ("healthy.sqlite", .consistent, .ok),
        ("behind.sqlite", .behind, .repairable),
        ("no-ledger.sqlite", .noLedger, .repairable),
        ("failed-no-transaction.sqlite", .behind, .repairable),
        ("ahead.sqlite", .ahead, .needsPerson),
    ]

    @Test("each fixture gets its verdict", arguments: verdicts.indices)
    func diagnosis(index: Int) {
        let expected = Self.verdicts[index]
        let diagnosis = UserVersionRepo.reconciler.diagnose(databaseAt: UserVersionRepo.fixture(expected.fixture))
        #expect(diagnosis.verdict == expected.verdict, "\(expected.fixture)")
        #expect(diagnosis.exitCode == expected.exit, "\(expected.fixture)")
        #expect(diagnosis.ledger.dialect == "user-version")
    }

    @Test("a set user_version with no ledger table is detected; beside a ledger table, or 0, it is not")
    func detection() throws {
        guard case .decided(let dialect, _) = Dialects.detect(folder: Repo.migrations, databases: [UserVersionRepo.fixture("behind.sqlite")]) else {
            Issue.record("not detected"); return
        }
        #expect(dialect.name == "user-version")
        guard case .decided(let sqlx, _) = Dialects.detect(folder: Repo.migrations, databases: [UserVersionRepo.fixture("no-ledger.sqlite")]) else {
            Issue.record("not decided"); return
        }
        #expect(sqlx.name == "sqlx")
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("consistent-tip.sqlite")
        try DatabaseQueue(path: path).writeWithoutTransaction { db in try db.execute(sql: "PRAGMA user_version = 7") }
        guard case .decided(let stillSQLx, _) = Dialects.detect(folder: Repo.migrations, databases: [path]) else {
            Issue.record("not decided"); return
        }
        #expect(stillSQLx.name == "sqlx")
    }

    static let repairs: [(fixture: String, extra: [String], number: Int64)] = [
        ("behind.sqlite", [], 23),
        ("failed-no-transaction.sqlite", [], 26),
        ("no-ledger.sqlite", ["--dialect", "user-version"], 23),
        ("ahead.sqlite", ["--drop-unproven"], 20),
    ]

    @Test("repair from the CLI writes PRAGMA user_version; the runner starts and finishes, user rows untouched",
          arguments: repairs.indices)
    func repair(index: Int) throws {
        let expected = Self.repairs[index]
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path(expected.fixture)
        try FileManager.default.copyItem(atPath: UserVersionRepo.fixture(expected.fixture), toPath: path)
        let before = try userRows(path)
        let result = try CLI.run(["repair", "--format", "json"] + expected.extra + ["--backup", folder.path("backup.sqlite"), path])
        #expect(result.exitCode == 0, "\(expected.fixture): \(result.stdout) \(result.stderr)")
        #expect(try userRows(path) == before)
        #expect(try UserVersionRepo.userVersion(path) == expected.number)
        let tool = try UserVersionEmulator(folder: Repo.migrations, meaning: .version)
        let queue = try DatabaseQueue(path: path)
        #expect(try queue.read { db in try tool.check(db) } == .ok(pending: Array((expected.number + 1)...34)))
        #expect(try queue.writeWithoutTransaction { db in try tool.migrate(db) } == .ok(pending: []))
        try queue.close()
        #expect(try UserVersionRepo.userVersion(folder.path("backup.sqlite")) != expected.number)
    }

    @Test("a schema-silent version below the match cannot be left out of one number: refused, naming --assume-version")
    func unrepresentable() throws {
        // The manifest's probes prove 12 and 17 ran; without it nothing does.
        #expect(UserVersionRepo.reconciler.diagnose(databaseAt: UserVersionRepo.fixture("no-ledger.sqlite")).plan.writes)
        let bare = try Reconciler(migrationsFolder: Repo.migrations, dialect: UserVersion(), useLock: false, loadManifest: false)
        let diagnosis = bare.diagnose(databaseAt: UserVersionRepo.fixture("no-ledger.sqlite"))
        let blocker = try #require(diagnosis.plan.blockers.first)
        #expect(blocker.reason.contains("not 12, 17"))
        #expect(blocker.flag == "--assume-version 23")
    }

    @Test("--user-version-means count reads the number as how many files ran (rusqlite_migration)")
    func countMeaning() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try FileManager.default.createDirectory(atPath: folder.path("migrations"), withIntermediateDirectories: true)
        try folder.write("migrations/10_a.sql", "CREATE TABLE a(x);\n")
        try folder.write("migrations/20_b.sql", "CREATE TABLE b(x);\n")
        try folder.write("migrations/30_c.sql", "CREATE TABLE c(x);\n")
        let migrations = folder.url.appendingPathComponent("migrations")
        let path = folder.path("app.sqlite")
        let tool = try UserVersionEmulator(folder: migrations, meaning: .count)
        try DatabaseQueue(path: path).writeWithoutTransaction { db in
            try tool.migrate(db, upTo: 20)
            try db.execute(sql: "CREATE TABLE c(x); PRAGMA user_version = 1") // 30 ran, the count fell back
        }
        let result = try CLI.run(["repair", "--migrations", migrations.path, "--dialect", "user-version",
                                  "--user-version-means", "count", "--backup", folder.path("backup.sqlite"), path])
        #expect(result.exitCode == 0, "\(result.stdout) \(result.stderr)")
        #expect(try UserVersionRepo.userVersion(path) == 3)
        #expect(try DatabaseQueue(path: path).read { db in try tool.check(db) } == .ok(pending: []))
        let asVersion = try CLI.run(["diagnose", "--migrations", migrations.path, "--dialect", "user-version", folder.path("backup.sqlite")])
        #expect(asVersion.exitCode != 0)
        let wrong = try CLI.run(["diagnose", "--migrations", migrations.path, "--dialect", "user-version", "--user-version-means", "rows", path])
        #expect(wrong.exitCode == 64)
        #expect(wrong.stderr.contains("--user-version-means takes version or count"))
        let tooFar = folder.path("far.sqlite")
        try DatabaseQueue(path: tooFar).writeWithoutTransaction { db in try db.execute(sql: "PRAGMA user_version = 9") }
        let far = try Reconciler(migrationsFolder: migrations, dialect: UserVersion(meaning: .count), useLock: false)
        #expect(far.diagnose(databaseAt: tooFar).verdict == .malformedLedger)
    }

    @Test("the user_version fixtures regenerate identically and hold user rows")
    func fixturesRegenerate() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try UserVersionFixtures.generateAll(migrations: Repo.migrations, into: folder.url)
        for recipe in UserVersionFixtures.recipes {
            let committed = UserVersionRepo.fixture(recipe.name)
            let fresh = folder.url.appendingPathComponent("\(UserVersionFixtures.folderName)/\(recipe.name)").path
            #expect(try contentDump(committed) == (try contentDump(fresh)), "\(recipe.name)")
            #expect(try UserVersionRepo.userVersion(committed) == (try UserVersionRepo.userVersion(fresh)), "\(recipe.name)")
            #expect(try userRows(committed).contains { $0.hasPrefix("threads ") }, "\(recipe.name)")
        }
    }
}
