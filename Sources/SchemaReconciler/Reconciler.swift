import Foundation
import GRDB

/// The engine's front door: a migration set, its fingerprints, and diagnosis (and repair) of databases.
///
/// Create one per migration set — a folder of sqlx migrations or GRDB's `DatabaseMigrator` (it
/// replays the set once, or reads the folder's fingerprint lock) — then check as many databases as
/// you like. An app calls ``prepareForLaunch(databaseAt:dryRun:backup:busyTimeout:assumeVersion:assumeMigration:dropUnproven:dropUnknown:acceptEdits:reference:)``
/// before it opens its database; tools call ``diagnose(databaseAt:options:busyTimeout:)`` and
/// ``repair(databaseAt:options:)``.
///
/// ```swift
/// let reconciler = try Reconciler(migrationsFolder: URL(fileURLWithPath: "Migrations"))
/// let diagnosis = reconciler.diagnose(databaseAt: "state.sqlite")
/// print(diagnosis.verdict, diagnosis.exitCode)
/// ```
public struct Reconciler: Sendable {
    /// The bundled migrations.
    public let migrations: MigrationSet
    /// The ledger dialect: ``SQLxLedger`` for a folder, GRDB's `grdb_migrations` for a migrator.
    public let ledger: any LedgerDialect
    /// What snapshots exclude.
    public let snapshotOptions: SnapshotOptions
    /// Per-version fingerprints.
    public let timeline: FingerprintTimeline

    /// Where the fingerprints came from.
    public let fingerprintSource: FingerprintSource
    /// Declarations beside the migrations (`reconcile.toml`), if any.
    public let manifest: Manifest?
    /// Replays the histories a ledger suggests when the prefix timeline does not explain a database.
    let replayer: HistoryReplayer
    /// An introspector knowing the timeline's objects by their stored text, built once: each read of a
    /// database copies it, and the copy shares its table until the database shows a text it lacks.
    private let introspector: SchemaIntrospector

    /// How many migration orders other than the bundled one this reconciler has replayed so far,
    /// exploring what ledgers say ran. A healthy database adds none.
    ///
    /// ```swift
    /// _ = reconciler.diagnose(databaseAt: "app.sqlite")
    /// print(reconciler.historyReplays) // 0 after a healthy database
    /// ```
    public var historyReplays: Int { replayer.replayCount }

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
    /// `loadManifest` is false; its ignore patterns join `ignored`.
    ///
    /// - Parameters:
    ///   - migrations: The bundled migrations.
    ///   - ledger: The ledger dialect; sqlx's `_sqlx_migrations` by default.
    ///   - ignored: Objects that are not part of the migrated schema.
    ///   - useLock: Whether to read the fingerprint lock beside the migrations.
    ///   - loadManifest: Whether to read `reconcile.toml` beside the migrations.
    ///   - replayProgress: Called after each migration a replay applies (never when the lock is used).
    /// - Throws: ``ConfigurationError`` for an invalid manifest, ``ReplayError`` when a migration cannot replay
    ///   and nothing before it can be fingerprinted.
    public init(migrations: MigrationSet, ledger: any LedgerDialect = SQLxLedger(), ignored: [NamePattern] = [],
                useLock: Bool = true, loadManifest: Bool = true,
                replayProgress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws {
        try self.init(migrations: migrations, ledger: ledger, ignored: ignored, useLock: useLock, loadManifest: loadManifest,
                      replayProgress: replayProgress, keepsStructure: true)
    }

    /// The same; unless `keepsStructure`, a replay keeps only what ``FingerprintReport`` prints (see
    /// ``FingerprintReport/init(migrations:ledger:ignored:useLock:replayProgress:)``).
    init(migrations: MigrationSet, ledger: any LedgerDialect, ignored: [NamePattern], useLock: Bool, loadManifest: Bool,
         replayProgress: ((_ done: Int, _ total: Int) -> Void)?, keepsStructure: Bool) throws {
        self.migrations = migrations
        self.ledger = ledger.reading(migrations)
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
        var fingerprinter = Fingerprinter(options: options, manifest: manifest)
        fingerprinter.keepsStructure = keepsStructure
        let resolved = try timeline ?? fingerprinter.fingerprint(migrations, stoppingAtFailure: true, progress: replayProgress)
        options.trackedPragmas = resolved.trackedPragmas
        self.snapshotOptions = options
        self.timeline = resolved
        self.fingerprintSource = source
        self.replayer = HistoryReplayer(options: options, timeline: resolved)
        self.introspector = SchemaIntrospector(options: options, known: resolved.knownObjects)
    }

    /// A reconciler assembled from parts already at hand (the quick check's stub timeline).
    init(migrations: MigrationSet, ledger: any LedgerDialect, snapshotOptions: SnapshotOptions, timeline: FingerprintTimeline,
         manifest: Manifest?, fingerprintSource: FingerprintSource) {
        self.migrations = migrations
        self.ledger = ledger
        self.snapshotOptions = snapshotOptions
        self.timeline = timeline
        self.manifest = manifest
        self.fingerprintSource = fingerprintSource
        self.replayer = HistoryReplayer(options: snapshotOptions, timeline: timeline)
        self.introspector = SchemaIntrospector(options: snapshotOptions, known: timeline.knownObjects)
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
    ///
    /// - Parameters:
    ///   - path: The database file, opened read-only exactly as given.
    ///   - migrationsFolder: The bundled sqlx migrations, with their `schema-fingerprints.json`.
    ///   - ignoredCharacters: sqlx.toml's `ignored-chars`, removed before hashing.
    ///   - ledger: The ledger table.
    ///   - ignored: Objects that are not part of the migrated schema.
    ///   - options: Choices where the schema cannot decide.
    ///   - busyTimeout: How long to wait for another process's lock, in seconds.
    /// - Throws: ``MigrationSetError`` for an unusable folder; ``ConfigurationError`` or ``ReplayError``
    ///   when the full engine is needed and cannot be built.
    public static func quickCheck(databaseAt path: String, migrationsFolder: URL, ignoredCharacters: Set<Unicode.Scalar> = [],
                                  ledger: SQLxLedger = SQLxLedger(), ignored: [NamePattern] = [],
                                  options: PlanOptions = PlanOptions(),
                                  busyTimeout: TimeInterval = HardenedDatabase.defaultBusyTimeout) throws -> QuickCheckResult {
        try quickCheckKeepingReconciler(databaseAt: path, migrationsFolder: migrationsFolder, ignoredCharacters: ignoredCharacters,
                                        ledger: ledger, ignored: ignored, options: options, busyTimeout: busyTimeout).result
    }

    /// The quick check, with the reconciler that decided (the quick index's, or the full engine's).
    static func quickCheckKeepingReconciler(databaseAt path: String, migrationsFolder: URL, ignoredCharacters: Set<Unicode.Scalar>,
                                            ledger: SQLxLedger, ignored: [NamePattern], options: PlanOptions,
                                            busyTimeout: TimeInterval) throws -> (result: QuickCheckResult, reconciler: () throws -> Reconciler) {
        try QuickChecker(migrationsFolder: migrationsFolder, ignoredCharacters: ignoredCharacters, ledger: ledger,
                         ignored: ignored, options: options)
            .checkKeepingReconciler(databaseAt: path, busyTimeout: busyTimeout)
    }

    /// What ``quickCheck(databaseAt:migrationsFolder:ignoredCharacters:ledger:ignored:options:busyTimeout:)`` found.
    public struct QuickCheckResult: Sendable {
        /// The diagnosis (from the quick index, or the full engine when the database is not plainly healthy).
        public var diagnosis: Diagnosis
        /// Where the fingerprints came from.
        public var fingerprintSource: FingerprintSource
        /// The newest bundled version.
        public var tipVersion: MigrationVersion?
        /// Whether the quick index alone decided.
        public var decidedQuickly: Bool
        /// The dialects whose ledger the database holds, when the check was asked to note them
        /// (``QuickChecker/check(databasesAt:jobs:busyTimeout:notingLedgersOf:completed:)``); else empty.
        public var ledgersHeld: [String] = []
        /// Whether the verdict came from the launch cache's ``VerdictMemo`` (same schema and ledger as a
        /// healthy check before), without the quick index being decoded.
        var remembered = false
    }

    /// Reconciles databases migrated by GRDB's `DatabaseMigrator`: replays its registered migrations
    /// into a private in-memory database one identifier at a time (`migrate(_:upTo:)`), fingerprints
    /// each, and reads `grdb_migrations` as the ledger. Tables named `grdb_*` are GRDB's and excluded
    /// from snapshots, as GRDB excludes them.
    ///
    /// Replay runs each migration's closure on an empty database, as a new install does: a migration
    /// that needs data to run, or reads the environment, is replayed as it behaves there. GRDB cannot
    /// run one registered migration out of order, so only prefixes of the registration order are
    /// hypotheses (a ledger with gaps is judged against them).
    ///
    /// ```swift
    /// var migrator = DatabaseMigrator()
    /// migrator.registerMigration("v1") { db in try db.create(table: "note") { t in t.autoIncrementedPrimaryKey("id") } }
    /// let outcome = try Reconciler(migrator: migrator).prepareForLaunch(databaseAt: path)
    /// ```
    ///
    /// - Parameters:
    ///   - migrator: The app's migrator, with every migration registered.
    ///   - ignored: Objects that are not part of the migrated schema (the app's caches, say).
    /// - Throws: ``MigrationSetError/noMigrations(path:)`` when nothing is registered.
    public init(migrator: DatabaseMigrator, ignored: [NamePattern] = []) throws {
        let set = try GRDBMigrations.set(from: migrator)
        try self.init(migrations: set, ledger: GRDBLedger(identifiers: migrator.migrations, merges: GRDBMergeIndex(migrator: migrator)),
                      ignored: ignored + [NamePattern("grdb_*")], useLock: false, loadManifest: false)
    }

    /// Loads the folder, then reads its lock or replays it.
    ///
    /// ```swift
    /// let reconciler = try Reconciler(migrationsFolder: URL(fileURLWithPath: "Migrations"))
    /// ```
    ///
    /// - Parameters:
    ///   - migrationsFolder: A folder of sqlx migrations.
    ///   - ignoredCharacters: sqlx.toml's `ignored-chars`, removed before hashing.
    ///   - ledger: The ledger table.
    ///   - ignored: Objects that are not part of the migrated schema.
    ///   - useLock: Whether to read `schema-fingerprints.json` instead of replaying.
    ///   - loadManifest: Whether to read `reconcile.toml`.
    ///   - replayProgress: Called after each migration a replay applies (never when the lock is used).
    /// - Throws: ``MigrationSetError`` for an unusable folder, ``ConfigurationError`` for an invalid
    ///   manifest, ``ReplayError`` when no migration can be fingerprinted.
    public init(migrationsFolder: URL, ignoredCharacters: Set<Unicode.Scalar> = [], ledger: SQLxLedger = SQLxLedger(),
                ignored: [NamePattern] = [], useLock: Bool = true, loadManifest: Bool = true,
                replayProgress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws {
        try self.init(migrations: MigrationSet.load(from: migrationsFolder, ignoredCharacters: ignoredCharacters),
                      ledger: ledger, ignored: ignored, useLock: useLock, loadManifest: loadManifest,
                      replayProgress: replayProgress)
    }

    /// Loads the folder with `dialect`'s layout rules and reads databases with its ledger.
    ///
    /// ```swift
    /// let reconciler = try Reconciler(migrationsFolder: folder, dialect: GolangMigrate())
    /// ```
    ///
    /// - Parameters:
    ///   - migrationsFolder: A folder laid out as `dialect`'s tool lays out migrations.
    ///   - dialect: The migration tool (``Dialects/all``).
    ///   - ignored: Objects that are not part of the migrated schema.
    ///   - useLock: Whether to read `schema-fingerprints.json` instead of replaying.
    ///   - loadManifest: Whether to read `reconcile.toml`.
    /// - Throws: ``MigrationSetError`` for an unusable folder or file, ``ConfigurationError``, ``ReplayError``.
    public init(migrationsFolder: URL, dialect: any MigrationDialect, ignored: [NamePattern] = [], useLock: Bool = true,
                loadManifest: Bool = true, replayProgress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws {
        try self.init(migrations: dialect.loadMigrations(from: migrationsFolder, ignoredCharacters: []), ledger: dialect,
                      ignored: ignored, useLock: useLock, loadManifest: loadManifest, replayProgress: replayProgress)
    }

    /// The pure decision engine for this set.
    var engine: DiagnosisEngine {
        DiagnosisEngine(migrations: migrations, timeline: timeline, ledgerTable: ledger.tableName, manifest: manifest,
                        replayer: replayer, dialect: ledger)
    }

    /// Diagnoses the database at `path`, read-only. Never throws: an unreadable file is a verdict,
    /// with ``Diagnosis/failure`` saying why.
    ///
    /// ```swift
    /// let diagnosis = reconciler.diagnose(databaseAt: "app.sqlite")
    /// print(diagnosis.summary)
    /// ```
    ///
    /// - Parameters:
    ///   - path: The database file, opened read-only exactly as given.
    ///   - options: Choices where the schema cannot decide.
    ///   - busyTimeout: How long to wait for another process's lock, in seconds.
    public func diagnose(databaseAt path: String, options: PlanOptions = PlanOptions(),
                         busyTimeout: TimeInterval = HardenedDatabase.defaultBusyTimeout) -> Diagnosis {
        diagnose(databaseAt: path, options: options, busyTimeout: busyTimeout, notingLedgersOf: nil).diagnosis
    }

    /// The same, also naming the dialects among `dialects` whose ledger the database holds
    /// (``Dialects/ledgers(heldBy:among:)``), read on the same connection; none for a file that cannot be read.
    func diagnose(databaseAt path: String, options: PlanOptions, busyTimeout: TimeInterval,
                  notingLedgersOf dialects: [any MigrationDialect]?) -> (diagnosis: Diagnosis, ledgersHeld: [String]) {
        if let failure = DatabaseFailure.precheck(path: path) {
            return (engine.unreadable(path: path, failure: failure), [])
        }
        let reference: ReferenceLedger?
        do {
            reference = try options.referencePath.map { try readReference(at: $0) }
        } catch {
            return (engine.unreadable(path: path, failure: Self.referenceFailure(error, path: options.referencePath ?? "")), [])
        }
        return Self.readingDatabase(at: path, busyTimeout: busyTimeout, unreadable: { (engine.unreadable(path: path, failure: $0), []) }) { db in
            let held = Dialects.ledgersNoted(heldBy: db, among: dialects)
            return (try diagnose(db, path: path, options: options, reference: reference).diagnosis, held)
        }
    }

    /// Opens `path` read-only and runs `body` in one read transaction; when the file cannot be opened or
    /// read, or `body` throws, the value `unreadable` makes of the failure. The caller runs ``DatabaseFailure/precheck(path:)``.
    static func readingDatabase<T>(at path: String, busyTimeout: TimeInterval, unreadable: (DatabaseFailure) -> T,
                                   _ body: (Database) throws -> T) -> T {
        do {
            let queue = try HardenedDatabase.open(path: path, access: .readOnly, busyTimeout: busyTimeout)
            defer { try? queue.close() }
            return try queue.read(body)
        } catch {
            return unreadable(DatabaseFailure(error, path: path))
        }
    }

    /// The diagnosis of `db`, in the caller's read transaction, and whether it read nothing but what a
    /// ``VerdictMemo`` keys on (no probe, invariant, reference backup, git history, or object the lock
    /// does not know read through pragmas).
    func diagnose(_ db: Database, path: String, options: PlanOptions,
                  reference: ReferenceLedger?) throws -> (diagnosis: Diagnosis, readOnlyTheState: Bool) {
        let (observation, consultedHistory) = try observationWithoutChecks(in: db)
        var checked = false
        let diagnosis = engine.diagnose(observation, path: path, options: options, reference: reference) { observation, needed in
            addDeclaredChecks(to: &observation, probing: needed, evaluateInvariants: true, in: db)
            checked = !observation.probes.isEmpty || !observation.invariants.isEmpty
        }
        // Promise a repair only for a file that is not damaged (the repair checks it too). A healthy
        // database skips this, so a check costs nothing proportional to its data.
        if diagnosis.plan.writes, let failure = try DatabaseFailure.quickCheck(db, path: path) {
            return (engine.unreadable(path: path, failure: failure), false)
        }
        return (diagnosis, !consultedHistory && !checked && reference == nil && !observation.readThroughPragmas)
    }

    /// A reference backup that cannot serve as one, whatever SQLite said about it.
    static func referenceFailure(_ error: any Error, path: String) -> DatabaseFailure {
        DatabaseFailure(error, path: path).recast(as: .referenceUnusable, prefixing: "reference backup ")
    }

    /// Reads the ledger of a known-good backup, read-only; the file is never modified.
    func readReference(at path: String) throws -> ReferenceLedger {
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
    func observe(path: String, busyTimeout: TimeInterval = HardenedDatabase.defaultBusyTimeout) throws -> DatabaseObservation {
        let queue = try HardenedDatabase.open(path: path, access: .readOnly, busyTimeout: busyTimeout)
        defer { try? queue.close() }
        return try queue.read { db in try observation(in: db, evaluateInvariants: true) }
    }

    /// Schema and ledger of `db`, plus the probes that can change the diagnosis and, if asked, the
    /// manifest's invariants (both read user data; the caller provides the transaction).
    func observation(in db: Database, evaluateInvariants: Bool) throws -> DatabaseObservation {
        var observation = try observationWithoutChecks(in: db).observation
        addDeclaredChecks(to: &observation, probing: engine.versionsNeedingProbes(observation),
                          evaluateInvariants: evaluateInvariants, in: db)
        return observation
    }

    /// The schema and ledger of `db`, snapshotted with the timeline's known objects.
    func observe(_ db: Database) throws -> DatabaseObservation {
        try DatabaseObservation.read(db, ledger: ledger, introspector: introspector)
    }

    /// Schema and ledger of `db`, with the older texts of edited files that explain its checksums, and
    /// whether the git history was consulted for them.
    private func observationWithoutChecks(in db: Database) throws -> (observation: DatabaseObservation, consultedHistory: Bool) {
        var observation = try observe(db)
        // Checksums nothing bundled explains may be older texts of the same files (edits in place).
        let unexplained = engine.checksumsNeedingHistory(observation)
        for (version, checksum) in unexplained {
            guard let migration = migrations.applied(version: version) else { continue }
            observation.recoveredTexts += MigrationHistory.texts(of: migration, matching: [checksum],
                                                                 ignoring: migrations.ignoredCharacters)
        }
        return (observation, !unexplained.isEmpty)
    }

    /// The manifest's probes for the versions `needed`, and its invariants if asked, run on `db`.
    private func addDeclaredChecks(to observation: inout DatabaseObservation, probing needed: Set<MigrationVersion>,
                                   evaluateInvariants: Bool, in db: Database) {
        guard let manifest else { return }
        if !needed.isEmpty {
            observation.probes = DeclaredChecks.probes(manifest.probes.filter { needed.contains($0.version) }, in: db)
        }
        if evaluateInvariants {
            observation.invariants = DeclaredChecks.invariants(manifest.invariants, in: db)
        }
    }
}
