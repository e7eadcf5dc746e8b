import GRDB
import GRDBSQLite

/// Statements run through SQLite's C API, for the reads every check makes on every database.
///
/// GRDB prepares each statement with an authorizer that records the regions it reads, and decodes
/// each cell generically: for a healthy check of a small database that costs more than the queries
/// themselves. These reads need neither.
///
/// ```swift
/// try RawStatement.forEachRow(db, "SELECT name FROM main.sqlite_schema") { statement in
///     print(String(cString: sqlite3_column_text(statement, 0)))
/// }
/// ```
enum RawStatement {
    /// Prepares `sql` on `db` and hands `body` the statement once per row, positioned on that row.
    static func forEachRow(_ db: Database, _ sql: String, _ body: (OpaquePointer) throws -> Void) throws {
        let connection = db.sqliteConnection
        var statement: OpaquePointer?
        var code = sqlite3_prepare_v2(connection, sql, -1, &statement, nil)
        guard code == SQLITE_OK, let statement else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)), sql: sql)
        }
        defer { sqlite3_finalize(statement) }
        while true {
            code = sqlite3_step(statement)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)), sql: sql)
            }
            try body(statement)
        }
    }

    /// Column `index` of the current row as text (nil for NULL).
    static func text(_ statement: OpaquePointer, _ index: Int32) -> String? {
        sqlite3_column_text(statement, index).map { String(cString: $0) }
    }

    /// Whether `main` holds a table (not a view) named `table`, matched as SQLite matches names:
    /// a lookup in the schema SQLite has already parsed, no statement to prepare.
    static func tableExists(_ table: String, in db: Database) throws -> Bool {
        // A C string ends at the first NUL, and no table name reached through SQL holds one.
        guard !table.utf8.contains(0) else { return false }
        let connection = db.sqliteConnection
        let code = sqlite3_table_column_metadata(connection, "main", table, nil, nil, nil, nil, nil, nil)
        switch code {
        case SQLITE_OK: return true
        case SQLITE_ERROR: return false // no such table, or a view
        default:
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)))
        }
    }
}
