import Foundation
import GRDB
import GRDBSQLite

/// sqlx's `_sqlx_migrations` ledger on SQLite, read and written with sqlx's exact statements.
///
/// The table name is pasted into SQL verbatim, as sqlx does with `[migrate] table-name`, so the
/// table this tool creates is byte-for-byte the one sqlx would create.
///
/// ```swift
/// let ledger = try SQLxLedger(tableNameText: "_sqlx_migrations")
/// let rows = try dbQueue.read { db in try ledger.read(db).rows }
/// ```
public struct SQLxLedger: RowLedger, Hashable {
    /// `sqlx`.
    public var name: String { "sqlx" }

    /// sqlx's default table name.
    public static let defaultTableName = "_sqlx_migrations"

    /// The table name as configured, pasted into SQL as is (it may carry its own quotes).
    public let tableNameText: String
    /// The table's name as stored in `sqlite_schema`.
    public let tableName: String

    /// Why a configured table name cannot be used.
    public struct InvalidTableName: Error, Sendable, CustomStringConvertible {
        public let text: String
        public var description: String {
            "ledger table name \"\(text)\" is not a single SQL identifier (quote keywords; schema-qualified names are not supported)"
        }
    }

    /// Creates the default ledger.
    public init() {
        self.tableNameText = Self.defaultTableName
        self.tableName = Self.defaultTableName
    }

    /// Creates a ledger with a configured table name (`--table`, sqlx.toml `table-name`).
    public init(tableNameText: String) throws(InvalidTableName) {
        // Exactly one identifier and nothing else (no comment): sqlx pastes this text into its SQL.
        let tokens = SQLTokenizer.tokens(in: tableNameText)
        guard tokens.count == 1, tokens[0].kind == .identifier, !tokens[0].value.isEmpty,
              tokens[0].text == Self.trimmingWhitespace(tableNameText) else {
            throw InvalidTableName(text: tableNameText)
        }
        self.tableNameText = tableNameText
        self.tableName = tokens[0].value
    }

    /// `text` without leading and trailing whitespace as Foundation's `CharacterSet.whitespaces` has it
    /// (the tab, the space separators and U+200B; a test compares the two over every scalar to U+FFFF).
    /// In plain Swift: `trimmingCharacters(in:)` goes through `NSString`, whose first use in a process
    /// cost a million instructions of a healthy `check`.
    static func trimmingWhitespace(_ text: String) -> String {
        func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar.value {
            case 0x09, 0x20, 0xA0, 0x1680, 0x2000...0x200B, 0x202F, 0x205F, 0x3000: true
            default: false
            }
        }
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isWhitespace($0) }),
              let last = scalars.lastIndex(where: { !isWhitespace($0) }) else { return "" }
        return String(scalars[first...last])
    }

    /// The table name quoted for reading, whatever characters it holds.
    var quotedName: String { "\"" + tableName.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// sqlx's `CREATE TABLE` statement for the ledger (sqlx-sqlite `ensure_migrations_table`).
    public var createTableSQL: String {
        """

        CREATE TABLE IF NOT EXISTS \(tableNameText) (
            version BIGINT PRIMARY KEY,
            description TEXT NOT NULL,
            installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
            success BOOLEAN NOT NULL,
            checksum BLOB NOT NULL,
            execution_time BIGINT NOT NULL
        );
        """
    }

    /// Columns sqlx reads at start-up (version, success, checksum) or writes when applying (description,
    /// execution_time): without any of them the migrator fails.
    private static let requiredColumns = ["version", "description", "success", "checksum", "execution_time"]
    private static let knownColumns = ["version", "description", "installed_on", "success", "checksum", "execution_time"]

    // MARK: - Reading

    /// Reads the ledger tolerantly: extra columns are ignored, odd storage classes are reported per row.
    ///
    /// ```swift
    /// let state = try dbQueue.read { db in try SQLxLedger().read(db) }
    /// ```
    /// The statement ``read(_:)`` reads the rows with, for a table with these (canonical) column names.
    private func rowsQuery(columns folded: Set<String>) -> String {
        func optional(_ column: String) -> String { folded.contains(column) ? column : "NULL" }
        return """
            SELECT version, typeof(version), checksum, success, success = false,
                   \(optional("description")), \(optional("installed_on")), \(optional("execution_time"))
            FROM main.\(quotedName) ORDER BY version
            """
    }

    /// The statement ``read(_:)`` reads the rows of `db`'s ledger with; nil when it reads none (no table,
    /// or one without a column sqlx needs). The same text gives the same plan, hence the same rows, within
    /// a read transaction: a ``VerdictMemo`` keys on what this statement returns.
    func rowsQuery(in db: Database) throws -> String? {
        let table = try Self.tableColumns(tableName, in: db)
        let folded = Set(table.map { SchemaObject.canonicalName($0.name) })
        guard !table.isEmpty, Self.requiredColumns.allSatisfy(folded.contains) else { return nil }
        return rowsQuery(columns: folded)
    }

    public func read(_ db: Database) throws -> LedgerState {
        let table = try Self.tableColumns(tableName, in: db)
        guard !table.isEmpty else { return .absent }
        let columns = table.map(\.name)
        let folded = Set(columns.map(SchemaObject.canonicalName))
        // sqlx's INSERT names its own columns only: any other NOT NULL column without a default rejects it.
        let unwritable = table.filter { column in
            column.notNull && !column.hasDefault && !column.inPrimaryKey
                && !Self.knownColumns.contains(SchemaObject.canonicalName(column.name))
        }.map(\.name)
        let missing = Self.requiredColumns.filter { !folded.contains($0) }
        guard missing.isEmpty else {
            return .unusable(reason: "ledger table \(tableName) has no \(missing.joined(separator: ", ")) column (sqlx needs it)")
        }
        var tableProblems: [String] = []
        for column in Self.knownColumns where !folded.contains(column) {
            tableProblems.append("column \(column) is missing")
        }
        var ledgerRows: [LedgerRow] = []
        try RawStatement.forEachRow(db, rowsQuery(columns: folded)) { statement in
            // Every cell is read as a DatabaseValue: a hand-edited ledger can hold any storage class.
            func cell(_ index: Int32) -> DatabaseValue { DatabaseValue(sqliteStatement: statement, index: index) }
            var problems: [String] = []
            let versionType = RawStatement.text(statement, 1) ?? ""
            guard versionType == "integer" else {
                tableProblems.append("a row has version \(cell(0).description) stored as \(versionType); sqlx cannot read it")
                return
            }
            let version = MigrationVersion(sqlite3_column_int64(statement, 0))
            let checksum: Digest?
            switch cell(2).storage {
            case .blob(let data):
                checksum = Digest(bytes: [UInt8](data))
            case .string(let text):
                checksum = Digest(bytes: Array(text.utf8))
                problems.append("checksum stored as TEXT, not BLOB")
            case .null:
                checksum = nil
                problems.append("checksum is NULL")
            case .int64(let number):
                checksum = Digest(bytes: Array(String(number).utf8))
                problems.append("checksum stored as INTEGER, not BLOB")
            case .double(let number):
                checksum = Digest(bytes: Array(String(number).utf8))
                problems.append("checksum stored as REAL, not BLOB")
            }
            let success: Bool?
            if sqlite3_column_type(statement, 4) == SQLITE_INTEGER, sqlite3_column_int64(statement, 4) == 1 {
                success = false
            } else if sqlite3_column_type(statement, 3) == SQLITE_NULL {
                success = nil
                problems.append("success is NULL")
            } else {
                success = true
            }
            ledgerRows.append(LedgerRow(version: version, description: Self.text(cell(5)), installedOn: Self.text(cell(6)),
                                        success: success, checksum: checksum, executionTime: Self.integer(cell(7)),
                                        problems: problems))
        }
        return .present(LedgerContents(rows: ledgerRows, columns: columns, problems: tableProblems,
                                       unwritableColumns: unwritable))
    }

    /// A cell as text whatever its storage class (nil for NULL or a blob).
    static func text(_ value: DatabaseValue) -> String? {
        switch value.storage {
        case .string(let text): return text
        case .int64(let number): return String(number)
        case .double(let number): return String(number)
        case .blob, .null: return nil
        }
    }

    /// A cell as an integer when it holds one (nil otherwise).
    static func integer(_ value: DatabaseValue) -> Int64? {
        if case .int64(let number) = value.storage { return number }
        return nil
    }

    // MARK: - Writing

    /// Creates the ledger with sqlx's exact statement (``createTableSQL``).
    ///
    /// ```swift
    /// try dbQueue.write { db in try SQLxLedger().createTable(db) }
    /// ```
    public func createTable(_ db: Database) throws {
        try db.execute(sql: createTableSQL)
    }

    /// Inserts a successful row with `row`'s version, description, checksum, and (when known)
    /// `installed_on` and `execution_time`.
    ///
    /// ```swift
    /// try ledger.insert(LedgerRow(version: 21, description: "create thread names", checksum: migration.checksum), in: db)
    /// ```
    public func insert(_ row: LedgerRow, in db: Database) throws {
        // sqlx inserts with execution_time = -1 and lets installed_on default to CURRENT_TIMESTAMP,
        // then records the time; a repaired row gets its final values in one statement.
        try db.execute(sql: """
            INSERT INTO \(tableNameText) ( version, description, installed_on, success, checksum, execution_time ) \
            VALUES ( ?1, ?2, coalesce(?3, CURRENT_TIMESTAMP), TRUE, ?4, ?5 )
            """, arguments: [row.version, row.description ?? "", row.installedOn,
                             Data(row.checksum?.bytes ?? []), row.executionTime ?? 0])
    }

    /// Sets `success` and `checksum` of one row (re-stamping, or marking an interrupted row succeeded).
    ///
    /// ```swift
    /// try ledger.update(version: 7, success: true, checksum: migration.checksum, in: db)
    /// ```
    public func update(version: MigrationVersion, success: Bool, checksum: Digest, in db: Database) throws {
        try db.execute(sql: "UPDATE \(tableNameText) SET success = ?1, checksum = ?2 WHERE version = ?3",
                       arguments: [success, Data(checksum.bytes), version])
    }

    /// Deletes one row, so the migrator applies that version again.
    ///
    /// ```swift
    /// try ledger.delete(version: 25, in: db)
    /// ```
    public func delete(version: MigrationVersion, in db: Database) throws {
        try db.execute(sql: "DELETE FROM \(tableNameText) WHERE version = ?1", arguments: [version])
    }

    /// sqlx's start-up check, in its order: a dirty row, a recorded version not bundled, a checksum that differs.
    public func startupProblem(rows: [LedgerRow], migrations: MigrationSet, ignoreMissing: Bool) -> String? {
        SQLxStartupCheck.firstProblem(rows: rows, migrations: migrations, ignoreMissing: ignoreMissing)
    }

    /// Refiles one row under the version its checksum proves, keeping `installed_on` and `execution_time`.
    ///
    /// ```swift
    /// try ledger.move(version: 2, to: 3, description: "index", checksum: migration.checksum, in: db)
    /// ```
    public func move(version: MigrationVersion, to newVersion: MigrationVersion, description: String, checksum: Digest, in db: Database) throws {
        try db.execute(sql: "UPDATE \(tableNameText) SET version = ?1, description = ?2, checksum = ?3 WHERE version = ?4",
                       arguments: [newVersion, description, Data(checksum.bytes), version])
    }
}

// MARK: - Dialect

extension SQLxLedger: MigrationDialect {
    /// `_sqlx_migrations`.
    public var defaultLedgerTable: String { Self.defaultTableName }

    /// Whether `folder` holds files named as sqlx names migrations (``SQLxMigrationLayout``).
    public func recognises(_ folder: URL) -> Bool { SQLxMigrationLayout().recognises(folder) }

    /// Loads the folder with sqlx's rules.
    public func loadMigrations(from folder: URL, ignoredCharacters: Set<Unicode.Scalar>) throws -> MigrationSet {
        try MigrationSet.load(from: folder, ignoredCharacters: ignoredCharacters)
    }

    /// Whether `db` holds this ledger table (sqlx's columns are checked when it is read).
    public func holdsLedger(_ db: Database) throws -> Bool {
        try Self.tableExists(tableName, in: db)
    }

    /// The ledger under a configured name (`table-name`).
    public func renamingTable(to name: String) throws -> any MigrationDialect {
        try SQLxLedger(tableNameText: name)
    }
}
