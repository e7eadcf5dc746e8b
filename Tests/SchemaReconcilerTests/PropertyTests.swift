import Foundation
import GRDB
import MigrationSynthesis
import SQLxEmulation
import Testing
@testable import SchemaReconciler

/// An independent description of a schema: pragma output per table and crudely normalised SQL per
/// object, written without the engine's tokenizer or snapshot code.
func observableSchema(_ db: Database) throws -> [String] {
    var lines: [String] = []
    let objects = try Row.fetchAll(db, sql: """
        SELECT type, name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY lower(name)
        """)
    for object in objects {
        let type: String = object[0], name: String = object[1]
        if type == "table" {
            for row in try Row.fetchAll(db, sql: "SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo(?) ORDER BY cid", arguments: [name]) {
                lines.append("\(name.lowercased()) column \(row)".lowercased())
            }
            for index in try Row.fetchAll(db, sql: "SELECT name, \"unique\", origin, partial FROM pragma_index_list(?)", arguments: [name])
                where (index[2] as String) != "c" {
                let columns = try Row.fetchAll(db, sql: "SELECT name, \"desc\", coll FROM pragma_index_xinfo(?) WHERE key = 1",
                                               arguments: [index[0] as String])
                lines.append("\(name.lowercased()) constraint \(index[2] as String) \(columns)".lowercased())
            }
            for key in try Row.fetchAll(db, sql: "SELECT \"table\", \"from\", \"to\", on_update, on_delete FROM pragma_foreign_key_list(?)", arguments: [name]) {
                lines.append("\(name.lowercased()) fk \(key)".lowercased())
            }
        } else {
            let sql = ((object[2] as String?) ?? "").lowercased()
                .filter { !"\"[]`".contains($0) }
                .split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).joined(separator: " ")
            lines.append("\(type) \(name.lowercased()) \(sql)")
        }
    }
    return lines.sorted()
}

/// Property cases: a small count in CI; `SCHEMA_RECONCILE_PROPERTY_CASES=2000` for the long run.
/// A failing case prints its seed; `SCHEMA_RECONCILE_PROPERTY_SEED=N` replays only that one.
enum PropertySeeds {
    static var seeds: [UInt64] {
        let environment = ProcessInfo.processInfo.environment
        if let seed = environment["SCHEMA_RECONCILE_PROPERTY_SEED"].flatMap(UInt64.init) { return [seed] }
        let count = environment["SCHEMA_RECONCILE_PROPERTY_CASES"].flatMap(Int.init) ?? 30
        return (0..<UInt64(count)).map { 1_000 + $0 }
    }
}

@Suite("Property-based: random migration histories", .serialized)
struct PropertyTests {
    /// A history of 10–30 migrations for `seed`, written to `folder`, with its reconciler (replayed).
    func history(_ seed: UInt64, in folder: TemporaryFolder) throws -> (URL, Reconciler) {
        var generator = SeededGenerator(seed: seed)
        let count = Int.random(in: 10...30, using: &generator)
        let migrations = folder.url.appendingPathComponent("migrations")
        try SyntheticHistory(seed: seed, count: count).write(to: migrations)
        return (migrations, try Reconciler(migrationsFolder: migrations, useLock: false, loadManifest: false))
    }

    @Test("two versions share a fingerprint only when their schemas are observably equal")
    func fingerprintsSeparateSchemas() throws {
        var cases = 0, equalPairs = 0
        for seed in PropertySeeds.seeds {
            let folder = try TemporaryFolder()
            defer { folder.remove() }
            let (migrations, reconciler) = try history(seed, in: folder)
            let emulator = try SQLxEmulator(folder: migrations)
            var dumps: [[String]] = []
            var texts: [[String]] = []
            let queue = try DatabaseQueue()
            try queue.writeWithoutTransaction { db in
                dumps.append(try observableSchema(db))
                texts.append([])
                for source in emulator.sources {
                    try db.inTransaction {
                        try db.execute(sql: source.sql)
                        return .commit
                    }
                    dumps.append(try observableSchema(db))
                    texts.append(try String.fetchAll(db, sql: "SELECT sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY name"))
                }
            }
            let fingerprints = reconciler.timeline.steps.map(\.fingerprint)
            #expect(fingerprints.count == dumps.count, "seed \(seed)")
            for i in fingerprints.indices {
                for j in fingerprints.indices where j > i {
                    if fingerprints[i] == fingerprints[j] {
                        equalPairs += 1
                        #expect(dumps[i] == dumps[j], "seed \(seed): F(\(i)) == F(\(j)) but the schemas differ")
                    } else if j == i + 1 {
                        #expect(dumps[i] != dumps[j] || texts[i] != texts[j], "seed \(seed): F changed at \(j) with no schema change")
                    }
                }
            }
            cases += 1
        }
        print("property fingerprints: \(cases) histories, \(equalPairs) equal-fingerprint pairs checked")
    }

    @Test("a database at version k with ledger rows stripped is diagnosed at k and repaired so sqlx starts; user rows untouched")
    func strippedLedgerIsRepaired() throws {
        var cases = 0, repaired = 0, refused = 0
        for seed in PropertySeeds.seeds {
            var generator = SeededGenerator(seed: seed &* 31)
            let folder = try TemporaryFolder()
            defer { folder.remove() }
            let (migrations, reconciler) = try history(seed, in: folder)
            let emulator = try SQLxEmulator(folder: migrations)
            let versions = emulator.sources.map(\.version)
            let k = versions.randomElement(using: &generator)!
            let stripped = versions.filter { $0 <= k && Bool.random(using: &generator) }
            let path = folder.path("app.sqlite")
            let queue = try DatabaseQueue(path: path)
            try queue.writeWithoutTransaction { db in
                try emulator.run(db, upTo: k)
                for version in stripped { try db.execute(sql: "DELETE FROM _sqlx_migrations WHERE version = ?", arguments: [version]) }
            }
            try queue.close()
            let dataBefore = try userData(path)

            let diagnosis = reconciler.diagnose(databaseAt: path)
            let kIndex = try #require(reconciler.timeline.index(of: k))
            let kFingerprint = reconciler.timeline.steps[kIndex].fingerprint
            #expect(diagnosis.schemaFingerprint == kFingerprint, "seed \(seed): schema at \(k) not fingerprinted as F(\(k))")
            if let range = diagnosis.matchedVersions {
                let lo = reconciler.timeline.index(of: range.lowest)!, hi = reconciler.timeline.index(of: range.highest)!
                #expect((lo...hi).contains(kIndex), "seed \(seed): k=\(k) outside matched \(range)")
            }
            let outcome = reconciler.repair(databaseAt: path, options: RepairOptions(backup: .none))
            #expect(try userData(path) == dataBefore, "seed \(seed): user rows changed")
            if outcome.status == .refused {
                // Only a genuinely ambiguous schema may be refused: the same fingerprint at separate versions.
                #expect(diagnosis.findings.contains { $0.kind == .ambiguousMatch }, "seed \(seed): refused: \(outcome.message)")
                refused += 1
            } else {
                #expect(outcome.exitCode == .ok, "seed \(seed): \(outcome.message)")
                let check = try sqlxCheck(path, migrations: migrations)
                guard case .ok = check else {
                    Issue.record("seed \(seed): sqlx refuses after repair: \(check)")
                    continue
                }
                repaired += 1
            }
            cases += 1
        }
        print("property repair: \(cases) histories, \(repaired) repaired, \(refused) refused as ambiguous")
    }
}

/// sqlx's start-up check on `path` against an arbitrary migrations folder.
func sqlxCheck(_ path: String, migrations: URL) throws -> SQLxEmulator.CheckResult {
    let emulator = try SQLxEmulator(folder: migrations)
    let queue = try SQLxEmulator.open(path)
    defer { try? queue.close() }
    return try queue.read { db in try emulator.startupCheck(db) }
}
