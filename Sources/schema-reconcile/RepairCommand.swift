import ArgumentParser
import Foundation
import SchemaReconciler

/// `schema-reconcile repair`: rewrite ledgers so they tell the truth, safely.
struct RepairCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract: "Rewrite each database's ledger so the migrator starts again, after a verified backup.",
        discussion: """
            Reads the database first (quick_check, then the plan); writes only when the plan is decided. \
            Before writing it makes a verified backup with SQLite's online backup API (beside the database, \
            named with a timestamp, unless --backup or --no-backup), then in one BEGIN IMMEDIATE transaction \
            confirms nothing moved since the plan, writes only the ledger table, re-checks it as sqlx's start-up \
            check does, and commits. Any surprise rolls back. Migration SQL is never run against the database \
            and user tables are never touched. An audit record (JSON) is written beside the backup.

            When the app holds the database, repair fails after --busy-timeout with exit 3.
            """)

    @Argument(help: ArgumentHelp("Database files to repair.", valueName: "db"))
    var databases: [String]

    @Flag(name: .customLong("dry-run"), help: "Print the plan; change no byte of any file.")
    var dryRun = false

    @Option(name: .customLong("backup"),
            help: ArgumentHelp("Write the backup here (one database only; must not exist).", valueName: "path"))
    var backupPath: String?

    @Flag(name: .customLong("no-backup"), help: "Skip the backup (the transaction still protects the database).")
    var noBackup = false

    @Option(name: .customLong("busy-timeout"),
            help: ArgumentHelp("How long to wait for another process's lock, in milliseconds.", valueName: "ms"))
    var busyTimeoutMilliseconds: Int = Int(HardenedDatabase.defaultBusyTimeout * 1000)

    @OptionGroup var migrations: MigrationOptions
    @OptionGroup var plan: PlanChoices
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard !databases.isEmpty else { throw ValidationError("give at least one database file") }
        if backupPath != nil && noBackup { throw ValidationError("--backup and --no-backup cannot be combined") }
        if backupPath != nil && databases.count > 1 {
            throw ValidationError("--backup PATH names one file; with several databases let each get its own backup")
        }
        guard busyTimeoutMilliseconds >= 0 else { throw ValidationError("--busy-timeout must be zero or more") }
    }

    func run() throws {
        let reconciler = try migrations.makeReconciler()
        let backup: BackupChoice = noBackup ? .none : backupPath.map { .at($0) } ?? .besideDatabase
        let options = RepairOptions(plan: plan.planOptions(), dryRun: dryRun, backup: backup,
                                    busyTimeout: TimeInterval(busyTimeoutMilliseconds) / 1000)
        let outcomes = databases.map { reconciler.repair(databaseAt: $0, options: options) }
        let report = RepairReport(outcomes, reconciler: reconciler)
        switch output.format {
        case .text: Terminal.print(report.text(useColor: Terminal.useColor))
        case .json: Terminal.print(report.json())
        case .markdown: Terminal.print(report.markdown())
        }
        if report.exitCode != .ok {
            throw ArgumentParser.ExitCode(report.exitCode.rawValue)
        }
    }
}
