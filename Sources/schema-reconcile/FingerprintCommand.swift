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
        let reconciler = try migrations.makeReconciler(progressFor: output.format)
        if let failure = reconciler.timeline.replayFailure { throw CommandFailure.exit(failure.description) }
        var report = FingerprintReport(reconciler: reconciler)
        report.settings = try migrations.settings().sources
        switch output.format {
        case .text: Terminal.print(report.text(useColor: Terminal.useColor))
        case .json: Terminal.print(report.json())
        case .markdown: Terminal.print(report.markdown())
        case .html:
            var page = HistoryPage(reconciler: reconciler)
            page.folderLabel = DisplayPath.relative(reconciler.migrations.folder)
            Terminal.print(page.html())
        case .junit, .github: throw CommandFailure.exit("fingerprint does not write --format \(output.format.rawValue)")
        }
    }

    /// `--write-lock` and `--check-lock`: always from a fresh replay, never from the lock itself.
    private func runLock() throws {
        let reconciler = try migrations.makeReconciler(useLock: false, progressFor: output.format)
        if let failure = reconciler.timeline.replayFailure { throw CommandFailure.exit(failure.description) }
        let fresh = FingerprintLock(reconciler: reconciler)
        let url = reconciler.migrations.folder.appendingPathComponent(FingerprintLock.fileName)
        if writeLock {
            do {
                try fresh.write(to: url)
            } catch {
                Terminal.printError("schema-reconcile: \(url.path): cannot write the lock: \(error.localizedDescription)")
                throw ArgumentParser.ExitCode(SchemaReconciler.ExitCode.unreadable.rawValue)
            }
            Terminal.print("wrote \(url.path): \(fresh.migrations.count) migration(s), tip fingerprint \(reconciler.timeline.tip.fingerprint.short)")
            return
        }
        let locked: FingerprintLock?
        do {
            locked = try FingerprintLock.read(from: url)
        } catch {
            Terminal.printError("schema-reconcile: \(url.path): unreadable lock: \(error.localizedDescription)")
            throw ArgumentParser.ExitCode(SchemaReconciler.ExitCode.repairable.rawValue)
        }
        guard let locked else {
            Terminal.printError("schema-reconcile: \(url.path): no lock; write one with `fingerprint --write-lock`")
            throw ArgumentParser.ExitCode(SchemaReconciler.ExitCode.repairable.rawValue)
        }
        var reasons = locked.staleness(for: reconciler.migrations, options: reconciler.snapshotOptions,
                                       manifest: reconciler.manifest) ?? []
        if reasons.isEmpty {
            for (entry, step) in zip(locked.migrations, reconciler.timeline.steps.dropFirst()) where entry.fingerprint != step.fingerprint {
                reasons.append("\(entry.fileName): fingerprint \(entry.fingerprint.short) in the lock, \(step.fingerprint.short) replayed")
            }
        }
        if reasons.isEmpty {
            Terminal.print("\(url.path): up to date (\(locked.migrations.count) migration(s))")
        } else {
            Terminal.print("\(url.path): stale; run `schema-reconcile fingerprint --write-lock`")
            for reason in reasons { Terminal.print("  - \(reason)") }
            throw ArgumentParser.ExitCode(SchemaReconciler.ExitCode.repairable.rawValue)
        }
    }
}
