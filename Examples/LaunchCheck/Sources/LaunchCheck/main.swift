import Foundation
import GRDB
import SchemaReconciler

// An app launcher: before opening its database, the app asks schema-reconcile whether the ledger
// tells the truth. The example first makes a damaged copy of a library, as a downgrade or a restored
// backup leaves it, then launches on it.
//
//     swift run LaunchCheck [behind | no-ledger | newer-app | unproven | healthy]

let damage = CommandLine.arguments.dropFirst().first ?? "behind"
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("LaunchCheck-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: folder) }
let path = folder.appendingPathComponent("library.sqlite").path

// MARK: - A damaged copy

do {
    let queue = try DatabaseQueue(path: path)
    try AppDatabase.migrator.migrate(queue)
    try queue.write { db in
        try db.execute(sql: "INSERT INTO author (name) VALUES ('Ursula K. Le Guin')")
        try db.execute(sql: "INSERT INTO book (authorId, title, publishedYear) VALUES (1, 'The Dispossessed', 1974)")
        switch damage {
        case "behind": // an older build restored a ledger from before the last three migrations
            try db.execute(sql: """
                DELETE FROM grdb_migrations WHERE identifier IN ('createBookSearch', 'createNote', 'createShelfSummaryView')
                """)
        case "no-ledger":
            try db.execute(sql: "DROP TABLE grdb_migrations")
        case "newer-app":
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('addBookCoverImage')")
        case "unproven": // the ledger claims a migration the schema lacks
            try db.execute(sql: "DROP VIEW shelfSummary")
        case "healthy":
            break
        default:
            print("unknown damage \(damage): use behind, no-ledger, newer-app, unproven or healthy")
            exit(64)
        }
    }
    try queue.close()
}
print("damaged copy (\(damage)): \(path)")

// MARK: - What the app adds before opening its database

let start = Date()
let reconciler = try Reconciler(migrator: AppDatabase.migrator)
let outcome = try reconciler.prepareForLaunch(databaseAt: path, backup: .besideDatabase, busyTimeout: 2)
let elapsed = Date().timeIntervalSince(start)

switch outcome {
case .ready(let diagnosis):
    print("ready: \(diagnosis.summary)")
case .repaired(let report):
    print("repaired: \(report.message)")
    print("before: \(report.before.summary)")
case .needsAttention(let diagnosis):
    print("needs attention: \(diagnosis.summary)")
    if let failure = diagnosis.failure { print("failure: \(failure.kind) (SQLite code \(failure.extendedResultCode ?? 0))") }
}
print(String(format: "prepareForLaunch took %.1f ms", elapsed * 1000))

// MARK: - Then the app opens its database and migrates as usual

if outcome.canOpenDatabase {
    let queue = try DatabaseQueue(path: path)
    try AppDatabase.migrator.migrate(queue)
    let applied = try queue.read { db in try AppDatabase.migrator.appliedMigrations(db) }
    let books = try queue.read { db in try String.fetchAll(db, sql: "SELECT title FROM book") }
    try queue.close()
    print("migrated: \(applied.count) of \(AppDatabase.migrator.migrations.count) migrations applied; books: \(books)")
}
