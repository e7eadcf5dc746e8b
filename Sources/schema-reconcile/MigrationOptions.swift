import ArgumentParser
import Foundation
import SchemaReconciler

/// Where the migrations are and how sqlx is configured for them (flags override `sqlx.toml [migrate]`).
struct MigrationOptions: ParsableArguments {
    @Option(name: .customLong("migrations"),
            help: ArgumentHelp("The sqlx migration folder (default: sqlx.toml migrations-dir, else ./Migrations).",
                               valueName: "dir"))
    var folder: String?

    @Option(name: .customLong("config"),
            help: ArgumentHelp("An sqlx.toml to read [migrate] from (default: the nearest one beside or above the migrations).",
                               valueName: "file"))
    var config: String?

    @Option(name: .customLong("table"),
            help: ArgumentHelp("The ledger table name (sqlx.toml table-name; default _sqlx_migrations).", valueName: "name"))
    var table: String?

    @Option(name: .customLong("ignored-chars"),
            help: ArgumentHelp(
                "Characters removed before checksumming (sqlx.toml ignored-chars).",
                discussion: #"Each Unicode scalar of the string is ignored; write \r \n \t \\ and \u{FEFF} as escapes, e.g. --ignored-chars '\r\u{FEFF}'."#,
                valueName: "chars"),
            transform: EscapedCharacters.parse)
    var ignoredCharacters: Set<Unicode.Scalar>?

    @Option(name: .customLong("ignore"),
            help: ArgumentHelp("Objects outside the migrated schema, by name pattern (* and ?); repeatable.",
                               valueName: "pattern"))
    var ignore: [String] = []

    @Option(name: .customLong("dialect"),
            help: ArgumentHelp("The migration tool whose folder and ledger these are: \(Dialects.all.map(\.name).joined(separator: ", ")) (default: detected from the databases' ledger tables, else the folder).",
                               valueName: "name"))
    var dialect: String?

    @Flag(name: .customLong("no-tx-wrap"),
          help: "golang-migrate's x-no-tx-wrap=true: each file runs without a wrapping transaction.")
    var noTransactionWrap = false

    @Flag(name: .customLong("allow-missing"),
          help: "goose's -allow-missing: goose applies versions missing below the newest recorded one instead of refusing.")
    var allowMissing = false

    @Flag(name: .customLong("out-of-order"),
          help: "Flyway's outOfOrder=true: Flyway applies versions missing below the newest applied one instead of refusing.")
    var outOfOrder = false

    @Option(name: .customLong("user-version-means"),
            help: ArgumentHelp("For --dialect user-version: the number is the last applied version, or the count of applied migrations (rusqlite_migration).",
                               valueName: "version|count"))
    var userVersionMeans: String?

    @Flag(name: .customLong("no-lock"),
          help: "Replay the migrations even when schema-fingerprints.json matches them.")
    var noLock = false

    /// Whether the dialect is left to detection: no `--dialect`, and no flag that belongs to one tool.
    var detectsDialect: Bool {
        dialect == nil && userVersionMeans == nil && !allowMissing && !outOfOrder && !noTransactionWrap
    }

    /// Flags, sqlx.toml and defaults combined, each with its origin.
    func settings() throws -> ResolvedSettings {
        try Self.settings(folder: folder, table: table, ignoredCharacters: ignoredCharacters, config: config)
    }

    /// Resolves settings from these flags' values (nil: not given) against the working directory.
    static func settings(folder: String? = nil, table: String? = nil, ignoredCharacters: Set<Unicode.Scalar>? = nil,
                         config: String? = nil) throws -> ResolvedSettings {
        try CommandFailure.reporting {
            try ResolvedSettings.resolve(migrations: folder, table: table, ignoredCharacters: ignoredCharacters,
                                         config: config, workingDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        }
    }

    /// Loads the migration set in `folder` (default: the resolved one) and its fingerprints (from the
    /// lock when it matches, else a replay); a failure is a usage error (exit 64) with one line on stderr.
    /// A stale lock is said on stderr. With `progressFor`, a long replay shows progress on a terminal
    /// (never for machine-readable formats).
    func makeReconciler(useLock: Bool = true, folder override: URL? = nil, databases: [String] = [],
                        progressFor format: OutputFormat? = nil) throws -> Reconciler {
        try loading(useLock: useLock, folder: override, databases: databases, progressFor: format) { set, ledger, ignored, useLock, progress in
            let reconciler = try Reconciler(migrations: set, ledger: ledger, ignored: ignored, useLock: useLock, replayProgress: progress)
            return (reconciler, reconciler.fingerprintSource)
        }
    }

    /// The fingerprint report of the resolved folder, as ``makeReconciler(useLock:folder:databases:progressFor:)``
    /// would find it, from a replay that keeps only what the report prints. A migration that fails to
    /// replay is the command's failure.
    func makeReport(progressFor format: OutputFormat? = nil) throws -> FingerprintReport {
        try loading(progressFor: format) { set, ledger, ignored, useLock, progress in
            do {
                let report = try FingerprintReport(migrations: set, ledger: ledger, ignored: ignored, useLock: useLock,
                                                   replayProgress: progress)
                return (report, report.source ?? .replay)
            } catch let failure as ReplayError {
                throw CommandFailure.exit(failure.description)
            }
        }
    }

    /// Resolves the settings and the dialect, loads the set, and hands them to `build` with the ignored
    /// patterns, whether to read the lock, and a progress callback; says a stale lock on stderr.
    private func loading<T>(useLock: Bool = true, folder override: URL? = nil, databases: [String] = [],
                            progressFor format: OutputFormat?,
                            _ build: (MigrationSet, any LedgerDialect, [NamePattern], Bool, ((Int, Int) -> Void)?) throws
                                -> (T, Reconciler.FingerprintSource)) throws -> T {
        // Another migrations folder (an --app-dir group) takes the sqlx.toml beside or above it.
        let settings = try override.map { folder in
            try Self.settings(folder: folder.path, table: table, ignoredCharacters: ignoredCharacters)
        } ?? settings()
        let progress = format.flatMap { ProgressReporter(format: $0, activity: "replaying migrations", unit: "versions") }
        defer { progress?.finish() }
        let folder = override ?? settings.migrationsFolder
        let chosen = try chooseDialect(folder: folder, databases: databases, hasSQLxConfig: settings.config != nil)
        let ignored = ignore.map(NamePattern.init)
        let (made, source) = try CommandFailure.reporting {
            if !(chosen is SQLxLedger) {
                let dialect = try table.map { try chosen.renamingTable(to: $0) } ?? chosen
                // The fingerprint lock records sqlx checksums; another dialect's identities never match it.
                return try build(try dialect.loadMigrations(from: folder, ignoredCharacters: []), dialect, ignored, false,
                                 progress?.callback)
            }
            let ledger = try SQLxLedger(tableNameText: settings.tableNameText)
            return try build(try MigrationSet.load(from: folder, ignoredCharacters: settings.ignoredCharacters), ledger, ignored,
                             useLock && !noLock, progress?.callback)
        }
        if case .replayedStaleLock = source {
            Terminal.printError("schema-reconcile: note: \(source)")
        }
        return made
    }

    /// `--dialect`, else what the databases' ledgers or the folder's layout show; several → exit 64.
    func chooseDialect(folder: URL, databases: [String], hasSQLxConfig: Bool) throws -> any MigrationDialect {
        let chosen: any MigrationDialect
        if let dialect {
            guard let named = Dialects.named(dialect) else {
                throw CommandFailure(message: "unknown dialect \"\(dialect)\"; known: \(Dialects.all.map(\.name).joined(separator: ", "))")
            }
            chosen = named
        } else {
            chosen = try Self.detectDialect(folder: folder, databases: databases, hasSQLxConfig: hasSQLxConfig)
        }
        if let userVersionMeans {
            guard chosen is UserVersion, let meaning = UserVersion.Meaning(rawValue: userVersionMeans) else {
                throw CommandFailure(message: chosen is UserVersion ? "--user-version-means takes version or count, not \"\(userVersionMeans)\""
                                     : "--user-version-means is for --dialect user-version; the dialect is \(chosen.name)")
            }
            return UserVersion(meaning: meaning)
        }
        if allowMissing {
            guard chosen is Goose else { throw CommandFailure(message: "--allow-missing is goose's -allow-missing; the dialect is \(chosen.name)") }
            return Goose(allowMissing: true)
        }
        if outOfOrder {
            guard let flyway = chosen as? Flyway else { throw CommandFailure(message: "--out-of-order is Flyway's outOfOrder; the dialect is \(chosen.name)") }
            var allowing = flyway
            allowing.outOfOrder = true
            return allowing
        }
        guard noTransactionWrap else { return chosen }
        guard chosen is GolangMigrate else { throw CommandFailure(message: "--no-tx-wrap is golang-migrate's x-no-tx-wrap; the dialect is \(chosen.name)") }
        return GolangMigrate(noTransactionWrap: true)
    }

    /// The dialect the databases' ledgers or the folder's layout show, sqlx when nothing does; several → exit 64.
    static func detectDialect(folder: URL, databases: [String], hasSQLxConfig: Bool) throws -> any MigrationDialect {
        try dialect(for: Dialects.detect(folder: folder, databases: databases, hasSQLxConfig: hasSQLxConfig))
    }

    /// The dialect a detection decided, sqlx when nothing was recognisable; several → exit 64.
    static func dialect(for detection: Dialects.Detection) throws -> any MigrationDialect {
        switch detection {
        case .decided(let dialect, _): return dialect
        case .unknown: return SQLxLedger()
        case .ambiguous(let candidates, let evidence):
            throw CommandFailure(message: "cannot tell which migration tool this is (\(evidence)); candidates: \(candidates.joined(separator: ", ")); pass --dialect NAME")
        }
    }
}
