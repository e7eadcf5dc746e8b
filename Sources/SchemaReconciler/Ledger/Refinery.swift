import Foundation
import GRDB

/// refinery (rust-db/refinery, `refinery_core`): files `V<n>__<name>.sql` (`U` for unversioned), and
/// `refinery_schema_history (version int4, name, applied_on, checksum)` with one row per applied
/// migration: its name, an RFC 3339 UTC time, and the SipHash-1-3 checksum as a decimal `u64` string.
///
/// The checksum (keys 0, 0) covers `UTF8(name) ‖ 0xFF ‖ LE32(version) ‖ UTF8(sql) ‖ 0xFF`, the raw
/// file text, as `Migration::unapplied` hashes `name`, `version` (i32) and `sql` with Rust's `Hash`.
/// refinery's verifier refuses a recorded version with no file (missing), one whose name or checksum
/// differs from its file (divergent), and a `V` file not applied below the newest recorded version.
/// Versions are refinery's default `int4`.
///
/// ```swift
/// let reconciler = try Reconciler(migrationsFolder: folder, dialect: Refinery())
/// ```
public struct Refinery: MigrationDialect, RowLedger, Hashable {
    public static let defaultTableName = "refinery_schema_history"
    public let tableName: String
    /// Each bundled version's file name (``reading(_:)``), for the `name` column.
    var names: [MigrationVersion: String] = [:]
    /// The clock for `applied_on` (tests pin it).
    var now: @Sendable () -> Date = Date.init

    public init() { self.tableName = Self.defaultTableName }

    public init(tableName: String) throws(SQLxLedger.InvalidTableName) {
        self.tableName = try GolangMigrate(tableName: tableName).tableName
    }

    public static func == (lhs: Refinery, rhs: Refinery) -> Bool { lhs.tableName == rhs.tableName && lhs.names == rhs.names }
    public func hash(into hasher: inout Hasher) { hasher.combine(tableName) }

    public var name: String { "refinery" }
    public var defaultLedgerTable: String { Self.defaultTableName }
    public func renamingTable(to name: String) throws -> any MigrationDialect { try Refinery(tableName: name) }

    public func reading(_ migrations: MigrationSet) -> any LedgerDialect {
        var bound = self
        for migration in migrations.applying { bound.names[migration.version] = migration.description }
        return bound
    }

    /// `ASSERT_MIGRATIONS_TABLE_QUERY` with refinery's default `int4`.
    public var createTableSQL: String {
        """
        CREATE TABLE IF NOT EXISTS \(tableName)(
                     version int4 PRIMARY KEY,
                     name VARCHAR(255),
                     applied_on VARCHAR(255),
                     checksum VARCHAR(255));
        """
    }

    // MARK: - Layout

    /// `STEM_RE` + `\.sql$`: `^([U|V])(\d+(?:\.\d+)?)__(\w+)\.sql$`, as (kind, version digits, name).
    static func parse(fileName: String) -> (versioned: Bool, digits: String, name: String)? {
        guard let first = fileName.first, "UV|".contains(first), fileName.hasSuffix(".sql") else { return nil }
        let rest = fileName.dropFirst().dropLast(4)
        guard let separator = rest.range(of: "__") else { return nil }
        let digits = rest[..<separator.lowerBound]
        let name = rest[separator.upperBound...]
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), !name.isEmpty,
              name.allSatisfy({ $0 == "_" || $0.isLetter || $0.isNumber }) else { return nil }
        return (first == "V", String(digits), String(name))
    }

    public func recognises(_ folder: URL) -> Bool {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return false }
        return names.contains { Self.parse(fileName: $0) != nil }
    }

    /// `V<n>__<name>.sql` names are Flyway's too (only a ledger or `--dialect` tells them apart); a `U`
    /// (unversioned) file is refinery's alone.
    public func claimsExclusively(_ folder: URL) -> Bool {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return false }
        return names.contains { Self.parse(fileName: $0)?.versioned == false }
    }

    public func loadMigrations(from folder: URL, ignoredCharacters: Set<Unicode.Scalar>) throws -> MigrationSet {
        guard let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else {
            throw MigrationSetError.folderMissing(path: folder.path)
        }
        var migrations: [Migration] = []
        for case let url as URL in enumerator {
            guard let parsed = Self.parse(fileName: url.lastPathComponent) else { continue }
            guard let version = Int32(parsed.digits) else {
                throw MigrationSetError.unparsableVersion(path: url.path, prefix: parsed.digits)
            }
            let sql = try MigrationSet.readUTF8(url)
            migrations.append(Migration(version: MigrationVersion(Int64(version)), description: parsed.name, kind: .simple, fileName: url.lastPathComponent,
                                        url: url, sql: sql, checksum: Self.digest(Self.checksum(name: parsed.name, version: version, sql: sql)),
                                        noTransaction: false))
        }
        guard !migrations.isEmpty else { throw MigrationSetError.noMigrations(path: folder.path) }
        return try MigrationSet(folder: folder, migrations: migrations)
    }

    /// refinery's checksum: SipHash-1-3, keys (0, 0), over `name ‖ 0xFF ‖ LE32(version) ‖ sql ‖ 0xFF`.
    public static func checksum(name: String, version: Int32, sql: String) -> UInt64 {
        var bytes = Array(name.utf8)
        bytes.append(0xFF)
        withUnsafeBytes(of: UInt32(bitPattern: version).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: sql.utf8)
        bytes.append(0xFF)
        return SipHash13.hash(bytes)
    }

    /// The checksum as the engine compares it: the decimal text refinery stores.
    static func digest(_ checksum: UInt64) -> Digest { Digest(bytes: Array(String(checksum).utf8)) }

    // MARK: - Reading

    public func holdsLedger(_ db: Database) throws -> Bool { Self.holds(columns: try Self.columnNames(tableName, in: db)) }

    /// Whether a table with these columns (none: no table) is this tool's ledger.
    static func holds(columns names: [String]) -> Bool {
        TableColumn.names(names, include: ["version", "name", "applied_on", "checksum"])
    }

    /// `GET_APPLIED_MIGRATIONS_QUERY`; a row refinery would panic on (a time that is not RFC 3339, a
    /// checksum that is not a decimal u64) is a row whose checksum names no file.
    public func read(_ db: Database) throws -> LedgerState {
        let columns = try Self.columnNames(tableName, in: db)
        guard !columns.isEmpty else { return .absent }
        guard Self.holds(columns: columns) else {
            return .unusable(reason: "ledger table \(tableName) lacks refinery's version, name, applied_on or checksum column")
        }
        var rows: [LedgerRow] = []
        var problems: [String] = []
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let plain = ISO8601DateFormatter()
        for row in try Row.fetchAll(db, sql: "SELECT version, name, applied_on, checksum, typeof(version) FROM main.\"\(tableName)\" ORDER BY version ASC") {
            guard (row[4] as String) == "integer", let version: MigrationVersion = row[0] else {
                return .unusable(reason: "ledger table \(tableName) holds version \((row[0] as DatabaseValue).description), which refinery cannot read")
            }
            var rowProblems: [String] = []
            let appliedOn: String? = row[2]
            if let appliedOn, formatter.date(from: appliedOn) == nil && plain.date(from: appliedOn) == nil {
                rowProblems.append("applied_on \"\(appliedOn)\" is not RFC 3339 (refinery panics reading it)")
            } else if appliedOn == nil {
                rowProblems.append("applied_on is NULL (refinery panics reading it)")
            }
            let text: String? = row[3]
            let checksum = text.flatMap(UInt64.init).map(Self.digest)
            if checksum == nil { rowProblems.append("checksum \(text ?? "NULL") is not a decimal u64 (refinery panics reading it)") }
            rows.append(LedgerRow(version: version, description: row[1], installedOn: appliedOn, success: true,
                                  checksum: checksum ?? Digest(bytes: Array((text ?? "").utf8)), problems: rowProblems))
            problems += rowProblems.map { "version \(version): \($0)" }
        }
        return .present(LedgerContents(rows: rows, columns: columns, problems: problems))
    }

    // MARK: - Writing

    public func createTable(_ db: Database) throws { try db.execute(sql: createTableSQL) }

    /// `insert_migration_query`: values pasted into the text, `applied_on` as RFC 3339 UTC.
    public func insert(_ row: LedgerRow, in db: Database) throws {
        let name = (names[row.version] ?? row.description ?? "").replacingOccurrences(of: "'", with: "''")
        let checksum = String(decoding: row.checksum?.bytes ?? [], as: UTF8.self)
        try db.execute(sql: "INSERT INTO \(tableName) (version, name, applied_on, checksum) VALUES (\(row.version), '\(name)', '\(Self.rfc3339(now()))', '\(checksum)')")
    }

    /// A row re-stamped with its file's name and checksum (refinery has no statement of its own for it).
    public func update(version: MigrationVersion, success: Bool, checksum: Digest, in db: Database) throws {
        try db.execute(sql: "UPDATE \(tableName) SET name = ?, checksum = ? WHERE version = ?",
                       arguments: [names[version] ?? "", String(decoding: checksum.bytes, as: UTF8.self), version])
    }

    public func delete(version: MigrationVersion, in db: Database) throws {
        try db.execute(sql: "DELETE FROM \(tableName) WHERE version = ?", arguments: [version])
    }

    /// A row refiled under the version its checksum proves, keeping `applied_on`.
    public func move(version: MigrationVersion, to newVersion: MigrationVersion, description: String, checksum: Digest, in db: Database) throws {
        try db.execute(sql: "UPDATE \(tableName) SET version = ?, name = ?, checksum = ? WHERE version = ?",
                       arguments: [newVersion, names[newVersion] ?? description, String(decoding: checksum.bytes, as: UTF8.self), version])
    }

    /// The time crate's `Rfc3339` for a whole second: `2026-01-15T09:30:00Z`.
    static func rfc3339(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// `verify_migrations` with the library's defaults (abort on divergent and missing).
    /// refinery's verifier refuses versioned files not applied below the newest row, so a plan that
    /// would leave one is refused up front instead of being rolled back by the final check.
    public func cannotRecord(applied versions: [MigrationVersion], migrations: MigrationSet) -> RepairPlan.Blocker? {
        RepairPlan.missingBelowNewestBlocker(applied: versions, migrations: migrations,
                                             refusal: "refinery refuses versioned migrations not applied below its newest row",
                                             alternatives: ", or a [[probe]] for each")
    }

    public func startupProblem(rows: [LedgerRow], migrations: MigrationSet, ignoreMissing: Bool) -> String? {
        for row in rows {
            guard let file = migrations.applied(version: row.version) else {
                return "migration V\(row.version)__\(row.description ?? "") is missing from the filesystem"
            }
            if row.checksum != file.checksum || row.description != file.description {
                return "applied migration V\(row.version)__\(row.description ?? "") is different than filesystem one \(file.fileName)"
            }
        }
        guard let current = rows.map(\.version).max() else { return nil }
        let recorded = Set(rows.map(\.version))
        if let missing = migrations.applying.first(where: { !recorded.contains($0.version) && $0.version <= current && $0.fileName.hasPrefix("V") }) {
            return "found migration on file system \(missing.fileName) not applied"
        }
        return nil
    }
}

/// SipHash-1-3 with 64-bit output (one compression round, three finalisation rounds), keys (0, 0) unless given.
enum SipHash13 {
    static func hash(_ bytes: [UInt8], k0: UInt64 = 0, k1: UInt64 = 0) -> UInt64 {
        var v0: UInt64 = 0x736f6d6570736575 ^ k0
        var v1: UInt64 = 0x646f72616e646f6d ^ k1
        var v2: UInt64 = 0x6c7967656e657261 ^ k0
        var v3: UInt64 = 0x7465646279746573 ^ k1
        func round() {
            v0 = v0 &+ v1; v1 = (v1 << 13) | (v1 >> 51); v1 ^= v0; v0 = (v0 << 32) | (v0 >> 32)
            v2 = v2 &+ v3; v3 = (v3 << 16) | (v3 >> 48); v3 ^= v2
            v0 = v0 &+ v3; v3 = (v3 << 21) | (v3 >> 43); v3 ^= v0
            v2 = v2 &+ v1; v1 = (v1 << 17) | (v1 >> 47); v1 ^= v2; v2 = (v2 << 32) | (v2 >> 32)
        }
        let whole = bytes.count / 8 * 8
        var index = 0
        while index < whole {
            var m: UInt64 = 0
            for offset in 0..<8 { m |= UInt64(bytes[index + offset]) << (8 * offset) }
            v3 ^= m
            round()
            v0 ^= m
            index += 8
        }
        var last = UInt64(bytes.count & 0xff) << 56
        for offset in 0..<(bytes.count - whole) { last |= UInt64(bytes[whole + offset]) << (8 * offset) }
        v3 ^= last
        round()
        v0 ^= last
        v2 ^= 0xff
        round(); round(); round()
        return v0 ^ v1 ^ v2 ^ v3
    }
}
