import CSQLiteHardening

/// The version of schema-reconcile, recorded in audit records and reports.
///
/// ```swift
/// print(ToolVersion.current) // "0.1.0"
/// ```
public enum ToolVersion {
    /// The current release.
    public static let current = "0.1.0"

    /// The version of the SQLite library linked at run time (the system's libsqlite3).
    ///
    /// ```swift
    /// print(ToolVersion.sqlite) // "3.40.1"
    /// ```
    public static var sqlite: String { String(cString: sqlite3_libversion()) }

    /// `schema-reconcile 0.1.0 (SQLite 3.40.1)`, as `--version` prints it.
    public static var description: String { "schema-reconcile \(current) (SQLite \(sqlite))" }
}
