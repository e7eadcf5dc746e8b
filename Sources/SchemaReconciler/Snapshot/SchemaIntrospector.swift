import Crypto
import Foundation
import GRDB
import GRDBSQLite

/// What a snapshot leaves out or adds beyond the objects in `sqlite_schema`.
///
/// ```swift
/// let options = SnapshotOptions(ledgerTable: "_sqlx_migrations", ignored: [NamePattern("cache_*")])
/// ```
public struct SnapshotOptions: Sendable, Hashable {
    /// The ledger table (and nothing else of the migrator) is excluded from the snapshot.
    public var ledgerTable: String
    /// Objects whose names match are not part of the migrated schema.
    public var ignored: [NamePattern]
    /// Header pragmas that count, because some bundled migration sets them (`user_version`, `application_id`).
    public var trackedPragmas: [String]

    /// Creates options.
    public init(ledgerTable: String = SQLxLedger.defaultTableName, ignored: [NamePattern] = [],
                trackedPragmas: [String] = []) {
        self.ledgerTable = ledgerTable
        self.ignored = ignored
        self.trackedPragmas = trackedPragmas
    }

    /// Whether `name` is the ledger table's.
    func isLedger(_ name: String) -> Bool {
        SchemaObject.canonicalName(name) == SchemaObject.canonicalName(ledgerTable)
    }

    /// Whether an object name is outside the migrated schema.
    func excludes(_ name: String) -> Bool {
        let folded = SchemaObject.canonicalName(name)
        return folded.hasPrefix("sqlite_") || folded == SchemaObject.canonicalName(ledgerTable)
            || ignored.contains { $0.matches(canonical: folded) }
    }
}

/// Reads a canonical ``SchemaSnapshot`` from a database connection.
///
/// Structure comes from pragmas first (`table_xinfo`, `index_list`, `index_xinfo`,
/// `foreign_key_list`, `table_list`, column metadata) and from the SQL text only where no pragma
/// exposes a property. Objects are cached by their `sqlite_schema` text: SQLite derives an object's
/// structure from that text alone, so an object whose text did not change is not read again. Reuse
/// one introspector across the steps of a replay to make it incremental.
///
/// ```swift
/// var introspector = SchemaIntrospector()
/// let snapshot = try dbQueue.read { db in try introspector.snapshot(of: db) }
/// ```
struct SchemaIntrospector: Sendable {
    /// What to exclude and track.
    public let options: SnapshotOptions
    private var cache: [CacheKey: Entry] = [:]
    /// How many objects were read through pragmas (not served from the cache); for tests and benchmarks.
    public private(set) var introspectedObjectCount = 0
    /// Every object read through pragmas so far, by its `sqlite_schema` text (for the fingerprint lock).
    public private(set) var learned: [KnownObject] = []
    /// Whether the stored texts met are kept: in ``learned`` (for a lock), in the cache (to know an
    /// object whose text comes back), and with each live row (to see which rows a step changed).
    ///
    /// A replay for a report alone writes no lock and reads no database. Without texts it keeps a
    /// SHA-256 of each live row's text instead (as fingerprints trust SHA-256 to tell schemas apart),
    /// and reads a text that comes back through pragmas again: the texts were its largest strings.
    var keepsTexts = true

    /// An object's canonical form for one exact `sqlite_schema` row, so it need not be read again.
    ///
    /// SQLite derives an object's structure from its stored text alone, so the same text always
    /// gives the same object; the lock records these to make a healthy check pragma-free.
    public struct KnownObject: Sendable, Hashable, Codable {
        public var type: String
        public var name: String
        public var sql: String?
        /// The canonical object; nil for a virtual table's shadow table.
        public var object: SchemaObject?
    }

    /// One exact `sqlite_schema` row, compared byte for byte as SQLite compares texts (Swift's `==`
    /// would equate canonically equivalent spellings SQLite keeps apart). The hash takes the text's
    /// length and its first and last 64 bytes, not all of it: a healthy check looks up every row of
    /// the schema, and hashing whole texts was a twentieth of its instructions; texts that agree in
    /// length and both ends still compare unequal, only in the same bucket.
    private struct CacheKey: Hashable {
        var type: String
        var name: String
        var sql: String?

        static func == (lhs: CacheKey, rhs: CacheKey) -> Bool {
            UTF8Bytes.equal(lhs.type, rhs.type) && UTF8Bytes.equal(lhs.name, rhs.name)
                && (lhs.sql == nil) == (rhs.sql == nil) && UTF8Bytes.equal(lhs.sql ?? "", rhs.sql ?? "")
        }

        func hash(into hasher: inout Hasher) {
            UTF8Bytes.with(type) { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
            UTF8Bytes.with(name) { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
            guard let sql else {
                hasher.combine(-1)
                return
            }
            UTF8Bytes.with(sql) { bytes in
                hasher.combine(bytes.count)
                let sample = 64
                if bytes.count <= 2 * sample {
                    hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
                } else {
                    hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes.prefix(sample))))
                    hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes.suffix(sample))))
                }
            }
        }
    }

    private enum Entry {
        case object(SchemaObject)
        case shadow
    }

    /// Creates an introspector, optionally knowing objects already (from a fingerprint lock).
    public init(options: SnapshotOptions = SnapshotOptions(), known: [KnownObject] = []) {
        self.options = options
        cache.reserveCapacity(known.count)
        for entry in known {
            cache[CacheKey(type: entry.type, name: entry.name, sql: entry.sql)] = entry.object.map(Entry.object) ?? .shadow
        }
    }

    /// Takes a snapshot of the `main` schema of `db`.
    public mutating func snapshot(of db: Database) throws -> SchemaSnapshot {
        var objects: [ObjectKey: SchemaObject] = [:]
        var shadows: [String] = []
        var notes: [String] = []
        let rows = try Self.schemaRows(db)
        for row in rows {
            let (type, name, tableName, sql) = row
            let entry: Entry?
            if options.excludes(name) || (type == "index" && tableName.map(options.isLedger) == true) {
                // The ledger's own indexes (golang-migrate's `version_unique`) belong to the ledger.
                entry = nil
            } else {
                entry = try cachedEntry(db, type: type, name: name, tableName: tableName, sql: sql)
            }
            switch entry {
            case .object(let object)?:
                objects[object.key] = object
                notes.append(contentsOf: object.notes.map { "\(object.key): \($0)" })
            case .shadow?:
                shadows.append(name)
            case nil:
                break
            }
        }
        // Neither pruned nor remembered by rowid, unlike a replay's refresh(_:): a snapshot reads one
        // database, through a copy of the reconciler's introspector that is dropped after it; pruning
        // rebuilt the whole table of a lock that knows every version's objects on each read.
        attributeShadowTables(shadows, to: &objects)
        // Only these two header values can be tracked; the names come from a lock file, so check them.
        for pragma in options.trackedPragmas where pragma == "user_version" || pragma == "application_id" {
            let value = try String.fetchOne(db, sql: "PRAGMA main.\(pragma)") ?? ""
            let object = SchemaObject(kind: .pragma, name: pragma, facets: [.init("value", value)])
            objects[object.key] = object
        }
        return SchemaSnapshot(objects: objects, notes: notes)
    }

    // MARK: - Incremental replay

    /// One `sqlite_schema` row of the live schema, and what it made.
    private struct LiveRow {
        var rowid: Int64
        var type: String
        var name: String
        /// The stored text (nil for SQL NULL); dropped once the row is live when ``keepsTexts`` is false.
        var sql: String?
        var entry: Entry?
        /// The text's length and SHA-256 when the text itself is not kept (nil for SQL NULL).
        var sqlDigest: TextDigest?

        /// This row holding only its text's digest.
        func digested() -> LiveRow {
            var row = self
            row.sqlDigest = sql.map { text in
                var text = text
                return text.withUTF8 { TextDigest(of: UnsafeRawBufferPointer($0)) }
            }
            row.sql = nil
            return row
        }
    }

    /// A text's length and SHA-256, held inline (no allocation per row).
    private struct TextDigest: Hashable, Sendable {
        var count: Int
        private var a: UInt64, b: UInt64, c: UInt64, d: UInt64

        init(of bytes: UnsafeRawBufferPointer) {
            count = bytes.count
            var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
            SHA256.hash(data: bytes).withUnsafeBytes { digest in
                withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: digest) }
            }
            (a, b, c, d) = words
        }
    }

    /// The live schema of a replay, kept between ``refresh(_:)`` calls: its rows in rowid order, its
    /// objects, and the lines of the combined hash in key order, so a step costs what it changed.
    private var liveRows: [LiveRow] = []
    /// The objects of the live schema (tracked pragmas included), as a full snapshot would hold them.
    private(set) var liveObjects: [ObjectKey: SchemaObject] = [:]
    private var hashLines: [(key: ObjectKey, line: [UInt8])] = []
    /// The combined hash of ``liveObjects``: the fingerprint a full snapshot of the database gives.
    private(set) var liveHash = SchemaSnapshot.combinedHash([:])

    /// The live schema as a snapshot (notes in `sqlite_schema` order, as ``snapshot(of:)`` gives them).
    var liveSnapshot: SchemaSnapshot {
        var notes: [String] = []
        for row in liveRows {
            if case .object(let object)? = row.entry { notes.append(contentsOf: object.notes.map { "\(object.key): \($0)" }) }
        }
        return SchemaSnapshot(objects: liveObjects, notes: notes)
    }

    /// Brings the live schema up to date with `db` and returns what changed since the last call.
    ///
    /// Only rows whose rowid, type, name or text differ from the last call are decoded and read
    /// (compared as bytes, in SQLite's buffers); the diff and the hash cover only the keys they touch.
    /// The result equals `SchemaDiff(from:to:)` of two full snapshots, and ``liveHash`` their hash.
    mutating func refresh(_ db: Database) throws -> SchemaDiff {
        let (fresh, gone) = try changedRows(db)
        var before: [ObjectKey: SchemaObject?] = [:]
        var shadowsMoved = false
        func note(_ key: ObjectKey) {
            if before[key] == nil { before[key] = .some(liveObjects[key]) }
        }
        // Everything that left first: a rebuild renames a new table onto a name an old row held.
        for index in gone.map({ $0.index }) + fresh.compactMap({ $0.index }) {
            switch liveRows[index].entry {
            case .object(let object)?:
                note(object.key)
                liveObjects[object.key] = nil
            case .shadow?: shadowsMoved = true
            case nil: break
            }
        }
        var inserted: [LiveRow] = []
        for (index, row, tableName) in fresh {
            var row = row
            if options.excludes(row.name) || (row.type == "index" && tableName.map(options.isLedger) == true) {
                row.entry = nil
            } else {
                // The object this row replaces, if it had the same name: the new one shares its strings.
                let kind: SchemaObject.Kind? = switch row.type {
                case "table": .table
                case "index": .index
                case "view": .view
                case "trigger": .trigger
                default: nil
                }
                let older = kind.flatMap { before[ObjectKey(kind: $0, name: row.name)] ?? nil }
                row.entry = try cachedEntry(db, type: row.type, name: row.name, tableName: tableName, sql: row.sql, like: older)
            }
            switch row.entry {
            case .object(let object)?:
                note(object.key)
                liveObjects[object.key] = object
                if object.kind == .virtualTable { shadowsMoved = true }
            case .shadow?: shadowsMoved = true
            case nil: break
            }
            if !keepsTexts { row = row.digested() }
            if let index { liveRows[index] = row } else { inserted.append(row) }
        }
        if !gone.isEmpty {
            let removed = Set(gone.map { $0.index })
            var kept: [LiveRow] = []
            kept.reserveCapacity(liveRows.count - removed.count + inserted.count)
            for (index, row) in liveRows.enumerated() where !removed.contains(index) { kept.append(row) }
            liveRows = kept
        }
        if !inserted.isEmpty {
            let sorted = liveRows.last.map { last in inserted.allSatisfy { $0.rowid > last.rowid } } ?? true
            liveRows.append(contentsOf: inserted)
            if !sorted { liveRows.sort { $0.rowid < $1.rowid } }
        }
        if keepsTexts, !fresh.isEmpty || !gone.isEmpty {
            let live = liveRows.count
            if cache.count > live * 2 + 64 {
                let keys = Set(liveRows.map { CacheKey(type: $0.type, name: $0.name, sql: $0.sql) })
                cache = cache.filter { keys.contains($0.key) }
            }
        }
        if shadowsMoved { attributeLiveShadowTables() }
        for pragma in options.trackedPragmas where pragma == "user_version" || pragma == "application_id" {
            let value = try String.fetchOne(db, sql: "PRAGMA main.\(pragma)") ?? ""
            let object = SchemaObject(kind: .pragma, name: pragma, facets: [.init("value", value)])
            if liveObjects[object.key]?.hash != object.hash {
                note(object.key)
                liveObjects[object.key] = object
            }
        }
        return applyToHash(before)
    }

    /// The rows that are new or rewritten (with the index of the row they replace) and the indexes of
    /// rows gone; unchanged rows are compared in place and never decoded.
    private func changedRows(_ db: Database) throws
        -> (fresh: [(index: Int?, row: LiveRow, tableName: String?)], gone: [(index: Int, rowid: Int64)]) {
        var statement: OpaquePointer?
        let query = "SELECT rowid, type, name, tbl_name, sql FROM main.sqlite_schema ORDER BY rowid"
        var code = sqlite3_prepare_v2(db.sqliteConnection, query, -1, &statement, nil)
        guard code == SQLITE_OK, let statement else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
        defer { sqlite3_finalize(statement) }
        func text(_ column: Int32) -> String? {
            sqlite3_column_text(statement, column).map { String(cString: $0) }
        }
        func same(_ value: String?, _ column: Int32) -> Bool {
            guard let pointer = sqlite3_column_text(statement, column) else { return value == nil }
            guard var value else { return false }
            let count = Int(sqlite3_column_bytes(statement, column))
            return value.withUTF8 { buffer in
                buffer.count == count && (count == 0 || memcmp(buffer.baseAddress!, pointer, count) == 0)
            }
        }
        func sameDigest(_ digest: TextDigest?, _ column: Int32) -> Bool {
            guard let pointer = sqlite3_column_text(statement, column) else { return digest == nil }
            guard let digest else { return false }
            let count = Int(sqlite3_column_bytes(statement, column))
            return count == digest.count && TextDigest(of: UnsafeRawBufferPointer(start: pointer, count: count)) == digest
        }
        var fresh: [(index: Int?, row: LiveRow, tableName: String?)] = []
        var gone: [(index: Int, rowid: Int64)] = []
        var position = 0
        while true {
            code = sqlite3_step(statement)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
            }
            let rowid = sqlite3_column_int64(statement, 0)
            while position < liveRows.count, liveRows[position].rowid < rowid {
                gone.append((position, liveRows[position].rowid))
                position += 1
            }
            var replaced: Int?
            if position < liveRows.count, liveRows[position].rowid == rowid {
                let row = liveRows[position]
                replaced = position
                position += 1
                if keepsTexts ? same(row.sql, 4) : sameDigest(row.sqlDigest, 4), same(row.name, 2), same(row.type, 1) { continue }
            }
            fresh.append((replaced, LiveRow(rowid: rowid, type: text(1) ?? "", name: text(2) ?? "", sql: text(4), entry: nil), text(3)))
        }
        while position < liveRows.count {
            gone.append((position, liveRows[position].rowid))
            position += 1
        }
        return (fresh, gone)
    }

    /// Shadow tables belong to the virtual table whose name prefixes theirs (not hashed: the hash stays).
    private mutating func attributeLiveShadowTables() {
        var shadows: [String] = []
        var virtualTables: [SchemaObject] = []
        for row in liveRows {
            switch row.entry {
            case .shadow?: shadows.append(row.name)
            case .object(let object)? where object.kind == .virtualTable: virtualTables.append(object)
            default: break
            }
        }
        for vtab in virtualTables {
            let prefix = SchemaObject.canonicalName(vtab.name) + "_"
            let owned = shadows.filter { SchemaObject.canonicalName($0).hasPrefix(prefix) }.sorted()
            liveObjects[vtab.key] = owned.isEmpty ? vtab : vtab.owning(shadowTables: owned)
        }
    }

    /// Diffs the touched keys against their values before this refresh and updates the combined hash.
    private mutating func applyToHash(_ before: [ObjectKey: SchemaObject?]) -> SchemaDiff {
        var added: [SchemaObject] = []
        var removed: [SchemaObject] = []
        var changed: [SchemaDiff.Change] = []
        for (key, old) in before {
            let new = liveObjects[key]
            switch (old, new) {
            case (nil, let new?):
                added.append(new)
                insertLine(for: new)
            case (let old?, nil):
                removed.append(old)
                removeLine(for: key)
            case (let old?, let new?) where old.hash != new.hash:
                changed.append(SchemaDiff.Change(key: key, name: new.name, facetChanges: SchemaDiff.facetChanges(old, new), object: new))
                removeLine(for: key)
                insertLine(for: new)
            default:
                break
            }
        }
        let diff = SchemaDiff(added: added.sorted { $0.key < $1.key }, removed: removed.sorted { $0.key < $1.key },
                              changed: changed.sorted { $0.key < $1.key })
        if !diff.isEmpty { liveHash = SchemaSnapshot.combinedHash(lines: hashLines.lazy.map { $0.line }) }
        return diff
    }

    /// The first position whose key is not below `key`.
    private func linePosition(of key: ObjectKey) -> Int {
        var low = 0, high = hashLines.count
        while low < high {
            let middle = (low + high) / 2
            if hashLines[middle].key < key { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private mutating func insertLine(for object: SchemaObject) {
        hashLines.insert((object.key, SchemaSnapshot.hashLine(object.key, object.hash)), at: linePosition(of: object.key))
    }

    private mutating func removeLine(for key: ObjectKey) {
        let position = linePosition(of: key)
        if position < hashLines.count, hashLines[position].key == key { hashLines.remove(at: position) }
    }

    // MARK: - Objects

    /// `sqlite_schema` rows through the C API: GRDB's row decoding and region tracking cost more than
    /// the query itself.
    static func schemaRows(_ db: Database) throws -> [(type: String, name: String, tableName: String?, sql: String?)] {
        var rows: [(type: String, name: String, tableName: String?, sql: String?)] = []
        try RawStatement.forEachRow(db, "SELECT type, name, tbl_name, sql FROM main.sqlite_schema") { statement in
            rows.append((RawStatement.text(statement, 0) ?? "", RawStatement.text(statement, 1) ?? "",
                         RawStatement.text(statement, 2), RawStatement.text(statement, 3)))
        }
        return rows
    }

    /// The object for one row: from the cache when its exact text was seen before, else read through pragmas.
    private mutating func cachedEntry(_ db: Database, type: String, name: String, tableName: String?, sql: String?,
                                      like older: SchemaObject? = nil) throws -> Entry {
        let key = CacheKey(type: type, name: name, sql: sql)
        if keepsTexts, let cached = cache[key] { return cached }
        var entry = try read(db, type: type, name: name, tableName: tableName, sql: sql)
        if case .object(let object) = entry, let older, older.kind == object.kind {
            entry = .object(object.sharingFacets(with: older))
        }
        introspectedObjectCount += 1
        guard keepsTexts else { return entry }
        cache[key] = entry
        switch entry {
        case .object(let object): learned.append(KnownObject(type: type, name: name, sql: sql, object: object))
        case .shadow: learned.append(KnownObject(type: type, name: name, sql: sql, object: nil))
        }
        return entry
    }

    private func read(_ db: Database, type: String, name: String, tableName: String?, sql: String?) throws -> Entry {
        let sqlText = sql ?? ""
        switch type {
        case "table":
            if SQLTokenizer.tokens(in: sqlText).dropFirst().first?.canonical == "VIRTUAL" {
                return .object(SchemaObject(kind: .virtualTable, name: name,
                                            facets: [.init("definition", Self.definition(sqlText))]))
            }
            return try readTable(db, name: name, sql: sqlText)
        case "index":
            return .object(SchemaObject(kind: .index, name: name, tableName: tableName, facets: [
                .init("table", SchemaObject.canonicalName(tableName ?? "")),
                .init("definition", Self.definition(sqlText)),
            ]))
        case "view":
            return .object(SchemaObject(kind: .view, name: name, facets: [.init("definition", Self.definition(sqlText))]))
        case "trigger":
            return .object(SchemaObject(kind: .trigger, name: name, tableName: tableName, facets: [
                .init("table", SchemaObject.canonicalName(tableName ?? "")),
                .init("definition", Self.definition(sqlText)),
            ]))
        default:
            return .object(SchemaObject(kind: .table, name: name, facets: [.init("definition", Self.definition(sqlText))],
                                        notes: ["unknown sqlite_schema type \(type); compared by SQL text"]))
        }
    }

    /// Normalised SQL text (SQLite already drops `IF NOT EXISTS` and `TEMP` when it stores a statement).
    static func definition(_ sql: String) -> String {
        SQLTokenizer.normalized(sql)
    }

    private func readTable(_ db: Database, name: String, sql: String) throws -> Entry {
        do {
            let info = try Row.fetchOne(db, sql: "SELECT type, wr, strict FROM pragma_table_list(?) WHERE schema = 'main'",
                                        arguments: [name])
            if let info, (info[0] as String?) == "shadow" { return .shadow }
            let withoutRowID = (info?[1] as Int?) == 1
            let strict = (info?[2] as Int?) == 1
            return .object(try tableObject(db, name: name, sql: sql, withoutRowID: withoutRowID, strict: strict))
        } catch let error as DatabaseError where error.resultCode == .SQLITE_ERROR {
            // A schema the pragmas cannot read (unknown module, unknown function) still gets a snapshot;
            // I/O errors, corruption and interruptions are not schema problems and propagate.
            return .object(SchemaObject(kind: .table, name: name, facets: [.init("definition", Self.definition(sql))],
                                        notes: ["pragmas failed (\(error.message ?? "\(error.resultCode)")); compared by normalised SQL text"]))
        }
    }

    private func tableObject(_ db: Database, name: String, sql: String, withoutRowID: Bool, strict: Bool) throws -> SchemaObject {
        let text = CreateTableStatement.parse(sql)
        var textColumns: [String: CreateTableStatement.Column] = [:]
        for column in text?.columns ?? [] { textColumns[SchemaObject.canonicalName(column.name)] = column }

        var facets: [SchemaObject.Facet] = []
        let columns = try Row.fetchAll(db, sql: """
            SELECT name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?, 'main') ORDER BY cid
            """, arguments: [name])
        facets.append(.init("columns", columns.map { SchemaObject.canonicalName($0[0] ?? "") }.joined(separator: ", ")))
        for column in columns {
            let columnName: String = column[0] ?? ""
            let folded = SchemaObject.canonicalName(columnName)
            var parts: [String] = []
            let declared = SQLTokenizer.normalized(column[1] ?? "")
            parts.append(declared.isEmpty ? "(no type)" : declared)
            let pk: Int = column[4] ?? 0
            if pk > 0 { parts.append("PRIMARY KEY \(pk)") }
            if (column[2] as Int?) == 1 { parts.append("NOT NULL") }
            if let defaultValue: String = column[3] { parts.append("DEFAULT \(SQLTokenizer.normalized(defaultValue))") }
            let metadata = Self.columnMetadata(db, table: name, column: columnName)
            if let collation = metadata.collation, SchemaObject.canonicalName(collation) != "binary" {
                parts.append("COLLATE \(collation.uppercased())")
            }
            if metadata.autoincrement { parts.append("AUTOINCREMENT") }
            let hidden: Int = column[5] ?? 0
            let textColumn = textColumns[folded]
            switch hidden {
            case 2: parts.append("GENERATED \(textColumn?.generatedExpression ?? "?") VIRTUAL")
            case 3: parts.append("GENERATED \(textColumn?.generatedExpression ?? "?") STORED")
            case 1: parts.append("HIDDEN")
            default: break
            }
            for check in textColumn?.checks ?? [] {
                if let checkName = check.name {
                    parts.append("CONSTRAINT \(checkName) CHECK\(check.expression)")
                } else {
                    parts.append("CHECK\(check.expression)")
                }
            }
            for named in textColumn?.namedConstraints ?? [] where !named.hasPrefix("CHECK ") {
                parts.append("NAMED \(named)")
            }
            facets.append(.init("column \(folded)", parts.joined(separator: " ")))
        }
        for check in text?.checks ?? [] {
            facets.append(.init("check \(check.expression)", check.name.map { "CONSTRAINT \($0)" } ?? "unnamed"))
        }
        for named in text?.namedConstraints ?? [] where !named.hasPrefix("CHECK ") {
            facets.append(.init("constraint \(named)", "named"))
        }
        facets.append(contentsOf: try autoIndexFacets(db, table: name))
        facets.append(contentsOf: try foreignKeyFacets(db, table: name))
        if withoutRowID { facets.append(.init("without rowid", "yes")) }
        if strict { facets.append(.init("strict", "yes")) }
        return SchemaObject(kind: .table, name: name, facets: facets)
    }

    /// UNIQUE and PRIMARY KEY constraints, identified by structure rather than by their
    /// `sqlite_autoindex_T_N` names, which depend on constraint order.
    private func autoIndexFacets(_ db: Database, table: String) throws -> [SchemaObject.Facet] {
        var facets: [SchemaObject.Facet] = []
        let indexes = try Row.fetchAll(db, sql: "SELECT name, origin FROM pragma_index_list(?, 'main') WHERE origin <> 'c'",
                                       arguments: [table])
        for index in indexes {
            let indexName: String = index[0] ?? ""
            let origin: String = index[1] ?? ""
            let columns = try Row.fetchAll(db, sql: """
                SELECT name, "desc", coll FROM pragma_index_xinfo(?, 'main') WHERE key = 1 ORDER BY seqno
                """, arguments: [indexName])
            let rendered = columns.map { column -> String in
                var text = SchemaObject.canonicalName(column[0] ?? "?")
                let collation: String = column[2] ?? "BINARY"
                if SchemaObject.canonicalName(collation) != "binary" { text += " COLLATE \(collation.uppercased())" }
                if (column[1] as Int?) == 1 { text += " DESC" }
                return text
            }.joined(separator: ", ")
            facets.append(.init("\(origin == "pk" ? "primary key" : "unique") (\(rendered))", "constraint"))
        }
        return facets.sorted { $0.label < $1.label }
    }

    private func foreignKeyFacets(_ db: Database, table: String) throws -> [SchemaObject.Facet] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT id, seq, "table", "from", "to", on_update, on_delete, "match"
            FROM pragma_foreign_key_list(?, 'main') ORDER BY id, seq
            """, arguments: [table])
        var groups: [Int: [Row]] = [:]
        for row in rows { groups[row[0] ?? 0, default: []].append(row) }
        var facets: [SchemaObject.Facet] = []
        for (_, keys) in groups {
            let from = keys.map { SchemaObject.canonicalName($0[3] ?? "") }.joined(separator: ", ")
            let parent = SchemaObject.canonicalName(keys[0][2] ?? "")
            let toColumns = keys.compactMap { ($0[4] as String?).map(SchemaObject.canonicalName) }
            let target = toColumns.isEmpty ? parent : "\(parent)(\(toColumns.joined(separator: ", ")))"
            let onUpdate: String = keys[0][5] ?? "NO ACTION"
            let onDelete: String = keys[0][6] ?? "NO ACTION"
            let match: String = keys[0][7] ?? "NONE"
            facets.append(.init("foreign key (\(from)) REFERENCES \(target)",
                                "ON UPDATE \(onUpdate) ON DELETE \(onDelete) MATCH \(match)"))
        }
        return facets.sorted { ($0.label, $0.value) < ($1.label, $1.value) }
    }

    /// Collation and AUTOINCREMENT as SQLite parsed them (`sqlite3_table_column_metadata`).
    static func columnMetadata(_ db: Database, table: String, column: String) -> (collation: String?, autoincrement: Bool) {
        var dataType: UnsafePointer<CChar>?
        var collation: UnsafePointer<CChar>?
        var notNull: Int32 = 0
        var primaryKey: Int32 = 0
        var autoincrement: Int32 = 0
        let code = sqlite3_table_column_metadata(db.sqliteConnection, "main", table, column,
                                                 &dataType, &collation, &notNull, &primaryKey, &autoincrement)
        guard code == SQLITE_OK else { return (nil, false) }
        return (collation.map { String(cString: $0) }, autoincrement != 0)
    }

    private func attributeShadowTables(_ shadows: [String], to objects: inout [ObjectKey: SchemaObject]) {
        guard !shadows.isEmpty else { return }
        let virtualTables = objects.values.filter { $0.kind == .virtualTable }
        for vtab in virtualTables {
            let prefix = SchemaObject.canonicalName(vtab.name) + "_"
            let owned = shadows.filter { SchemaObject.canonicalName($0).hasPrefix(prefix) }.sorted()
            guard !owned.isEmpty else { continue }
            objects[vtab.key] = vtab.owning(shadowTables: owned)
        }
    }
}
