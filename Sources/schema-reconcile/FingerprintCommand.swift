import ArgumentParser
import SchemaReconciler

/// `schema-reconcile fingerprint`: per-version checksums, fingerprints and effects of the migration set.
struct FingerprintCommand: FormattedCommand {
    static let configuration = CommandConfiguration(
        commandName: "fingerprint",
        abstract: "Print each migration's checksum, schema fingerprint and schema effect.",
        discussion: """
            Replays the migrations into a private in-memory database and hashes the canonical schema \
            after each version. A schema-silent migration (data-only, or DDL with no net effect) has \
            the same fingerprint as the version before it; a database at either cannot be told apart.

            Examples:
              schema-reconcile fingerprint --migrations migrations
              schema-reconcile fingerprint --write-lock
              schema-reconcile fingerprint --check-lock
              schema-reconcile fingerprint --format html > history.html
            """)

    @Flag(name: .customLong("write-lock"),
          help: "Replay and write schema-fingerprints.json into the migrations folder (commit it).")
    var writeLock = false

    @Flag(name: .customLong("check-lock"),
          help: "Replay and compare with schema-fingerprints.json; exit 1 when it is stale (a CI gate).")
    var checkLock = false

    @OptionGroup var migrations: MigrationOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if writeLock && checkLock { throw ValidationError("--write-lock and --check-lock cannot be combined") }
        try output.require([.text, .json, .markdown, .html], command: "fingerprint")
        if (writeLock || checkLock) && output.format == .html {
            throw ValidationError("--format html draws the history page; --write-lock and --check-lock report in text, json or markdown")
        }
    }

    func run() throws {
        if writeLock || checkLock {
            try runLock()
            return
        }
        if output.format == .html {
            let reconciler = try replayedReconciler()
            var page = HistoryPage(reconciler: reconciler)
            page.folderLabel = DisplayPath.relative(reconciler.migrations.folder)
            Terminal.print(page.html())
            return
        }
        // The replay keeps only what the report prints (no structure of past object versions, no stored
        // texts), and the report is built in its own scope, so the replay's state is freed before the
        // output is rendered.
        let report = try {
            var report = try migrations.makeReport(progressFor: output.format)
            report.settings = try migrations.settings().sources
            return report
        }()
        switch output.format {
        case .text: Terminal.print(report.text(useColor: Terminal.useColor))
        case .json:
            // In pieces: the document of thousands of migrations is never one string.
            report.writeJSON(to: Terminal.write)
            Terminal.print("")
        case .markdown: Terminal.print(report.markdown())
        case .html, .junit, .github: throw CommandFailure.exit("fingerprint does not write --format \(output.format.rawValue)")
        }
    }

    /// The reconciler from the lock or a replay; a replay that failed is the command's failure.
    private func replayedReconciler() throws -> Reconciler {
        let reconciler = try migrations.makeReconciler(progressFor: output.format)
        if let failure = reconciler.timeline.replayFailure { throw CommandFailure.exit(failure.description) }
        return reconciler
    }

    /// `--write-lock` and `--check-lock`: always from a fresh replay, never from the lock itself.
    /// A failure (no lock, unreadable, unwritable) is one line on stderr, and a JSON document too
    /// under `--format json`.
    private func runLock() throws {
        let reconciler = try migrations.makeReconciler(useLock: false, progressFor: output.format)
        if let failure = reconciler.timeline.replayFailure { throw CommandFailure.exit(failure.description) }
        let report = writeLock ? LockReport.write(reconciler) : LockReport.check(reconciler)
        if report.isFailure { Terminal.printError("schema-reconcile: " + report.text()) }
        switch output.format {
        case .json: Terminal.print(report.json())
        case .markdown: Terminal.print(report.markdown())
        // validate() leaves only text, json and markdown for the lock; text is the fallback regardless.
        case .text, .html, .junit, .github: if !report.isFailure { Terminal.print(report.text()) }
        }
        if report.exitCode != .ok { throw ReportedExit(exitCode: report.exitCode) }
    }
}
