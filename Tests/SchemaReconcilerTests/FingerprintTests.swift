import Foundation
import GRDB
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

    @Test("the timeline starts from the empty schema of a new in-memory database")
    func startsEmpty() {
        #expect(timeline.steps[0].fingerprint == SchemaSnapshot.empty.hash)
        #expect(timeline.steps[0].effect.isEmpty)
    }
}
