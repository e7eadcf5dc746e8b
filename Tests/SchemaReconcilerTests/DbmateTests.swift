import Foundation
import GRDB
import SQLxEmulation
import Testing
@testable import SchemaReconciler

/// The dbmate fixtures' folder and a reconciler over it, built once.
enum DbmateRepo {
    static let folder = Repo.fixtures.appendingPathComponent(DbmateFixtures.folderName)
    static let migrations = folder.appendingPathComponent("migrations")
    static func fixture(_ name: String) -> String { folder.appendingPathComponent(name).path }
    static let reconciler: Reconciler = {
        do { return try Reconciler(migrationsFolder: migrations, dialect: Dbmate()) } catch { fatalError("dbmate set: \(error)") }
    }()
    static func versions(_ path: String) throws -> [String] {
        try DatabaseQueue(path: path).read { db in try String.fetchAll(db, sql: "SELECT version FROM schema_migrations ORDER BY version") }
    }
}

@Suite("dbmate: schema_migrations (version varchar(128) primary key), -- migrate:up / -- migrate:down")
struct DbmateTests {
    @Test("only up blocks replay; transaction:false is read from the directive line")
    func parses() throws {
        let parsed = try Dbmate.parse("-- a comment\n\n-- migrate:up transaction:false\nCREATE TABLE a(x);\n-- migrate:down\nDROP TABLE a;\n")
        #expect(parsed.up == "-- migrate:up transaction:false\nCREATE TABLE a(x);\n")
        #expect(!parsed.transaction)
        #expect(try Dbmate.parse("--migrate:up\nSELECT 1;\n--  migrate:down\n").transaction)
    }

    /// Where `(?m)^--\s*migrate:up(\s*$|\s+\S+)` matches as Go's regexp does: `\s` is `[\t\n\f\r ]`,
    /// `^` follows only `\n`. The ICU reading (NSRegularExpression) would also match the `\v`, lone
    /// `\r` and U+00A0 cases, which dbmate does not.
    static let directiveCases: [(String, [Int])] = [
        ("-- migrate:up\n", [0]),
        ("--migrate:up", [0]),                            // the end of the text ends the directive
        ("--\tmigrate:up transaction:false\n", [0]),
        ("-- migrate:upx\n", []),                         // a longer word is not the directive
        ("-- migrate:UP\n", []),                          // case counts
        ("x-- migrate:up\n", []),                         // not at a line start
        ("  -- migrate:up\n", []),
        ("--\u{0B}migrate:up\n", []),                     // \v is not Go's \s
        ("--\u{A0}migrate:up\n", []),                     // nor is U+00A0
        ("a\r-- migrate:up\n", []),                       // a lone \r starts no line
        ("a\r\n-- migrate:up\r\n", [3]),                  // after "a\r\n"; the \r after the word is \s
        ("--\n\nmigrate:up\n", [0]),                      // \s* runs over newlines
        ("-- migrate:up\nSELECT 1;\n-- migrate:up\n", [0, 24]),
    ]

    @Test("-- migrate:up is found where Go's regexp finds it", arguments: directiveCases.indices)
    func directives(index: Int) {
        let (text, offsets) = Self.directiveCases[index]
        #expect(Dbmate.directives("up", in: Array(text.utf8)[...]) == offsets, "\(text.debugDescription)")
    }

    @Test("a folder is dbmate's when one file holds the directive, whatever its encoding; sqlx files alone are not")
    func folderScan() throws {
        let sqlx = try TemporaryFolder()
        defer { sqlx.remove() }
        // The directive's words, but never at a line start: the scan reads these files and rejects them.
        for version in 1...20 { _ = try sqlx.write("\(version)_t\(version).sql", "CREATE TABLE t\(version)(x); -- migrate:up\n") }
        #expect(!Dbmate().claimsExclusively(sqlx.url))

        let latin1 = try TemporaryFolder()
        defer { latin1.remove() }
        // Not UTF-8 (é as the byte E9), yet dbmate reads the directive; loading then names the file.
        let bytes = Array("-- migrate:up\nSELECT 'caf".utf8) + [0xE9] + Array("';\n-- migrate:down\n".utf8)
        try latin1.write("1_latin1.sql", bytes)
        #expect(Dbmate().claimsExclusively(latin1.url))
        do {
            _ = try Dbmate().loadMigrations(from: latin1.url, ignoredCharacters: [])
            Issue.record("loaded a file that is not UTF-8")
        } catch MigrationSetError.notUTF8(let path, let offset) {
            #expect(path == latin1.path("1_latin1.sql"))
            #expect(offset == 25)
        }
    }

    @Test("files dbmate rejects are errors that name the file", arguments: [
        ("CREATE TABLE a(x);\n", "define an up block"),
        ("-- migrate:up\nCREATE TABLE a(x);\n", "define a down block"),
        ("CREATE TABLE b(x);\n-- migrate:up\nSELECT 1;\n-- migrate:down\n", "statements preceding"),
        ("-- migrate:up\nSELECT 1;\n-- migrate:down\n-- migrate:down\n", "preceded by a '-- migrate:up'"),
    ])
    func rejects(text: String, message: String) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("0001_bad.sql", text)
        do {
            _ = try Dbmate().loadMigrations(from: folder.url, ignoredCharacters: [])
            Issue.record("accepted: \(text)")
        } catch let error as MigrationSetError {
            #expect(error.description.hasPrefix(folder.path("0001_bad.sql")), "\(error)")
            #expect(error.description.contains(message), "\(error)")
        }
    }

    @Test("versions of different widths, which dbmate runs in file-name order, are refused naming the file")
    func nameOrder() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("9_a.sql", "-- migrate:up\nCREATE TABLE a(x);\n-- migrate:down\n")
        try folder.write("10_b.sql", "-- migrate:up\nCREATE TABLE b(x);\n-- migrate:down\n")
        #expect(throws: MigrationSetError.self) { try Dbmate().loadMigrations(from: folder.url, ignoredCharacters: []) }
        do { _ = try Dbmate().loadMigrations(from: folder.url, ignoredCharacters: []) } catch {
            #expect("\(error)".hasPrefix(folder.path("10_b.sql")))
        }
    }

    @Test("the up blocks fingerprint as the sqlx files they were laid out from")
    func fingerprints() {
        #expect(DbmateRepo.reconciler.timeline.steps.map(\.fingerprint) == Repo.reconciler.timeline.steps.map(\.fingerprint))
        #expect(DbmateRepo.reconciler.migrations.applying.filter(\.noTransaction).map(\.version) == [26])
    }

    @Test("dbmate's schema_migrations is told from golang-migrate's by its columns; -- migrate:up decides a folder")
    func detection() throws {
        guard case .decided(let byLedger, _) = Dialects.detect(folder: Repo.migrations, databases: [DbmateRepo.fixture("behind.sqlite")]) else {
            Issue.record("not decided"); return
        }
        #expect(byLedger.name == "dbmate")
        guard case .decided(let golang, _) = Dialects.detect(folder: DbmateRepo.migrations, databases: [GolangMigrateRepo.fixture("behind.sqlite")]) else {
            Issue.record("not decided"); return
        }
        #expect(golang.name == "golang-migrate")
        guard case .decided(let byFolder, _) = Dialects.detect(folder: DbmateRepo.migrations, databases: [DbmateRepo.fixture("no-ledger.sqlite")]) else {
            Issue.record("not decided"); return
        }
        #expect(byFolder.name == "dbmate")
        let result = try CLI.run(["diagnose", "--format", "json", "--migrations", DbmateRepo.migrations.path, DbmateRepo.fixture("behind.sqlite")])
        let database = try #require((try CLI.json(result)["databases"] as? [[String: Any]])?.first)
        #expect(database["dialect"] as? String == "dbmate")
    }

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
        let diagnosis = DbmateRepo.reconciler.diagnose(databaseAt: DbmateRepo.fixture(expected.fixture))
        #expect(diagnosis.verdict == expected.verdict, "\(expected.fixture)")
        #expect(diagnosis.exitCode == expected.exit, "\(expected.fixture)")
        #expect(diagnosis.ledger.dialect == "dbmate")
    }

    static let repairs: [(fixture: String, extra: [String], top: Int)] = [
        ("behind.sqlite", [], 23),
        ("failed-no-transaction.sqlite", [], 26),
        ("no-ledger.sqlite", ["--assume-version", "23"], 23),
        ("ahead.sqlite", ["--drop-unproven"], 20),
    ]

    @Test("repair from the CLI writes dbmate's rows as text; dbmate runs the rest, user rows untouched", arguments: repairs.indices)
    func repair(index: Int) throws {
        let expected = Self.repairs[index]
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path(expected.fixture)
        try FileManager.default.copyItem(atPath: DbmateRepo.fixture(expected.fixture), toPath: path)
        let before = try userRows(path)
        let result = try CLI.run(["repair", "--migrations", DbmateRepo.migrations.path] + expected.extra
                                 + ["--backup", folder.path("backup.sqlite"), path])
        #expect(result.exitCode == 0, "\(expected.fixture): \(result.stdout) \(result.stderr)")
        #expect(try userRows(path) == before)
        #expect(try DbmateRepo.versions(path) == (1...expected.top).map { String(format: "%04d", $0) })
        let tool = try DbmateEmulator(folder: DbmateRepo.migrations)
        let queue = try DatabaseQueue(path: path)
        #expect(try queue.read { db in try tool.pending(db) } == ((expected.top + 1)...34).map { String(format: "%04d", $0) })
        try queue.writeWithoutTransaction { db in try tool.migrate(db) }
        #expect(try queue.read { db in try tool.pending(db) }.isEmpty)
        try queue.close()
        let fresh = folder.path("fresh.sqlite")
        try DatabaseQueue(path: fresh).writeWithoutTransaction { db in try tool.migrate(db) }
        #expect(try schemaText(path, ledger: "schema_migrations") == (try schemaText(fresh, ledger: "schema_migrations")))
    }

    @Test("a row whose text is not its file's (1 for 0001) is one dbmate would re-run: repair gives it the file's text")
    func versionText() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path("healthy.sqlite")
        try FileManager.default.copyItem(atPath: DbmateRepo.fixture("healthy.sqlite"), toPath: path)
        try DatabaseQueue(path: path).write { db in try db.execute(sql: "UPDATE schema_migrations SET version = '7' WHERE version = '0007'") }
        let tool = try DbmateEmulator(folder: DbmateRepo.migrations)
        #expect(try DatabaseQueue(path: path).read { db in try tool.pending(db) } == ["0007"])
        let outcome = DbmateRepo.reconciler.repair(databaseAt: path, options: RepairOptions(backup: .at(folder.path("backup.sqlite"))))
        #expect(outcome.status == .repaired, "\(outcome.message)")
        #expect(try DatabaseQueue(path: path).read { db in try tool.pending(db) }.isEmpty)
        #expect(try DbmateRepo.versions(path).contains("0007"))
    }

    @Test("a ledger created by repair is dbmate's own, byte for byte")
    func createdLedgerIsExact() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path("no-ledger.sqlite")
        try FileManager.default.copyItem(atPath: DbmateRepo.fixture("no-ledger.sqlite"), toPath: path)
        let outcome = DbmateRepo.reconciler.repair(databaseAt: path, options: RepairOptions(plan: PlanOptions(assumeVersion: 23),
                                                                                             backup: .at(folder.path("backup.sqlite"))))
        #expect(outcome.status == .repaired, "\(outcome.message)")
        let made = folder.path("made.sqlite")
        try DatabaseQueue(path: made).write { db in try DbmateEmulator(folder: DbmateRepo.migrations).ensureTable(db) }
        let ddl = { (file: String) throws -> String? in
            try DatabaseQueue(path: file).read { db in try String.fetchOne(db, sql: "SELECT sql FROM sqlite_schema WHERE name = 'schema_migrations'") }
        }
        #expect(try ddl(path) == (try ddl(made)))
        #expect(try ddl(path) == #"CREATE TABLE "schema_migrations" (version varchar(128) primary key)"#)
    }

    @Test("the dbmate fixtures regenerate identically and hold user rows")
    func fixturesRegenerate() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try DbmateFixtures.generateAll(sqlxMigrations: Repo.migrations, into: folder.url)
        let fresh = folder.url.appendingPathComponent(DbmateFixtures.folderName)
        for recipe in DbmateFixtures.recipes {
            let committed = DbmateRepo.fixture(recipe.name)
            #expect(try contentDump(committed) == (try contentDump(fresh.appendingPathComponent(recipe.name).path)), "\(recipe.name)")
            #expect(try userRows(committed).contains { $0.hasPrefix("threads ") }, "\(recipe.name)")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: DbmateRepo.migrations.path).sorted()
        for name in names {
            #expect(FileManager.default.contents(atPath: DbmateRepo.migrations.appendingPathComponent(name).path)
                    == FileManager.default.contents(atPath: fresh.appendingPathComponent("migrations/\(name)").path), "\(name)")
        }
    }
}
