import Foundation
import GRDB
import GRDBSQLite

/// What a migrator's ledger says and how to rewrite it: one conforming type per migrator.
///
/// A dialect reads its ledger as ``LedgerRow``s, one per migration the ledger claims applied, so
/// diagnosis and repair never learn which tool wrote it. A ledger that keeps one row per migration
/// (sqlx, GRDB, goose, dbmate) conforms to ``RowLedger`` and writes the plan row by row; a ledger that
/// keeps a summary (golang-migrate's single row, `PRAGMA user_version`) writes the applied set the
/// plan leaves, in its own form. Versions are ``MigrationVersion``s, ordered as the migrator orders them.
///
/// ```swift
/// let ledger: any LedgerDialect = SQLxLedger(tableName: "_sqlx_migrations")
/// let state = try dbQueue.read { db in try ledger.read(db) }
/// ```
public protocol LedgerDialect: Sendable {
    /// The migrator's name, as people know it (`sqlx`, `golang-migrate`).
    var name: String { get }

    /// The ledger table's name as it appears in `sqlite_schema` (excluded from snapshots).
    var tableName: String { get }

    /// Reads the ledger: absent, present with rows, or unusable.
    func read(_ db: Database) throws -> LedgerState

    /// Why the ledger cannot record exactly the applied `versions`, and what settles it (nil: it can).
    /// A summary ledger records only some sets (golang-migrate: every bundled version up to one); the
    /// plan refuses the others.
    func cannotRecord(applied versions: [MigrationVersion], migrations: MigrationSet) -> RepairPlan.Blocker?

    /// Writes `actions` (a plan's, in order) over the ledger `current` was read from, with the
    /// migrator's own statements; returns how many rows those statements change, which the repair verifies.
    func record(_ actions: [RepairPlan.Action], current: [LedgerRow], migrations: MigrationSet, in db: Database) throws -> Int

    /// What the migrator's own start-up check says of `rows` (nil: it starts); a repaired ledger must pass it.
    func startupProblem(rows: [LedgerRow], migrations: MigrationSet, ignoreMissing: Bool) -> String?

    /// Whether one stored value stands for all the rows read (golang-migrate's single row, `user_version`).
    var summarisesVersions: Bool { get }

    /// The dialect reading its ledger against `migrations`: a summary ledger (one version standing for
    /// every migration up to it) spells out its rows from the bundled set. ``Reconciler`` calls it once.
    func reading(_ migrations: MigrationSet) -> any LedgerDialect
}

extension LedgerDialect {
    /// sqlx, unless the dialect says otherwise.
    public var name: String { "sqlx" }

    /// A migrator without a start-up check accepts any ledger.
    public func startupProblem(rows: [LedgerRow], migrations: MigrationSet, ignoreMissing: Bool) -> String? { nil }

    /// Most ledgers store one row per migration.
    public var summarisesVersions: Bool { false }

    /// A ledger with one row per migration reads the same whatever is bundled.
    public func reading(_ migrations: MigrationSet) -> any LedgerDialect { self }

    /// A ledger with one row per migration records any set.
    public func cannotRecord(applied versions: [MigrationVersion], migrations: MigrationSet) -> RepairPlan.Blocker? { nil }

    /// Whether `db` holds a table named `table` (case-insensitively, as SQLite names compare).
    static func tableExists(_ table: String, in db: Database) throws -> Bool {
        try RawStatement.tableExists(table, in: db)
    }

    /// The columns of the table `table` in `main`, in declaration order; empty when there is no
    /// such table (a view of that name does not count: only tables hold ledgers).
    static func tableColumns(_ table: String, in db: Database) throws -> [TableColumn] {
        guard try tableExists(table, in: db) else { return [] }
        // The PRAGMA statement, not the pragma_table_info table-valued function: on a connection's
        // first use the function costs a parse of its declaration, as much as the rest of a ledger
        // read. Its argument is a literal: `table` exists, so holds no NUL.
        let literal = "'" + table.replacing("'", with: "''") + "'"
        var columns: [TableColumn] = []
        // cid, name, type, notnull, dflt_value, pk
        try RawStatement.forEachRow(db, "PRAGMA main.table_info(\(literal))") { statement in
            columns.append(TableColumn(name: RawStatement.text(statement, 1) ?? "",
                                       notNull: sqlite3_column_int64(statement, 3) != 0,
                                       hasDefault: sqlite3_column_type(statement, 4) != SQLITE_NULL,
                                       inPrimaryKey: sqlite3_column_int64(statement, 5) > 0))
        }
        return columns
    }

    /// The names of ``tableColumns(_:in:)``.
    static func columnNames(_ table: String, in db: Database) throws -> [String] {
        try tableColumns(table, in: db).map(\.name)
    }
}

/// One column of a ledger table, as `PRAGMA table_info` describes it.
struct TableColumn: Sendable, Hashable {
    var name: String
    var notNull: Bool
    var hasDefault: Bool
    var inPrimaryKey: Bool

    /// Whether a table with columns `names` (any case, as SQLite matches them) has every column in
    /// `required` and none in `excluded`: how each table dialect tells its tool's ledger from a
    /// same-named table of the app's.
    ///
    /// ```swift
    /// TableColumn.names(["Version", "dirty"], include: ["version", "dirty"]) // true
    /// ```
    static func names(_ names: [String], include required: Set<String>, exclude excluded: Set<String> = []) -> Bool {
        let columns = Set(names.map(SchemaObject.canonicalName))
        return columns.isSuperset(of: required) && columns.isDisjoint(with: excluded)
    }
}

/// A ledger with one row per applied migration: the plan's actions are its own row writes.
///
/// ```swift
/// try ledger.insert(LedgerRow(version: 21, description: "create thread names", checksum: migration.checksum), in: db)
/// ```
public protocol RowLedger: LedgerDialect {
    /// Creates the ledger table exactly as the migrator would.
    func createTable(_ db: Database) throws

    /// Inserts a row exactly as the migrator would after applying `migration`.
    func insert(_ row: LedgerRow, in db: Database) throws

    /// Sets `success` and `checksum` of an existing row.
    func update(version: MigrationVersion, success: Bool, checksum: Digest, in db: Database) throws

    /// Deletes the row of `version`.
    func delete(version: MigrationVersion, in db: Database) throws

    /// Refiles the row of `version` under `newVersion` with the file's description and checksum,
    /// keeping the rest of its history (`installed_on`, `execution_time`).
    func move(version: MigrationVersion, to newVersion: MigrationVersion, description: String, checksum: Digest, in db: Database) throws
}

extension RowLedger {
    /// Each action is one row write (``recordRowByRow(_:current:in:)``).
    public func record(_ actions: [RepairPlan.Action], current: [LedgerRow], migrations: MigrationSet,
                       in db: Database) throws -> Int {
        try recordRowByRow(actions, current: current, in: db)
    }

    /// Each action is one row write; moves go first, through versions no row holds, so rows that
    /// swap versions never collide. Returns the number of rows written.
    public func recordRowByRow(_ actions: [RepairPlan.Action], current: [LedgerRow], in db: Database) throws -> Int {
        var rowWrites = 0
        let moves = actions.filter { $0.kind == .move }
        let used = Set(current.map(\.version))
        var parking: [MigrationVersion] = []
        var candidate: Int64 = -1
        while parking.count < moves.count {
            if !used.contains(MigrationVersion(candidate)) { parking.append(MigrationVersion(candidate)) }
            candidate -= 1
        }
        for (action, spot) in zip(moves, parking) {
            guard let from = action.previousVersion, let checksum = action.checksum else { continue }
            try move(version: from, to: spot, description: action.description ?? "", checksum: checksum, in: db)
            rowWrites += 1
        }
        for (action, spot) in zip(moves, parking) {
            guard let to = action.version, let checksum = action.checksum else { continue }
            try move(version: spot, to: to, description: action.description ?? "", checksum: checksum, in: db)
            rowWrites += 1
        }
        for action in actions {
            switch action.kind {
            case .move, .keep:
                continue
            case .createLedger:
                try createTable(db)
            case .insert:
                guard let version = action.version, let checksum = action.checksum else { continue }
                try insert(LedgerRow(version: version, description: action.description, installedOn: action.installedOn,
                                     checksum: checksum, executionTime: action.executionTime ?? 0), in: db)
                rowWrites += 1
            case .markSucceeded, .restamp:
                guard let version = action.version, let checksum = action.checksum else { continue }
                try update(version: version, success: true, checksum: checksum, in: db)
                rowWrites += 1
            case .delete:
                guard let version = action.version else { continue }
                try delete(version: version, in: db)
                rowWrites += 1
            }
        }
        return rowWrites
    }
}

extension RepairPlan {
    /// Bundled versions without a row below the newest applied one (goose's `findMissingMigrations`;
    /// refinery's verifier and Flyway's validate ask the same); nil when there are none.
    static func missingBelowNewest(applied versions: [MigrationVersion], migrations: MigrationSet) -> [MigrationVersion]? {
        guard let top = versions.max() else { return nil }
        let recorded = Set(versions)
        let missing = migrations.applying.map(\.version).filter { $0 < top && !recorded.contains($0) }
        return missing.isEmpty ? nil : missing
    }

    /// The blocker of a migrator that refuses versions missing below its newest row: `refusal` says so
    /// in its words, `alternatives` what settles it besides `--assume-version`; nil when nothing is missing.
    static func missingBelowNewestBlocker(applied versions: [MigrationVersion], migrations: MigrationSet,
                                          refusal: String, alternatives: String) -> Blocker? {
        guard let missing = missingBelowNewest(applied: versions, migrations: migrations), let top = versions.max() else { return nil }
        return Blocker(reason: "\(refusal) (\(missing.map(\.description).joined(separator: ", ")) would have no row below \(top)); nothing proves they ran",
                       flag: "--assume-version \(top)\(alternatives)")
    }

    /// The versions the ledger claims applied once `actions` ran over `rows` (successful rows only;
    /// a summary ledger writes this set in its own form).
    static func appliedVersions(after actions: [Action], over rows: [LedgerRow]) -> [MigrationVersion] {
        var success: [MigrationVersion: Bool] = [:]
        for row in rows { success[row.version] = row.success == true }
        let moves = actions.filter { $0.kind == .move }
        var moved: [MigrationVersion: Bool] = [:]
        for action in moves {
            if let from = action.previousVersion { moved[from] = success.removeValue(forKey: from) ?? true }
        }
        for action in moves {
            if let from = action.previousVersion, let to = action.version { success[to] = moved[from] ?? true }
        }
        for action in actions {
            guard let version = action.version else { continue }
            switch action.kind {
            case .insert, .markSucceeded, .restamp: success[version] = true
            case .delete: success[version] = nil
            case .move, .keep, .createLedger: continue
            }
        }
        return success.filter(\.value).keys.sorted()
    }
}
