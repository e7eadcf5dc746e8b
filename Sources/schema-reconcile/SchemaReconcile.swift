import ArgumentParser
import Foundation
import SchemaReconciler

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
            With several databases the worst code wins. With --format json every outcome, failures \
            included, is one JSON document on stdout (failures are also said on stderr).

            Examples:
              schema-reconcile init --migrations migrations
              schema-reconcile check state.sqlite
              schema-reconcile diagnose state.sqlite
              schema-reconcile repair state.sqlite
            """,
        version: ToolVersion.description,
        subcommands: [FingerprintCommand.self, DiagnoseCommand.self, CheckCommand.self, RepairCommand.self, InitCommand.self])

    static func main() {
        // This process owns its SQLite: no global allocation lock for the threads checking databases.
        HardenedDatabase.configureProcessForParallelWork()
        InterruptCleanup.install()
        Foundation.exit(run(Array(CommandLine.arguments.dropFirst())))
    }

    /// Parses `arguments`, runs the command and renders any failure; returns the exit code.
    static func run(_ arguments: [String]) -> Int32 {
        // `-V` is the short spelling of `--version`, which the parser only knows in its long form.
        let arguments = arguments == ["-V"] ? ["--version"] : arguments
        var format = OutputFormat.requested(in: arguments)
        do {
            if let launch = LaunchCheck(arguments), try launch.runIfSQLx() { return 0 }
            var command = try parseAsRoot(arguments)
            if let formatted = command as? any FormattedCommand { format = formatted.output.format }
            try command.run()
            return 0
        } catch let reported as ReportedExit {
            return reported.exitCode.rawValue
        } catch let failure as CommandFailure {
            Terminal.printError("schema-reconcile: \(failure.message)")
            if format == .json { Terminal.print(FailureReport(message: failure.message, exitCode: failure.exitCode).json()) }
            return failure.exitCode.rawValue
        } catch let code as ArgumentParser.ExitCode {
            return code.rawValue
        } catch {
            return renderParserError(error, format: format)
        }
    }

    /// Help and `--version` go to stdout; a usage error goes to stderr with the usage line (exit 64),
    /// and as a JSON document on stdout under `--format json`.
    private static func renderParserError(_ error: any Error, format: OutputFormat) -> Int32 {
        let code = exitCode(for: error)
        if code == .success {
            Terminal.print(fullMessage(for: error))
            return 0
        }
        let message = self.message(for: error)
        let full = fullMessage(for: error)
        // The message may quote an argument, so it is escaped; the usage lines after it are the parser's own.
        Terminal.printError("Error: " + message)
        if full.hasPrefix("Error: " + message) {
            let usage = full.dropFirst(("Error: " + message).count).drop { $0 == "\n" }
            if !usage.isEmpty { Terminal.printErrorText(String(usage)) }
        }
        if format == .json {
            let exitCode = SchemaReconciler.ExitCode(rawValue: code.rawValue) ?? .usage
            Terminal.print(FailureReport(message: message, exitCode: exitCode).json())
        }
        return code.rawValue
    }
}
