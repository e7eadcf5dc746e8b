import Foundation
import GRDB

/// The goose fixtures: `Migrations/` laid out as annotated goose files, and databases goose
/// (``GooseEmulator``) migrated and then damaged as the field does. `tstamp` is pinned.
public enum GooseFixtures {
    /// The folder under `Fixtures/` that holds them.
    public static let folderName = "goose"

    /// One database and how it came to be.
    public struct Recipe: Sendable {
        public var name: String
        public var story: String
        var build: @Sendable (GooseEmulator, Database) throws -> Void
    }

    public static let recipes: [Recipe] = [
        Recipe(name: "healthy.sqlite", story: "goose applied every migration") { tool, db in
            try migrate(tool, db, upTo: 34)
        },
        Recipe(name: "behind.sqlite", story: "a newer build ran 21–23, then an old backup of goose_db_version was restored") { tool, db in
            try migrate(tool, db, upTo: 23)
            try db.execute(sql: "DELETE FROM goose_db_version WHERE version_id > 20")
        },
        Recipe(name: "no-ledger.sqlite", story: "goose_db_version was dropped by hand; the schema is at 23") { tool, db in
            try migrate(tool, db, upTo: 23)
            try db.execute(sql: "DROP TABLE goose_db_version")
        },
        Recipe(name: "failed-no-transaction.sqlite",
               story: "migration 26 (NO TRANSACTION) ran to its end, then the process died before InsertVersion") { tool, db in
            try migrate(tool, db, upTo: 25)
            for statement in tool.sources.first(where: { $0.version == 26 })!.up { try db.execute(sql: statement) }
        },
        Recipe(name: "ahead.sqlite", story: "a backup of the schema at 20 was restored under a ledger with rows up to 23") { tool, db in
            try migrate(tool, db, upTo: 20)
            for version in 21...23 {
                try db.execute(sql: "INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, 1)", arguments: [version])
            }
        },
    ]

    /// Lays out `sqlxMigrations` under `folder/goose/migrations` and writes every database beside it.
    public static func generateAll(sqlxMigrations: URL, into folder: URL) throws {
        let root = folder.appendingPathComponent(folderName)
        let migrations = root.appendingPathComponent("migrations")
        try? FileManager.default.removeItem(at: migrations)
        try GooseEmulator.layOut(sqlxFolder: sqlxMigrations, into: migrations)
        let tool = try GooseEmulator(folder: migrations)
        for recipe in recipes {
            let path = root.appendingPathComponent(recipe.name).path
            for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            let queue = try DatabaseQueue(path: path)
            try queue.writeWithoutTransaction { db in
                try recipe.build(tool, db)
                if try db.tableExists("goose_db_version") {
                    try db.execute(sql: "UPDATE goose_db_version SET tstamp = printf('2026-01-%02d 12:00:00', 1 + version_id % 28)")
                }
            }
            try queue.close()
        }
    }

    static func migrate(_ tool: GooseEmulator, _ db: Database, upTo version: Int64) throws {
        let result = try tool.up(db, upTo: version) { applied, db in try FixtureFactory.seed(applied, db) }
        guard case .ok = result else { throw FixtureError(message: "goose refused while building a fixture: \(result)") }
    }
}
