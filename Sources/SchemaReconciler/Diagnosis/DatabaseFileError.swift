import Foundation
import GRDB

/// Why a database file could not be read or written, in words a person can act on.
///
/// ```swift
/// let reason = DatabaseFileError.describe(error, path: "app.sqlite")
/// // "app.sqlite: database is in use (is the app running?)"
/// ```
public enum DatabaseFileError {
    /// Checks the path before SQLite sees it; returns a reason when it cannot be a database.
    public static func precheck(path: String) -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return "\(path): no such file"
        }
        if isDirectory.boolValue { return "\(path): is a directory, not a database file" }
        // A FIFO would block SQLite's open() forever; a device is no database either.
        var info = stat()
        if stat(path, &info) == 0, (info.st_mode & S_IFMT) != S_IFREG {
            return "\(path): not a regular file (a pipe, socket or device), not a database file"
        }
        guard FileManager.default.isReadableFile(atPath: path) else { return "\(path): permission denied (cannot read)" }
        return nil
    }

    /// Whether SQLite must first finish a crashed writer's transaction (hot journal, WAL recovery),
    /// which a read-only connection cannot do.
    public static func needsRecovery(_ error: any Error) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        return error.extendedResultCode == .SQLITE_READONLY_ROLLBACK || error.extendedResultCode == .SQLITE_READONLY_RECOVERY
    }

    /// Runs `PRAGMA quick_check`; a one-line reason naming `path` when the file is damaged, nil when ok.
    static func quickCheckFailure(_ db: Database, path: String) throws -> String? {
        let check = try String.fetchAll(db, sql: "PRAGMA quick_check")
        guard check != ["ok"] else { return nil }
        let problems = check.flatMap { $0.split(separator: "\n").map(String.init) }
            .filter { !$0.hasPrefix("*** in database") }.prefix(3)
        return "\(path): failed quick_check (\(problems.joined(separator: "; "))); restore a backup"
    }

    /// A one-line reason for an error raised while reading or writing `path`.
    public static func describe(_ error: any Error, path: String) -> String {
        if let error = error as? Reconciler.ReferenceError { return error.description }
        guard let error = error as? DatabaseError else { return "\(path): \(error)" }
        if needsRecovery(error) {
            return "\(path): a crashed writer left an unfinished transaction (hot journal) that must be rolled back before reading; run `repair`, which rolls it back first, or open the database with the app once"
        }
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return "\(path): database is in use (is the app running?)"
        case .SQLITE_NOTADB:
            return "\(path): not a SQLite database (or encrypted)"
        case .SQLITE_CORRUPT:
            return "\(path): database disk image is malformed (corrupt)"
        case .SQLITE_CANTOPEN:
            return "\(path): cannot open (check the file and folder permissions)"
        case .SQLITE_READONLY:
            return "\(path): read-only (the file or its folder cannot be written)"
        case .SQLITE_IOERR:
            return "\(path): I/O error (\(error.message ?? "disk"))"
        case .SQLITE_FULL:
            return "\(path): disk full"
        default:
            return "\(path): \(error.message ?? "SQLite error \(error.resultCode.rawValue)")"
        }
    }
}
