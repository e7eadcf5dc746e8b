import Foundation
import GRDB
import MigrationSynthesis
import Testing
@testable import SchemaReconciler

@Suite("Per-version fingerprints of the bundled migrations")
struct FingerprintTests {
    let timeline = Repo.reconciler.timeline

    @Test("exactly the data-only and net-zero migrations are schema-silent")
    func silentVersions() {
        let silent = timeline.steps.filter(\.isSchemaSilent).map(\.version)
        #expect(silent == [12, 17, 33, 34])
        #expect(timeline.steps.count == 35)
    }

    @Test("every other version has an effect, and the field-case versions have the expected ones")
    func effects() throws {
        for step in timeline.steps.dropFirst() where !step.isSchemaSilent {
            #expect(!step.effect.isEmpty, "version \(step.version)")
        }
        let step21 = try #require(timeline.steps.first { $0.version == 21 })
        #expect(step21.effect.added.map(\.key.description) == ["table thread_names"])
        let step22 = try #require(timeline.steps.first { $0.version == 22 })
        #expect(step22.effect.changed.map(\.key.description) == ["table threads"])
        #expect(step22.effect.changed.first?.facetChanges.contains { $0.label == "column reasoning_effort" && $0.before == nil } == true)
        let step23 = try #require(timeline.steps.first { $0.version == 23 })
        #expect(Set(step23.effect.removed.map(\.key.description)).isSuperset(of: ["table logs", "table log_spans"]))
    }

    @Test("no object of the bundled schema falls back to text comparison")
    func structuralEverywhere() {
        timeline.forEachSchema { index, objects in
            for object in objects.values {
                #expect(object.notes.isEmpty, "version \(timeline.steps[index].version): \(object.key) \(object.notes)")
            }
        }
    }

    @Test("incremental replay equals a full snapshot of a fresh replay at every version")
    func incrementalEqualsFull() throws {
        let queue = try DatabaseQueue()
        try queue.writeWithoutTransaction { db in
            for step in timeline.steps {
                if let migration = step.migration { try ReplayCursor.run(migration, in: db) }
                var fresh = SchemaIntrospector(options: Repo.reconciler.snapshotOptions)
                #expect(try fresh.snapshot(of: db).hash == step.fingerprint, "version \(step.version)")
            }
        }
    }

    /// Replays `set` with a cursor and checks, after every step, that what the incremental path kept
    /// (fingerprint, effect, live snapshot) equals a full `sqlite_schema` snapshot of the same database.
    func expectIncrementalEqualsFull(_ set: MigrationSet, freshEvery: Int = 50, _ label: String) throws {
        let options = SnapshotOptions(trackedPragmas: Fingerprinter.headerPragmas(setBy: set))
        var cursor = try ReplayCursor(options: options)
        var full = SchemaIntrospector(options: options)
        var previous = try cursor.queue.read { db in try full.snapshot(of: db) }
        #expect(cursor.fingerprint == previous.hash && cursor.snapshot == previous, "\(label): start")
        for (index, migration) in set.applying.enumerated() {
            try cursor.apply(migration)
            let step = try #require(cursor.steps.last)
            let snapshot = try cursor.queue.read { db in try full.snapshot(of: db) }
            #expect(step.fingerprint == snapshot.hash, "\(label): version \(migration.version)")
            #expect(cursor.fingerprint == snapshot.hash, "\(label): version \(migration.version)")
            #expect(step.effect == SchemaDiff(from: previous, to: snapshot), "\(label): version \(migration.version)")
            #expect(cursor.snapshot == snapshot, "\(label): version \(migration.version)")
            if index % freshEvery == 0 {
                // Against an introspector with no cache at all, too.
                var fresh = SchemaIntrospector(options: options)
                #expect(try cursor.queue.read { db in try fresh.snapshot(of: db) }.hash == step.fingerprint,
                        "\(label): version \(migration.version), fresh")
            }
            previous = snapshot
        }
    }

    @Test("a generated history of 300 migrations gets a full snapshot's fingerprint and effect at every step",
          .tags(.slow))
    func incrementalEqualsFullOnGeneratedHistory() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let history = SyntheticHistory(seed: 42, count: 300)
        try history.write(to: folder.url)
        // The history must exercise what the incremental path could get wrong (virtual tables: the next test).
        let sql = history.migrations.map(\.sql).joined(separator: "\n").uppercased()
        for statement in ["ADD COLUMN", "RENAME TO", "RENAME COLUMN", "DROP COLUMN", "DROP TABLE", "DROP VIEW", "DROP TRIGGER",
                          "CREATE TRIGGER", "CREATE VIEW", "CREATE UNIQUE INDEX", "GENERATED ALWAYS", "INSERT INTO"] {
            #expect(sql.contains(statement), "the generated history has no \(statement)")
        }
        try expectIncrementalEqualsFull(try MigrationSet.load(from: folder.url), "generated")
    }

    @Test("a report's replay keeps identities only, and reports what a full reconciler reports",
          .tags(.slow))
    func reportReplayEqualsFull() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try SyntheticHistory(seed: 7, count: 200).write(to: folder.url)
        // A rename rewrites the index's text at its length (`"t2"` → `"t3"`): only the text tells.
        let renames = try TemporaryFolder()
        defer { renames.remove() }
        try renames.write("1_a.sql", "CREATE TABLE t1(a); CREATE INDEX i ON t1(a);")
        try renames.write("2_b.sql", "ALTER TABLE t1 RENAME TO t2;")
        try renames.write("3_c.sql", "ALTER TABLE t2 RENAME TO t3;")
        let renamed = try MigrationSet.load(from: renames.url)
        #expect(try Reconciler(migrations: renamed, useLock: false).timeline.steps[3].effect.changed.map(\.key)
                    .contains(ObjectKey(kind: .index, name: "i")))
        for set in [Repo.reconciler.migrations, try MigrationSet.load(from: folder.url), renamed] {
            let full = try Reconciler(migrations: set, useLock: false)
            let light = try Reconciler(migrations: set, ledger: SQLxLedger(), ignored: [], useLock: false, loadManifest: true,
                                       replayProgress: nil, keepsStructure: false)
            // The same fingerprints and the same objects changed, by identity and hash, at every step ...
            #expect(light.timeline.steps.map(\.fingerprint) == full.timeline.steps.map(\.fingerprint))
            #expect(light.timeline.steps.map(\.effect) == full.timeline.steps.map(\.effect.stubbed))
            // ... without any object's structure, and without the stored texts a lock would record.
            #expect(light.timeline.steps.allSatisfy { step in
                (step.effect.added + step.effect.removed + step.effect.changedObjects).allSatisfy(\.facets.isEmpty)
            })
            #expect(light.timeline.knownObjects.isEmpty && !full.timeline.knownObjects.isEmpty)
            #expect(full.timeline.steps.contains { !$0.effect.changed.isEmpty }, "the set changes some object")
            let report = try FingerprintReport(migrations: set, useLock: false)
            #expect(report == FingerprintReport(reconciler: full))
            #expect(report.entries.count == set.applying.count)
        }
    }

    @Test("the report's JSON, written one migration at a time, is the encoder's whole document byte for byte")
    func streamedJSON() throws {
        var report = FingerprintReport(reconciler: Repo.reconciler)
        // Strings the encoder escapes or lays out: quotes, backslashes, a newline, a slash, a NUL, non-ASCII,
        // and a description that spells the key whose array is streamed.
        report.entries[0].description = "q\"b\\n\nslash/ nul\u{0} é \"migrations\" : []"
        report.entries[1].added = []
        report.settings = [ResolvedSettings.Setting(name: "migrations", value: "a\nb", source: "flag")]
        var pieces: [String] = []
        report.writeJSON { pieces.append($0) }
        #expect(pieces.joined() == ReportJSON.encode(FingerprintReport.Document(report)))
        #expect(pieces.count == report.entries.count + 2, "one piece per migration, and the document around them")
        #expect(report.json() == pieces.joined())
        var empty = report
        empty.entries = []
        #expect(empty.json() == ReportJSON.encode(FingerprintReport.Document(empty)))
        #expect(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) is [String: Any])
    }

    @Test("a report of a set that fails to replay throws the replay's error")
    func reportReplayFailure() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("1_a.sql", "CREATE TABLE a(x);")
        try folder.write("2_b.sql", "ALTER TABLE missing ADD COLUMN y;")
        #expect(throws: ReplayError.self) { try FingerprintReport(migrations: try MigrationSet.load(from: folder.url), useLock: false) }
    }

    @Test("virtual tables, shadow tables, swapped names and header pragmas replay incrementally as a full snapshot reads them")
    func incrementalEqualsFullOnEdgeCases() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("1_fts.sql", "CREATE VIRTUAL TABLE docs USING fts5(title, body); CREATE TABLE a(x INTEGER PRIMARY KEY, y);")
        try folder.write("2_swap.sql", """
            CREATE TABLE b(z TEXT); ALTER TABLE a RENAME TO tmp; ALTER TABLE b RENAME TO a; ALTER TABLE tmp RENAME TO b;
            """)
        try folder.write("3_rtree.sql", "CREATE VIRTUAL TABLE boxes USING rtree(id, x0, x1); PRAGMA user_version = 3;")
        try folder.write("4_drop.sql", "DROP TABLE docs; CREATE VIEW v AS SELECT * FROM a; CREATE TRIGGER t AFTER INSERT ON b BEGIN SELECT 1; END;")
        try folder.write("5_rebuild.sql", """
            CREATE TABLE b_new(x INTEGER PRIMARY KEY, y, w DEFAULT 0); INSERT INTO b_new(x, y) SELECT x, y FROM b;
            DROP TABLE b; ALTER TABLE b_new RENAME TO b; CREATE INDEX bi ON b(w);
            """)
        try folder.write("6_data.sql", "INSERT INTO a(z) VALUES ('only data');")
        try folder.write("7_net_zero.sql", "CREATE TABLE scratch(q); DROP TABLE scratch; PRAGMA user_version = 3;")
        try folder.write("8_rename_column.sql", "ALTER TABLE b RENAME COLUMN y TO yy; DROP VIEW v; DROP TABLE boxes;")
        try expectIncrementalEqualsFull(try MigrationSet.load(from: folder.url), freshEvery: 1, "edge cases")
    }

    @Test("incremental replay re-reads only changed objects")
    func incrementalWork() throws {
        var introspector = SchemaIntrospector()
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE a(x); CREATE TABLE b(y); CREATE INDEX bi ON b(y)")
            _ = try introspector.snapshot(of: db)
            #expect(introspector.introspectedObjectCount == 3)
            try db.execute(sql: "ALTER TABLE a ADD COLUMN z")
            _ = try introspector.snapshot(of: db)
            #expect(introspector.introspectedObjectCount == 4)
        }
    }

    @Test("a migration that fails to replay names version, file and SQLite's message")
    func replayFailure() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("1_a.sql", "CREATE TABLE a(x);")
        try folder.write("2_b.sql", "ALTER TABLE missing ADD COLUMN y;")
        let set = try MigrationSet.load(from: folder.url)
        do {
            _ = try Fingerprinter().fingerprint(set)
            Issue.record("expected a replay error")
        } catch let error as ReplayError {
            #expect(error.version == 2)
            #expect(error.description == "\(folder.path("2_b.sql")): version 2 failed to replay: no such table: missing (SQLite \(sqliteVersion))")
        }
    }

    @Test("the replay database cannot ATTACH files")
    func noAttach() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("1_a.sql", "ATTACH DATABASE '\(folder.path("other.db"))' AS other;")
        let set = try MigrationSet.load(from: folder.url)
        #expect(throws: ReplayError.self) { try Fingerprinter().fingerprint(set) }
        #expect(!FileManager.default.fileExists(atPath: folder.path("other.db")))
    }

    @Test("user_version counts only when a migration sets it")
    func headerPragmas() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("1_a.sql", "CREATE TABLE a(x);")
        try folder.write("2_b.sql", "PRAGMA user_version = 2;")
        let timeline = try Fingerprinter().fingerprint(try MigrationSet.load(from: folder.url))
        #expect(timeline.trackedPragmas == ["user_version"])
        #expect(!timeline.steps[2].isSchemaSilent)
        #expect(timeline.steps[2].effect.changed.first?.key == ObjectKey(kind: .pragma, name: "user_version"))
        let untracked = try Fingerprinter().fingerprint(try MigrationSet.load(from: Repo.migrations))
        #expect(untracked.trackedPragmas.isEmpty)
    }

    @Test("replay runs in 512-byte pages, copies keep them, and the fingerprints match 4 KB pages (incrementalEqualsFull)")
    func replayPageSize() throws {
        var cursor = try ReplayCursor(options: Repo.reconciler.snapshotOptions)
        for migration in Repo.reconciler.migrations.applying.prefix(5) { try cursor.apply(migration) }
        let copy = try cursor.copy()
        for (label, queue) in [("cursor", cursor.queue), ("copy", copy.queue)] {
            // A deserialised database reports its header's page size once its schema has been read.
            let (objects, pageSize) = try queue.read { db in
                (try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_schema"), try Int.fetchOne(db, sql: "PRAGMA page_size"))
            }
            #expect(objects ?? 0 > 0 && pageSize == 512, "\(label)")
        }
        #expect(copy.fingerprint == timeline.steps[5].fingerprint)
        // GRDB's own in-memory database, which incrementalEqualsFull replays into, keeps SQLite's default.
        #expect(try DatabaseQueue().read { db in try Int.fetchOne(db, sql: "PRAGMA page_size") } == 4096)
    }

    @Test("SQL replays run without GRDB's statement authorizer, copies too; a replay of code keeps it and only it runs code")
    func replayAuthorizer() throws {
        // GRDB learns a statement's region from its authorizer: with none installed, the region is empty.
        func region(_ queue: DatabaseQueue) throws -> DatabaseRegion {
            try queue.read { db in try db.makeStatement(sql: "SELECT id FROM threads").databaseRegion }
        }
        let first = Repo.reconciler.migrations.applying[0]
        var sql = try ReplayCursor(options: Repo.reconciler.snapshotOptions)
        try sql.apply(first)
        #expect(try region(sql.queue).isEmpty)
        #expect(try region(sql.copy().queue).isEmpty)
        var code = try ReplayCursor(options: Repo.reconciler.snapshotOptions, runsCode: true)
        try code.apply(first)
        #expect(try !region(code.queue).isEmpty)
        #expect(try !region(code.copy().queue).isEmpty)
        // The same schema either way.
        #expect(sql.fingerprint == code.fingerprint && sql.fingerprint == timeline.steps[1].fingerprint)

        let notes = try GRDBMigrations.set(from: NotesMigrator.migrator)
        var refused = try ReplayCursor(options: SnapshotOptions())
        #expect(throws: ReplayError.self) { try refused.apply(notes.applying[0], replay: notes.replay) }
        var runs = try ReplayCursor(options: SnapshotOptions(), runsCode: true)
        try runs.apply(notes.applying[0], replay: notes.replay)
        #expect(runs.snapshot.objects[ObjectKey(kind: .table, name: "note")] != nil)
    }

    @Test("the timeline starts from the empty schema of a new in-memory database")
    func startsEmpty() {
        #expect(timeline.steps[0].fingerprint == SchemaSnapshot.empty.hash)
        #expect(timeline.steps[0].effect.isEmpty)
    }
}
