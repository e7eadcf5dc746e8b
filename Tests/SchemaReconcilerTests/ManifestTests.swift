import Foundation
import GRDB
import Testing
@testable import SchemaReconciler

/// A copy of Migrations/ whose reconcile.toml is replaced by `manifest` (and no lock, so it replays).
func migrationsWithManifest(_ manifest: String, in folder: TemporaryFolder) throws -> URL {
    let copy = try migrationsCopy(in: folder)
    try? FileManager.default.removeItem(at: copy.appendingPathComponent(FingerprintLock.fileName))
    try manifest.write(to: copy.appendingPathComponent(Manifest.fileName), atomically: true, encoding: .utf8)
    return copy
}

@Suite("The manifest beside the migrations: probes, former checksums, ignore patterns, invariants")
struct ManifestTests {
    @Test("the bundled manifest declares a probe for every schema-silent migration")
    func probesForEverySilentMigration() throws {
        let reconciler = Repo.reconciler
        let manifest = try #require(reconciler.manifest)
        let silent = reconciler.timeline.steps.filter(\.isSchemaSilent).map(\.version)
        #expect(manifest.probes.map(\.version) == silent)
        #expect(manifest.ignored.map(\.pattern) == ["runtime_*"])
        #expect(manifest.formerChecksums.count == 1)
        #expect(manifest.invariants.map(\.name) == ["one thread per rollout path"])
    }

    @Test("mistakes in the manifest name the file, the line and the key; the CLI exits 64", arguments: [
        ("[ignore]\nobjects = [\"a\"]\nextra = 1\n", 3, "ignore.extra", "unknown key"),
        ("[[probe]]\nversion = 33.5\nsql = \"SELECT 1\"\n", 2, "probe.version", "must be an integer, or a string for a version that is no integer"),
        ("[[probe]]\nversion = 99\nsql = \"SELECT 1\"\n", 1, "probe.version", "version 99 is not bundled"),
        ("[[probe]]\nversion = 33\nsql = \"SELECT nope FROM threads\"\n", 1, "probe.sql", "no such column: nope (at version 33)"),
        ("[[probe]]\nversion = 33\nsql = \"DELETE FROM threads\"\n", 1, "probe.sql", "not a SELECT (at version 33)"),
        ("[[probe]]\nversion = 33\nsql = \"WITH x AS (SELECT 1) DELETE FROM threads\"\n", 1, "probe.sql",
         "the statement could write; refused (at version 33)"),
        ("\n[[former-checksum]]\nversion = 9\nchecksum = \"abc\"\n", 4, "former-checksum.checksum", "must be 96 hex digits (a SHA-384)"),
        ("[[invariant]]\nname = \"x\"\nsql = \"SELECT * FROM nowhere\"\n", 1, "invariant.sql", "no such table: nowhere (against the newest schema)"),
        ("[probes]\n", 1, "probes", "unknown key (expected one of: database, former-checksum, ignore, invariant, probe)"),
        ("[[probe]\nversion = 1\n", 1, nil, "TOML syntax"),
    ] as [(String, Int, String?, String)])
    func manifestErrors(_ text: String, _ line: Int, _ key: String?, _ message: String) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let copy = try migrationsWithManifest(text, in: folder)
        let path = copy.appendingPathComponent(Manifest.fileName).path
        do {
            _ = try Reconciler(migrationsFolder: copy)
            Issue.record("expected a manifest error")
        } catch let error as ConfigurationError {
            #expect(error.path == path)
            #expect(error.line == line, "\(error)")
            #expect(error.key == key, "\(error)")
            #expect(error.message.hasPrefix(message), "\(error)")
        }
        let cli = try CLI.run(["check", "--migrations", copy.path, "Fixtures/fresh.sqlite"])
        #expect(cli.exitCode == 64)
        #expect(cli.stderr.hasPrefix("schema-reconcile: \(path):\(line): "), "\(cli.stderr)")
    }

    @Test("a probe that tries to write is refused at run time too, and the data is unchanged")
    func probesCannotWrite() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("consistent-tip.sqlite")
        let before = try userData(path)
        let queue = try HardenedDatabase.open(path: path, access: .readOnly)
        let results = try queue.read { db in
            DeclaredChecks.probes([
                .init(version: 1, sql: "DELETE FROM threads RETURNING 1", description: nil, line: nil),
                .init(version: 2, sql: "WITH gone AS (SELECT 1) INSERT INTO settings VALUES ('x', 'y', 1) RETURNING 1", description: nil, line: nil),
                .init(version: 3, sql: "SELECT count(*) > 0 FROM threads", description: nil, line: nil),
            ], in: db)
        }
        try queue.close()
        #expect(results[1] == .failed("not a SELECT"))
        #expect(results[2] == .failed("the statement could write; refused"))
        #expect(results[3] == .ran)
        #expect(try userData(path) == before)
    }

    @Test("a slow probe is stopped at the time limit and reported, never fatal")
    func slowProbe() throws {
        let queue = try DatabaseQueue()
        let results = try queue.read { db in
            DeclaredChecks.probes([
                .init(version: 5, sql: "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n",
                      description: nil, line: nil),
                .init(version: 6, sql: "SELECT 0", description: nil, line: nil),
            ], in: db, timeLimit: 0.2)
        }
        #expect(results[5] == .failed("took longer than the time limit"))
        #expect(results[6] == .didNotRun)
    }

    @Test("the schema-silent tail is repaired to 34 without --assume-version, thanks to the probes")
    func silentTailRepairedByProbes() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("silent-tail.sqlite")
        let outcome = Repo.reconciler.repair(databaseAt: path, options: RepairOptions(backup: .none))
        #expect(outcome.status == .repaired)
        #expect(outcome.ledgerAfter?.map(\.version) == versions(1...34))
        #expect(try sqlxCheck(path) == .ok(pending: []))
    }

    @Test("a ledger row with a declared former checksum is reported as such and re-stamped")
    func formerChecksum() throws {
        let diagnosis = Repo.reconciler.diagnose(databaseAt: Repo.fixture("former-checksum.sqlite"))
        #expect(diagnosis.verdict == .checksumDrift)
        let restamp = try #require(diagnosis.plan.actions.first { $0.kind == .restamp })
        #expect(restamp.version == 9)
        #expect(restamp.reason == "known former checksum: 0.3 shipped 0009 with a shorter comment")
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("former-checksum.sqlite")
        #expect(Repo.reconciler.repair(databaseAt: path, options: RepairOptions(backup: .none)).exitCode == .ok)
        #expect(try sqlxCheck(path) == .ok(pending: []))
    }

    @Test("objects matching [ignore] are outside the migrated schema: not even foreign")
    func ignoredObjects() {
        let diagnosis = Repo.reconciler.diagnose(databaseAt: Repo.fixture("foreign-objects.sqlite"))
        let foreign = diagnosis.findings.first { $0.kind == .foreignObjects }
        #expect(foreign?.evidence.first?.objects.contains("table runtime_kv") == false)
        #expect(diagnosis.exitCode == .ok)
    }

    @Test("an invariant violation is listed with its rows; check --invariants fails; repair never edits the data")
    func invariants() throws {
        let diagnosis = Repo.reconciler.diagnose(databaseAt: Repo.fixture("invariant-violated.sqlite"))
        #expect(diagnosis.exitCode == .ok)
        let finding = try #require(diagnosis.findings.first { $0.kind == .invariant })
        #expect(finding.evidence.map(\.detail) == ["rollout_path=\"/home/ana/.agent/rollouts/a.jsonl\", threads=2"])
        let strict = try CLI.run(["check", "--invariants", "Fixtures/invariant-violated.sqlite"])
        #expect(strict.exitCode == 2)
        #expect(strict.stdout.contains("invariant-violated"))
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("invariant-violated.sqlite")
        let bytes = fileBytes(path)
        let outcome = Repo.reconciler.repair(databaseAt: path)
        #expect(outcome.status == .nothingToDo)
        #expect(fileBytes(path) == bytes)
    }
}

@Suite("sqlx.toml, reference backups and several databases of one app")
struct ConfigurationTests {
    @Test("sqlx.toml [migrate] sets table name, migrations dir and ignored chars; flags override; sources are reported")
    func sqlxToml() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let copy = try migrationsCopy(in: folder)
        try FileManager.default.moveItem(at: copy, to: folder.url.appendingPathComponent("db-migrations"))
        try """
            [migrate]
            table-name = "app_migrations"
            migrations-dir = "db-migrations"
            ignored-chars = ["\\r"]
            """.write(to: folder.url.appendingPathComponent("sqlx.toml"), atomically: true, encoding: .utf8)
        let settings = try ResolvedSettings.resolve(migrations: nil, table: nil, ignoredCharacters: nil, config: nil,
                                                    workingDirectory: folder.url)
        #expect(settings.migrationsFolder.lastPathComponent == "db-migrations")
        #expect(settings.tableNameText == "app_migrations")
        #expect(settings.ignoredCharacters == ["\r"])
        let configPath = folder.url.appendingPathComponent("sqlx.toml").standardizedFileURL.path
        #expect(settings.sources.map(\.source) == [configPath, configPath, configPath])
        let overridden = try ResolvedSettings.resolve(migrations: nil, table: "x_ledger", ignoredCharacters: nil, config: nil,
                                                      workingDirectory: folder.url)
        #expect(overridden.tableNameText == "x_ledger")
        #expect(overridden.sources[1] == .init(name: "table-name", value: "x_ledger", source: "--table"))

        let cli = try CLI.run(["fingerprint", "--format", "json"], in: folder.url)
        #expect(cli.exitCode == 0, "\(cli.stderr)")
        let json = try CLI.json(cli)
        #expect(json["ledgerTable"] as? String == "app_migrations")
        #expect((json["settings"] as? [[String: String]])?.first?["source"] == configPath)
    }

    @Test("an sqlx.toml with an unknown [migrate] key is rejected with file, line and key")
    func sqlxTomlUnknownKey() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try "[migrate]\ntable_name = \"x\"\n".write(to: folder.url.appendingPathComponent("sqlx.toml"), atomically: true, encoding: .utf8)
        let cli = try CLI.run(["check", "--config", folder.path("sqlx.toml"), "Fixtures/fresh.sqlite"])
        #expect(cli.exitCode == 64)
        #expect(cli.stderr.hasPrefix("schema-reconcile: \(folder.path("sqlx.toml")):2: migrate.table_name: unknown key"))
    }

    @Test("a reference backup restores original installed_on and execution_time, is reported side by side, and is never modified")
    func referenceBackup() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("behind-by-three.sqlite")
        let reference = try folder.copyFixture("consistent-tip.sqlite")
        let referenceBytes = fileBytes(reference)
        let options = PlanOptions(referencePath: reference)
        let diagnosis = Repo.reconciler.diagnose(databaseAt: path, options: options)
        let side = try #require(diagnosis.findings.first { $0.kind == .reference })
        #expect(side.versions == versions(21...34))
        #expect(side.evidence.first?.detail == "21: live ledger absent · reference recorded · schema shows it applied")
        #expect(side.evidence.last?.detail == "34: live ledger absent · reference recorded · schema shows it not applied")
        let outcome = Repo.reconciler.repair(databaseAt: path, options: RepairOptions(plan: options, backup: .none))
        #expect(outcome.status == .repaired)
        let rows = try DatabaseQueue(path: path).read { db in
            try Row.fetchAll(db, sql: "SELECT version, installed_on, execution_time FROM _sqlx_migrations WHERE version > 20 ORDER BY version")
        }
        // The fixture factory pins installed_on to 2026-01-(1 + v % 28) and execution_time to 1000000 + 1000 v.
        #expect(rows.map { $0[1] as String } == ["2026-01-22 12:00:00", "2026-01-23 12:00:00", "2026-01-24 12:00:00"])
        #expect(rows.map { $0[2] as Int64 } == [1_021_000, 1_022_000, 1_023_000])
        #expect(fileBytes(reference) == referenceBytes)
    }

    @Test("a reference backup settles a schema-silent tail when no probe does")
    func referenceSettlesSilentTail() throws {
        let bare = try Reconciler(migrationsFolder: Repo.migrations, loadManifest: false)
        let diagnosis = bare.diagnose(databaseAt: Repo.fixture("silent-tail.sqlite"),
                                      options: PlanOptions(referencePath: Repo.fixture("consistent-tip.sqlite")))
        #expect(diagnosis.plan.targetVersion == 34)
        #expect(diagnosis.plan.actions.filter { $0.kind == .insert }.compactMap(\.version) == [30, 31, 32, 33, 34])
    }

    @Test("one --app-dir call checks and repairs two databases with different migration sets")
    func appDir() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let appDir = folder.url.appendingPathComponent("app-data")
        try FileManager.default.copyItem(at: Repo.fixtures.appendingPathComponent("app-data"), to: appDir)
        let check = try CLI.run(["check", "--app-dir", appDir.path, "--format", "json"])
        #expect(check.exitCode == 1)
        let groups = try #require(try CLI.json(check)["groups"] as? [[String: Any]])
        #expect(groups.count == 2)
        let verdicts = groups.flatMap { ($0["databases"] as? [[String: Any]]) ?? [] }.map { $0["verdict"] as? String }
        #expect(verdicts == ["behind", "behind"])
        #expect((groups[1]["migrationsFolder"] as? String)?.hasSuffix("LogsMigrations") == true)
        let repair = try CLI.run(["repair", "--app-dir", appDir.path])
        #expect(repair.exitCode == 0, "\(repair.stdout)\(repair.stderr)")
        let backups = try FileManager.default.contentsOfDirectory(atPath: appDir.path).filter { $0.hasSuffix(".sqlite") && $0.contains(".backup-") }
        #expect(backups.count == 2)
        let again = try CLI.run(["check", "--app-dir", appDir.path])
        #expect(again.exitCode == 0, "\(again.stdout)")
    }
}

@Suite("Declarations through the command line")
struct DeclarationsCommandLineTests {
    @Test("diagnose shows which probe decided the schema-silent tail, and plans up to 34")
    func probesFromCLI() throws {
        let result = try CLI.run(["diagnose", "--format", "json", "Fixtures/silent-tail.sqlite"])
        #expect(result.exitCode == 1)
        let database = try #require((try CLI.json(result)["databases"] as? [[String: Any]])?.first)
        #expect(database["targetVersion"] as? Int == 34)
        let findings = try #require(database["findings"] as? [[String: Any]])
        let probe = try #require(findings.first { $0["kind"] as? String == "probe" })
        #expect(probe["message"] as? String == "probes narrow the schema-silent range 32…34 to 34")
        let text = try CLI.run(["diagnose", "Fixtures/silent-tail.sqlite"])
        #expect(text.stdout.contains("probe for 34 (thread names copied out of settings): true"))
    }

    @Test("check names a known former checksum and repair re-stamps it")
    func formerChecksumFromCLI() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("former-checksum.sqlite")
        let diagnose = try CLI.run(["diagnose", path])
        #expect(diagnose.exitCode == 1)
        #expect(diagnose.stdout.contains("known former checksum: 0.3 shipped 0009 with a shorter comment"))
        let repair = try CLI.run(["repair", "--no-backup", path])
        #expect(repair.exitCode == 0, "\(repair.stdout)")
        #expect(try sqlxCheck(path) == .ok(pending: []))
    }

    @Test("repair --reference restores rows with the reference's timestamps and leaves the reference alone")
    func referenceFromCLI() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("no-ledger.sqlite")
        let reference = try folder.copyFixture("consistent-tip.sqlite")
        let bytes = fileBytes(reference)
        let result = try CLI.run(["repair", "--no-backup", "--reference", reference, path])
        #expect(result.exitCode == 0, "\(result.stdout)")
        #expect(result.stdout.contains("original installed_on and execution_time from the reference"))
        let installed = try DatabaseQueue(path: path).read { db in
            try String.fetchOne(db, sql: "SELECT installed_on FROM _sqlx_migrations WHERE version = 1")
        }
        #expect(installed == "2026-01-02 12:00:00")
        #expect(fileBytes(reference) == bytes)
    }

    @Test("a reference that is not a database is exit 3, naming the reference")
    func badReference() throws {
        let result = try CLI.run(["check", "--reference", "Fixtures/unreadable-not-a-database.sqlite", "Fixtures/consistent-tip.sqlite"])
        #expect(result.exitCode == 3)
        #expect(result.stdout.contains("reference backup"))
        #expect(result.stdout.contains("unreadable-not-a-database.sqlite"))
    }
}
