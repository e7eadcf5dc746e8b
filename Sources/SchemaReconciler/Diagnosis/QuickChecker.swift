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
    private let options: PlanOptions
    private let lockPath: String
    /// The reconciler built from the lock's quick index on first need; nil inside when the lock cannot
    /// decide (absent, stale) or the options need more than it holds.
    private let light: Lazy<Reconciler?>
    private let full: Lazy<Reconciler>
    /// The healthy verdicts reached before in this context; nil without a launch cache or a quick index.
    private let memo: MemoBox?

    /// Loads the set and its lock's quick index.
    ///
    /// - Throws: ``MigrationSetError`` when the folder cannot be used.
    ///
    /// The files' texts, checksums and the encoded index come from the user's launch cache
    /// (``LaunchCache``) for every file whose `stat` shows it unchanged; the rest are read and hashed.
    /// A database whose schema and ledger are exactly those of one found healthy before is answered
    /// from the cache's ``VerdictMemo``.
    public init(migrationsFolder: URL, ignoredCharacters: Set<Unicode.Scalar> = [], ledger: SQLxLedger = SQLxLedger(),
                ignored: [NamePattern] = [], options: PlanOptions = PlanOptions()) throws {
        try self.init(migrationsFolder: migrationsFolder, ignoredCharacters: ignoredCharacters, ledger: ledger, ignored: ignored,
                      options: options, cache: LaunchCache.standard)
    }

    /// The same, with the launch cache in `cache` (nil: read and hash every file, remember no verdict).
    init(migrationsFolder: URL, ignoredCharacters: Set<Unicode.Scalar> = [], ledger: SQLxLedger = SQLxLedger(),
         ignored: [NamePattern] = [], options: PlanOptions = PlanOptions(), cache: LaunchCache?) throws {
        let loaded = try cache?.load(folder: migrationsFolder, ignoredCharacters: ignoredCharacters)
            ?? LaunchCache.loadUncached(folder: migrationsFolder, ignoredCharacters: ignoredCharacters)
        let set = loaded.set
        migrations = set
        self.ledger = ledger
        self.options = options
        full = Lazy { try Reconciler(migrations: set, ledger: ledger, ignored: ignored) }
        let lockURL = migrationsFolder.appendingPathComponent(FingerprintLock.fileName)
        lockPath = lockURL.path
        let manifestDigest = loaded.manifestDigest
        let usable = !options.enforceInvariants && options.referencePath == nil
        let lockIndex = usable ? loaded.lockIndex : nil
        light = Lazy {
            guard let lockIndex, let quick = LaunchCache.decodeIndex(lockIndex) else { return nil }
            var snapshotOptions = SnapshotOptions(ledgerTable: ledger.tableName, ignored: ignored + quick.manifestIgnored.map(NamePattern.init))
            guard let timeline = quick.timeline(for: set, options: snapshotOptions, manifestDigest: manifestDigest) else { return nil }
            snapshotOptions.trackedPragmas = timeline.trackedPragmas
            // The probes ride in the lock (its manifest digest matched), so no TOML is parsed here.
            let probesOnly = manifestDigest.map {
                Manifest(url: migrationsFolder.appendingPathComponent(Manifest.fileName), probes: quick.manifestProbes, digest: $0)
            }
            return Reconciler(migrations: set, ledger: ledger, snapshotOptions: snapshotOptions, timeline: timeline,
                              manifest: probesOnly, fingerprintSource: .lock(path: lockURL.path))
        }
        let folder = migrationsFolder.standardizedFileURL.path
        if lockIndex != nil, let cache, let lockDigest = loaded.lockDigest,
           let context = VerdictMemo.context(folder: folder, set: set, lockDigest: lockDigest, manifestDigest: manifestDigest,
                                             ledger: ledger, ignored: ignored, options: options) {
            memo = MemoBox(VerdictMemo(path: cache.memoPath(folder: folder, ignoredCharacters: ignoredCharacters), context: context),
                           cache: cache)
        } else {
            memo = nil
        }
    }

    /// Whether the fingerprint lock's quick index matched the folder, so a plainly healthy database is
    /// decided without building the full engine. A verdict remembered in this context says so without
    /// decoding the index: one is remembered only from a diagnosis the matching index made.
    public var hasQuickIndex: Bool { memo?.isEmpty == false || light.reconciler != nil }

    /// Checks one database: from the quick index when it is plainly healthy (or unreadable), else fully.
    ///
    /// - Throws: what building the full engine throws (a manifest error, say), only when it is needed.
    public func check(databaseAt path: String,
                      busyTimeout: TimeInterval = HardenedDatabase.defaultBusyTimeout) throws -> Reconciler.QuickCheckResult {
        try checkKeepingReconciler(databaseAt: path, busyTimeout: busyTimeout).result
    }

    /// What the quick path made of one database.
    private enum QuickRead {
        /// Decided: from the memo, or by the quick index with the state key to remember a healthy verdict under.
        case decided(Diagnosis, held: [String], remembered: Bool, key: Digest?)
        /// Not plainly healthy, or no quick index: the full engine decides.
        case undecided(held: [String]?)
        /// The file could not be read.
        case failed(DatabaseFailure)
    }

    /// The check, with the reconciler that decided it (the quick index's, or the full engine's), built
    /// only when asked for, so a caller can repair with the same fingerprints. With `dialects`, the
    /// result also names those whose ledger the database holds, read on the connection the check opens,
    /// so a caller telling which tool's databases these are (the CLI's detection) need not open each one again.
    func checkKeepingReconciler(databaseAt path: String, busyTimeout: TimeInterval,
                                notingLedgersOf dialects: [any MigrationDialect]? = nil) throws
        -> (result: Reconciler.QuickCheckResult, reconciler: () throws -> Reconciler)
    {
        let tip = migrations.applying.last?.version
        let quickly = { [light, full] in try light.reconciler ?? full.value() }
        var read = QuickRead.undecided(held: nil)
        if hasQuickIndex { read = quickRead(path: path, busyTimeout: busyTimeout, dialects: dialects) }
        if case .failed(let failure) = read, let light = light.reconciler {
            read = .decided(light.engine.unreadable(path: path, failure: failure), held: [], remembered: false, key: nil)
        }
        if case .decided(let diagnosis, let held, let remembered, let key) = read {
            if let key, let memo { memo.remember(diagnosis, for: key) }
            return (.init(diagnosis: diagnosis, fingerprintSource: .lock(path: lockPath), tipVersion: tip, decidedQuickly: true,
                          ledgersHeld: held, remembered: remembered), quickly)
        }
        var held: [String]?
        if case .undecided(let quickHeld) = read { held = quickHeld }
        let reconciler = try full.value()
        let (diagnosis, ledgers) = reconciler.diagnose(databaseAt: path, options: options, busyTimeout: busyTimeout,
                                                       notingLedgersOf: held == nil ? dialects : nil)
        return (.init(diagnosis: diagnosis, fingerprintSource: reconciler.fingerprintSource, tipVersion: tip, decidedQuickly: false,
                      ledgersHeld: held ?? ledgers), { reconciler })
    }

    /// One read transaction: the state key first, and the remembered verdict when there is one; else the
    /// quick index's diagnosis, decided when plainly healthy (or unreadable).
    private func quickRead(path: String, busyTimeout: TimeInterval, dialects: [any MigrationDialect]?) -> QuickRead {
        if let failure = DatabaseFailure.precheck(path: path) { return .failed(failure) }
        return Reconciler.readingDatabase(at: path, busyTimeout: busyTimeout, unreadable: QuickRead.failed) { db in
            let held = Dialects.ledgersNoted(heldBy: db, among: dialects)
            // The key reads what the diagnosis reads, so a failure here (a lock held too long, a damaged
            // page) is the failure the diagnosis would meet: the file is unreadable, said once.
            let key = memo == nil ? nil : try VerdictMemo.stateKey(db, ledger: ledger)
            if let key, let known = memo?.diagnosis(for: key, path: path) {
                return .decided(known, held: held, remembered: true, key: nil)
            }
            guard let light = light.reconciler else { return .undecided(held: held) }
            let (diagnosis, readOnlyTheState) = try light.diagnose(db, path: path, options: options, reference: nil)
            if diagnosis.verdict == .unreadable { return .decided(diagnosis, held: held, remembered: false, key: nil) }
            guard VerdictMemo.isHealthy(diagnosis) else { return .undecided(held: held) }
            return .decided(diagnosis, held: held, remembered: false, key: readOnlyTheState ? key : nil)
        }
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

    /// A value built once, on first need, and shared by every thread. A build that throws is tried
    /// again on the next call (a half-written manifest may be whole by then).
    fileprivate final class Lazy<Value>: @unchecked Sendable {
        private let lock = NSLock()
        private var built: Value?
        private let build: @Sendable () throws -> Value

        init(_ build: @escaping @Sendable () throws -> Value) { self.build = build }

        func value() throws -> Value {
            lock.lock()
            defer { lock.unlock() }
            if let built { return built }
            let value = try build()
            built = value
            return value
        }
    }

    /// The memo, shared by every thread: each remembered diagnosis decoded once, each new one written at once.
    private final class MemoBox: @unchecked Sendable {
        private let lock = NSLock()
        private var memo: VerdictMemo
        private var decoded: [Digest: Diagnosis] = [:]
        private let cache: LaunchCache

        init(_ memo: VerdictMemo, cache: LaunchCache) {
            self.memo = memo
            self.cache = cache
        }

        var isEmpty: Bool {
            lock.lock()
            defer { lock.unlock() }
            return memo.isEmpty
        }

        func diagnosis(for key: Digest, path: String) -> Diagnosis? {
            lock.lock()
            defer { lock.unlock() }
            if var known = decoded[key] {
                known.path = path
                return known
            }
            guard let known = memo.diagnosis(for: key, path: path) else { return nil }
            decoded[key] = known
            return known
        }

        func remember(_ diagnosis: Diagnosis, for key: Digest) {
            lock.lock()
            defer { lock.unlock() }
            guard decoded[key] == nil else { return }
            decoded[key] = diagnosis
            _ = memo.remember(diagnosis, for: key) { cache.write($1, to: $0) }
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

extension QuickChecker.Lazy where Value == Reconciler? {
    /// The quick index's reconciler (its build never throws); nil when the lock cannot decide.
    var reconciler: Reconciler? { (try? value()) ?? nil }
}
