import Foundation
import GRDB
import Testing
@testable import SchemaReconciler
@testable import schema_reconcile
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// A hostile but fair user: links planted at predictable names, `file:` names, private databases,
// interrupted backups, a busy database, odd arguments and names holding control characters.
// Everything runs on copies in a temporary folder.

/// Helpers for the security cases, namespaced so they cannot clash with other test files.
enum Hostile {
    /// A fixed clock, so the default backup and audit names are known before the repair runs.
    static let instant = Date(timeIntervalSince1970: 1_795_688_100) // 2026-11-25T10:15:00Z
    static let stamp = "20261125T101500Z"

    static func options(backup: BackupChoice = .besideDatabase) -> RepairOptions {
        RepairOptions(backup: backup, now: { instant })
    }

    /// Creates a symbolic link at `path` pointing at `target` (which need not exist).
    static func plantLink(at path: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
    }

    /// What `lstat` says is at `path`: nil when nothing.
    static func kind(_ path: String) -> mode_t? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return info.st_mode & S_IFMT
    }

    /// Permission bits of `path` (following links).
    static func mode(_ path: String) -> mode_t {
        var info = stat()
        _ = stat(path, &info)
        return info.st_mode & 0o777
    }

    /// Runs the built binary with extra environment and a working folder; optionally signals it once
    /// `marker` appears on stderr.
    static func run(_ arguments: [String], in directory: URL, executable: URL = CLI.binary,
                    environment extra: [String: String] = [:], signal: Int32? = nil, after marker: String? = nil,
                    whileWaiting: () throws -> Void = {}) throws -> (result: CLIResult, signalled: Int32?) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        environment.merge(extra) { $1 }
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        var stderr = Data()
        if let marker {
            while !String(decoding: stderr, as: UTF8.self).contains(marker) {
                let chunk = err.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                stderr += chunk
            }
            try whileWaiting()
            if let signal { kill(process.processIdentifier, signal) }
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        stderr += err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let signalled = process.terminationReason == .uncaughtSignal ? process.terminationStatus : nil
        return (CLIResult(exitCode: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                          stderr: String(decoding: stderr, as: UTF8.self)), signalled)
    }

    /// A copy of behind-by-three with a foreign table of `megabytes` MB of random blobs, built once
    /// per size and copied for each test (the backup of it takes a measurable time).
    static func largeDatabase(megabytes: Int, in folder: TemporaryFolder, name: String = "large.sqlite") throws -> String {
        let template = try largeTemplate(megabytes: megabytes)
        let path = folder.path(name)
        try FileManager.default.copyItem(atPath: template, toPath: path)
        return path
    }

    private static let templateLock = NSLock()
    nonisolated(unsafe) private static var templates: [Int: String] = [:]

    private static func largeTemplate(megabytes: Int) throws -> String {
        templateLock.lock()
        defer { templateLock.unlock() }
        if let path = templates[megabytes], FileManager.default.fileExists(atPath: path) { return path }
        let folder = try TemporaryFolder()
        let path = folder.path("template-\(megabytes)mb.sqlite")
        try FileManager.default.copyItem(atPath: Repo.fixture("behind-by-three.sqlite"), toPath: path)
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE bulk(b BLOB)")
            try db.execute(sql: """
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
                INSERT INTO bulk SELECT randomblob(1048576) FROM n
                """, arguments: [megabytes])
        }
        try queue.close()
        templates[megabytes] = path
        return path
    }

    /// Everything in the folder that is not the database (and not its own -wal/-shm).
    static func extraFiles(_ folder: TemporaryFolder, besides database: String) -> [String] {
        let name = (database as NSString).lastPathComponent
        return BadInput.listing(folder).filter { $0 != name && $0 != name + "-wal" && $0 != name + "-shm" }
    }

    /// SQLite's header says WAL (file format versions 2 and 2) or rollback (1 and 1).
    static func headerVersions(_ path: String) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path), data.count >= 20 else { return [] }
        return [data[18], data[19]]
    }
}

@Suite("Security: files the tool creates, paths it opens, and what it prints")
struct SecurityTests {
    // MARK: 1. Planted links and refused backup names

    @Test("dangling links planted at the default backup and audit names are not followed: both files land elsewhere, nothing is created where the links point")
    func danglingLinksAtDefaultNames() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("behind-by-three.sqlite")
        let backupName = "\(path).backup-\(Hostile.stamp).sqlite"
        let elsewhere = try TemporaryFolder()
        defer { elsewhere.remove() }
        try Hostile.plantLink(at: backupName, to: elsewhere.path("stolen-backup.sqlite"))
        try Hostile.plantLink(at: backupName + ".audit.json", to: elsewhere.path("stolen-audit.json"))

        let outcome = Repo.reconciler.repair(databaseAt: path, options: Hostile.options())
        #expect(outcome.status == .repaired, "\(outcome.message)")
        #expect(BadInput.listing(elsewhere).isEmpty, "the links' targets were created: \(BadInput.listing(elsewhere))")
        #expect(Hostile.kind(backupName) == S_IFLNK && Hostile.kind(backupName + ".audit.json") == S_IFLNK)
        let backup = try #require(outcome.backupPath)
        let audit = try #require(outcome.auditPath)
        #expect(backup != backupName && audit != backupName + ".audit.json")
        #expect(Hostile.kind(backup) == S_IFREG && Hostile.kind(audit) == S_IFREG)
        #expect(try integrityCheck(backup) == ["ok"])
    }

    @Test("links planted at the backup and audit names pointing at a real file leave that file byte for byte unchanged")
    func linksToRealFile() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("behind-by-three.sqlite")
        let victim = try folder.write("victim.txt", "precious content")
        let backupName = "\(path).backup-\(Hostile.stamp).sqlite"
        try Hostile.plantLink(at: backupName, to: victim.path)
        try Hostile.plantLink(at: backupName + ".audit.json", to: victim.path)
        // And the audit name a repair without backup would use.
        try Hostile.plantLink(at: "\(path).repair-\(Hostile.stamp).audit.json", to: victim.path)

        let outcome = Repo.reconciler.repair(databaseAt: path, options: Hostile.options())
        #expect(outcome.status == .repaired, "\(outcome.message)")
        #expect(FileManager.default.contents(atPath: victim.path) == Data("precious content".utf8))

        let other = folder.path("second.sqlite")
        try FileManager.default.copyItem(atPath: Repo.fixture("behind-by-three.sqlite"), toPath: other)
        try Hostile.plantLink(at: "\(other).repair-\(Hostile.stamp).audit.json", to: victim.path)
        let noBackup = Repo.reconciler.repair(databaseAt: other, options: Hostile.options(backup: .none))
        #expect(noBackup.status == .repaired, "\(noBackup.message)")
        #expect(FileManager.default.contents(atPath: victim.path) == Data("precious content".utf8))
        let audit = try #require(noBackup.auditPath)
        #expect(audit != "\(other).repair-\(Hostile.stamp).audit.json" && Hostile.kind(audit) == S_IFREG)
    }

    @Test("a SQLite side file planted beside the default backup name makes the repair pick another name and leaves the planted file alone",
          arguments: ["-journal", "-wal"])
    func sideFileAtDefaultName(_ suffix: String) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("behind-by-three.sqlite")
        let planted = "\(path).backup-\(Hostile.stamp).sqlite" + suffix
        try Data("planted".utf8).write(to: URL(fileURLWithPath: planted))
        let outcome = Repo.reconciler.repair(databaseAt: path, options: Hostile.options())
        #expect(outcome.status == .repaired, "\(outcome.message)")
        let backup = try #require(outcome.backupPath)
        #expect(backup + suffix != planted)
        #expect(FileManager.default.contents(atPath: planted) == Data("planted".utf8))
        #expect(try integrityCheck(backup) == ["ok"])
    }

    @Test("--backup refuses a link (dangling or not), a directory, an existing audit name and SQLite side-file names: exit 3, one line naming the path, nothing written",
          arguments: ["dangling-link", "link-to-file", "directory", "audit-exists", "db-journal", "db-wal", "db-shm",
                      "x-journal", "x-has-journal", "x-has-wal"])
    func backupTargetRefused(_ situation: String) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("behind-by-three.sqlite")
        let before = BadInput.bytes(path)
        let victim = try folder.write("victim.txt", "precious")
        var target = folder.path("chosen.sqlite")
        let expected: String
        switch situation {
        case "dangling-link":
            try Hostile.plantLink(at: target, to: folder.path("nowhere.sqlite"))
            expected = "symbolic link"
        case "link-to-file":
            try Hostile.plantLink(at: target, to: victim.path)
            expected = "symbolic link"
        case "directory":
            try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
            expected = "is a directory"
        case "audit-exists":
            try folder.write("chosen.sqlite.audit.json", "earlier audit")
            expected = "already exists"
        case "db-journal", "db-wal", "db-shm":
            target = path + "-" + situation.dropFirst(3)
            expected = "SQLite side file"
        case "x-journal":
            target = folder.path("chosen.sqlite-journal")
            expected = "SQLite side file"
        case "x-has-journal":
            try folder.write("chosen.sqlite-journal", "hot journal")
            expected = "-journal exists"
        default:
            try folder.write("chosen.sqlite-wal", "stale wal")
            expected = "-wal exists"
        }
        let listed = BadInput.listing(folder)
        let result = try CLI.run(["repair", "--backup", target, path])
        BadInput.expectNoCrash(result)
        #expect(result.exitCode == 3, "\(BadInput.all(result))")
        let line = try #require(BadInput.resultLine(result), "\(BadInput.all(result))")
        #expect(line.contains(expected) && line.contains("not touched"), "\(line)")
        #expect(BadInput.bytes(path) == before)
        #expect(BadInput.listing(folder) == listed)
        #expect(FileManager.default.contents(atPath: victim.path) == Data("precious".utf8))
        #expect(try ledgerRows(path) == (try ledgerRows(Repo.fixture("behind-by-three.sqlite"))))
    }

    @Test("fingerprint --write-lock replaces a link planted at the lock name with a regular file and leaves its target unchanged")
    func lockThroughLink() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let migrations = folder.url.appendingPathComponent("migrations")
        try FileManager.default.createDirectory(at: migrations, withIntermediateDirectories: false)
        let files = try FileManager.default.contentsOfDirectory(atPath: Repo.migrations.path).filter { $0.hasSuffix(".sql") || $0 == Manifest.fileName }
        for name in files {
            try FileManager.default.copyItem(at: Repo.migrations.appendingPathComponent(name),
                                             to: migrations.appendingPathComponent(name))
        }
        let victim = try folder.write("victim.json", "precious")
        let lock = migrations.appendingPathComponent(FingerprintLock.fileName).path
        try Hostile.plantLink(at: lock, to: victim.path)
        let result = try CLI.run(["fingerprint", "--write-lock", "--migrations", migrations.path])
        #expect(result.exitCode == 0, "\(BadInput.all(result))")
        #expect(FileManager.default.contents(atPath: victim.path) == Data("precious".utf8))
        #expect(Hostile.kind(lock) == S_IFREG)
        let committed = try FingerprintLock.read(from: Repo.migrations.appendingPathComponent(FingerprintLock.fileName))
        #expect(try FingerprintLock.read(from: URL(fileURLWithPath: lock))?.migrations.count == committed?.migrations.count)
        #expect(try FileManager.default.contentsOfDirectory(atPath: migrations.path).allSatisfy { !$0.contains(".partial-") })
    }

    // MARK: 2. `file:` names

    @Test("repair 'file:yy.sqlite' repairs the file literally named so, never yy.sqlite, and its backup exists where reported")
    func fileURINames() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try FileManager.default.copyItem(atPath: Repo.fixture("behind-by-three.sqlite"), toPath: folder.path("file:yy.sqlite"))
        try FileManager.default.copyItem(atPath: Repo.fixture("behind-by-three.sqlite"), toPath: folder.path("yy.sqlite"))
        let plain = BadInput.bytes(folder.path("yy.sqlite"))
        let result = try CLI.run(["repair", "--format", "json", "--migrations", Repo.migrations.path, "file:yy.sqlite"],
                                 in: folder.url)
        #expect(result.exitCode == 0, "\(BadInput.all(result))")
        #expect(BadInput.bytes(folder.path("yy.sqlite")) == plain, "yy.sqlite was written")
        let rows = try ledgerRows(folder.path("file:yy.sqlite"))
        #expect(rows.count == (try ledgerRows(Repo.fixture("behind-by-three.sqlite"))).count + 3)
        let json = try CLI.json(result)
        let database = try #require((json["databases"] as? [[String: Any]])?.first)
        #expect(database["path"] as? String == "file:yy.sqlite")
        let repair = try #require(database["repair"] as? [String: Any])
        let backup = try #require(repair["backupPath"] as? String)
        #expect(backup.hasPrefix("file:yy.sqlite.backup-"))
        #expect(Hostile.kind(folder.path(backup)) == S_IFREG)
        // A URI with a query is a name too: no such file, exit 3, nothing opened in memory.
        let query = try CLI.run(["check", "--migrations", Repo.migrations.path, "file:yy.sqlite?mode=memory"], in: folder.url)
        #expect(query.exitCode == 3, "\(BadInput.all(query))")
        #expect(HardenedDatabase.sqlitePath(for: ":memory:") == "./:memory:")
    }

    // MARK: 3. Permission bits

    @Test("backup and audit files are never more readable than the database", arguments: [0o600, 0o640, 0o644] as [mode_t])
    func permissionBits(_ databaseMode: mode_t) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("behind-by-three.sqlite")
        #expect(chmod(path, databaseMode) == 0)
        let outcome = Repo.reconciler.repair(databaseAt: path, options: Hostile.options())
        #expect(outcome.status == .repaired, "\(outcome.message)")
        for file in [try #require(outcome.backupPath), try #require(outcome.auditPath)] {
            let mode = Hostile.mode(file)
            #expect(mode & ~databaseMode == 0, "\(file): \(String(mode, radix: 8)) is wider than \(String(databaseMode, radix: 8))")
        }
    }

    // MARK: 4. Interrupted backups

    @Test("SIGTERM or SIGINT during the backup of a 200 MB database removes the partial backup, says so, ends by the signal, and the database is unchanged",
          .tags(.slow), arguments: [SIGTERM, SIGINT])
    func signalDuringBackup(_ signal: Int32) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try Hostile.largeDatabase(megabytes: 200, in: folder)
        let before = try BadInput.digestsFromAnotherProcess(path)
        var sawPartial = false, sawJournal = true
        let (result, signalled) = try Hostile.run(
            ["repair", "--migrations", Repo.migrations.path, path], in: folder.url,
            environment: ["SCHEMA_RECONCILE_TEST_PAUSE": "during-backup:20000"],
            signal: signal, after: "paused at during-backup",
            whileWaiting: {
                let extra = Hostile.extraFiles(folder, besides: path)
                sawPartial = extra.contains { $0.contains(".partial-") && !$0.hasSuffix(".sqlite") }
                sawJournal = extra.contains { $0.hasSuffix("-journal") }
            })
        #expect(sawPartial, "no temporary backup file while paused mid-backup")
        #expect(!sawJournal, "the partial backup has a journal on disk")
        #expect(signalled == signal, "\(BadInput.all(result))")
        #expect(result.stderr.contains("interrupted"), "\(result.stderr)")
        #expect(Hostile.extraFiles(folder, besides: path).isEmpty, "left behind: \(Hostile.extraFiles(folder, besides: path))")
        #expect(try BadInput.digestsFromAnotherProcess(path) == before)
    }

    @Test("a file-size limit (ulimit -f) during the backup is a clear error, exit 3, no signal death, and leaves no file",
          .tags(.slow))
    func fileSizeLimit() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try Hostile.largeDatabase(megabytes: 200, in: folder)
        let before = try BadInput.digestsFromAnotherProcess(path)
        // 20,000 blocks is 10 or 20 MB depending on the shell's block size: far below the backup's size.
        let (result, signalled) = try Hostile.run(["-c", "ulimit -f 20000 && exec \"$0\" \"$@\"",
                                                  CLI.binary.path, "repair", "--migrations", Repo.migrations.path, path],
                                                 in: folder.url,
                                                 executable: URL(fileURLWithPath: "/bin/sh"))
        #expect(signalled == nil, "killed by signal \(signalled ?? 0): \(BadInput.all(result))")
        #expect(result.exitCode == 3, "\(BadInput.all(result))")
        let line = try #require(BadInput.resultLine(result), "\(BadInput.all(result))")
        #expect(line.contains("file size limit") && line.contains("not touched"), "\(line)")
        #expect(Hostile.extraFiles(folder, besides: path).isEmpty, "left behind: \(Hostile.extraFiles(folder, besides: path))")
        #expect(try BadInput.digestsFromAnotherProcess(path) == before)
    }

    // MARK: 5. Lock first, then back up

    @Test("a database whose write lock another process holds (BEGIN IMMEDIATE) gets no backup: exit 3 'in use', nothing created", arguments: [false, true])
    func busyDatabaseLeavesNoBackup(_ wal: Bool) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture(wal ? "wal-behind.sqlite" : "behind-by-three.sqlite")
        let holder = try DatabaseQueue(path: path)
        try holder.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            let result = try CLI.run(["repair", "--busy-timeout", "200", path])
            BadInput.expectNoCrash(result)
            #expect(result.exitCode == 3, "\(BadInput.all(result))")
            let line = try #require(BadInput.resultLine(result), "\(BadInput.all(result))")
            #expect(line.contains("database is in use (is the app running?)") && line.contains("nothing changed"), "\(line)")
            #expect(Hostile.extraFiles(folder, besides: path).isEmpty, "left behind: \(Hostile.extraFiles(folder, besides: path))")
            try db.execute(sql: "ROLLBACK")
        }
        try holder.close()
        #expect(try ledgerRows(path) == (try ledgerRows(Repo.fixture(wal ? "wal-behind.sqlite" : "behind-by-three.sqlite"))))
    }

    @Test("the backup of a WAL database is one self-contained file: no -wal or -shm beside it, before or after it is opened")
    func walBackupHasNoSideFiles() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("wal-behind.sqlite")
        #expect(Hostile.headerVersions(path) == [2, 2], "the fixture is expected in WAL mode")
        let outcome = Repo.reconciler.repair(databaseAt: path, options: Hostile.options())
        #expect(outcome.status == .repaired, "\(outcome.message)")
        let backup = try #require(outcome.backupPath)
        for suffix in ["-wal", "-shm", "-journal"] { #expect(Hostile.kind(backup + suffix) == nil, "\(suffix)") }
        #expect(Hostile.headerVersions(backup) == [1, 1])
        #expect(try integrityCheck(backup) == ["ok"])
        for suffix in ["-wal", "-shm", "-journal"] { #expect(Hostile.kind(backup + suffix) == nil, "\(suffix) after opening") }
        #expect(try ledgerRows(backup) == (try ledgerRows(Repo.fixture("wal-behind.sqlite"))))
    }

    // MARK: 6. A failed audit write

    @Test("an audit record that cannot be written is a warning on stderr and exit 3, though the repair stands")
    func failedAuditWrite() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("behind-by-three.sqlite")
        let backup = folder.path("chosen.sqlite")
        // Paused inside the transaction, the audit name is taken: the record cannot be created there.
        let (result, _) = try Hostile.run(
            ["repair", "--migrations", Repo.migrations.path, "--backup", backup, path], in: folder.url,
            environment: ["SCHEMA_RECONCILE_TEST_PAUSE": "before-commit:1500"], after: "paused at before-commit",
            whileWaiting: { try folder.write("chosen.sqlite.audit.json", "someone else's") })
        #expect(result.exitCode == 3, "\(BadInput.all(result))")
        #expect(result.stderr.contains("warning") && result.stderr.contains("audit record could not be written"),
                "\(result.stderr)")
        #expect(FileManager.default.contents(atPath: backup + ".audit.json") == Data("someone else's".utf8))
        #expect(try ledgerRows(path).count == (try ledgerRows(Repo.fixture("behind-by-three.sqlite"))).count + 3)
        #expect(try integrityCheck(backup) == ["ok"])
    }

    // MARK: 7. Numeric options and argument fuzzing

    @Test("out-of-range and malformed numbers are usage errors naming the range, never a trap",
          arguments: ["2147483648", "-1", "3600001", "99999999999999999999", "abc", "1e3", "", "0x10"])
    func busyTimeoutRange(_ value: String) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("behind-by-three.sqlite")
        let result = try CLI.run(["repair", "--dry-run", "--busy-timeout", value, path])
        BadInput.expectNoCrash(result)
        #expect(result.exitCode == 64, "\(BadInput.all(result))")
        #expect(result.stderr.contains("0 to 3600000"), "\(result.stderr)")
        let version = try CLI.run(["diagnose", "--assume-version", value, path])
        BadInput.expectNoCrash(version)
        #expect([1, 2, 64].contains(version.exitCode), "\(BadInput.all(version))")
    }

    @Test("the largest allowed --busy-timeout is accepted and runs")
    func busyTimeoutLimit() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("behind-by-three.sqlite")
        let result = try CLI.run(["repair", "--dry-run", "--busy-timeout", "\(NumericOption.busyTimeoutRange.upperBound)", path])
        #expect(result.exitCode == 1, "\(BadInput.all(result))")
        // The library clamps what the command line cannot pass.
        let outcome = Repo.reconciler.repair(databaseAt: path, options: RepairOptions(dryRun: true, busyTimeout: 1e12))
        #expect(outcome.status == .dryRun, "\(outcome.message)")
    }

    /// Pieces the fuzzer combines: every flag, values of every kind, and junk.
    static let fuzzPieces: [String] = [
        "fingerprint", "diagnose", "check", "repair", "--format", "json", "text", "markdown", "xml", "--busy-timeout",
        "--assume-version", "--backup", "--no-backup", "--dry-run", "--drop-unproven", "--drop-unknown", "--reference",
        "--migrations", "--config", "--table", "--ignored-chars", "--ignore", "--no-lock", "--app-dir", "--require-tip",
        "--invariants", "--write-lock", "--check-lock", "--help", "-h", "--version", "-V", "--", "-", "=", "--format=json",
        "--busy-timeout=5", "0", "-0", "1", "-1", "2147483648", "-2147483649", "9223372036854775807",
        "9223372036854775808", "-9223372036854775809", "1e308", "nan", "inf", "0x7fffffff", "", " ", "\u{1B}[2J",
        "a\nb", "\\u{", "\\u{110000}", "\\q", "\\u{FEFF}", "file:x.sqlite", ":memory:", "/dev/null", "*", "?", "[",
        "\u{0}", "ñ", String(repeating: "9", count: 400),
    ]

    /// Argument lists the in-process fuzzer tries (about 4 ms each); `SCHEMA_RECONCILE_FUZZ_CASES=N` for a long run.
    static let fuzzCases = ProcessInfo.processInfo.environment["SCHEMA_RECONCILE_FUZZ_CASES"].flatMap(Int.init) ?? 2_000

    @Test("argument fuzzing: 2,000 random argument lists (by default) parse or fail with a usage error, in process, never trapping")
    func fuzzParser() throws {
        var random = SplitMix(seed: ProcessInfo.processInfo.environment["SCHEMA_RECONCILE_FUZZ_SEED"].flatMap(UInt64.init) ?? 0x5EC)
        var outcomes: [String: Int] = [:]
        for _ in 0..<Self.fuzzCases {
            let count = Int(random.next() % 7)
            let arguments = (0..<count).map { _ in Self.fuzzPieces[Int(random.next() % UInt64(Self.fuzzPieces.count))] }
            do {
                _ = try SchemaReconcile.parseAsRoot(arguments)
                outcomes["parsed", default: 0] += 1
            } catch {
                let code = SchemaReconcile.exitCode(for: error).rawValue
                #expect(code == 0 || code == 64, "\(arguments): exit \(code)")
                outcomes["exit \(code)", default: 0] += 1
            }
        }
        #expect(outcomes["parsed", default: 0] > 0 && outcomes["exit 64", default: 0] > 0, "\(outcomes)")
    }

    @Test("argument fuzzing through the built binary: 60 random runs against a database copy end with a documented exit code, never a signal",
          .tags(.slow))
    func fuzzBinary() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("behind-by-three.sqlite")
        var random = SplitMix(seed: 0xF022)
        let numbers = ["0", "-1", "1", "2147483648", "3600000", "3600001", "9223372036854775807", "-9223372036854775808", "abc"]
        for _ in 0..<60 {
            var arguments = [["diagnose", "check", "repair", "fingerprint"][Int(random.next() % 4)]]
            if arguments[0] == "repair" { arguments += ["--dry-run", "--busy-timeout", numbers[Int(random.next() % UInt64(numbers.count))]] }
            if random.next() % 2 == 0 { arguments += ["--assume-version", numbers[Int(random.next() % UInt64(numbers.count))]] }
            if random.next() % 2 == 0 { arguments += ["--format", ["json", "text", "markdown"][Int(random.next() % 3)]] }
            if arguments[0] != "fingerprint" { arguments.append(path) }
            let (result, signalled) = try Hostile.run(arguments, in: Repo.root)
            #expect(signalled == nil, "\(arguments): signal \(signalled ?? 0)")
            #expect([0, 1, 2, 3, 64].contains(result.exitCode), "\(arguments): \(BadInput.all(result))")
            #expect(!result.stderr.contains("Fatal error"), "\(arguments): \(result.stderr)")
        }
        #expect(try ledgerRows(path) == (try ledgerRows(Repo.fixture("behind-by-three.sqlite"))))
    }

    // MARK: 8. Control characters

    @Test("ESC and newlines in object and file names are escaped in text and Markdown, kept exactly in valid JSON")
    func controlCharacters() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let name = "db\nfake: consistent \u{1B}[2J.sqlite"
        let path = folder.path(name)
        try FileManager.default.copyItem(atPath: Repo.fixture("consistent-tip.sqlite"), toPath: path)
        let table = "red\u{1B}[31m\nfake: consistent"
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "CREATE TABLE \"\(table)\"(x)") }
        try queue.close()

        for format in ["text", "markdown"] {
            for command in ["diagnose", "check", "repair"] {
                let result = try CLI.run([command, "--format", format, "--dry-run", path].filter { command == "repair" || $0 != "--dry-run" })
                BadInput.expectNoCrash(result)
                #expect(!result.stdout.unicodeScalars.contains("\u{1B}"), "\(command) \(format): raw ESC in \(result.stdout)")
                #expect(!result.stderr.unicodeScalars.contains("\u{1B}"), "\(command) \(format): raw ESC on stderr")
                let lines = result.stdout.split(separator: "\n")
                #expect(!lines.contains { $0.hasPrefix("fake") }, "\(command) \(format): a forged line in \(result.stdout)")
                #expect(result.stdout.contains("\\u{1B}"), "\(command) \(format): \(result.stdout)")
            }
        }
        let json = try CLI.run(["diagnose", "--format", "json", path])
        let document = try CLI.json(json)
        let database = try #require((document["databases"] as? [[String: Any]])?.first)
        #expect(database["path"] as? String == path)
        let objects = (database["findings"] as? [[String: Any]] ?? []).flatMap { ($0["evidence"] as? [[String: Any]]) ?? [] }
            .flatMap { ($0["objects"] as? [String]) ?? [] }
        #expect(objects.contains { $0.hasSuffix(table) }, "\(objects)")
        // An unreadable file with such a name: the error line on stderr stays one line.
        let missing = try CLI.run(["check", folder.path("gone\nfake: consistent.sqlite")])
        #expect(missing.exitCode == 3)
        #expect(!missing.stdout.split(separator: "\n").contains { $0.hasPrefix("fake") }, "\(missing.stdout)")
        #expect(ControlCharacters.escape("a\u{202E}b\u{7F}\u{9B}") == "a\\u{202E}b\\u{7F}\\u{9B}")
    }

    // MARK: 9. Machine output for every outcome

    @Test("with --format json every outcome is one JSON document on stdout whose exitCode is the process's, and failures are also on stderr",
          arguments: ["unknown-option", "bad-number", "no-database", "both-backups", "missing-file", "app-dir-missing",
                      "check-lock", "check-lock-missing", "write-lock-unwritable", "bad-migrations"])
    func jsonEverywhere(_ situation: String) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("behind-by-three.sqlite")
        let empty = folder.url.appendingPathComponent("empty-migrations")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: false)
        try FileManager.default.copyItem(at: Repo.migrations.appendingPathComponent("0001_create_threads.sql"),
                                         to: empty.appendingPathComponent("0001_create_threads.sql"))
        let arguments: [String]
        switch situation {
        case "unknown-option": arguments = ["check", "--format", "json", "--no-such-flag", path]
        case "bad-number": arguments = ["repair", "--format", "json", "--busy-timeout", "2147483648", path]
        case "no-database": arguments = ["diagnose", "--format", "json"]
        case "both-backups": arguments = ["repair", "--format=json", "--backup", folder.path("b.sqlite"), "--no-backup", path]
        case "missing-file": arguments = ["check", "--format", "json", folder.path("absent.sqlite")]
        case "app-dir-missing": arguments = ["check", "--format", "json", "--app-dir", folder.path("missing-folder")]
        case "check-lock": arguments = ["fingerprint", "--check-lock", "--format", "json"]
        case "check-lock-missing": arguments = ["fingerprint", "--check-lock", "--format", "json", "--migrations", empty.path]
        case "write-lock-unwritable":
            try FileManager.default.createDirectory(at: empty.appendingPathComponent(FingerprintLock.fileName)
                .appendingPathComponent("occupied"), withIntermediateDirectories: true)
            arguments = ["fingerprint", "--write-lock", "--format", "json", "--migrations", empty.path]
        default: arguments = ["check", "--format", "json", "--migrations", folder.path("no-such-migrations"), path]
        }
        let result = try CLI.run(arguments)
        BadInput.expectNoCrash(result)
        let document = try CLI.json(result)
        #expect((document["exitCode"] as? Int).map(Int32.init) == result.exitCode, "\(BadInput.all(result))")
        #expect(document["formatVersion"] as? Int == 1)
        if result.exitCode == 64 || situation.hasPrefix("write-lock") || situation == "check-lock-missing" {
            #expect(!result.stderr.isEmpty, "failure not said on stderr")
            let message = (document["error"] as? String) ?? (document["reasons"] as? [String])?.first ?? ""
            #expect(!message.isEmpty, "\(result.stdout)")
        }
        switch situation {
        case "check-lock": #expect(result.exitCode == 0 && document["status"] as? String == "up-to-date")
        case "check-lock-missing": #expect(result.exitCode == 1 && document["status"] as? String == "missing")
        case "write-lock-unwritable": #expect(result.exitCode == 3 && document["status"] as? String == "unwritable")
        case "missing-file": #expect(result.exitCode == 3)
        default: #expect(result.exitCode == 64, "\(BadInput.all(result))")
        }
    }

    // MARK: 10. Version, missing folders, foreign-only databases

    @Test("--version and -V print the tool version and the linked SQLite version", arguments: ["--version", "-V"])
    func version(_ flag: String) throws {
        let result = try CLI.run([flag])
        #expect(result.exitCode == 0, "\(BadInput.all(result))")
        #expect(result.stdout.contains(ToolVersion.current), "\(result.stdout)")
        let linked = try DatabaseQueue().read { db in try String.fetchOne(db, sql: "SELECT sqlite_version()") }
        #expect(result.stdout.contains("SQLite " + (linked ?? "?")), "\(result.stdout)")
    }

    @Test("check --app-dir on a missing folder says the folder does not exist (exit 64)")
    func appDirMissing() throws {
        let result = try CLI.run(["check", "--app-dir", "/no/such/app-data"])
        #expect(result.exitCode == 64, "\(BadInput.all(result))")
        #expect(result.stderr.contains("/no/such/app-data") && result.stderr.contains("does not exist"), "\(result.stderr)")
        #expect(!result.stderr.contains("no file matches"), "\(result.stderr)")
    }

    @Test("a database with user tables but no ledger, matching no migrated object, is not called an empty schema")
    func foreignOnlyIsNotEmpty() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path("other-app.sqlite")
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT); CREATE TABLE people(id, name)")
        }
        try queue.close()
        let result = try CLI.run(["diagnose", path])
        let first = try #require(result.stdout.split(separator: "\n").first)
        #expect(!first.contains("empty schema"), "\(first)")
        #expect(first.contains("2 foreign object(s)"), "\(first)")
        let markdown = try CLI.run(["diagnose", "--format", "markdown", path])
        #expect(!markdown.stdout.contains("empty schema"), "\(markdown.stdout)")
        // A truly empty database still is.
        let empty = try CLI.run(["diagnose", Repo.fixture("fresh.sqlite")])
        #expect(empty.stdout.split(separator: "\n").first?.contains("empty schema") == true, "\(empty.stdout)")
    }
}

/// A tiny seeded generator for the fuzzers (SplitMix64).
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
