import Foundation

extension Reconciler {
    // MARK: - Pre-launch

    /// Checks the database an app is about to open against its migration folder, and repairs the
    /// ledger when the schema proves what to write. Call it before opening the database.
    ///
    /// A healthy database takes the quick path of
    /// ``quickCheck(databaseAt:migrationsFolder:ignoredCharacters:ledger:ignored:options:busyTimeout:)``
    /// (the fingerprint lock's index, no replay). Anything else gets the full diagnosis; a repair runs
    /// only when the plan has writes and no blockers, with the usual backup and verified transaction.
    /// A database file that does not exist yet is ``LaunchOutcome/ready(_:)`` (the migrator creates it).
    ///
    /// ```swift
    /// let outcome = try Reconciler.prepareForLaunch(databaseAt: path, migrationsFolder: folder)
    /// if case .needsAttention(let diagnosis) = outcome { showAlert(diagnosis.summary) }
    /// ```
    ///
    /// - Parameters:
    ///   - path: The database file, opened exactly as given.
    ///   - migrationsFolder: The bundled sqlx migrations (with their `schema-fingerprints.json`).
    ///   - dryRun: Plan the repair, write nothing (`--dry-run`); the outcome is then `.repaired` with
    ///     status ``RepairOutcome/Status/dryRun``.
    ///   - backup: Where the verified backup goes before the first write (`--backup`, `--no-backup`).
    ///   - busyTimeout: The longest the whole call waits for another process's lock, in seconds.
    ///   - assumeVersion: Claim this version inside a schema-silent range (`--assume-version`).
    ///   - dropUnproven: Delete rows for versions whose effects the schema lacks (`--drop-unproven`).
    ///   - dropUnknown: Delete rows for versions that are not bundled (`--drop-unknown`).
    ///   - acceptEdits: Versions whose edited files the person accepts (`--accept-edit`).
    ///   - reference: A known-good backup whose ledger is evidence (`--reference`), opened read-only.
    ///   - ignoredCharacters: sqlx.toml's `ignored-chars`, removed before hashing.
    ///   - ledger: The ledger table (sqlx.toml's `table-name`).
    /// - Returns: What was found and done; drift is never thrown.
    /// - Throws: ``MigrationSetError`` for an unusable migration folder, ``ConfigurationError`` for an
    ///   invalid `reconcile.toml`, ``ReplayError`` when no migration can be fingerprinted.
    public static func prepareForLaunch(databaseAt path: String, migrationsFolder: URL, dryRun: Bool = false,
                                        backup: BackupChoice = .besideDatabase,
                                        busyTimeout: TimeInterval = HardenedDatabase.defaultBusyTimeout,
                                        assumeVersion: MigrationVersion? = nil, dropUnproven: Bool = false, dropUnknown: Bool = false,
                                        acceptEdits: Set<MigrationVersion> = [], reference: String? = nil,
                                        ignoredCharacters: Set<Unicode.Scalar> = [],
                                        ledger: SQLxLedger = SQLxLedger()) throws -> LaunchOutcome {
        try launch(databaseAt: path, migrationsFolder: migrationsFolder,
                   options: LaunchOptions(dryRun: dryRun, backup: backup, busyTimeout: busyTimeout,
                                          plan: PlanOptions(assumeVersion: assumeVersion, dropUnproven: dropUnproven,
                                                            dropUnknown: dropUnknown, referencePath: reference,
                                                            acceptEdits: acceptEdits)),
                   ignoredCharacters: ignoredCharacters, ledger: ledger).outcome
    }

    /// Checks the database an app is about to open against this reconciler's migrations — GRDB's
    /// migrator for ``init(migrator:ignored:)`` — and repairs the ledger when the schema proves what to
    /// write. Call it before opening the database, then migrate as usual.
    ///
    /// For a GRDB migrator the migrations were replayed when the reconciler was made; the check reads
    /// the schema and `grdb_migrations` once, read-only. Identifiers the schema proves applied but not
    /// recorded are inserted as GRDB inserts them; identifiers recorded but not proven are reported
    /// (GRDB would skip them) and deleted only with `dropUnproven`; identifiers the migrator does not
    /// register (a newer app) are kept and reported.
    ///
    /// ```swift
    /// let reconciler = try Reconciler(migrator: AppDatabase.migrator)
    /// switch try reconciler.prepareForLaunch(databaseAt: path) {
    /// case .ready, .repaired: try AppDatabase.migrator.migrate(dbQueue)
    /// case .needsAttention(let diagnosis): showAlert(diagnosis.summary)
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - path: The database file, opened exactly as given.
    ///   - dryRun: Plan the repair, write nothing; the outcome is then `.repaired` with status
    ///     ``RepairOutcome/Status/dryRun``.
    ///   - backup: Where the verified backup goes before the first write.
    ///   - busyTimeout: The longest the whole call waits for another process's lock, in seconds.
    ///   - assumeVersion: Claim this version (a registration ordinal for GRDB) inside a schema-silent range.
    ///   - assumeMigration: The same, by GRDB identifier: claim every migration up to this one.
    ///   - dropUnproven: Delete rows for migrations whose effects the schema lacks.
    ///   - dropUnknown: Delete rows for migrations the app does not register.
    ///   - acceptEdits: Versions whose edited files the person accepts (sqlx files only).
    ///   - reference: A known-good backup whose ledger is evidence, opened read-only.
    /// - Returns: What was found and done; drift is never thrown.
    /// - Throws: ``LaunchOptionError`` when `assumeMigration` names no registered migration.
    public func prepareForLaunch(databaseAt path: String, dryRun: Bool = false, backup: BackupChoice = .besideDatabase,
                                 busyTimeout: TimeInterval = HardenedDatabase.defaultBusyTimeout,
                                 assumeVersion: MigrationVersion? = nil, assumeMigration: String? = nil,
                                 dropUnproven: Bool = false, dropUnknown: Bool = false,
                                 acceptEdits: Set<MigrationVersion> = [], reference: String? = nil) throws -> LaunchOutcome {
        var assumed = assumeVersion
        if let assumeMigration {
            guard let migration = migrations.applying.first(where: { $0.description == assumeMigration }) else {
                throw LaunchOptionError(option: "assumeMigration", message: "no registered migration \"\(assumeMigration)\"")
            }
            assumed = migration.version
        }
        let options = LaunchOptions(dryRun: dryRun, backup: backup, busyTimeout: busyTimeout,
                                    plan: PlanOptions(assumeVersion: assumed, dropUnproven: dropUnproven, dropUnknown: dropUnknown,
                                                      referencePath: reference, acceptEdits: acceptEdits))
        return launch(databaseAt: path, options: options).outcome
    }

    // MARK: - Shared

    /// The launch options, gathered.
    struct LaunchOptions {
        var dryRun: Bool
        var backup: BackupChoice
        var busyTimeout: TimeInterval
        var plan: PlanOptions
    }

    /// A launch's outcome and whether the quick path alone decided it (tests and benchmarks).
    struct LaunchResult {
        var outcome: LaunchOutcome
        var decidedQuickly: Bool
    }

    static func launch(databaseAt path: String, migrationsFolder: URL, options: LaunchOptions,
                       ignoredCharacters: Set<Unicode.Scalar>, ledger: SQLxLedger) throws -> LaunchResult {
        let deadline = Date().addingTimeInterval(options.busyTimeout)
        let (check, reconciler) = try quickCheckKeepingReconciler(
            databaseAt: path, migrationsFolder: migrationsFolder, ignoredCharacters: ignoredCharacters, ledger: ledger,
            ignored: [], options: options.plan, busyTimeout: options.busyTimeout)
        // A healthy database needs no engine: a remembered verdict never builds one.
        if let ready = readyAsFound(check.diagnosis) { return LaunchResult(outcome: ready, decidedQuickly: check.decidedQuickly) }
        let outcome = try reconciler().conclude(launch: check.diagnosis, path: path, options: options, deadline: deadline)
        return LaunchResult(outcome: outcome, decidedQuickly: check.decidedQuickly && outcome.isReady)
    }

    func launch(databaseAt path: String, options: LaunchOptions) -> LaunchResult {
        let deadline = Date().addingTimeInterval(options.busyTimeout)
        let diagnosis = diagnose(databaseAt: path, options: options.plan, busyTimeout: options.busyTimeout)
        let outcome = conclude(launch: diagnosis, path: path, options: options, deadline: deadline)
        return LaunchResult(outcome: outcome, decidedQuickly: outcome.isReady && replayer.replayCount == 0)
    }

    /// Ready as it is: a readable database with nothing wrong and nothing to write.
    private static func readyAsFound(_ diagnosis: Diagnosis) -> LaunchOutcome? {
        diagnosis.verdict != .unreadable && diagnosis.exitCode == .ok && !diagnosis.plan.writes ? .ready(diagnosis) : nil
    }

    /// From the first diagnosis to the outcome: ready, refuse, or repair within what is left of the busy budget.
    private func conclude(launch diagnosis: Diagnosis, path: String, options: LaunchOptions, deadline: Date) -> LaunchOutcome {
        if diagnosis.verdict == .unreadable {
            // A first launch: nothing to reconcile, the migrator creates the database.
            if diagnosis.failure?.kind == .missing {
                return .ready(engine.diagnose(DatabaseObservation(snapshot: .empty, ledger: .absent), path: path, options: options.plan))
            }
            // A crashed writer's hot journal: the repair rolls it back first, as the app's own connection would.
            guard diagnosis.failure?.kind == .needsRecovery, !options.dryRun else { return .needsAttention(diagnosis) }
        } else {
            if let ready = Self.readyAsFound(diagnosis) { return ready }
            guard diagnosis.plan.writes else { return .needsAttention(diagnosis) }
        }
        let remaining = max(0, deadline.timeIntervalSinceNow)
        let outcome = repair(databaseAt: path, options: RepairOptions(plan: options.plan, dryRun: options.dryRun,
                                                                      backup: options.backup, busyTimeout: remaining))
        switch outcome.status {
        case .repaired, .dryRun:
            return .repaired(outcome)
        case .nothingToDo:
            return outcome.before.exitCode == .ok ? .ready(outcome.before) : .needsAttention(outcome.before)
        case .refused:
            return .needsAttention(outcome.before)
        case .failed:
            var before = outcome.before
            if before.failure == nil { before.failure = outcome.failure }
            return .needsAttention(before)
        }
    }
}

extension LaunchOutcome {
    var isReady: Bool {
        if case .ready = self { return true }
        return false
    }
}
