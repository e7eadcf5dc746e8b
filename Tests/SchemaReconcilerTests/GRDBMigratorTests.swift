import Foundation
import GRDB
import Testing
@testable import SchemaReconciler

/// A notes app's migrator, as an app registers it: tables, a join table, a data-only seed, an added
/// column and an index.
enum NotesMigrator {
    static let identifiers = ["v1-create-note", "v2-create-tag", "v3-create-note-tag", "v4-seed-tags",
                              "v5-note-created-at", "v6-index-note-title"]

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        registerNote(&migrator)
        migrator.registerMigration("v2-create-tag") { db in try createTag(db) }
        migrator.registerMigration("v3-create-note-tag") { db in try createNoteTag(db) }
        registerTail(&migrator)
        return migrator
    }

    /// The same history after a release merged v2 and v3 into one migration.
    static var merged: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        registerNote(&migrator)
        migrator.registerMigration("v2-tags", merging: ["v2-create-tag", "v3-create-note-tag"]) { db, applied in
            if !applied.contains("v2-create-tag") { try createTag(db) }
            if !applied.contains("v3-create-note-tag") { try createNoteTag(db) }
        }
        registerTail(&migrator)
        return migrator
    }

    private static func registerNote(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v1-create-note") { db in
            try db.create(table: "note") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("title", .text).notNull()
                t.column("body", .text)
            }
        }
    }

    private static func createTag(_ db: Database) throws {
        try db.create(table: "tag") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("name", .text).notNull().unique()
        }
    }

    private static func createNoteTag(_ db: Database) throws {
        try db.create(table: "noteTag") { t in
            t.belongsTo("note", onDelete: .cascade).notNull()
            t.belongsTo("tag", onDelete: .cascade).notNull()
            t.primaryKey(["noteId", "tagId"])
        }
    }

    private static func registerTail(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v4-seed-tags") { db in
            try db.execute(sql: "INSERT INTO tag (name) VALUES ('inbox'), ('archive')")
        }
        migrator.registerMigration("v5-note-created-at") { db in
            try db.alter(table: "note") { t in t.add(column: "createdAt", .datetime) }
        }
        migrator.registerMigration("v6-index-note-title") { db in
            try db.create(index: "note_on_title", on: "note", columns: ["title"])
        }
    }

    /// A database migrated by `migrator` (up to `target`), with user rows, then damaged by `damage`.
    static func database(in folder: TemporaryFolder, migrator: DatabaseMigrator = migrator, upTo target: String? = nil,
                         damage: (Database) throws -> Void = { _ in }) throws -> String {
        let path = folder.path("notes.sqlite")
        let queue = try DatabaseQueue(path: path)
        if let target { try migrator.migrate(queue, upTo: target) } else { try migrator.migrate(queue) }
        try queue.write { db in
            try db.execute(sql: "INSERT INTO note (title, body) VALUES ('groceries', 'milk'), ('ideas', NULL)")
            try damage(db)
        }
        try queue.close()
        return path
    }

    /// What GRDB itself reads: applied identifiers, and whether migrating to the end works.
    static func identifiers(at path: String) throws -> Set<String> {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in try migrator.appliedIdentifiers(db) }
    }

    static func userRows(at path: String) throws -> [String] {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in try String.fetchAll(db, sql: "SELECT title FROM note ORDER BY id") }
    }
}

@Suite("GRDB's DatabaseMigrator: replayed one identifier at a time, diagnosed against grdb_migrations")
struct GRDBMigratorTests {
    static let reconciler: Reconciler = {
        do { return try Reconciler(migrator: NotesMigrator.migrator) } catch { fatalError("notes migrator: \(error)") }
    }()

    @Test("each registered migration is a version by registration ordinal, identified by its identifier; the data-only seed is schema-silent")
    func replay() throws {
        let reconciler = Self.reconciler
        #expect(reconciler.migrations.applying.map(\.description) == NotesMigrator.identifiers)
        #expect(reconciler.migrations.applying.map(\.version) == [1, 2, 3, 4, 5, 6])
        let steps = reconciler.timeline.steps
        #expect(steps.count == 7)
        #expect(steps[4].isSchemaSilent, "v4-seed-tags only inserts rows")
        #expect(!steps[5].isSchemaSilent)
        #expect(Set(steps.map(\.fingerprint)).count == 6, "six distinct schemas: empty, v1, v2, v3 (= v4), v5, v6")
        // grdb_migrations and every grdb_* table stay out of the snapshot, as GRDB excludes them.
        let names = reconciler.timeline.everCreated.map(\.name) + reconciler.timeline.knownObjects.map(\.name)
        #expect(names.contains("note"))
        #expect(!names.contains { $0.hasPrefix("grdb_") })
    }

    @Test("the fingerprint of a database GRDB migrated equals the replay's, whatever GRDB writes to grdb_migrations")
    func fingerprintMatchesGRDB() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try NotesMigrator.database(in: folder, upTo: "v5-note-created-at")
        let diagnosis = Self.reconciler.diagnose(databaseAt: path)
        #expect(diagnosis.verdict == .consistent)
        #expect(diagnosis.matchedVersions == VersionRange(lowest: 5, highest: 5))
        #expect(diagnosis.history.pending == [6])
        #expect(diagnosis.exitCode == .ok)
    }

    @Test("a healthy database is ready, on the quick path: no history replayed, nothing written")
    func healthy() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try NotesMigrator.database(in: folder)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let reconciler = try Reconciler(migrator: NotesMigrator.migrator)
        let result = reconciler.launch(databaseAt: path, options: .init(dryRun: false, backup: .besideDatabase, busyTimeout: 1,
                                                                        plan: PlanOptions()))
        guard case .ready(let diagnosis) = result.outcome else { Issue.record("expected ready, got \(result.outcome)"); return }
        #expect(result.decidedQuickly)
        #expect(reconciler.replayer.replayCount == 0)
        #expect(diagnosis.verdict == .consistent)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["notes.sqlite"])
    }

    @Test("behind: identifiers the schema proves applied are inserted as GRDB inserts them, and GRDB then migrates without re-running them")
    func behind() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try NotesMigrator.database(in: folder) { db in
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier IN ('v5-note-created-at', 'v6-index-note-title')")
        }
        let outcome = try Self.reconciler.prepareForLaunch(databaseAt: path, backup: .at(folder.path("backup.sqlite")))
        guard case .repaired(let report) = outcome else { Issue.record("expected repaired, got \(outcome)"); return }
        #expect(report.status == .repaired)
        #expect(report.before.verdict == .behind)
        #expect(report.after?.verdict == .consistent)
        #expect(report.backupPath == folder.path("backup.sqlite"))
        #expect(try NotesMigrator.identifiers(at: path) == Set(NotesMigrator.identifiers))
        // The backup holds the damaged ledger, verified.
        #expect(try NotesMigrator.identifiers(at: folder.path("backup.sqlite")).count == 4)
        let queue = try DatabaseQueue(path: path)
        try NotesMigrator.migrator.migrate(queue) // would fail with "duplicate column name: createdAt" before the repair
        try queue.close()
        #expect(try NotesMigrator.userRows(at: path) == ["groceries", "ideas"])
    }

    @Test("behind, before the repair: GRDB itself fails on the database (the drift is real)")
    func behindFailsInGRDB() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try NotesMigrator.database(in: folder) { db in
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v5-note-created-at'")
        }
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        #expect(throws: DatabaseError.self) { try NotesMigrator.migrator.migrate(queue) }
    }

    @Test("no ledger: grdb_migrations is created with GRDB's DDL; the schema-silent seed stays unrecorded unless a flag proves it")
    func noLedger() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try NotesMigrator.database(in: folder) { db in try db.execute(sql: "DROP TABLE grdb_migrations") }
        let outcome = try Self.reconciler.prepareForLaunch(databaseAt: path, backup: .none)
        guard case .repaired(let report) = outcome else { Issue.record("expected repaired, got \(outcome)"); return }
        #expect(report.before.verdict == .noLedger)
        #expect(try NotesMigrator.identifiers(at: path) == Set(NotesMigrator.identifiers).subtracting(["v4-seed-tags"]))
        let queue = try DatabaseQueue(path: path)
        let sql = try queue.read { db in
            try String.fetchOne(db, sql: "SELECT sql FROM sqlite_schema WHERE name = 'grdb_migrations'")
        }
        try queue.close()
        #expect(sql == "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")

        // The person says the seed ran: --assume-version by identifier.
        let second = try TemporaryFolder()
        defer { second.remove() }
        let again = try NotesMigrator.database(in: second) { db in try db.execute(sql: "DROP TABLE grdb_migrations") }
        let assumed = try Self.reconciler.prepareForLaunch(databaseAt: again, backup: .none, assumeMigration: "v6-index-note-title")
        guard case .repaired = assumed else { Issue.record("expected repaired, got \(assumed)"); return }
        #expect(try NotesMigrator.identifiers(at: again) == Set(NotesMigrator.identifiers))
        #expect(throws: LaunchOptionError.self) {
            _ = try Self.reconciler.prepareForLaunch(databaseAt: again, assumeMigration: "v9-not-registered")
        }
    }

    @Test("unknown identifiers (a newer app: GRDB's hasBeenSuperseded) are kept and reported; dropUnknown deletes them")
    func unknownIdentifiers() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try NotesMigrator.database(in: folder) { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v7-from-a-newer-app')")
        }
        let outcome = try Self.reconciler.prepareForLaunch(databaseAt: path)
        guard case .needsAttention(let diagnosis) = outcome else { Issue.record("expected needsAttention, got \(outcome)"); return }
        #expect(diagnosis.verdict == .unknownVersions)
        #expect(diagnosis.ledger.unknownVersions == [7])
        #expect(diagnosis.versionNames[7] == "v7-from-a-newer-app")
        #expect(diagnosis.summary.contains("v7-from-a-newer-app"))
        #expect(try NotesMigrator.identifiers(at: path).contains("v7-from-a-newer-app"))

        let dropped = try Self.reconciler.prepareForLaunch(databaseAt: path, backup: .none, dropUnknown: true)
        guard case .repaired = dropped else { Issue.record("expected repaired, got \(dropped)"); return }
        #expect(try NotesMigrator.identifiers(at: path) == Set(NotesMigrator.identifiers))
    }

    @Test("recorded but not proven: reported (GRDB would skip the migration), deleted only with dropUnproven, then GRDB applies it")
    func recordedButNotProven() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try NotesMigrator.database(in: folder, upTo: "v4-seed-tags") { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v5-note-created-at')")
        }
        let outcome = try Self.reconciler.prepareForLaunch(databaseAt: path)
        guard case .needsAttention(let diagnosis) = outcome else { Issue.record("expected needsAttention, got \(outcome)"); return }
        #expect(diagnosis.verdict == .ahead)
        #expect(diagnosis.plan.blockers.contains { $0.flag == "--drop-unproven" })
        #expect(diagnosis.summary.contains("\"v5-note-created-at\"") && diagnosis.summary.contains("dropUnproven"))
        #expect(try NotesMigrator.identifiers(at: path).contains("v5-note-created-at"))

        let dropped = try Self.reconciler.prepareForLaunch(databaseAt: path, backup: .none, dropUnproven: true)
        guard case .repaired(let report) = dropped else { Issue.record("expected repaired, got \(dropped)"); return }
        #expect(report.status == .repaired)
        #expect(try !NotesMigrator.identifiers(at: path).contains("v5-note-created-at"))
        let queue = try DatabaseQueue(path: path)
        try NotesMigrator.migrator.migrate(queue)
        let columns = try queue.read { db in try db.columns(in: "note").map(\.name) }
        try queue.close()
        #expect(columns.contains("createdAt"))
    }

    @Test("merged migrations: rows of the merged identifiers are GRDB's business, the merging identifier is recorded when the schema proves it")
    func mergedMigrations() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        // Migrated by the release before the merge: rows v1…v6 under the old identifiers.
        let path = try NotesMigrator.database(in: folder)
        let reconciler = try Reconciler(migrator: NotesMigrator.merged)
        #expect(reconciler.migrations.applying.map(\.description)
                == ["v1-create-note", "v2-tags", "v4-seed-tags", "v5-note-created-at", "v6-index-note-title"])
        let diagnosis = reconciler.diagnose(databaseAt: path)
        #expect(diagnosis.ledger.unknownVersions.isEmpty, "merged identifiers are not a newer app's")
        #expect(diagnosis.verdict == .behind, "v2-tags is proven by the schema but not recorded")
        #expect(diagnosis.findings.contains { $0.kind == .ledgerCheck && $0.message.contains("\"v2-create-tag\" was merged") })
        #expect(diagnosis.plan.actions.filter(\.writes).map(\.description) == ["v2-tags"], "only the merging identifier is written")

        let outcome = try reconciler.prepareForLaunch(databaseAt: path, backup: .none)
        guard case .repaired(let report) = outcome else { Issue.record("expected repaired, got \(outcome)"); return }
        #expect(report.after?.exitCode == .ok)
        let queue = try DatabaseQueue(path: path)
        try NotesMigrator.merged.migrate(queue) // deletes the merged rows, runs nothing
        let applied = try queue.read { db in try NotesMigrator.merged.appliedIdentifiers(db) }
        let tags = try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM tag") }
        try queue.close()
        #expect(applied == Set(NotesMigrator.merged.migrations))
        #expect(tags == 2, "the seed ran once")
    }

    @Test("a fresh replay of the merged migrator runs the merging migration whole")
    func mergedFresh() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try NotesMigrator.database(in: folder, migrator: NotesMigrator.merged)
        let reconciler = try Reconciler(migrator: NotesMigrator.merged)
        let diagnosis = reconciler.diagnose(databaseAt: path)
        #expect(diagnosis.verdict == .consistent)
        #expect(diagnosis.schemaFingerprint == Self.reconciler.timeline.tip.fingerprint,
                "merging v2 and v3 leaves the schema the two left")
    }

    @Test("an unregistered migrator is an unusable migration set")
    func emptyMigrator() {
        #expect(throws: MigrationSetError.self) { _ = try Reconciler(migrator: DatabaseMigrator()) }
    }
}
