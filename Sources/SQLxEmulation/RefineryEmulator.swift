import Foundation
import GRDB

/// An independent re-implementation of refinery's rusqlite runner (`Runner::run`, library defaults
/// `abort_divergent` and `abort_missing`), written from rust-db/refinery `refinery_core/src/{runner,
/// util,traits/mod,traits/sync}.rs` and siphasher 1.0's SipHash-1-3. It shares no code with the engine.
public struct RefineryEmulator: Sendable {
    public struct Source: Sendable {
        public var version: Int32
        public var name: String
        public var sql: String
        public var checksum: UInt64
    }

    public enum CheckResult: Sendable, Equatable {
        case ok(pending: [Int32])
        case refused(String)
    }

    public let sources: [Source]
    public let table = "refinery_schema_history"

    public init(folder: URL) throws {
        let pattern = try NSRegularExpression(pattern: #"^([U|V])(\d+(?:\.\d+)?)__(\w+)\.sql$"#)
        var sources: [Source] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            let ns = name as NSString
            guard let match = pattern.firstMatch(in: name, range: NSRange(location: 0, length: ns.length)),
                  let version = Int32(ns.substring(with: match.range(at: 2))) else { continue }
            let stem = ns.substring(with: match.range(at: 3))
            let sql = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            sources.append(Source(version: version, name: stem, sql: sql, checksum: Self.checksum(stem, version, sql)))
        }
        self.sources = sources.sorted { $0.version < $1.version }
    }

    /// `Migration::unapplied`: SipHasher13 (keys 0) fed `name.hash()`, `version.hash()`, `sql.hash()`.
    public static func checksum(_ name: String, _ version: Int32, _ sql: String) -> UInt64 {
        var hasher = Sip13()
        hasher.write(Array(name.utf8)); hasher.write([0xff])
        hasher.write([UInt8(truncatingIfNeeded: version), UInt8(truncatingIfNeeded: version >> 8),
                      UInt8(truncatingIfNeeded: version >> 16), UInt8(truncatingIfNeeded: version >> 24)])
        hasher.write(Array(sql.utf8)); hasher.write([0xff])
        return hasher.finish()
    }

    public func ensureTable(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS \(table)(
                         version int4 PRIMARY KEY,
                         name VARCHAR(255),
                         applied_on VARCHAR(255),
                         checksum VARCHAR(255));
            """)
    }

    /// `get_applied_migrations` then `verify_migrations`; a format refinery panics on is a refusal here.
    public func check(_ db: Database) throws -> CheckResult {
        try ensureTable(db)
        let rows = try Row.fetchAll(db, sql: "SELECT version, name, applied_on, checksum FROM \(table) ORDER BY version ASC")
        let rfc3339 = try NSRegularExpression(pattern: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"#)
        var applied: [Int32] = []
        for row in rows {
            let version: Int32 = row[0]
            let appliedOn: String = row[2] ?? ""
            guard rfc3339.firstMatch(in: appliedOn, range: NSRange(location: 0, length: (appliedOn as NSString).length)) != nil else {
                return .refused("panic: applied_on \(appliedOn) is not RFC 3339")
            }
            guard let checksum = UInt64((row[3] as String?) ?? "") else { return .refused("panic: checksum is not u64") }
            guard let file = sources.first(where: { $0.version == version }) else { return .refused("MissingVersion(\(version))") }
            if file.name != (row[1] as String?) || file.checksum != checksum { return .refused("DivergentVersion(\(version))") }
            applied.append(version)
        }
        let current = applied.last ?? -1
        var pending: [Int32] = []
        for source in sources where !applied.contains(source.version) {
            if source.version <= current { return .refused("MissingVersion(\(source.version))") }
            pending.append(source.version)
        }
        return .ok(pending: pending)
    }

    /// `Runner::run`: each pending file and its row in one transaction (not grouped).
    @discardableResult
    public func run(_ db: Database, upTo limit: Int32? = nil, appliedOn: String = "2026-01-15T12:00:00Z",
                    after: (Int32, Database) throws -> Void = { _, _ in }) throws -> CheckResult {
        let result = try check(db)
        guard case .ok(let pending) = result else { return result }
        for version in pending where limit.map({ version <= $0 }) ?? true {
            let source = sources.first { $0.version == version }!
            try db.inTransaction {
                try db.execute(sql: source.sql)
                try db.execute(sql: "INSERT INTO \(table) (version, name, applied_on, checksum) VALUES (\(version), '\(source.name)', '\(appliedOn)', '\(source.checksum)')")
                return .commit
            }
            try after(version, db)
        }
        return try check(db)
    }

    /// Lays a sqlx folder out as refinery files `V<n>__<desc>.sql`. refinery runs every file inside its
    /// own transaction, so a sqlx `-- no-transaction` file loses its `BEGIN`/`COMMIT` and its
    /// `PRAGMA foreign_keys` toggles (inside a transaction they do nothing; foreign keys are off by default).
    public static func layOut(sqlxFolder: URL, into folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: sqlxFolder.path).sorted()
        where name.hasSuffix(".sql") && !name.hasSuffix(".down.sql") {
            var text = try String(contentsOf: sqlxFolder.appendingPathComponent(name), encoding: .utf8)
            guard let cut = name.firstIndex(of: "_"), let version = Int(name[..<cut]) else { continue }
            var stem = String(name[name.index(after: cut)...].dropLast(4))
            if stem.hasSuffix(".up") { stem = String(stem.dropLast(3)) }
            if text.hasPrefix("-- no-transaction") {
                text = text.components(separatedBy: "\n").filter { line in
                    !["BEGIN;", "COMMIT;", "PRAGMA foreign_keys = OFF;", "PRAGMA foreign_keys = ON;", "-- no-transaction"].contains(line)
                }.joined(separator: "\n")
            }
            try Data(text.utf8).write(to: folder.appendingPathComponent("V\(version)__\(stem).sql"))
        }
    }
}

/// SipHash-1-3 as siphasher's `SipHasher13` streams it: bytes buffered into little-endian words.
private struct Sip13 {
    var v0: UInt64 = 0x736f6d6570736575, v1: UInt64 = 0x646f72616e646f6d
    var v2: UInt64 = 0x6c7967656e657261, v3: UInt64 = 0x7465646279746573
    var tail: [UInt8] = []
    var length = 0

    private mutating func compress() {
        v0 = v0 &+ v1; v1 = v1 << 13 | v1 >> 51; v1 ^= v0; v0 = v0 << 32 | v0 >> 32
        v2 = v2 &+ v3; v3 = v3 << 16 | v3 >> 48; v3 ^= v2
        v0 = v0 &+ v3; v3 = v3 << 21 | v3 >> 43; v3 ^= v0
        v2 = v2 &+ v1; v1 = v1 << 17 | v1 >> 47; v1 ^= v2; v2 = v2 << 32 | v2 >> 32
    }

    private mutating func absorb(_ word: UInt64) {
        v3 ^= word; compress(); v0 ^= word
    }

    mutating func write(_ bytes: [UInt8]) {
        length += bytes.count
        tail += bytes
        while tail.count >= 8 {
            absorb(tail.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * $1.offset) })
            tail.removeFirst(8)
        }
    }

    mutating func finish() -> UInt64 {
        var last = UInt64(truncatingIfNeeded: length) << 56
        for (offset, byte) in tail.enumerated() { last |= UInt64(byte) << (8 * offset) }
        absorb(last)
        v2 ^= 0xff
        compress(); compress(); compress()
        return v0 ^ v1 ^ v2 ^ v3
    }
}

/// The refinery fixtures: `Migrations/` laid out as refinery files, databases refinery ran, then damaged.
public enum RefineryFixtures {
    public static let folderName = "refinery"

    public struct Recipe: Sendable {
        public var name: String
        public var story: String
        var build: @Sendable (RefineryEmulator, Database) throws -> Void
    }

    public static let recipes: [Recipe] = [
        Recipe(name: "healthy.sqlite", story: "refinery ran every migration") { tool, db in try migrate(tool, db, upTo: 34) },
        Recipe(name: "behind.sqlite", story: "a newer build ran 21–23, then an old refinery_schema_history was restored") { tool, db in
            try migrate(tool, db, upTo: 23)
            try db.execute(sql: "DELETE FROM refinery_schema_history WHERE version > 20")
        },
        Recipe(name: "no-ledger.sqlite", story: "refinery_schema_history was dropped by hand; the schema is at 23") { tool, db in
            try migrate(tool, db, upTo: 23)
            try db.execute(sql: "DROP TABLE refinery_schema_history")
        },
        Recipe(name: "checksum-drift.sqlite", story: "V13's file gained a comment after it was applied") { tool, db in
            try migrate(tool, db, upTo: 34)
            let source = tool.sources.first { $0.version == 13 }!
            let old = RefineryEmulator.checksum(source.name, 13, "-- thread list for the sidebar\n" + source.sql)
            try db.execute(sql: "UPDATE refinery_schema_history SET checksum = ? WHERE version = 13", arguments: [String(old)])
        },
        Recipe(name: "ahead.sqlite", story: "a backup of the schema at 20 was restored under rows up to 23") { tool, db in
            try migrate(tool, db, upTo: 20)
            for source in tool.sources where (21...23).contains(source.version) {
                try db.execute(sql: "INSERT INTO refinery_schema_history VALUES (?, ?, '2026-01-15T12:00:00Z', ?)",
                               arguments: [source.version, source.name, String(source.checksum)])
            }
        },
    ]

    public static func generateAll(sqlxMigrations: URL, into folder: URL) throws {
        let root = folder.appendingPathComponent(folderName)
        let migrations = root.appendingPathComponent("migrations")
        try? FileManager.default.removeItem(at: migrations)
        try RefineryEmulator.layOut(sqlxFolder: sqlxMigrations, into: migrations)
        let tool = try RefineryEmulator(folder: migrations)
        for recipe in recipes {
            let path = root.appendingPathComponent(recipe.name).path
            for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            let queue = try DatabaseQueue(path: path)
            try queue.writeWithoutTransaction { db in try recipe.build(tool, db) }
            try queue.close()
        }
    }

    static func migrate(_ tool: RefineryEmulator, _ db: Database, upTo version: Int32) throws {
        let result = try tool.run(db, upTo: version) { applied, db in try FixtureFactory.seed(Int64(applied), db) }
        guard case .ok = result else { throw FixtureError(message: "refinery refused while building a fixture: \(result)") }
    }
}
