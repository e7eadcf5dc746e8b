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
    /// Whether the snapshot read an object through pragmas (its text is not among the known objects).
    /// Their answers can depend on more than the `sqlite_schema` rows: the header's schema format (SQLite
    /// ignores DESC in indexes below format 4), a virtual table's module (which can read its own shadow
    /// tables' rows). A ``VerdictMemo`` never remembers such a diagnosis.
    var readThroughPragmas = false

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
        try read(db, ledger: dialect, introspector: SchemaIntrospector(options: options, known: known))
    }

    /// The same, snapshotted by a copy of `introspector` (a reconciler's, whose table is built once).
    static func read(_ db: Database, ledger dialect: any LedgerDialect, introspector: SchemaIntrospector) throws -> DatabaseObservation {
        var introspector = introspector
        let known = introspector.learned.count
        var observation = DatabaseObservation(snapshot: try introspector.snapshot(of: db), ledger: try dialect.read(db))
        observation.readThroughPragmas = introspector.learned.count > known
        return observation
    }

    /// A hash of every ledger row as read: any change to the ledger changes it.
    ///
    /// The values are laid out as the launch cache lays out its records (every string and list with
    /// its length, every optional with a mark), so no two ledgers share an encoding.
    public var ledgerDigest: Digest {
        var writer = RecordWriter()
        switch ledger {
        case .absent:
            writer.bytes.append(0)
        case .unusable(let reason):
            writer.bytes.append(1)
            writer.string(reason)
        case .present(let contents):
            writer.bytes.append(2)
            writer.bytes.reserveCapacity(64 + contents.rows.count * 128)
            for list in [contents.columns, contents.problems, contents.unwritableColumns] {
                writer.array(list) { $0.string($1) }
            }
            writer.array(contents.rows) { writer, row in
                writer.version(row.version)
                writer.optionalString(row.description)
                writer.optionalString(row.installedOn)
                writer.optional(row.success) { $0.bool($1) }
                writer.optional(row.checksum) { $0.digest($1) }
                writer.optional(row.executionTime) { $0.int($1) }
                writer.array(row.problems) { $0.string($1) }
            }
        }
        return Digest.sha256(of: writer.bytes)
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
