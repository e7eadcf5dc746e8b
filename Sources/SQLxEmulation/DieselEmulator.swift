import Foundation
import GRDB

/// An independent re-implementation of diesel's `run_pending_migrations` on SQLite, written from
/// diesel-rs/diesel (`diesel/src/migration/setup_migration_table.sql`, `diesel_migrations/src/
/// migration_harness.rs`, `migrations_internals/src/lib.rs`) as LEDGERS.md §4 records it.
public struct DieselEmulator: Sendable {
    public struct Source: Sendable {
        public var version: String
        public var up: String
        public var runInTransaction: Bool
    }

    public let sources: [Source]

    /// Folders (not hidden) holding `up.sql`; version = name before the first `_`, dashes removed.
    public init(folder: URL) throws {
        var sources: [Source] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where !name.hasPrefix(".") {
            let directory = folder.appendingPathComponent(name)
            guard let up = try? String(contentsOf: directory.appendingPathComponent("up.sql"), encoding: .utf8) else { continue }
            let metadata = (try? String(contentsOf: directory.appendingPathComponent("metadata.toml"), encoding: .utf8)) ?? ""
            let version = String(name.prefix { $0 != "_" }).replacingOccurrences(of: "-", with: "")
            sources.append(Source(version: version, up: up, runInTransaction: !metadata.contains("run_in_transaction = false")))
        }
        self.sources = sources
    }

    public func setup(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (
                   version VARCHAR(50) PRIMARY KEY NOT NULL,
                   run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
            );
            """)
    }

    /// `pending_migrations`: source versions not applied, sorted as strings.
    public func pending(_ db: Database) throws -> [String] {
        try setup(db)
        let applied = Set(try String.fetchAll(db, sql: "SELECT version FROM __diesel_schema_migrations ORDER BY version DESC"))
        return sources.map(\.version).filter { !applied.contains($0) }.sorted()
    }

    /// `run_pending_migrations`: each `up.sql` then the version row, in one transaction unless `run_in_transaction = false`.
    public func run(_ db: Database, upTo limit: Int64? = nil, after: (String, Database) throws -> Void = { _, _ in }) throws {
        for version in try pending(db) where limit.map({ Int64(version)! <= $0 }) ?? true {
            let source = sources.first { $0.version == version }!
            let apply = {
                try db.execute(sql: source.up)
                try db.execute(sql: "INSERT INTO __diesel_schema_migrations (version) VALUES (?)", arguments: [version])
            }
            if source.runInTransaction { try db.inTransaction { try apply(); return .commit } } else { try apply() }
            try after(version, db)
        }
    }

    /// Lays a sqlx folder out as diesel folders: `<V>_<desc>/up.sql`, a `down.sql` that reverts nothing,
    /// and `metadata.toml` with `run_in_transaction = false` for sqlx's `-- no-transaction` files.
    public static func layOut(sqlxFolder: URL, into folder: URL) throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: sqlxFolder.path).sorted()
        where name.hasSuffix(".sql") && !name.hasSuffix(".down.sql") {
            let text = try Data(contentsOf: sqlxFolder.appendingPathComponent(name))
            let stem = name.hasSuffix(".up.sql") ? String(name.dropLast(7)) : String(name.dropLast(4))
            let directory = folder.appendingPathComponent(stem)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try text.write(to: directory.appendingPathComponent("up.sql"))
            try Data("SELECT 'not reversible';\n".utf8).write(to: directory.appendingPathComponent("down.sql"))
            if String(decoding: text, as: UTF8.self).hasPrefix("-- no-transaction") {
                try Data("run_in_transaction = false\n".utf8).write(to: directory.appendingPathComponent("metadata.toml"))
            }
        }
    }
}

/// The diesel fixtures: `Migrations/` laid out as diesel folders, and databases diesel migrated, then damaged.
public enum DieselFixtures {
    public static let folderName = "diesel"

    public struct Recipe: Sendable {
        public var name: String
        public var story: String
        var build: @Sendable (DieselEmulator, Database) throws -> Void
    }

    public static let recipes: [Recipe] = [
        Recipe(name: "healthy.sqlite", story: "diesel ran every migration") { tool, db in try migrate(tool, db, upTo: 34) },
        Recipe(name: "behind.sqlite", story: "a newer build ran 21–23, then an old __diesel_schema_migrations was restored") { tool, db in
            try migrate(tool, db, upTo: 23)
            try db.execute(sql: "DELETE FROM __diesel_schema_migrations WHERE version > '0020'")
        },
        Recipe(name: "no-ledger.sqlite", story: "__diesel_schema_migrations was dropped by hand; the schema is at 23") { tool, db in
            try migrate(tool, db, upTo: 23)
            try db.execute(sql: "DROP TABLE __diesel_schema_migrations")
        },
        Recipe(name: "failed-no-transaction.sqlite", story: "migration 26 (run_in_transaction = false) ran, then diesel died before its row") { tool, db in
            try migrate(tool, db, upTo: 25)
            try db.execute(sql: tool.sources.first { $0.version == "0026" }!.up)
        },
        Recipe(name: "ahead.sqlite", story: "a backup of the schema at 20 was restored under rows up to 23") { tool, db in
            try migrate(tool, db, upTo: 20)
            try db.execute(sql: "INSERT INTO __diesel_schema_migrations (version) VALUES ('0021'), ('0022'), ('0023')")
        },
    ]

    public static func generateAll(sqlxMigrations: URL, into folder: URL) throws {
        let root = folder.appendingPathComponent(folderName)
        let migrations = root.appendingPathComponent("migrations")
        try? FileManager.default.removeItem(at: migrations)
        try DieselEmulator.layOut(sqlxFolder: sqlxMigrations, into: migrations)
        let tool = try DieselEmulator(folder: migrations)
        for recipe in recipes {
            let path = root.appendingPathComponent(recipe.name).path
            for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            let queue = try DatabaseQueue(path: path)
            try queue.writeWithoutTransaction { db in
                try recipe.build(tool, db)
                if try db.tableExists("__diesel_schema_migrations") {
                    try db.execute(sql: "UPDATE __diesel_schema_migrations SET run_on = printf('2026-01-%02d 12:00:00', 1 + CAST(version AS INTEGER) % 28)")
                }
            }
            try queue.close()
        }
    }

    static func migrate(_ tool: DieselEmulator, _ db: Database, upTo version: Int64) throws {
        try tool.run(db, upTo: version) { applied, db in try FixtureFactory.seed(Int64(applied)!, db) }
    }
}
