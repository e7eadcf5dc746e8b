import Foundation
import GRDB

/// diesel (`diesel_migrations`, diesel_cli): one folder per migration holding `up.sql` (and
/// `down.sql`, `metadata.toml`), and `__diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY
/// NOT NULL, run_on TIMESTAMP …)` with one row per applied version.
///
/// The version is the folder name before the first `_` with `-` removed
/// (`2024-01-15-093000_create_users` → `20240115093000`), kept as its text. diesel orders versions
/// as strings. A version of digits compares as a number (so a ledger row and its folder agree however
/// the lock stored it), any other version as text after every number; a folder where that order is
/// not diesel's string order (`9_a` beside `10_b`) is refused, naming the folder.
/// `metadata.toml` `run_in_transaction = false` runs `up.sql` outside a transaction. No checksum:
/// a row's identity is its version text. diesel has no start-up refusal.
///
/// ```swift
/// let reconciler = try Reconciler(migrationsFolder: folder, dialect: Diesel())
/// ```
public struct Diesel: MigrationDialect, RowLedger, Hashable {
    public static let table = "__diesel_schema_migrations"

    public init() {}

    public var name: String { "diesel" }
    public var tableName: String { Self.table }
    public var defaultLedgerTable: String { Self.table }

    /// diesel's table name is fixed.
    public func renamingTable(to name: String) throws -> any MigrationDialect { throw SQLxLedger.InvalidTableName(text: name) }

    /// `diesel/src/migration/setup_migration_table.sql`.
    public static let createTableSQL = """
        CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (
               version VARCHAR(50) PRIMARY KEY NOT NULL,
               run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
        );

        """

    // MARK: - Layout

    /// `version_from_string`: the folder name before the first `_`, dashes removed.
    static func versionText(of folderName: String) -> String {
        String(folderName.split(separator: "_", maxSplits: 1, omittingEmptySubsequences: false)[0]).replacingOccurrences(of: "-", with: "")
    }

    /// The engine's version for diesel's version text: a number when it is digits, else the text.
    static func version(_ text: String) -> MigrationVersion {
        MigrationVersion(dotted: text).flatMap { text.contains(".") ? nil : $0 } ?? MigrationVersion(text: text)
    }

    /// The migration folders: not hidden, holding `up.sql` (`migrations_directories`, `valid_sql_migration_directory`).
    static func migrationFolders(in folder: URL) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [] }
        return names.filter { name in
            var isDirectory: ObjCBool = false
            return !name.hasPrefix(".") && FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path, isDirectory: &isDirectory)
                && isDirectory.boolValue && FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).appendingPathComponent("up.sql").path)
        }.sorted()
    }

    public func recognises(_ folder: URL) -> Bool { claimsExclusively(folder) }

    /// Folders holding `up.sql` are diesel's alone.
    public func claimsExclusively(_ folder: URL) -> Bool { !Self.migrationFolders(in: folder).isEmpty }

    public func loadMigrations(from folder: URL, ignoredCharacters: Set<Unicode.Scalar>) throws -> MigrationSet {
        guard FileManager.default.fileExists(atPath: folder.path) else { throw MigrationSetError.folderMissing(path: folder.path) }
        var migrations: [Migration] = []
        for name in Self.migrationFolders(in: folder) {
            let directory = folder.appendingPathComponent(name)
            let url = directory.appendingPathComponent("up.sql")
            let text = Self.versionText(of: name)
            guard !text.isEmpty else { throw MigrationSetError.unparsableVersion(path: directory.path, prefix: text) }
            let version = Self.version(text)
            let sql = try MigrationSet.readUTF8(url)
            let metadata = try? String(contentsOf: directory.appendingPathComponent("metadata.toml"), encoding: .utf8)
            let noTransaction = metadata.map { Self.runsOutsideTransaction($0) } ?? false
            let description = name.split(separator: "_", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
            migrations.append(Migration(version: version, description: description, kind: .simple, fileName: name, url: url,
                                        sql: sql, checksum: Self.identity(of: text), noTransaction: noTransaction))
        }
        guard !migrations.isEmpty else { throw MigrationSetError.noMigrations(path: folder.path) }
        let set = try MigrationSet(folder: folder, migrations: migrations)
        for (earlier, later) in zip(set.applying, set.applying.dropFirst())
        where Self.versionText(of: later.fileName) < Self.versionText(of: earlier.fileName) {
            throw MigrationSetError.fileUnreadable(path: later.url.deletingLastPathComponent().path,
                                                   reason: "diesel orders versions as strings, so its order beside \(earlier.fileName) depends on how a version is read; give the versions one width")
        }
        return set
    }

    /// `run_in_transaction = false` in `metadata.toml`.
    static func runsOutsideTransaction(_ toml: String) -> Bool {
        toml.split(separator: "\n").contains { line in
            let parts = line.split(separator: "#", maxSplits: 1)[0].split(separator: "=", maxSplits: 1)
            return parts.count == 2 && parts[0].trimmingCharacters(in: .whitespaces) == "run_in_transaction"
                && parts[1].trimmingCharacters(in: .whitespaces) == "false"
        }
    }

    static func identity(of text: String) -> Digest { Digest.sha384(of: Array("diesel version \(text)".utf8)) }

    // MARK: - Reading

    public func holdsLedger(_ db: Database) throws -> Bool { Self.holds(columns: try Self.columnNames(Self.table, in: db)) }

    /// Whether a table with these columns (none: no table) is this tool's ledger.
    static func holds(columns names: [String]) -> Bool {
        TableColumn.names(names, include: ["version"])
    }

    /// `applied_migrations`: every version text.
    public func read(_ db: Database) throws -> LedgerState {
        let columns = try Self.columnNames(Self.table, in: db)
        guard !columns.isEmpty else { return .absent }
        guard Self.holds(columns: columns) else { return .unusable(reason: "ledger table \(Self.table) has no version column (diesel needs it)") }
        var rows: [LedgerRow] = []
        var problems: [String] = []
        for row in try Row.fetchAll(db, sql: "SELECT version, run_on FROM main.\(Self.table) ORDER BY version") {
            guard let text = row[0] as String?, !text.isEmpty else {
                problems.append("a row holds version \((row[0] as DatabaseValue).description), which names no migration folder")
                continue
            }
            rows.append(LedgerRow(version: Self.version(text), description: text, installedOn: row[1], checksum: Self.identity(of: text)))
        }
        rows.sort { $0.version < $1.version }
        return .present(LedgerContents(rows: rows, columns: columns, problems: problems))
    }

    // MARK: - Writing

    public func createTable(_ db: Database) throws { try db.execute(sql: Self.createTableSQL) }

    /// `run_migration`'s insert: the version text; `run_on` takes its default (UTC `YYYY-MM-DD HH:MM:SS`).
    public func insert(_ row: LedgerRow, in db: Database) throws {
        try db.execute(sql: "INSERT INTO `__diesel_schema_migrations` (`version`) VALUES (?)", arguments: [row.version.description])
    }

    /// A row whose text is not its folder's (`020240115093000`) gets the folder's text: diesel compares text.
    public func update(version: MigrationVersion, success: Bool, checksum: Digest, in db: Database) throws {
        try db.execute(sql: "UPDATE __diesel_schema_migrations SET version = ? WHERE \(Self.matching) AND version <> ?",
                       arguments: [version.description, version.description, version.description])
    }

    /// `revert_migration`'s delete.
    public func delete(version: MigrationVersion, in db: Database) throws {
        try db.execute(sql: "DELETE FROM `__diesel_schema_migrations` WHERE \(Self.matching)", arguments: [version.description, version.description])
    }

    /// The rows the engine reads as one version: the same text, or digits of the same number.
    private static let matching = "(version = ? OR (version NOT GLOB '*[^0-9]*' AND ltrim(version, '0') = ltrim(?, '0')))"


    public func move(version: MigrationVersion, to newVersion: MigrationVersion, description: String, checksum: Digest, in db: Database) throws {
        throw DatabaseError(message: "\(Self.table) rows cannot be moved: the version is the identity")
    }
}
