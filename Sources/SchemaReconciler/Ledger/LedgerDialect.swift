import Foundation
import GRDB

/// What a migrator's ledger says and how to rewrite it: one conforming type per migrator.
///
/// sqlx is the first dialect (``SQLxLedger``); GRDB's `grdb_migrations`, golang-migrate, goose,
/// diesel or refinery fit behind the same protocol, so a new dialect is a file, not a fork.
///
/// ```swift
/// let ledger: any LedgerDialect = SQLxLedger(tableName: "_sqlx_migrations")
/// let state = try dbQueue.read { db in try ledger.read(db) }
/// ```
public protocol LedgerDialect: Sendable {
    /// The ledger table's name as it appears in `sqlite_schema` (excluded from snapshots).
    var tableName: String { get }

    /// Reads the ledger: absent, present with rows, or unusable.
    func read(_ db: Database) throws -> LedgerState

    /// Creates the ledger table exactly as the migrator would.
    func createTable(_ db: Database) throws

    /// Inserts a row exactly as the migrator would after applying `migration`.
    func insert(_ row: LedgerRow, in db: Database) throws

    /// Sets `success` and `checksum` of an existing row.
    func update(version: Int64, success: Bool, checksum: Digest, in db: Database) throws

    /// Deletes the row of `version`.
    func delete(version: Int64, in db: Database) throws

    /// Refiles the row of `version` under `newVersion` with the file's description and checksum,
    /// keeping the rest of its history (`installed_on`, `execution_time`).
    func move(version: Int64, to newVersion: Int64, description: String, checksum: Digest, in db: Database) throws

    /// What the migrator's own start-up check says of `rows` (nil: it starts); a repaired ledger must pass it.
    func startupProblem(rows: [LedgerRow], migrations: MigrationSet, ignoreMissing: Bool) -> String?
}

extension LedgerDialect {
    /// A migrator without a start-up check accepts any ledger.
    public func startupProblem(rows: [LedgerRow], migrations: MigrationSet, ignoreMissing: Bool) -> String? { nil }
}
