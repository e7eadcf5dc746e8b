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
        try DiagnosisOutput.emit(databases, reconciler: reconciler, options: plan.planOptions(),
                                format: output.format, detail: .full)
    }
}
