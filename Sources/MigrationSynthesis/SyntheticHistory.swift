import Foundation

/// One generated migration file.
public struct SyntheticMigration: Sendable, Equatable {
    /// The sqlx version (1-based).
    public let version: Int
    /// The file-name description, words joined by `_`.
    public let description: String
    /// The file's full text.
    public let sql: String

    /// `NNNNNN_description.sql`, the version zero-padded to 6 digits.
    public var fileName: String { "\(Literals.pad(version, 6))_\(description).sql" }
}

/// A seeded, realistic sqlx migration history that always replays on SQLite 3.40+.
///
/// The same seed and count always give byte-identical files: the generator uses its own SplitMix64
/// generator and never iterates hashed collections. Each file is meant to run in a transaction,
/// as sqlx runs it, with `PRAGMA foreign_keys = ON`.
///
/// ```swift
/// let history = SyntheticHistory(seed: 42, count: 1_000)
/// try history.write(to: URL(fileURLWithPath: "/tmp/migrations"))
/// ```
public struct SyntheticHistory: Sendable {
    /// The seed the history was generated from.
    public let seed: UInt64
    /// The migrations, in version order.
    public let migrations: [SyntheticMigration]

    /// Generates `count` migrations from `seed`.
    public init(seed: UInt64, count: Int) {
        self.seed = seed
        var generator = HistoryGenerator(seed: seed)
        migrations = count > 0 ? (1...count).map { generator.migration(version: $0) } : []
    }

    /// Writes every migration into `folder` (created if needed). Files with the same names are
    /// overwritten; other files in the folder are left alone.
    public func write(to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for migration in migrations {
            try Data(migration.sql.utf8).write(to: folder.appendingPathComponent(migration.fileName), options: .atomic)
        }
    }
}

/// Picks operations and keeps the schema model in step with the SQL it emits.
struct HistoryGenerator {
    enum Operation: CaseIterable {
        case createTable, addColumn, createIndex, dataOnly, renameColumn, renameTable, dropColumn,
             rebuildTable, createView, dropView, createTrigger, dropTable
    }

    /// What one operation produced: a file-name description and its statements.
    struct Step {
        var description: String
        var statements: [String]
    }

    static let operationWeights: [(Operation, Int)] = [
        (.createTable, 25), (.addColumn, 25), (.createIndex, 15), (.dataOnly, 10), (.renameColumn, 5),
        (.renameTable, 3), (.dropColumn, 4), (.rebuildTable, 5), (.createView, 4), (.dropView, 1),
        (.createTrigger, 2), (.dropTable, 1),
    ]

    var random: SplitMix64
    var schema = SchemaModel()
    /// Makes inserted values distinct across the whole history.
    var rowCounter = 0
    /// Audit table of each audited table (lookup only; never iterated).
    var auditTables: [Int: AuditTable] = [:]

    struct AuditTable {
        var table: Int
        var rowRef: Int
        var event: Int
    }

    init(seed: UInt64) {
        random = SplitMix64(seed: seed)
    }

    mutating func migration(version: Int) -> SyntheticMigration {
        let operation = random.weighted(Self.operationWeights)
        let step = perform(operation) ?? createTable()
        let title = step.description.replacingOccurrences(of: "_", with: " ")
        let sql = "-- \(title)\n\n" + step.statements.joined(separator: "\n\n") + "\n"
        return SyntheticMigration(version: version, description: step.description, sql: sql)
    }

    mutating func perform(_ operation: Operation) -> Step? {
        switch operation {
        case .createTable: createTable()
        case .addColumn: addColumn()
        case .createIndex: createIndex()
        case .dataOnly: dataOnly()
        case .renameColumn: renameColumn()
        case .renameTable: renameTable()
        case .dropColumn: dropColumn()
        case .rebuildTable: rebuildTable()
        case .createView: createView()
        case .dropView: dropView()
        case .createTrigger: createTrigger()
        case .dropTable: dropTable()
        }
    }

    // MARK: Picking

    /// A table satisfying `filter`, favouring recently created ones as real histories do.
    mutating func pickTable() -> Table? {
        pick(schema.tables)
    }

    /// One of `candidates`, favouring the most recent.
    mutating func pick(_ candidates: [Table]) -> Table? {
        guard !candidates.isEmpty else { return nil }
        if candidates.count > 12, random.percent(50) {
            return random.pick(Array(candidates.suffix(12)))
        }
        return random.pick(candidates)
    }

    mutating func nextRow() -> Int {
        rowCounter += 1
        return rowCounter
    }

    // MARK: Names

    mutating func tableName() -> String {
        let base = random.percent(50)
            ? random.pick(Vocabulary.nouns)
            : "\(random.pick(Vocabulary.qualifiers))_\(random.pick(Vocabulary.nouns))"
        return schema.claimName(base)
    }

    func columnName(_ base: String, in table: Table, avoiding extra: [String] = []) -> String {
        var candidate = base
        var suffix = 2
        while table.hasColumn(named: candidate) || extra.contains(candidate) || SQLKeywords.all.contains(candidate) {
            candidate = "\(base)_\(suffix)"
            suffix += 1
        }
        return candidate
    }

    /// `remote_runs_2` → `runs`: the last word that is not a numeric or `v2` suffix.
    static func stem(_ name: String) -> String {
        let words = name.split(separator: "_").map(String.init)
        return words.last { !($0.allSatisfy(\.isNumber) || $0 == "v2" || $0 == "audit") } ?? name
    }

    /// `remote_runs_2` → `remote_run`: numeric and `v2` suffixes dropped, last word singularised.
    static func singular(_ name: String) -> String {
        var words = name.split(separator: "_").map(String.init)
        while words.count > 1, let last = words.last, last.allSatisfy(\.isNumber) || last == "v2" { words.removeLast() }
        guard var word = words.popLast() else { return name }
        if word.hasSuffix("ies") {
            word = String(word.dropLast(3)) + "y"
        } else if word.hasSuffix("sses") || word.hasSuffix("ches") || word.hasSuffix("shes") {
            word = String(word.dropLast(2))
        } else if word.hasSuffix("s"), !word.hasSuffix("ss") {
            word = String(word.dropLast())
        }
        let result = (words + [word]).joined(separator: "_")
        return result.first?.isLetter == true ? result : "t_\(result)"
    }

    // MARK: Columns

    static func declaredType(_ valueClass: ValueClass, strict: Bool, random: inout SplitMix64) -> String {
        if strict {
            switch valueClass {
            case .integer, .boolean: return random.pick(["INTEGER", "INTEGER", "INT"])
            case .real, .numeric: return "REAL"
            case .text, .timestamp, .json: return "TEXT"
            case .blob: return "BLOB"
            case .any: return "ANY"
            }
        }
        switch valueClass {
        case .integer: return random.pick(["INTEGER", "INTEGER", "INT", "BIGINT", "SMALLINT"])
        case .real: return random.pick(["REAL", "REAL", "DOUBLE", "FLOAT", "DOUBLE PRECISION"])
        case .numeric: return random.pick(["NUMERIC", "DECIMAL(10,2)", "DECIMAL(12, 4)"])
        case .text: return random.pick(["TEXT", "TEXT", "TEXT", "VARCHAR(255)", "VARCHAR(64)", "CHAR(36)", "CLOB", "NVARCHAR(100)"])
        case .boolean: return random.pick(["BOOLEAN", "BOOLEAN", "TINYINT(1)"])
        case .timestamp: return random.pick(["TIMESTAMP", "DATETIME", "TEXT", "DATE"])
        case .json: return random.pick(["JSON", "TEXT"])
        case .blob: return random.pick(["BLOB", "BLOB", "BINARY(16)"])
        case .any: return "TEXT"
        }
    }

    /// A declared type of the same class, different from `type` when one exists (rebuilds).
    static func alternativeType(for column: Column, random: inout SplitMix64) -> String? {
        let options: [String]
        switch column.valueClass {
        case .integer: options = ["INTEGER", "INT", "BIGINT"]
        case .real: options = ["REAL", "DOUBLE", "FLOAT"]
        case .numeric: options = ["NUMERIC", "DECIMAL(10,2)"]
        case .text: options = ["TEXT", "VARCHAR(255)", "VARCHAR(512)"]
        case .boolean: options = ["BOOLEAN", "INTEGER"]
        case .timestamp: options = ["TIMESTAMP", "DATETIME", "TEXT"]
        case .json: options = ["JSON", "TEXT"]
        case .blob: options = ["BLOB"]
        case .any: options = ["TEXT"]
        }
        let others = options.filter { $0 != column.type }
        return others.isEmpty ? nil : random.pick(others)
    }

    mutating func randomClass() -> ValueClass {
        random.weighted([
            (.text, 30), (.integer, 20), (.timestamp, 14), (.boolean, 9), (.real, 6), (.numeric, 5),
            (.json, 7), (.blob, 4), (.any, 0),
        ])
    }

    mutating func randomCheck(_ valueClass: ValueClass) -> ColumnCheck? {
        switch valueClass {
        case .integer: return random.percent(60) ? .nonNegative : .range(0, random.pick([1_000_000_000, 2_147_483_647]))
        case .real, .numeric: return .nonNegative
        case .text: return random.percent(50) ? .maxLength(random.pick([64, 128, 255, 1000])) : .oneOf(random.pick(Vocabulary.enums))
        case .boolean: return .boolean
        case .json: return .jsonValid
        case .blob: return .blobLength(random.pick([32, 64, 1024]))
        case .timestamp, .any: return nil
        }
    }

    /// A new ordinary column for `table`; `forAddColumn` keeps it within `ALTER TABLE ADD COLUMN`'s rules.
    mutating func makeColumn(for table: Table, strict: Bool, forAddColumn: Bool, avoiding extra: [String] = []) -> Column {
        let valueClass = strict && random.percent(5) ? .any : randomClass()
        let base = valueClass == .any ? random.pick(["value", "data", "extra_value"]) : random.pick(Vocabulary.columns(valueClass))
        var column = Column(id: schema.makeID(), name: columnName(base, in: table, avoiding: extra),
                            type: Self.declaredType(valueClass, strict: strict, random: &random), valueClass: valueClass)
        if random.percent(20) {
            column.check = randomCheck(valueClass)
            if column.check != nil, random.percent(30) { column.checkName = "ck_\(column.name)" }
        }
        var checkIsEnum = false
        if case .oneOf? = column.check { checkIsEnum = true }
        if !forAddColumn, !checkIsEnum, valueClass == .text || valueClass == .integer, random.percent(7) {
            column.unique = true
        }
        if valueClass == .text || valueClass == .any, random.percent(10) {
            column.collation = random.pick(["NOCASE", "NOCASE", "RTRIM", "BINARY"])
        }
        let wantsNotNull = random.percent(forAddColumn ? 30 : 35)
        let wantsDefault = wantsNotNull ? (forAddColumn || random.percent(60)) : random.percent(30)
        if wantsDefault, !column.unique {
            if !forAddColumn, valueClass == .timestamp, random.percent(50) {
                column.defaultSQL = random.pick(["CURRENT_TIMESTAMP", "(datetime('now'))", "CURRENT_DATE"])
                column.defaultIsConstant = false
            } else if !forAddColumn, valueClass == .integer, column.check == nil, random.percent(10) {
                column.defaultSQL = "(CAST(strftime('%s', 'now') AS INTEGER))"
                column.defaultIsConstant = false
            } else {
                column.defaultSQL = Literals.constantDefault(for: valueClass, check: column.check, variant: random.below(2))
            }
        }
        column.notNull = wantsNotNull && (column.defaultSQL != nil || !forAddColumn)
        return column
    }

    /// A nullable (or NOT NULL, in CREATE TABLE) foreign-key column pointing at `parent`'s key.
    mutating func makeForeignKey(to parent: Table, in table: Table, strict: Bool, notNull: Bool,
                                 name: String? = nil, avoiding extra: [String] = []) -> Column {
        let key = parent.singleKey!
        let type: String
        if strict {
            type = key.valueClass == .integer ? "INTEGER" : "TEXT"
        } else {
            type = key.type
        }
        let base = name ?? "\(Self.singular(parent.name))_id"
        let nullable = !notNull
        let onDelete = nullable && random.percent(30) ? "SET NULL" : "CASCADE"
        return Column(id: schema.makeID(), name: columnName(base, in: table, avoiding: extra), type: type,
                      valueClass: key.valueClass, notNull: notNull,
                      references: ForeignKey(table: parent.id, column: key.id, onDelete: onDelete,
                                             onUpdate: random.percent(15) ? "CASCADE" : nil))
    }

    func parentCandidates() -> [Table] {
        schema.tables.filter { table in
            guard let key = table.singleKey else { return false }
            return key.generated == nil
        }
    }

    // MARK: CREATE TABLE

    mutating func createTable() -> Step {
        let parents = parentCandidates()
        if parents.count >= 2, random.percent(10) { return createJoinTable(parents) }
        let name = tableName()
        let withoutRowid = random.percent(12)
        let strict = random.percent(15)
        var table = Table(id: schema.makeID(), name: name, columns: [], withoutRowid: withoutRowid, strict: strict)
        // Primary key.
        let keyType: String = strict ? random.pick(["INTEGER", "INTEGER", "INTEGER", "TEXT"])
            : random.pick(["INTEGER", "INTEGER", "INTEGER", "INTEGER", "TEXT", "CHAR(36)", "BIGINT"])
        let keyClass: ValueClass = keyType == "TEXT" || keyType == "CHAR(36)" ? .text : .integer
        var key = Column(id: schema.makeID(), name: random.pick(["id", "id", "id", "uuid", "\(Self.singular(name))_id"]),
                         type: keyType, valueClass: keyClass)
        if key.name == "uuid", keyClass == .integer { key.name = "id" }
        key.primaryKey = true
        key.notNull = keyClass == .text || withoutRowid || random.percent(10)
        key.autoincrement = keyType == "INTEGER" && !withoutRowid && random.percent(15)
        table.columns.append(key)
        let small = random.int(5, 9), medium = random.int(10, 16), large = random.int(17, 30)
        let target = random.weighted([(small, 45), (medium, 40), (large, 15)])
        // Foreign keys.
        let foreignKeyCount = parents.isEmpty ? 0 : random.weighted([(0, 35), (1, 40), (2, 18), (3, 7)])
        for parent in random.sample(parents, foreignKeyCount) where table.columns.count < target {
            let column = makeForeignKey(to: parent, in: table, strict: strict, notNull: random.percent(50))
            table.columns.append(column)
        }
        if !withoutRowid, keyClass == .integer, random.percent(6), table.columns.count < target {
            let column = Column(id: schema.makeID(), name: columnName("parent_id", in: table), type: strict ? "INTEGER" : keyType,
                                valueClass: .integer,
                                references: ForeignKey(table: table.id, column: key.id, onDelete: "CASCADE", onUpdate: nil))
            table.columns.append(column)
        }
        // Ordinary columns, usually with timestamps.
        var tail: [Column] = []
        if random.percent(60) {
            var created = Column(id: schema.makeID(), name: "created_at",
                                 type: Self.declaredType(.timestamp, strict: strict, random: &random), valueClass: .timestamp)
            created.notNull = true
            created.defaultSQL = random.pick(["CURRENT_TIMESTAMP", "(datetime('now'))", "'1970-01-01 00:00:00'"])
            created.defaultIsConstant = created.defaultSQL!.hasPrefix("'")
            tail.append(created)
            if random.percent(60) {
                var updated = Column(id: schema.makeID(), name: "updated_at",
                                     type: Self.declaredType(.timestamp, strict: strict, random: &random), valueClass: .timestamp)
                updated.notNull = random.percent(50)
                if updated.notNull { updated.defaultSQL = "CURRENT_TIMESTAMP"; updated.defaultIsConstant = false }
                tail.append(updated)
            }
        }
        while table.columns.count + tail.count < target {
            table.columns.append(makeColumn(for: table, strict: strict, forAddColumn: false, avoiding: tail.map(\.name)))
        }
        table.columns += tail
        // A generated column now and then.
        if random.percent(5) {
            let sources = table.columns.filter { !$0.primaryKey && ($0.valueClass == .text || $0.valueClass == .integer) && $0.generated == nil }
            if !sources.isEmpty {
                let source = random.pick(sources)
                let lower = source.valueClass == .text
                let generated = Column(id: schema.makeID(), name: columnName(source.name + (lower ? "_normalized" : "_doubled"), in: table),
                                       type: lower ? "TEXT" : "INTEGER", valueClass: lower ? .text : .integer,
                                       generated: lower ? .lower(source.id) : .doubled(source.id))
                table.columns.append(generated)
            }
        }
        addTableConstraints(&table)
        schema.tables.append(table)
        var statements = [schema.createTableSQL(table)]
        if random.percent(40) {
            for _ in 0..<random.int(1, 2) {
                if let index = makeIndex(on: table) {
                    schema.indexes.append(index)
                    statements.append(schema.createIndexSQL(index))
                }
            }
        }
        return Step(description: "create_\(name)", statements: statements)
    }

    mutating func addTableConstraints(_ table: inout Table) {
        let ordinary = table.columns.filter { !$0.primaryKey && $0.generated == nil }
        if random.percent(15) {
            let candidates = ordinary.filter { column in
                if case .oneOf? = column.check { return false }
                return column.references != nil || column.valueClass == .text || column.valueClass == .integer
            }
            if candidates.count >= 2 { table.uniques.append(random.sample(candidates, 2).map(\.id)) }
        }
        if random.percent(10) {
            let integers = ordinary.filter { $0.valueClass == .integer && $0.references == nil && !$0.unique }
            let name: String? = random.percent(50) ? "ck_\(table.name)_\(table.checks.count + 1)" : nil
            if integers.count >= 2, random.percent(50) {
                let pair = random.sample(integers, 2)
                table.checks.append(NamedTableCheck(name: name, check: .lessOrEqual(pair[0].id, pair[1].id)))
            } else if ordinary.count >= 2 {
                let pair = random.sample(ordinary, 2)
                table.checks.append(NamedTableCheck(name: name, check: .anyNotNull(pair[0].id, pair[1].id)))
            }
        }
    }

    mutating func createJoinTable(_ parents: [Table]) -> Step {
        let pair = random.sample(parents, 2)
        let name = schema.claimName("\(Self.singular(pair[0].name))_\(Self.stem(pair[1].name))")
        let withoutRowid = random.percent(60)
        let strict = random.percent(20)
        var table = Table(id: schema.makeID(), name: name, columns: [], withoutRowid: withoutRowid, strict: strict)
        let first = makeForeignKey(to: pair[0], in: table, strict: strict, notNull: true)
        table.columns.append(first)
        var second = makeForeignKey(to: pair[1], in: table, strict: strict, notNull: true)
        second.references!.onDelete = "CASCADE"
        table.columns.append(second)
        table.columns[0].references!.onDelete = "CASCADE"
        table.compositeKey = [first.id, second.id]
        var created = Column(id: schema.makeID(), name: "created_at", type: strict ? "TEXT" : "TIMESTAMP", valueClass: .timestamp)
        created.notNull = true
        created.defaultSQL = "CURRENT_TIMESTAMP"
        created.defaultIsConstant = false
        table.columns.append(created)
        let target = random.int(5, 8)
        while table.columns.count < target {
            table.columns.append(makeColumn(for: table, strict: strict, forAddColumn: false))
        }
        schema.tables.append(table)
        var statements = [schema.createTableSQL(table)]
        let reverse = Index(id: schema.makeID(), name: schema.claimName("idx_\(name)_\(table.name(of: second.id))"),
                            table: table.id, unique: false, parts: [.column(second.id, collation: nil, descending: false)],
                            predicate: nil)
        schema.indexes.append(reverse)
        statements.append(schema.createIndexSQL(reverse))
        return Step(description: "create_\(name)", statements: statements)
    }

    // MARK: ADD COLUMN

    mutating func addColumn() -> Step? {
        guard let table = pickTable() else { return nil }
        let column: Column
        let parents = parentCandidates()
        if !parents.isEmpty, random.percent(10) {
            let parent = random.pick(parents)
            column = makeForeignKey(to: parent, in: table, strict: table.strict, notNull: false)
        } else {
            column = makeColumn(for: table, strict: table.strict, forAddColumn: true)
        }
        var updated = table
        updated.columns.append(column)
        schema.update(updated)
        var statements = ["ALTER TABLE \(table.name) ADD COLUMN \(schema.columnDefinition(column, in: updated));"]
        if column.references == nil, column.defaultSQL == nil, random.percent(15) {
            let value = Literals.value(for: column, row: nextRow())
            statements.append("UPDATE \(table.name) SET \(column.name) = \(value) WHERE \(column.name) IS NULL;")
            if updated.mayHaveRows { schema.markRows(writingTo: table.id) }
        }
        return Step(description: "add_\(table.name)_\(column.name)", statements: statements)
    }

    // MARK: CREATE INDEX

    /// Whether a unique index on `columns` of `table` can never meet duplicate rows.
    func uniqueIndexAllowed(on table: Table, columns: [Int]) -> Bool {
        guard !table.mayHaveRows else { return false }
        if schema.triggers.contains(where: { trigger in
            if case .audit(_, _, let audit, _, _) = trigger.kind { return audit == table.id }
            return false
        }) { return false }
        let referenced = Set(schema.columnsReferencedByViewsAndTriggers(in: table.id))
        return columns.allSatisfy { id in
            guard let column = table.column(id) else { return false }
            if case .oneOf? = column.check { return false }
            if case .boolean? = column.check { return false }
            return !referenced.contains(id) && column.defaultSQL == nil && column.valueClass != .boolean
        }
    }

    mutating func makeIndex(on table: Table) -> Index? {
        let columns = table.columns
        let texts = columns.filter { $0.valueClass == .text || $0.valueClass == .any }
        let numbers = columns.filter { [.integer, .real, .numeric].contains($0.valueClass) && $0.generated == nil }
        var parts: [IndexPart] = []
        var predicate: Predicate?
        var unique = false
        var label = ""
        switch random.weighted([("plain", 35), ("composite", 20), ("collated", 10), ("expression", 15), ("partial", 15), ("unique", 5)]) {
        case "composite" where columns.count >= 3:
            let chosen = random.sample(columns, random.int(2, 3))
            parts = chosen.map { .column($0.id, collation: nil, descending: random.percent(15)) }
            label = chosen.map(\.name).joined(separator: "_")
        case "collated" where !texts.isEmpty:
            let column = random.pick(texts)
            parts = [.column(column.id, collation: random.pick(["NOCASE", "RTRIM"]), descending: false)]
            label = column.name + "_nocase"
        case "expression" where !texts.isEmpty || !numbers.isEmpty:
            if !texts.isEmpty, numbers.isEmpty || random.percent(70) {
                let column = random.pick(texts)
                parts = [random.pick([.lower(column.id), .coalesce(column.id, "''"), .substr(column.id)])]
                label = column.name + "_expr"
            } else {
                let column = random.pick(numbers)
                parts = [.abs(column.id)]
                label = column.name + "_abs"
            }
        case "partial":
            let column = random.pick(columns)
            parts = [.column(column.id, collation: nil, descending: false)]
            let filterColumn = random.pick(columns.filter { !$0.primaryKey && $0.generated == nil } + [column])
            if case .oneOf(let values)? = filterColumn.check {
                predicate = .equals(filterColumn.id, "'\(random.pick(values))'")
            } else if filterColumn.valueClass == .boolean {
                predicate = .equals(filterColumn.id, "1")
            } else if filterColumn.valueClass == .timestamp, random.percent(60) {
                predicate = .isNull(filterColumn.id)
            } else {
                predicate = .isNotNull(filterColumn.id)
            }
            label = column.name + "_partial"
        case "unique":
            let candidates = columns.filter { !$0.primaryKey }
            guard !candidates.isEmpty else { return nil }
            let chosen = random.sample(candidates, random.int(1, 2))
            parts = chosen.map { .column($0.id, collation: nil, descending: false) }
            unique = true
            label = chosen.map(\.name).joined(separator: "_")
        default:
            let column = random.pick(columns.filter { !$0.primaryKey }.isEmpty ? columns : columns.filter { !$0.primaryKey })
            parts = [.column(column.id, collation: nil, descending: random.percent(10))]
            label = column.name
        }
        if !unique, predicate != nil, random.percent(20) { unique = true }
        if unique, !uniqueIndexAllowed(on: table, columns: parts.map(\.column)) { unique = false }
        let name = schema.claimName("\(unique ? "uq" : "idx")_\(table.name)_\(label)")
        return Index(id: schema.makeID(), name: name, table: table.id, unique: unique, parts: parts, predicate: predicate)
    }

    mutating func createIndex() -> Step? {
        guard let table = pickTable(), let index = makeIndex(on: table) else { return nil }
        schema.indexes.append(index)
        return Step(description: "index_\(index.name.hasPrefix("uq_") ? String(index.name.dropFirst(3)) : String(index.name.dropFirst(4)))",
                    statements: [schema.createIndexSQL(index)])
    }

    // MARK: Data-only

    mutating func dataOnly() -> Step? {
        guard !schema.tables.isEmpty else { return nil }
        var statements: [String] = []
        var touched: [String] = []
        var verb = "seed"
        for _ in 0..<random.int(1, 3) {
            guard let table = pickTable() else { break }
            switch random.weighted([("insert", 60), ("update", 30), ("delete", 10)]) {
            case "update" where !schema.updatableColumns(in: table.id).isEmpty:
                let columns = schema.updatableColumns(in: table.id)
                let column = random.pick(columns)
                let value = Literals.value(for: column, row: nextRow())
                let filter: String
                if !column.notNull, random.percent(60) {
                    filter = " WHERE \(column.name) IS NULL"
                } else if let key = table.singleKey {
                    filter = " WHERE \(key.name) IN (SELECT \(key.name) FROM \(table.name) ORDER BY \(key.name) LIMIT \(random.int(1, 20)))"
                } else {
                    filter = ""
                }
                statements.append("UPDATE OR IGNORE \(table.name) SET \(column.name) = \(value)\(filter);")
                if table.mayHaveRows { schema.markRows(writingTo: table.id) }
                touched.append(table.name)
                if verb == "seed" { verb = "backfill" }
            case "delete" where table.singleKey != nil:
                let key = table.singleKey!.name
                statements.append("DELETE FROM \(table.name) WHERE \(key) IN (SELECT \(key) FROM \(table.name) ORDER BY \(key) DESC LIMIT 1);")
                if table.mayHaveRows { schema.markRows(writingTo: table.id) }
                touched.append(table.name)
                verb = "prune"
            default:
                statements.append(insertSQL(into: table, rows: random.int(1, 4)))
                schema.markRows(writingTo: table.id)
                touched.append(table.name)
            }
        }
        guard !statements.isEmpty else { return nil }
        return Step(description: "\(verb)_\(touched.first!)", statements: statements)
    }

    mutating func insertSQL(into table: Table, rows: Int) -> String {
        let columns = table.columns.filter { column in
            if column.generated != nil || table.isRowidAlias(column) { return false }
            if column.primaryKey || column.unique || column.references != nil { return true }
            if !column.notNull || column.defaultSQL != nil { return !random.percent(20) }
            return true
        }
        let tuples = (0..<rows).map { _ -> String in
            let row = nextRow()
            let values = columns.map { column -> String in
                if let reference = column.references {
                    let parent = reference.table == table.id ? table : schema.table(reference.table)
                    let key = parent.name(of: reference.column)
                    return "(SELECT \(key) FROM \(parent.name) ORDER BY \(key) LIMIT 1)"
                }
                return Literals.value(for: column, row: row)
            }
            return "(\(values.joined(separator: ", ")))"
        }
        if columns.isEmpty {
            return "INSERT OR IGNORE INTO \(table.name) DEFAULT VALUES;"
        }
        return "INSERT OR IGNORE INTO \(table.name) (\(columns.map(\.name).joined(separator: ", ")))\nVALUES\n    "
            + tuples.joined(separator: ",\n    ") + ";"
    }

    // MARK: RENAME COLUMN / RENAME TO / DROP COLUMN

    mutating func renameColumn() -> Step? {
        guard var table = pickTable() else { return nil }
        let column = random.pick(table.columns)
        let pool = column.valueClass == .any ? ["value", "data"] : Vocabulary.columns(column.valueClass)
        var base = random.pick(pool)
        if base == column.name || table.hasColumn(named: base) {
            base = random.percent(50) ? "\(column.name)_old" : "legacy_\(column.name)"
        }
        let newName = columnName(base, in: table)
        let oldName = column.name
        table.columns[table.columns.firstIndex { $0.id == column.id }!].name = newName
        schema.update(table)
        return Step(description: "rename_\(table.name)_\(oldName)_to_\(newName)",
                    statements: ["ALTER TABLE \(table.name) RENAME COLUMN \(oldName) TO \(newName);"])
    }

    mutating func renameTable() -> Step? {
        guard var table = pickTable() else { return nil }
        let oldName = table.name
        let stem = Self.stem(oldName)
        let newName = schema.claimName(random.percent(50) ? "\(random.pick(Vocabulary.qualifiers))_\(stem)" : "\(oldName)_v2")
        table.name = newName
        schema.update(table)
        return Step(description: "rename_\(oldName)_to_\(newName)", statements: ["ALTER TABLE \(oldName) RENAME TO \(newName);"])
    }

    mutating func dropColumn() -> Step? {
        let candidates = schema.tables.filter { !schema.droppableColumns(in: $0.id).isEmpty }
        guard let table = pick(candidates) else { return nil }
        let column = random.pick(schema.droppableColumns(in: table.id))
        var updated = table
        updated.columns.removeAll { $0.id == column.id }
        schema.update(updated)
        return Step(description: "drop_\(table.name)_\(column.name)",
                    statements: ["ALTER TABLE \(table.name) DROP COLUMN \(column.name);"])
    }

    // MARK: Rebuild (the 12-step procedure, inside sqlx's transaction)

    mutating func rebuildTable() -> Step? {
        let candidates = schema.tables.filter { schema.childTables(of: $0.id).isEmpty && !schema.hasSelfReference($0) }
        guard let table = pick(candidates) else { return nil }
        var rebuilt = table
        let droppable = Set(schema.droppableColumns(in: table.id).map(\.id))
        var changes: [String] = []
        for _ in 0..<random.int(1, 3) {
            let ordinary = rebuilt.columns.filter {
                !$0.primaryKey && $0.generated == nil && !rebuilt.compositeKey.contains($0.id)
            }
            switch random.weighted([("relax", 20), ("default", 20), ("type", 20), ("drop", 15), ("add", 20), ("without_rowid", 5)]) {
            case "relax":
                guard let column = ordinary.filter(\.notNull).first else { continue }
                rebuilt.columns[rebuilt.columns.firstIndex { $0.id == column.id }!].notNull = false
                changes.append("\(column.name) nullable")
            case "default":
                let candidates = ordinary.filter { $0.defaultSQL == nil && !$0.unique && $0.references == nil }
                guard !candidates.isEmpty else { continue }
                let column = random.pick(candidates)
                let index = rebuilt.columns.firstIndex { $0.id == column.id }!
                rebuilt.columns[index].defaultSQL = Literals.constantDefault(for: column.valueClass, check: column.check,
                                                                             variant: random.below(2))
                changes.append("\(column.name) default")
            case "type":
                guard !rebuilt.strict else { continue }
                let candidates = ordinary.filter { $0.references == nil }
                guard !candidates.isEmpty else { continue }
                let column = random.pick(candidates)
                guard let type = Self.alternativeType(for: column, random: &random) else { continue }
                rebuilt.columns[rebuilt.columns.firstIndex { $0.id == column.id }!].type = type
                changes.append("\(column.name) type")
            case "drop":
                let candidates = rebuilt.columns.filter { droppable.contains($0.id) }
                guard rebuilt.columns.count > 5, !candidates.isEmpty else { continue }
                let column = random.pick(candidates)
                rebuilt.columns.removeAll { $0.id == column.id }
                changes.append("drop \(column.name)")
            case "without_rowid":
                guard !rebuilt.withoutRowid, !rebuilt.primaryKey.isEmpty,
                      !rebuilt.columns.contains(where: \.autoincrement) else { continue }
                rebuilt.withoutRowid = true
                for id in rebuilt.primaryKey {
                    rebuilt.columns[rebuilt.columns.firstIndex { $0.id == id }!].notNull = true
                }
                changes.append("without rowid")
            default:
                let name = columnName(random.pick(["updated_at", "synced_at", "revision", "origin"]), in: rebuilt)
                let isTime = name.hasSuffix("_at")
                var column = Column(id: schema.makeID(), name: name,
                                    type: Self.declaredType(isTime ? .timestamp : (name == "revision" ? .integer : .text),
                                                            strict: rebuilt.strict, random: &random),
                                    valueClass: isTime ? .timestamp : (name == "revision" ? .integer : .text))
                column.notNull = true
                column.defaultSQL = isTime ? "CURRENT_TIMESTAMP" : (name == "revision" ? "1" : "'local'")
                column.defaultIsConstant = !isTime
                rebuilt.columns.append(column)
                changes.append("add \(name)")
            }
        }
        guard !changes.isEmpty else { return nil }
        let views = schema.views(reading: table.id)
        let foreignTriggers = schema.foreignTriggers(touching: table.id)
        let ownTriggers = schema.triggers.filter { $0.table == table.id }
        let indexes = schema.indexes.filter { $0.table == table.id }
        var temporary = "new_\(table.name)"
        while schema.objectExists(temporary) || schema.usedNames.contains(temporary) { temporary += "_" }
        var statements: [String] = []
        statements += views.map { "DROP VIEW \($0.name);" }
        statements += foreignTriggers.map { "DROP TRIGGER \($0.name);" }
        statements.append(schema.createTableSQL(rebuilt, as: temporary))
        let copied = rebuilt.columns.filter { column in
            column.generated == nil && table.columns.contains { $0.id == column.id }
        }.map(\.name).joined(separator: ", ")
        statements.append("INSERT INTO \(temporary) (\(copied))\nSELECT \(copied) FROM \(table.name);")
        statements.append("DROP TABLE \(table.name);")
        statements.append("ALTER TABLE \(temporary) RENAME TO \(table.name);")
        schema.update(rebuilt)
        statements += indexes.map { schema.createIndexSQL($0) }
        statements += (ownTriggers + foreignTriggers).map { schema.createTriggerSQL($0) }
        statements += views.map { schema.createViewSQL($0) }
        statements.append("PRAGMA foreign_key_check(\(table.name));")
        return Step(description: "rebuild_\(table.name)", statements: statements)
    }

    // MARK: Views

    mutating func createView() -> Step? {
        let joinable = schema.tables.filter { table in
            table.columns.contains { column in
                guard let reference = column.references, reference.table != table.id else { return false }
                return schema.table(reference.table).singleKey?.id == reference.column
            }
        }
        let view: View
        if !joinable.isEmpty, random.percent(50) {
            let child = random.pick(joinable)
            let foreignKey = random.pick(child.columns.filter { column in
                guard let reference = column.references, reference.table != child.id else { return false }
                return schema.table(reference.table).singleKey?.id == reference.column
            })
            let parent = schema.table(foreignKey.references!.table)
            if random.percent(30) {
                view = View(id: schema.makeID(), name: schema.claimName("v_\(child.name)_per_\(Self.singular(parent.name))"),
                            kind: .aggregate(table: child.id, groupBy: foreignKey.id, countAlias: "n_rows"))
            } else {
                var aliases: [String] = []
                let childColumns = random.sample(child.columns, random.int(1, 4)).map { column -> (Int, String) in
                    let alias = uniqueAlias(column.name, &aliases)
                    return (column.id, alias)
                }
                let parentColumns = random.sample(parent.columns.filter { !$0.primaryKey }, random.int(1, 2)).map { column -> (Int, String) in
                    let alias = uniqueAlias("\(Self.singular(parent.name))_\(column.name)", &aliases)
                    return (column.id, alias)
                }
                view = View(id: schema.makeID(), name: schema.claimName("v_\(child.name)_with_\(Self.singular(parent.name))"),
                            kind: .join(child: child.id, foreignKey: foreignKey.id, parent: parent.id,
                                        childColumns: childColumns, parentColumns: parentColumns))
            }
        } else {
            guard let table = pickTable() else { return nil }
            let columns = random.sample(table.columns, random.int(2, min(6, table.columns.count)))
            var predicate: Predicate?
            var suffix = "summary"
            let candidates = table.columns.filter { !$0.primaryKey }
            if !candidates.isEmpty, random.percent(60) {
                let column = random.pick(candidates)
                if column.valueClass == .boolean {
                    predicate = .equals(column.id, "1"); suffix = column.name
                } else if case .oneOf(let values)? = column.check {
                    let value = random.pick(values)
                    predicate = .equals(column.id, "'\(value)'"); suffix = value
                } else if column.valueClass == .timestamp {
                    predicate = .isNull(column.id); suffix = "without_\(column.name)"
                } else {
                    predicate = .isNotNull(column.id); suffix = "with_\(column.name)"
                }
            }
            view = View(id: schema.makeID(), name: schema.claimName("v_\(table.name)_\(suffix)"),
                        kind: .filter(table: table.id, columns: columns.map(\.id), predicate: predicate))
        }
        schema.views.append(view)
        return Step(description: "create_\(view.name)", statements: [schema.createViewSQL(view)])
    }

    func uniqueAlias(_ base: String, _ taken: inout [String]) -> String {
        var candidate = base
        var suffix = 2
        while taken.contains(candidate) || SQLKeywords.all.contains(candidate) || candidate == "n_rows" {
            candidate = "\(base)_\(suffix)"
            suffix += 1
        }
        taken.append(candidate)
        return candidate
    }

    mutating func dropView() -> Step? {
        guard !schema.views.isEmpty else { return nil }
        let view = random.pick(schema.views)
        schema.views.removeAll { $0.id == view.id }
        return Step(description: "drop_\(view.name)", statements: ["DROP VIEW \(view.name);"])
    }

    // MARK: Triggers

    mutating func createTrigger() -> Step? {
        switch random.weighted([("touch", 40), ("audit", 40), ("guard", 20)]) {
        case "touch": return touchTrigger() ?? auditTrigger()
        case "guard": return guardTrigger() ?? auditTrigger()
        default: return auditTrigger()
        }
    }

    func hasTouchTrigger(_ table: Table) -> Bool {
        schema.triggers.contains { trigger in
            if case .touch = trigger.kind { return trigger.table == table.id }
            return false
        }
    }

    /// Columns a touch trigger may stamp with CURRENT_TIMESTAMP.
    func touchTargets(_ table: Table) -> [Column] {
        schema.updatableColumns(in: table.id).filter {
            $0.check == nil && [.text, .timestamp, .any].contains($0.valueClass)
        }
    }

    mutating func touchTrigger() -> Step? {
        let candidates = schema.tables.filter { table in
            !hasTouchTrigger(table) && !table.primaryKey.isEmpty && !touchTargets(table).isEmpty
                && table.columns.filter({ !$0.primaryKey && $0.generated == nil }).count >= 2
        }
        guard let table = pick(candidates) else { return nil }
        let targets = touchTargets(table)
        let stamps = targets.filter { $0.valueClass == .timestamp }
        let target = targets.first { $0.name.hasPrefix("updated_at") } ?? random.pick(stamps.isEmpty ? targets : stamps)
        let watched = random.pick(table.columns.filter {
            !$0.primaryKey && $0.generated == nil && $0.id != target.id && !table.compositeKey.contains($0.id)
        })
        let trigger = Trigger(id: schema.makeID(), name: schema.claimName("trg_\(table.name)_touch_\(target.name)"),
                              table: table.id, kind: .touch(watched: watched.id, target: target.id))
        schema.triggers.append(trigger)
        return Step(description: "create_\(trigger.name)", statements: [schema.createTriggerSQL(trigger)])
    }

    static let auditEvents = ["insert", "update", "delete"]

    func auditedEvents(_ table: Table) -> [String] {
        schema.triggers.compactMap { trigger in
            if case .audit(let event, _, _, _, _) = trigger.kind, trigger.table == table.id { return event }
            return nil
        }
    }

    mutating func auditTrigger() -> Step? {
        let candidates = schema.tables.filter { table in
            table.singleKey != nil && auditedEvents(table).count < Self.auditEvents.count
        }
        guard let table = pick(candidates) else { return nil }
        let key = table.singleKey!
        let done = auditedEvents(table)
        let event = random.pick(Self.auditEvents.filter { !done.contains($0) })
        var statements: [String] = []
        let audit: AuditTable
        if let existing = auditTables[table.id], schema.tables.contains(where: { $0.id == existing.table }) {
            audit = existing
        } else {
            let strict = random.percent(20)
            var created = Table(id: schema.makeID(), name: schema.claimName("\(table.name)_audit"), columns: [], strict: strict)
            var id = Column(id: schema.makeID(), name: "id", type: "INTEGER", valueClass: .integer)
            id.primaryKey = true
            var rowRef = Column(id: schema.makeID(), name: "row_ref",
                                type: key.valueClass == .integer ? "INTEGER" : "TEXT", valueClass: key.valueClass)
            rowRef.notNull = true
            var eventColumn = Column(id: schema.makeID(), name: "event_type", type: "TEXT", valueClass: .text)
            eventColumn.notNull = true
            eventColumn.check = .oneOf(Self.auditEvents)
            var recorded = Column(id: schema.makeID(), name: "recorded_at", type: "TEXT", valueClass: .timestamp)
            recorded.notNull = true
            recorded.defaultSQL = "CURRENT_TIMESTAMP"
            recorded.defaultIsConstant = false
            let actor = Column(id: schema.makeID(), name: "actor", type: "TEXT", valueClass: .text)
            let details = Column(id: schema.makeID(), name: "details", type: strict ? "TEXT" : "JSON", valueClass: .json)
            created.columns = [id, rowRef, eventColumn, recorded, actor, details]
            schema.tables.append(created)
            audit = AuditTable(table: created.id, rowRef: rowRef.id, event: eventColumn.id)
            auditTables[table.id] = audit
            statements.append(schema.createTableSQL(created))
        }
        let trigger = Trigger(id: schema.makeID(), name: schema.claimName("trg_\(table.name)_audit_\(event)"), table: table.id,
                              kind: .audit(event: event, key: key.id, auditTable: audit.table,
                                           rowRef: audit.rowRef, eventColumn: audit.event))
        schema.triggers.append(trigger)
        statements.append(schema.createTriggerSQL(trigger))
        return Step(description: "create_\(trigger.name)", statements: statements)
    }

    func guardCandidates(_ table: Table) -> [Column] {
        table.columns.filter { column in
            column.valueClass == .integer && column.generated == nil && !column.primaryKey
                && !schema.triggers.contains { trigger in
                    if case .guardNonNegative(let id) = trigger.kind { return id == column.id }
                    return false
                }
        }
    }

    mutating func guardTrigger() -> Step? {
        guard let table = pick(schema.tables.filter { !guardCandidates($0).isEmpty }) else { return nil }
        let column = random.pick(guardCandidates(table))
        let trigger = Trigger(id: schema.makeID(), name: schema.claimName("trg_\(table.name)_\(column.name)_non_negative"),
                              table: table.id, kind: .guardNonNegative(column: column.id))
        schema.triggers.append(trigger)
        return Step(description: "create_\(trigger.name)", statements: [schema.createTriggerSQL(trigger)])
    }

    // MARK: DROP TABLE

    mutating func dropTable() -> Step? {
        let candidates = schema.tables.filter { schema.childTables(of: $0.id).isEmpty }
        guard schema.tables.count > 8, let table = pick(candidates) else { return nil }
        let views = schema.views(reading: table.id)
        let foreignTriggers = schema.foreignTriggers(touching: table.id)
        var statements = views.map { "DROP VIEW \($0.name);" }
        statements += foreignTriggers.map { "DROP TRIGGER \($0.name);" }
        statements.append("DROP TABLE \(table.name);")
        schema.views.removeAll { view in views.contains { $0.id == view.id } }
        schema.triggers.removeAll { trigger in
            trigger.table == table.id || foreignTriggers.contains { $0.id == trigger.id }
        }
        schema.indexes.removeAll { $0.table == table.id }
        schema.tables.removeAll { $0.id == table.id }
        return Step(description: "drop_\(table.name)", statements: statements)
    }
}
