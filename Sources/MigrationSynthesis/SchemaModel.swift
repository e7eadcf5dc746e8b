/// The generator's in-memory model of the schema a history has built so far.
///
/// Objects refer to tables and columns by stable ids, never by name, so renames only change one
/// field and every statement rendered later uses the current names (as SQLite itself rewrites
/// references on `ALTER TABLE ... RENAME`).

/// What kind of values a column holds; drives declared types, literals, defaults and checks.
enum ValueClass: Sendable, CaseIterable {
    case integer, real, numeric, text, boolean, timestamp, json, blob, any
}

/// A CHECK constraint on one column that mentions only that column.
enum ColumnCheck: Sendable {
    case nonNegative
    case range(Int, Int)
    case maxLength(Int)
    case oneOf([String])
    case boolean
    case jsonValid
    case blobLength(Int)
}

/// A column-level `REFERENCES` clause.
struct ForeignKey: Sendable {
    var table: Int
    var column: Int
    var onDelete: String
    var onUpdate: String?
}

/// A virtual generated column's expression over another column of the same table.
enum Generated: Sendable {
    case lower(Int)
    case doubled(Int)

    var source: Int {
        switch self {
        case .lower(let id), .doubled(let id): id
        }
    }
}

struct Column: Sendable {
    let id: Int
    var name: String
    var type: String
    var valueClass: ValueClass
    var notNull = false
    var defaultSQL: String?
    var defaultIsConstant = true
    var collation: String?
    var check: ColumnCheck?
    var checkName: String?
    var unique = false
    var primaryKey = false
    var autoincrement = false
    var references: ForeignKey?
    var generated: Generated?
}

/// A table-level CHECK constraint.
enum TableCheck: Sendable {
    case lessOrEqual(Int, Int)
    case anyNotNull(Int, Int)

    var columns: [Int] {
        switch self {
        case .lessOrEqual(let a, let b), .anyNotNull(let a, let b): [a, b]
        }
    }
}

struct NamedTableCheck: Sendable {
    var name: String?
    var check: TableCheck
}

struct Table: Sendable {
    let id: Int
    var name: String
    var columns: [Column]
    /// Table-level `PRIMARY KEY (a, b)`; empty when a column carries the key.
    var compositeKey: [Int] = []
    var uniques: [[Int]] = []
    var checks: [NamedTableCheck] = []
    var withoutRowid = false
    var strict = false
    /// True once some statement may have put rows in the table.
    var mayHaveRows = false

    var primaryKey: [Int] {
        compositeKey.isEmpty ? columns.filter(\.primaryKey).map(\.id) : compositeKey
    }

    /// The single primary-key column, when the key has exactly one column.
    var singleKey: Column? {
        let key = primaryKey
        guard key.count == 1 else { return nil }
        return column(key[0])
    }

    func column(_ id: Int) -> Column? {
        columns.first { $0.id == id }
    }

    func name(of columnID: Int) -> String {
        guard let column = column(columnID) else { preconditionFailure("column \(columnID) missing from \(name)") }
        return column.name
    }

    func hasColumn(named name: String) -> Bool {
        columns.contains { $0.name == name }
    }

    /// `INTEGER PRIMARY KEY` of a rowid table: SQLite assigns it when NULL is inserted.
    func isRowidAlias(_ column: Column) -> Bool {
        column.primaryKey && !withoutRowid && column.type == "INTEGER"
    }
}

/// One term of an index.
enum IndexPart: Sendable {
    case column(Int, collation: String?, descending: Bool)
    case lower(Int)
    case coalesce(Int, String)
    case substr(Int)
    case abs(Int)

    var column: Int {
        switch self {
        case .column(let id, _, _), .lower(let id), .coalesce(let id, _), .substr(let id), .abs(let id): id
        }
    }
}

/// A WHERE condition on one column of a table (partial indexes, filtered views).
enum Predicate: Sendable {
    case isNull(Int)
    case isNotNull(Int)
    case equals(Int, String)

    var column: Int {
        switch self {
        case .isNull(let id), .isNotNull(let id), .equals(let id, _): id
        }
    }
}

struct Index: Sendable {
    let id: Int
    var name: String
    var table: Int
    var unique: Bool
    var parts: [IndexPart]
    var predicate: Predicate?

    var columns: [Int] {
        parts.map(\.column) + (predicate.map { [$0.column] } ?? [])
    }
}

enum ViewKind: Sendable {
    /// `SELECT cols FROM t [WHERE predicate]`.
    case filter(table: Int, columns: [Int], predicate: Predicate?)
    /// `SELECT c.x AS alias, ..., p.y AS alias FROM child c JOIN parent p ON p.key = c.fk`.
    case join(child: Int, foreignKey: Int, parent: Int, childColumns: [(Int, String)], parentColumns: [(Int, String)])
    /// `SELECT fk, count(*) AS n FROM child GROUP BY fk`.
    case aggregate(table: Int, groupBy: Int, countAlias: String)
}

struct View: Sendable {
    let id: Int
    var name: String
    var kind: ViewKind

    var tables: [Int] {
        switch kind {
        case .filter(let table, _, _), .aggregate(let table, _, _): [table]
        case .join(let child, _, let parent, _, _): child == parent ? [child] : [child, parent]
        }
    }
}

enum TriggerKind: Sendable {
    /// `AFTER UPDATE OF watched ON t ... SET target = CURRENT_TIMESTAMP WHERE key = NEW.key`.
    case touch(watched: Int, target: Int)
    /// `AFTER <event> ON t ... INSERT INTO audit (rowRef, eventColumn) VALUES (NEW.key, 'event')`.
    case audit(event: String, key: Int, auditTable: Int, rowRef: Int, eventColumn: Int)
    /// `BEFORE INSERT ON t WHEN NEW.col < 0 ... RAISE(ABORT, ...)`.
    case guardNonNegative(column: Int)
}

struct Trigger: Sendable {
    let id: Int
    var name: String
    var table: Int
    var kind: TriggerKind

    var tables: [Int] {
        switch kind {
        case .audit(_, _, let audit, _, _): audit == table ? [table] : [table, audit]
        default: [table]
        }
    }
}

/// The whole schema, plus the bookkeeping that keeps generated names unique.
struct SchemaModel: Sendable {
    var tables: [Table] = []
    var indexes: [Index] = []
    var views: [View] = []
    var triggers: [Trigger] = []
    /// Every object name ever handed out (lower case); never reused.
    private(set) var usedNames: Set<String> = []
    private var nextID = 1

    mutating func makeID() -> Int {
        defer { nextID += 1 }
        return nextID
    }

    func table(_ id: Int) -> Table {
        guard let table = tables.first(where: { $0.id == id }) else { preconditionFailure("table \(id) missing") }
        return table
    }

    func tableIndex(_ id: Int) -> Int {
        guard let index = tables.firstIndex(where: { $0.id == id }) else { preconditionFailure("table \(id) missing") }
        return index
    }

    mutating func update(_ table: Table) {
        tables[tableIndex(table.id)] = table
    }

    /// A fresh object name derived from `base`: never a keyword, never used before.
    mutating func claimName(_ base: String) -> String {
        var candidate = base
        var suffix = 2
        while usedNames.contains(candidate) || SQLKeywords.all.contains(candidate) {
            candidate = "\(base)_\(suffix)"
            suffix += 1
        }
        usedNames.insert(candidate)
        return candidate
    }

    /// True if an existing table, index, view or trigger has this name.
    func objectExists(_ name: String) -> Bool {
        tables.contains { $0.name == name } || indexes.contains { $0.name == name }
            || views.contains { $0.name == name } || triggers.contains { $0.name == name }
    }

    // MARK: Dependencies

    /// Tables (other than `table` itself) whose foreign keys point at `table`.
    func childTables(of table: Int) -> [Int] {
        tables.filter { other in
            other.id != table && other.columns.contains { $0.references?.table == table }
        }.map(\.id)
    }

    func hasSelfReference(_ table: Table) -> Bool {
        table.columns.contains { $0.references?.table == table.id }
    }

    /// Views that read `table`.
    func views(reading table: Int) -> [View] {
        views.filter { $0.tables.contains(table) }
    }

    /// Triggers defined on other tables whose bodies touch `table`.
    func foreignTriggers(touching table: Int) -> [Trigger] {
        triggers.filter { $0.table != table && $0.tables.contains(table) }
    }

    /// Column ids of `table` that views and triggers mention.
    func columnsReferencedByViewsAndTriggers(in table: Int) -> [Int] {
        var ids: [Int] = []
        for view in views {
            switch view.kind {
            case .filter(let t, let columns, let predicate) where t == table:
                ids += columns
                if let predicate { ids.append(predicate.column) }
            case .join(let child, let fk, let parent, let childColumns, let parentColumns):
                if child == table { ids += [fk] + childColumns.map(\.0) }
                if parent == table { ids += self.table(parent).primaryKey + parentColumns.map(\.0) }
            case .aggregate(let t, let groupBy, _) where t == table:
                ids.append(groupBy)
            default:
                break
            }
        }
        for trigger in triggers {
            switch trigger.kind {
            case .touch(let watched, let target) where trigger.table == table:
                ids += [watched, target] + self.table(table).primaryKey
            case .audit(_, let key, let audit, let rowRef, let eventColumn):
                if trigger.table == table { ids.append(key) }
                if audit == table { ids += [rowRef, eventColumn] }
            case .guardNonNegative(let column) where trigger.table == table:
                ids.append(column)
            default:
                break
            }
        }
        return ids
    }

    /// Column ids of `table` that some constraint, index, view or trigger mentions: such a column
    /// cannot be dropped with `ALTER TABLE DROP COLUMN`, and is never changed by data migrations.
    func busyColumns(in tableID: Int) -> Set<Int> {
        let table = table(tableID)
        var busy = Set(table.primaryKey)
        for column in table.columns {
            if column.unique || column.references != nil { busy.insert(column.id) }
            if let generated = column.generated {
                busy.insert(column.id)
                busy.insert(generated.source)
            }
        }
        for unique in table.uniques { busy.formUnion(unique) }
        for check in table.checks { busy.formUnion(check.check.columns) }
        for other in tables {
            for column in other.columns where column.references?.table == tableID {
                busy.insert(column.references!.column)
            }
        }
        for index in indexes where index.table == tableID { busy.formUnion(index.columns) }
        busy.formUnion(columnsReferencedByViewsAndTriggers(in: tableID))
        return busy
    }

    /// Columns an `ALTER TABLE DROP COLUMN` may remove.
    func droppableColumns(in tableID: Int) -> [Column] {
        let busy = busyColumns(in: tableID)
        let table = table(tableID)
        guard table.columns.count > 5 else { return [] }
        return table.columns.filter { !busy.contains($0.id) }
    }

    /// Columns that data migrations may set to arbitrary (class-valid) values.
    func updatableColumns(in tableID: Int) -> [Column] {
        let table = table(tableID)
        var blocked = Set(table.primaryKey)
        for unique in table.uniques { blocked.formUnion(unique) }
        for check in table.checks { blocked.formUnion(check.check.columns) }
        for index in indexes where index.table == tableID && index.unique { blocked.formUnion(index.columns) }
        for trigger in triggers where trigger.table == tableID {
            if case .touch(let watched, let target) = trigger.kind {
                blocked.insert(watched)
                blocked.insert(target)
            }
        }
        for other in tables {
            for column in other.columns where column.references?.table == tableID {
                blocked.insert(column.references!.column)
            }
        }
        return table.columns.filter {
            !blocked.contains($0.id) && !$0.unique && $0.references == nil && $0.generated == nil
        }
    }

    /// Tables that gain rows when rows are inserted into, updated in or deleted from `table`
    /// (through audit triggers), including `table`.
    func tablesFilled(byWritesTo table: Int) -> [Int] {
        var result = [table]
        var cursor = 0
        while cursor < result.count {
            let current = result[cursor]
            cursor += 1
            for trigger in triggers where trigger.table == current {
                if case .audit(_, _, let audit, _, _) = trigger.kind, !result.contains(audit) {
                    result.append(audit)
                }
            }
        }
        return result
    }

    mutating func markRows(writingTo table: Int) {
        for id in tablesFilled(byWritesTo: table) {
            tables[tableIndex(id)].mayHaveRows = true
        }
    }
}

/// SQLite's keywords (lower case): never used as generated identifiers.
enum SQLKeywords {
    static let all: Set<String> = [
        "abort", "action", "add", "after", "all", "alter", "always", "analyze", "and", "as", "asc",
        "attach", "autoincrement", "before", "begin", "between", "by", "cascade", "case", "cast", "check",
        "collate", "column", "commit", "conflict", "constraint", "create", "cross", "current",
        "current_date", "current_time", "current_timestamp", "database", "default", "deferrable",
        "deferred", "delete", "desc", "detach", "distinct", "do", "drop", "each", "else", "end", "escape",
        "except", "exclude", "exclusive", "exists", "explain", "fail", "filter", "first", "following",
        "for", "foreign", "from", "full", "generated", "glob", "group", "groups", "having", "if", "ignore",
        "immediate", "in", "index", "indexed", "initially", "inner", "insert", "instead", "intersect",
        "into", "is", "isnull", "join", "key", "last", "left", "like", "limit", "match", "materialized",
        "natural", "no", "not", "nothing", "notnull", "null", "nulls", "of", "offset", "on", "or", "order",
        "others", "outer", "over", "partition", "plan", "pragma", "preceding", "primary", "query", "raise",
        "range", "recursive", "references", "regexp", "reindex", "release", "rename", "replace",
        "restrict", "returning", "right", "rollback", "row", "rows", "savepoint", "select", "set", "table",
        "temp", "temporary", "then", "ties", "to", "transaction", "trigger", "unbounded", "union",
        "unique", "update", "using", "vacuum", "values", "view", "virtual", "when", "where", "window",
        "with", "without", "rowid", "oid", "_rowid_", "strict",
    ]
}
