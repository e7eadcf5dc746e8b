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

    /// Where the fingerprints came from.
    public let fingerprintSource: FingerprintSource

    /// Where a reconciler's fingerprints came from: the committed lock, or a replay (and why).
    public enum FingerprintSource: Sendable, Hashable, CustomStringConvertible {
        /// Read from a lock that matches every migration file; nothing was replayed.
        case lock(path: String)
        /// Replayed: no lock was asked for or present.
        case replay
        /// Replayed because the lock did not match (a file changed, was added or removed).
        case replayedStaleLock(path: String, reasons: [String])

        public var description: String {
            switch self {
            case .lock(let path): return "fingerprints from \(path)"
            case .replay: return "fingerprints from a replay of the migrations"
            case .replayedStaleLock(let path, let reasons):
                return "\(path) is stale (\(reasons.joined(separator: "; "))); fingerprints from a replay"
            }
        }
    }

    /// Computes the timeline: from the folder's lock (`schema-fingerprints.json`) when `useLock` is
    /// true and the lock matches every file, otherwise by replaying `migrations`.
    public init(migrations: MigrationSet, ledger: SQLxLedger = SQLxLedger(), ignored: [NamePattern] = [],
                useLock: Bool = true) throws {
        self.migrations = migrations
        self.ledger = ledger
        var options = SnapshotOptions(ledgerTable: ledger.tableName, ignored: ignored)
        let lockURL = migrations.folder.appendingPathComponent(FingerprintLock.fileName)
        var source = FingerprintSource.replay
        var timeline: FingerprintTimeline?
        if useLock {
            do {
                if let lock = try FingerprintLock.read(from: lockURL) {
                    if let reasons = lock.staleness(for: migrations, options: options) {
                        source = .replayedStaleLock(path: lockURL.path, reasons: reasons)
                    } else {
                        timeline = lock.timeline(for: migrations, options: options)
                        source = .lock(path: lockURL.path)
                    }
                }
            } catch {
                source = .replayedStaleLock(path: lockURL.path, reasons: ["unreadable: \(error)"])
            }
        }
        let resolved = try timeline ?? Fingerprinter(options: options).fingerprint(migrations)
        options.trackedPragmas = resolved.trackedPragmas
        self.snapshotOptions = options
        self.timeline = resolved
        self.fingerprintSource = source
    }

    /// Loads the folder, then reads its lock or replays it.
    public init(migrationsFolder: URL, ignoredCharacters: Set<Unicode.Scalar> = [], ledger: SQLxLedger = SQLxLedger(),
                ignored: [NamePattern] = [], useLock: Bool = true) throws {
        try self.init(migrations: MigrationSet.load(from: migrationsFolder, ignoredCharacters: ignoredCharacters),
                      ledger: ledger, ignored: ignored, useLock: useLock)
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
