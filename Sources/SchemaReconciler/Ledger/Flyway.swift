import Foundation
import GRDB

/// Flyway (flyway-core on SQLite): files `V<version>__<description>.sql`, and the append-only history
/// `flyway_schema_history`, one row per run in `installed_rank` order (see `docs/flyway.md`).
///
/// Versions are dotted (`1.2.10`, `_` counts as `.`), compared part by part as numbers, trailing zero
/// parts ignored. The checksum is CRC-32 of the file's UTF-8 text with its line terminators removed and a
/// leading BOM dropped, stored as a signed 32-bit `INT`: line endings never change it, an edit does.
/// A row with `success = 0` is a failed migration (dirty); a successful `DELETE` row cancels the latest
/// row of its version; a `BASELINE` row stands for every version up to its own. Repeatable (`R__`) files
/// are not replayed and their rows are never read as proof of any version. Flyway's validate (checksum and
/// description mismatches, failed rows, applied versions with no file below the newest file, versions not
/// applied below the newest row unless ``outOfOrder``) is the start-up check.
///
/// ```swift
/// let reconciler = try Reconciler(migrationsFolder: folder, dialect: Flyway())
/// ```
public struct Flyway: MigrationDialect, RowLedger, Hashable {
    public static let defaultTableName = "flyway_schema_history"
    public let tableName: String
    /// Flyway's `installedBy`; unset, it is the current user, `""` on SQLite.
    public var installedBy = ""
    /// Flyway's `outOfOrder`: versions missing below the newest row are applied, not refused.
    public var outOfOrder = false
    /// Each bundled version's script path and version text (``reading(_:)``), for the rows written.
    var files: [MigrationVersion: BundledFile] = [:]

    /// What a row of a bundled file holds.
    struct BundledFile: Hashable {
        var script: String
        var text: String
        var checksum: Digest
    }

    public init(outOfOrder: Bool = false) {
        self.tableName = Self.defaultTableName
        self.outOfOrder = outOfOrder
    }

    /// A history table under another name (`table`): a plain identifier.
    public init(tableName: String, outOfOrder: Bool = false) throws(SQLxLedger.InvalidTableName) {
        self.tableName = try GolangMigrate(tableName: tableName).tableName
        self.outOfOrder = outOfOrder
    }

    public var name: String { "flyway" }
    public var defaultLedgerTable: String { Self.defaultTableName }
    public func renamingTable(to name: String) throws -> any MigrationDialect {
        var renamed = try Flyway(tableName: name, outOfOrder: outOfOrder)
        renamed.installedBy = installedBy
        return renamed
    }

    public func reading(_ migrations: MigrationSet) -> any LedgerDialect {
        var bound = self
        for migration in migrations.applying {
            bound.files[migration.version] = BundledFile(script: migration.fileName, text: migration.version.description, checksum: migration.checksum)
        }
        return bound
    }

    /// `SQLiteDatabase.getRawCreateScript` without a baseline: the table, then its `_s_idx` index.
    public var createTableSQL: String {
        """
        CREATE TABLE "main"."\(tableName)" (
            "installed_rank" INT NOT NULL PRIMARY KEY,
            "version" VARCHAR(50),
            "description" VARCHAR(200) NOT NULL,
            "type" VARCHAR(20) NOT NULL,
            "script" VARCHAR(1000) NOT NULL,
            "checksum" INT,
            "installed_by" VARCHAR(100) NOT NULL,
            "installed_on" TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now')),
            "execution_time" INT NOT NULL,
            "success" BOOLEAN NOT NULL
        );
        CREATE INDEX "main"."\(tableName)_s_idx" ON "\(tableName)" ("success");
        """
    }

    // MARK: - Layout

    /// `ResourceNameParser` with the defaults: a `.sql` suffix (any case), prefix `V` (versioned) or `R`
    /// (repeatable), split at the first `__`; the description with `_` as spaces. Nil: Flyway skips the file.
    static func parse(fileName: String) -> (versioned: Bool, version: String, description: String)? {
        guard fileName.uppercased().hasSuffix(".SQL"), let prefix = fileName.first, prefix == "V" || prefix == "R" else { return nil }
        let stem = fileName.dropFirst().dropLast(4)
        guard let separator = stem.range(of: "__") else { return nil }
        let version = String(stem[..<separator.lowerBound])
        guard (prefix == "V") != version.isEmpty else { return nil }
        return (prefix == "V", version, stem[separator.upperBound...].replacingOccurrences(of: "_", with: " "))
    }

    /// The files of `folder` and its subfolders (a `filesystem:` location is searched recursively), as paths relative to it.
    static func files(in folder: URL) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: folder.path) else { return [] }
        return walker.compactMap { $0 as? String }.sorted()
    }

    public func recognises(_ folder: URL) -> Bool {
        Self.files(in: folder).contains { Self.parse(fileName: ($0 as NSString).lastPathComponent) != nil }
    }

    /// Marks refinery never writes: a `flyway.conf` / `flyway.toml` beside or above the folder, an `R__`
    /// file, a `.sql.conf`, or a `V` name refinery's `^V(\d+)__(\w+)\.sql$` refuses (`V1.2__`, `V1__a-b.sql`).
    public func claimsExclusively(_ folder: URL) -> Bool {
        for config in ["flyway.conf", "flyway.toml"] {
            for place in [folder, folder.deletingLastPathComponent()]
            where FileManager.default.fileExists(atPath: place.appendingPathComponent(config).path) { return true }
        }
        return Self.files(in: folder).contains { path in
            let name = (path as NSString).lastPathComponent
            if name.hasSuffix(".sql.conf") { return true }
            guard let parsed = Self.parse(fileName: name) else { return false }
            return !parsed.versioned || !name.hasSuffix(".sql") || !parsed.version.allSatisfy({ $0.isASCII && $0.isNumber })
                || parsed.description.isEmpty
                || !name.dropFirst(3 + parsed.version.count).dropLast(4).allSatisfy { $0 == "_" || $0.isLetter || $0.isNumber }
        }
    }

    /// Every `V<version>__<description>.sql` under `folder`; `R__` files are counted out (not replayed).
    public func loadMigrations(from folder: URL, ignoredCharacters: Set<Unicode.Scalar>) throws -> MigrationSet {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw MigrationSetError.folderMissing(path: folder.path)
        }
        var migrations: [Migration] = []
        for path in Self.files(in: folder) {
            guard let parsed = Self.parse(fileName: (path as NSString).lastPathComponent), parsed.versioned else { continue }
            let url = folder.appendingPathComponent(path)
            guard let version = MigrationVersion(dotted: parsed.version.replacingOccurrences(of: "_", with: ".")) else {
                throw MigrationSetError.unparsableVersion(path: url.path, prefix: parsed.version)
            }
            let sql = try MigrationSet.readUTF8(url)
            let conf = (try? String(contentsOf: URL(fileURLWithPath: url.path + ".conf"), encoding: .utf8)) ?? ""
            let noTransaction = conf.split(whereSeparator: \.isNewline).contains {
                $0.filter { !$0.isWhitespace }.lowercased() == "executeintransaction=false"
            }
            migrations.append(Migration(version: version, description: Self.abbreviated(parsed.description, to: 200),
                                        kind: .simple, fileName: path, url: url, sql: sql,
                                        checksum: Self.digest(Self.checksum(Array(sql.utf8))), noTransaction: noTransaction))
        }
        guard !migrations.isEmpty else { throw MigrationSetError.noMigrations(path: folder.path) }
        return try MigrationSet(folder: folder, migrations: migrations)
    }

    /// `AbbreviationUtils.abbreviateDescription` (200) and `abbreviateScript` (1000), counted in UTF-16 units as Java counts.
    static func abbreviated(_ text: String, to limit: Int) -> String {
        let units = Array(text.utf16)
        guard units.count > limit else { return text }
        return limit == 200 ? String(decoding: units[..<197], as: UTF16.self) + "..." : "..." + String(decoding: units[3..<limit], as: UTF16.self)
    }

    // MARK: - Checksum

    /// `ChecksumCalculator`: CRC-32 of the lines `readLine()` returns, joined with nothing, the first
    /// without its BOM: the bytes with every CR and LF left out, then `(int)`.
    public static func checksum(_ bytes: [UInt8]) -> Int32 {
        var crc: UInt32 = 0xFFFF_FFFF
        let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        for byte in bytes[start...] where byte != 0x0A && byte != 0x0D {
            crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return Int32(bitPattern: crc ^ 0xFFFF_FFFF)
    }

    private static let crcTable: [UInt32] = (0..<256).map { index in
        (0..<8).reduce(UInt32(index)) { value, _ in value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
    }

    /// The checksum as the engine compares it: the decimal text of the stored `INT`.
    static func digest(_ checksum: Int32) -> Digest { Digest(bytes: Array(String(checksum).utf8)) }

    // MARK: - Reading

    public func holdsLedger(_ db: Database) throws -> Bool { Self.holds(columns: try Self.columnNames(tableName, in: db)) }

    /// Whether a table with these columns (none: no table) is this tool's ledger.
    static func holds(columns names: [String]) -> Bool {
        TableColumn.names(names, include: ["installed_rank", "version", "description", "type", "script", "checksum", "success"])
    }

    /// One stored row as `JdbcTableSchemaHistory.refreshCache` reads it.
    struct HistoryRow {
        var rank: Int64
        var version: MigrationVersion?
        var versionText: String?
        var description: String
        var type: String
        var checksum: Int32?
        var installedOn: String?
        var executionTime: Int64?
        var success: Bool
    }

    /// The live row of each version in `installed_rank` order, as `MigrationInfoServiceImpl` sees them:
    /// a successful `DELETE` row cancels the latest earlier row of its version; repeatable runs are left out.
    func history(_ db: Database) throws -> (live: [HistoryRow], repeatables: Int, problems: [String]) {
        var live: [HistoryRow] = []
        var repeatables = 0
        var problems: [String] = []
        let rows = try Row.fetchAll(db, sql: """
            SELECT "installed_rank", "version", "description", "type", "checksum", "installed_on", "execution_time", "success"
            FROM "main"."\(tableName)" ORDER BY "installed_rank"
            """)
        for row in rows {
            guard let text: String = row[1] else { repeatables += 1; continue }
            guard let version = MigrationVersion(dotted: text.replacingOccurrences(of: "_", with: ".")) else {
                throw Unusable(reason: "flyway_schema_history holds version \"\(text)\" (installed_rank \((row[0] as DatabaseValue).description)), which Flyway cannot read: \"Version may only contain 0..9 and . (dot)\"")
            }
            let entry = HistoryRow(rank: row[0], version: version, versionText: text, description: row[2] ?? "", type: row[3] ?? "",
                                   checksum: (row[4] as Int64?).map { Int32(truncatingIfNeeded: $0) }, installedOn: row[5],
                                   executionTime: row[6], success: (row[7] as Int64? ?? 0) != 0)
            if entry.type == "DELETE" {
                guard entry.success else { continue }
                guard let index = live.lastIndex(where: { $0.version == version && !["SCHEMA", "BASELINE", "DELETE"].contains($0.type) }) else {
                    throw Unusable(reason: "Corrupted schema history: multiple delete entries for version \(version)")
                }
                live.remove(at: index)
                continue
            }
            if let earlier = live.firstIndex(where: { $0.version == version && $0.type == entry.type }) {
                problems.append("version \(version) has rows at installed_rank \(live[earlier].rank) and \(entry.rank); the later one is read")
                live.remove(at: earlier)
            }
            live.append(entry)
        }
        return (live, repeatables, problems)
    }

    struct Unusable: Error { var reason: String }

    /// The live versioned rows as ledger rows; a `BASELINE` row stands for each bundled version up to its own.
    public func read(_ db: Database) throws -> LedgerState {
        let columns = try Self.columnNames(tableName, in: db)
        guard !columns.isEmpty else { return .absent }
        guard Self.holds(columns: columns) else {
            return .unusable(reason: "ledger table \(tableName) lacks Flyway's installed_rank, version, description, type, script, checksum or success column")
        }
        let history: (live: [HistoryRow], repeatables: Int, problems: [String])
        do { history = try self.history(db) } catch let error as Unusable { return .unusable(reason: error.reason) }
        var problems = history.problems
        var rows: [MigrationVersion: LedgerRow] = [:]
        var order: [MigrationVersion] = []
        func put(_ row: LedgerRow) {
            if rows[row.version] == nil { order.append(row.version) }
            rows[row.version] = row
        }
        // Flyway runs no file below the baseline and checks none: each counts as applied, as it is.
        if let baseline = history.live.filter({ $0.type == "BASELINE" }).compactMap(\.version).max() {
            for (version, file) in files.sorted(by: { $0.key < $1.key }) where version < baseline {
                put(LedgerRow(version: version, success: true, checksum: file.checksum))
            }
        }
        for entry in history.live {
            guard let version = entry.version else { continue }
            if entry.type == "BASELINE" {
                // The baseline row stands for its version's file; a row of that version's own comes first.
                if history.live.contains(where: { $0.version == version && $0.type != "BASELINE" }) { continue }
                put(LedgerRow(version: version, installedOn: entry.installedOn, success: entry.success, checksum: files[version]?.checksum))
                continue
            }
            // A NULL checksum matches any file (`isChecksumMatching`); a row of another type (JDBC, SCRIPT)
            // matches no SQL file, as Flyway pairs rows with files by (version, type).
            let checksum = entry.type == "SQL"
                ? entry.checksum.map(Self.digest) ?? files[version]?.checksum
                : Digest(bytes: Array("\(entry.type) \(entry.checksum.map(String.init) ?? "NULL")".utf8))
            put(LedgerRow(version: version, description: entry.description, installedOn: entry.installedOn,
                          success: entry.success, checksum: checksum, executionTime: entry.executionTime))
        }
        let result = order.compactMap { rows[$0] }
        if history.repeatables > 0 {
            problems.append("\(history.repeatables) repeatable (R__) run(s) kept as they are: repeatable migrations are not part of the versioned history")
        }
        return .present(LedgerContents(rows: result, columns: columns, problems: problems))
    }
}

// MARK: - Writing

extension Flyway {
    public func createTable(_ db: Database) throws { try db.execute(sql: createTableSQL) }

    /// The row of `version` Flyway would pair with its file: the latest live `SQL` row.
    func liveRow(_ version: MigrationVersion, in db: Database) throws -> HistoryRow? {
        try history(db).live.last { $0.version == version && $0.type == "SQL" }
    }

    /// `getInsertStatement` with the next rank; `installed_on` is the column's default unless a reference backup gave one.
    func insertRow(version: String, description: String, type: String, script: String, checksum: Int32?,
                   installedOn: String?, executionTime: Int64, success: Bool, in db: Database) throws {
        let rank = (try Int64.fetchOne(db, sql: "SELECT max(\"installed_rank\") FROM \"main\".\"\(tableName)\"") ?? 0) + 1
        var columns = ["installed_rank", "version", "description", "type", "script", "checksum", "installed_by", "execution_time", "success"]
        var values: [(any DatabaseValueConvertible)?] = [rank, version, Self.abbreviated(description, to: 200), type,
                                                         Self.abbreviated(script, to: 1000), checksum, installedBy, executionTime, success ? 1 : 0]
        if let installedOn {
            columns.append("installed_on")
            values.append(installedOn)
        }
        let quoted = columns.map { "\"\($0)\"" }.joined(separator: ", ")
        let marks = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        try db.execute(sql: "INSERT INTO \"main\".\"\(tableName)\" (\(quoted)) VALUES (\(marks))", arguments: StatementArguments(values))
    }

    static func storedChecksum(_ digest: Digest?) -> Int32? {
        digest.flatMap { Int32(String(decoding: $0.bytes, as: UTF8.self)) }
    }

    /// The row `DbMigrate` writes after running the file: type `SQL`, `success = 1`.
    public func insert(_ row: LedgerRow, in db: Database) throws {
        let file = files[row.version]
        try insertRow(version: file?.text ?? row.version.description, description: row.description ?? "", type: "SQL",
                      script: file?.script ?? "", checksum: Self.storedChecksum(row.checksum), installedOn: row.installedOn,
                      executionTime: row.executionTime ?? 0, success: true, in: db)
    }

    /// A failed row the schema proves applied: Flyway's repair deletes it (`removeFailedMigrations`) and the
    /// row `migrate` would have written follows at the next rank. A drifted row is re-stamped as
    /// `alignAppliedMigrationsWithResolvedMigrations` does: `UPDATE … WHERE installed_rank = ?`.
    func update(_ live: HistoryRow, checksum: Digest, in db: Database) throws {
        guard let version = live.version else { return }
        if !live.success {
            try db.execute(sql: "DELETE FROM \"main\".\"\(tableName)\" WHERE \"success\" = 0 AND \"version\" = ?", arguments: [live.versionText])
            try insertRow(version: files[version]?.text ?? version.description, description: live.description, type: "SQL",
                          script: files[version]?.script ?? "", checksum: Self.storedChecksum(checksum), installedOn: nil,
                          executionTime: live.executionTime ?? 0, success: true, in: db)
            return
        }
        try db.execute(sql: "UPDATE \"main\".\"\(tableName)\" SET \"description\"=? , \"type\"=? , \"checksum\"=? WHERE \"installed_rank\"=?",
                       arguments: [live.description, "SQL", Self.storedChecksum(checksum), live.rank])
    }

    /// A failed row goes as Flyway's repair removes it (`DELETE … WHERE "success" = 0 AND "version" = ?`); a
    /// successful one stays in the history under a `DELETE` row, as Flyway's repair marks a version deleted.
    func delete(_ live: HistoryRow, in db: Database) throws {
        if !live.success {
            try db.execute(sql: "DELETE FROM \"main\".\"\(tableName)\" WHERE \"success\" = 0 AND \"version\" = ?", arguments: [live.versionText])
            return
        }
        let script = try String.fetchOne(db, sql: "SELECT \"script\" FROM \"main\".\"\(tableName)\" WHERE \"installed_rank\" = ?", arguments: [live.rank]) ?? ""
        try insertRow(version: live.versionText ?? "", description: live.description, type: "DELETE", script: script,
                      checksum: live.checksum, installedOn: nil, executionTime: 0, success: true, in: db)
    }

    // `RowLedger`'s row writes, by version (``record(_:current:migrations:in:)`` finds rows by rank itself).
    public func update(version: MigrationVersion, success: Bool, checksum: Digest, in db: Database) throws {
        if let live = try liveRow(version, in: db) { try update(live, checksum: checksum, in: db) }
    }

    public func delete(version: MigrationVersion, in db: Database) throws {
        if let live = try liveRow(version, in: db) { try delete(live, in: db) }
    }

    public func move(version: MigrationVersion, to newVersion: MigrationVersion, description: String, checksum: Digest, in db: Database) throws {
        guard let live = try liveRow(version, in: db) else { return }
        try db.execute(sql: "UPDATE \"main\".\"\(tableName)\" SET \"version\" = ?, \"description\" = ?, \"script\" = ?, \"checksum\" = ? WHERE \"installed_rank\" = ?",
                       arguments: [files[newVersion]?.text ?? newVersion.description, description, Self.abbreviated(files[newVersion]?.script ?? "", to: 1000),
                                   Self.storedChecksum(checksum), live.rank])
    }

    /// The plan's writes over the history, each row found by its `installed_rank` (so moves need no
    /// parking versions); a failed row made good is two writes (its `DELETE`, then the new row).
    public func record(_ actions: [RepairPlan.Action], current: [LedgerRow], migrations: MigrationSet, in db: Database) throws -> Int {
        if actions.contains(where: { $0.kind == .createLedger }) { try createTable(db) }
        var writes = 0
        let live = try Self.tableExists(tableName, in: db) ? try history(db).live : []
        let baseline = live.filter { $0.type == "BASELINE" }.compactMap(\.version).max()
        func row(_ version: MigrationVersion) throws -> HistoryRow {
            if let found = live.last(where: { $0.version == version && $0.type == "SQL" }) { return found }
            if let baseline, version <= baseline {
                throw DatabaseError(message: "version \(version) is covered by Flyway's BASELINE row at \(baseline); only a new baseline changes that")
            }
            throw DatabaseError(message: "flyway_schema_history has no row for version \(version)")
        }
        for action in actions where action.kind == .move {
            guard let from = action.previousVersion, let to = action.version, let checksum = action.checksum else { continue }
            let file = files[to]
            try db.execute(sql: "UPDATE \"main\".\"\(tableName)\" SET \"version\" = ?, \"description\" = ?, \"script\" = ?, \"checksum\" = ? WHERE \"installed_rank\" = ?",
                           arguments: [file?.text ?? to.description, action.description ?? "", Self.abbreviated(file?.script ?? "", to: 1000),
                                       Self.storedChecksum(checksum), try row(from).rank])
            writes += 1
        }
        for action in actions {
            switch action.kind {
            case .move, .keep, .createLedger:
                continue
            case .insert:
                guard let version = action.version else { continue }
                try insert(LedgerRow(version: version, description: action.description, installedOn: action.installedOn,
                                     checksum: action.checksum, executionTime: action.executionTime ?? 0), in: db)
                writes += 1
            case .markSucceeded, .restamp:
                guard let version = action.version, let checksum = action.checksum else { continue }
                let found = try row(version)
                try update(found, checksum: checksum, in: db)
                writes += found.success ? 1 : 2
            case .delete:
                guard let version = action.version else { continue }
                let found = try row(version)
                writes += found.success ? 1 : try Int.fetchOne(db, sql: "SELECT count(*) FROM \"main\".\"\(tableName)\" WHERE \"success\" = 0 AND \"version\" = ?", arguments: [found.versionText]) ?? 0
                try delete(found, in: db)
            }
        }
        return writes
    }

    // MARK: - Validate

    /// `validate` as `migrate` runs it (`*:future` and `*:pending` ignored), over the rows read: the first error.
    public func startupProblem(rows: [LedgerRow], migrations: MigrationSet, ignoreMissing: Bool) -> String? {
        let newestFile = migrations.applying.last?.version
        for row in rows {
            let future = newestFile.map { !(row.version < $0) } ?? true
            guard let file = migrations.applied(version: row.version) else {
                if future || ignoreMissing { continue }
                return row.isDirty
                    ? "Detected failed migration to version \(row.version) (\(row.description ?? "")). Please remove any half-completed changes then run repair to fix the schema history."
                    : "Detected applied migration not resolved locally: \(row.version). If you removed this migration intentionally, run repair to mark the migration as deleted."
            }
            if row.isDirty {
                return "Detected failed migration to version \(row.version) (\(row.description ?? "")). Please remove any half-completed changes then run repair to fix the schema history."
            }
            if let checksum = row.checksum, checksum != file.checksum {
                return "Migration checksum mismatch for migration version \(row.version): applied to database \(String(decoding: checksum.bytes, as: UTF8.self)), resolved locally \(String(decoding: file.checksum.bytes, as: UTF8.self))"
            }
            if let description = row.description, description != file.description {
                return "Migration description mismatch for migration version \(row.version): applied to database \"\(description)\", resolved locally \"\(file.description)\""
            }
        }
        guard !outOfOrder, let newestRow = rows.map(\.version).max() else { return nil }
        let recorded = Set(rows.map(\.version))
        if let skipped = migrations.applying.first(where: { !recorded.contains($0.version) && $0.version < newestRow }) {
            return "Detected resolved migration not applied to database: \(skipped.version). To allow executing this migration, set -outOfOrder=true."
        }
        return nil
    }

    /// Flyway's validate refuses versions not applied below its newest row (unless ``outOfOrder``), so a
    /// plan that would leave one is refused up front instead of being rolled back by the final check.
    public func cannotRecord(applied versions: [MigrationVersion], migrations: MigrationSet) -> RepairPlan.Blocker? {
        guard !outOfOrder else { return nil }
        return RepairPlan.missingBelowNewestBlocker(applied: versions, migrations: migrations,
                                                    refusal: "Flyway's validate refuses versions not applied below its newest row",
                                                    alternatives: ", a [[probe]] for each, or --out-of-order if Flyway runs with outOfOrder=true")
    }

}
