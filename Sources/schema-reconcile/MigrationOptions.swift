import ArgumentParser
import Foundation
import SchemaReconciler

/// Where the migrations are and how sqlx is configured for them (`sqlx.toml [migrate]` equivalents).
struct MigrationOptions: ParsableArguments {
    @Option(name: .customLong("migrations"),
            help: ArgumentHelp("The sqlx migration folder (default: ./Migrations).", valueName: "dir"))
    var folder: String?

    @Option(name: .customLong("table"),
            help: ArgumentHelp("The ledger table name (sqlx.toml table-name).", valueName: "name"))
    var table: String = SQLxLedger.defaultTableName

    @Option(name: .customLong("ignored-chars"),
            help: ArgumentHelp(
                "Characters removed before checksumming (sqlx.toml ignored-chars).",
                discussion: #"Each Unicode scalar of the string is ignored; write \r \n \t \\ and \u{FEFF} as escapes, e.g. --ignored-chars '\r\u{FEFF}'."#,
                valueName: "chars"),
            transform: EscapedCharacters.parse)
    var ignoredCharacters: Set<Unicode.Scalar>?

    @Option(name: .customLong("ignore"),
            help: ArgumentHelp("Objects outside the migrated schema, by name pattern (* and ?); repeatable.",
                               valueName: "pattern"))
    var ignore: [String] = []

    /// The folder to read: `--migrations`, else `./Migrations` when it exists.
    func folderURL() throws -> URL {
        if let folder { return URL(fileURLWithPath: folder) }
        guard FileManager.default.fileExists(atPath: "Migrations") else {
            throw CommandFailure(message: "no migrations folder: pass --migrations DIR (no ./Migrations here)")
        }
        return URL(fileURLWithPath: "Migrations")
    }

    @Flag(name: .customLong("no-lock"),
          help: "Replay the migrations even when schema-fingerprints.json matches them.")
    var noLock = false

    /// Loads the migration set and its fingerprints (from the lock when it matches, else a replay);
    /// a failure is a usage error (exit 64) with one line on stderr. A stale lock is said on stderr.
    func makeReconciler(useLock: Bool = true) throws -> Reconciler {
        let reconciler = try CommandFailure.reporting {
            let ledger = try SQLxLedger(tableNameText: table)
            return try Reconciler(migrationsFolder: try folderURL(), ignoredCharacters: ignoredCharacters ?? [],
                                  ledger: ledger, ignored: ignore.map(NamePattern.init), useLock: useLock && !noLock)
        }
        if case .replayedStaleLock = reconciler.fingerprintSource {
            Terminal.printError("schema-reconcile: note: \(reconciler.fingerprintSource)")
        }
        return reconciler
    }
}
