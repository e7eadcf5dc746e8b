import Crypto
import Foundation
import GRDB
import SQLxEmulation
import Testing

/// Runs the built `schema-reconcile` binary and captures what a user sees.
struct CLIResult {
    var exitCode: Int32
    var stdout: String
    var stderr: String
}

enum CLI {
    /// The executable beside the test bundle (SwiftPM builds it because the test target depends on it).
    static let binary: URL = {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = folder.appendingPathComponent("schema-reconcile")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return Repo.root.appendingPathComponent(".build/debug/schema-reconcile")
    }()

    /// Runs the binary with `NO_COLOR` set and `GITHUB_STEP_SUMMARY` unset, plus `extra` variables.
    static func run(_ arguments: [String], in directory: URL = Repo.root,
                    environment extra: [String: String] = [:]) throws -> CLIResult {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        environment["GITHUB_STEP_SUMMARY"] = nil
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLIResult(exitCode: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                         stderr: String(decoding: stderr, as: UTF8.self))
    }

    static func json(_ result: CLIResult) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }
}

@Suite("The schema-reconcile command line, end to end")
struct CommandLineTests {
    static let expected: [(fixture: String, verdict: String, lowest: Int?, highest: Int?, exit: Int32)] = [
        ("consistent-tip.sqlite", "consistent", 32, 34, 0),
        ("consistent-v20.sqlite", "consistent", 20, 20, 0),
        ("fresh.sqlite", "fresh", 0, 0, 0),
        ("behind-by-three.sqlite", "behind", 23, 23, 1),
        ("no-ledger.sqlite", "no-ledger", 23, 23, 1),
        ("checksum-drift-crlf.sqlite", "checksum-drift", 32, 34, 1),
        ("checksum-drift-edited.sqlite", "checksum-drift", 32, 34, 1),
        ("dirty-applied.sqlite", "dirty", 25, 25, 1),
        ("dirty-not-applied.sqlite", "dirty", 24, 24, 1),
        ("ahead.sqlite", "ahead", 20, 20, 2),
        ("unknown-versions.sqlite", "unknown-versions", 32, 34, 2),
        ("unrecognised.sqlite", "unrecognised", nil, nil, 2),
        ("wal-behind.sqlite", "behind", 23, 23, 1),
        ("silent-tail.sqlite", "behind", 32, 34, 1),
        ("foreign-objects.sqlite", "consistent", 32, 34, 0),
        ("malformed-ledger.sqlite", "malformed-ledger", 10, 10, 2),
        ("unreadable-not-a-database.sqlite", "unreadable", nil, nil, 3),
    ]

    @Test("diagnose --format json gives every fixture its verdict, matched range and exit code")
    func fixturesInJSON() throws {
        let paths = Self.expected.map { "Fixtures/\($0.fixture)" }
        let result = try CLI.run(["diagnose", "--format", "json"] + paths)
        #expect(result.exitCode == 3) // the worst code wins: one fixture is not a database
        let document = try CLI.json(result)
        #expect(document["formatVersion"] as? Int == 1)
        let databases = try #require(document["databases"] as? [[String: Any]])
        #expect(databases.count == Self.expected.count)
        for (database, expected) in zip(databases, Self.expected) {
            #expect(database["path"] as? String == "Fixtures/\(expected.fixture)")
            #expect(database["verdict"] as? String == expected.verdict, "\(expected.fixture)")
            let range = database["matchedVersions"] as? [String: Any]
            #expect(range?["lowest"] as? Int == expected.lowest, "\(expected.fixture)")
            #expect(range?["highest"] as? Int == expected.highest, "\(expected.fixture)")
            #expect(database["exitCode"] as? Int32 == expected.exit, "\(expected.fixture)")
            let ledger = try #require(database["ledger"] as? [String: Any])
            for key in ["table", "versions", "dirty", "checksumMismatches", "unknownVersions"] {
                #expect(ledger[key] != nil, "\(expected.fixture) ledger.\(key)")
            }
            #expect(database["findings"] is [Any] && database["plan"] is [Any])
            #expect(database.keys.contains("nearestVersion"))
        }
    }

    @Test("each fixture alone exits with its own code from check", arguments: expected.map(\.fixture))
    func checkExitCodes(_ fixture: String) throws {
        let expected = try #require(Self.expected.first { $0.fixture == fixture })
        let result = try CLI.run(["check", "Fixtures/\(fixture)"])
        #expect(result.exitCode == expected.exit, "\(result.stdout)")
        #expect(result.stdout.hasPrefix("Fixtures/\(fixture): \(expected.verdict)"))
        #expect(result.stderr.isEmpty)
    }

    @Test("fingerprint lists every version with an effect and flags exactly the schema-silent ones")
    func fingerprintJSON() throws {
        let result = try CLI.run(["fingerprint", "--format", "json"])
        #expect(result.exitCode == 0)
        let migrations = try #require(try CLI.json(result)["migrations"] as? [[String: Any]])
        #expect(migrations.map { $0["version"] as? Int } == Array(1...34))
        let silent = migrations.filter { $0["schemaSilent"] as? Bool == true }.compactMap { $0["version"] as? Int }
        #expect(silent == [12, 17, 33, 34])
        for migration in migrations {
            let effect = try #require(migration["effect"] as? [String: [String]])
            let total = (effect["added"]?.count ?? 0) + (effect["removed"]?.count ?? 0) + (effect["changed"]?.count ?? 0)
            #expect((total == 0) == (migration["schemaSilent"] as? Bool == true), "\(migration["version"] ?? "?")")
            #expect((migration["checksum"] as? String)?.count == 96)
            #expect((migration["fingerprint"] as? String)?.count == 64)
        }
        let first = try #require(migrations.first)
        let file = Repo.migrations.appendingPathComponent("0001_create_threads.sql")
        #expect(first["checksum"] as? String == (try sha384sum(file)))
        #expect((first["effect"] as? [String: [String]])?["added"]?.contains("table threads") == true)
    }

    @Test("the field case from the command line: repair exits 0 and restores rows 21–23 with the bundled checksums")
    func fieldCaseRepair() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("behind-by-three.sqlite")
        let result = try CLI.run(["repair", path])
        #expect(result.exitCode == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("3 ledger write(s) committed"))
        let queue = try DatabaseQueue(path: path)
        let rows = try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT version, checksum FROM _sqlx_migrations WHERE version > 20 ORDER BY version")
        }
        #expect(rows.map { $0[0] as Int64 } == [21, 22, 23])
        for row in rows {
            let version: Int64 = row[0]
            let name = try #require(try FileManager.default.contentsOfDirectory(atPath: Repo.migrations.path)
                .first { $0.hasPrefix(String(format: "%04d_", version)) })
            let bytes = try Data(contentsOf: Repo.migrations.appendingPathComponent(name))
            #expect(row[1] as Data == Data(SHA384.hash(data: bytes)))
        }
        let again = try CLI.run(["check", path])
        #expect(again.exitCode == 0)
    }

    @Test("repair --dry-run prints the plan and changes no byte")
    func dryRun() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("no-ledger.sqlite")
        let bytes = FileManager.default.contents(atPath: path)
        let result = try CLI.run(["repair", "--dry-run", path])
        #expect(result.exitCode == 1)
        #expect(result.stdout.contains("create-ledger"))
        #expect(result.stdout.contains("nothing written (--dry-run)"))
        #expect(FileManager.default.contents(atPath: path) == bytes)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["no-ledger.sqlite"])
    }

    @Test("repair of a ledger ahead of the schema refuses with the exact flag, then --drop-unproven repairs it")
    func aheadFromCLI() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("ahead.sqlite")
        let refused = try CLI.run(["repair", path])
        #expect(refused.exitCode == 2)
        #expect(refused.stdout.contains("--drop-unproven"))
        let repaired = try CLI.run(["repair", "--drop-unproven", "--no-backup", path])
        #expect(repaired.exitCode == 0, "\(repaired.stdout)")
    }

    @Test("bad input gets one line naming the file and the documented exit code", arguments: [
        (["diagnose", "Fixtures/does-not-exist.sqlite"], Int32(3), "Fixtures/does-not-exist.sqlite: unreadable — no such file"),
        (["diagnose", "Fixtures"], Int32(3), "Fixtures: unreadable — is a directory, not a database file"),
        (["check", "Fixtures/unreadable-not-a-database.sqlite"], Int32(3), "not a SQLite database (or encrypted)"),
        (["check", "--migrations", "/nonexistent/migrations", "Fixtures/fresh.sqlite"], Int32(64),
         "schema-reconcile: /nonexistent/migrations: migration folder does not exist"),
        (["check", "--table", "main._sqlx_migrations", "Fixtures/fresh.sqlite"], Int32(64), "is not a single SQL identifier"),
        (["check"], Int32(64), "give at least one database file, or --app-dir DIR"),
        (["repair", "--backup", "/tmp/x", "--no-backup", "Fixtures/fresh.sqlite"], Int32(64), "cannot be combined"),
    ] as [([String], Int32, String)])
    func badInput(_ arguments: [String], _ code: Int32, _ message: String) throws {
        let result = try CLI.run(arguments)
        #expect(result.exitCode == code, "\(result.stdout)\(result.stderr)")
        #expect((result.stdout + result.stderr).contains(message))
        #expect(!(result.stdout + result.stderr).contains("Fatal error"))
        #expect(!(result.stdout + result.stderr).contains("Stack dump"))
    }

    @Test("outside the repo, a missing --migrations is a usage error naming the flag")
    func noDefaultMigrations() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let result = try CLI.run(["fingerprint"], in: folder.url)
        #expect(result.exitCode == 64)
        #expect(result.stderr == "schema-reconcile: no migrations folder: pass --migrations DIR (no ./Migrations here)\n")
    }

    @Test("a broken migration folder names the file: duplicate versions, non-UTF-8, failing SQL")
    func brokenMigrationFolder() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("1_a.sql", "CREATE TABLE a(x);")
        try folder.write("2_b.sql", "CREATE TABLE a(x);")
        let result = try CLI.run(["fingerprint", "--migrations", folder.url.path])
        #expect(result.exitCode == 64)
        #expect(result.stderr == "schema-reconcile: \(folder.path("2_b.sql")): version 2 failed to replay: table a already exists (SQLite \(sqliteVersion))\n")
    }
}
