import Foundation
import GRDB
import SQLxEmulation
import Testing
@testable import SchemaReconciler
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// A catalogue of bad inputs. Every case asserts three things a user can rely on:
//   1. the documented exit code (0 fine, 1 repairable, 2 needs a person, 3 unreadable/unwritable/locked,
//      64 usage or invalid migration set);
//   2. one line that names the file and the problem — no "Fatal error", no stack dump, no stray newline;
//   3. where a database is involved, its bytes (and its -wal / -journal) are unchanged unless a repair
//      was meant to succeed.
// Where the tool's current behaviour is wrong, the test asserts the right behaviour and fails.

/// Helpers for the catalogue, namespaced so they cannot clash with other test files.
enum BadInput {
    /// Tests run as root in CI containers, where file permissions do not stop writes.
    static var isRoot: Bool { getuid() == 0 }

    /// The durable bytes of a database: the file, its -wal and its -journal (when present).
    /// (`-shm` is excluded: it is a rebuildable index SQLite may create even for read-only connections.)
    static func bytes(_ path: String) -> [String: Data] {
        var result: [String: Data] = [:]
        for suffix in ["", "-wal", "-journal"] {
            if let data = FileManager.default.contents(atPath: path + suffix) { result[suffix] = data }
        }
        return result
    }

    /// SHA-256 of the file, its -wal and its -journal, computed by a child process: safe to call while this
    /// process holds SQLite locks on the file (closing a descriptor here would drop them — POSIX locks are per process).
    static func digestsFromAnotherProcess(_ path: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for suffix in ["", "-wal", "-journal"] where FileManager.default.fileExists(atPath: path + suffix) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["sha256sum", path + suffix]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            result[suffix] = String(decoding: data, as: UTF8.self).split(separator: " ").first.map(String.init) ?? "?"
        }
        return result
    }

    /// Deterministic pseudo-random bytes that never start with SQLite's header.
    static func noise(count: Int, seed: UInt64) -> [UInt8] {
        var state = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        for _ in 0..<count {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            bytes.append(UInt8(truncatingIfNeeded: state >> 33))
        }
        if count > 0 { bytes[0] = 0xA7 } // "SQLite format 3\0" starts with 0x53
        return bytes
    }

    /// Everything a process printed.
    static func all(_ result: CLIResult) -> String { result.stdout + result.stderr }

    /// No crash, no trap, no stack dump.
    static func expectNoCrash(_ result: CLIResult, sourceLocation: SourceLocation = #_sourceLocation) {
        let text = all(result)
        for marker in ["Fatal error", "Stack dump", "Current stack trace", "Illegal instruction", "Segmentation fault",
                       "Swift runtime failure", "Assertion failed"] {
            #expect(!text.contains(marker), "crash marker \(marker): \(text)", sourceLocation: sourceLocation)
        }
    }

    /// `text` is exactly one line ending in a newline.
    static func expectOneLine(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(text.hasSuffix("\n"), "no trailing newline: \(text.debugDescription)", sourceLocation: sourceLocation)
        #expect(text.dropLast().contains("\n") == false, "more than one line: \(text.debugDescription)",
                sourceLocation: sourceLocation)
    }

    /// Standard error may carry informational notes (`schema-reconcile: note: …`, one line each) and nothing else.
    static func expectOnlyNotes(_ stderr: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let lines = stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(stderr.isEmpty || stderr.hasSuffix("\n"), "\(stderr.debugDescription)", sourceLocation: sourceLocation)
        #expect(lines.allSatisfy { $0.hasPrefix("schema-reconcile: note: ") }, "unexpected stderr: \(stderr)",
                sourceLocation: sourceLocation)
    }

    /// An unreadable database: stdout is exactly `PATH: unreadable — REASON (exit 3)`, stderr has no more than notes.
    static func expectUnreadableLine(_ result: CLIResult, path: String, reason: [String],
                                     sourceLocation: SourceLocation = #_sourceLocation) {
        expectNoCrash(result, sourceLocation: sourceLocation)
        #expect(result.exitCode == 3, "\(all(result))", sourceLocation: sourceLocation)
        expectOneLine(result.stdout, sourceLocation: sourceLocation)
        #expect(result.stdout.hasPrefix("\(path): unreadable — "), "\(result.stdout)", sourceLocation: sourceLocation)
        #expect(reason.contains { result.stdout.lowercased().contains($0.lowercased()) },
                "expected one of \(reason) in \(result.stdout.debugDescription)", sourceLocation: sourceLocation)
        expectOnlyNotes(result.stderr, sourceLocation: sourceLocation)
    }

    /// A usage / migration-set error: stderr is exactly `schema-reconcile: …PATH…: PROBLEM`, stdout is empty.
    static func expectUsageLine(_ result: CLIResult, naming path: String, problem: String,
                                sourceLocation: SourceLocation = #_sourceLocation) {
        expectNoCrash(result, sourceLocation: sourceLocation)
        #expect(result.exitCode == 64, "\(all(result))", sourceLocation: sourceLocation)
        expectOneLine(result.stderr, sourceLocation: sourceLocation)
        #expect(result.stderr.hasPrefix("schema-reconcile: "), "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(path), "should name \(path): \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(problem), "should say \(problem): \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stdout.isEmpty, "\(result.stdout)", sourceLocation: sourceLocation)
    }

    /// The first line of a report: `PATH: VERDICT — …`.
    /// `header` is the diagnosis's own code shown on that line (a repair's process code may differ).
    static func expectVerdictLine(_ result: CLIResult, path: String, verdict: String, exit: Int32, header: Int32? = nil,
                                  sourceLocation: SourceLocation = #_sourceLocation) {
        expectNoCrash(result, sourceLocation: sourceLocation)
        #expect(result.exitCode == exit, "\(all(result))", sourceLocation: sourceLocation)
        let first = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        #expect(first.hasPrefix("\(path): \(verdict) — "), "first line: \(first)", sourceLocation: sourceLocation)
        #expect(first.hasSuffix("(exit \(header ?? exit))"), "first line: \(first)", sourceLocation: sourceLocation)
        expectOnlyNotes(result.stderr, sourceLocation: sourceLocation)
    }

    /// The `result` line of a repair report (one line, the outcome's message).
    static func resultLine(_ result: CLIResult) -> String? {
        result.stdout.split(separator: "\n").map(String.init).first { $0.hasPrefix("  result ") }
    }

    /// Runs the CLI with a deadline, killing it (by its own pid) if it has not finished: for inputs that may hang.
    static func runWithDeadline(_ arguments: [String], seconds: Double) throws -> (result: CLIResult, timedOut: Bool) {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let outURL = folder.url.appendingPathComponent("stdout"), errURL = folder.url.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = arguments
        process.currentDirectoryURL = Repo.root
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        process.environment = environment
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        let timedOut = process.isRunning
        if timedOut { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try out.close()
        try err.close()
        let stdout = String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self)
        let stderr = String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self)
        return (CLIResult(exitCode: process.terminationStatus, stdout: stdout, stderr: stderr), timedOut)
    }

    /// Copies a fixture and runs SQL on the copy with a plain (unhardened) connection.
    static func variant(of fixture: String, in folder: TemporaryFolder, _ sql: String) throws -> String {
        let path = try folder.copyFixture(fixture)
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in try db.execute(sql: sql) }
        try queue.close()
        return path
    }

    /// Rows of the default ledger, for the `INSERT` a crashed app was doing.
    static func ledgerInsert(_ version: Int64, in db: Database) throws {
        let migration = try #require(Repo.reconciler.migrations.applied(version: MigrationVersion(version)))
        try db.execute(sql: """
            INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (?, ?, 1, ?, 5)
            """, arguments: [version, migration.description, Data(migration.checksum.bytes)])
    }

    /// sqlx's start-up check (independent emulator) accepts the ledger.
    static func sqlxAccepts(_ path: String) throws -> Bool {
        let emulator = try SQLxEmulator(folder: Repo.migrations)
        let queue = try SQLxEmulator.open(path)
        defer { try? queue.close() }
        if case .ok = try queue.read({ db in try emulator.startupCheck(db) }) { return true }
        return false
    }

    static func listing(_ folder: TemporaryFolder) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.url.path)) ?? []).sorted()
    }

    /// Overwrites `count` bytes at `offset` of page `page` (1-based, 4096-byte pages) with garbage.
    static func corrupt(_ path: String, page: Int, offset: Int, count: Int) throws {
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        let start = (page - 1) * 4096 + offset
        for index in 0..<count { data[start + index] = UInt8(truncatingIfNeeded: index &* 37 &+ 11) }
        try data.write(to: URL(fileURLWithPath: path))
    }
}

// MARK: - Files that are not databases

/// A file the tool must call unreadable (exit 3) without touching it.
enum UnreadableInput: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case missing, directory, randomBytes, firstPageOnly, cutInHalf, sqlcipherLike

    var testDescription: String { rawValue }

    /// Creates the input; returns the path to pass and the words the reason may use.
    func make(in folder: TemporaryFolder) throws -> (path: String, reason: [String]) {
        switch self {
        case .missing:
            return (folder.path("missing.sqlite"), ["no such file"])
        case .directory:
            let path = folder.path("a-folder.sqlite")
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            return (path, ["is a directory"])
        case .randomBytes:
            try folder.write("random.sqlite", BadInput.noise(count: 10_000, seed: 1))
            return (folder.path("random.sqlite"), ["not a SQLite database"])
        case .firstPageOnly:
            let whole = try #require(FileManager.default.contents(atPath: Repo.fixture("consistent-tip.sqlite")))
            try folder.write("first-page.sqlite", [UInt8](whole.prefix(4096)))
            return (folder.path("first-page.sqlite"), ["malformed", "corrupt"])
        case .cutInHalf:
            let whole = try #require(FileManager.default.contents(atPath: Repo.fixture("consistent-tip.sqlite")))
            try folder.write("half.sqlite", [UInt8](whole.prefix(whole.count / 2)))
            return (folder.path("half.sqlite"), ["malformed", "corrupt"])
        case .sqlcipherLike:
            // SQLCipher encrypts every page, header included: whole pages of noise.
            try folder.write("encrypted.sqlite", BadInput.noise(count: 4 * 4096, seed: 42))
            return (folder.path("encrypted.sqlite"), ["encrypted"])
        }
    }
}

@Suite("Bad input: each gets its documented exit code, one line naming the file and the problem, and no byte changed")
struct BadInputTests {

    // MARK: Not databases

    @Test("a missing path, a directory, random bytes, a truncated database, a database cut in half and an encrypted-looking file are unreadable (exit 3), for check and repair alike, and repair creates nothing",
          arguments: UnreadableInput.allCases, ["check", "repair"])
    func unreadableFiles(_ input: UnreadableInput, _ command: String) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (path, reason) = try input.make(in: folder)
        let before = BadInput.bytes(path)
        let listing = BadInput.listing(folder)
        let result = try CLI.run([command, path])
        BadInput.expectUnreadableLine(result, path: path, reason: reason)
        #expect(BadInput.bytes(path) == before)
        #expect(BadInput.listing(folder) == listing, "nothing (no backup, no audit, no new database) is created")
    }

    @Test("an empty (0-byte) file is what SQLite calls an empty database: diagnose says fresh, exit 0, and reads it without writing")
    func emptyFileDiagnose() throws {
        // Decision: SQLite opens a 0-byte file as a valid empty database, and sqlx would migrate it from
        // version 1, so `fresh` (exit 0) is the truthful verdict — not "unreadable".
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("empty.sqlite", [UInt8]())
        let path = folder.path("empty.sqlite")
        let result = try CLI.run(["diagnose", path])
        BadInput.expectVerdictLine(result, path: path, verdict: "fresh", exit: 0)
        let diagnosis = Repo.reconciler.diagnose(databaseAt: path)
        #expect(diagnosis.verdict == .fresh)
        #expect(diagnosis.exitCode == .ok)
        #expect(BadInput.bytes(path) == ["": Data()])
    }

    @Test("repair of an empty (0-byte) file writes nothing: the migrator creates the ledger, not the repair")
    func emptyFileRepair() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("empty.sqlite", [UInt8]())
        let path = folder.path("empty.sqlite")
        let result = try CLI.run(["repair", path])
        BadInput.expectVerdictLine(result, path: path, verdict: "fresh", exit: 0)
        let line = try #require(BadInput.resultLine(result))
        #expect(line.contains("nothing-to-do"))
        #expect(BadInput.bytes(path) == ["": Data()])
        #expect(BadInput.listing(folder) == ["empty.sqlite"])
    }

    @Test("a FIFO or a character device is not a database file: exit 3 promptly, never hang", arguments: ["fifo", "/dev/null"])
    func notARegularFile(_ kind: String) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path: String
        if kind == "fifo" {
            path = folder.path("pipe.sqlite")
            #expect(mkfifo(path, 0o644) == 0)
        } else {
            path = kind
        }
        let (result, timedOut) = try BadInput.runWithDeadline(["check", path], seconds: 8)
        #expect(!timedOut, "check \(path) did not finish within 8 s (killed); output: \(BadInput.all(result).debugDescription)")
        if timedOut { return }
        BadInput.expectUnreadableLine(result, path: path, reason: ["not a regular file", "not a database file"])
    }

    // MARK: Corrupt databases

    @Test("a valid database with a corrupt page: repair refuses after quick_check, exit 3, one line, no write and no backup",
          arguments: [(4, 2048, 2048), (5, 0, 100)])
    func corruptPageRepair(_ page: Int, _ offset: Int, _ count: Int) throws {
        // Page 4 is the `threads` table's b-tree (garbage over the middle of the page, where its cells are);
        // page 5 is an index b-tree (garbage over its page header).
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("behind-by-three.sqlite")
        try BadInput.corrupt(path, page: page, offset: offset, count: count)
        let before = BadInput.bytes(path)
        let result = try CLI.run(["repair", path])
        BadInput.expectUnreadableLine(result, path: path, reason: ["quick_check", "corrupt", "malformed"])
        #expect(BadInput.bytes(path) == before)
        #expect(BadInput.listing(folder) == ["behind-by-three.sqlite"])
        // The library says the same in one line.
        let outcome = Repo.reconciler.repair(databaseAt: path, options: RepairOptions(now: pinnedNow))
        #expect(outcome.exitCode == .unreadable)
        #expect(outcome.status == .failed)
        #expect(outcome.message.hasPrefix(path))
        #expect(!outcome.message.contains("\n"), "message spans lines: \(outcome.message.debugDescription)")
        #expect(BadInput.bytes(path) == before)
    }

    @Test("a valid database with a corrupt page: check does not promise that repair fixes it (exit 3, corrupt)",
          arguments: [(4, 2048, 2048), (5, 0, 100)])
    func corruptPageCheck(_ page: Int, _ offset: Int, _ count: Int) throws {
        // Judgement: `check` exit 1 means "repair fixes this", but repair refuses a corrupt file with exit 3.
        // DESIGN §5 lists corrupt files under `unreadable`; quick_check is read-only, so check can run it.
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("behind-by-three.sqlite")
        try BadInput.corrupt(path, page: page, offset: offset, count: count)
        let before = BadInput.bytes(path)
        let result = try CLI.run(["check", path])
        BadInput.expectUnreadableLine(result, path: path, reason: ["quick_check", "corrupt", "malformed"])
        #expect(BadInput.bytes(path) == before)
    }

    // MARK: Permissions and backups

    @Test("a read-only database file (0444): refused with exit 3 and unchanged — except as root, where permissions do not apply")
    func readOnlyFile() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("behind-by-three.sqlite")
        #expect(chmod(path, 0o444) == 0)
        defer { _ = chmod(path, 0o644) }
        let before = BadInput.bytes(path)
        let result = try CLI.run(["repair", "--no-backup", path])
        BadInput.expectNoCrash(result)
        if BadInput.isRoot {
            // Observed and accepted: root bypasses the mode bits (access(2) says writable), so the repair
            // proceeds like on any writable file, and leaves the mode as it was.
            #expect(result.exitCode == 0, "\(result.stdout)")
            #expect(BadInput.resultLine(result)?.contains("3 ledger write(s) committed") == true)
            var info = stat()
            #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o444)
        } else {
            #expect(result.exitCode == 3, "\(result.stdout)")
            let line = try #require(BadInput.resultLine(result))
            #expect(line.contains(path) && line.contains("read-only"), "\(line)")
            #expect(BadInput.bytes(path) == before)
        }
    }

    @Test("a read-only folder: repair refuses before touching the database (exit 3) — except as root")
    func readOnlyFolder() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("behind-by-three.sqlite")
        let before = BadInput.bytes(path)
        #expect(chmod(folder.url.path, 0o555) == 0)
        let result = try CLI.run(["repair", path])
        _ = chmod(folder.url.path, 0o755)
        BadInput.expectNoCrash(result)
        if BadInput.isRoot {
            // Observed and accepted: as root the folder is writable, so the backup and the repair succeed.
            #expect(result.exitCode == 0, "\(result.stdout)")
            #expect(BadInput.listing(folder).contains { $0.contains(".backup-") })
        } else {
            #expect(result.exitCode == 3, "\(result.stdout)")
            let line = try #require(BadInput.resultLine(result))
            #expect(line.contains(folder.url.path) && line.contains("read-only") || line.contains("not writable"), "\(line)")
            #expect(BadInput.bytes(path) == before)
            #expect(BadInput.listing(folder) == ["behind-by-three.sqlite"])
        }
    }

    @Test("--backup into a folder that does not exist: exit 3, the folder named, the database untouched")
    func backupFolderMissing() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("behind-by-three.sqlite")
        let before = BadInput.bytes(path)
        let backup = folder.path("no-such-folder/backup.sqlite")
        let result = try CLI.run(["repair", "--backup", backup, path])
        BadInput.expectVerdictLine(result, path: path, verdict: "behind", exit: 3, header: 1)
        let line = try #require(BadInput.resultLine(result))
        #expect(line.contains(folder.path("no-such-folder")) && line.contains("does not exist"), "\(line)")
        #expect(line.contains("not touched"), "\(line)")
        #expect(BadInput.bytes(path) == before)
        #expect(BadInput.listing(folder) == ["behind-by-three.sqlite"])
    }

    @Test("--backup onto an existing file: exit 3, refuses to overwrite it, neither file changed")
    func backupExists() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("behind-by-three.sqlite")
        try folder.write("precious.sqlite", "do not overwrite")
        let before = BadInput.bytes(path)
        let result = try CLI.run(["repair", "--backup", folder.path("precious.sqlite"), path])
        BadInput.expectVerdictLine(result, path: path, verdict: "behind", exit: 3, header: 1)
        let line = try #require(BadInput.resultLine(result))
        #expect(line.contains(folder.path("precious.sqlite")) && line.contains("already exists"), "\(line)")
        #expect(BadInput.bytes(path) == before)
        #expect(FileManager.default.contents(atPath: folder.path("precious.sqlite")) == Data("do not overwrite".utf8))
    }

    // MARK: Other processes

    @Test("locked by a writer (BEGIN EXCLUSIVE, rollback journal): repair --busy-timeout 200 exits 3 quickly, 'database is in use', bytes unchanged")
    func lockedByWriterRepair() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("behind-by-three.sqlite")
        // Bytes are read before the lock and after it: reading the file from this process while the holder
        // has its lock would drop the holder's POSIX locks (closing any descriptor on a file does that).
        let before = BadInput.bytes(path)
        let holder = try DatabaseQueue(path: path)
        try holder.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN EXCLUSIVE")
            let start = Date()
            let result = try CLI.run(["repair", "--busy-timeout", "200", path])
            #expect(Date().timeIntervalSince(start) < 10)
            BadInput.expectUnreadableLine(result, path: path, reason: ["database is in use (is the app running?)"])
            try db.execute(sql: "ROLLBACK")
        }
        try holder.close()
        #expect(BadInput.bytes(path) == before)
        #expect(BadInput.listing(folder) == ["behind-by-three.sqlite"])
    }

    @Test("locked by a writer: check gives up after its bounded default timeout with exit 3, never waits forever")
    func lockedByWriterCheck() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("behind-by-three.sqlite")
        let before = BadInput.bytes(path)
        let holder = try DatabaseQueue(path: path)
        try holder.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN EXCLUSIVE")
            let (result, timedOut) = try BadInput.runWithDeadline(["check", path], seconds: 20)
            #expect(!timedOut)
            BadInput.expectUnreadableLine(result, path: path, reason: ["database is in use (is the app running?)"])
            try db.execute(sql: "ROLLBACK")
        }
        try holder.close()
        #expect(BadInput.bytes(path) == before)
    }

    @Test("locked by a writer in WAL mode: readers pass, the write times out, exit 3 'database is in use', database and -wal unchanged")
    func lockedByWriterWAL() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("wal-behind.sqlite")
        let holder = try DatabaseQueue(path: path)
        try holder.writeWithoutTransaction { db in
            // The running app has committed work still in its WAL, then holds the write lock.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
            try db.execute(sql: "INSERT INTO settings (key, value, updated_at) VALUES ('app-running', 'yes', 1)")
            try db.execute(sql: "BEGIN EXCLUSIVE")
            let before = try BadInput.digestsFromAnotherProcess(path)
            #expect(before["-wal"] != nil)
            let result = try CLI.run(["repair", "--busy-timeout", "200", path])
            BadInput.expectVerdictLine(result, path: path, verdict: "behind", exit: 3, header: 1)
            let line = try #require(BadInput.resultLine(result))
            #expect(line.contains(path) && line.contains("database is in use (is the app running?)"), "\(line)")
            #expect(try BadInput.digestsFromAnotherProcess(path) == before)
            try db.execute(sql: "ROLLBACK")
        }
        try holder.close()
    }

    @Test("an open read transaction in WAL mode: diagnose succeeds, repair succeeds, and the reader keeps its snapshot until it ends")
    func walReader() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("wal-behind.sqlite")
        let reader = try DatabaseQueue(path: path)
        try reader.inDatabase { db in
            try db.execute(sql: "BEGIN DEFERRED")
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM _sqlx_migrations") == 20)
            let diagnose = try CLI.run(["diagnose", path])
            BadInput.expectVerdictLine(diagnose, path: path, verdict: "behind", exit: 1)
            let repair = try CLI.run(["repair", "--busy-timeout", "200", path])
            BadInput.expectVerdictLine(repair, path: path, verdict: "behind", exit: 0, header: 1)
            #expect(BadInput.resultLine(repair)?.contains("3 ledger write(s) committed") == true, "\(repair.stdout)")
            // Still inside its read transaction: the reader's view does not move.
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM _sqlx_migrations") == 20)
            try db.execute(sql: "COMMIT")
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM _sqlx_migrations") == 23)
        }
        try reader.close()
        #expect(try BadInput.sqlxAccepts(path))
    }

    // MARK: Crashed apps

    /// Copies `wal-behind.sqlite` with its -wal while an "app" has committed `write` into the WAL and not
    /// checkpointed: the copy is what a SIGKILLed app leaves behind (database + -wal, no -shm).
    static func crashedWAL(in folder: TemporaryFolder, _ write: (Database) throws -> Void) throws -> String {
        let source = try folder.copyFixture("wal-behind.sqlite")
        let crashed = folder.path("crashed.sqlite")
        let app = try DatabaseQueue(path: source)
        try app.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
            try db.inTransaction {
                try write(db)
                return .commit
            }
            try FileManager.default.copyItem(atPath: source, toPath: crashed)
            try FileManager.default.copyItem(atPath: source + "-wal", toPath: crashed + "-wal")
        }
        try app.close()
        return crashed
    }

    @Test("a stale -wal from a crashed app holding ledger rows 21–23: its content is read (consistent, exit 0), nothing written")
    func staleWALComplete() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try Self.crashedWAL(in: folder) { db in
            for version in Int64(21)...23 { try BadInput.ledgerInsert(version, in: db) }
        }
        let before = BadInput.bytes(path)
        #expect((before["-wal"]?.count ?? 0) > 0)
        let check = try CLI.run(["check", path])
        BadInput.expectVerdictLine(check, path: path, verdict: "consistent", exit: 0)
        #expect(BadInput.bytes(path) == before)
        let repair = try CLI.run(["repair", path])
        BadInput.expectVerdictLine(repair, path: path, verdict: "consistent", exit: 0)
        #expect(BadInput.resultLine(repair)?.contains("nothing-to-do") == true)
        #expect(BadInput.bytes(path) == before)
    }

    @Test("a stale -wal holding part of the story (row 21 and a user row): check exits 1 without writing; repair keeps the WAL's rows")
    func staleWALPartial() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try Self.crashedWAL(in: folder) { db in
            try BadInput.ledgerInsert(21, in: db)
            try db.execute(sql: "INSERT INTO settings (key, value, updated_at) VALUES ('written-before-crash', 'yes', 1)")
        }
        let before = BadInput.bytes(path)
        let check = try CLI.run(["check", path])
        BadInput.expectVerdictLine(check, path: path, verdict: "behind", exit: 1)
        #expect(check.stdout.contains("22, 23"), "\(check.stdout)")
        #expect(BadInput.bytes(path) == before)
        let repair = try CLI.run(["repair", path])
        BadInput.expectVerdictLine(repair, path: path, verdict: "behind", exit: 0, header: 1)
        #expect(BadInput.resultLine(repair)?.contains("2 ledger write(s) committed") == true, "\(repair.stdout)")
        let queue = try DatabaseQueue(path: path)
        let kept = try queue.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = 'written-before-crash'")
        }
        try queue.close()
        #expect(kept == "yes")
        #expect(try BadInput.sqlxAccepts(path))
    }

    @Test("a garbage -wal beside a WAL database is ignored as SQLite ignores it: behind, exit 1, database and -wal unchanged")
    func garbageWAL() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("wal-behind.sqlite")
        try folder.write("wal-behind.sqlite-wal", BadInput.noise(count: 8192, seed: 7))
        let before = BadInput.bytes(path)
        let result = try CLI.run(["check", path])
        BadInput.expectVerdictLine(result, path: path, verdict: "behind", exit: 1)
        #expect(BadInput.bytes(path) == before)
    }

    /// Copies `behind-by-three.sqlite` and its rollback journal while a write transaction has spilled pages
    /// into the database file: the copy has a hot journal, as a writer killed mid-transaction leaves it.
    static func hotJournal(in folder: TemporaryFolder) throws -> String {
        let source = try folder.copyFixture("behind-by-three.sqlite")
        let target = folder.path("hot.sqlite")
        let writer = try DatabaseQueue(path: source)
        try writer.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = DELETE")
            try db.execute(sql: "PRAGMA cache_size = 2")
            try db.execute(sql: "BEGIN IMMEDIATE")
            for index in 0..<300 {
                try db.execute(sql: "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, 1)",
                               arguments: ["spill-\(index)", String(repeating: "x", count: 500)])
            }
            try FileManager.default.copyItem(atPath: source, toPath: target)
            try FileManager.default.copyItem(atPath: source + "-journal", toPath: target + "-journal")
            try db.execute(sql: "ROLLBACK")
        }
        try writer.close()
        try FileManager.default.removeItem(atPath: source)
        return target
    }

    @Test("a hot rollback journal from a crashed writer: diagnose (read-only) exits 3 and says a hot journal must be rolled back; nothing changed")
    func hotJournalDiagnose() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try Self.hotJournal(in: folder)
        let before = BadInput.bytes(path)
        #expect((before["-journal"]?.count ?? 0) > 512, "the copy should have a hot journal")
        let result = try CLI.run(["diagnose", path])
        // The file and folder are writable: "read-only" would send the user looking in the wrong place.
        BadInput.expectUnreadableLine(result, path: path, reason: ["hot journal", "journal"])
        #expect(BadInput.bytes(path) == before)
        #expect(BadInput.listing(folder) == ["hot.sqlite", "hot.sqlite-journal"])
    }

    @Test("a hot rollback journal: repair either refuses unchanged (exit 3) or rolls the crashed transaction back as SQLite does, says so, and repairs")
    func hotJournalRepair() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try Self.hotJournal(in: folder)
        let before = BadInput.bytes(path)
        let result = try CLI.run(["repair", path])
        BadInput.expectNoCrash(result)
        if result.exitCode == 3 {
            BadInput.expectUnreadableLine(result, path: path, reason: ["journal"])
            #expect(BadInput.bytes(path) == before)
        } else {
            // Rolling back a hot journal is what any SQLite connection (the app's included) does first.
            BadInput.expectVerdictLine(result, path: path, verdict: "behind", exit: 0, header: 1)
            let line = try #require(BadInput.resultLine(result))
            #expect(line.contains("rolled back"), "\(line)")
            #expect(!FileManager.default.fileExists(atPath: path + "-journal"))
            let queue = try DatabaseQueue(path: path)
            let spilled = try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM settings WHERE key LIKE 'spill-%'") }
            try queue.close()
            #expect(spilled == 0, "the crashed transaction's rows must be gone")
            #expect(try BadInput.sqlxAccepts(path))
        }
    }

    // MARK: Migration folders

    enum MigrationDefect: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case folderMissing, folderEmpty, onlyOtherFiles, pathIsAFile, duplicateVersions, unparsableVersion,
             versionOverflow, notUTF8, failsToReplay, brokenSymlink

        var testDescription: String { rawValue }

        /// Builds the folder; returns the `--migrations` argument, the path the message must name and the problem.
        func make(in folder: TemporaryFolder) throws -> (argument: String, names: String, problem: String) {
            let dir = folder.url.appendingPathComponent("migrations")
            func file(_ name: String, _ bytes: [UInt8]) throws -> String {
                let url = dir.appendingPathComponent(name)
                try Data(bytes).write(to: url)
                return url.path
            }
            if self != .folderMissing && self != .pathIsAFile {
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            }
            switch self {
            case .folderMissing:
                return (dir.path, dir.path, "migration folder does not exist")
            case .folderEmpty:
                return (dir.path, dir.path, "no migration files")
            case .onlyOtherFiles:
                _ = try file("README.md", Array("notes".utf8))
                _ = try file("schema.sql", Array("CREATE TABLE a(x);".utf8))
                return (dir.path, dir.path, "no migration files")
            case .pathIsAFile:
                try Data("x".utf8).write(to: dir)
                return (dir.path, dir.path, "not a folder")
            case .duplicateVersions:
                _ = try file("1_a.sql", Array("CREATE TABLE a(x);".utf8))
                let second = try file("01_b.sql", Array("CREATE TABLE b(x);".utf8))
                return (dir.path, second, "version 1 is used by more than one file")
            case .unparsableVersion:
                _ = try file("1_a.sql", Array("CREATE TABLE a(x);".utf8))
                let bad = try file("v2_b.sql", Array("CREATE TABLE b(x);".utf8))
                return (dir.path, bad, "version prefix \"v2\" is not an integer")
            case .versionOverflow:
                let bad = try file("99999999999999999999_a.sql", Array("CREATE TABLE a(x);".utf8))
                return (dir.path, bad, "is not an integer")
            case .notUTF8:
                _ = try file("1_a.sql", Array("CREATE TABLE a(x);".utf8))
                let bad = try file("2_b.sql", Array("CREATE TABLE b(x); -- caf".utf8) + [0xE9, 0x0A])
                return (dir.path, bad, "not valid UTF-8")
            case .failsToReplay:
                _ = try file("1_a.sql", Array("CREATE TABLE a(x);".utf8))
                let bad = try file("2_b.sql", Array("CREATE TABL b(x);".utf8))
                return (dir.path, bad, "version 2 failed to replay")
            case .brokenSymlink:
                _ = try file("1_a.sql", Array("CREATE TABLE a(x);".utf8))
                let link = dir.appendingPathComponent("2_b.sql").path
                try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: folder.path("nowhere.sql"))
                return (dir.path, link, "broken symbolic link")
            }
        }
    }

    @Test("an invalid migration folder is exit 64 with one line on stderr naming the folder or file at fault, and no database is opened",
          arguments: MigrationDefect.allCases)
    func invalidMigrations(_ defect: MigrationDefect) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (argument, names, problem) = try defect.make(in: folder)
        let database = try folder.copyFixture("fresh.sqlite")
        let before = BadInput.bytes(database)
        // A migration that fails to replay invalidates the set for `fingerprint`; databases whose evidence
        // lies before it are still diagnosed (HistoryModelTests), so only fingerprint is a usage error then.
        let invocations = defect == .failsToReplay ? [["fingerprint", "--migrations", argument]]
            : ["check", "repair"].map { [$0, "--migrations", argument, database] }
        for arguments in invocations {
            let result = try CLI.run(arguments)
            BadInput.expectUsageLine(result, naming: names, problem: problem)
        }
        #expect(BadInput.bytes(database) == before)
    }

    // MARK: Odd ledgers

    /// SQL that rebuilds the default ledger with other column types and values.
    static func rebuildLedger(versionType: String, nullable: Bool, checksumType: String, version: String,
                              checksum: String) -> String {
        let notNull = nullable ? "" : "NOT NULL"
        return """
            ALTER TABLE _sqlx_migrations RENAME TO old_ledger;
            CREATE TABLE _sqlx_migrations (version \(versionType) PRIMARY KEY, description TEXT NOT NULL,
                installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, success BOOLEAN \(notNull),
                checksum \(checksumType) \(notNull), execution_time BIGINT NOT NULL);
            INSERT INTO _sqlx_migrations SELECT \(version), description, installed_on, success, \(checksum), execution_time
                FROM old_ledger;
            DROP TABLE old_ledger;
            """
    }

    @Test("a ledger with version TEXT and hex TEXT checksums: malformed-ledger, exit 2, repair refuses and writes nothing")
    func ledgerTextColumns() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let sql = Self.rebuildLedger(versionType: "TEXT", nullable: false, checksumType: "TEXT", version: "CAST(version AS TEXT)", checksum: "hex(checksum)")
        let path = try BadInput.variant(of: "consistent-v20.sqlite", in: folder, sql)
        let before = BadInput.bytes(path)
        let check = try CLI.run(["check", path])
        BadInput.expectVerdictLine(check, path: path, verdict: "malformed-ledger", exit: 2)
        #expect(check.stdout.contains("stored as text"), "\(check.stdout)")
        let repair = try CLI.run(["repair", path])
        BadInput.expectVerdictLine(repair, path: path, verdict: "malformed-ledger", exit: 2)
        #expect(BadInput.resultLine(repair)?.contains("refused") == true, "\(repair.stdout)")
        #expect(BadInput.bytes(path) == before)
        #expect(BadInput.listing(folder) == ["consistent-v20.sqlite"])
    }

    @Test("a ledger whose checksums are hex TEXT: checksum drift, exit 1; repair restamps them as BLOBs and sqlx accepts it")
    func ledgerTextChecksums() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let sql = Self.rebuildLedger(versionType: "BIGINT", nullable: false, checksumType: "TEXT", version: "version", checksum: "lower(hex(checksum))")
        let path = try BadInput.variant(of: "consistent-v20.sqlite", in: folder, sql)
        let before = BadInput.bytes(path)
        let diagnose = try CLI.run(["diagnose", path])
        BadInput.expectVerdictLine(diagnose, path: path, verdict: "checksum-drift", exit: 1)
        #expect(diagnose.stdout.contains("checksum stored as TEXT"), "\(diagnose.stdout)")
        #expect(BadInput.bytes(path) == before)
        let repair = try CLI.run(["repair", "--no-backup", path])
        #expect(repair.exitCode == 0, "\(repair.stdout)")
        #expect(try BadInput.sqlxAccepts(path))
        #expect(try CLI.run(["check", path]).exitCode == 0)
    }

    @Test("NULL in success and in checksum: exit 1 naming both problems; repair fixes both and sqlx accepts it")
    func ledgerNulls() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let sql = Self.rebuildLedger(versionType: "BIGINT", nullable: true, checksumType: "BLOB", version: "version", checksum: "checksum")
            + "UPDATE _sqlx_migrations SET success = NULL WHERE version = 5; UPDATE _sqlx_migrations SET checksum = NULL WHERE version = 7;"
        let path = try BadInput.variant(of: "consistent-v20.sqlite", in: folder, sql)
        let before = BadInput.bytes(path)
        let diagnose = try CLI.run(["diagnose", path])
        BadInput.expectVerdictLine(diagnose, path: path, verdict: "checksum-drift", exit: 1)
        #expect(diagnose.stdout.contains("success is NULL") && diagnose.stdout.contains("checksum is NULL"), "\(diagnose.stdout)")
        #expect(BadInput.bytes(path) == before)
        let repair = try CLI.run(["repair", "--no-backup", path])
        #expect(repair.exitCode == 0, "\(repair.stdout)")
        #expect(try BadInput.sqlxAccepts(path))
    }

    @Test("a negative version in the ledger is an unknown version: exit 2, kept by repair, nothing written")
    func ledgerNegativeVersion() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try BadInput.variant(of: "consistent-v20.sqlite", in: folder, """
            INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (-5, 'negative', 1, x'00', 1)
            """)
        let before = BadInput.bytes(path)
        let check = try CLI.run(["check", path])
        BadInput.expectVerdictLine(check, path: path, verdict: "unknown-versions", exit: 2)
        #expect(check.stdout.contains("-5"), "\(check.stdout)")
        let repair = try CLI.run(["repair", path])
        #expect(repair.exitCode == 2, "\(repair.stdout)")
        #expect(BadInput.bytes(path) == before)
        #expect(BadInput.listing(folder) == ["consistent-v20.sqlite"])
    }

    @Test("a ledger without its checksum column: malformed-ledger, exit 2, the column named, nothing written")
    func ledgerMissingChecksumColumn() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try BadInput.variant(of: "consistent-v20.sqlite", in: folder, "ALTER TABLE _sqlx_migrations DROP COLUMN checksum")
        let before = BadInput.bytes(path)
        let check = try CLI.run(["check", path])
        BadInput.expectVerdictLine(check, path: path, verdict: "malformed-ledger", exit: 2)
        #expect(check.stdout.contains("no checksum column"), "\(check.stdout)")
        let repair = try CLI.run(["repair", path])
        #expect(repair.exitCode == 2, "\(repair.stdout)")
        #expect(BadInput.bytes(path) == before)
    }

    @Test("a ledger without its execution_time column: sqlx's next INSERT fails, so check says malformed-ledger (exit 2) and repair refuses",
          arguments: ["consistent-v20.sqlite", "behind-by-three.sqlite"])
    func ledgerMissingExecutionTime(_ fixture: String) throws {
        // sqlx inserts (version, description, success, checksum, execution_time) for every migration it
        // applies; without the column the app cannot apply 21+ (v20) or the repair itself fails (behind).
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try BadInput.variant(of: fixture, in: folder, "ALTER TABLE _sqlx_migrations DROP COLUMN execution_time")
        let before = BadInput.bytes(path)
        let check = try CLI.run(["check", path])
        BadInput.expectVerdictLine(check, path: path, verdict: "malformed-ledger", exit: 2)
        #expect(check.stdout.contains("execution_time"), "\(check.stdout)")
        let repair = try CLI.run(["repair", path])
        #expect(repair.exitCode == 2, "\(repair.stdout)")
        #expect(BadInput.bytes(path) == before)
    }

    @Test("a ledger name that needs quoting (--table '\"my ledger\"'): read, repaired and re-checked under that name")
    func quotedLedgerName() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try BadInput.variant(of: "behind-by-three.sqlite", in: folder,
                                        #"ALTER TABLE _sqlx_migrations RENAME TO "my ledger""#)
        let check = try CLI.run(["check", "--table", #""my ledger""#, path])
        BadInput.expectVerdictLine(check, path: path, verdict: "behind", exit: 1)
        let repair = try CLI.run(["repair", "--no-backup", "--table", #""my ledger""#, path])
        #expect(repair.exitCode == 0, "\(repair.stdout)")
        let again = try CLI.run(["check", "--table", #""my ledger""#, path])
        BadInput.expectVerdictLine(again, path: path, verdict: "consistent", exit: 0)
        let queue = try DatabaseQueue(path: path)
        let versions = try queue.read { db in try Int64.fetchAll(db, sql: #"SELECT version FROM "my ledger" WHERE version > 20 ORDER BY 1"#) }
        try queue.close()
        #expect(versions == [21, 22, 23])
    }

    @Test("the same name unquoted (--table 'my ledger') is a usage error: exit 64, one line naming the name")
    func unquotedLedgerNameWithSpace() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("fresh.sqlite")
        let result = try CLI.run(["check", "--table", "my ledger", path])
        BadInput.expectUsageLine(result, naming: "my ledger", problem: "is not a single SQL identifier")
    }

    // MARK: Size

    @Test("a 20 MB migration file (one CREATE and 20 MB of comments): checked and repaired, with sqlx's checksum of the whole file")
    func hugeCommentMigration() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let migrations = folder.url.appendingPathComponent("migrations")
        try FileManager.default.createDirectory(at: migrations, withIntermediateDirectories: true)
        let line = "-- " + String(repeating: "x", count: 76) + "\n"
        let text = "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);\n" + String(repeating: line, count: 20 * 1024 * 1024 / line.utf8.count)
        let file = migrations.appendingPathComponent("1_create.sql")
        try Data(text.utf8).write(to: file)
        let path = folder.path("db.sqlite")
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)") }
        try queue.close()
        let check = try CLI.run(["check", "--migrations", migrations.path, path])
        BadInput.expectVerdictLine(check, path: path, verdict: "no-ledger", exit: 1)
        let repair = try CLI.run(["repair", "--no-backup", "--migrations", migrations.path, path])
        #expect(repair.exitCode == 0, "\(repair.stdout)")
        let reopened = try DatabaseQueue(path: path)
        let checksum = try reopened.read { db in try Data.fetchOne(db, sql: "SELECT checksum FROM _sqlx_migrations WHERE version = 1") }
        try reopened.close()
        #expect(checksum.map { Digest(bytes: [UInt8]($0)).hex } == (try sha384sum(file)))
    }

    @Test("a 20 MB migration of INSERTs replays and the database is diagnosed (silent data migration: no-ledger at 1…2, exit 1)")
    func hugeInsertMigration() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let migrations = folder.url.appendingPathComponent("migrations")
        try FileManager.default.createDirectory(at: migrations, withIntermediateDirectories: true)
        try Data("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);\n".utf8).write(to: migrations.appendingPathComponent("1_create.sql"))
        var text = ""
        text.reserveCapacity(21 * 1024 * 1024)
        var index = 0
        while text.utf8.count < 20 * 1024 * 1024 {
            text += "INSERT INTO t(v) VALUES ('row \(index) padding padding padding padding');\n"
            index += 1
        }
        try Data(text.utf8).write(to: migrations.appendingPathComponent("2_data.sql"))
        let path = folder.path("db.sqlite")
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)") }
        try queue.close()
        let before = BadInput.bytes(path)
        // A hang guard, not a speed claim (Benchmarks/ measures speed): far above a loaded machine's time.
        let (check, timedOut) = try BadInput.runWithDeadline(["check", "--migrations", migrations.path, path], seconds: 600)
        #expect(!timedOut)
        BadInput.expectVerdictLine(check, path: path, verdict: "no-ledger", exit: 1)
        #expect(BadInput.bytes(path) == before)
    }

    @Test("10,000 foreign objects (5,000 tables + 5,000 indexes no migration creates): diagnosed as consistent with foreign objects, exit 0")
    func tenThousandObjects() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.copyFixture("consistent-tip.sqlite")
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            for index in 0..<5000 {
                try db.execute(sql: """
                    CREATE TABLE app_extra_\(index) (id INTEGER PRIMARY KEY, v TEXT);
                    CREATE INDEX app_extra_\(index)_v ON app_extra_\(index)(v);
                    """)
            }
        }
        try queue.close()
        let before = BadInput.bytes(path)
        // A hang guard, not a speed claim (Benchmarks/ measures speed).
        let (result, timedOut) = try BadInput.runWithDeadline(["check", path], seconds: 600)
        #expect(!timedOut)
        BadInput.expectVerdictLine(result, path: path, verdict: "consistent", exit: 0)
        #expect(result.stdout.contains("10000 object(s)"), "\(result.stdout.prefix(300))")
        #expect(BadInput.bytes(path) == before)
    }
}
