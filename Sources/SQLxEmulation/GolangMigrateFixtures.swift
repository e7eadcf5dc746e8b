import Foundation
import GRDB

/// The golang-migrate fixtures: `Migrations/` laid out as golang-migrate files, and databases that
/// golang-migrate (``GolangMigrateEmulator``) migrated and then damaged as the field does.
public enum GolangMigrateFixtures {
    /// The folder under `Fixtures/` that holds them.
    public static let folderName = "golang-migrate"

    /// One database and how it came to be.
    public struct Recipe: Sendable {
        public var name: String
        public var story: String
        var build: @Sendable (GolangMigrateEmulator, Database) throws -> Void
    }

    public static let recipes: [Recipe] = [
        Recipe(name: "healthy.sqlite", story: "golang-migrate applied every migration; (34, clean)") { tool, db in
            try migrate(tool, db, upTo: 34)
        },
        Recipe(name: "behind.sqlite", story: "a newer build ran 21–23, then `force 20` from an old runbook") { tool, db in
            try migrate(tool, db, upTo: 23)
            try tool.force(db, 20)
        },
        Recipe(name: "no-ledger.sqlite", story: "schema_migrations was dropped by hand; the schema is at 23") { tool, db in
            try migrate(tool, db, upTo: 23)
            try db.execute(sql: "DROP TABLE schema_migrations")
        },
        Recipe(name: "dirty-applied.sqlite", story: "migration 25 committed, then the process died before SetVersion(25, false)") { tool, db in
            try migrate(tool, db, upTo: 24)
            try tool.failStep(db, 25, bodyRan: true)
        },
        Recipe(name: "dirty-not-applied.sqlite", story: "migration 25 failed and rolled back; the row says (25, dirty)") { tool, db in
            try migrate(tool, db, upTo: 24)
            try tool.failStep(db, 25, bodyRan: false)
        },
        Recipe(name: "ahead.sqlite", story: "a backup of the schema at 20 was restored under a ledger saying 23") { tool, db in
            try migrate(tool, db, upTo: 20)
            try tool.force(db, 23)
        },
    ]

    /// Lays out `sqlxMigrations` under `folder/golang-migrate/migrations` and writes every database beside it.
    public static func generateAll(sqlxMigrations: URL, into folder: URL) throws {
        let root = folder.appendingPathComponent(folderName)
        let migrations = root.appendingPathComponent("migrations")
        try? FileManager.default.removeItem(at: migrations)
        try GolangMigrateEmulator.layOut(sqlxFolder: sqlxMigrations, into: migrations)
        // Migration 26 has its own BEGIN/COMMIT around a PRAGMA foreign_keys: golang-migrate needs x-no-tx-wrap=true.
        let tool = try GolangMigrateEmulator(folder: migrations, noTxWrap: true)
        for recipe in recipes {
            let path = root.appendingPathComponent(recipe.name).path
            for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            let queue = try DatabaseQueue(path: path)
            try queue.writeWithoutTransaction { db in try recipe.build(tool, db) }
            try queue.close()
        }
    }

    static func migrate(_ tool: GolangMigrateEmulator, _ db: Database, upTo version: UInt64) throws {
        let result = try tool.up(db, upTo: version) { applied, db in try FixtureFactory.seed(Int64(applied), db) }
        guard case .ok = result else { throw FixtureError(message: "golang-migrate refused while building a fixture: \(result)") }
    }
}
