import Foundation

/// sqlx's start-up validation of a ledger against a migration set, in sqlx's order.
///
/// `Migrator::run` refuses to start when a row is dirty, when a recorded version is not bundled
/// (unless the app ignores missing versions), or when a recorded checksum differs from the bundled
/// file. A repaired ledger must pass this check.
///
/// ```swift
/// let problem = SQLxStartupCheck.firstProblem(rows: state.rows, migrations: set)
/// print(problem ?? "sqlx would start and apply the pending versions")
/// ```
enum SQLxStartupCheck {
    /// sqlx's error for the ledger, or nil when the migrator would start.
    public static func firstProblem(rows: [LedgerRow], migrations: MigrationSet, ignoreMissing: Bool = false) -> String? {
        if let dirty = rows.filter(\.isDirty).map(\.version).min() {
            return "migration \(dirty) is partially applied; fix and remove row from `_sqlx_migrations` table"
        }
        if !ignoreMissing, let missing = rows.map(\.version).sorted().first(where: { !migrations.allVersions.contains($0) }) {
            return "migration \(missing) was previously applied but is missing in the resolved migrations"
        }
        var recorded: [MigrationVersion: Digest?] = [:]
        for row in rows { recorded[row.version] = row.checksum }
        for migration in migrations.applying {
            if let checksum = recorded[migration.version], checksum != migration.checksum {
                return "migration \(migration.version) was previously applied but has been modified"
            }
        }
        return nil
    }
}
