import Foundation
import GRDB

/// Why a database file could not be read or written, as one line of text; ``DatabaseFailure`` is
/// the typed form these lines come from.
///
/// ```swift
/// let reason = DatabaseFileError.describe(error, path: "app.sqlite")
/// // "app.sqlite: database is in use (is the app running?)"
/// ```
enum DatabaseFileError {
    /// Checks the path before SQLite sees it; returns a reason when it cannot be a database.
    static func precheck(path: String) -> String? {
        DatabaseFailure.precheck(path: path)?.description
    }

    /// Whether SQLite must first finish a crashed writer's transaction (hot journal, WAL recovery),
    /// which a read-only connection cannot do.
    static func needsRecovery(_ error: any Error) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        return error.extendedResultCode == .SQLITE_READONLY_ROLLBACK || error.extendedResultCode == .SQLITE_READONLY_RECOVERY
    }

    /// Runs `PRAGMA quick_check`; a one-line reason naming `path` when the file is damaged, nil when ok.
    static func quickCheckFailure(_ db: Database, path: String) throws -> String? {
        try DatabaseFailure.quickCheck(db, path: path)?.description
    }

    /// A one-line reason for an error raised while reading or writing `path`.
    static func describe(_ error: any Error, path: String) -> String {
        DatabaseFailure(error, path: path).description
    }
}
