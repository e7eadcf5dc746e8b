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
        if !invariants, plan.reference == nil, selection.appDir == nil, !migrations.noLock, try isSQLx() {
            try runQuick()
            return
        }
        try DiagnosisOutput.emit(try selection.groups(migrations, progressFor: output.format), settings: try migrations.settings().sources,
                                options: plan.planOptions(requireTip: requireTip, enforceInvariants: invariants),
                                format: output.format, detail: .brief, jobs: selection.concurrency)
    }

    /// The quick index is sqlx's; other dialects take the full diagnosis.
    private func isSQLx() throws -> Bool {
        let settings = try migrations.settings()
        return try migrations.chooseDialect(folder: settings.migrationsFolder, databases: selection.expandedDatabases(),
                                            hasSQLxConfig: settings.config != nil) is SQLxLedger
    }

    private func runQuick() throws {
        let settings = try migrations.settings()
        let options = plan.planOptions(requireTip: requireTip)
        let paths = selection.expandedDatabases()
        let results = try CommandFailure.reporting {
            // The set and the lock's quick index are read once, whatever the number of databases.
            let checker = try QuickChecker(migrationsFolder: settings.migrationsFolder,
                                           ignoredCharacters: settings.ignoredCharacters,
                                           ledger: try SQLxLedger(tableNameText: settings.tableNameText),
                                           ignored: migrations.ignore.map(NamePattern.init), options: options)
            let progress = ProgressReporter(format: output.format, activity: "checking", unit: "databases")
            defer { progress?.finish() }
            return try checker.check(databasesAt: paths, jobs: selection.concurrency) { done in
                progress?.update(done: done, total: paths.count)
            }
        }
        if let stale = results.first(where: { if case .replayedStaleLock = $0.fingerprintSource { true } else { false } }) {
            Terminal.printError("schema-reconcile: note: \(stale.fingerprintSource)")
        }
        var report = DiagnosisReport(results.map(\.diagnosis), migrationsFolder: settings.migrationsFolder.path,
                                     tipVersion: results.first?.tipVersion ?? nil)
        report.settings = settings.sources
        report.fingerprintSource = results.first?.fingerprintSource.description
        try DiagnosisOutput.render([(nil, report)], format: output.format, detail: .brief)
    }
}
