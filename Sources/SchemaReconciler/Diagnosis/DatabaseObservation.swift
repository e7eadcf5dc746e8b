import Foundation
import GRDB

/// What was read from a database, in one read transaction: its schema snapshot and its ledger.
///
/// ```swift
/// let observation = try DatabaseObservation.read(db, ledger: SQLxLedger(), options: options)
/// print(observation.snapshot.hash.short, observation.ledger.rows.count)
/// ```
struct DatabaseObservation: Sendable, Hashable {
    /// The canonical schema.
    public var snapshot: SchemaSnapshot
    /// The ledger.
    public var ledger: LedgerState
    /// What the manifest's probes said, by version.
    public var probes: [MigrationVersion: ProbeResult]
    /// What the manifest's invariants found.
    public var invariants: [InvariantResult]
    /// Older texts of migration files found in git history for checksums nothing else explains.
    public var recoveredTexts: [RecoveredText] = []

    public init(snapshot: SchemaSnapshot, ledger: LedgerState, probes: [MigrationVersion: ProbeResult] = [:],
                invariants: [InvariantResult] = []) {
        self.snapshot = snapshot
        self.ledger = ledger
        self.probes = probes
        self.invariants = invariants
    }

    /// Reads snapshot and ledger from `db` (the caller provides the transaction). Probes and
    /// invariants read user data, so they are run separately, and only when needed.
    public static func read(_ db: Database, ledger dialect: any LedgerDialect, options: SnapshotOptions,
                            known: [SchemaIntrospector.KnownObject] = []) throws -> DatabaseObservation {
        var introspector = SchemaIntrospector(options: options, known: known)
        return DatabaseObservation(snapshot: try introspector.snapshot(of: db), ledger: try dialect.read(db))
    }

    /// A hash of every ledger row as read: any change to the ledger changes it.
    public var ledgerDigest: Digest {
        var text = ""
        switch ledger {
        case .absent: text = "absent"
        case .unusable(let reason): text = "unusable \(reason)"
        case .present(let contents):
            text = "present \(contents.columns.joined(separator: ","))\n"
            for row in contents.rows {
                text += "\(row.version)\t\(row.description ?? "NULL")\t\(row.installedOn ?? "NULL")\t"
                text += "\(row.success.map { $0 ? "1" : "0" } ?? "NULL")\t\(row.checksum?.hex ?? "NULL")\t"
                text += "\(row.executionTime.map(String.init) ?? "NULL")\t\(row.problems.joined(separator: ";"))\n"
            }
            text += contents.problems.joined(separator: "\n")
        }
        return Digest.sha256(of: text)
    }
}

/// The ledger of a known-good backup (`--reference`), read read-only: evidence and the source of
/// original timestamps for restored rows.
///
/// ```swift
/// let reference = try reconciler.readReference(at: "state-2026-10-01.sqlite")
/// print(reference.rows.count)
/// ```
struct ReferenceLedger: Sendable, Hashable {
    /// The backup's path.
    public var path: String
    /// Its ledger rows.
    public var rows: [LedgerRow]

    public init(path: String, rows: [LedgerRow]) {
        self.path = path
        self.rows = rows
    }
}
