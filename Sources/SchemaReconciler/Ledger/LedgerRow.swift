import Foundation

/// One row of a migration ledger, read tolerantly: every field may be missing, NULL or of the wrong type.
///
/// ```swift
/// let state = try SQLxLedger().read(db)
/// for row in state.rows where row.isDirty { print("dirty:", row.version) }
/// ```
public struct LedgerRow: Sendable, Hashable, Codable {
    /// The version, as sqlx reads it.
    public var version: MigrationVersion
    /// The description column, if present and not NULL.
    public var description: String?
    /// `installed_on` as stored (SQLite TIMESTAMP text).
    public var installedOn: String?
    /// The value sqlx's dirty query tests (`success = false`); nil when NULL or absent.
    public var success: Bool?
    /// The checksum bytes as sqlx compares them (a TEXT value contributes its UTF-8 bytes).
    public var checksum: Digest?
    /// `execution_time` in nanoseconds; -1 when sqlx died before recording it.
    public var executionTime: Int64?
    /// What is wrong with the row as data (NULLs, wrong storage classes).
    public var problems: [String]

    /// Creates a row.
    public init(version: MigrationVersion, description: String? = nil, installedOn: String? = nil, success: Bool? = true,
                checksum: Digest? = nil, executionTime: Int64? = nil, problems: [String] = []) {
        self.version = version
        self.description = description
        self.installedOn = installedOn
        self.success = success
        self.checksum = checksum
        self.executionTime = executionTime
        self.problems = problems
    }

    /// Whether sqlx's start-up check would report this row as partially applied.
    public var isDirty: Bool { success == false }
}

/// What a database's ledger table holds, or that it is absent or unusable.
///
/// ```swift
/// switch try SQLxLedger().read(db) {
/// case .absent: print("no ledger")
/// case .present(let contents): print(contents.rows.count, "rows")
/// case .unusable(let reason): print(reason)
/// }
/// ```
public enum LedgerState: Sendable, Hashable {
    /// No ledger table: the migrator never ran, or the table was lost.
    case absent
    /// The table exists and its rows could be read.
    case present(LedgerContents)
    /// The table exists but cannot serve as a ledger (a required column is missing).
    case unusable(reason: String)

    /// Rows in version order; empty when absent or unusable.
    public var rows: [LedgerRow] {
        if case .present(let contents) = self { return contents.rows }
        return []
    }
}

/// The readable contents of a ledger table.
public struct LedgerContents: Sendable, Hashable {
    /// Rows in version order.
    public var rows: [LedgerRow]
    /// The table's column names, as declared.
    public var columns: [String]
    /// Problems with the table as a whole (extra or missing optional columns, wrong declared types).
    public var problems: [String]
    /// Columns the migrator's own INSERT leaves out that cannot take a default (`NOT NULL` without
    /// `DEFAULT`): no row can be written as the migrator writes it, by it or by a repair.
    public var unwritableColumns: [String]

    /// Creates contents.
    public init(rows: [LedgerRow], columns: [String], problems: [String] = [], unwritableColumns: [String] = []) {
        self.rows = rows
        self.columns = columns
        self.problems = problems
        self.unwritableColumns = unwritableColumns
    }
}
