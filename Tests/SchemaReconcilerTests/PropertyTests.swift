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
            let kIndex = try #require(reconciler.timeline.index(of: MigrationVersion(k)))
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

/// Histories the ledger records faithfully but not as a prefix: out-of-order merges and renumbered files.
@Suite("Property-based: out-of-order merges and renumbered files", .serialized)
struct HistoryPropertyTests {
    /// Applies `versions` in order with the emulator, skipping any that cannot run without a skipped
    /// one (as a branch that never had it could not have run it), and dates the run `day`.
    func apply(_ versions: [Int64], emulator: SQLxEmulator, to db: Database, day: Int) throws -> [Int64] {
        var ran: [Int64] = []
        for version in versions {
            guard let source = emulator.sources.first(where: { $0.version == version && !$0.isDown }) else { continue }
            do {
                try emulator.apply(source, to: db)
                ran.append(version)
            } catch {
                continue
            }
        }
        let day = String(format: "2026-01-%02d 12:00:00", day)
        for version in ran {
            try db.execute(sql: "UPDATE _sqlx_migrations SET installed_on = ? WHERE version = ?", arguments: [day, version])
        }
        return ran
    }

    @Test("a random subset applied in order, then some skipped versions later: consistent, the right pending set, repair writes nothing")
    func outOfOrderMerges() throws {
        var cases = 0, withGaps = 0
        for seed in PropertySeeds.seeds {
            var generator = SeededGenerator(seed: seed &* 77)
            let folder = try TemporaryFolder()
            defer { folder.remove() }
            let (migrations, reconciler) = try PropertyTests().history(seed, in: folder)
            let emulator = try SQLxEmulator(folder: migrations)
            let versions = emulator.sources.filter { !$0.isDown }.map(\.version)
            let first = versions.filter { _ in Int.random(in: 0..<10, using: &generator) < 7 }
            let skipped = versions.filter { !first.contains($0) }
            let later = skipped.filter { _ in Bool.random(using: &generator) }
            let path = folder.path("app.sqlite")
            let queue = try DatabaseQueue(path: path)
            var ran: [Int64] = []
            try queue.writeWithoutTransaction { db in
                try emulator.ensureTable(db)
                ran = try apply(first, emulator: emulator, to: db, day: 1)
                ran += try apply(later, emulator: emulator, to: db, day: 2)
            }
            try queue.close()
            let pending = versions.filter { !ran.contains($0) }
            if pending.contains(where: { $0 < (ran.max() ?? 0) }) { withGaps += 1 }
            let dataBefore = try userData(path)

            let diagnosis = reconciler.diagnose(databaseAt: path)
            #expect(diagnosis.verdict == .consistent, "seed \(seed): \(diagnosis.verdict) \(diagnosis.findings.map(\.message))")
            #expect(diagnosis.exitCode == .ok, "seed \(seed)")
            #expect(diagnosis.history.pending == pending.map { MigrationVersion($0) }, "seed \(seed): ran \(ran)")
            #expect(!diagnosis.plan.writes, "seed \(seed): \(diagnosis.plan.actions.map(\.kind))")
            let outcome = reconciler.repair(databaseAt: path, options: RepairOptions(backup: .none))
            #expect(outcome.status == .nothingToDo, "seed \(seed): \(outcome.message)")
            #expect(try userData(path) == dataBefore, "seed \(seed): user rows changed")
            #expect(try sqlxCheck(path, migrations: migrations) == .ok(pending: pending), "seed \(seed)")
            cases += 1
        }
        print("property out-of-order: \(cases) histories, \(withGaps) with out-of-order gaps")
    }

    @Test("applied files renumbered or swapped: rows moved, sqlx accepts the ledger, every file that never ran is still pending")
    func renumberedFiles() throws {
        var cases = 0, skipped = 0, moved = 0
        for seed in PropertySeeds.seeds {
            var generator = SeededGenerator(seed: seed &* 131)
            let folder = try TemporaryFolder()
            defer { folder.remove() }
            let (migrations, _) = try PropertyTests().history(seed, in: folder)
            let emulator = try SQLxEmulator(folder: migrations)
            let versions = emulator.sources.filter { !$0.isDown }.map(\.version)
            let k = versions[Int.random(in: (versions.count / 2)..<versions.count, using: &generator)]
            let path = folder.path("app.sqlite")
            let queue = try DatabaseQueue(path: path)
            try queue.writeWithoutTransaction { db in _ = try emulator.run(db, upTo: k) }
            try queue.close()
            let ranTexts = Set(emulator.sources.filter { !$0.isDown && $0.version <= k }.map(\.sql))

            // A later release swaps two files, one of them applied, or renumbers an applied one to the end.
            let names = try FileManager.default.contentsOfDirectory(atPath: migrations.path).filter { $0.hasSuffix(".sql") }.sorted()
            let applied = names.filter { Int64($0.prefix(6))! <= k }
            let a = applied.randomElement(using: &generator)!
            if Bool.random(using: &generator) {
                let b = names.filter { $0 != a }.randomElement(using: &generator)!
                let textA = try String(contentsOf: migrations.appendingPathComponent(a), encoding: .utf8)
                let textB = try String(contentsOf: migrations.appendingPathComponent(b), encoding: .utf8)
                try Data(textB.utf8).write(to: migrations.appendingPathComponent(a))
                try Data(textA.utf8).write(to: migrations.appendingPathComponent(b))
            } else {
                let renamed = String(format: "%06d", versions.count + 1) + "_" + a.dropFirst(7)
                try FileManager.default.moveItem(at: migrations.appendingPathComponent(a), to: migrations.appendingPathComponent(renamed))
            }
            let reconciler = try Reconciler(migrationsFolder: migrations, useLock: false, loadManifest: false)
            // A release whose own order no longer replays cannot ship; such a shuffle says nothing here.
            if reconciler.timeline.replayFailure != nil {
                skipped += 1
                continue
            }
            let release = try SQLxEmulator(folder: migrations)
            let neverRan = release.sources.filter { !$0.isDown && !ranTexts.contains($0.sql) }.map(\.version)
            let dataBefore = try userData(path)

            let diagnosis = reconciler.diagnose(databaseAt: path)
            if !diagnosis.ledger.moved.isEmpty { moved += 1 }
            let outcome = reconciler.repair(databaseAt: path, options: RepairOptions(backup: .none))
            #expect(outcome.exitCode == .ok, "seed \(seed): \(outcome.message) \(diagnosis.findings.map(\.message)) after: \(outcome.after?.findings.map(\.message) ?? [])")
            #expect(try userData(path) == dataBefore, "seed \(seed): user rows changed")
            #expect(try sqlxCheck(path, migrations: migrations) == .ok(pending: neverRan),
                    "seed \(seed): \(diagnosis.findings.map(\.message))")
            cases += 1
        }
        print("property renumbered: \(cases) histories, \(moved) with moved rows, \(skipped) shuffles that do not replay")
    }
}
