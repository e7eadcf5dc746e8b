import Foundation
import GRDB

/// The engine's front door: a migration set, its fingerprints, and diagnosis (and repair) of databases.
///
/// Create one per migration set (it replays the set once), then diagnose as many databases as you like.
///
/// ```swift
/// let reconciler = try Reconciler(migrationsFolder: URL(fileURLWithPath: "Migrations"))
/// let diagnosis = reconciler.diagnose(databaseAt: "state.sqlite")
/// print(diagnosis.verdict, diagnosis.exitCode)
/// ```
public struct Reconciler: Sendable {
    /// The bundled migrations.
    public let migrations: MigrationSet
    /// The ledger dialect.
    public let ledger: SQLxLedger
    /// What snapshots exclude.
    public let snapshotOptions: SnapshotOptions
    /// Per-version fingerprints.
    public let timeline: FingerprintTimeline

    /// Replays `migrations` to compute the timeline.
    public init(migrations: MigrationSet, ledger: SQLxLedger = SQLxLedger(), ignored: [NamePattern] = []) throws {
        self.migrations = migrations
        self.ledger = ledger
        var options = SnapshotOptions(ledgerTable: ledger.tableName, ignored: ignored)
        let timeline = try Fingerprinter(options: options).fingerprint(migrations)
        options.trackedPragmas = timeline.trackedPragmas
        self.snapshotOptions = options
        self.timeline = timeline
    }

    /// Loads the folder and replays it.
    public init(migrationsFolder: URL, ignoredCharacters: Set<Unicode.Scalar> = [], ledger: SQLxLedger = SQLxLedger(),
                ignored: [NamePattern] = []) throws {
        try self.init(migrations: MigrationSet.load(from: migrationsFolder, ignoredCharacters: ignoredCharacters),
                      ledger: ledger, ignored: ignored)
    }

    /// The pure decision engine for this set.
    public var engine: DiagnosisEngine {
        DiagnosisEngine(migrations: migrations, timeline: timeline, ledgerTable: ledger.tableName)
    }

    /// Diagnoses the database at `path`, read-only. Never throws: an unreadable file is a verdict.
    public func diagnose(databaseAt path: String, options: PlanOptions = PlanOptions(),
                         busyTimeout: TimeInterval = HardenedDatabase.defaultBusyTimeout) -> Diagnosis {
        if let reason = DatabaseFileError.precheck(path: path) {
            return engine.unreadable(path: path, reason: reason)
        }
        do {
            let observation = try observe(path: path, busyTimeout: busyTimeout)
            return engine.diagnose(observation, path: path, options: options)
        } catch {
            return engine.unreadable(path: path, reason: DatabaseFileError.describe(error, path: path))
        }
    }

    /// Reads schema and ledger of `path` in one read-only transaction.
    public func observe(path: String, busyTimeout: TimeInterval = HardenedDatabase.defaultBusyTimeout) throws -> DatabaseObservation {
        let queue = try HardenedDatabase.open(path: path, access: .readOnly, busyTimeout: busyTimeout)
        defer { try? queue.close() }
        return try queue.read { db in
            try DatabaseObservation.read(db, ledger: ledger, options: snapshotOptions)
        }
    }
}
