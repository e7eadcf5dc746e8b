import CSQLiteHardening
import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A verified copy of a database, made with SQLite's online backup API (WAL content included).
///
/// The copy is written under a temporary name beside its final one (never ending in `.sqlite`),
/// created with `O_EXCL | O_NOFOLLOW` and the database's permission bits, verified, flushed to disk
/// and only then renamed into place, without replacing anything. A half-written backup therefore
/// never sits under a name that looks like a backup.
///
/// ```swift
/// try Backup.make(of: "state.sqlite", at: "state.sqlite.backup-20261125T101500Z.sqlite",
///                 expected: observation, reconciler: reconciler)
/// ```
enum Backup {
    /// Why a backup could not be made; the database has not been touched.
    struct Failure: Error, CustomStringConvertible {
        let description: String
        /// What SQLite said, when it said something (its extended result code travels to the app).
        var sqlite: DatabaseFailure? = nil
    }

    /// Pages copied per backup step: small enough that a signal or a pause point lands mid-copy.
    static let pagesPerStep: CInt = 4096

    /// The default backup path beside `databasePath`, named with a UTC timestamp: neither it nor its
    /// audit record's name exists yet, not even as a dangling link.
    static func defaultPath(for databasePath: String, at date: Date) -> String {
        let stamp = timestamp(date)
        var candidate = "\(databasePath).backup-\(stamp).sqlite"
        var counter = 1
        // A name whose audit name or SQLite side files exist is skipped: a planted `-journal` would be
        // replayed into the backup the day someone opens it.
        func taken(_ name: String) -> Bool {
            ([name, auditPath(forBackup: name)] + sideFileSuffixes.map { name + $0 }).contains(where: ExclusiveFile.entryExists)
        }
        while taken(candidate) {
            candidate = "\(databasePath).backup-\(stamp)-\(counter).sqlite"
            counter += 1
        }
        return candidate
    }

    /// Where the audit record of a repair goes: beside its backup, or beside the database when there
    /// is no backup (`<db>.repair-<UTC time>.audit.json`, a name that does not exist yet).
    static func auditPath(forBackup backupPath: String) -> String { backupPath + ".audit.json" }

    static func auditPath(withoutBackupFor databasePath: String, at date: Date) -> String {
        let stamp = timestamp(date)
        var candidate = "\(databasePath).repair-\(stamp).audit.json"
        var counter = 1
        while ExclusiveFile.entryExists(candidate) {
            candidate = "\(databasePath).repair-\(stamp)-\(counter).audit.json"
            counter += 1
        }
        return candidate
    }

    private static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }

    /// The folder holding `path` (`.` for a bare file name).
    static func folder(of path: String) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        return folder.isEmpty ? "." : folder
    }

    /// SQLite's side files: a file with one of these names may be deleted or replayed by SQLite.
    static let sideFileSuffixes = ["-journal", "-wal", "-shm"]

    /// Refuses early when the backup cannot be written at `path`, before the database is opened for
    /// writing: something already there (a file, a link, a directory), an audit record already at its
    /// audit name, a SQLite side-file name, or a missing or read-only folder.
    static func checkWritable(_ path: String, database: String) throws {
        if let kind = ExclusiveFile.entryKind(path) {
            switch kind {
            case S_IFLNK: throw Failure(description: "\(path): backup path is a symbolic link (refusing to follow it)")
            case S_IFDIR: throw Failure(description: "\(path): backup path is a directory; name a file that does not exist")
            default: throw Failure(description: "\(path): backup file already exists (refusing to overwrite it)")
            }
        }
        let audit = auditPath(forBackup: path)
        if ExclusiveFile.entryExists(audit) {
            throw Failure(description: "\(audit): audit record already exists (refusing to overwrite it); choose another backup name")
        }
        if let suffix = sideFileSuffixes.first(where: { path.hasSuffix($0) }) {
            throw Failure(description: "\(path): a name ending in \(suffix) is a SQLite side file, which SQLite may delete or replay; choose another backup name")
        }
        for suffix in sideFileSuffixes where ExclusiveFile.entryExists(path + suffix) {
            throw Failure(description: "\(path + suffix) exists: SQLite would take it as the backup's own \(suffix) file; choose another backup name")
        }
        let folderPath = folder(of: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folderPath, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw Failure(description: "\(folderPath): backup folder does not exist")
        }
        guard FileManager.default.isWritableFile(atPath: folderPath) else {
            throw Failure(description: "\(folderPath): backup folder is not writable; pass --backup PATH elsewhere")
        }
    }

    /// Copies the database at `databasePath` to `path`, then checks the copy: `integrity_check` must say
    /// ok and its schema and ledger must hash to what the plan was made from.
    ///
    /// The caller holds the database's write lock (`BEGIN IMMEDIATE`) on another connection, so the
    /// copy is exactly what the transaction starts from. SQLite's backup API cannot read from a
    /// connection inside a write transaction, so the copy is read through a read-only connection of
    /// this process, which the write lock lets read and no one else can change under.
    static func make(of databasePath: String, at path: String, expected: DatabaseObservation,
                     reconciler: Reconciler, busyTimeout: TimeInterval) throws {
        let temporary = ExclusiveFile.temporaryName(for: path)
        let file: ExclusiveFile
        do {
            file = try ExclusiveFile.create(at: temporary, mode: ExclusiveFile.modeBits(of: databasePath))
        } catch let failure as ExclusiveFile.Failure {
            throw Failure(description: "backup to \(path) failed: \(failure.description)")
        }
        let slot = temporary.withCString { sr_register_temporary_file($0) }
        defer { sr_forget_temporary_file(slot) }
        do {
            try copy(from: databasePath, to: temporary, busyTimeout: busyTimeout, finalPath: path)
            try verify(temporary, finalPath: path, expected: expected, reconciler: reconciler)
            guard file.isStillAt(temporary) else {
                throw Failure(description: "backup to \(path) failed: \(temporary) was replaced while it was written")
            }
            do {
                try file.synchronize()
                file.close()
                try ExclusiveFile.move(temporary, toNew: path)
            } catch let failure as ExclusiveFile.Failure {
                throw Failure(description: "backup to \(path) failed: \(failure.description)")
            }
        } catch {
            file.close()
            remove(temporary)
            throw error
        }
    }

    /// The online backup, page by page, into the (empty) temporary file.
    private static func copy(from databasePath: String, to temporary: String, busyTimeout: TimeInterval,
                             finalPath: String) throws {
        var systemError: Int32 = 0
        do {
            let source = try HardenedDatabase.open(path: databasePath, access: .readOnly, busyTimeout: busyTimeout)
            defer { try? source.close() }
            let destination = try HardenedDatabase.open(path: temporary, access: .readWrite)
            defer { try? destination.close() }
            try source.read { sourceDB in
                try destination.writeWithoutTransaction { destinationDB in
                    do {
                        // The copy is a new, disposable file: its journal stays in memory, never beside it
                        // (defensive mode refuses journal_mode = OFF).
                        try destinationDB.execute(sql: "PRAGMA journal_mode = MEMORY")
                        var paused = false
                        try sourceDB.backup(to: destinationDB, pagesPerStep: pagesPerStep) { progress in
                            if !progress.isCompleted && !paused {
                                paused = true
                                FaultInjection.pause(at: .duringBackup)
                            }
                        }
                        // A WAL database's header says WAL; the copy is one self-contained file instead,
                        // which opening never gives a -wal or -shm.
                        try destinationDB.execute(sql: "PRAGMA journal_mode = DELETE")
                    } catch {
                        systemError = sqlite3_system_errno(destinationDB.sqliteConnection)
                        throw error
                    }
                }
            }
        } catch {
            throw Failure(description: "backup to \(finalPath) failed: \(reason(error, systemError: systemError, path: temporary))",
                          sqlite: DatabaseFailure(error, path: temporary))
        }
    }

    private static func verify(_ temporary: String, finalPath path: String, expected: DatabaseObservation,
                               reconciler: Reconciler) throws {
        let integrity: [String], copy: DatabaseObservation
        do {
            let verified = try HardenedDatabase.open(path: temporary, access: .readOnly)
            defer { try? verified.close() }
            (integrity, copy) = try verified.read { db in
                (try String.fetchAll(db, sql: "PRAGMA integrity_check"),
                 try reconciler.observe(db))
            }
        } catch {
            throw Failure(description: "backup \(path) could not be verified: \(DatabaseFileError.describe(error, path: temporary))",
                          sqlite: DatabaseFailure(error, path: temporary))
        }
        guard integrity == ["ok"] else {
            throw Failure(description: "\(path): backup failed integrity_check: \(integrity.prefix(3).joined(separator: "; "))")
        }
        guard copy.snapshot.hash == expected.snapshot.hash, copy.ledgerDigest == expected.ledgerDigest else {
            throw Failure(description: "\(path): backup does not match the database (it changed during the backup?)")
        }
    }

    /// A write error in words: a file-size limit or a full disk named as such (SQLite reports both as
    /// a generic I/O or full-disk error; the system error says which).
    private static func reason(_ error: any Error, systemError: Int32, path: String) -> String {
        if systemError == EFBIG || systemError == ENOSPC || systemError == EDQUOT {
            return "\(path): \(ExclusiveFile.Failure.reason(systemError))"
        }
        return DatabaseFileError.describe(error, path: path)
    }

    /// Removes a temporary copy that failed, with any side files SQLite left beside it.
    private static func remove(_ path: String) {
        for suffix in [""] + sideFileSuffixes { unlink(path + suffix) }
    }
}
