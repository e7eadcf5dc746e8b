import Foundation
import GRDB

/// dbmate (amacneil/dbmate, `pkg/driver/sqlite`, `pkg/dbmate/migration.go`): files matching
/// `^(\d+).*\.sql$` with `-- migrate:up` / `-- migrate:down` sections, and `schema_migrations
/// (version varchar(128) primary key)` holding one row per applied version, as the digits' text.
///
/// Only the up sections replay; `-- migrate:up transaction:false` runs outside a transaction.
/// dbmate has no checksum: a row's identity is its version text, so a row whose text is not the
/// file's own (`1` for `0001`) is one dbmate does not count, and repair rewrites its text. dbmate
/// orders files by name; a folder whose name order differs from the numeric order is refused.
///
/// ```swift
/// let reconciler = try Reconciler(migrationsFolder: folder, dialect: Dbmate())
/// ```
public struct Dbmate: MigrationDialect, RowLedger, Hashable {
    public static let defaultTableName = "schema_migrations"
    public let tableName: String
    /// Each bundled version's text, as its file name spells it (``reading(_:)``).
    var versionTexts: [MigrationVersion: String] = [:]

    public init() { self.tableName = Self.defaultTableName }

    /// A ledger under another name (`--migrations-table`); dbmate quotes it.
    public init(tableName: String) throws(SQLxLedger.InvalidTableName) {
        self.tableName = try GolangMigrate(tableName: tableName).tableName
    }

    public var name: String { "dbmate" }
    public var defaultLedgerTable: String { Self.defaultTableName }
    private var quoted: String { "\"\(tableName)\"" }

    public func renamingTable(to name: String) throws -> any MigrationDialect { try Dbmate(tableName: name) }

    public func reading(_ migrations: MigrationSet) -> any LedgerDialect {
        var bound = self
        for migration in migrations.applying { bound.versionTexts[migration.version] = Self.digits(of: migration.fileName) }
        return bound
    }

    /// dbmate's `CreateMigrationsTable`.
    public var createTableSQL: String { "create table if not exists \(quoted) (version varchar(128) primary key)" }

    // MARK: - Layout

    /// `migrationFileRegexp` `^(\d+).*\.sql$`: the leading digits, or nil when dbmate skips the file.
    static func digits(of fileName: String) -> String? {
        guard fileName.hasSuffix(".sql") else { return nil }
        let digits = fileName.prefix { $0.isASCII && $0.isNumber }
        return digits.isEmpty ? nil : String(digits)
    }

    public func recognises(_ folder: URL) -> Bool { claimsExclusively(folder) }

    /// Whether some migration file has a `-- migrate:up` directive.
    public func claimsExclusively(_ folder: URL) -> Bool {
        FolderScan.someFile(in: folder, named: { Self.digits(of: $0) != nil }, holding: "migrate:up") { bytes in
            !Self.directives("up", in: bytes[...]).isEmpty
        }
    }

    /// Where dbmate's `(?m)^--\s*migrate:<word>(\s*$|\s+\S+)` matches in `text` (taken as the whole
    /// text): the offsets of each match's `--`.
    ///
    /// The pattern is read as Go's regexp package reads it, since dbmate is Go: `^` is the start of
    /// the text or just after a `\n` (not a lone `\r`), `\s` is ASCII `[\t\n\f\r ]` (no `\v`, no
    /// U+00A0), and `$` is before a `\n` or at the end. After the word one of the two alternatives
    /// matches exactly when the end of the text or a `\s` byte follows (`\s*$` when the blanks reach a
    /// line end or the end, `\s+\S+` when something follows them on the line), so that is what is
    /// tested. A match ends on its word's line, so a match found at each line start never overlaps the last.
    static func directives(_ word: String, in text: ArraySlice<UInt8>) -> [Int] {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0C || byte == 0x0D }
        let name = Array("migrate:\(word)".utf8)
        var found: [Int] = []
        var lineStart = text.startIndex
        while lineStart < text.endIndex {
            var cursor = lineStart
            if text.endIndex - cursor >= 2, text[cursor] == UInt8(ascii: "-"), text[cursor + 1] == UInt8(ascii: "-") {
                cursor += 2
                while cursor < text.endIndex, isSpace(text[cursor]) { cursor += 1 }
                if text.endIndex - cursor >= name.count, text[cursor..<(cursor + name.count)].elementsEqual(name) {
                    cursor += name.count
                    if cursor == text.endIndex || isSpace(text[cursor]) { found.append(lineStart) }
                }
            }
            // The next line starts after the next newline at or after this line's start.
            guard let newline = text[lineStart...].firstIndex(of: 0x0A) else { break }
            lineStart = newline + 1
        }
        return found
    }

    /// dbmate's `parseMigrationContents`, up sections only: (the up SQL, whether it runs in a transaction).
    static func parse(_ text: String) throws(GooseSQL.Failure) -> (up: String, transaction: Bool) {
        let bytes = Array(text.utf8)
        let ups = directives("up", in: bytes[...])
        guard let first = ups.first else {
            throw GooseSQL.Failure(description: "dbmate requires each migration to define an up block with '-- migrate:up'")
        }
        // Every offset found is a `-` at a line start, so each slice below is whole UTF-8.
        let preamble = String(decoding: bytes[..<first], as: UTF8.self)
        if preamble.split(separator: "\n", omittingEmptySubsequences: false).contains(where: { line in
            let bare = line.trimmingCharacters(in: .whitespaces)
            return !bare.isEmpty && !bare.hasPrefix("--")
        }) {
            throw GooseSQL.Failure(description: "dbmate does not support statements preceding the '-- migrate:up' block")
        }
        var up = ""
        var transaction = true
        for (index, start) in ups.enumerated() {
            let end = index + 1 < ups.count ? ups[index + 1] : bytes.count
            let downs = directives("down", in: bytes[start..<end])
            guard let down = downs.first else {
                throw GooseSQL.Failure(description: "dbmate requires each migration to define a down block with '-- migrate:down'")
            }
            guard downs.count == 1 else {
                throw GooseSQL.Failure(description: "dbmate requires every '-- migrate:down' to be preceded by a '-- migrate:up'")
            }
            let block = String(decoding: bytes[start..<down], as: UTF8.self)
            // Options sit on the directive line: `-- migrate:up transaction:false`.
            let directive = block.prefix { $0 != "\n" }
            if directive.split(whereSeparator: \.isWhitespace).contains(where: { $0 == "transaction:false" }) { transaction = false }
            up += block
        }
        return (up, transaction)
    }

    public func loadMigrations(from folder: URL, ignoredCharacters: Set<Unicode.Scalar>) throws -> MigrationSet {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder.path) } catch {
            throw MigrationSetError.folderMissing(path: folder.path)
        }
        var migrations: [Migration] = []
        for fileName in names.sorted() {
            guard let digits = Self.digits(of: fileName) else { continue }
            let url = folder.appendingPathComponent(fileName)
            guard let number = Int64(digits) else { throw MigrationSetError.unparsableVersion(path: url.path, prefix: digits) }
            let version = MigrationVersion(number)
            let text = try MigrationSet.readUTF8(url)
            let parsed: (up: String, transaction: Bool)
            do { parsed = try Self.parse(text) } catch { throw MigrationSetError.fileUnreadable(path: url.path, reason: error.description) }
            let description = String(fileName.dropFirst(digits.count).dropLast(4)).trimmingCharacters(in: CharacterSet(charactersIn: "_"))
            migrations.append(Migration(version: version, description: description, kind: .simple, fileName: fileName, url: url,
                                        sql: parsed.up, checksum: Self.identity(of: digits), noTransaction: !parsed.transaction))
        }
        guard !migrations.isEmpty else { throw MigrationSetError.noMigrations(path: folder.path) }
        let set = try MigrationSet(folder: folder, migrations: migrations)
        // dbmate runs files in name order; the engine in numeric order. They must agree.
        for (earlier, later) in zip(set.applying, set.applying.dropFirst()) where later.fileName < earlier.fileName {
            throw MigrationSetError.fileUnreadable(path: later.url.path, reason: "dbmate runs it before \(earlier.fileName) (file-name order), "
                + "which has the lower version; pad the versions to one width")
        }
        return set
    }

    /// A row's identity: its version text (dbmate compares text, so `1` is not `0001`).
    static func identity(of text: String) -> Digest { Digest.sha384(of: Array("dbmate version \(text)".utf8)) }

    // MARK: - Reading

    /// `schema_migrations` with a `version` column and no `dirty` (golang-migrate's has one).
    public func holdsLedger(_ db: Database) throws -> Bool { Self.holds(columns: try Self.columnNames(tableName, in: db)) }

    /// Whether a table with these columns (none: no table) is this tool's ledger.
    static func holds(columns names: [String]) -> Bool {
        TableColumn.names(names, include: ["version"], exclude: ["dirty"])
    }

    /// `select version from t order by version desc`, each text a row; text that is no number is dbmate's business only.
    public func read(_ db: Database) throws -> LedgerState {
        let columns = try Self.columnNames(tableName, in: db)
        guard !columns.isEmpty else { return .absent }
        guard Self.holds(columns: columns) else {
            return .unusable(reason: "ledger table \(tableName) has no version column, or has golang-migrate's dirty column")
        }
        var problems: [String] = []
        var rows: [LedgerRow] = []
        for value in try DatabaseValue.fetchAll(db, sql: "SELECT version FROM main.\(quoted) ORDER BY version") {
            let text: String
            switch value.storage {
            case .string(let string): text = string
            case .int64(let number): text = String(number)
            default:
                problems.append("a row holds version \(value.description), which dbmate reads as no migration")
                continue
            }
            guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int64(text) else {
                problems.append("a row holds version \"\(text)\", which names no file dbmate could have")
                continue
            }
            rows.append(LedgerRow(version: MigrationVersion(number), description: text, checksum: Self.identity(of: text)))
        }
        rows.sort { $0.version < $1.version }
        return .present(LedgerContents(rows: rows, columns: columns, problems: problems))
    }

    // MARK: - Writing

    public func createTable(_ db: Database) throws { try db.execute(sql: createTableSQL) }

    /// dbmate's `InsertMigration`, with the file's own version text.
    public func insert(_ row: LedgerRow, in db: Database) throws {
        try db.execute(sql: "insert into \(quoted) (version) values (?)", arguments: [text(of: row.version)])
    }

    /// A row whose text is not its file's (`1` for `0001`) gets the file's text: then dbmate counts it.
    public func update(version: MigrationVersion, success: Bool, checksum: Digest, in db: Database) throws {
        try db.execute(sql: "UPDATE \(quoted) SET version = ? WHERE CAST(version AS INTEGER) = ? AND version <> ?",
                       arguments: [text(of: version), version.integer, text(of: version)])
    }

    /// dbmate's `DeleteMigration` (what `rollback` runs), for every text naming the version.
    public func delete(version: MigrationVersion, in db: Database) throws {
        try db.execute(sql: "delete from \(quoted) where CAST(version AS INTEGER) = ? AND version GLOB '[0-9]*'", arguments: [version])
    }

    /// A row's version is its identity; nothing is refiled.
    public func move(version: MigrationVersion, to newVersion: MigrationVersion, description: String, checksum: Digest, in db: Database) throws {
        throw DatabaseError(message: "\(tableName) rows cannot be moved: the version is the identity")
    }

    private func text(of version: MigrationVersion) -> String { versionTexts[version] ?? version.description }
}
