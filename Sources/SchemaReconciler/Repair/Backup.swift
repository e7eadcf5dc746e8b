import Foundation
import GRDB

/// A verified copy of a database, made with SQLite's online backup API (WAL content included).
///
/// ```swift
/// let backup = try Backup.make(of: source, at: "state.sqlite.backup-20261125T101500Z.sqlite")
/// ```
enum Backup {
    /// Why a backup could not be made; the database has not been touched.
    struct Failure: Error, CustomStringConvertible {
        let description: String
        /// What SQLite said, when it said something (its extended result code travels to the app).
        var sqlite: DatabaseFailure? = nil
    }

    /// The default backup path beside `databasePath`, named with a UTC timestamp, not yet existing.
    static func defaultPath(for databasePath: String, at date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let stamp = formatter.string(from: date)
        var candidate = "\(databasePath).backup-\(stamp).sqlite"
        var counter = 1
        while FileManager.default.fileExists(atPath: candidate) {
            candidate = "\(databasePath).backup-\(stamp)-\(counter).sqlite"
            counter += 1
        }
        return candidate
    }

    /// The folder holding `path` (`.` for a bare file name).
    static func folder(of path: String) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        return folder.isEmpty ? "." : folder
    }

    /// Refuses early when the backup cannot be written, before the database is opened for writing.
    static func checkWritable(_ path: String) throws {
        if FileManager.default.fileExists(atPath: path) {
            throw Failure(description: "\(path): backup file already exists (refusing to overwrite it)")
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

    /// Copies `source` to `path`, then checks the copy: `integrity_check` must say ok and its schema
    /// and ledger must hash to what the plan was made from.
    static func make(of source: DatabaseQueue, at path: String, expected: DatabaseObservation,
                     reconciler: Reconciler) throws {
        do {
            let destination = try HardenedDatabase.open(path: path, access: .readWrite)
            try source.backup(to: destination)
            try destination.close()
        } catch {
            remove(path)
            throw Failure(description: "backup to \(path) failed: \(DatabaseFileError.describe(error, path: path))",
                          sqlite: DatabaseFailure(error, path: path))
        }
        let integrity: [String], copy: DatabaseObservation
        do {
            let verified = try HardenedDatabase.open(path: path, access: .readOnly)
            defer { try? verified.close() }
            (integrity, copy) = try verified.read { db in
                (try String.fetchAll(db, sql: "PRAGMA integrity_check"),
                 try DatabaseObservation.read(db, ledger: reconciler.ledger, options: reconciler.snapshotOptions,
                                              known: reconciler.timeline.knownObjects))
            }
        } catch {
            remove(path)
            throw Failure(description: "backup \(path) could not be verified: \(DatabaseFileError.describe(error, path: path))",
                          sqlite: DatabaseFailure(error, path: path))
        }
        guard integrity == ["ok"] else {
            remove(path)
            throw Failure(description: "\(path): backup failed integrity_check: \(integrity.prefix(3).joined(separator: "; "))")
        }
        guard copy.snapshot.hash == expected.snapshot.hash, copy.ledgerDigest == expected.ledgerDigest else {
            remove(path)
            throw Failure(description: "\(path): backup does not match the database (it changed during the backup?)")
        }
    }

    /// Removes a backup that failed, with any side files SQLite left beside it.
    private static func remove(_ path: String) {
        for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}
