import Crypto
import Foundation
import GRDB

/// Builds the committed `Fixtures/` databases from `Migrations/`, one per drift state, reproducibly.
///
/// Every fixture is made the way it happens in the field: sqlx applies migrations (through
/// ``SQLxEmulator``) with user rows added along the way, then the ledger or schema is damaged the way
/// a crash, an older build or a hand edit damages it. Timestamps are pinned so that regenerating gives
/// the same content.
public struct FixtureFactory: Sendable {
    /// One fixture: a file name and the story of how it came to be.
    public struct Recipe: Sendable {
        public var name: String
        public var story: String
        var build: @Sendable (FixtureFactory, Database) throws -> Void
        var walMode = false
    }

    public let emulator: SQLxEmulator
    /// The app's second migration set (its logs database), beside the main one.
    public let logsEmulator: SQLxEmulator

    public init(migrationsFolder: URL) throws {
        emulator = try SQLxEmulator(folder: migrationsFolder)
        logsEmulator = try SQLxEmulator(folder: migrationsFolder.deletingLastPathComponent()
            .appendingPathComponent("LogsMigrations"))
    }

    /// Writes every fixture into `folder`, replacing existing files of the same names.
    public func generateAll(into folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for recipe in Self.recipes {
            try generate(recipe, into: folder)
        }
    }

    /// Writes one fixture.
    public func generate(_ recipe: Recipe, into folder: URL) throws {
        let path = folder.appendingPathComponent(recipe.name).path
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        for suffix in ["", "-wal", "-shm", "-journal"] {
            try? FileManager.default.removeItem(atPath: path + suffix)
        }
        if recipe.name.hasSuffix(".txt") || recipe.name == Self.notADatabase {
            try Data("this is not a database, just text that ends in .sqlite\n".utf8).write(to: URL(fileURLWithPath: path))
            return
        }
        let queue = try SQLxEmulator.open(path)
        if recipe.walMode {
            try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
        }
        try queue.writeWithoutTransaction { db in
            try recipe.build(self, db)
            try pinTimestamps(db)
        }
        try queue.close()
    }

    // MARK: - Building blocks

    /// Applies migrations up to `version` with sqlx, adding user rows along the way.
    func migrate(_ db: Database, upTo version: Int64) throws {
        let result = try emulator.run(db, upTo: version) { applied, db in try Self.seed(applied, db) }
        guard case .ok = result else { throw FixtureError(message: "sqlx refused while building fixture: \(result)") }
    }

    /// Applies the logs database's migrations up to `version` with sqlx.
    func migrateLogs(_ db: Database, upTo version: Int64) throws {
        let result = try logsEmulator.run(db, upTo: version) { applied, db in
            if applied == 1 {
                try db.execute(sql: "INSERT INTO log_entries (ts, level, target, message) VALUES (100, 'info', 'app', 'started')")
            }
        }
        guard case .ok = result else { throw FixtureError(message: "sqlx refused while building fixture: \(result)") }
    }

    /// Deletes ledger rows above `version`, as an older build's restore or a crash leaves them.
    func truncateLedger(_ db: Database, after version: Int64) throws {
        try db.execute(sql: "DELETE FROM _sqlx_migrations WHERE version > ?", arguments: [version])
    }

    /// Pins installed_on and execution_time so regenerated fixtures have identical ledgers.
    func pinTimestamps(_ db: Database) throws {
        let exists = try Bool.fetchOne(db, sql: "SELECT count(*) > 0 FROM sqlite_master WHERE name = '_sqlx_migrations'") ?? false
        guard exists else { return }
        let columns = try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info('_sqlx_migrations')")
        if columns.contains("installed_on") {
            try db.execute(sql: "UPDATE _sqlx_migrations SET installed_on = printf('2026-01-%02d 12:00:00', 1 + version % 28)")
        }
        if columns.contains("execution_time") {
            try db.execute(sql: "UPDATE _sqlx_migrations SET execution_time = 1000000 + version * 1000")
        }
    }

    /// The SHA-384 of `text`, as sqlx records it.
    static func checksum(_ text: String) -> Data { Data(SHA384.hash(data: Array(text.utf8))) }

    func source(_ version: Int64) throws -> SQLxEmulator.Source {
        guard let source = emulator.sources.first(where: { $0.version == version && !$0.isDown }) else {
            throw FixtureError(message: "no bundled migration \(version)")
        }
        return source
    }

    /// User rows, added right after the version that makes them possible.
    static func seed(_ version: Int64, _ db: Database) throws {
        switch version {
        case 1:
            try db.execute(sql: """
                INSERT INTO threads (id, rollout_path, created_at, updated_at, title, archived, model, cwd) VALUES
                  ('t1', '/home/ana/.agent/rollouts/a.jsonl', 100, 200, 'Fix login bug', 0, 'gpt-5', '/home/ana/app'),
                  ('t2', '/home/ana/.agent/rollouts/b.jsonl', 110, 120, 'Refactor parser', 1, 'gpt-5', '/home/ana/lib'),
                  ('t3', '/home/ana/.agent/rollouts/c.jsonl', 300, 300, NULL, 0, NULL, '')
                """)
        case 2:
            try db.execute(sql: """
                INSERT INTO thread_events (thread_id, seq, kind, payload, created_at) VALUES
                  ('t1', 0, 'user_message', '{"text":"login fails"}', 101),
                  ('t1', 1, 'agent_message', '{"text":"looking"}', 102),
                  ('t2', 0, 'user_message', '{"text":"split it"}', 111)
                """)
        case 4:
            try db.execute(sql: """
                INSERT INTO log_spans (id, parent_id, name, started_at, ended_at) VALUES (1, NULL, 'boot', 100, 101);
                INSERT INTO logs (ts, level, target, message, thread_id, span_id) VALUES
                  (100, 'info', 'app', 'started', NULL, 1), (101, 'warn', 'net', 'slow', 't1', 1)
                """)
        case 5:
            try db.execute(sql: """
                INSERT INTO settings (key, value, updated_at) VALUES ('theme', 'dark', 100), ('thread_name:t2', 'Parser work', 100)
                """)
        case 10:
            try db.execute(sql: """
                INSERT INTO memories (scope, project_root, thread_id, body, created_at, updated_at) VALUES
                  ('global', NULL, NULL, 'prefers tabs', 100, 100),
                  ('project', '/home/ana/app', NULL, 'uses make', 100, 100)
                """)
        case 21:
            try db.execute(sql: "INSERT INTO thread_names (thread_id, name, set_at) VALUES ('t1', 'Login', 150)")
        default:
            break
        }
    }

    /// Name of the fixture that is not a database at all.
    public static let notADatabase = "unreadable-not-a-database.sqlite"
}

/// A fixture could not be built as described.
public struct FixtureError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
