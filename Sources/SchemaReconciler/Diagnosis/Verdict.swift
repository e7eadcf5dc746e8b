import Foundation

/// The overall state of one database, from healthy to unreadable (DESIGN §5).
///
/// ```swift
/// let diagnosis = reconciler.diagnose(databaseAt: "app.sqlite")
/// if diagnosis.verdict == .behind { print("ledger is behind the schema; `repair` fixes it") }
/// ```
public enum Verdict: String, Sendable, Hashable, Codable, CaseIterable {
    /// Ledger and schema agree, checksums match.
    case consistent
    /// An empty database: the migrator will set it up.
    case fresh
    /// The schema is ahead of the ledger: rows are missing for versions the schema proves applied.
    case behind
    /// The ledger table is missing but the schema matches a version.
    case noLedger = "no-ledger"
    /// A recorded checksum differs from the bundled file of a version the schema proves applied.
    case checksumDrift = "checksum-drift"
    /// Rows carry other bundled files' checksums (renumbered or swapped files): they are moved.
    case movedRows = "moved-rows"
    /// A row has `success = false`: a migration was interrupted.
    case dirty
    /// The ledger claims versions whose effects the schema lacks.
    case ahead
    /// The ledger records versions that are not bundled (a newer build, renumbered files).
    case unknownVersions = "unknown-versions"
    /// The ledger table exists but cannot be read as a ledger (missing columns, unreadable versions).
    case malformedLedger = "malformed-ledger"
    /// A manifest invariant is violated and `check --invariants` asked for it to fail.
    case invariantViolated = "invariant-violated"
    /// The schema matches no bundled version (or several, and nothing tells which).
    case unrecognised
    /// The file could not be read: missing, not a database, corrupt, locked.
    case unreadable

    /// Rank among verdicts of the same exit code: a later case is more severe.
    var rank: Int { Verdict.allCases.firstIndex(of: self)! }
}

/// Process exit codes (DESIGN §7). With several databases, the worst code wins.
///
/// ```swift
/// exit(Int32(ExitCode.worst(of: diagnoses.map(\.exitCode)).rawValue))
/// ```
public enum ExitCode: Int32, Sendable, Codable, Comparable {
    /// Fine.
    case ok = 0
    /// Drift that `repair` fixes.
    case repairable = 1
    /// Drift that needs a person (or a flag only a person should choose).
    case needsPerson = 2
    /// The database could not be read or written.
    case unreadable = 3
    /// Usage error or invalid migration set.
    case usage = 64

    public static func < (lhs: ExitCode, rhs: ExitCode) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The worst of several codes; `.ok` for none.
    public static func worst(of codes: some Sequence<ExitCode>) -> ExitCode { codes.max() ?? .ok }
}
