import Foundation
import GRDB

/// golang-migrate (`database/sqlite3`, `database/sqlite`): files `<V>_<name>.up.sql` / `.down.sql`,
/// and a ledger of one row, `schema_migrations (version, dirty)`.
///
/// The row says "every migration up to `version` ran"; `dirty = 1` says the last one was started and
/// not finished, and golang-migrate refuses to run until someone picks `force V`. Read here, the row
/// becomes one ``LedgerRow`` per bundled version up to it (the last one not successful when dirty),
/// so the engine decides from the schema what `force` should say: the schema proves V → `(V, 0)`;
/// the schema is at the version before → that version, clean, so `migrate up` runs V again.
/// golang-migrate has no checksum: a row's identity is its version.
///
/// ```swift
/// let dialect = GolangMigrate()
/// let reconciler = try Reconciler(migrations: dialect.loadMigrations(from: folder, ignoredCharacters: []), ledger: dialect)
/// ```
public struct GolangMigrate: MigrationDialect, Hashable {
    /// golang-migrate's default table (`x-migrations-table` overrides it).
    public static let defaultTableName = "schema_migrations"

    /// The ledger table's name.
    public let tableName: String
    /// `x-no-tx-wrap=true`: each file runs as is, without the transaction golang-migrate otherwise wraps
    /// it in (a file with its own `BEGIN`, or a `PRAGMA foreign_keys`, needs it).
    public var noTransactionWrap: Bool
    /// The bundled versions (``reading(_:)``): the row `(V, dirty)` stands for those up to V.
    var bundledVersions: [MigrationVersion] = []

    /// The default ledger; `noTransactionWrap` is golang-migrate's `x-no-tx-wrap`.
    public init(noTransactionWrap: Bool = false) {
        self.tableName = Self.defaultTableName
        self.noTransactionWrap = noTransactionWrap
    }

    /// A ledger under another name (`x-migrations-table`): a plain identifier, as golang-migrate quotes none.
    public init(tableName: String, noTransactionWrap: Bool = false) throws(SQLxLedger.InvalidTableName) {
        self.noTransactionWrap = noTransactionWrap
        guard let first = tableName.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic),
              tableName.unicodeScalars.allSatisfy({ $0 == "_" || ($0.isASCII && $0.properties.isAlphabetic) || ("0"..."9").contains($0) })
        else { throw SQLxLedger.InvalidTableName(text: tableName) }
        self.tableName = tableName
    }

    public var name: String { "golang-migrate" }
    public var summarisesVersions: Bool { true }
    public var defaultLedgerTable: String { Self.defaultTableName }

    /// golang-migrate's DDL (`ensureVersionTable`); the index name is fixed whatever the table is called.
    public var createTableSQL: String {
        """
        CREATE TABLE IF NOT EXISTS \(tableName) (version uint64,dirty bool);
          CREATE UNIQUE INDEX IF NOT EXISTS version_unique ON \(tableName) (version);
        """
    }

    public func renamingTable(to name: String) throws -> any MigrationDialect {
        try GolangMigrate(tableName: name, noTransactionWrap: noTransactionWrap)
    }

    /// The dialect reading its row against `migrations`.
    public func reading(_ migrations: MigrationSet) -> any LedgerDialect {
        var bound = self
        bound.bundledVersions = migrations.applying.map(\.version)
        return bound
    }

    // MARK: - Layout

    /// golang-migrate's file name rule, `^([0-9]+)_(.*)\.(down|up)\.(.*)$`: version, name, direction.
    static func parse(fileName: String) -> (digits: String, name: String, isUp: Bool)? {
        guard let underscore = fileName.firstIndex(of: "_") else { return nil }
        let digits = fileName[..<underscore]
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let rest = fileName[fileName.index(after: underscore)...]
        // The greedy `(.*)` takes the last `.up.` / `.down.` that still leaves an extension after it.
        for (marker, isUp) in [(".up.", true), (".down.", false)] {
            guard let range = rest.range(of: marker, options: .backwards), range.upperBound < rest.endIndex else { continue }
            let other = isUp ? ".down." : ".up."
            if let competing = rest.range(of: other, options: .backwards), competing.lowerBound > range.lowerBound,
               competing.upperBound < rest.endIndex { continue }
            return (String(digits), String(rest[..<range.lowerBound]), isUp)
        }
        return nil
    }

    /// Whether `folder` holds up files and no `<V>_<name>.sql` file golang-migrate would skip (sqlx's simple files).
    public func recognises(_ folder: URL) -> Bool {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return false }
        let simple = names.contains { name in
            name.hasSuffix(".sql") && Self.parse(fileName: name) == nil && name.first?.isNumber == true && name.contains("_")
        }
        return !simple && names.contains { Self.parse(fileName: $0)?.isUp == true }
    }

    /// Loads every `<V>_<name>.up.<ext>` (applied) and `.down.<ext>` (counted, never applied) file.
    public func loadMigrations(from folder: URL, ignoredCharacters: Set<Unicode.Scalar>) throws -> MigrationSet {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            throw MigrationSetError.folderMissing(path: folder.path)
        }
        var migrations: [Migration] = []
        for fileName in names.sorted() {
            guard let parsed = Self.parse(fileName: fileName) else { continue }
            let url = folder.appendingPathComponent(fileName)
            // golang-migrate parses uint64; versions beyond Int64.max are refused.
            guard let version = Int64(parsed.digits).map({ MigrationVersion($0) }) else {
                throw MigrationSetError.unparsableVersion(path: url.path, prefix: parsed.digits)
            }
            let sql = try MigrationSet.readUTF8(url)
            migrations.append(Migration(version: version, description: parsed.name,
                                        kind: parsed.isUp ? .reversibleUp : .reversibleDown, fileName: fileName, url: url,
                                        sql: sql, checksum: Self.identity(of: version), noTransaction: noTransactionWrap))
        }
        guard migrations.contains(where: { $0.kind == .reversibleUp }) else { throw MigrationSetError.noMigrations(path: folder.path) }
        return try MigrationSet(folder: folder, migrations: migrations)
    }

    /// The identity a derived row carries: golang-migrate has no checksum, a version is its own proof of identity.
    static func identity(of version: MigrationVersion) -> Digest {
        Digest.sha384(of: Array("golang-migrate version \(version)".utf8))
    }

    // MARK: - Reading

    public func holdsLedger(_ db: Database) throws -> Bool { Self.holds(columns: try Self.columnNames(tableName, in: db)) }

    /// Whether a table with these columns (none: no table) is this tool's ledger.
    static func holds(columns names: [String]) -> Bool {
        TableColumn.names(names, include: ["version", "dirty"])
    }

    /// Reads `(version, dirty)` as golang-migrate does (`SELECT version, dirty … LIMIT 1`) and spells it
    /// out as one row per bundled version it covers.
    public func read(_ db: Database) throws -> LedgerState {
        let columns = try Self.columnNames(tableName, in: db)
        guard !columns.isEmpty else { return .absent }
        guard Self.holds(columns: columns) else {
            return .unusable(reason: "ledger table \(tableName) has no version and dirty columns (golang-migrate needs both)")
        }
        let quoted = "\"" + tableName + "\""
        let stored = try Row.fetchAll(db, sql: "SELECT version, typeof(version), dirty FROM main.\(quoted)")
        var problems: [String] = []
        if stored.count > 1 {
            problems.append("\(stored.count) rows; golang-migrate keeps one and reads whichever comes first")
        }
        guard let row = stored.first else { return .present(LedgerContents(rows: [], columns: columns, problems: problems)) }
        guard (row[1] as String) == "integer", let version: MigrationVersion = row[0] else {
            return .unusable(reason: "ledger table \(tableName) holds version \((row[0] as DatabaseValue).description), not an integer")
        }
        // Go's bool scan accepts 0/1 (and SQLite's TRUE/FALSE, which are 1/0).
        let dirty = (row[2] as DatabaseValue).storage != .int64(0)
        guard version >= 0 else {
            return .unusable(reason: "ledger table \(tableName) holds version \(version)\(dirty ? ", dirty" : ""): a down migration of the first version failed; golang-migrate needs `force`")
        }
        let covered = bundledVersions.filter { $0 < version }.map { LedgerRow(version: $0, checksum: Self.identity(of: $0)) }
        return .present(LedgerContents(rows: covered + [LedgerRow(version: version, success: !dirty, checksum: Self.identity(of: version))],
                                       columns: columns, problems: problems))
    }

    // MARK: - Writing

    public func cannotRecord(applied versions: [MigrationVersion], migrations: MigrationSet) -> RepairPlan.Blocker? {
        guard let top = versions.max() else { return nil }
        let bundled = migrations.applying.map(\.version).filter { $0 <= top }
        let missing = bundled.filter { !versions.contains($0) }
        guard !missing.isEmpty else { return nil }
        return RepairPlan.Blocker(
            reason: "golang-migrate records one version, meaning every migration up to it ran; the schema proves \(top) applied "
                + "but not \(missing.map(String.init).joined(separator: ", ")), so no single version tells the truth",
            flag: "--assume-version \(top)")
    }

    /// golang-migrate's `SetVersion(V, false)`: `DELETE FROM t` then `INSERT (V, false)`, V the highest
    /// version the plan leaves applied (no insert when none is, golang-migrate's `force -1`).
    public func record(_ actions: [RepairPlan.Action], current: [LedgerRow], migrations: MigrationSet,
                       in db: Database) throws -> Int {
        let applied = RepairPlan.appliedVersions(after: actions, over: current)
        if let blocker = cannotRecord(applied: applied, migrations: migrations) { throw DatabaseError(message: blocker.reason) }
        if actions.contains(where: { $0.kind == .createLedger }) { try db.execute(sql: createTableSQL) }
        let existing = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(tableName)") ?? 0
        try db.execute(sql: "DELETE FROM \(tableName)")
        guard let top = applied.max() else { return existing }
        try db.execute(sql: "INSERT INTO \(tableName) (version, dirty) VALUES (?, ?)", arguments: [top, false])
        return existing + 1
    }

    /// golang-migrate's start: `ErrDirty` for a dirty row, then `no migration found` for a version no file has.
    public func startupProblem(rows: [LedgerRow], migrations: MigrationSet, ignoreMissing: Bool) -> String? {
        guard let top = rows.map(\.version).max() else { return nil }
        if rows.contains(where: \.isDirty) { return "Dirty database version \(top). Fix and force version." }
        if !migrations.allVersions.contains(top) { return "no migration found for version \(top)" }
        return nil
    }
}
