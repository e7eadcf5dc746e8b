import ArgumentParser
import SchemaReconciler

/// A failure that stops the command before any report: one line on stderr (and, with `--format json`,
/// a JSON document on stdout), then the exit code. ``SchemaReconcile/main()`` renders it.
struct CommandFailure: Error, CustomStringConvertible {
    let message: String
    var exitCode: SchemaReconciler.ExitCode = .usage

    var description: String { message }

    /// Runs `body`; errors that mean the command cannot start become a usage failure (exit 64).
    static func reporting<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as CommandFailure {
            throw error
        } catch let error as MigrationSetError {
            throw CommandFailure(message: error.description)
        } catch let error as ReplayError {
            throw CommandFailure(message: error.description)
        } catch let error as SQLxLedger.InvalidTableName {
            throw CommandFailure(message: error.description)
        } catch let error as ConfigurationError {
            throw CommandFailure(message: error.description)
        } catch let error as ResolvedSettings.NoMigrationsFolder {
            throw CommandFailure(message: error.description)
        } catch {
            // Anything else while loading or replaying the set is still the set's fault, said in one line.
            throw CommandFailure(message: "cannot use the migration set: \(String(describing: error))")
        }
    }
}

extension CommandFailure {
    /// A usage failure (exit 64) saying `message`, to throw: `throw CommandFailure.exit("…")`.
    static func exit(_ message: String) -> CommandFailure {
        CommandFailure(message: message)
    }
}

/// Thrown once a report has been printed: only the exit code is left to give.
struct ReportedExit: Error {
    let exitCode: SchemaReconciler.ExitCode
}
