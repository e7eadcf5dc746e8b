import CSQLiteHardening
import Foundation
import GRDB

/// Opens SQLite connections defensively: a database file may be hostile, and must not run code.
///
/// Every connection gets defensive mode, `trusted_schema` off, no extension loading and no
/// ATTACH. User databases are opened read-only unless a repair needs to write the ledger.
///
/// ```swift
/// let queue = try HardenedDatabase.open(path: "app.sqlite", access: .readOnly)
/// ```
public enum HardenedDatabase {
    /// How a database file is opened.
    public enum Access: Sendable {
        case readOnly
        case readWrite
    }

    /// For a process that owns its SQLite, such as the command-line tool: turns off SQLite's global
    /// memory statistics, whose mutex every allocation takes, so databases checked on several threads
    /// do not queue on it. Call it before anything else uses SQLite; afterwards it does nothing. An app
    /// embedding the library should leave its SQLite configuration alone and not call this.
    ///
    /// ```swift
    /// HardenedDatabase.configureProcessForParallelWork() // first line of main
    /// ```
    @discardableResult
    public static func configureProcessForParallelWork() -> Bool {
        sr_disable_memory_statistics() == SQLITE_OK
    }

    /// Default time to wait for another process's lock before giving up.
    public static let defaultBusyTimeout: TimeInterval = 3

    /// The longest busy timeout SQLite can take (`Int32.max` milliseconds); longer ones are clamped.
    public static let maximumBusyTimeout: TimeInterval = TimeInterval(Int32.max / 1000)

    /// A GRDB configuration with the hardening applied on every connection.
    ///
    /// `trustedSchema` stays false for user databases: functions in their views, triggers and
    /// constraints cannot run with side effects. The replay database turns it on, because it runs
    /// the bundled migrations exactly as the app does (a `CHECK (json_valid(x))` needs it).
    public static func configuration(access: Access, busyTimeout: TimeInterval = defaultBusyTimeout,
                                     trustedSchema: Bool = false) -> Configuration {
        var configuration = Configuration()
        configuration.readonly = access == .readOnly
        // GRDB converts the timeout to whole milliseconds in an Int32: clamp rather than trap.
        configuration.busyMode = .timeout(min(max(busyTimeout, 0), maximumBusyTimeout))
        configuration.foreignKeysEnabled = false
        configuration.label = "schema-reconcile"
        configuration.prepareDatabase { db in
            try harden(db, trustedSchema: trustedSchema)
        }
        return configuration
    }

    /// Applies the hardening to an open connection.
    static func harden(_ db: Database, trustedSchema: Bool) throws {
        let code = sr_harden_connection(db.sqliteConnection, trustedSchema ? 1 : 0)
        guard code == SQLITE_OK else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "cannot harden the SQLite connection")
        }
    }

    /// Turns triggers on or off for this connection.
    static func setTriggersEnabled(_ enabled: Bool, in db: Database) throws {
        let code = sr_set_triggers_enabled(db.sqliteConnection, enabled ? 1 : 0)
        guard code == SQLITE_OK else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "cannot change trigger setting")
        }
    }

    /// Opens a file-backed database.
    ///
    /// A writable connection cannot keep `trusted_schema` off: SQLite then refuses to load a schema
    /// whose CHECK constraints call functions such as `json_valid()` ("malformed database schema").
    /// The repair's connection therefore trusts the schema but runs with triggers off, foreign keys
    /// off, no extension loading and no application functions, and writes only the ledger table: no
    /// code a hostile schema could plant runs on its writes.
    ///
    /// `path` is a file name, exactly as given: `file:x.sqlite` is the file named so in the current
    /// folder, not a SQLite URI, and `:memory:` is a file too (see ``sqlitePath(for:)``).
    public static func open(path: String, access: Access, busyTimeout: TimeInterval = defaultBusyTimeout) throws -> DatabaseQueue {
        try DatabaseQueue(path: sqlitePath(for: path),
                          configuration: configuration(access: access, busyTimeout: busyTimeout,
                                                       trustedSchema: access == .readWrite))
    }

    /// The name to hand SQLite so it opens the file `path` names and nothing else.
    ///
    /// SQLite reads a name starting with `file:` as a URI when URI handling is on (the system library
    /// may enable it at build time), and treats `:memory:` and the empty name specially. A relative
    /// name gets a `./` in front, which none of those forms start with; absolute names are unchanged.
    ///
    /// ```swift
    /// HardenedDatabase.sqlitePath(for: "file:yy.sqlite") // "./file:yy.sqlite"
    /// ```
    public static func sqlitePath(for path: String) -> String {
        path.hasPrefix("/") ? path : "./" + path
    }

    /// The page size of a replay database (``openInMemory()``).
    ///
    /// A replayed schema is mostly `sqlite_schema` rows and empty tables, each table and index at
    /// least one page: 1 KB pages hold a 3,000-migration replay in about 3 MB where the default
    /// 4 KB pages take 9.5 MB, at the same replay speed (Benchmarks/RESULTS.md). The smallest page
    /// SQLite allows, 512 bytes, takes a third less again (the 1,000-migration set: 1,242 pages of
    /// 512 bytes, 954 of 1 KB, 745 of 4 KB). Nothing a snapshot records depends on the page size.
    static let replayPageSize = 512

    /// Opens a private in-memory database for replaying migrations.
    public static func openInMemory() throws -> DatabaseQueue {
        var configuration = configuration(access: .readWrite, trustedSchema: true)
        // sqlx's SQLite connections enable foreign keys; replay the way the app runs.
        configuration.foreignKeysEnabled = true
        configuration.allowsUnsafeTransactions = true
        // Only takes effect before the first page is written, which is why it runs on open.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA page_size = \(replayPageSize)") }
        return try DatabaseQueue(configuration: configuration)
    }
}
