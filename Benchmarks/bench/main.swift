import Foundation
import GRDB
import SchemaReconciler

// In-process benchmarks, each reported as a ratio against a floor measured in the same process:
//   bench healthy MIGRATIONS DB [RUNS]      library healthy check vs a minimal GRDB read of schema + ledger
//   bench fingerprint MIGRATIONS [RUNS]     all per-version fingerprints vs GRDB's hasSchemaChanges (one answer)
//   bench rss MIGRATIONS                    fingerprint once, print peak resident memory (VmHWM)
//   bench launch MIGRATIONS DB [RUNS]       prepareForLaunch on a healthy database (folder, and the same SQL as a
//                                           GRDB DatabaseMigrator) vs a bare GRDB read of schema + ledger
//   bench reads MIGRATIONS DB...            for each database, one diagnosis: bytes it read (rchar in
//                                           /proc/self/io) and history replays it ran
//   bench profile WHAT MIGRATIONS DB [RUNS] one step in a tight loop, untimed, for callgrind: WHAT is floor
//                                           (the GRDB read), quick (quickCheck), launch (prepareForLaunch),
//                                           load (the launch cache's load of the folder) or diagnose (set preloaded)

/// Minimum and median of repeated timings, in seconds.
struct Timing {
    var samples: [Double]
    var min: Double { samples.min() ?? 0 }
    var median: Double {
        let sorted = samples.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }
    var text: String { String(format: "min %.3f ms, median %.3f ms", min * 1000, median * 1000) }
}

/// The floor of a healthy check: open read-only, read `sqlite_schema` and the ledger, close.
func floorRead(_ path: String,
               ledgerQuery: String = "SELECT version, checksum, success FROM _sqlx_migrations ORDER BY version") throws {
    var configuration = Configuration()
    configuration.readonly = true
    let queue = try DatabaseQueue(path: path, configuration: configuration)
    _ = try queue.read { db in
        (try Row.fetchAll(db, sql: "SELECT type, name, tbl_name, sql FROM sqlite_schema"),
         try Row.fetchAll(db, sql: ledgerQuery))
    }
    try queue.close()
}

func measure(runs: Int, _ body: () throws -> Void) rethrows -> Timing {
    try body() // warm-up: caches, lazy initialisation
    var samples: [Double] = []
    for _ in 0..<runs { samples.append(try seconds(body)) }
    return Timing(samples: samples)
}

/// How long one call of `body` took, in seconds.
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Times `floor` and `body` alternately, one sample of each per round, so both see the same machine:
/// a floor of 0.25 ms measured in a block of its own read 0.26 or 0.46 ms from one run to the next,
/// and a ratio against it swung with it.
func measurePaired(runs: Int, floor: () throws -> Void, _ body: () throws -> Void) rethrows -> (floor: Timing, body: Timing) {
    try floor()
    try body() // warm-up for both
    var floorSamples: [Double] = [], bodySamples: [Double] = []
    for _ in 0..<runs {
        floorSamples.append(try seconds(floor))
        bodySamples.append(try seconds(body))
    }
    return (Timing(samples: floorSamples), Timing(samples: bodySamples))
}

func peakRSSKilobytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
    }
    return -1
}

/// The set's SQL registered in a GRDB migrator, one migration per version. GRDB runs each in its own
/// transaction: a `-- no-transaction` file's own BEGIN/COMMIT and foreign-key pragmas are left out,
/// and GRDB's deferred foreign-key checks do their job.
func grdbMigrator(for set: MigrationSet) -> DatabaseMigrator {
    var migrator = DatabaseMigrator()
    for migration in set.applying {
        var sql = migration.sql
        if migration.noTransaction {
            sql = sql.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
                let statement = line.trimmingCharacters(in: .whitespaces).uppercased()
                return !["BEGIN;", "COMMIT;", "PRAGMA FOREIGN_KEYS = OFF;", "PRAGMA FOREIGN_KEYS = ON;"].contains(statement)
            }.joined(separator: "\n")
        }
        let body = sql
        migrator.registerMigration("\(migration.version)-\(migration.description)",
                                   foreignKeyChecks: migration.noTransaction ? .deferred : .immediate) { db in
            try db.execute(sql: body)
        }
    }
    return migrator
}

/// Runs `body` with the launch cache turned off (`SCHEMA_RECONCILE_CACHE=off`), then restores the setting.
func withoutLaunchCache<T>(_ body: () throws -> T) rethrows -> T {
    let previous = getenv("SCHEMA_RECONCILE_CACHE").map { String(cString: $0) }
    setenv("SCHEMA_RECONCILE_CACHE", "off", 1)
    defer {
        if let previous { setenv("SCHEMA_RECONCILE_CACHE", previous, 1) } else { unsetenv("SCHEMA_RECONCILE_CACHE") }
    }
    return try body()
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else {
    print("usage: bench healthy MIGRATIONS DB [RUNS] | bench fingerprint MIGRATIONS [RUNS] | bench rss MIGRATIONS | bench launch MIGRATIONS DB [RUNS] | bench profile WHAT MIGRATIONS DB [RUNS]")
    exit(64)
}

do {
    switch command {
    case "healthy":
        let migrations = URL(fileURLWithPath: arguments[1])
        let path = arguments[2]
        let runs = arguments.count > 3 ? Int(arguments[3])! : 200
        // The pre-launch call an app makes: load the set (checksums), the lock's quick index, and check;
        // its floor is what any healthy check must do at least: open, read sqlite_schema and the ledger, close.
        var verdict = ""
        // First without the launch cache (every file read and hashed, the lock's JSON decoded), as on
        // the first launch after an install; then with it, as on every launch after.
        let cold = try withoutLaunchCache {
            try measure(runs: runs) {
                let check = try Reconciler.quickCheck(databaseAt: path, migrationsFolder: migrations)
                precondition(check.decidedQuickly, "the quick index did not decide: \(check.diagnosis.verdict)")
            }
        }
        let (floor, library) = try measurePaired(runs: runs, floor: { try floorRead(path) }) {
            let check = try Reconciler.quickCheck(databaseAt: path, migrationsFolder: migrations)
            precondition(check.decidedQuickly, "the quick index did not decide: \(check.diagnosis.verdict)")
            verdict = check.diagnosis.verdict.rawValue
        }
        // The first launch after the schema or the ledger changed: the launch record is warm but the
        // verdict memo knows no such state, so the quick index is decoded, the engine runs and the verdict
        // is remembered. Removing the memo file (one unlink, in the timed part) stands for the change.
        let cacheDirectory = getenv("SCHEMA_RECONCILE_CACHE_DIR").map { String(cString: $0) }
        let memoFiles = (cacheDirectory.flatMap { try? FileManager.default.contentsOfDirectory(atPath: $0) } ?? [])
            .filter { $0.hasSuffix(".verdicts") }.map { cacheDirectory! + "/" + $0 }
        precondition(!memoFiles.isEmpty, "no verdict memo in $SCHEMA_RECONCILE_CACHE_DIR after a healthy check")
        let missed = try measure(runs: runs) {
            for file in memoFiles { unlink(file) }
            let check = try Reconciler.quickCheck(databaseAt: path, migrationsFolder: migrations)
            precondition(check.decidedQuickly, "the quick index did not decide: \(check.diagnosis.verdict)")
        }
        let full = try measure(runs: runs) {
            _ = try Reconciler(migrationsFolder: migrations).diagnose(databaseAt: path)
        }
        let reconciler = try Reconciler(migrationsFolder: migrations)
        let diagnoseOnly = measure(runs: runs) { _ = reconciler.diagnose(databaseAt: path) }
        print("healthy check (\(verdict), \(reconciler.fingerprintSource))")
        print("  floor (GRDB read of sqlite_schema + ledger): \(floor.text)")
        print("  library quick check (load set + lock index): \(library.text)  ratio \(String(format: "%.2f", library.median / floor.median))×")
        print("  library cold check (no launch cache):        \(cold.text)  ratio \(String(format: "%.2f", cold.median / floor.median))×")
        print("  library check, verdict memo missed:          \(missed.text)  ratio \(String(format: "%.2f", missed.median / floor.median))×")
        print("  library full diagnose (set, manifest, lock): \(full.text)  ratio \(String(format: "%.2f", full.median / floor.median))×")
        print("  library diagnose only (set preloaded):       \(diagnoseOnly.text)  ratio \(String(format: "%.2f", diagnoseOnly.median / floor.median))×")
    case "fingerprint":
        let migrations = URL(fileURLWithPath: arguments[1])
        let runs = arguments.count > 2 ? Int(arguments[2])! : 3
        let set = try MigrationSet.load(from: migrations)
        let migrator = grdbMigrator(for: set)
        let migrated = try DatabaseQueue()
        try migrator.migrate(migrated)
        var changed = true
        let grdb = try measure(runs: runs) { changed = try migrated.read { db in try migrator.hasSchemaChanges(db) } }
        let ours = try measure(runs: runs) { _ = try Fingerprinter().fingerprint(set) }
        print("fingerprint \(set.applying.count) migrations")
        print("  GRDB hasSchemaChanges (one yes/no = \(changed)): \(grdb.text)")
        print("  schema-reconcile, every per-version fingerprint: \(ours.text)  ratio \(String(format: "%.2f", ours.median / grdb.median))×")
    case "breakdown":
        // Where the healthy check's time goes, step by step.
        let migrations = URL(fileURLWithPath: arguments[1])
        let runs = arguments.count > 2 ? Int(arguments[2])! : 100
        let load = try measure(runs: runs) { _ = try MigrationSet.load(from: migrations) }
        let manifest = try measure(runs: runs) { _ = try Manifest.load(from: migrations.appendingPathComponent(Manifest.fileName)) }
        let lock = try measure(runs: runs) { _ = try FingerprintLock.read(from: migrations.appendingPathComponent(FingerprintLock.fileName)) }
        print("load set: \(load.text)\nmanifest: \(manifest.text)\nlock: \(lock.text)")
    case "launch":
        let migrations = URL(fileURLWithPath: arguments[1])
        let path = arguments[2]
        let runs = arguments.count > 3 ? Int(arguments[3])! : 100
        func bareRead(_ path: String, ledger: String) throws { try floorRead(path, ledgerQuery: "SELECT * FROM \(ledger)") }
        func expectReady(_ outcome: LaunchOutcome) {
            guard case .ready = outcome else { fatalError("not ready: \(outcome.diagnosis.summary)") }
        }
        let (floor, folder) = try measurePaired(runs: runs, floor: { try bareRead(path, ledger: "_sqlx_migrations") }) {
            expectReady(try Reconciler.prepareForLaunch(databaseAt: path, migrationsFolder: migrations))
        }
        let folderCold = try withoutLaunchCache {
            try measure(runs: runs) { expectReady(try Reconciler.prepareForLaunch(databaseAt: path, migrationsFolder: migrations)) }
        }
        // The same migrations registered in a GRDB migrator, and a database it migrated.
        let set = try MigrationSet.load(from: migrations)
        let migrator = grdbMigrator(for: set)
        let grdbPath = NSTemporaryDirectory() + "bench-launch-\(UUID().uuidString).sqlite"
        defer { try? FileManager.default.removeItem(atPath: grdbPath) }
        let migrated = try DatabaseQueue(path: grdbPath)
        try migrator.migrate(migrated)
        try migrated.close()
        let reconciler = try Reconciler(migrator: migrator)
        let (grdbFloor, grdbPreloaded) = try measurePaired(runs: runs, floor: { try bareRead(grdbPath, ledger: "grdb_migrations") }) {
            expectReady(try reconciler.prepareForLaunch(databaseAt: grdbPath))
        }
        let grdbCold = try measure(runs: max(3, runs / 10)) {
            expectReady(try Reconciler(migrator: migrator).prepareForLaunch(databaseAt: grdbPath))
        }
        func ratio(_ timing: Timing, _ floor: Timing) -> String { String(format: "%.2f", timing.median / floor.median) }
        print("healthy launch, \(set.applying.count) migrations")
        print("  floor, sqlx ledger (GRDB read of sqlite_schema + _sqlx_migrations): \(floor.text)")
        print("  prepareForLaunch(migrationsFolder:) quick path:                     \(folder.text)  ratio \(ratio(folder, floor))×")
        print("  prepareForLaunch(migrationsFolder:), no launch cache (cold):         \(folderCold.text)  ratio \(ratio(folderCold, floor))×")
        print("  floor, GRDB ledger (GRDB read of sqlite_schema + grdb_migrations):  \(grdbFloor.text)")
        print("  Reconciler(migrator:) made once, prepareForLaunch each launch:      \(grdbPreloaded.text)  ratio \(ratio(grdbPreloaded, grdbFloor))×")
        print("  Reconciler(migrator:) + prepareForLaunch (replays the migrator):    \(grdbCold.text)  ratio \(ratio(grdbCold, grdbFloor))×")
    case "profile":
        let migrations = URL(fileURLWithPath: arguments[2])
        let path = arguments[3]
        let runs = arguments.count > 4 ? Int(arguments[4])! : 100
        let reconciler = try Reconciler(migrationsFolder: migrations)
        let steps: [String: () throws -> Void] = [
            "floor": { try floorRead(path) },
            "quick": {
                let check = try Reconciler.quickCheck(databaseAt: path, migrationsFolder: migrations)
                precondition(check.decidedQuickly, "the quick index did not decide: \(check.diagnosis.verdict)")
            },
            "launch": {
                guard case .ready = try Reconciler.prepareForLaunch(databaseAt: path, migrationsFolder: migrations) else {
                    fatalError("not ready")
                }
            },
            "load": { _ = try QuickChecker(migrationsFolder: migrations) },
            "diagnose": { _ = reconciler.diagnose(databaseAt: path) },
        ]
        guard let step = steps[arguments[1]] else {
            print("unknown step \(arguments[1]): \(steps.keys.sorted().joined(separator: ", "))")
            exit(64)
        }
        for _ in 0..<runs { try step() }
    case "reads":
        // What a healthy diagnosis touches: the bytes this process reads (files and page cache alike)
        // while diagnosing one database, and the other histories it replays. The set and lock are
        // loaded first, so only the database counts.
        let reconciler = try Reconciler(migrationsFolder: URL(fileURLWithPath: arguments[1]))
        func bytesRead() -> Int {
            let io = (try? String(contentsOfFile: "/proc/self/io", encoding: .utf8)) ?? ""
            let line = io.split(separator: "\n").first { $0.hasPrefix("rchar:") }
            return line.flatMap { Int($0.dropFirst("rchar:".count).trimmingCharacters(in: .whitespaces)) } ?? -1
        }
        for path in arguments.dropFirst(2) {
            let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            let before = bytesRead(), replays = reconciler.historyReplays
            let diagnosis = reconciler.diagnose(databaseAt: path)
            let read = bytesRead() - before
            print("\(path): \(diagnosis.verdict.rawValue), file \(size) bytes, read \(read) bytes, history replays \(reconciler.historyReplays - replays)")
        }
    case "rss":
        let set = try MigrationSet.load(from: URL(fileURLWithPath: arguments[1]))
        let timeline = try Fingerprinter().fingerprint(set)
        print("fingerprint \(set.applying.count) migrations: tip \(timeline.tip.fingerprint.short), peak RSS \(peakRSSKilobytes() / 1024) MB")
    default:
        print("unknown command \(command)")
        exit(64)
    }
} catch {
    FileHandle.standardError.write(Data("bench: \(error)\n".utf8))
    exit(1)
}
