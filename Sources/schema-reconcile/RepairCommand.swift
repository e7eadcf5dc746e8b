import ArgumentParser
import Foundation
import SchemaReconciler

/// `schema-reconcile repair`: rewrite ledgers so they tell the truth, safely.
struct RepairCommand: FormattedCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract: "Rewrite each database's ledger so the migrator starts again, after a verified backup.",
        discussion: """
            Reads the database first (quick_check, then the plan); writes only when the plan is decided. \
            Then it takes the write lock (BEGIN IMMEDIATE) and confirms nothing moved since the plan; makes a \
            verified backup with SQLite's online backup API (beside the database, named with a timestamp, \
            unless --backup or --no-backup; written under a temporary name and renamed into place once \
            verified); writes only the ledger table, re-checks it as sqlx's start-up check does, and commits. \
            Any surprise rolls back. Migration SQL is never run against the database and user tables are \
            never touched. An audit record (JSON) is written beside the backup. Files are created with \
            O_EXCL|O_NOFOLLOW and the database's permission bits: never through a link, never over a file.

            When the app holds the database, repair fails after --busy-timeout with exit 3.

            Examples:
              schema-reconcile repair --dry-run state.sqlite
              schema-reconcile repair state.sqlite
              schema-reconcile repair --reference backup.sqlite state.sqlite
              schema-reconcile repair --app-dir ~/.local/share/myapp
            """)

    @OptionGroup var selection: DatabaseSelection

    @Flag(name: .customLong("dry-run"), help: "Print the plan; change no byte of any file.")
    var dryRun = false

    @Option(name: .customLong("backup"),
            help: ArgumentHelp("Write the backup here (one database only; must not exist).", valueName: "path"))
    var backupPath: String?

    @Flag(name: .customLong("no-backup"), help: "Skip the backup (the transaction still protects the database).")
    var noBackup = false

    @Option(name: .customLong("busy-timeout"),
            help: ArgumentHelp("How long to wait for another process's lock, in milliseconds (0 to 3600000).",
                               valueName: "ms"),
            transform: NumericOption.busyTimeout)
    var busyTimeoutMilliseconds: Int = Int(HardenedDatabase.defaultBusyTimeout * 1000)

    @OptionGroup var migrations: MigrationOptions
    @OptionGroup var plan: PlanChoices
    @OptionGroup var output: OutputOptions

    func validate() throws {
        try output.require([.text, .json, .markdown], command: "repair")
        if backupPath != nil && noBackup { throw ValidationError("--backup and --no-backup cannot be combined") }
        if backupPath != nil && (selection.databases.count > 1 || selection.appDir != nil || selection.recursive) {
            throw ValidationError("--backup PATH names one file; with several databases let each get its own backup")
        }
    }

    func run() throws {
        let groups = try selection.groups(migrations, progressFor: output.format)
        let settings = try migrations.settings().sources
        let backup: BackupChoice = noBackup ? .none : backupPath.map { .at($0) } ?? .besideDatabase
        let options = RepairOptions(plan: plan.planOptions(), dryRun: dryRun, backup: backup,
                                    busyTimeout: TimeInterval(busyTimeoutMilliseconds) / 1000)
        // Each database is repaired on its own: its own backup, its own transaction.
        var reports: [(String?, RepairReport)] = []
        for group in groups {
            let outcomes = group.paths.map { group.reconciler.repair(databaseAt: $0, options: options) }
            for outcome in outcomes {
                if let failure = outcome.auditFailure {
                    Terminal.printError("schema-reconcile: warning: \(outcome.path): repaired, but the audit record could not be written: \(failure)")
                }
            }
            var report = RepairReport(outcomes, reconciler: group.reconciler)
            report.settings = settings
            reports.append((group.heading, report))
        }
        try GroupedOutput.emit(texts: reports.map { ($0.0, $0.1.text(useColor: Terminal.useColor)) },
                               jsons: reports.map { $0.1.json() }, markdowns: reports.map { $0.1.markdown() },
                               format: output.format,
                               exitCode: SchemaReconciler.ExitCode.worst(of: reports.map(\.1.exitCode)))
    }
}
