import ArgumentParser
import SchemaReconciler

/// `schema-reconcile fingerprint`: per-version checksums, fingerprints and effects of the migration set.
struct FingerprintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fingerprint",
        abstract: "Print each migration's checksum, schema fingerprint and schema effect.",
        discussion: """
            Replays the migrations into a private in-memory database and hashes the canonical schema \
            after each version. A schema-silent migration (data-only, or DDL with no net effect) has \
            the same fingerprint as the version before it; a database at either cannot be told apart.
            """)

    @OptionGroup var migrations: MigrationOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let report = FingerprintReport(reconciler: try migrations.makeReconciler())
        switch output.format {
        case .text: Terminal.print(report.text(useColor: Terminal.useColor))
        case .json: Terminal.print(report.json())
        case .markdown: Terminal.print(report.markdown())
        }
    }
}
