import Foundation
import GRDB

/// GRDB's `grdb_migrations` ledger, read and written with GRDB's exact statements.
///
/// The table holds one identifier per applied migration and nothing else: no order, no checksum,
/// no success flag. A row is read as the registered migration it names (version = registration
/// ordinal, checksum derived from the identifier). An identifier no migration registers is a row of
/// a version that is not bundled (a newer app: GRDB's `hasBeenSuperseded`), numbered after the
/// registered ones in identifier order. An identifier a registered migration merged
/// (`registerMigration(_:merging:)`) is GRDB's own business — GRDB deletes it once the merging
/// migration is applied — so it is listed among the table's problems, not read as a row.
struct GRDBLedger: RowLedger {
    var name: String { "GRDB" }

    /// GRDB's table name; every table named `grdb_*` is GRDB's and excluded from snapshots.
    static let table = "grdb_migrations"
    /// GRDB's `CREATE TABLE` (`DatabaseMigrator.runMigrations`).
    static let createTableSQL = "CREATE TABLE IF NOT EXISTS grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)"

    /// Registered identifiers in registration order.
    let identifiers: [String]
    let merges: GRDBMergeIndex
    private let ordinals: [String: MigrationVersion]

    init(identifiers: [String], merges: GRDBMergeIndex) {
        self.identifiers = identifiers
        self.merges = merges
        self.ordinals = Dictionary(identifiers.enumerated().map { ($1, MigrationVersion(Int64($0 + 1))) }, uniquingKeysWith: { first, _ in first })
    }

    var tableName: String { Self.table }

    func read(_ db: Database) throws -> LedgerState {
        let columns = try Self.columnNames(Self.table, in: db)
        guard !columns.isEmpty else { return .absent }
        guard columns.contains(where: { SchemaObject.canonicalName($0) == "identifier" }) else {
            return .unusable(reason: "ledger table grdb_migrations has no identifier column (GRDB needs it)")
        }
        // GRDB reads the column as a set of strings (`appliedIdentifiers`); a hand-edited NULL is no identifier.
        let values = try String?.fetchAll(db, sql: "SELECT identifier FROM main.grdb_migrations ORDER BY identifier")
        let identifiers = values.compactMap { $0 }
        var problems: [String] = []
        if identifiers.count < values.count { problems.append("\(values.count - identifiers.count) row(s) with a NULL identifier") }
        let unknown = identifiers.filter { ordinals[$0] == nil }
        let merged = unknown.isEmpty ? [] : merges.merged(among: Set(unknown))
        var rows: [LedgerRow] = []
        var next = Int64(self.identifiers.count) + 1
        for identifier in identifiers {
            if let ordinal = ordinals[identifier] {
                rows.append(Self.row(version: ordinal, identifier: identifier))
            } else if merged.contains(identifier) {
                problems.append("identifier \"\(identifier)\" was merged into a registered migration; GRDB deletes its row once that migration is applied")
            } else {
                rows.append(Self.row(version: MigrationVersion(next), identifier: identifier))
                next += 1
            }
        }
        rows.sort { $0.version < $1.version }
        return .present(LedgerContents(rows: rows, columns: columns, problems: problems))
    }

    /// A row as GRDB's table implies it: applied, identified by its identifier.
    static func row(version: MigrationVersion, identifier: String) -> LedgerRow {
        LedgerRow(version: version, description: identifier, success: true,
                  checksum: GRDBMigrations.checksum(of: identifier))
    }

    func createTable(_ db: Database) throws {
        try db.execute(sql: Self.createTableSQL)
    }

    /// GRDB's own insert (`Migration.updateAppliedIdentifier`); the identifier is the row's description.
    func insert(_ row: LedgerRow, in db: Database) throws {
        guard let identifier = row.description ?? identifiers[safe: row.version] else {
            throw DatabaseError(message: "no identifier for version \(row.version)")
        }
        try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [identifier])
    }

    /// GRDB rows have no success flag or checksum: nothing to update (the planner never asks).
    func update(version: MigrationVersion, success: Bool, checksum: Digest, in db: Database) throws {
        throw DatabaseError(message: "grdb_migrations rows have no success flag or checksum to update")
    }

    func delete(version: MigrationVersion, in db: Database) throws {
        guard case .present(let contents) = try read(db),
              let identifier = contents.rows.first(where: { $0.version == version })?.description else { return }
        try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = ?", arguments: [identifier])
    }

    /// A row's version follows from its identifier, so no row is ever filed under another version.
    func move(version: MigrationVersion, to newVersion: MigrationVersion, description: String, checksum: Digest, in db: Database) throws {
        throw DatabaseError(message: "grdb_migrations rows cannot be moved: the identifier is the version")
    }

    /// GRDB has no start-up check: it runs every registered migration it finds unrecorded and
    /// ignores identifiers it does not know. Nothing a repaired ledger holds makes it refuse.
    func startupProblem(rows: [LedgerRow], migrations: MigrationSet, ignoreMissing: Bool) -> String? { nil }
}

private extension Array where Element == String {
    subscript(safe version: MigrationVersion) -> String? {
        guard let ordinal = version.integer, ordinal >= 1, ordinal <= Int64(count) else { return nil }
        return self[Int(ordinal - 1)]
    }
}
