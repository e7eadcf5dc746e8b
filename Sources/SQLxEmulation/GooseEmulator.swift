import Foundation
import GRDB

/// An independent re-implementation of pressly/goose on SQLite (legacy `goose up`, the CLI's path),
/// written from goose's source as LEDGERS.md §3 records it (`internal/dialects/sqlite3.go`, `up.go`,
/// `migrate.go`, `internal/sqlparser/parser.go`). It shares no code with the SchemaReconciler engine.
public struct GooseEmulator: Sendable {
    /// One `.sql` file: its version and the Up statements goose runs.
    public struct Source: Sendable {
        public var version: Int64
        public var up: [String]
        public var useTx: Bool
    }

    /// What `goose up` decides before running anything.
    public enum CheckResult: Sendable, Equatable {
        case ok(pending: [Int64])
        case refused(String)
    }

    public let sources: [Source]
    public let table: String
    public let allowMissing: Bool

    public init(folder: URL, table: String = "goose_db_version", allowMissing: Bool = false) throws {
        var sources: [Source] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".sql") {
            // NumericComponent: before the first "_", ParseInt base 10, >= 1; other files are skipped.
            guard let cut = name.range(of: "_"), let version = Int64(name[..<cut.lowerBound]), version >= 1 else { continue }
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            let (up, useTx) = try Self.upStatements(text, file: name)
            sources.append(Source(version: version, up: up, useTx: useTx))
        }
        self.sources = sources.sorted { $0.version < $1.version }
        self.table = table
        self.allowMissing = allowMissing
    }

    /// The Up half of goose's parser: statements end at a line whose last word ends in `;`, or at
    /// `StatementEnd`; comment lines before a statement are dropped; everything after `Down` is skipped.
    static func upStatements(_ text: String, file: String) throws -> ([String], Bool) {
        var phase = 0 // 0 before Up, 1 in Up, 2 inside StatementBegin (up), 3 in Down
        var useTx = true
        var statements: [String] = []
        var current = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let bare = line.trimmingCharacters(in: .whitespaces)
            if bare.hasPrefix("--") && line.contains("+goose") {
                let word = bare.replacingOccurrences(of: "--", with: "").replacingOccurrences(of: "+goose", with: "")
                    .trimmingCharacters(in: .whitespaces).lowercased()
                switch word {
                case "up": phase = 1
                case "down": phase = 3
                case "statementbegin": if phase == 1 { phase = 2 }
                case "statementend":
                    if phase == 2 {
                        let statement = current.trimmingCharacters(in: .whitespacesAndNewlines)
                        if !statement.isEmpty { statements.append(statement) }
                        current = ""
                        phase = 1
                    }
                case "no transaction": useTx = false
                default: break
                }
                continue
            }
            guard phase == 1 || phase == 2 else {
                if phase == 0, !bare.isEmpty, !bare.hasPrefix("--") {
                    throw FixtureError(message: "\(file): SQL before '-- +goose Up'")
                }
                continue
            }
            if current.isEmpty && (bare.hasPrefix("--") || line.isEmpty) { continue }
            current += line + "\n"
            if phase == 1 {
                let words = line.split(whereSeparator: \.isWhitespace).prefix { !$0.hasPrefix("--") }
                if words.last?.hasSuffix(";") == true {
                    statements.append(current.trimmingCharacters(in: .whitespacesAndNewlines))
                    current = ""
                }
            }
        }
        guard phase != 0 else { throw FixtureError(message: "\(file): must start with '-- +goose Up'") }
        return (statements, useTx)
    }

    /// `EnsureDBVersion`: list the rows; when that fails (no table), `createVersionTable` = CREATE + `(0, true)` in one transaction.
    public func ensureVersionTable(_ db: Database) throws {
        let exists = try Bool.fetchOne(db, sql: "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = ?", arguments: [table]) ?? false
        guard !exists else { return }
        try db.inTransaction {
            try db.execute(sql: """
                CREATE TABLE \(table) (
                \t\tid INTEGER PRIMARY KEY AUTOINCREMENT,
                \t\tversion_id INTEGER NOT NULL,
                \t\tis_applied INTEGER NOT NULL,
                \t\ttstamp TIMESTAMP DEFAULT (datetime('now'))
                \t)
                """)
            try db.execute(sql: "INSERT INTO \(table) (version_id, is_applied) VALUES (?, ?)", arguments: [0, true])
            return .commit
        }
    }

    /// `ListMigrations` as `up` uses it: every version_id present, row 0 included.
    public func recordedVersions(_ db: Database) throws -> [Int64] {
        try Int64.fetchAll(db, sql: "SELECT version_id FROM \(table) ORDER BY id DESC")
    }

    /// What `goose up` decides: the provider's missing version-0 check, then `findMissingMigrations`.
    public func check(_ db: Database) throws -> CheckResult {
        try ensureVersionTable(db)
        let recorded = try recordedVersions(db)
        guard recorded.contains(0) else { return .refused("missing zero version migration") }
        let applied = Set(recorded)
        let top = recorded.max() ?? 0
        let missing = sources.filter { !applied.contains($0.version) && $0.version < top }.map(\.version)
        if !missing.isEmpty && !allowMissing {
            return .refused("error: found \(missing.count) missing migrations before current version \(top)")
        }
        return .ok(pending: missing + sources.filter { !applied.contains($0.version) && $0.version > top }.map(\.version))
    }

    /// `goose up` (or `up-to limit`): each pending version's Up statements, then `InsertVersion(v, true)`,
    /// in one transaction unless `NO TRANSACTION`.
    @discardableResult
    public func up(_ db: Database, upTo limit: Int64? = nil, after: (Int64, Database) throws -> Void = { _, _ in }) throws -> CheckResult {
        let result = try check(db)
        guard case .ok(let pending) = result else { return result }
        for version in pending where limit.map({ version <= $0 }) ?? true {
            let source = sources.first { $0.version == version }!
            let body = {
                for statement in source.up { try db.execute(sql: statement) }
                try db.execute(sql: "INSERT INTO \(table) (version_id, is_applied) VALUES (?, ?)", arguments: [version, true])
            }
            if source.useTx {
                try db.inTransaction { try body(); return .commit }
            } else {
                try body()
            }
            try after(version, db)
        }
        return try check(db)
    }

    /// Lays a sqlx folder out as goose files: `-- +goose Up`, `NO TRANSACTION` for sqlx's
    /// `-- no-transaction`, the body as one `StatementBegin`/`StatementEnd` block (it holds triggers),
    /// and a `Down` that reverts nothing. sqlx's down files have no goose counterpart.
    public static func layOut(sqlxFolder: URL, into folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: sqlxFolder.path).sorted()
        where name.hasSuffix(".sql") && !name.hasSuffix(".down.sql") {
            let text = try String(contentsOf: sqlxFolder.appendingPathComponent(name), encoding: .utf8)
            let target = name.hasSuffix(".up.sql") ? String(name.dropLast(7)) + ".sql" : name
            let noTx = text.hasPrefix("-- no-transaction")
            let goose = "-- +goose Up\n" + (noTx ? "-- +goose NO TRANSACTION\n" : "") + "-- +goose StatementBegin\n" + text
                + (text.hasSuffix("\n") ? "" : "\n") + "-- +goose StatementEnd\n\n-- +goose Down\nSELECT 'not reversible';\n"
            try Data(goose.utf8).write(to: folder.appendingPathComponent(target))
        }
    }
}
