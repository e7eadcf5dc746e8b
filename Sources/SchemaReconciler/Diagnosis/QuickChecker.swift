import Foundation

/// The pre-launch check prepared once for a migration set, then run on any number of databases.
///
/// Preparing reads the migration files and the fingerprint lock's quick index; each check then reads
/// only the database. A database that is not plainly healthy falls back to the full engine, which is
/// built (from the lock, or by a replay) the first time one needs it and reused after.
///
/// ```swift
/// let checker = try QuickChecker(migrationsFolder: URL(fileURLWithPath: "Migrations"))
/// let results = try checker.check(databasesAt: paths, jobs: 4) // in the order of `paths`
/// print(results.map(\.diagnosis.verdict))
/// ```
public struct QuickChecker: Sendable {
    /// The bundled migrations.
    public let migrations: MigrationSet
    private let ledger: SQLxLedger
    private let ignored: [NamePattern]
    private let options: PlanOptions
    /// The reconciler built from the lock's quick index; nil when the lock cannot decide (absent, stale).
    private let light: Reconciler?
    private let full: FullEngine

    /// Loads the set and its lock's quick index.
    ///
    /// - Throws: ``MigrationSetError`` when the folder cannot be used.
    ///
    /// The files' texts, checksums and the decoded index come from the user's launch cache
    /// (``LaunchCache``) for every file whose `stat` shows it unchanged; the rest are read and hashed.
    public init(migrationsFolder: URL, ignoredCharacters: Set<Unicode.Scalar> = [], ledger: SQLxLedger = SQLxLedger(),
                ignored: [NamePattern] = [], options: PlanOptions = PlanOptions()) throws {
        try self.init(migrationsFolder: migrationsFolder, ignoredCharacters: ignoredCharacters, ledger: ledger, ignored: ignored,
                      options: options, cache: LaunchCache.standard)
    }

    /// The same, with the launch cache in `cache` (nil: read and hash every file).
    init(migrationsFolder: URL, ignoredCharacters: Set<Unicode.Scalar> = [], ledger: SQLxLedger = SQLxLedger(),
         ignored: [NamePattern] = [], options: PlanOptions = PlanOptions(), cache: LaunchCache?) throws {
        let loaded = try cache?.load(folder: migrationsFolder, ignoredCharacters: ignoredCharacters)
            ?? LaunchCache.loadUncached(folder: migrationsFolder, ignoredCharacters: ignoredCharacters)
        let set = loaded.set
        migrations = set
        self.ledger = ledger
        self.ignored = ignored
        self.options = options
        full = FullEngine()
        let lockURL = migrationsFolder.appendingPathComponent(FingerprintLock.fileName)
        let manifestDigest = loaded.manifestDigest
        guard !options.enforceInvariants, options.referencePath == nil, let quick = loaded.lock else {
            light = nil
            return
        }
        var snapshotOptions = SnapshotOptions(ledgerTable: ledger.tableName, ignored: ignored + quick.manifestIgnored.map(NamePattern.init))
        guard let timeline = quick.timeline(for: set, options: snapshotOptions, manifestDigest: manifestDigest) else {
            light = nil
            return
        }
        snapshotOptions.trackedPragmas = timeline.trackedPragmas
        // The probes ride in the lock (its manifest digest matched), so no TOML is parsed here.
        let probesOnly = manifestDigest.map {
            Manifest(url: migrationsFolder.appendingPathComponent(Manifest.fileName), probes: quick.manifestProbes, digest: $0)
        }
        light = Reconciler(migrations: set, ledger: ledger, snapshotOptions: snapshotOptions, timeline: timeline,
                           manifest: probesOnly, fingerprintSource: .lock(path: lockURL.path))
    }

    /// Whether the fingerprint lock's quick index matched the folder, so a plainly healthy database is
    /// decided without building the full engine.
    public var hasQuickIndex: Bool { light != nil }

    /// Checks one database: from the quick index when it is plainly healthy (or unreadable), else fully.
    ///
    /// - Throws: what building the full engine throws (a manifest error, say), only when it is needed.
    public func check(databaseAt path: String,
                      busyTimeout: TimeInterval = HardenedDatabase.defaultBusyTimeout) throws -> Reconciler.QuickCheckResult {
        try checkKeepingReconciler(databaseAt: path, busyTimeout: busyTimeout).result
    }

    /// The check, with the reconciler that decided it (the quick index's, or the full engine's), so a
    /// caller can repair with the same fingerprints. With `dialects`, the result also names those whose
    /// ledger the database holds, read on the connection the check opens, so a caller telling which
    /// tool's databases these are (the CLI's detection) need not open each one again.
    func checkKeepingReconciler(databaseAt path: String, busyTimeout: TimeInterval,
                                notingLedgersOf dialects: [any MigrationDialect]? = nil) throws
        -> (result: Reconciler.QuickCheckResult, reconciler: Reconciler)
    {
        let tip = migrations.applying.last?.version
        var held: [String]?
        if let light {
            let (diagnosis, ledgers) = light.diagnose(databaseAt: path, options: options, busyTimeout: busyTimeout,
                                                      notingLedgersOf: dialects)
            held = ledgers
            let healthy = diagnosis.exitCode == .ok && !diagnosis.plan.writes && diagnosis.plan.blockers.isEmpty
                && (diagnosis.verdict == .consistent || diagnosis.verdict == .fresh)
            if healthy || diagnosis.verdict == .unreadable {
                return (.init(diagnosis: diagnosis, fingerprintSource: light.fingerprintSource, tipVersion: tip, decidedQuickly: true,
                              ledgersHeld: ledgers), light)
            }
        }
        let reconciler = try full.reconciler { try Reconciler(migrations: migrations, ledger: ledger, ignored: ignored) }
        let (diagnosis, ledgers) = reconciler.diagnose(databaseAt: path, options: options, busyTimeout: busyTimeout,
                                                       notingLedgersOf: held == nil ? dialects : nil)
        return (.init(diagnosis: diagnosis, fingerprintSource: reconciler.fingerprintSource, tipVersion: tip, decidedQuickly: false,
                      ledgersHeld: held ?? ledgers), reconciler)
    }

    /// Checks many databases on up to `jobs` threads; results in the order of `paths`. `completed`
    /// hears how many are done after each one (one call at a time), for a progress line.
    /// With `dialects`, each result also names the dialects among them whose ledger the database holds
    /// (``Reconciler/QuickCheckResult/ledgersHeld``), for ``Dialects/decide(ledgers:folder:hasSQLxConfig:among:)``.
    ///
    /// - Throws: what ``check(databaseAt:busyTimeout:)`` throws, for the first database that throws.
    public func check(databasesAt paths: [String], jobs: Int = ProcessInfo.processInfo.activeProcessorCount,
                      busyTimeout: TimeInterval = HardenedDatabase.defaultBusyTimeout,
                      notingLedgersOf dialects: [any MigrationDialect]? = nil,
                      completed: (@Sendable (Int) -> Void)? = nil) throws -> [Reconciler.QuickCheckResult] {
        try ParallelMap.map(paths, jobs: jobs, completed: completed) {
            try checkKeepingReconciler(databaseAt: $0, busyTimeout: busyTimeout, notingLedgersOf: dialects).result
        }
    }

    /// The full engine, built once on first need and shared by every thread.
    private final class FullEngine: @unchecked Sendable {
        private let lock = NSLock()
        private var built: Reconciler?

        func reconciler(_ build: () throws -> Reconciler) throws -> Reconciler {
            lock.lock()
            defer { lock.unlock() }
            if let built { return built }
            let reconciler = try build()
            built = reconciler
            return reconciler
        }
    }
}

extension Reconciler {
    /// Diagnoses many databases on up to `jobs` threads; results in the order of `paths`. Never throws.
    ///
    /// ```swift
    /// let diagnoses = reconciler.diagnose(databasesAt: ["a.sqlite", "b.sqlite"], jobs: 2)
    /// ```
    public func diagnose(databasesAt paths: [String], options: PlanOptions = PlanOptions(),
                         busyTimeout: TimeInterval = HardenedDatabase.defaultBusyTimeout,
                         jobs: Int = ProcessInfo.processInfo.activeProcessorCount,
                         completed: (@Sendable (Int) -> Void)? = nil) -> [Diagnosis] {
        ParallelMap.map(paths, jobs: jobs, completed: completed) { diagnose(databaseAt: $0, options: options, busyTimeout: busyTimeout) }
    }
}
