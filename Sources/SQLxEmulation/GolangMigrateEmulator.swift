import Foundation
import GRDB

/// An independent re-implementation of golang-migrate's SQLite driver (`database/sqlite3`) and its
/// `Up` / `Force` / start-up checks, written from golang-migrate's source as LEDGERS.md §2 records it
/// (`migrate.go`, `source/parse.go`, `database/sqlite3/sqlite3.go`). It shares no code with the
/// SchemaReconciler engine, so a database the engine repaired gets a second opinion.
public struct GolangMigrateEmulator: Sendable {
    /// One version of the source: its up body and whether a down file exists.
    public struct Source: Sendable {
        public var version: UInt64
        public var identifier: String
        public var up: String?
        public var hasDown: Bool
    }

    /// What `migrate up` says before running anything.
    public enum CheckResult: Sendable, Equatable {
        /// It would run, applying these versions in order.
        case ok(pending: [UInt64])
        /// It refuses, with golang-migrate's message.
        case refused(String)
    }

    public let sources: [Source]
    public let table: String
    /// `x-no-tx-wrap=true`: bodies run as they are, not inside `Begin()` / `Commit()`.
    public let noTxWrap: Bool

    /// `source/parse.go`: `^([0-9]+)_(.*)\.(down|up)\.(.*)$`.
    private static let pattern = try! NSRegularExpression(pattern: #"^([0-9]+)_(.*)\.(down|up)\.(.*)$"#)

    /// Reads a folder as golang-migrate's `file://` source does.
    public init(folder: URL, table: String = "schema_migrations", noTxWrap: Bool = false) throws {
        var byVersion: [UInt64: Source] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            let whole = NSRange(name.startIndex..., in: name)
            guard let match = Self.pattern.firstMatch(in: name, range: whole),
                  let versionRange = Range(match.range(at: 1), in: name),
                  let identifierRange = Range(match.range(at: 2), in: name),
                  let directionRange = Range(match.range(at: 3), in: name),
                  let version = UInt64(name[versionRange]) else { continue }
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            var source = byVersion[version] ?? Source(version: version, identifier: String(name[identifierRange]), up: nil, hasDown: false)
            if name[directionRange] == "up" {
                guard source.up == nil else { throw FixtureError(message: "duplicate migration file: \(name)") }
                source.up = text
            } else {
                source.hasDown = true
            }
            byVersion[version] = source
        }
        self.sources = byVersion.values.sorted { $0.version < $1.version }
        self.table = table
        self.noTxWrap = noTxWrap
    }

    /// `ensureVersionTable`.
    public func ensureVersionTable(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS \(table) (version uint64,dirty bool);
              CREATE UNIQUE INDEX IF NOT EXISTS version_unique ON \(table) (version);
            """)
    }

    /// `Version()`: `SELECT version, dirty … LIMIT 1`; no row is `NilVersion` (-1).
    public func version(_ db: Database) throws -> (version: Int64, dirty: Bool) {
        guard let row = try? Row.fetchOne(db, sql: "SELECT version, dirty FROM \(table) LIMIT 1") else { return (-1, false) }
        return (row[0], (row[1] as Int64?) ?? 0 != 0)
    }

    /// `SetVersion(v, dirty)`: one transaction, `DELETE` then `INSERT` when `v >= 0 || (v == -1 && dirty)`.
    public func setVersion(_ db: Database, _ version: Int64, dirty: Bool) throws {
        try db.inTransaction {
            try db.execute(sql: "DELETE FROM \(table)")
            if version >= 0 || (version == -1 && dirty) {
                try db.execute(sql: "INSERT INTO \(table) (version, dirty) VALUES (?, ?)", arguments: [version, dirty])
            }
            return .commit
        }
    }

    /// What `migrate up` decides at start: `ErrDirty`, `no migration found for version N`, or the versions it runs.
    public func check(_ db: Database) throws -> CheckResult {
        try ensureVersionTable(db)
        let (current, dirty) = try version(db)
        if dirty { return .refused("Dirty database version \(current). Fix and force version.") }
        if current >= 0, !sources.contains(where: { $0.version == UInt64(current) }) {
            return .refused("no migration found for version \(current)")
        }
        return .ok(pending: sources.filter { $0.up != nil && (current < 0 || $0.version > UInt64(current)) }.map(\.version))
    }

    /// `migrate up [N]`: each pending up file as `SetVersion(v, true)`, body in its own transaction,
    /// `SetVersion(v, false)`; `after` runs after each version (an app writing its rows).
    @discardableResult
    public func up(_ db: Database, upTo limit: UInt64? = nil,
                   after: (UInt64, Database) throws -> Void = { _, _ in }) throws -> CheckResult {
        let result = try check(db)
        guard case .ok(let pending) = result else { return result }
        for version in pending where limit.map({ version <= $0 }) ?? true {
            try runUp(db, version)
            try after(version, db)
        }
        return try check(db)
    }

    /// One step that fails: the row goes dirty; `bodyRan` says whether the body committed before the
    /// process died (else it failed and rolled back).
    public func failStep(_ db: Database, _ version: UInt64, bodyRan: Bool) throws {
        try setVersion(db, Int64(version), dirty: true)
        if bodyRan { try run(sources.first { $0.version == version }?.up ?? "", db) }
    }

    /// `migrate force V`: `SetVersion(V, false)`, no check of source or schema.
    public func force(_ db: Database, _ version: Int64) throws {
        try setVersion(db, version, dirty: false)
    }

    private func runUp(_ db: Database, _ version: UInt64) throws {
        guard let body = sources.first(where: { $0.version == version })?.up else { return }
        try setVersion(db, Int64(version), dirty: true)
        try run(body, db)
        try setVersion(db, Int64(version), dirty: false)
    }

    /// `Run`: `executeQuery` (one transaction) or, with `x-no-tx-wrap`, `executeQueryNoTx`.
    private func run(_ body: String, _ db: Database) throws {
        if noTxWrap {
            try db.execute(sql: body)
            return
        }
        try db.inTransaction {
            try db.execute(sql: body)
            return .commit
        }
    }

    /// Lays a sqlx folder out as golang-migrate files: a simple `<V>_<desc>.sql` becomes
    /// `<V>_<desc>.up.sql` with the same text and a `.down.sql` that reverts nothing; sqlx's own
    /// `.up.sql` / `.down.sql` pairs are already golang-migrate files.
    public static func layOut(sqlxFolder: URL, into folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: sqlxFolder.path).sorted() where name.hasSuffix(".sql") {
            let text = try Data(contentsOf: sqlxFolder.appendingPathComponent(name))
            if name.hasSuffix(".up.sql") || name.hasSuffix(".down.sql") {
                try text.write(to: folder.appendingPathComponent(name))
                continue
            }
            let stem = String(name.dropLast(4))
            try text.write(to: folder.appendingPathComponent(stem + ".up.sql"))
            try Data("-- not reversible\n".utf8).write(to: folder.appendingPathComponent(stem + ".down.sql"))
        }
    }
}
