import Foundation
import GRDB
import SQLxEmulation
import Testing
@testable import SchemaReconciler

/// The Flyway fixtures' folder.
enum FlywayRepo {
    static let folder = Repo.fixtures.appendingPathComponent(FlywayFixtures.folderName)
    static let migrations = folder.appendingPathComponent("migrations")
    static func fixture(_ name: String) -> String { folder.appendingPathComponent(name).path }
}

@Suite("Flyway: flyway_schema_history with CRC-32 line checksums, installed_rank order and validate's rules")
struct FlywayTests {
    /// Computed outside this code with the JDK alone: `java scripts/FlywayChecksumVectors.java` feeds
    /// each text through `BufferedReader.readLine()` and `java.util.zip.CRC32` as Flyway's
    /// `ChecksumCalculator` does (BOM dropped from the first line, lines joined with nothing, `(int)`),
    /// on OpenJDK 17.0.15. Cross-checked with `zlib.crc32` in CPython 3.11 over the text with CR and LF removed.
    static let vectors: [(name: String, text: String, checksum: Int32)] = [
        ("empty", "", 0),
        ("LF", "CREATE TABLE t (a INTEGER);\nINSERT INTO t VALUES (1);\n", 706629872),
        ("CRLF", "CREATE TABLE t (a INTEGER);\r\nINSERT INTO t VALUES (1);\r\n", 706629872),
        ("lone CR", "CREATE TABLE t (a INTEGER);\rINSERT INTO t VALUES (1);\r", 706629872),
        ("no trailing newline", "CREATE TABLE t (a INTEGER);\nINSERT INTO t VALUES (1);", 706629872),
        ("BOM", "\u{FEFF}CREATE TABLE t (a INTEGER);\nINSERT INTO t VALUES (1);\n", 706629872),
        ("blank lines", "\n\nCREATE TABLE t (a INTEGER);\n\n\nINSERT INTO t VALUES (1);\n\n", 706629872),
        ("non-ASCII", "INSERT INTO t VALUES ('héllo wörld ✓ 😀');\n", -1380384434),
        ("a trailing space", "CREATE TABLE t (a INTEGER); \nINSERT INTO t VALUES (1);\n", -319636805),
        ("BOM on the second line", "CREATE TABLE t (a INTEGER);\n\u{FEFF}INSERT INTO t VALUES (1);\n", 610697956),
        ("SELECT 1", "SELECT 1;\n", 78787420),
    ]

    @Test("the emulator's checksum matches the JDK's CRC32 over readLine()", arguments: vectors.indices)
    func emulatorChecksum(index: Int) {
        let vector = Self.vectors[index]
        #expect(FlywayEmulator.checksum(Data(vector.text.utf8)) == vector.checksum, "\(vector.name)")
    }

    /// `java scripts/FlywayChecksumVectors.java Fixtures/flyway/migrations/V1__create_threads.sql …`.
    @Test("the checksums of bundled files match the JDK's")
    func fileVectors() throws {
        let tool = try FlywayEmulator(folder: FlywayRepo.migrations)
        let byVersion = Dictionary(uniqueKeysWithValues: tool.sources.compactMap { source in source.version.map { ($0.text, source.checksum) } })
        #expect(byVersion["1"] == -2082119248)
        #expect(byVersion["13"] == 123716330)
        #expect(tool.sources.map(\.version?.text) == (1...34).map(String.init))
        #expect(tool.sources.filter { !$0.executeInTransaction }.map(\.script) == ["V26__rebuild_threads_constraints.sql"])
    }

    @Test("the emulator orders versions as MigrationVersion does and refuses equal versions")
    func emulatorVersions() throws {
        let versions = ["1.2.10", "1.2.9", "1_1", "2", "1.0.0.0", "1.10"].map { FlywayEmulator.Version($0)! }
        #expect(versions.sorted().map(\.text) == ["1.0.0.0", "1.1", "1.2.9", "1.2.10", "1.10", "2"])
        #expect(FlywayEmulator.Version("1") == FlywayEmulator.Version("1.0"))
        #expect(FlywayEmulator.Version("1.x") == nil && FlywayEmulator.Version("1..2") == nil)
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("V1__a.sql", "CREATE TABLE a(x);\n")
        try folder.write("V1.0__b.sql", "CREATE TABLE b(x);\n")
        #expect(throws: FixtureError.self) { try FlywayEmulator(folder: folder.url) }
    }

    @Test("the emulator's validate: failed rows, CRLF-proof checksums, ignored versions below the last applied, DELETE rows")
    func emulatorValidate() throws {
        let tool = try FlywayEmulator(folder: FlywayRepo.migrations)
        let queue = try DatabaseQueue(path: FlywayRepo.fixture("failed.sqlite"))
        guard case .refused(let failed) = try queue.read({ db in try tool.validate(db) }) else { Issue.record("failed accepted"); return }
        #expect(failed.first?.hasPrefix("Detected failed migration to version 26 (rebuild threads constraints)") == true)
        let drift = try DatabaseQueue(path: FlywayRepo.fixture("checksum-drift.sqlite"))
        guard case .refused(let mismatch) = try drift.read({ db in try tool.validate(db) }) else { Issue.record("drift accepted"); return }
        #expect(mismatch.first?.hasPrefix("Migration checksum mismatch for migration version 13") == true)
        let behind = try DatabaseQueue(path: FlywayRepo.fixture("behind.sqlite"))
        #expect(try behind.read { db in try tool.validate(db) } == .ok(pending: (21...34).map(String.init)))
        #expect(try DatabaseQueue(path: FlywayRepo.fixture("ahead.sqlite")).read { db in try tool.validate(db) } == .ok(pending: (24...34).map(String.init)))
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path("healthy.sqlite")
        try FileManager.default.copyItem(atPath: FlywayRepo.fixture("healthy.sqlite"), toPath: path)
        let copy = try DatabaseQueue(path: path)
        try copy.write { db in try db.execute(sql: "DELETE FROM flyway_schema_history WHERE version = '5'") }
        guard case .refused(let ignored) = try copy.read({ db in try tool.validate(db) }) else { Issue.record("gap accepted"); return }
        #expect(ignored == ["Detected resolved migration not applied to database: 5.\nTo ignore this migration, set -ignoreMigrationPatterns='*:ignored'. To allow executing this migration, set -outOfOrder=true."])
        #expect(try copy.read { db in try tool.validate(db, outOfOrder: true) } == .ok(pending: ["5"]))
        try copy.write { db in
            try db.execute(sql: """
                INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
                VALUES (100, '99', 'later', 'SQL', 'V99__later.sql', 1, '', 0, 1), (101, '5', 'create settings', 'SQL', 'V5__create_settings.sql', 0, '', 0, 1)
                """)
        }
        guard case .refused(let wrong) = try copy.read({ db in try tool.validate(db) }) else { Issue.record("accepted"); return }
        #expect(wrong.count == 1 && wrong[0].hasPrefix("Migration checksum mismatch for migration version 5"), "a future row is ignored: \(wrong)")
        try copy.write { db in
            try db.execute(sql: "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) VALUES (102, '5', 'create settings', 'DELETE', 'V5__create_settings.sql', 0, '', 0, 1)")
        }
        #expect(try copy.read { db in try tool.validate(db, outOfOrder: true) } == .ok(pending: ["5"]))
        let noLedger = folder.path("no-ledger.sqlite")
        try FileManager.default.copyItem(atPath: FlywayRepo.fixture("no-ledger.sqlite"), toPath: noLedger)
        guard case .refused(let nonEmpty) = try DatabaseQueue(path: noLedger).writeWithoutTransaction({ db in try tool.migrate(db) }) else {
            Issue.record("migrated a non-empty schema without a history table"); return
        }
        #expect(nonEmpty.first?.hasPrefix("Found non-empty schema(s) \"main\" but no schema history table") == true)
    }

    @Test("the Flyway fixtures regenerate identically and hold user rows")
    func fixturesRegenerate() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try FlywayFixtures.generateAll(sqlxMigrations: Repo.migrations, into: folder.url)
        let fresh = folder.url.appendingPathComponent(FlywayFixtures.folderName)
        for recipe in FlywayFixtures.recipes {
            let committed = FlywayRepo.fixture(recipe.name)
            #expect(try contentDump(committed) == (try contentDump(fresh.appendingPathComponent(recipe.name).path)), "\(recipe.name)")
            #expect(try userRows(committed).contains { $0.hasPrefix("threads ") }, "\(recipe.name)")
        }
        for name in try FileManager.default.contentsOfDirectory(atPath: FlywayRepo.migrations.path) {
            #expect(FileManager.default.contents(atPath: FlywayRepo.migrations.appendingPathComponent(name).path)
                    == FileManager.default.contents(atPath: fresh.appendingPathComponent("migrations/\(name)").path), "\(name)")
        }
        #expect(FileManager.default.contents(atPath: FlywayRepo.fixture("flyway.toml")) == FileManager.default.contents(atPath: fresh.appendingPathComponent("flyway.toml").path))
    }

    // MARK: - The dialect

    static let reconciler: Reconciler = {
        do { return try Reconciler(migrationsFolder: FlywayRepo.migrations, dialect: Flyway()) } catch { fatalError("flyway set: \(error)") }
    }()

    @Test("the dialect's checksum matches the JDK's CRC32 over readLine()", arguments: vectors.indices)
    func dialectChecksum(index: Int) {
        let vector = Self.vectors[index]
        #expect(Flyway.checksum(Array(vector.text.utf8)) == vector.checksum, "\(vector.name)")
    }

    @Test("the bundled folder loads as Flyway resolves it: versions 1–34, V26 outside a transaction, the fingerprints of sqlx's folder")
    func loads() throws {
        let set = Self.reconciler.migrations
        #expect(set.applying.map(\.version.description) == (1...34).map(String.init))
        #expect(set.applying.first?.checksum == Flyway.digest(-2082119248))
        #expect(set.applying.filter(\.noTransaction).map(\.fileName) == ["V26__rebuild_threads_constraints.sql"])
        #expect(Self.reconciler.timeline.steps.map(\.fingerprint) == Repo.reconciler.timeline.steps.map(\.fingerprint))
    }

    @Test("dotted versions order part by part; equal versions and unparsable names are refused naming the file")
    func names() throws {
        #expect(Flyway.parse(fileName: "V1.2.10__add_index.sql")! == (true, "1.2.10", "add index"))
        #expect(Flyway.parse(fileName: "R__views.sql")! == (false, "", "views"))
        #expect(Flyway.parse(fileName: "V1_create.sql") == nil && Flyway.parse(fileName: "R1__x.sql") == nil && Flyway.parse(fileName: "V__x.sql") == nil)
        #expect(Flyway.parse(fileName: "V2__Upper.SQL") != nil)
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("V1.2.10__c.sql", "CREATE TABLE c(x);\n")
        try folder.write("V1.2.9__b.sql", "CREATE TABLE b(x);\n")
        try folder.write("V1_1__a.sql", "CREATE TABLE a(x);\n")
        try folder.write("R__views.sql", "CREATE VIEW v AS SELECT 1;\n")
        let set = try Flyway().loadMigrations(from: folder.url, ignoredCharacters: [])
        #expect(set.applying.map(\.version.description) == ["1.1", "1.2.9", "1.2.10"])
        try folder.write("V1.1.0__again.sql", "CREATE TABLE d(x);\n")
        #expect(throws: MigrationSetError.self) { try Flyway().loadMigrations(from: folder.url, ignoredCharacters: []) }
        do {
            _ = try Flyway().loadMigrations(from: folder.url, ignoredCharacters: [])
        } catch {
            #expect("\(error)".contains("V1_1__a.sql") && "\(error)".contains("V1.1.0__again.sql"), "\(error)")
        }
        try FileManager.default.removeItem(atPath: folder.path("V1.1.0__again.sql"))
        try folder.write("V1.x__bad.sql", "SELECT 1;\n")
        #expect(throws: MigrationSetError.unparsableVersion(path: folder.path("V1.x__bad.sql"), prefix: "1.x")) {
            try Flyway().loadMigrations(from: folder.url, ignoredCharacters: [])
        }
    }

    @Test("flyway_schema_history decides a database; flyway.toml, dotted versions or R__ files decide a folder; bare V<n>__ names are ambiguous with refinery")
    func detection() throws {
        guard case .decided(let byLedger, _) = Dialects.detect(folder: RefineryRepo.migrations, databases: [FlywayRepo.fixture("behind.sqlite")]) else {
            Issue.record("not decided"); return
        }
        #expect(byLedger.name == "flyway")
        guard case .decided(let byConfig, _) = Dialects.detect(folder: FlywayRepo.migrations, databases: [FlywayRepo.fixture("no-ledger.sqlite")]) else {
            Issue.record("not decided"); return
        }
        #expect(byConfig.name == "flyway")
        guard case .ambiguous(let names, _) = Dialects.detect(folder: RefineryRepo.migrations, databases: [FlywayRepo.fixture("no-ledger.sqlite")]) else {
            Issue.record("not ambiguous"); return
        }
        #expect(Set(names) == ["flyway", "refinery"])
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("V1__a.sql", "CREATE TABLE a(x);\n")
        try folder.write("V1.1__b.sql", "CREATE TABLE b(x);\n")
        guard case .decided(let dotted, _) = Dialects.detect(folder: folder.url, databases: []) else { Issue.record("not decided"); return }
        #expect(dotted.name == "flyway")
        let ambiguous = try CLI.run(["diagnose", "--migrations", RefineryRepo.migrations.path, FlywayRepo.fixture("no-ledger.sqlite")])
        #expect(ambiguous.exitCode == 64)
        #expect(ambiguous.stderr.contains("flyway") && ambiguous.stderr.contains("refinery") && ambiguous.stderr.contains("--dialect"), "\(ambiguous.stderr)")
        let result = try CLI.run(["diagnose", "--format", "json", "--migrations", FlywayRepo.migrations.path, FlywayRepo.fixture("behind.sqlite")])
        let database = try #require((try CLI.json(result)["databases"] as? [[String: Any]])?.first)
        #expect(database["dialect"] as? String == "flyway")
    }

    static let verdicts: [(fixture: String, verdict: Verdict, exit: ExitCode)] = [
        ("healthy.sqlite", .consistent, .ok),
        ("behind.sqlite", .behind, .repairable),
        ("no-ledger.sqlite", .noLedger, .needsPerson),
        ("failed.sqlite", .dirty, .repairable),
        ("checksum-drift.sqlite", .checksumDrift, .repairable),
        ("ahead.sqlite", .ahead, .needsPerson),
    ]

    @Test("each fixture gets its verdict", arguments: verdicts.indices)
    func diagnosis(index: Int) {
        let expected = Self.verdicts[index]
        let diagnosis = Self.reconciler.diagnose(databaseAt: FlywayRepo.fixture(expected.fixture))
        #expect(diagnosis.verdict == expected.verdict, "\(expected.fixture): \(diagnosis.findings.map(\.message))")
        #expect(diagnosis.exitCode == expected.exit, "\(expected.fixture)")
        #expect(diagnosis.ledger.dialect == "flyway")
    }

    @Test("CRLF line endings and a BOM change nothing for Flyway; a real edit is checksum drift")
    func lineEndings() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let crlf = folder.url.appendingPathComponent("crlf")
        try FileManager.default.copyItem(at: FlywayRepo.migrations, to: crlf)
        let v13 = crlf.appendingPathComponent("V13__create_thread_list_view.sql")
        let text = try String(contentsOf: v13, encoding: .utf8)
        try Data(("\u{FEFF}" + text.replacingOccurrences(of: "\n", with: "\r\n")).utf8).write(to: v13)
        let reconciler = try Reconciler(migrationsFolder: crlf, dialect: Flyway())
        #expect(reconciler.diagnose(databaseAt: FlywayRepo.fixture("healthy.sqlite")).verdict == .consistent)
        #expect(try DatabaseQueue(path: FlywayRepo.fixture("healthy.sqlite")).read { db in try FlywayEmulator(folder: crlf).validate(db) } == .ok(pending: []))
        try Data(text.replacingOccurrences(of: "WHERE archived = 0", with: "WHERE archived = 0 ").utf8).write(to: v13)
        let edited = try Reconciler(migrationsFolder: crlf, dialect: Flyway())
        #expect(edited.diagnose(databaseAt: FlywayRepo.fixture("healthy.sqlite")).verdict == .checksumDrift)
    }

    static let repairs: [(fixture: String, extra: [String], top: Int)] = [
        ("behind.sqlite", [], 23),
        ("no-ledger.sqlite", ["--assume-version", "23"], 23),
        ("failed.sqlite", [], 25),
        ("checksum-drift.sqlite", [], 34),
        ("ahead.sqlite", ["--drop-unproven"], 20),
    ]

    @Test("repair from the CLI passes Flyway's validate, in Flyway's own rows; Flyway migrates the rest", arguments: repairs.indices)
    func repair(index: Int) throws {
        let expected = Self.repairs[index]
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path(expected.fixture)
        try FileManager.default.copyItem(atPath: FlywayRepo.fixture(expected.fixture), toPath: path)
        let before = try userRows(path)
        let tool = try FlywayEmulator(folder: FlywayRepo.migrations)
        let result = try CLI.run(["repair", "--migrations", FlywayRepo.migrations.path] + expected.extra
                                 + ["--backup", folder.path("backup.sqlite"), path])
        #expect(result.exitCode == 0, "\(expected.fixture): \(result.stdout) \(result.stderr)")
        #expect(try userRows(path) == before)
        let queue = try DatabaseQueue(path: path)
        let pending = expected.top == 34 ? [] : ((expected.top + 1)...34).map(String.init)
        #expect(try queue.read { db in try tool.validate(db) } == .ok(pending: pending), "\(expected.fixture)")
        let rows = try queue.read { db in try tool.appliedRows(db) }
        #expect(rows.map(\.installedRank) == Array(1...rows.count), "ranks continue: \(rows.map(\.installedRank))")
        #expect(rows.allSatisfy { $0.type == "SQL" || $0.type == "DELETE" })
        #expect(try queue.writeWithoutTransaction { db in try tool.migrate(db) } == .ok(pending: []))
        try queue.close()
        #expect(Self.reconciler.diagnose(databaseAt: path).verdict == .consistent)
    }

    @Test("without a ledger, schema-silent 12 and 17 below 23 are refused up front (validate would fail); --out-of-order lets Flyway run them")
    func outOfOrder() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path("no-ledger.sqlite")
        try FileManager.default.copyItem(atPath: FlywayRepo.fixture("no-ledger.sqlite"), toPath: path)
        let refused = try CLI.run(["repair", "--migrations", FlywayRepo.migrations.path, "--backup", folder.path("b1.sqlite"), path])
        #expect(refused.exitCode == 2, "\(refused.stdout)")
        #expect(refused.stdout.contains("ledger-check  flyway cannot record what the schema proves"))
        #expect(refused.stdout.contains("--out-of-order if Flyway runs with outOfOrder=true"))
        #expect(!refused.stdout.contains("applies them at the next start"), "Flyway would refuse, not run them")
        #expect(!FileManager.default.fileExists(atPath: folder.path("b1.sqlite")), "a refused plan makes no backup")
        let before = try userRows(path)
        let allowed = try CLI.run(["repair", "--out-of-order", "--migrations", FlywayRepo.migrations.path,
                                   "--backup", folder.path("b2.sqlite"), path])
        #expect(allowed.exitCode == 0, "\(allowed.stdout) \(allowed.stderr)")
        #expect(try userRows(path) == before)
        let tool = try FlywayEmulator(folder: FlywayRepo.migrations)
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        // 1–23 without 12 and 17 recorded: Flyway with outOfOrder runs exactly those two and 24–34.
        let rows = try queue.read { db in try tool.appliedRows(db) }
        #expect(rows.compactMap(\.version) == (1...23).filter { $0 != 12 && $0 != 17 }.map(String.init))
        #expect(try queue.read { db in try tool.validate(db, outOfOrder: true) } == .ok(pending: ["12", "17"] + (24...34).map(String.init)))
        #expect(try queue.read { db in try tool.validate(db) } != .ok(pending: ["12", "17"] + (24...34).map(String.init)),
                "without outOfOrder Flyway refuses this ledger")
        let wrongTool = try CLI.run(["diagnose", "--out-of-order", Repo.fixture("consistent-tip.sqlite")])
        #expect(wrongTool.exitCode == 64 && wrongTool.stderr.contains("--out-of-order is Flyway's outOfOrder; the dialect is sqlx"))
    }

    @Test("a history table created by repair is Flyway's own, index included")
    func createdLedgerIsExact() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path("no-ledger.sqlite")
        try FileManager.default.copyItem(atPath: FlywayRepo.fixture("no-ledger.sqlite"), toPath: path)
        let outcome = Self.reconciler.repair(databaseAt: path, options: RepairOptions(plan: PlanOptions(assumeVersion: 23),
                                                                                     backup: .at(folder.path("backup.sqlite"))))
        #expect(outcome.status == .repaired, "\(outcome.message)")
        let made = folder.path("made.sqlite")
        try DatabaseQueue(path: made).write { db in try db.execute(sql: FlywayEmulator(folder: FlywayRepo.migrations).createScript) }
        let ddl = { (file: String) throws -> [String] in
            try DatabaseQueue(path: file).read { db in try String.fetchAll(db, sql: "SELECT sql FROM sqlite_schema WHERE tbl_name = 'flyway_schema_history' AND sql IS NOT NULL ORDER BY name") }
        }
        #expect(try ddl(path) == (try ddl(made)))
        #expect(try ddl(path).count == 2)
        let row = try DatabaseQueue(path: path).read { db in
            try Row.fetchOne(db, sql: "SELECT version, description, type, script, installed_by, success FROM flyway_schema_history WHERE installed_rank = 21")
        }
        #expect(row == ["version": "21", "description": "create thread names", "type": "SQL", "script": "V21__create_thread_names.sql", "installed_by": "", "success": 1])
    }

    @Test("Flyway's validate as the start-up check: failed rows, missing files, versions skipped below the newest")
    func startupCheck() throws {
        let set = Self.reconciler.migrations
        let rows = set.applying.map { LedgerRow(version: $0.version, description: $0.description, checksum: $0.checksum) }
        let flyway = Flyway()
        #expect(flyway.startupProblem(rows: rows, migrations: set, ignoreMissing: false) == nil)
        #expect(flyway.startupProblem(rows: rows.filter { $0.version != 5 }, migrations: set, ignoreMissing: false)?.hasPrefix("Detected resolved migration not applied to database: 5") == true)
        #expect(Flyway(outOfOrder: true).startupProblem(rows: rows.filter { $0.version != 5 }, migrations: set, ignoreMissing: false) == nil)
        #expect(flyway.startupProblem(rows: rows + [LedgerRow(version: 99, description: "later", checksum: Flyway.digest(1))], migrations: set, ignoreMissing: false) == nil,
                "a future version is ignored (*:future)")
        var failed = rows
        failed[25].success = false
        #expect(flyway.startupProblem(rows: failed, migrations: set, ignoreMissing: false)?.hasPrefix("Detected failed migration to version 26") == true)
    }

    @Test("a BASELINE row stands for every version up to its own; repeatable runs are never read as proof of a version")
    func baselineAndRepeatables() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path("baselined.sqlite")
        try FileManager.default.copyItem(atPath: FlywayRepo.fixture("no-ledger.sqlite"), toPath: path)
        let tool = try FlywayEmulator(folder: FlywayRepo.migrations)
        // `flyway baseline -baselineVersion=23`: `Database.getBaselineStatement` at rank 1.
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: tool.createScript)
            try db.execute(sql: """
                INSERT INTO "main"."flyway_schema_history" ("installed_rank", "version", "description", "type", "script", "checksum", "installed_by", "execution_time", "success")
                VALUES (1, '23', '<< Flyway Baseline >>', 'BASELINE', '<< Flyway Baseline >>', NULL, '', 0, 1)
                """)
        }
        #expect(try DatabaseQueue(path: path).read { db in try tool.validate(db) } == .ok(pending: (24...34).map(String.init)))
        let baselined = Self.reconciler.diagnose(databaseAt: path)
        #expect(baselined.verdict == .consistent, "\(baselined.findings.map(\.message))")
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: """
                INSERT INTO "main"."flyway_schema_history" ("installed_rank", "version", "description", "type", "script", "checksum", "installed_by", "execution_time", "success")
                VALUES (2, NULL, 'views', 'SQL', 'R__views.sql', 12345, '', 3, 1)
                """)
        }
        guard case .present(let contents) = try DatabaseQueue(path: path).read({ db in try Self.reconciler.ledger.read(db) }) else {
            Issue.record("unreadable"); return
        }
        #expect(contents.rows.map(\.version) == (1...23).map { MigrationVersion($0) })
        #expect(contents.problems.contains { $0.contains("repeatable") })
        #expect(Self.reconciler.diagnose(databaseAt: path).verdict == .consistent)
        let withRepeatable = folder.url.appendingPathComponent("migrations")
        try FileManager.default.copyItem(at: FlywayRepo.migrations, to: withRepeatable)
        try Data("CREATE VIEW IF NOT EXISTS v AS SELECT 1;\n".utf8).write(to: withRepeatable.appendingPathComponent("R__views.sql"))
        let set = try Flyway().loadMigrations(from: withRepeatable, ignoredCharacters: [])
        #expect(set.applying.count == 34 && !set.applying.contains { $0.fileName.hasPrefix("R__") })
        #expect(Flyway().claimsExclusively(withRepeatable))
    }
}
