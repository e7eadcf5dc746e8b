import Foundation

/// What a repair did to one database, or why it did nothing.
///
/// ```swift
/// let outcome = reconciler.repair(databaseAt: "state.sqlite")
/// print(outcome.status, outcome.backupPath ?? "no backup", outcome.exitCode)
/// ```
public struct RepairOutcome: Sendable, Hashable, Codable {
    /// How the repair ended.
    public enum Status: String, Sendable, Hashable, Codable {
        /// The ledger already tells the truth: nothing written.
        case nothingToDo = "nothing-to-do"
        /// The plan was shown and nothing written (`--dry-run`).
        case dryRun = "dry-run"
        /// The plan cannot run without a person's decision: nothing written.
        case refused
        /// The ledger was rewritten and committed.
        case repaired
        /// Something failed; the transaction was rolled back and the database is as it was.
        case failed
    }

    /// The database path as given.
    public var path: String
    /// How it ended.
    public var status: Status
    /// The diagnosis the plan came from.
    public var before: Diagnosis
    /// The diagnosis after the repair (repaired only).
    public var after: Diagnosis?
    /// Where the verified backup is.
    public var backupPath: String?
    /// Where the audit record is.
    public var auditPath: String?
    /// Why the audit record could not be written, when the repair committed without it (exit 3).
    public var auditFailure: String? = nil
    /// Ledger rows before and after (repaired only).
    public var ledgerBefore: [LedgerRow]
    public var ledgerAfter: [LedgerRow]?
    /// One line for people.
    public var message: String
    /// The code this outcome warrants.
    public var exitCode: ExitCode
    /// Why the repair failed, when ``status`` is ``Status/failed``.
    public var failure: DatabaseFailure? = nil
}

/// How a repair keeps a copy of the database before writing.
///
/// ```swift
/// let options = RepairOptions(backup: .at("/backups/state-before-repair.sqlite"))
/// ```
public enum BackupChoice: Sendable, Hashable, Codable {
    /// Beside the database, named with a timestamp (the default).
    case besideDatabase
    /// At this path, which must not exist yet.
    case at(String)
    /// No backup (`--no-backup`): the transaction still protects the database.
    case none
}

/// Everything a repair needs to know besides the database.
///
/// ```swift
/// let options = RepairOptions(plan: PlanOptions(dropUnproven: true), dryRun: false, busyTimeout: 3)
/// ```
public struct RepairOptions: Sendable {
    /// Choices where the schema cannot decide.
    public var plan: PlanOptions
    /// Show the plan, write nothing.
    public var dryRun: Bool
    /// Where the backup goes.
    public var backup: BackupChoice
    /// How long to wait for another process's lock.
    public var busyTimeout: TimeInterval
    /// The clock used to name backups (tests pin it).
    public var now: @Sendable () -> Date

    public init(plan: PlanOptions = PlanOptions(), dryRun: Bool = false, backup: BackupChoice = .besideDatabase,
                busyTimeout: TimeInterval = HardenedDatabase.defaultBusyTimeout, now: @escaping @Sendable () -> Date = Date.init) {
        self.plan = plan
        self.dryRun = dryRun
        self.backup = backup
        self.busyTimeout = busyTimeout
        self.now = now
    }
}
