import Foundation
import GRDB

/// Why a database could not be read or written: a case an app switches on, each carrying the file,
/// SQLite's extended result code and message when SQLite reported the failure, and one line for people.
///
/// Diagnoses of unreadable files (``Diagnosis/failure``) and failed repairs
/// (``RepairOutcome/failure``) carry one, so an app decides on the case and shows the description.
///
/// ```swift
/// if let failure = diagnosis.failure {
///     switch failure {
///     case .busy: showMessage("Quit the other copy of the app, then try again.")
///     case .corrupt(let context), .notADatabase(let context): offerRestore(of: context.path)
///     default: showMessage(failure.description)
///     }
/// }
/// ```
public enum DatabaseFailure: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// No file at the path.
    case missing(Context)
    /// The path is a folder, a pipe or a device, or SQLite says the file is not a database (or is encrypted).
    case notADatabase(Context)
    /// The file or its folder cannot be opened with the process's permissions.
    case permissionDenied(Context)
    /// Another connection holds a lock longer than the busy timeout (the app is running).
    case busy(Context)
    /// The file or its folder is read-only, so the ledger cannot be written.
    case readOnly(Context)
    /// `quick_check` or SQLite found the file damaged.
    case corrupt(Context)
    /// A crashed writer left a hot journal that must be rolled back before anyone reads.
    case needsRecovery(Context)
    /// The disk is full.
    case diskFull(Context)
    /// The operating system reported an I/O error.
    case ioError(Context)
    /// The schema or ledger changed between the plan and the transaction; nothing was written.
    case changedDuringRepair(Context)
    /// The backup could not be written or verified; the database was not touched.
    case backupFailed(Context)
    /// The reference backup given as evidence cannot be read as one.
    case referenceUnusable(Context)
    /// The repaired ledger failed its own re-validation, so the transaction was rolled back.
    case verificationFailed(Context)
    /// Any other SQLite or system error.
    case other(Context)

    /// What a failure is about, and what SQLite said.
    public struct Context: Sendable, Hashable, Codable {
        /// The file the failure is about (the database, its backup or the reference).
        public var path: String
        /// SQLite's extended result code, when SQLite reported the failure.
        public var extendedResultCode: Int32?
        /// SQLite's message, when SQLite reported the failure.
        public var sqliteMessage: String?
        /// One line for people; its wording may change, so decide on the case.
        public var description: String

        /// Creates a context.
        public init(path: String, extendedResultCode: Int32? = nil, sqliteMessage: String? = nil, description: String) {
            self.path = path
            self.extendedResultCode = extendedResultCode
            self.sqliteMessage = sqliteMessage
            self.description = description
        }
    }

    /// The case without its context: for comparisons (`failure.kind == .busy`) and machine-readable names.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case missing
        case notADatabase = "not-a-database"
        case permissionDenied = "permission-denied"
        case busy
        case readOnly = "read-only"
        case corrupt
        case needsRecovery = "needs-recovery"
        case diskFull = "disk-full"
        case ioError = "io-error"
        case changedDuringRepair = "changed-during-repair"
        case backupFailed = "backup-failed"
        case referenceUnusable = "reference-unusable"
        case verificationFailed = "verification-failed"
        case other
    }

    /// Creates the failure of `kind` with `context`.
    public init(_ kind: Kind, _ context: Context) {
        switch kind {
        case .missing: self = .missing(context)
        case .notADatabase: self = .notADatabase(context)
        case .permissionDenied: self = .permissionDenied(context)
        case .busy: self = .busy(context)
        case .readOnly: self = .readOnly(context)
        case .corrupt: self = .corrupt(context)
        case .needsRecovery: self = .needsRecovery(context)
        case .diskFull: self = .diskFull(context)
        case .ioError: self = .ioError(context)
        case .changedDuringRepair: self = .changedDuringRepair(context)
        case .backupFailed: self = .backupFailed(context)
        case .referenceUnusable: self = .referenceUnusable(context)
        case .verificationFailed: self = .verificationFailed(context)
        case .other: self = .other(context)
        }
    }

    /// Creates a failure from its parts.
    public init(kind: Kind, path: String, extendedResultCode: Int32? = nil, sqliteMessage: String? = nil,
                description: String) {
        self.init(kind, Context(path: path, extendedResultCode: extendedResultCode, sqliteMessage: sqliteMessage,
                                description: description))
    }

    /// The case, without its context.
    public var kind: Kind {
        switch self {
        case .missing: return .missing
        case .notADatabase: return .notADatabase
        case .permissionDenied: return .permissionDenied
        case .busy: return .busy
        case .readOnly: return .readOnly
        case .corrupt: return .corrupt
        case .needsRecovery: return .needsRecovery
        case .diskFull: return .diskFull
        case .ioError: return .ioError
        case .changedDuringRepair: return .changedDuringRepair
        case .backupFailed: return .backupFailed
        case .referenceUnusable: return .referenceUnusable
        case .verificationFailed: return .verificationFailed
        case .other: return .other
        }
    }

    /// The file, SQLite's codes and the line for people.
    public var context: Context {
        switch self {
        case .missing(let context): return context
        case .notADatabase(let context): return context
        case .permissionDenied(let context): return context
        case .busy(let context): return context
        case .readOnly(let context): return context
        case .corrupt(let context): return context
        case .needsRecovery(let context): return context
        case .diskFull(let context): return context
        case .ioError(let context): return context
        case .changedDuringRepair(let context): return context
        case .backupFailed(let context): return context
        case .referenceUnusable(let context): return context
        case .verificationFailed(let context): return context
        case .other(let context): return context
        }
    }

    /// The file the failure is about.
    public var path: String { context.path }
    /// SQLite's extended result code, when SQLite reported the failure.
    public var extendedResultCode: Int32? { context.extendedResultCode }
    /// SQLite's message, when SQLite reported the failure.
    public var sqliteMessage: String? { context.sqliteMessage }
    /// One line for people; its wording may change, so decide on the case.
    public var description: String { context.description }

    /// SQLite's primary result code (`SQLITE_BUSY` for `SQLITE_BUSY_SNAPSHOT`), when SQLite reported one.
    public var resultCode: ResultCode? { extendedResultCode.map { ResultCode(rawValue: $0).primaryResultCode } }

    // MARK: - Coding

    private enum CodingKeys: String, CodingKey { case kind, path, extendedResultCode, sqliteMessage, description }

    /// Encodes `kind` (its machine name), `path`, `extendedResultCode`, `sqliteMessage` and `description`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(path, forKey: .path)
        try container.encodeIfPresent(extendedResultCode, forKey: .extendedResultCode)
        try container.encodeIfPresent(sqliteMessage, forKey: .sqliteMessage)
        try container.encode(description, forKey: .description)
    }

    /// Decodes what ``encode(to:)`` wrote.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(try container.decode(Kind.self, forKey: .kind),
                  Context(path: try container.decode(String.self, forKey: .path),
                          extendedResultCode: try container.decodeIfPresent(Int32.self, forKey: .extendedResultCode),
                          sqliteMessage: try container.decodeIfPresent(String.self, forKey: .sqliteMessage),
                          description: try container.decode(String.self, forKey: .description)))
    }

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

    /// The same failure as `kind`, with words put before its description (`reference backup …`).
    func recast(as kind: Kind, prefixing words: String) -> DatabaseFailure {
        var context = self.context
        context.description = words + context.description
        return DatabaseFailure(kind, context)
    }
}
