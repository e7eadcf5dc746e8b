import Foundation
import GRDB

/// An independent re-implementation of Flyway's `migrate` and `validate` on SQLite (community
/// defaults: `validateOnMigrate`, `ignoreMigrationPatterns = *:future`, `outOfOrder = false`,
/// `mixed = false`, `installedBy` unset), written from flyway/flyway `flyway-core`: `SQLiteDatabase`
/// (DDL, booleans `1`/`0`, current user `""`), `Database` (INSERT, SELECT, DELETE statements),
/// `SchemaHistory` / `JdbcTableSchemaHistory` (rank = last + 1, abbreviations), `ChecksumCalculator` +
/// `BomFilter`, `MigrationVersion`, `ResourceNameParser`, `SqlMigrationResolver`,
/// `CompositeMigrationResolver` (duplicates), `MigrationInfoServiceImpl`, `MigrationInfoImpl.validate`,
/// `BaseAppliedMigration.getState`, `ResolvedMigration.getState` and `DbMigrate`. It shares no code
/// with the engine, so a database the engine repaired gets a second opinion.
///
/// Left out: callbacks, placeholders (versioned checksums cover the raw text anyway), Java and
/// baseline (`B`) migrations, undo, cherry-pick, `target`, `group`, and Flyway's statement parser: a
/// script runs outside a transaction when its `.sql.conf` says `executeInTransaction=false`; a script
/// with a `PRAGMA foreign_keys` statement and no such setting is refused, as `mixed = false` refuses it.
public struct FlywayEmulator: Sendable {
    /// One resolved migration (`ResolvedMigrationImpl`).
    public struct Source: Sendable {
        /// `nil` for a repeatable (`R__`) migration.
        public var version: Version?
        public var description: String
        /// The path relative to the location, as `script` records it.
        public var script: String
        public var sql: String
        public var checksum: Int32
        public var executeInTransaction: Bool
    }

    /// `MigrationVersion`: the text with `_` as `.`, split on a `.` before a digit; numeric parts,
    /// trailing zero parts ignored.
    public struct Version: Sendable, Hashable, Comparable, CustomStringConvertible {
        public let text: String
        let parts: [String]

        public init?(_ raw: String) {
            text = raw.replacingOccurrences(of: "_", with: ".")
            var pieces: [String] = []
            var current = ""
            let characters = Array(text)
            for (index, character) in characters.enumerated() {
                if character == ".", index + 1 < characters.count, characters[index + 1].isASCII, characters[index + 1].isNumber {
                    pieces.append(current)
                    current = ""
                } else {
                    current.append(character)
                }
            }
            pieces.append(current)
            var numbers: [String] = []
            for piece in pieces {
                guard !piece.isEmpty, piece.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
                let trimmed = piece.drop { $0 == "0" }
                numbers.append(trimmed.isEmpty ? "0" : String(trimmed))
            }
            while numbers.count > 1, numbers.last == "0" { numbers.removeLast() }
            parts = numbers
        }

        public var description: String { text }
        public static func == (lhs: Version, rhs: Version) -> Bool { lhs.parts == rhs.parts }
        public func hash(into hasher: inout Hasher) { hasher.combine(parts) }
        public static func < (lhs: Version, rhs: Version) -> Bool {
            for index in 0..<max(lhs.parts.count, rhs.parts.count) {
                let left = index < lhs.parts.count ? lhs.parts[index] : "0"
                let right = index < rhs.parts.count ? rhs.parts[index] : "0"
                if left.count != right.count { return left.count < right.count }
                if left != right { return left < right }
            }
            return false
        }
    }

    /// One `flyway_schema_history` row, as `refreshCache` reads it.
    public struct AppliedRow: Sendable, Equatable {
        public var installedRank: Int
        public var version: String?
        public var description: String
        public var type: String
        public var script: String
        public var checksum: Int32?
        public var success: Bool
    }

    /// What `migrate` (or `validate`) says.
    public enum CheckResult: Sendable, Equatable {
        /// Validation passed; these migrations (versions, or descriptions of repeatables) would run, in order.
        case ok(pending: [String])
        /// Validation failed with Flyway's error messages.
        case refused([String])
    }

    public let sources: [Source]
    public let table: String
    public let installedBy: String

    /// Resolves `folder` (searched recursively, as a `filesystem:` location is) like `SqlMigrationResolver`.
    public init(folder: URL, table: String = "flyway_schema_history", installedBy: String = "") throws {
        self.table = table
        self.installedBy = installedBy
        var sources: [Source] = []
        let root = folder.standardizedFileURL.path
        guard let walker = FileManager.default.enumerator(atPath: root) else {
            throw FixtureError(message: "no folder \(root)")
        }
        for case let relative as String in walker {
            let name = (relative as NSString).lastPathComponent
            guard name.uppercased().hasSuffix(".SQL") else { continue }
            let stem = String(name.dropLast(4))
            let versioned: Bool
            if stem.hasPrefix("V") { versioned = true } else if stem.hasPrefix("R") { versioned = false } else { continue }
            guard let separator = stem.range(of: "__") else { continue }
            let versionText = String(stem[stem.index(after: stem.startIndex)..<separator.lowerBound])
            let description = String(stem[separator.upperBound...]).replacingOccurrences(of: "_", with: " ")
            var version: Version?
            if versioned {
                guard !versionText.isEmpty, let parsed = Version(versionText) else { continue }
                version = parsed
            } else if !versionText.isEmpty {
                continue
            }
            let url = URL(fileURLWithPath: root).appendingPathComponent(relative)
            let data = try Data(contentsOf: url)
            let sql = String(decoding: data, as: UTF8.self)
            let conf = (try? String(contentsOf: URL(fileURLWithPath: url.path + ".conf"), encoding: .utf8)) ?? ""
            let noTransaction = conf.split(whereSeparator: \.isNewline).contains {
                $0.replacingOccurrences(of: " ", with: "").lowercased() == "executeintransaction=false"
            }
            sources.append(Source(version: version, description: description, script: relative, sql: sql,
                                  checksum: Self.checksum(data), executeInTransaction: !noTransaction))
        }
        let versioned = sources.filter { $0.version != nil }.sorted { $0.version! < $1.version! }
        for (first, second) in zip(versioned, versioned.dropFirst()) where first.version == second.version {
            throw FixtureError(message: "Found more than one migration with version \(first.version!)\nOffenders:\n-> \(first.script) (SQL)\n-> \(second.script) (SQL)")
        }
        self.sources = versioned + sources.filter { $0.version == nil }.sorted { $0.description < $1.description }
    }

    // MARK: - Checksum

    /// `ChecksumCalculator.calculateChecksumForResource`: the text read line by line as
    /// `BufferedReader.readLine()` does (`\n`, `\r`, `\r\n` end a line and are dropped), a BOM dropped
    /// from the first line, each line's UTF-8 bytes fed to CRC-32 with nothing between them, then `(int)`.
    public static func checksum(_ data: Data) -> Int32 {
        let text = String(decoding: data, as: UTF8.self)
        var crc = CRC32Bitwise()
        var line: [UInt8] = []
        var first = true
        var previousWasCR = false
        func endLine() {
            var bytes = line
            if first, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
            crc.update(bytes)
            line = []
            first = false
        }
        for byte in text.utf8 {
            if byte == 0x0A {
                if !previousWasCR { endLine() }
                previousWasCR = false
            } else if byte == 0x0D {
                endLine()
                previousWasCR = true
            } else {
                line.append(byte)
                previousWasCR = false
            }
        }
        if !line.isEmpty { endLine() }
        return Int32(bitPattern: crc.value)
    }

    /// `AbbreviationUtils.abbreviateDescription`, counted in UTF-16 units as Java counts `length()`.
    public static func abbreviateDescription(_ text: String) -> String {
        let units = Array(text.utf16)
        guard units.count > 200 else { return text }
        return String(decoding: units[..<197], as: UTF16.self) + "..."
    }

    /// `AbbreviationUtils.abbreviateScript`: `"..." + script.substring(3, 1000)` (the head, not the tail).
    public static func abbreviateScript(_ text: String) -> String {
        let units = Array(text.utf16)
        guard units.count > 1000 else { return text }
        return "..." + String(decoding: units[3..<1000], as: UTF16.self)
    }

    // MARK: - History table

    /// `SQLiteDatabase.getRawCreateScript(table, baseline: false)`.
    public var createScript: String {
        """
        CREATE TABLE "main"."\(table)" (
            "installed_rank" INT NOT NULL PRIMARY KEY,
            "version" VARCHAR(50),
            "description" VARCHAR(200) NOT NULL,
            "type" VARCHAR(20) NOT NULL,
            "script" VARCHAR(1000) NOT NULL,
            "checksum" INT,
            "installed_by" VARCHAR(100) NOT NULL,
            "installed_on" TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now')),
            "execution_time" INT NOT NULL,
            "success" BOOLEAN NOT NULL
        );
        CREATE INDEX "main"."\(table)_s_idx" ON "\(table)" ("success");
        """
    }

    public func tableExists(_ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = ?", arguments: [table]) ?? false
    }

    /// `getSelectStatement`: every row in `installed_rank` order.
    public func appliedRows(_ db: Database) throws -> [AppliedRow] {
        guard try tableExists(db) else { return [] }
        return try Row.fetchAll(db, sql: """
            SELECT "installed_rank","version","description","type","script","checksum","success" FROM "main"."\(table)" ORDER BY "installed_rank"
            """).map { row in
            AppliedRow(installedRank: row[0], version: row[1], description: row[2], type: row[3], script: row[4],
                       checksum: (row[5] as Int64?).map { Int32(truncatingIfNeeded: $0) }, success: (row[6] as Int64? ?? 0) != 0)
        }
    }

    /// `SchemaHistory.addAppliedMigration` + `getInsertStatement`: rank = the last rank + 1 (1 for the first).
    public func addAppliedMigration(_ source: Source, executionTime: Int, success: Bool, in db: Database) throws {
        let rank = (try Int.fetchOne(db, sql: "SELECT max(\"installed_rank\") FROM \"main\".\"\(table)\"") ?? 0) + 1
        try db.execute(sql: """
            INSERT INTO "main"."\(table)" ("installed_rank", "version", "description", "type", "script", "checksum", "installed_by", "execution_time", "success") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [rank, source.version?.text, Self.abbreviateDescription(source.description), "SQL",
                             Self.abbreviateScript(source.script), source.checksum, installedBy, executionTime, success ? 1 : 0])
    }

    // MARK: - Validate

    /// `MigrationInfoServiceImpl.refresh` then `MigrationInfoImpl.validate` for every migration:
    /// Flyway's error messages (empty: valid) and what `migrate` would run. `migrate` validates with
    /// `*:pending` added to the ignore patterns; a plain `validate` also refuses pending migrations.
    public func validate(_ db: Database, onMigrate: Bool = true, outOfOrder: Bool = false) throws -> CheckResult {
        let rows = try appliedRows(db)
        var errors: [String] = []
        let resolvedVersioned = sources.filter { $0.version != nil }
        let lastResolved = resolvedVersioned.last?.version
        // Versioned rows; a successful DELETE row marks the latest earlier row of its version deleted.
        var applied: [(row: AppliedRow, version: Version, deleted: Bool, outOfOrder: Bool)] = []
        var appliedBaseline: Version?
        for row in rows {
            guard let text = row.version else { continue }
            guard let version = Version(text) else {
                return .refused(["Version may only contain 0..9 and . (dot). Invalid version: \(text)"])
            }
            if row.type == "BASELINE", appliedBaseline.map({ version > $0 }) ?? true { appliedBaseline = version }
            if row.type == "DELETE" && row.success {
                guard let index = applied.lastIndex(where: { !["SCHEMA", "BASELINE", "DELETE"].contains($0.row.type) && $0.version == version }) else { continue }
                if applied[index].deleted {
                    return .refused(["Corrupted schema history: multiple delete entries for version \(version)"])
                }
                applied[index].deleted = true
                continue
            }
            applied.append((row, version, false, false))
        }
        var lastApplied: Version?
        for index in applied.indices {
            let entry = applied[index]
            if lastApplied.map({ entry.version > $0 }) ?? true {
                if entry.row.type != "DELETE" && !entry.deleted { lastApplied = entry.version }
            } else {
                applied[index].outOfOrder = true
            }
        }
        for entry in applied where !entry.deleted {
            let resolved = entry.row.type == "SQL" ? resolvedVersioned.first { $0.version == entry.version } : nil
            if entry.row.type == "BASELINE" || entry.row.type == "SCHEMA" { continue }
            if resolved == nil {
                let future = lastResolved.map { !(entry.version < $0) } ?? true
                // `*:future` ignores FUTURE_SUCCESS and, through isFutureIgnored, FUTURE_FAILED.
                if future { continue }
                if !entry.row.success {
                    errors.append("Detected failed migration to version \(entry.version) (\(entry.row.description)).\nPlease remove any half-completed changes then run repair to fix the schema history.")
                } else {
                    errors.append("Detected applied migration not resolved locally: \(entry.version).\nIf you removed this migration intentionally, run repair to mark the migration as deleted.")
                }
                continue
            }
            guard entry.row.success else {
                errors.append("Detected failed migration to version \(entry.version) (\(entry.row.description)).\nPlease remove any half-completed changes then run repair to fix the schema history.")
                continue
            }
            guard let file = resolved, appliedBaseline.map({ entry.version > $0 }) ?? true else { continue }
            if let stored = entry.row.checksum, stored != file.checksum {
                errors.append(mismatch("checksum", "version \(entry.version)", String(stored), String(file.checksum)))
            } else if Self.abbreviateDescription(file.description) != entry.row.description {
                errors.append(mismatch("description", "version \(entry.version)", entry.row.description, file.description))
            }
        }
        // Resolved versioned migrations no live row of type SQL holds.
        var pending: [String] = []
        for source in resolvedVersioned {
            let version = source.version!
            if applied.contains(where: { !$0.deleted && $0.row.type == "SQL" && $0.version == version }) { continue }
            if let baseline = appliedBaseline, lastApplied != nil, version <= baseline { continue }
            if let last = lastApplied, version < last, !outOfOrder {
                errors.append("Detected resolved migration not applied to database: \(version).\nTo ignore this migration, set -ignoreMigrationPatterns='*:ignored'. To allow executing this migration, set -outOfOrder=true.")
                continue
            }
            if !onMigrate {
                errors.append("Detected resolved migration not applied to database: \(version).\nTo fix this error, either run migrate, or set -ignoreMigrationPatterns='*:pending'.")
            }
            pending.append(version.text)
        }
        // Repeatables: the latest run of each description decides.
        let repeatableRows = rows.filter { $0.version == nil }
        var latest: [String: AppliedRow] = [:]
        for row in repeatableRows {
            latest[row.description] = row.type == "DELETE" && row.success ? nil : row
        }
        for (description, row) in latest.sorted(by: { $0.key < $1.key }) {
            guard let file = sources.first(where: { $0.version == nil && $0.description == description }) else {
                errors.append(row.success
                    ? "Detected applied migration not resolved locally: \(description).\nIf you removed this migration intentionally, run repair to mark the migration as deleted."
                    : "Detected failed repeatable migration: \(description).\nPlease remove any half-completed changes then run repair to fix the schema history.")
                continue
            }
            if !row.success {
                errors.append("Detected failed repeatable migration: \(description).\nPlease remove any half-completed changes then run repair to fix the schema history.")
            } else if row.checksum != file.checksum && !onMigrate {
                errors.append("Detected outdated resolved repeatable migration that should be re-applied to database: \(description).\nRun migrate to execute this migration.")
            }
        }
        for source in sources where source.version == nil {
            if let row = latest[source.description], row.success, row.checksum == source.checksum { continue }
            if !onMigrate && latest[source.description] == nil {
                errors.append("Detected resolved repeatable migration not applied to database: \(source.description).\nTo fix this error, either run migrate, or set -ignoreMigrationPatterns='*:pending'.")
            }
            pending.append(source.description)
        }
        return errors.isEmpty ? .ok(pending: pending) : .refused(errors)
    }

    private func mismatch(_ what: String, _ identifier: String, _ applied: String, _ resolved: String) -> String {
        "Migration \(what) mismatch for migration \(identifier)\n-> Applied to database : \(applied)\n-> Resolved locally    : \(resolved)\nEither revert the changes to the migration, or run repair to update the schema history."
    }

    // MARK: - Migrate

    /// The migration that fails instead of running (fixtures build Flyway's failed rows with it).
    public struct Failure: Sendable {
        public var version: String
        public init(version: String) { self.version = version }
    }

    /// `Flyway.migrate`: validate, create the history table if missing (refused over a schema that already
    /// has tables, as without `baselineOnMigrate`), then each pending migration in
    /// its own transaction with its row; a non-transactional script runs statement after statement and
    /// a failure leaves a `success = 0` row (`DbMigrate.doMigrateGroup`).
    @discardableResult
    public func migrate(_ db: Database, upTo limit: String? = nil, failing: Failure? = nil,
                        after: (String, Database) throws -> Void = { _, _ in }) throws -> CheckResult {
        let result = try validate(db)
        guard case .ok(let pending) = result else { return result }
        if try !tableExists(db) {
            // `Flyway.migrate` without `baselineOnMigrate`; `SQLiteSchema.doEmpty` counts tables only.
            let tables = try String.fetchAll(db, sql: "SELECT tbl_name FROM \"main\".sqlite_master WHERE type='table'")
            if tables.contains(where: { !["android_metadata", "sqlite_sequence"].contains($0) }) {
                return .refused(["Found non-empty schema(s) \"main\" but no schema history table. Use baseline() or set baselineOnMigrate to true to initialize the schema history table."])
            }
            try db.execute(sql: createScript)
        }
        let bound = limit.flatMap(Version.init)
        for name in pending {
            guard let source = sources.first(where: { $0.version?.text == name || ($0.version == nil && $0.description == name) }) else { continue }
            if let bound, let version = source.version, bound < version { continue }
            if bound != nil && source.version == nil { continue }
            if source.executeInTransaction && Self.togglesForeignKeys(source.sql) {
                return .refused(["Detected both transactional and non-transactional statements within the same migration (even though mixed is false)."])
            }
            let fails = failing?.version == name
            if source.executeInTransaction {
                if fails { return .refused(["Migration \(source.script) failed (changes successfully rolled back)"]) }
                try db.inTransaction {
                    try db.execute(sql: source.sql)
                    try addAppliedMigration(source, executionTime: 0, success: true, in: db)
                    return .commit
                }
            } else {
                if fails {
                    try addAppliedMigration(source, executionTime: 0, success: false, in: db)
                    return .refused(["Migration \(source.script) failed (please restore backups and roll back database and code)"])
                }
                try db.execute(sql: source.sql)
                try addAppliedMigration(source, executionTime: 0, success: true, in: db)
            }
            try after(name, db)
        }
        return try validate(db)
    }

    /// Whether a statement is `PRAGMA foreign_keys…`, which `SQLiteParser` says cannot run in a transaction.
    static func togglesForeignKeys(_ sql: String) -> Bool {
        sql.split(whereSeparator: \.isNewline).contains { line in
            let words = line.split(whereSeparator: \.isWhitespace)
            return words.count >= 2 && words[0].uppercased() == "PRAGMA" && words[1].uppercased().hasPrefix("FOREIGN_KEYS")
        }
    }

    // MARK: - Layout

    /// Lays a sqlx folder out as Flyway files `V<n>__<desc>.sql`. A sqlx `-- no-transaction` file loses
    /// that line and its `BEGIN;` / `COMMIT;` (SQLiteParser would take a bare `BEGIN` for a block start)
    /// and gains a `V<n>__<desc>.sql.conf` saying `executeInTransaction=false`, so Flyway runs it as sqlx does.
    public static func layOut(sqlxFolder: URL, into folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: sqlxFolder.path).sorted()
        where name.hasSuffix(".sql") && !name.hasSuffix(".down.sql") {
            var text = try String(contentsOf: sqlxFolder.appendingPathComponent(name), encoding: .utf8)
            guard let cut = name.firstIndex(of: "_"), let version = Int(name[..<cut]) else { continue }
            var stem = String(name[name.index(after: cut)...].dropLast(4))
            if stem.hasSuffix(".up") { stem = String(stem.dropLast(3)) }
            let file = "V\(version)__\(stem).sql"
            if text.hasPrefix("-- no-transaction") {
                text = text.components(separatedBy: "\n").filter { !["BEGIN;", "COMMIT;", "-- no-transaction"].contains($0) }.joined(separator: "\n")
                try Data("executeInTransaction=false\n".utf8).write(to: folder.appendingPathComponent(file + ".conf"))
            }
            try Data(text.utf8).write(to: folder.appendingPathComponent(file))
        }
    }
}

/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) one bit at a time, as `java.util.zip.CRC32` computes it.
private struct CRC32Bitwise {
    private var state: UInt32 = 0xFFFF_FFFF
    var value: UInt32 { state ^ 0xFFFF_FFFF }

    mutating func update(_ bytes: [UInt8]) {
        for byte in bytes {
            state ^= UInt32(byte)
            for _ in 0..<8 { state = (state & 1) != 0 ? (state >> 1) ^ 0xEDB8_8320 : state >> 1 }
        }
    }
}

/// The Flyway fixtures: `Migrations/` laid out as Flyway files beside a `flyway.toml`, and databases
/// Flyway migrated and then damaged as the field does. `installed_on` and `execution_time` are pinned.
public enum FlywayFixtures {
    public static let folderName = "flyway"

    public struct Recipe: Sendable {
        public var name: String
        public var story: String
        var build: @Sendable (FlywayEmulator, Database) throws -> Void
    }

    public static let recipes: [Recipe] = [
        Recipe(name: "healthy.sqlite", story: "Flyway migrated every version") { tool, db in try migrate(tool, db, upTo: "34") },
        Recipe(name: "behind.sqlite", story: "a newer build ran 21–23, then an old flyway_schema_history was restored") { tool, db in
            try migrate(tool, db, upTo: "23")
            try db.execute(sql: "DELETE FROM flyway_schema_history WHERE installed_rank > 20")
        },
        Recipe(name: "no-ledger.sqlite", story: "flyway_schema_history was dropped by hand; the schema is at 23") { tool, db in
            try migrate(tool, db, upTo: "23")
            try db.execute(sql: "DROP TABLE flyway_schema_history")
        },
        Recipe(name: "failed.sqlite",
               story: "V26 (executeInTransaction=false) failed at its first statement; Flyway recorded it with success = 0; the schema is at 25") { tool, db in
            try migrate(tool, db, upTo: "25")
            let result = try tool.migrate(db, upTo: "26", failing: FlywayEmulator.Failure(version: "26"))
            guard case .refused = result else { throw FixtureError(message: "V26 did not fail: \(result)") }
        },
        Recipe(name: "checksum-drift.sqlite", story: "V13's file gained a comment after it was applied") { tool, db in
            try migrate(tool, db, upTo: "34")
            let source = tool.sources.first { $0.version?.text == "13" }!
            let old = FlywayEmulator.checksum(Data(("-- thread list for the sidebar\n" + source.sql).utf8))
            try db.execute(sql: "UPDATE flyway_schema_history SET checksum = ? WHERE version = '13'", arguments: [old])
        },
        Recipe(name: "ahead.sqlite", story: "a backup of the schema at 20 was restored under rows up to 23") { tool, db in
            try migrate(tool, db, upTo: "20")
            for source in tool.sources where ["21", "22", "23"].contains(source.version?.text ?? "") {
                try tool.addAppliedMigration(source, executionTime: 0, success: true, in: db)
            }
        },
    ]

    /// Lays out `sqlxMigrations` under `folder/flyway/migrations` (with `folder/flyway/flyway.toml`) and
    /// writes every database beside it.
    public static func generateAll(sqlxMigrations: URL, into folder: URL) throws {
        let root = folder.appendingPathComponent(folderName)
        let migrations = root.appendingPathComponent("migrations")
        try? FileManager.default.removeItem(at: migrations)
        try FlywayEmulator.layOut(sqlxFolder: sqlxMigrations, into: migrations)
        try Data(flywayTOML.utf8).write(to: root.appendingPathComponent("flyway.toml"))
        let tool = try FlywayEmulator(folder: migrations)
        for recipe in recipes {
            let path = root.appendingPathComponent(recipe.name).path
            for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            let queue = try DatabaseQueue(path: path)
            try queue.writeWithoutTransaction { db in
                try recipe.build(tool, db)
                if try tool.tableExists(db) {
                    try db.execute(sql: """
                        UPDATE flyway_schema_history SET installed_on = printf('2026-01-%02d 12:00:00.000', 1 + installed_rank % 28),
                          execution_time = 10 + installed_rank
                        """)
                }
            }
            try queue.close()
        }
    }

    /// The project file `flyway init` writes, pointed at the fixtures' folder.
    static let flywayTOML = """
        [environments.default]
        url = "jdbc:sqlite:healthy.sqlite"

        [flyway]
        environment = "default"
        locations = ["filesystem:migrations"]

        """

    static func migrate(_ tool: FlywayEmulator, _ db: Database, upTo version: String) throws {
        let result = try tool.migrate(db, upTo: version) { applied, db in
            if let number = Int64(applied) { try FixtureFactory.seed(number, db) }
        }
        guard case .ok = result else { throw FixtureError(message: "Flyway refused while building a fixture: \(result)") }
    }
}
