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
    /// Declarations beside the migrations (`reconcile.toml`), if any.
    public let manifest: Manifest?
    /// Replays the histories a ledger suggests when the prefix timeline does not explain a database.
    public let replayer: HistoryReplayer

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
    ///
    /// The manifest `reconcile.toml` in the migrations folder is read and validated unless
    /// `loadManifest` is false; its ignore patterns join `ignored`. `replayProgress`, if given, is
    /// called after each migration a replay applies (never when the lock is used).
    public init(migrations: MigrationSet, ledger: SQLxLedger = SQLxLedger(), ignored: [NamePattern] = [],
                useLock: Bool = true, loadManifest: Bool = true,
                replayProgress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws {
        self.migrations = migrations
        self.ledger = ledger
        let manifest = loadManifest
            ? try Manifest.load(from: migrations.folder.appendingPathComponent(Manifest.fileName)) : nil
        try manifest?.validate(against: migrations)
        self.manifest = manifest
        var options = SnapshotOptions(ledgerTable: ledger.tableName, ignored: ignored + (manifest?.ignored ?? []))
        let lockURL = migrations.folder.appendingPathComponent(FingerprintLock.fileName)
        var source = FingerprintSource.replay
        var timeline: FingerprintTimeline?
        if useLock {
            do {
                if let lock = try FingerprintLock.read(from: lockURL) {
                    if let reasons = lock.staleness(for: migrations, options: options, manifest: manifest) {
                        source = .replayedStaleLock(path: lockURL.path, reasons: reasons)
                    } else {
                        timeline = lock.timeline(for: migrations, options: options, manifest: manifest)
                        source = .lock(path: lockURL.path)
                    }
                }
            } catch {
                source = .replayedStaleLock(path: lockURL.path, reasons: ["unreadable: \(error)"])
            }
        }
        let resolved = try timeline ?? Fingerprinter(options: options, manifest: manifest)
            .fingerprint(migrations, stoppingAtFailure: true, progress: replayProgress)
        options.trackedPragmas = resolved.trackedPragmas
        self.snapshotOptions = options
        self.timeline = resolved
        self.fingerprintSource = source
        self.replayer = HistoryReplayer(options: options, timeline: resolved)
    }

    /// A reconciler assembled from parts already at hand (the quick check's stub timeline).
    init(migrations: MigrationSet, ledger: SQLxLedger, snapshotOptions: SnapshotOptions, timeline: FingerprintTimeline,
         manifest: Manifest?, fingerprintSource: FingerprintSource) {
        self.migrations = migrations
        self.ledger = ledger
        self.snapshotOptions = snapshotOptions
        self.timeline = timeline
        self.manifest = manifest
        self.fingerprintSource = fingerprintSource
        self.replayer = HistoryReplayer(options: snapshotOptions, timeline: timeline)
    }

    /// The pre-launch check: decides a healthy database from the fingerprint lock's quick index alone —
    /// no replay, no manifest parsing, no pragma for objects the migrations created — and falls back to
    /// the full diagnosis (lock or replay, probes, evidence) whenever the database is not plainly healthy.
    ///
    /// The quick path runs the manifest's probes (recorded in the lock) but not its invariants; use
    /// ``diagnose(databaseAt:options:busyTimeout:)`` with `enforceInvariants` to check them. To check
    /// many databases against one set, prepare a ``QuickChecker`` once.
    ///
    /// ```swift
    /// let check = try Reconciler.quickCheck(databaseAt: statePath, migrationsFolder: bundledMigrations)
    /// if check.diagnosis.exitCode != .ok { /* run repair, or tell the person */ }
    /// ```
    public static func quickCheck(databaseAt path: String, migrationsFolder: URL, ignoredCharacters: Set<Unicode.Scalar> = [],
                                  ledger: SQLxLedger = SQLxLedger(), ignored: [NamePattern] = [],
                                  options: PlanOptions = PlanOptions(),
                                  busyTimeout: TimeInterval = HardenedDatabase.defaultBusyTimeout) throws -> QuickCheckResult {
        try QuickChecker(migrationsFolder: migrationsFolder, ignoredCharacters: ignoredCharacters, ledger: ledger,
                         ignored: ignored, options: options)
            .check(databaseAt: path, busyTimeout: busyTimeout)
    }

    /// What ``quickCheck(databaseAt:migrationsFolder:ignoredCharacters:ledger:ignored:options:busyTimeout:)`` found.
    public struct QuickCheckResult: Sendable {
        /// The diagnosis (from the quick index, or the full engine when the database is not plainly healthy).
        public var diagnosis: Diagnosis
        /// Where the fingerprints came from.
        public var fingerprintSource: FingerprintSource
        /// The newest bundled version.
        public var tipVersion: Int64?
        /// Whether the quick index alone decided.
        public var decidedQuickly: Bool
    }

    /// Loads the folder, then reads its lock or replays it.
    public init(migrationsFolder: URL, ignoredCharacters: Set<Unicode.Scalar> = [], ledger: SQLxLedger = SQLxLedger(),
                ignored: [NamePattern] = [], useLock: Bool = true, loadManifest: Bool = true,
                replayProgress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws {
        try self.init(migrations: MigrationSet.load(from: migrationsFolder, ignoredCharacters: ignoredCharacters),
                      ledger: ledger, ignored: ignored, useLock: useLock, loadManifest: loadManifest,
                      replayProgress: replayProgress)
    }

    /// The pure decision engine for this set.
    public var engine: DiagnosisEngine {
        DiagnosisEngine(migrations: migrations, timeline: timeline, ledgerTable: ledger.tableName, manifest: manifest,
                        replayer: replayer)
    }

    /// Diagnoses the database at `path`, read-only. Never throws: an unreadable file is a verdict.
    public func diagnose(databaseAt path: String, options: PlanOptions = PlanOptions(),
                         busyTimeout: TimeInterval = HardenedDatabase.defaultBusyTimeout) -> Diagnosis {
        if let reason = DatabaseFileError.precheck(path: path) {
            return engine.unreadable(path: path, reason: reason)
        }
        let reference: ReferenceLedger?
        do {
            reference = try options.referencePath.map { try readReference(at: $0) }
        } catch {
            return engine.unreadable(path: path, reason: "reference backup " + DatabaseFileError.describe(error, path: options.referencePath ?? ""))
        }
        do {
            let queue = try HardenedDatabase.open(path: path, access: .readOnly, busyTimeout: busyTimeout)
            defer { try? queue.close() }
            return try queue.read { db in
                let diagnosis = engine.diagnose(try observation(in: db, evaluateInvariants: true), path: path,
                                                options: options, reference: reference)
                // Promise a repair only for a file that is not damaged (the repair checks it too). A healthy
                // database skips this, so a check costs nothing proportional to its data.
                if diagnosis.plan.writes, let failure = try DatabaseFileError.quickCheckFailure(db, path: path) {
                    return engine.unreadable(path: path, reason: failure)
                }
                return diagnosis
            }
        } catch {
            return engine.unreadable(path: path, reason: DatabaseFileError.describe(error, path: path))
        }
    }

    /// Reads the ledger of a known-good backup, read-only; the file is never modified.
    public func readReference(at path: String) throws -> ReferenceLedger {
        if let reason = DatabaseFileError.precheck(path: path) { throw ReferenceError(description: reason) }
        let queue = try HardenedDatabase.open(path: path, access: .readOnly)
        defer { try? queue.close() }
        let state = try queue.read { db in try ledger.read(db) }
        guard case .present(let contents) = state else {
            throw ReferenceError(description: "\(path): has no readable \(ledger.tableName) table")
        }
        return ReferenceLedger(path: path, rows: contents.rows)
    }

    /// A reference backup that cannot serve as one.
    public struct ReferenceError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Reads schema and ledger of `path` in one read-only transaction.
    public func observe(path: String, busyTimeout: TimeInterval = HardenedDatabase.defaultBusyTimeout) throws -> DatabaseObservation {
        let queue = try HardenedDatabase.open(path: path, access: .readOnly, busyTimeout: busyTimeout)
        defer { try? queue.close() }
        return try queue.read { db in try observation(in: db, evaluateInvariants: true) }
    }

    /// Schema and ledger of `db`, plus the probes that can change the diagnosis and, if asked, the
    /// manifest's invariants (both read user data; the caller provides the transaction).
    func observation(in db: Database, evaluateInvariants: Bool) throws -> DatabaseObservation {
        var observation = try DatabaseObservation.read(db, ledger: ledger, options: snapshotOptions,
                                                       known: timeline.knownObjects)
        // Checksums nothing bundled explains may be older texts of the same files (edits in place).
        for (version, checksum) in engine.checksumsNeedingHistory(observation) {
            guard let migration = migrations.applied(version: version) else { continue }
            observation.recoveredTexts += MigrationHistory.texts(of: migration, matching: [checksum],
                                                                 ignoring: migrations.ignoredCharacters)
        }
        guard let manifest else { return observation }
        let needed = engine.versionsNeedingProbes(observation)
        if !needed.isEmpty {
            observation.probes = DeclaredChecks.probes(manifest.probes.filter { needed.contains($0.version) }, in: db)
        }
        if evaluateInvariants {
            observation.invariants = DeclaredChecks.invariants(manifest.invariants, in: db)
        }
        return observation
    }
}
