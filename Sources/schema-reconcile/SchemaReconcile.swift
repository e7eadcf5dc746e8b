import ArgumentParser

/// The `schema-reconcile` command: subcommands parse arguments and render reports; the library decides.
@main
struct SchemaReconcile: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema-reconcile",
        abstract: "Check, explain and repair SQLite migration ledgers (sqlx's _sqlx_migrations) that drifted from the schema.",
        discussion: """
            The migration files are replayed into a private in-memory database to fingerprint the schema \
            after each version; a database's schema is then matched against those fingerprints and \
            compared with what its sqlx ledger (_sqlx_migrations) claims. fingerprint, diagnose and check only \
            read databases; repair rewrites the ledger (and nothing else) after a verified backup.

            Exit codes: 0 fine, 1 drift that `repair` fixes, 2 drift that needs a person, \
            3 a database could not be read, 64 usage error or invalid migration set. \
            With several databases the worst code wins.

            Examples:
              schema-reconcile init --migrations migrations
              schema-reconcile check state.sqlite
              schema-reconcile diagnose state.sqlite
              schema-reconcile repair state.sqlite
            """,
        subcommands: [FingerprintCommand.self, DiagnoseCommand.self, CheckCommand.self, RepairCommand.self, InitCommand.self])
}
