import ArgumentParser
import SchemaReconciler

/// A failure the command reports as one line on stderr before exiting with 64 (usage or invalid migration set).
struct CommandFailure: Error, CustomStringConvertible {
    let message: String

    var description: String { message }

    /// Runs `body`; errors that mean the command cannot start become `schema-reconcile: <reason>` and exit 64.
    static func reporting<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as CommandFailure {
            throw exit(error.message)
        } catch let error as MigrationSetError {
            throw exit(error.description)
        } catch let error as ReplayError {
            throw exit(error.description)
        } catch let error as SQLxLedger.InvalidTableName {
            throw exit(error.description)
        } catch let error as ConfigurationError {
            throw exit(error.description)
        } catch let error as ResolvedSettings.NoMigrationsFolder {
            throw exit(error.description)
        } catch {
            // Anything else while loading or replaying the set is still the set's fault, said in one line.
            throw exit("cannot use the migration set: \(String(describing: error))")
        }
    }

    static func exit(_ message: String) -> ArgumentParser.ExitCode {
        Terminal.printError("schema-reconcile: \(message)")
        return ArgumentParser.ExitCode(SchemaReconciler.ExitCode.usage.rawValue)
    }
}
