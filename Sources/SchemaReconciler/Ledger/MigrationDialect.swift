import Foundation
import GRDB

/// A migration tool as one type: how its folder is laid out and parsed (``MigrationLayout``), what
/// its ledger says and how it records a migration (``LedgerDialect``), and how to recognise its ledger.
///
/// ```swift
/// let dialect = Dialects.named("golang-migrate")!
/// let set = try dialect.loadMigrations(from: folder, ignoredCharacters: [])
/// let reconciler = try Reconciler(migrations: set, ledger: dialect)
/// ```
public protocol MigrationDialect: LedgerDialect, MigrationLayout {
    /// Whether `db` holds this tool's ledger: its table, with the columns the tool gives it.
    func holdsLedger(_ db: Database) throws -> Bool

    /// The same dialect with its ledger table renamed (sqlx's `table-name`, golang-migrate's `x-migrations-table`).
    func renamingTable(to name: String) throws -> any MigrationDialect

    /// Whether `folder` carries marks only this tool writes (goose's `-- +goose Up`), which outweigh
    /// a file naming another tool shares.
    func claimsExclusively(_ folder: URL) -> Bool
}

extension MigrationDialect {
    /// Most layouts are file names only, which other tools may share.
    public func claimsExclusively(_ folder: URL) -> Bool { false }
}

/// The dialects schema-reconcile knows; a new dialect adds itself to ``all``.
///
/// ```swift
/// print(Dialects.all.map(\.name)) // ["sqlx", "golang-migrate"]
/// ```
public enum Dialects {
    /// Every known dialect, in the order detection asks them.
    public static let all: [any MigrationDialect] = [SQLxLedger(), GolangMigrate(), Goose(), Dbmate(), Diesel(), Refinery(), Flyway(), UserVersion()]

    /// The dialect called `name` (`sqlx`, `golang-migrate`), if known.
    public static func named(_ name: String) -> (any MigrationDialect)? {
        all.first { $0.name == name.lowercased() }
    }

    /// What decided a project's dialect, or why nothing could.
    public enum Detection: Sendable {
        /// One dialect, and what showed it (a ledger table, the folder's layout).
        case decided(any MigrationDialect, evidence: String)
        /// Several dialects fit; `--dialect` settles it.
        case ambiguous(candidates: [String], evidence: String)
        /// Nothing recognisable.
        case unknown
    }

    /// Detects the dialect: a ledger present in one of `databases` decides; for databases without
    /// one, the layout of `folder` does (`hasSQLxConfig`: an `sqlx.toml` was found, which settles a
    /// layout sqlx shares with another tool).
    ///
    /// ```swift
    /// if case .ambiguous(let names, _) = Dialects.detect(folder: folder, databases: ["app.sqlite"]) { print(names) }
    /// ```
    public static func detect(folder: URL, databases: [String], hasSQLxConfig: Bool = false,
                              among dialects: [any MigrationDialect] = all,
                              jobs: Int = ProcessInfo.processInfo.activeProcessorCount) -> Detection {
        // Every database is looked at (two tools' ledgers in one call must be refused), on as many
        // threads as the diagnosis itself uses: a thousand databases are not opened one by one.
        let held = ParallelMap.map(databases, jobs: jobs) { path -> [String] in
            guard DatabaseFileError.precheck(path: path) == nil,
                  let queue = try? HardenedDatabase.open(path: path, access: .readOnly) else { return [] }
            defer { try? queue.close() }
            return (try? queue.read { db in try ledgers(heldBy: db, among: dialects) }) ?? []
        }
        return decide(ledgers: Array(zip(databases, held)), folder: folder, hasSQLxConfig: hasSQLxConfig, among: dialects)
    }

    /// The names of the dialects among `dialects` whose ledger `db` holds, in their order.
    ///
    /// ```swift
    /// let names = try queue.read { db in try Dialects.ledgers(heldBy: db) } // ["goose"]
    /// ```
    /// The ledgers a check was asked to note (``ledgers(heldBy:among:)``, read on its own connection): none
    /// when it was not asked (`dialects` nil) or the names cannot be read.
    static func ledgersNoted(heldBy db: Database, among dialects: [any MigrationDialect]?) -> [String] {
        dialects.map { dialects in (try? ledgers(heldBy: db, among: dialects)) ?? [] } ?? []
    }

    public static func ledgers(heldBy db: Database, among dialects: [any MigrationDialect] = all) throws -> [String] {
        // One read of the table names spares each dialect its own existence query; a ledger that
        // is no table (`PRAGMA user_version`) is always asked.
        var tables: Set<String> = []
        try RawStatement.forEachRow(db, "SELECT lower(name) FROM main.sqlite_schema WHERE type = 'table'") { statement in
            if let name = RawStatement.text(statement, 0) { tables.insert(name) }
        }
        return try dialects.filter { dialect in
            let isTable = !dialect.tableName.contains(" ")
            guard !isTable || tables.contains(dialect.tableName.lowercased()) else { return false }
            return try dialect.holdsLedger(db)
        }.map(\.name)
    }

    /// ``detect(folder:databases:hasSQLxConfig:among:jobs:)`` from the ledgers each database was found to
    /// hold (``ledgers(heldBy:among:)``), for a caller that read them while it had the database open.
    /// With no databases, the folder's layout alone decides.
    ///
    /// ```swift
    /// if case .decided(let dialect, _) = Dialects.decide(ledgers: [], folder: folder) { print(dialect.name) }
    /// ```
    public static func decide(ledgers held: [(path: String, names: [String])], folder: URL, hasSQLxConfig: Bool = false,
                              among dialects: [any MigrationDialect] = all) -> Detection {
        var owners: [String: String] = [:]
        for (path, names) in held {
            for name in names { owners[name] = owners[name] ?? path }
        }
        if owners.count == 1, let (name, path) = owners.first, let dialect = dialects.first(where: { $0.name == name }) {
            return .decided(dialect, evidence: "\(path) holds \(dialect.name)'s ledger \(dialect.tableName)")
        }
        if owners.count > 1 {
            return .ambiguous(candidates: owners.keys.sorted(), evidence: "the databases hold the ledgers of \(owners.keys.sorted().joined(separator: " and "))")
        }
        var fitting = dialects.filter { $0.recognises(folder) }
        let exclusive = fitting.filter { $0.claimsExclusively(folder) }
        if !exclusive.isEmpty { fitting = exclusive }
        if fitting.count > 1, hasSQLxConfig, let sqlx = fitting.first(where: { $0.name == SQLxLedger().name }) {
            fitting = [sqlx]
        }
        switch fitting.count {
        case 0: return .unknown
        case 1: return .decided(fitting[0], evidence: "\(folder.path) is laid out as \(fitting[0].name) lays out migrations")
        default:
            return .ambiguous(candidates: fitting.map(\.name),
                              evidence: "no database holds a ledger and \(folder.path) fits \(fitting.map(\.name).joined(separator: " and "))")
        }
    }
}
