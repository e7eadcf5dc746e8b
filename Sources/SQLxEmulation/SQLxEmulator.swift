import Crypto
import Foundation
import GRDB

/// An independent re-implementation of what sqlx's migrator does to a SQLite database, for tests and
/// fixture generation. It deliberately shares no code with the SchemaReconciler engine, so that a
/// database the engine repaired can be checked by a second opinion.
public struct SQLxEmulator: Sendable {
    /// One migration file as sqlx resolves it.
    public struct Source: Sendable {
        public var version: Int64
        public var description: String
        public var isDown: Bool
        public var sql: String
        public var checksum: Data
        public var noTransaction: Bool { sql.hasPrefix("-- no-transaction") }
    }

    /// What sqlx's start-up check says.
    public enum CheckResult: Sendable, Equatable {
        /// The migrator would start, applying these versions.
        case ok(pending: [Int64])
        /// The migrator would refuse to start with this message.
        case refused(String)
    }

    public let sources: [Source]
    public let table: String

    /// Reads a migrations folder with sqlx's rules.
    public init(folder: URL, table: String = "_sqlx_migrations") throws {
        var sources: [Source] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            guard let split = name.firstIndex(of: "_") else { continue }
            let tail = name[name.index(after: split)...]
            guard tail.hasSuffix(".sql"), let version = Int64(name[..<split]) else { continue }
            let isUp = tail.hasSuffix(".up.sql"), isDown = tail.hasSuffix(".down.sql")
            let suffixLength = isUp ? 7 : isDown ? 9 : 4
            let description = String(tail.dropLast(suffixLength)).replacingOccurrences(of: "_", with: " ")
            let data = try Data(contentsOf: folder.appendingPathComponent(name))
            guard let sql = String(data: data, encoding: .utf8) else { continue }
            sources.append(Source(version: version, description: description, isDown: isDown, sql: sql,
                                  checksum: Data(SHA384.hash(data: data))))
        }
        self.sources = sources.sorted { $0.version < $1.version }
        self.table = table
    }

    /// Creates an emulator over given sources.
    public init(sources: [Source], table: String = "_sqlx_migrations") {
        self.sources = sources.sorted { $0.version < $1.version }
        self.table = table
    }

    var upSources: [Source] { sources.filter { !$0.isDown } }

    /// Opens a plain connection as an sqlx app would (foreign keys on).
    public static func open(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.allowsUnsafeTransactions = true
        configuration.busyMode = .timeout(2)
        return try DatabaseQueue(path: path, configuration: configuration)
    }

    /// sqlx's `ensure_migrations_table`.
    public func ensureTable(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS \(table) (
                version BIGINT PRIMARY KEY,
                description TEXT NOT NULL,
                installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
                success BOOLEAN NOT NULL,
                checksum BLOB NOT NULL,
                execution_time BIGINT NOT NULL
            );
            """)
    }

    /// sqlx's start-up check, in sqlx's order: dirty, then missing, then each bundled version's checksum.
    public func startupCheck(_ db: Database) throws -> CheckResult {
        // The table name is SQL text (it may carry quotes), as in sqlx: ask SQLite whether it resolves.
        guard (try? Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)")) != nil else {
            return .ok(pending: upSources.map(\.version))
        }
        if let dirty = try Int64.fetchOne(db, sql: "SELECT version FROM \(table) WHERE success = false ORDER BY version LIMIT 1") {
            return .refused("migration \(dirty) is partially applied; fix and remove row from `_sqlx_migrations` table")
        }
        var applied: [Int64: Data] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT version, checksum FROM \(table) ORDER BY version") {
            guard let version = row[0] as Int64?, let checksum = row[1] as Data? else {
                return .refused("error decoding ledger row")
            }
            applied[version] = checksum
        }
        let known = Set(sources.map(\.version))
        for version in applied.keys.sorted() where !known.contains(version) {
            return .refused("migration \(version) was previously applied but is missing in the resolved migrations")
        }
        var pending: [Int64] = []
        for source in upSources {
            if let checksum = applied[source.version] {
                if checksum != source.checksum {
                    return .refused("migration \(source.version) was previously applied but has been modified")
                }
            } else {
                pending.append(source.version)
            }
        }
        return .ok(pending: pending)
    }

    /// Applies one migration exactly as sqlx-sqlite does.
    public func apply(_ source: Source, to db: Database) throws {
        let start = DispatchTime.now().uptimeNanoseconds
        if !source.noTransaction { try db.execute(sql: "BEGIN") }
        do {
            try db.execute(sql: source.sql)
            try db.execute(sql: """
                INSERT INTO \(table) ( version, description, success, checksum, execution_time ) \
                VALUES ( ?1, ?2, TRUE, ?3, -1 )
                """, arguments: [source.version, source.description, source.checksum])
            if !source.noTransaction { try db.execute(sql: "COMMIT") }
        } catch {
            if db.isInsideTransaction { try? db.execute(sql: "ROLLBACK") }
            throw error
        }
        let elapsed = Int64(DispatchTime.now().uptimeNanoseconds - start)
        try db.execute(sql: "UPDATE \(table) SET execution_time = ?1 WHERE version = ?2", arguments: [elapsed, source.version])
    }

    /// `Migrator::run`: the start-up check, then every pending migration in order.
    /// `after` runs after each applied version (fixtures use it to add user rows).
    @discardableResult
    public func run(_ db: Database, upTo limit: Int64? = nil,
                    after: (Int64, Database) throws -> Void = { _, _ in }) throws -> CheckResult {
        try ensureTable(db)
        let result = try startupCheck(db)
        guard case .ok(let pending) = result else { return result }
        for version in pending where limit.map({ version <= $0 }) ?? true {
            guard let source = upSources.first(where: { $0.version == version }) else { continue }
            try apply(source, to: db)
            try after(version, db)
        }
        return result
    }

    /// Applies the migrations' SQL only, without any ledger (a fresh replay, as the schema's reference).
    public func replaySQL(_ db: Database, upTo limit: Int64? = nil) throws {
        for source in upSources where limit.map({ source.version <= $0 }) ?? true {
            if source.noTransaction {
                try db.execute(sql: source.sql)
            } else {
                try db.inTransaction {
                    try db.execute(sql: source.sql)
                    return .commit
                }
            }
        }
    }
}
