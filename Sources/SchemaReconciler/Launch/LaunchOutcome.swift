import Foundation

/// What the pre-launch call did to a database: nothing was needed, the ledger was repaired, or a
/// person must decide.
///
/// ```swift
/// switch try Reconciler.prepareForLaunch(databaseAt: path, migrationsFolder: folder) {
/// case .ready:                          // open the database and migrate as usual
///     break
/// case .repaired(let report):           // the ledger was rewritten after a verified backup
///     log(report.message)
/// case .needsAttention(let diagnosis):  // a person must decide; show diagnosis.summary
///     showAlert(diagnosis.summary)
/// }
/// ```
public enum LaunchOutcome: Sendable, Hashable {
    /// The ledger tells the truth (or the database does not exist yet): open it and migrate as usual.
    /// Pending migrations, if any, are the migrator's to run.
    case ready(Diagnosis)
    /// The ledger was rewritten in one verified transaction after a verified backup
    /// (``RepairOutcome/status`` is ``RepairOutcome/Status/repaired``), or, with `dryRun`, would be
    /// (``RepairOutcome/Status/dryRun``: nothing written). The database is then ready to open.
    case repaired(RepairOutcome)
    /// The schema cannot settle what to write, or the file cannot be read or written
    /// (``Diagnosis/failure`` says why, typed): nothing was written. Show ``Diagnosis/summary``.
    case needsAttention(Diagnosis)

    /// The newest diagnosis: after the repair when one ran, else the one that decided.
    public var diagnosis: Diagnosis {
        switch self {
        case .ready(let diagnosis), .needsAttention(let diagnosis): return diagnosis
        case .repaired(let outcome): return outcome.after ?? outcome.before
        }
    }

    /// Whether the app can open the database now (ready, or repaired for real).
    public var canOpenDatabase: Bool {
        switch self {
        case .ready: return true
        case .repaired(let outcome): return outcome.status == .repaired
        case .needsAttention: return false
        }
    }
}

/// A launch option that names something the migrations do not have.
///
/// ```swift
/// catch let error as LaunchOptionError { print(error) } // "assumeMigration: no registered migration \"v9\""
/// ```
public struct LaunchOptionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The option at fault.
    public var option: String
    /// What is wrong with it.
    public var message: String

    public var description: String { "\(option): \(message)" }
}
