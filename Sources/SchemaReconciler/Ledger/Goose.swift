import Foundation
import GRDB

/// pressly/goose: annotated `<V>_<name>.sql` files and the `goose_db_version` ledger, one row per
/// applied version plus the version-0 row goose needs on SQLite.
///
/// Only the `-- +goose Up` part of a file replays, statement by statement as goose's parser splits
/// it (`StatementBegin`/`StatementEnd` blocks whole); `-- +goose NO TRANSACTION` runs it outside a
/// transaction. goose has no checksum and ignores `is_applied` when it decides what ran: a row's
/// identity is its version. goose refuses a ledger with a bundled version missing below the newest
/// recorded one unless run with `-allow-missing` (``allowMissing``).
///
/// ```swift
/// let goose = Goose()
/// let reconciler = try Reconciler(migrationsFolder: folder, dialect: goose)
/// ```
public struct Goose: MigrationDialect, RowLedger, Hashable {
    /// goose's default table (`-table` / `SetTableName` overrides it).
    public static let defaultTableName = "goose_db_version"

    public let tableName: String
    /// goose's `-allow-missing` (`WithAllowOutofOrder`): older versions missing below the newest are applied, not refused.
    public var allowMissing: Bool

    /// The default ledger.
    public init(allowMissing: Bool = false) {
        self.tableName = Self.defaultTableName
        self.allowMissing = allowMissing
    }

    /// A ledger under another name: a plain identifier, as goose quotes none.
    public init(tableName: String, allowMissing: Bool = false) throws(SQLxLedger.InvalidTableName) {
        let validated = try GolangMigrate(tableName: tableName)
        self.tableName = validated.tableName
        self.allowMissing = allowMissing
    }

    public var name: String { "goose" }
    public var defaultLedgerTable: String { Self.defaultTableName }

    public func renamingTable(to name: String) throws -> any MigrationDialect {
        try Goose(tableName: name, allowMissing: allowMissing)
    }

    /// goose's sqlite3 `CreateTable` (no IF NOT EXISTS).
    public var createTableSQL: String {
        """
        CREATE TABLE \(tableName) (
        \t\tid INTEGER PRIMARY KEY AUTOINCREMENT,
        \t\tversion_id INTEGER NOT NULL,
        \t\tis_applied INTEGER NOT NULL,
        \t\ttstamp TIMESTAMP DEFAULT (datetime('now'))
        \t)
        """
    }

    // MARK: - Layout

    /// goose's `NumericComponent`: the text before the first `_` of a `.sql` file, an int64 ≥ 1; nil when goose skips the file.
    static func version(of fileName: String) -> MigrationVersion? {
        guard fileName.hasSuffix(".sql"), let underscore = fileName.firstIndex(of: "_") else { return nil }
        guard let version = Int64(fileName[..<underscore]), version >= 1 else { return nil }
        return MigrationVersion(version)
    }

    public func recognises(_ folder: URL) -> Bool { claimsExclusively(folder) }

    /// Whether some migration file carries goose's `-- +goose Up`.
    public func claimsExclusively(_ folder: URL) -> Bool {
        FolderScan.someFile(in: folder, named: { Self.version(of: $0) != nil }, holding: "+goose") { bytes in
            guard let text = String(validating: bytes, as: UTF8.self) else { return false }
            return text.split(separator: "\n", omittingEmptySubsequences: false).contains { line in
                line.trimmingCharacters(in: .whitespaces).hasPrefix("--") && line.contains("+goose")
                    && line.replacingOccurrences(of: "--", with: "").replacingOccurrences(of: "+goose", with: "")
                        .trimmingCharacters(in: .whitespaces).caseInsensitiveCompare("Up") == .orderedSame
            }
        }
    }

    public func loadMigrations(from folder: URL, ignoredCharacters: Set<Unicode.Scalar>) throws -> MigrationSet {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder.path) } catch {
            throw MigrationSetError.folderMissing(path: folder.path)
        }
        var migrations: [Migration] = []
        for fileName in names.sorted() {
            guard let version = Self.version(of: fileName) else { continue }
            let url = folder.appendingPathComponent(fileName)
            let text = try MigrationSet.readUTF8(url)
            let parsed: GooseSQL
            do { parsed = try GooseSQL.parse(text) } catch {
                throw MigrationSetError.fileUnreadable(path: url.path, reason: error.description)
            }
            // Each statement goose sends on its own; joined as one script, each ends its own statement.
            let script = parsed.up.map { $0.hasSuffix(";") ? $0 : $0 + ";" }.joined(separator: "\n") + (parsed.up.isEmpty ? "" : "\n")
            let stem = fileName.dropFirst(fileName.distance(from: fileName.startIndex, to: fileName.firstIndex(of: "_")!) + 1).dropLast(4)
            migrations.append(Migration(version: version, description: String(stem), kind: .simple, fileName: fileName, url: url,
                                        sql: script, checksum: Self.identity(of: version), noTransaction: !parsed.useTransaction))
        }
        guard !migrations.isEmpty else { throw MigrationSetError.noMigrations(path: folder.path) }
        return try MigrationSet(folder: folder, migrations: migrations)
    }

    /// The identity a row carries: goose has no checksum, a version is its own proof of identity.
    static func identity(of version: MigrationVersion) -> Digest {
        Digest.sha384(of: Array("goose version \(version)".utf8))
    }

    // MARK: - Reading

    public func holdsLedger(_ db: Database) throws -> Bool { Self.holds(columns: try Self.columnNames(tableName, in: db)) }

    /// Whether a table with these columns (none: no table) is this tool's ledger.
    static func holds(columns names: [String]) -> Bool {
        TableColumn.names(names, include: ["version_id", "is_applied"])
    }

    /// Every `version_id` present is applied, as goose's `up` reads it (`ListMigrations`; `is_applied` ignored); row 0 is goose's own.
    public func read(_ db: Database) throws -> LedgerState {
        let columns = try Self.columnNames(tableName, in: db)
        guard !columns.isEmpty else { return .absent }
        guard Self.holds(columns: columns) else {
            return .unusable(reason: "ledger table \(tableName) has no version_id and is_applied columns (goose needs both)")
        }
        let stored = try Row.fetchAll(db, sql: "SELECT version_id, typeof(version_id), is_applied FROM main.\"\(tableName)\" ORDER BY id DESC")
        var problems: [String] = []
        var versions: Set<MigrationVersion> = []
        var zero = false
        var rolledBack: Set<MigrationVersion> = []
        for row in stored {
            guard (row[1] as String) == "integer", let version: MigrationVersion = row[0] else {
                return .unusable(reason: "ledger table \(tableName) holds version_id \((row[0] as DatabaseValue).description), not an integer")
            }
            if version == 0 { zero = true; continue }
            if (row[2] as DatabaseValue).storage == .int64(0) { rolledBack.insert(version) }
            versions.insert(version)
        }
        if !zero { problems.append("no version 0 row (goose's provider refuses to start without it; a repair adds it)") }
        if !rolledBack.isEmpty {
            problems.append("is_applied = 0 rows for \(rolledBack.sorted().map(String.init).joined(separator: ", ")) (an old goose's rollback record; goose's up counts them applied)")
        }
        let rows = versions.sorted().map { LedgerRow(version: $0, checksum: Self.identity(of: $0)) }
        return .present(LedgerContents(rows: rows, columns: columns, problems: problems))
    }

    // MARK: - Writing

    /// goose's `createVersionTable`: the table, then `(0, true)`, in one transaction (the repair's).
    public func createTable(_ db: Database) throws {
        try db.execute(sql: createTableSQL)
        try db.execute(sql: "INSERT INTO \(tableName) (version_id, is_applied) VALUES (?, ?)", arguments: [0, true])
    }

    /// goose's `InsertVersion` after a migration: `(v, true)`, `tstamp` defaulting to `datetime('now')`.
    public func insert(_ row: LedgerRow, in db: Database) throws {
        try db.execute(sql: "INSERT INTO \(tableName) (version_id, is_applied) VALUES (?, ?)", arguments: [row.version, true])
    }

    /// goose rows have no success flag or checksum (the planner never asks: identities follow versions).
    public func update(version: MigrationVersion, success: Bool, checksum: Digest, in db: Database) throws {
        throw DatabaseError(message: "\(tableName) rows have no success flag or checksum to update")
    }

    /// goose's `DeleteVersion` (what `down` runs): every row of the version.
    public func delete(version: MigrationVersion, in db: Database) throws {
        try db.execute(sql: "DELETE FROM \(tableName) WHERE version_id=?", arguments: [version])
    }

    /// A row's version is its identity, so no row is filed under another.
    public func move(version: MigrationVersion, to newVersion: MigrationVersion, description: String, checksum: Digest, in db: Database) throws {
        throw DatabaseError(message: "\(tableName) rows cannot be moved: the version is the identity")
    }

    /// The plan's row writes, plus the version-0 row when the table lacks it.
    public func record(_ actions: [RepairPlan.Action], current: [LedgerRow], migrations: MigrationSet, in db: Database) throws -> Int {
        let written = try recordRowByRow(actions, current: current, in: db)
        // createTable wrote row 0 itself.
        if actions.contains(where: { $0.kind == .createLedger }) { return written + 1 }
        let zero = try Bool.fetchOne(db, sql: "SELECT count(*) > 0 FROM \(tableName) WHERE version_id = 0") ?? false
        guard !zero else { return written }
        try db.execute(sql: "INSERT INTO \(tableName) (version_id, is_applied) VALUES (?, ?)", arguments: [0, true])
        return written + 1
    }

    public func cannotRecord(applied versions: [MigrationVersion], migrations: MigrationSet) -> RepairPlan.Blocker? {
        guard !allowMissing else { return nil }
        return RepairPlan.missingBelowNewestBlocker(applied: versions, migrations: migrations,
                                                    refusal: "goose refuses missing migrations below its newest recorded version",
                                                    alternatives: ", or --allow-missing if goose runs with -allow-missing")
    }

    /// goose's `up`: no version-0 row (provider), then missing migrations unless allowed.
    public func startupProblem(rows: [LedgerRow], migrations: MigrationSet, ignoreMissing: Bool) -> String? {
        if !allowMissing, let missing = RepairPlan.missingBelowNewest(applied: rows.map(\.version), migrations: migrations) {
            return "error: found \(missing.count) missing migrations before current version \(rows.map(\.version).max() ?? 0)"
        }
        return nil
    }
}

/// A goose SQL file as goose's `sqlparser.ParseSQLMigration` reads it, going up.
struct GooseSQL: Equatable {
    /// The Up statements, each as goose sends it (trimmed).
    var up: [String]
    /// False with `-- +goose NO TRANSACTION`.
    var useTransaction: Bool

    /// Why goose rejects a file.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private enum State { case start, up, beginUp, endUp, down, beginDown, endDown }

    /// Parses `text` with goose's state machine (direction up; ENVSUB is refused: the SQL would depend on the environment).
    static func parse(_ text: String) throws(Failure) -> GooseSQL {
        var state = State.start
        var useTransaction = true
        var statements: [String] = []
        var buffer = ""
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        for rawLine in lines {
            // bufio.Scanner's ScanLines drops a trailing \r.
            let line = rawLine.hasSuffix("\r") ? String(rawLine.dropLast()) : rawLine
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if state == .start && trimmed.isEmpty { continue }
            if trimmed.hasPrefix("--") && line.contains("+goose") {
                if line.hasPrefix(" ") || line.hasPrefix("\t") {
                    throw Failure(description: "annotation \"\(line)\" has leading whitespace")
                }
                let command = line.replacingOccurrences(of: "--", with: "").replacingOccurrences(of: "+goose", with: "")
                    .trimmingCharacters(in: .whitespaces).uppercased()
                switch command {
                case "UP":
                    guard state == .start else { throw Failure(description: "duplicate '-- +goose Up' annotations") }
                    state = .up
                    continue
                case "DOWN":
                    guard state == .up || state == .endUp else { throw Failure(description: "must start with '-- +goose Up' annotation") }
                    if !buffer.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                        throw Failure(description: "unfinished SQL before '-- +goose Down': missing semicolon?")
                    }
                    state = .down
                    continue
                case "STATEMENTBEGIN":
                    switch state {
                    case .up, .endUp: state = .beginUp
                    case .down, .endDown: state = .beginDown
                    default: throw Failure(description: "'-- +goose StatementBegin' must be defined after '-- +goose Up' or '-- +goose Down'")
                    }
                    continue
                case "STATEMENTEND":
                    switch state {
                    case .beginUp: state = .endUp
                    case .beginDown: state = .endDown
                    default: throw Failure(description: "'-- +goose StatementEnd' must be defined after '-- +goose StatementBegin'")
                    }
                case "NO TRANSACTION":
                    useTransaction = false
                    continue
                case "ENVSUB OFF":
                    continue
                case "ENVSUB ON":
                    throw Failure(description: "-- +goose \(command): the SQL depends on environment variables, which schema-reconcile does not read")
                default:
                    throw Failure(description: "unknown annotation \"\(line)\"")
                }
            }
            if buffer.isEmpty && (trimmed.hasPrefix("--") || line.isEmpty) { continue }
            if state != .endUp && state != .endDown { buffer += line + "\n" }
            switch state {
            case .up, .beginUp, .endUp: break
            case .down, .beginDown, .endDown:
                buffer = ""
                continue
            case .start:
                throw Failure(description: "failed to parse migration: unexpected line \"\(line)\": a file must start with '-- +goose Up'")
            }
            switch state {
            case .up where endsWithSemicolon(line):
                statements.append(buffer.trimmingCharacters(in: .whitespacesAndNewlines))
                buffer = ""
            case .endUp:
                statements.append(buffer.trimmingCharacters(in: .whitespacesAndNewlines))
                buffer = ""
                state = .up
            default: break
            }
        }
        switch state {
        case .start: throw Failure(description: "failed to parse migration: must start with '-- +goose Up' annotation")
        case .beginUp, .beginDown: throw Failure(description: "failed to parse migration: missing '-- +goose StatementEnd' annotation")
        default: break
        }
        if !buffer.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw Failure(description: "unexpected unfinished SQL query: missing semicolon?")
        }
        return GooseSQL(up: statements, useTransaction: useTransaction)
    }

    /// goose's `endsWithSemicolon`: the last whitespace-separated word before a `--` word ends with `;`.
    static func endsWithSemicolon(_ line: String) -> Bool {
        var previous = ""
        for word in line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }) {
            if word.hasPrefix("--") { break }
            previous = String(word)
        }
        return previous.hasSuffix(";")
    }
}
