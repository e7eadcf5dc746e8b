import ArgumentParser
import SchemaReconciler

/// `schema-reconcile diagnose`: the full diagnosis of each database, with evidence and the repair plan.
struct DiagnoseCommand: FormattedCommand {
    static let configuration = CommandConfiguration(
        commandName: "diagnose",
        abstract: "Explain each database: verdict, matched versions, ledger, evidence and the repair plan.",
        discussion: """
            Databases are opened read-only. The plan shown is exactly what `repair` would write with the \
            same flags; when the schema cannot decide, the plan is refused and names the flag that settles it.

            Examples:
              schema-reconcile diagnose state.sqlite
              schema-reconcile diagnose --format json state.sqlite
              schema-reconcile diagnose --assume-version 33 state.sqlite
              schema-reconcile diagnose --format html state.sqlite > state.html
            """)

    @OptionGroup var selection: DatabaseSelection

    @OptionGroup var migrations: MigrationOptions
    @OptionGroup var plan: PlanChoices
    @OptionGroup var output: OutputOptions

    func validate() throws {
        try output.require([.text, .json, .markdown, .junit, .github, .html], command: "diagnose")
    }

    func run() throws {
        try DiagnosisOutput.emit(try selection.groups(migrations, progressFor: output.format), settings: try migrations.settings().sources,
                                options: plan.planOptions(),
                                format: output.format, detail: .full, jobs: selection.concurrency)
    }
}
