import Foundation
import GRDB

/// How the migrations of a set run when they are code rather than SQL text: one call per
/// migration, in the set's order, on the private replay database.
struct MigrationReplay: Sendable {
    /// Runs `migration` (and nothing after it) on `queue`, which holds every earlier migration.
    let run: @Sendable (_ migration: Migration, _ queue: DatabaseQueue) throws -> Void
}

/// GRDB's `DatabaseMigrator` seen as a migration set.
///
/// Each registered migration becomes a ``Migration`` whose version is its 1-based registration
/// ordinal and whose description is its identifier. GRDB records identifiers and nothing else, so
/// a migration's checksum is derived from its identifier: a `grdb_migrations` row names exactly one
/// registered migration, or none (an identifier of a newer app, or one a merged migration replaced).
///
/// Replay runs `migrator.migrate(queue, upTo: identifier)` one identifier at a time into a private
/// in-memory database, so each step is what GRDB itself does on an empty database. GRDB cannot run
/// one registered migration out of order, so hypotheses other than a prefix of the registration
/// order (the ledger-order exploration of sqlx sets) are not tried for GRDB sets.
enum GRDBMigrations {
    /// The checksum standing for an identifier: GRDB has none, so the identifier is the row's identity.
    static func checksum(of identifier: String) -> Digest {
        Digest.sha384(of: Array("grdb_migrations identifier\u{0}\(identifier)".utf8))
    }

    /// Where a migrator's set says it came from in reports (there is no folder).
    static let origin = URL(string: "grdb:DatabaseMigrator")!

    /// The registered migrations of `migrator` as a set, with a replay that runs GRDB's own code.
    static func set(from migrator: DatabaseMigrator) throws(MigrationSetError) -> MigrationSet {
        let identifiers = migrator.migrations
        guard !identifiers.isEmpty else { throw .noMigrations(path: "DatabaseMigrator") }
        let migrations = identifiers.enumerated().map { index, identifier in
            Migration(version: MigrationVersion(Int64(index + 1)), identifier: identifier)
        }
        var set = try MigrationSet(folder: origin, migrations: migrations)
        // The private database is always new: erasing on schema change would only cost a second replay.
        var plain = migrator
        plain.eraseDatabaseOnSchemaChange = false
        let replaying = plain
        set.replay = MigrationReplay { migration, queue in
            try replaying.migrate(queue, upTo: migration.description)
        }
        return set
    }
}

extension Migration {
    /// A registered GRDB migration: version = registration ordinal, description = identifier.
    init(version: MigrationVersion, identifier: String) {
        self.init(version: version, description: identifier, kind: .simple, fileName: identifier, url: GRDBMigrations.origin,
                  sql: "", checksum: GRDBMigrations.checksum(of: identifier), noTransaction: false)
    }
}

/// Which identifiers recorded in a database are ones a registered migration merged
/// (`registerMigration(_:merging:)`): GRDB deletes their rows itself once the merging migration is
/// applied, so they are neither unknown nor a newer app's.
///
/// GRDB keeps merged identifiers private; the index asks GRDB: a fully migrated private database
/// gets the candidate rows, the migrator runs once more (it runs nothing, only deletes merged
/// rows), and whatever it deleted was merged.
final class GRDBMergeIndex: @unchecked Sendable {
    private let migrator: DatabaseMigrator
    private let lock = NSLock()
    private var migrated: DatabaseQueue?
    private var known: [String: Bool] = [:]

    init(migrator: DatabaseMigrator) {
        var plain = migrator
        plain.eraseDatabaseOnSchemaChange = false
        self.migrator = plain
    }

    /// The candidates that some registered migration merges; a replay failure leaves them unknown.
    func merged(among candidates: Set<String>) -> Set<String> {
        lock.lock()
        defer { lock.unlock() }
        let asked = candidates.filter { known[$0] == nil }
        if !asked.isEmpty {
            let deleted = (try? ask(about: asked)) ?? []
            for identifier in asked { known[identifier] = deleted.contains(identifier) }
        }
        return candidates.filter { known[$0] == true }
    }

    private func ask(about candidates: Set<String>) throws -> Set<String> {
        let queue: DatabaseQueue
        if let migrated {
            queue = migrated
        } else {
            queue = try HardenedDatabase.openInMemory()
            try migrator.migrate(queue)
            migrated = queue
        }
        try queue.write { db in
            for identifier in candidates {
                try db.execute(sql: "INSERT OR IGNORE INTO grdb_migrations (identifier) VALUES (?)", arguments: [identifier])
            }
        }
        try migrator.migrate(queue)
        return try queue.write { db in
            let remaining = try String.fetchSet(db, sql: "SELECT identifier FROM grdb_migrations")
            for identifier in candidates where remaining.contains(identifier) {
                try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = ?", arguments: [identifier])
            }
            return candidates.subtracting(remaining)
        }
    }
}
