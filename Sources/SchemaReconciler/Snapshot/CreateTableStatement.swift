import Foundation

/// The properties of a `CREATE TABLE` statement that no pragma exposes, read tolerantly from its text.
///
/// SQLite splices columns added by `ALTER TABLE ADD COLUMN` after any table constraints, which gives
/// text no fresh `CREATE TABLE` would accept. Each top-level item of the body is therefore classified
/// on its own (column or constraint), whatever its position.
///
/// ```swift
/// let statement = CreateTableStatement.parse("CREATE TABLE t(a, CHECK(a > 0), b AS (a * 2))")
/// statement?.checks.map(\.expression)            // ["(a > 0)"]
/// statement?.columns[1].generatedExpression      // "(a * 2)"
/// ```
struct CreateTableStatement: Sendable, Hashable {
    /// A CHECK constraint: its optional name and its canonical expression (with parentheses).
    public struct Check: Sendable, Hashable {
        public var name: String?
        public var expression: String
    }

    /// What the text says about one column beyond the pragmas.
    public struct Column: Sendable, Hashable {
        /// The column name, unquoted.
        public var name: String
        /// Column-level CHECK constraints.
        public var checks: [Check] = []
        /// `AS (expr)` of a generated column, canonical.
        public var generatedExpression: String?
        /// Names given with `CONSTRAINT name` to the column's constraints, with the constraint kind.
        public var namedConstraints: [String] = []
    }

    /// Columns in text order.
    public var columns: [Column] = []
    /// Table-level CHECK constraints in text order.
    public var checks: [Check] = []
    /// Table-level constraints given a name, as `kind name` (for example `UNIQUE uq_title`).
    public var namedConstraints: [String] = []

    private static let constraintStarters: Set<String> = ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"]

    /// Parses `sql`; nil when it has no parenthesised body (for example `CREATE TABLE t AS SELECT ...`).
    public static func parse(_ sql: String) -> CreateTableStatement? {
        let tokens = SQLTokenizer.tokens(in: sql)
        guard let open = tokens.firstIndex(where: { $0.isSymbol("(") }),
              let close = matchingParen(tokens[...], open) else { return nil }
        var statement = CreateTableStatement()
        for segment in splitTopLevel(tokens, from: open + 1, to: close) where !segment.isEmpty {
            let first = segment[segment.startIndex]
            if first.kind == .keyword, constraintStarters.contains(first.canonical) {
                statement.readTableConstraint(segment)
            } else {
                statement.columns.append(readColumn(segment))
            }
        }
        // WITHOUT ROWID and STRICT come from PRAGMA table_list, not from here.
        return statement
    }

    // MARK: - Items

    private mutating func readTableConstraint(_ tokens: ArraySlice<SQLToken>) {
        var index = tokens.startIndex
        var name: String?
        if tokens[index].canonical == "CONSTRAINT", index + 1 < tokens.endIndex {
            name = SchemaObject.canonicalName(tokens[index + 1].value)
            index += 2
        }
        guard index < tokens.endIndex else { return }
        let kind = tokens[index].canonical
        if let name { namedConstraints.append("\(kind) \(name)") }
        if kind == "CHECK", index + 1 < tokens.endIndex, tokens[index + 1].isSymbol("("),
           let end = Self.matchingParen(tokens, index + 1) {
            checks.append(Check(name: name, expression: SQLTokenizer.render(tokens[(index + 1)...end])))
        }
    }

    private static func readColumn(_ tokens: ArraySlice<SQLToken>) -> Column {
        var column = Column(name: tokens[tokens.startIndex].value)
        var pendingName: String?
        var index = tokens.startIndex + 1
        while index < tokens.endIndex {
            let token = tokens[index]
            if token.isSymbol("(") {
                // Skip type arguments and clause bodies we do not read (DEFAULT (...), REFERENCES t(...)).
                index = (matchingParen(tokens, index) ?? tokens.endIndex - 1) + 1
                continue
            }
            guard token.kind == .keyword else { index += 1; continue }
            switch token.canonical {
            case "CONSTRAINT" where index + 1 < tokens.endIndex:
                pendingName = SchemaObject.canonicalName(tokens[index + 1].value)
                index += 2
                continue
            case "CHECK", "AS":
                if index + 1 < tokens.endIndex, tokens[index + 1].isSymbol("("),
                   let end = matchingParen(tokens, index + 1) {
                    let expression = SQLTokenizer.render(tokens[(index + 1)...end])
                    if token.canonical == "CHECK" {
                        column.checks.append(Check(name: pendingName, expression: expression))
                    } else {
                        column.generatedExpression = expression
                    }
                    if let name = pendingName { column.namedConstraints.append("\(token.canonical) \(name)") }
                    pendingName = nil
                    index = end + 1
                    continue
                }
            case "PRIMARY", "NOT", "NULL", "UNIQUE", "DEFAULT", "COLLATE", "REFERENCES", "GENERATED":
                if let name = pendingName { column.namedConstraints.append("\(token.canonical) \(name)") }
                pendingName = nil
            default:
                break
            }
            index += 1
        }
        return column
    }

    // MARK: - Token helpers

    static func matchingParen(_ tokens: ArraySlice<SQLToken>, _ open: Int) -> Int? {
        var depth = 0
        var index = open
        while index < tokens.endIndex {
            if tokens[index].isSymbol("(") { depth += 1 }
            if tokens[index].isSymbol(")") {
                depth -= 1
                if depth == 0 { return index }
            }
            index += 1
        }
        return nil
    }

    static func splitTopLevel(_ tokens: [SQLToken], from start: Int, to end: Int) -> [ArraySlice<SQLToken>] {
        var segments: [ArraySlice<SQLToken>] = []
        var depth = 0
        var segmentStart = start
        for index in start..<end {
            let token = tokens[index]
            if token.isSymbol("(") { depth += 1 }
            if token.isSymbol(")") { depth -= 1 }
            if depth == 0, token.isSymbol(",") {
                segments.append(tokens[segmentStart..<index])
                segmentStart = index + 1
            }
        }
        segments.append(tokens[segmentStart..<end])
        return segments
    }
}

extension SQLToken {
    func isSymbol(_ symbol: String) -> Bool { kind == .symbol && text == symbol }
}
