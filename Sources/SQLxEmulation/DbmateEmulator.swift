import Foundation
import GRDB

/// An independent re-implementation of dbmate's `migrate` on SQLite, written from amacneil/dbmate
/// v2.35.0 (`pkg/dbmate/db.go` `Migrate` / `FindMigrations`, `pkg/dbmate/migration.go`,
/// `pkg/driver/sqlite/sqlite.go`). It shares no code with the SchemaReconciler engine.
public struct DbmateEmulator: Sendable {
    public struct Source: Sendable {
        public var fileName: String
        public var version: String
        public var up: String
        public var transaction: Bool
    }

    public let sources: [Source]

    /// `FindMigrations`: files matching `^(\d+).*\.sql$`, sorted by file name; version = the digits' text.
    public init(folder: URL) throws {
        let pattern = try NSRegularExpression(pattern: #"^(\d+).*\.sql$"#)
        let up = try NSRegularExpression(pattern: #"(?m)^--\s*migrate:up(\s*$|\s+\S+)"#)
        let down = try NSRegularExpression(pattern: #"(?m)^--\s*migrate:down(\s*$|\s+\S+)"#)
        var sources: [Source] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            let ns = name as NSString
            guard let match = pattern.firstMatch(in: name, range: NSRange(location: 0, length: ns.length)) else { continue }
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8) as NSString
            guard let upMatch = up.firstMatch(in: text as String, range: NSRange(location: 0, length: text.length)),
                  let downMatch = down.firstMatch(in: text as String, range: NSRange(location: 0, length: text.length)),
                  upMatch.range.location < downMatch.range.location else {
                throw FixtureError(message: "\(name): no '-- migrate:up' before a '-- migrate:down'")
            }
            let block = text.substring(with: NSRange(location: upMatch.range.location, length: downMatch.range.location - upMatch.range.location))
            let firstLine = block.components(separatedBy: "\n")[0]
            sources.append(Source(fileName: name, version: ns.substring(with: match.range(at: 1)), up: block,
                                  transaction: !firstLine.contains("transaction:false")))
        }
        self.sources = sources.sorted { $0.fileName < $1.fileName }
    }

    /// `CreateMigrationsTable`.
    public func ensureTable(_ db: Database) throws {
        try db.execute(sql: #"create table if not exists "schema_migrations" (version varchar(128) primary key)"#)
    }

    /// `SelectMigrations`: the applied version texts.
    public func applied(_ db: Database) throws -> Set<String> {
        try ensureTable(db)
        return Set(try String.fetchAll(db, sql: #"select version from "schema_migrations" order by version desc"#))
    }

    /// The files `migrate` would apply, in its order (dbmate has no start-up refusal outside --strict).
    public func pending(_ db: Database) throws -> [String] {
        let done = try applied(db)
        return sources.filter { !done.contains($0.version) }.map(\.version)
    }

    /// `migrate`: each pending file's up block, then `InsertMigration`, in one transaction unless `transaction:false`.
    public func migrate(_ db: Database, upTo limit: Int64? = nil, after: (String, Database) throws -> Void = { _, _ in }) throws {
        let todo = try pending(db)
        for source in sources where todo.contains(source.version) && (limit.map { Int64(source.version)! <= $0 } ?? true) {
            let run = {
                try db.execute(sql: source.up)
                try db.execute(sql: #"insert into "schema_migrations" (version) values (?)"#, arguments: [source.version])
            }
            if source.transaction {
                try db.inTransaction { try run(); return .commit }
            } else {
                try run()
            }
            try after(source.version, db)
        }
    }

    /// Lays a sqlx folder out as dbmate files: `-- migrate:up` (with `transaction:false` for sqlx's
    /// `-- no-transaction`), the body, and a `-- migrate:down` that reverts nothing.
    public static func layOut(sqlxFolder: URL, into folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: sqlxFolder.path).sorted()
        where name.hasSuffix(".sql") && !name.hasSuffix(".down.sql") {
            let text = try String(contentsOf: sqlxFolder.appendingPathComponent(name), encoding: .utf8)
            let target = name.hasSuffix(".up.sql") ? String(name.dropLast(7)) + ".sql" : name
            let directive = text.hasPrefix("-- no-transaction") ? "-- migrate:up transaction:false\n" : "-- migrate:up\n"
            let dbmate = directive + text + (text.hasSuffix("\n") ? "" : "\n") + "\n-- migrate:down\nSELECT 'not reversible';\n"
            try Data(dbmate.utf8).write(to: folder.appendingPathComponent(target))
        }
    }
}

/// The dbmate fixtures: `Migrations/` laid out as dbmate files, and databases dbmate migrated, then damaged.
public enum DbmateFixtures {
    public static let folderName = "dbmate"

    public struct Recipe: Sendable {
        public var name: String
        public var story: String
        var build: @Sendable (DbmateEmulator, Database) throws -> Void
    }

    public static let recipes: [Recipe] = [
        Recipe(name: "healthy.sqlite", story: "dbmate applied every migration") { tool, db in try migrate(tool, db, upTo: 34) },
        Recipe(name: "behind.sqlite", story: "a newer build ran 21–23, then an old schema_migrations was restored") { tool, db in
            try migrate(tool, db, upTo: 23)
            try db.execute(sql: #"delete from "schema_migrations" where version > '0020'"#)
        },
        Recipe(name: "no-ledger.sqlite", story: "schema_migrations was dropped by hand; the schema is at 23") { tool, db in
            try migrate(tool, db, upTo: 23)
            try db.execute(sql: #"drop table "schema_migrations""#)
        },
        Recipe(name: "failed-no-transaction.sqlite", story: "migration 26 (transaction:false) ran, then dbmate died before InsertMigration") { tool, db in
            try migrate(tool, db, upTo: 25)
            try db.execute(sql: tool.sources.first { $0.version == "0026" }!.up)
        },
        Recipe(name: "ahead.sqlite", story: "a backup of the schema at 20 was restored under rows up to 23") { tool, db in
            try migrate(tool, db, upTo: 20)
            try db.execute(sql: #"insert into "schema_migrations" (version) values ('0021'), ('0022'), ('0023')"#)
        },
    ]

    public static func generateAll(sqlxMigrations: URL, into folder: URL) throws {
        let root = folder.appendingPathComponent(folderName)
        let migrations = root.appendingPathComponent("migrations")
        try? FileManager.default.removeItem(at: migrations)
        try DbmateEmulator.layOut(sqlxFolder: sqlxMigrations, into: migrations)
        let tool = try DbmateEmulator(folder: migrations)
        for recipe in recipes {
            let path = root.appendingPathComponent(recipe.name).path
            for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            let queue = try DatabaseQueue(path: path)
            try queue.writeWithoutTransaction { db in try recipe.build(tool, db) }
            try queue.close()
        }
    }

    static func migrate(_ tool: DbmateEmulator, _ db: Database, upTo version: Int64) throws {
        try tool.migrate(db, upTo: version) { applied, db in try FixtureFactory.seed(Int64(applied)!, db) }
    }
}
