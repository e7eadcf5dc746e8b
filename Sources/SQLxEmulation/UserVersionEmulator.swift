import Foundation
import GRDB

/// An independent re-implementation of the tools whose ledger is `PRAGMA user_version`, written from
/// LEDGERS.md §7: Android's `SQLiteOpenHelper` (the number is the app's version; a newer database is
/// "Can't downgrade") and rusqlite_migration (the number counts applied migrations; more than bundled
/// is `DatabaseTooFarAhead`). Each migration runs with its number in one transaction, as both do.
public struct UserVersionEmulator: Sendable {
    public enum Meaning: Sendable { case version, count }

    public struct Source: Sendable {
        public var version: Int64
        public var sql: String
    }

    public enum CheckResult: Sendable, Equatable {
        case ok(pending: [Int64])
        case refused(String)
    }

    public let sources: [Source]
    public let meaning: Meaning

    /// `<V>_<name>.sql` files (down files are not migrations), in version order.
    public init(folder: URL, meaning: Meaning) throws {
        var sources: [Source] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path)
        where name.hasSuffix(".sql") && !name.hasSuffix(".down.sql") {
            guard let cut = name.firstIndex(of: "_"), let version = Int64(name[..<cut]) else { continue }
            sources.append(Source(version: version, sql: try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)))
        }
        self.sources = sources.sorted { $0.version < $1.version }
        self.meaning = meaning
    }

    public func userVersion(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "PRAGMA user_version") ?? 0
    }

    /// What the runner decides on open.
    public func check(_ db: Database) throws -> CheckResult {
        let current = try userVersion(db)
        switch meaning {
        case .version:
            let tip = sources.last?.version ?? 0
            if current > tip { return .refused("Can't downgrade database from version \(current) to \(tip)") }
            return .ok(pending: sources.filter { $0.version > current }.map(\.version))
        case .count:
            if current > Int64(sources.count) { return .refused("DatabaseTooFarAhead") }
            return .ok(pending: sources.dropFirst(Int(current)).map(\.version))
        }
    }

    /// Runs the pending migrations up to `limit`, each with its number; a file starting with
    /// `-- no-transaction` runs on its own and the number follows it.
    @discardableResult
    public func migrate(_ db: Database, upTo limit: Int64? = nil, after: (Int64, Database) throws -> Void = { _, _ in }) throws -> CheckResult {
        let result = try check(db)
        guard case .ok(let pending) = result else { return result }
        for version in pending where limit.map({ version <= $0 }) ?? true {
            let index = sources.firstIndex { $0.version == version }!
            let number = meaning == .version ? version : Int64(index + 1)
            if sources[index].sql.hasPrefix("-- no-transaction") {
                try db.execute(sql: sources[index].sql)
                try db.execute(sql: "PRAGMA user_version = \(number)")
            } else {
                try db.inTransaction {
                    try db.execute(sql: sources[index].sql)
                    try db.execute(sql: "PRAGMA user_version = \(number)")
                    return .commit
                }
            }
            try after(version, db)
        }
        return try check(db)
    }
}

/// The `user_version` fixtures (version meaning), built from `Migrations/` as an app's runner applies it.
public enum UserVersionFixtures {
    public static let folderName = "user-version"

    public struct Recipe: Sendable {
        public var name: String
        public var story: String
        var build: @Sendable (UserVersionEmulator, Database) throws -> Void
    }

    public static let recipes: [Recipe] = [
        Recipe(name: "healthy.sqlite", story: "the app applied every migration; user_version 34") { tool, db in
            try migrate(tool, db, upTo: 34)
        },
        Recipe(name: "behind.sqlite", story: "a newer build ran 21–23, then an old build wrote user_version 20") { tool, db in
            try migrate(tool, db, upTo: 23)
            try db.execute(sql: "PRAGMA user_version = 20")
        },
        Recipe(name: "no-ledger.sqlite", story: "user_version was reset to 0; the schema is at 23") { tool, db in
            try migrate(tool, db, upTo: 23)
            try db.execute(sql: "PRAGMA user_version = 0")
        },
        Recipe(name: "failed-no-transaction.sqlite", story: "migration 26 ran outside a transaction, then the app died before writing 26") { tool, db in
            try migrate(tool, db, upTo: 25)
            try db.execute(sql: tool.sources.first { $0.version == 26 }!.sql)
        },
        Recipe(name: "ahead.sqlite", story: "a backup of the schema at 20 was restored, then user_version set to 23") { tool, db in
            try migrate(tool, db, upTo: 20)
            try db.execute(sql: "PRAGMA user_version = 23")
        },
    ]

    /// Writes every database under `folder/user-version/`, migrated from `migrations` (the bundled sqlx files).
    public static func generateAll(migrations: URL, into folder: URL) throws {
        let root = folder.appendingPathComponent(folderName)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let tool = try UserVersionEmulator(folder: migrations, meaning: .version)
        for recipe in recipes {
            let path = root.appendingPathComponent(recipe.name).path
            for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            let queue = try DatabaseQueue(path: path)
            try queue.writeWithoutTransaction { db in try recipe.build(tool, db) }
            try queue.close()
        }
    }

    static func migrate(_ tool: UserVersionEmulator, _ db: Database, upTo version: Int64) throws {
        let result = try tool.migrate(db, upTo: version) { applied, db in try FixtureFactory.seed(applied, db) }
        guard case .ok = result else { throw FixtureError(message: "the user_version runner refused while building a fixture: \(result)") }
    }
}
