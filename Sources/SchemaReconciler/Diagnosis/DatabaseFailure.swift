import Foundation
import GRDB

/// Why a database could not be read or written: a kind an app can switch on, SQLite's extended
/// result code and message when SQLite reported the failure, and one line for people.
///
/// Diagnoses of unreadable files (``Diagnosis/failure``) and failed repairs
/// (``RepairOutcome/failure``) carry one, so an app decides on the kind and shows the description.
///
/// ```swift
/// if let failure = diagnosis.failure {
///     switch failure.kind {
///     case .busy: showMessage("Quit the other copy of the app, then try again.")
///     case .corrupt, .notADatabase: offerRestoreFromBackup()
///     default: showMessage(failure.description)
///     }
/// }
/// ```
public struct DatabaseFailure: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// What went wrong, in the terms an app acts on.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// No file at the path.
        case missing
        /// The path is a folder, a pipe or a device, or SQLite says the file is not a database (or is encrypted).
        case notADatabase = "not-a-database"
        /// The file or its folder cannot be opened with the process's permissions.
        case permissionDenied = "permission-denied"
        /// Another connection holds a lock longer than the busy timeout (the app is running).
        case busy
        /// The file or its folder is read-only, so the ledger cannot be written.
        case readOnly = "read-only"
        /// `quick_check` or SQLite found the file damaged.
        case corrupt
        /// A crashed writer left a hot journal that must be rolled back before anyone reads.
        case needsRecovery = "needs-recovery"
        /// The disk is full.
        case diskFull = "disk-full"
        /// The operating system reported an I/O error.
        case ioError = "io-error"
        /// The schema or ledger changed between the plan and the transaction; nothing was written.
        case changedDuringRepair = "changed-during-repair"
        /// The backup could not be written or verified; the database was not touched.
        case backupFailed = "backup-failed"
        /// The reference backup given as evidence cannot be read as one.
        case referenceUnusable = "reference-unusable"
        /// The repaired ledger failed its own re-validation, so the transaction was rolled back.
        case verificationFailed = "verification-failed"
        /// Any other SQLite or system error.
        case other
    }

    /// What went wrong.
    public var kind: Kind
    /// The file the failure is about (the database, its backup or the reference).
    public var path: String
    /// SQLite's extended result code, when SQLite reported the failure.
    public var extendedResultCode: Int32?
    /// SQLite's message, when SQLite reported the failure.
    public var sqliteMessage: String?
    /// One line for people; its wording may change, so decide on ``kind``.
    public var description: String

    /// Creates a failure.
    public init(kind: Kind, path: String, extendedResultCode: Int32? = nil, sqliteMessage: String? = nil,
                description: String) {
        self.kind = kind
        self.path = path
        self.extendedResultCode = extendedResultCode
        self.sqliteMessage = sqliteMessage
        self.description = description
    }

    /// SQLite's primary result code (`SQLITE_BUSY` for `SQLITE_BUSY_SNAPSHOT`), when SQLite reported one.
    public var resultCode: ResultCode? { extendedResultCode.map { ResultCode(rawValue: $0).primaryResultCode } }

    // MARK: - Classifying

    /// The failure the path has before SQLite sees it (missing, a folder, a pipe, unreadable); nil when it may be a database.
    static func precheck(path: String) -> DatabaseFailure? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return DatabaseFailure(kind: .missing, path: path, description: "\(path): no such file")
        }
        if isDirectory.boolValue {
            return DatabaseFailure(kind: .notADatabase, path: path, description: "\(path): is a directory, not a database file")
        }
        // A FIFO would block SQLite's open() forever; a device is no database either.
        var info = stat()
        if stat(path, &info) == 0, (info.st_mode & S_IFMT) != S_IFREG {
            return DatabaseFailure(kind: .notADatabase, path: path,
                                   description: "\(path): not a regular file (a pipe, socket or device), not a database file")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            return DatabaseFailure(kind: .permissionDenied, path: path, description: "\(path): permission denied (cannot read)")
        }
        return nil
    }

    /// `PRAGMA quick_check` on `db`: a corrupt failure naming `path`, nil when the file is sound.
    static func quickCheck(_ db: Database, path: String) throws -> DatabaseFailure? {
        let check = try String.fetchAll(db, sql: "PRAGMA quick_check")
        guard check != ["ok"] else { return nil }
        let problems = check.flatMap { $0.split(separator: "\n").map(String.init) }
            .filter { !$0.hasPrefix("*** in database") }.prefix(3)
        return DatabaseFailure(kind: .corrupt, path: path, sqliteMessage: problems.joined(separator: "; "),
                               description: "\(path): failed quick_check (\(problems.joined(separator: "; "))); restore a backup")
    }

    /// Classifies an error raised while reading or writing `path`.
    init(_ error: any Error, path: String) {
        if let failure = error as? DatabaseFailure {
            self = failure
            return
        }
        if let error = error as? Reconciler.ReferenceError {
            self.init(kind: .referenceUnusable, path: path, description: error.description)
            return
        }
        guard let error = error as? DatabaseError else {
            self.init(kind: .other, path: path, description: "\(path): \(error)")
            return
        }
        let code = error.extendedResultCode.rawValue
        func make(_ kind: Kind, _ text: String) -> DatabaseFailure {
            DatabaseFailure(kind: kind, path: path, extendedResultCode: code, sqliteMessage: error.message,
                            description: "\(path): \(text)")
        }
        if error.extendedResultCode == .SQLITE_READONLY_ROLLBACK || error.extendedResultCode == .SQLITE_READONLY_RECOVERY {
            self = make(.needsRecovery, "a crashed writer left an unfinished transaction (hot journal) that must be rolled back before reading; run `repair`, which rolls it back first, or open the database with the app once")
            return
        }
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: self = make(.busy, "database is in use (is the app running?)")
        case .SQLITE_NOTADB: self = make(.notADatabase, "not a SQLite database (or encrypted)")
        case .SQLITE_CORRUPT: self = make(.corrupt, "database disk image is malformed (corrupt)")
        case .SQLITE_CANTOPEN: self = make(.permissionDenied, "cannot open (check the file and folder permissions)")
        case .SQLITE_READONLY: self = make(.readOnly, "read-only (the file or its folder cannot be written)")
        case .SQLITE_IOERR: self = make(.ioError, "I/O error (\(error.message ?? "disk"))")
        case .SQLITE_FULL: self = make(.diskFull, "disk full")
        default: self = make(.other, error.message ?? "SQLite error \(error.resultCode.rawValue)")
        }
    }

    /// The same failure with words put before its description (`reference backup …`).
    func prefixed(_ words: String) -> DatabaseFailure {
        var copy = self
        copy.description = words + description
        return copy
    }
}
