import ArgumentParser
import SchemaReconciler

/// `schema-reconcile check`: a terse pass/fail over databases, for CI and launch scripts.
struct CheckCommand: FormattedCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check databases and exit with the worst code; one line per database plus findings.",
        discussion: """
            Same diagnosis as `diagnose`, printed tersely (the JSON document is identical). \
            Exit 0 when every database is fine, 1 when `repair` fixes all drift, 2 when a person must decide, \
            3 when a database cannot be read. Over many databases on a terminal, progress is shown on stderr.

            Examples:
              schema-reconcile check state.sqlite
              schema-reconcile check --require-tip --invariants Fixtures/*.sqlite
              schema-reconcile check --format junit Fixtures/*.sqlite > junit.xml
              schema-reconcile check --format github Fixtures/*.sqlite
              schema-reconcile check --app-dir ~/.local/share/myapp
            """)

    @OptionGroup var selection: DatabaseSelection

    @Flag(name: .customLong("require-tip"),
          help: "Fail (exit 2) when a consistent database is not at the newest bundled version.")
    var requireTip = false

    @Flag(name: .customLong("invariants"),
          help: "Fail (exit 2) when a manifest invariant is violated (repair never edits data for it).")
    var invariants = false

    @OptionGroup var migrations: MigrationOptions
    @OptionGroup var plan: PlanChoices
    @OptionGroup var output: OutputOptions

    func validate() throws {
        try output.require([.text, .json, .markdown, .junit, .github], command: "check")
    }

    func run() throws {
        // A launcher's check: decide healthy databases from the lock's quick index, without replay.
        if !invariants, plan.reference == nil, selection.appDir == nil, !migrations.noLock {
            let settings = try migrations.settings()
            let paths = selection.expandedDatabases()
            let options = plan.planOptions(requireTip: requireTip)
            if migrations.detectsDialect,
               try Self.runQuickDetectingSQLx(settings: settings, paths: paths, options: options, ignored: migrations.ignore,
                                              format: output.format, jobs: selection.concurrency) {
                return
            }
            if try migrations.chooseDialect(folder: settings.migrationsFolder, databases: paths,
                                            hasSQLxConfig: settings.config != nil) is SQLxLedger {
                let checker = try Self.quickChecker(settings: settings, options: options, ignored: migrations.ignore)
                try Self.render(try Self.quickResults(checker, paths: paths, format: output.format, jobs: selection.concurrency),
                                settings: settings, format: output.format)
                return
            }
        }
        try DiagnosisOutput.emit(try selection.groups(migrations, progressFor: output.format), settings: try migrations.settings().sources,
                                options: plan.planOptions(requireTip: requireTip, enforceInvariants: invariants),
                                format: output.format, detail: .brief, jobs: selection.concurrency)
    }

    /// The quick check, when the databases' ledgers (or, if none holds one, the folder) show sqlx's: the same
    /// decision as ``MigrationOptions/detectDialect(folder:databases:hasSQLxConfig:)``, with each database's
    /// ledgers read on the connection its check opens rather than on one opened before (which parsed every
    /// schema twice). Only a folder whose fingerprint lock vouches for it is tried so: another tool's folder has
    /// no sqlx lock. Returns false, having written nothing, when the databases or the folder are another tool's,
    /// or the folder cannot be checked so: the caller then takes the path that names the tool or the problem.
    static func runQuickDetectingSQLx(settings: ResolvedSettings, paths: [String], options: PlanOptions, ignored: [String],
                                      format: OutputFormat, jobs: Int) throws -> Bool {
        guard let checker = try? quickChecker(settings: settings, options: options, ignored: ignored), checker.hasQuickIndex,
              let results = try? quickResults(checker, paths: paths, format: format, jobs: jobs, notingLedgers: true),
              Dialects.decide(ledgers: Array(zip(paths, results.map(\.ledgersHeld))), folder: settings.migrationsFolder,
                              hasSQLxConfig: settings.config != nil).choosesSQLx
        else { return false }
        try render(results, settings: settings, format: format)
        return true
    }

    /// The set and the lock's quick index, read once whatever the number of databases.
    static func quickChecker(settings: ResolvedSettings, options: PlanOptions, ignored: [String]) throws -> QuickChecker {
        try CommandFailure.reporting {
            try QuickChecker(migrationsFolder: settings.migrationsFolder, ignoredCharacters: settings.ignoredCharacters,
                             ledger: try SQLxLedger(tableNameText: settings.tableNameText),
                             ignored: ignored.map(NamePattern.init), options: options)
        }
    }

    /// Checks sqlx databases, with a progress line on a terminal.
    static func quickResults(_ checker: QuickChecker, paths: [String], format: OutputFormat, jobs: Int,
                             notingLedgers: Bool = false) throws -> [Reconciler.QuickCheckResult] {
        try CommandFailure.reporting {
            let progress = ProgressReporter(format: format, activity: "checking", unit: "databases")
            defer { progress?.finish() }
            return try checker.check(databasesAt: paths, jobs: jobs, notingLedgersOf: notingLedgers ? Dialects.all : nil) { done in
                progress?.update(done: done, total: paths.count)
            }
        }
    }

    static func render(_ results: [Reconciler.QuickCheckResult], settings: ResolvedSettings, format: OutputFormat) throws {
        if let stale = results.first(where: { if case .replayedStaleLock = $0.fingerprintSource { true } else { false } }) {
            Terminal.printError("schema-reconcile: note: \(stale.fingerprintSource)")
        }
        var report = DiagnosisReport(results.map(\.diagnosis), migrationsFolder: settings.migrationsFolder.path,
                                     tipVersion: results.first?.tipVersion ?? nil)
        report.settings = settings.sources
        report.fingerprintSource = results.first?.fingerprintSource.description
        try DiagnosisOutput.render([(nil, report)], format: format, detail: .brief)
    }
}

extension Dialects.Detection {
    /// Whether the dialect this detection decides (``MigrationOptions/dialect(for:)``) is sqlx.
    var choosesSQLx: Bool { (try? MigrationOptions.dialect(for: self)) is SQLxLedger }
}

/// The launcher's call, `schema-reconcile check DB...` with no option at all, recognised without the argument parser.
///
/// In the static binary, ArgumentParser's model of the commands costs about half the instructions of a healthy
/// check: each first protocol-conformance lookup scans the binary's 7,000 conformance records, and the parser makes
/// hundreds of them, plus two lenient parses looking for `--generate-completion-script`. Only arguments that cannot
/// be options qualify (none starts with `-`, so `--`, `-h` and every flag go to the parser); they mean to the parser
/// exactly what they mean here: `check` with these database paths and every option at its default.
///
/// ```swift
/// LaunchCheck(["check", "state.sqlite"])?.databases   // ["state.sqlite"]
/// LaunchCheck(["check", "--require-tip", "state.sqlite"]) // nil: the parser handles it
/// ```
struct LaunchCheck: Equatable {
    /// The database arguments, as given.
    let databases: [String]

    init?(_ arguments: [String]) {
        guard arguments.count >= 2, arguments[0] == CheckCommand.configuration.commandName,
              arguments.dropFirst().allSatisfy({ !$0.hasPrefix("-") }) else { return nil }
        databases = Array(arguments.dropFirst())
    }

    /// Runs the quick check as `CheckCommand` does with default options; returns false, having written nothing,
    /// when the databases or the folder are another tool's (or something the parsed command must name).
    func runIfSQLx() throws -> Bool {
        try CheckCommand.runQuickDetectingSQLx(settings: try MigrationOptions.settings(),
                                               paths: DatabasePaths.expand(databases, recursive: false), options: PlanOptions(),
                                               ignored: [], format: .text, jobs: DatabaseSelection.defaultConcurrency)
    }
}
