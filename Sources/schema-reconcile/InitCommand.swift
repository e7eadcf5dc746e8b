import ArgumentParser
import Foundation
import SchemaReconciler

/// `schema-reconcile init`: a first manifest and fingerprint lock for a project that has migrations.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Set up a project: draft reconcile.toml (a probe stub per schema-silent migration) and write the fingerprint lock.",
        discussion: """
            Detects the migrator's layout (sqlx today), replays the migrations, and writes two files into the \
            migrations folder: reconcile.toml, with a commented [[probe]] stub for every schema-silent migration \
            showing the statements its probe must prove ran, and schema-fingerprints.json, the fingerprint lock. \
            It never overwrites a file: when either exists, nothing is written and init exits 64.

            Examples:
              schema-reconcile init --migrations migrations
              schema-reconcile init --migrations db/migrations --ignore 'cache_*'
            """)

    @OptionGroup var migrations: MigrationOptions

    func validate() throws {
        if migrations.noLock { throw ValidationError("init always replays and writes the lock; --no-lock does not apply") }
    }

    func run() throws {
        let settings = try migrations.settings()
        let outcome = try CommandFailure.reporting { () throws -> ProjectSetup.Outcome in
            let ledger = try SQLxLedger(tableNameText: settings.tableNameText)
            let progress = ProgressReporter(format: .text, activity: "replaying migrations", unit: "versions")
            defer { progress?.finish() }
            do {
                return try ProjectSetup(migrationsFolder: settings.migrationsFolder, ignoredCharacters: settings.ignoredCharacters,
                                        ledgerTable: ledger.tableName, ignored: migrations.ignore.map(NamePattern.init))
                    .run(replayProgress: progress?.callback)
            } catch let failure as ProjectSetup.Failure {
                throw CommandFailure(message: failure.description)
            }
        }
        let folder = DisplayPath.shellQuoted(DisplayPath.relative(outcome.migrations.folder))
        let manifest = DisplayPath.shellQuoted(DisplayPath.relative(outcome.manifestURL))
        let lock = DisplayPath.shellQuoted(DisplayPath.relative(outcome.lockURL))
        let stubs = outcome.probeStubs
        Terminal.print("\(folder): \(outcome.layout) migrations, \(outcome.migrations.applying.count) version(s)")
        Terminal.print("wrote \(manifest): "
                       + (stubs.isEmpty ? "no schema-silent migration, so no probe is needed"
                                        : "\(stubs.count) commented [[probe]] stub(s), for schema-silent version(s) \(stubs.map(String.init).joined(separator: ", "))"))
        Terminal.print("wrote \(lock): tip fingerprint \(outcome.tipFingerprint.short)")
        Terminal.print("")
        Terminal.print("Next:")
        var step = 1
        if !stubs.isEmpty {
            Terminal.print("  \(step). In \(manifest), write each probe's query and uncomment its [[probe]] table.")
            Terminal.print("  \(step + 1). schema-reconcile fingerprint --write-lock --migrations \(folder)   (the lock records the manifest)")
            step += 2
        }
        Terminal.print("  \(step). schema-reconcile fingerprint --check-lock --migrations \(folder)   (in CI, on every change)")
        Terminal.print("  \(step + 1). git add \(manifest) \(lock) && git commit -m 'schema-reconcile manifest and fingerprint lock'")
    }
}
