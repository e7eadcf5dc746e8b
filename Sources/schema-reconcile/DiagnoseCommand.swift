import ArgumentParser
import SchemaReconciler

/// `schema-reconcile diagnose`: the full diagnosis of each database, with evidence and the repair plan.
struct DiagnoseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diagnose",
        abstract: "Explain each database: verdict, matched versions, ledger, evidence and the repair plan.",
        discussion: """
            Databases are opened read-only. The plan shown is exactly what `repair` would write with the \
            same flags; when the schema cannot decide, the plan is refused and names the flag that settles it.
            """)

    @Argument(help: ArgumentHelp("Database files to diagnose.", valueName: "db"))
    var databases: [String]

    @OptionGroup var migrations: MigrationOptions
    @OptionGroup var plan: PlanChoices
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard !databases.isEmpty else { throw ValidationError("give at least one database file") }
    }

    func run() throws {
        let reconciler = try migrations.makeReconciler()
        try DatabaseReport.emit(databases, reconciler: reconciler, options: plan.planOptions(),
                                format: output.format, detail: .full)
    }
}

/// Diagnoses databases, prints the report, and exits with the worst code: shared by `diagnose` and `check`.
enum DatabaseReport {
    static func emit(_ paths: [String], reconciler: Reconciler, options: PlanOptions, format: OutputFormat,
                     detail: DiagnosisReport.Detail) throws {
        let diagnoses = paths.map { reconciler.diagnose(databaseAt: $0, options: options) }
        let report = DiagnosisReport(diagnoses, reconciler: reconciler)
        switch format {
        case .text: Terminal.print(report.text(useColor: Terminal.useColor, detail: detail))
        case .json: Terminal.print(report.json())
        case .markdown: Terminal.print(report.markdown())
        }
        if report.exitCode != .ok {
            throw ArgumentParser.ExitCode(report.exitCode.rawValue)
        }
    }
}
