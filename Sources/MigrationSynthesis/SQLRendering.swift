/// Renders model objects as SQL, always with the current names.
extension SchemaModel {
    func columnDefinition(_ column: Column, in table: Table, tableName: String? = nil) -> String {
        var parts = [column.name, column.type]
        if let generated = column.generated {
            switch generated {
            case .lower(let source): parts.append("GENERATED ALWAYS AS (lower(\(table.name(of: source)))) VIRTUAL")
            case .doubled(let source): parts.append("GENERATED ALWAYS AS (\(table.name(of: source)) * 2) VIRTUAL")
            }
            return parts.joined(separator: " ")
        }
        if column.primaryKey {
            parts.append(column.autoincrement ? "PRIMARY KEY AUTOINCREMENT" : "PRIMARY KEY")
        }
        if column.notNull { parts.append("NOT NULL") }
        if column.unique { parts.append("UNIQUE") }
        if let defaultSQL = column.defaultSQL { parts.append("DEFAULT \(defaultSQL)") }
        if let collation = column.collation { parts.append("COLLATE \(collation)") }
        if let check = column.check {
            let name = column.checkName.map { "CONSTRAINT \($0) " } ?? ""
            parts.append("\(name)CHECK (\(Self.checkSQL(check, column: column.name, nullable: !column.notNull)))")
        }
        if let reference = column.references {
            // A self-reference inside a rebuilt copy still names the table's final name.
            let parent = reference.table == table.id ? (tableName ?? table.name) : self.table(reference.table).name
            let parentColumn = reference.table == table.id
                ? table.name(of: reference.column) : self.table(reference.table).name(of: reference.column)
            var clause = "REFERENCES \(parent) (\(parentColumn)) ON DELETE \(reference.onDelete)"
            if let onUpdate = reference.onUpdate { clause += " ON UPDATE \(onUpdate)" }
            parts.append(clause)
        }
        return parts.joined(separator: " ")
    }

    /// A nullable JSON column spells out NULL: SQLite 3.40's `json_valid(NULL)` is 0, not NULL.
    static func checkSQL(_ check: ColumnCheck, column: String, nullable: Bool) -> String {
        switch check {
        case .nonNegative: "\(column) >= 0"
        case .range(let low, let high): "\(column) BETWEEN \(low) AND \(high)"
        case .maxLength(let length): "length(\(column)) <= \(length)"
        case .oneOf(let values): "\(column) IN (\(values.map { "'\($0)'" }.joined(separator: ", ")))"
        case .boolean: "\(column) IN (0, 1)"
        case .jsonValid: nullable ? "\(column) IS NULL OR json_valid(\(column))" : "json_valid(\(column))"
        case .blobLength(let length): "length(\(column)) <= \(length)"
        }
    }

    /// `CREATE TABLE name (...) options;` for `table`, optionally under another name (rebuilds).
    func createTableSQL(_ table: Table, as name: String? = nil) -> String {
        var lines = table.columns.map { "    " + columnDefinition($0, in: table, tableName: table.name) }
        if !table.compositeKey.isEmpty {
            lines.append("    PRIMARY KEY (\(table.compositeKey.map { table.name(of: $0) }.joined(separator: ", ")))")
        }
        for unique in table.uniques {
            lines.append("    UNIQUE (\(unique.map { table.name(of: $0) }.joined(separator: ", ")))")
        }
        for check in table.checks {
            let prefix = check.name.map { "CONSTRAINT \($0) " } ?? ""
            let body: String
            switch check.check {
            case .lessOrEqual(let a, let b): body = "\(table.name(of: a)) <= \(table.name(of: b))"
            case .anyNotNull(let a, let b): body = "\(table.name(of: a)) IS NOT NULL OR \(table.name(of: b)) IS NOT NULL"
            }
            lines.append("    \(prefix)CHECK (\(body))")
        }
        var options: [String] = []
        if table.withoutRowid { options.append("WITHOUT ROWID") }
        if table.strict { options.append("STRICT") }
        let suffix = options.isEmpty ? "" : " " + options.joined(separator: ", ")
        return "CREATE TABLE \(name ?? table.name) (\n\(lines.joined(separator: ",\n"))\n)\(suffix);"
    }

    func predicateSQL(_ predicate: Predicate, in table: Table, qualifier: String? = nil) -> String {
        let prefix = qualifier.map { "\($0)." } ?? ""
        switch predicate {
        case .isNull(let id): return "\(prefix)\(table.name(of: id)) IS NULL"
        case .isNotNull(let id): return "\(prefix)\(table.name(of: id)) IS NOT NULL"
        case .equals(let id, let literal): return "\(prefix)\(table.name(of: id)) = \(literal)"
        }
    }

    func createIndexSQL(_ index: Index) -> String {
        let table = table(index.table)
        let terms = index.parts.map { part -> String in
            switch part {
            case .column(let id, let collation, let descending):
                var term = table.name(of: id)
                if let collation { term += " COLLATE \(collation)" }
                if descending { term += " DESC" }
                return term
            case .lower(let id): return "lower(\(table.name(of: id)))"
            case .coalesce(let id, let fallback): return "coalesce(\(table.name(of: id)), \(fallback))"
            case .substr(let id): return "substr(\(table.name(of: id)), 1, 8)"
            case .abs(let id): return "abs(\(table.name(of: id)))"
            }
        }
        var sql = "CREATE \(index.unique ? "UNIQUE " : "")INDEX \(index.name) ON \(table.name) (\(terms.joined(separator: ", ")))"
        if let predicate = index.predicate { sql += " WHERE \(predicateSQL(predicate, in: table))" }
        return sql + ";"
    }

    func createViewSQL(_ view: View) -> String {
        switch view.kind {
        case .filter(let tableID, let columns, let predicate):
            let table = table(tableID)
            var sql = "CREATE VIEW \(view.name) AS\nSELECT \(columns.map { table.name(of: $0) }.joined(separator: ", "))\nFROM \(table.name)"
            if let predicate { sql += "\nWHERE \(predicateSQL(predicate, in: table))" }
            return sql + ";"
        case .join(let childID, let foreignKey, let parentID, let childColumns, let parentColumns):
            let child = table(childID)
            let parent = table(parentID)
            let key = parent.singleKey!.name
            let selected = childColumns.map { "c.\(child.name(of: $0.0)) AS \($0.1)" }
                + parentColumns.map { "p.\(parent.name(of: $0.0)) AS \($0.1)" }
            return """
                CREATE VIEW \(view.name) AS
                SELECT \(selected.joined(separator: ", "))
                FROM \(child.name) AS c
                JOIN \(parent.name) AS p ON p.\(key) = c.\(child.name(of: foreignKey));
                """
        case .aggregate(let tableID, let groupBy, let alias):
            let table = table(tableID)
            let column = table.name(of: groupBy)
            return """
                CREATE VIEW \(view.name) AS
                SELECT \(column), count(*) AS \(alias)
                FROM \(table.name)
                GROUP BY \(column);
                """
        }
    }

    func createTriggerSQL(_ trigger: Trigger) -> String {
        let table = table(trigger.table)
        switch trigger.kind {
        case .touch(let watched, let target):
            let match = table.primaryKey.map { "\(table.name(of: $0)) = NEW.\(table.name(of: $0))" }
                .joined(separator: " AND ")
            return """
                CREATE TRIGGER \(trigger.name)
                AFTER UPDATE OF \(table.name(of: watched)) ON \(table.name)
                FOR EACH ROW
                BEGIN
                    UPDATE \(table.name) SET \(table.name(of: target)) = CURRENT_TIMESTAMP WHERE \(match);
                END;
                """
        case .audit(let event, let key, let auditID, let rowRef, let eventColumn):
            let audit = self.table(auditID)
            let row = event == "delete" ? "OLD" : "NEW"
            return """
                CREATE TRIGGER \(trigger.name)
                AFTER \(event.uppercased()) ON \(table.name)
                FOR EACH ROW
                BEGIN
                    INSERT INTO \(audit.name) (\(audit.name(of: rowRef)), \(audit.name(of: eventColumn)))
                    VALUES (\(row).\(table.name(of: key)), '\(event)');
                END;
                """
        case .guardNonNegative(let column):
            let name = table.name(of: column)
            return """
                CREATE TRIGGER \(trigger.name)
                BEFORE INSERT ON \(table.name)
                FOR EACH ROW WHEN NEW.\(name) < 0
                BEGIN
                    SELECT RAISE(ABORT, '\(table.name).\(name) must not be negative');
                END;
                """
        }
    }
}

/// Literals for each value class; `n` makes values distinct per row.
enum Literals {
    static func value(for column: Column, row n: Int) -> String {
        switch column.check {
        case .oneOf(let values)?: return "'\(values[n % values.count])'"
        case .boolean?: return "\(n % 2)"
        default: break
        }
        switch column.valueClass {
        case .integer: return "\(n)"
        case .real: return "\(n).5"
        case .numeric: return "\(n).25"
        case .boolean: return "\(n % 2)"
        case .text: return "'\(column.name.prefix(12)) \(n)'"
        case .any: return n % 3 == 0 ? "\(n)" : "'any \(n)'"
        case .timestamp: return "'\(timestamp(n))'"
        case .json: return "'{\"n\": \(n)}'"
        case .blob: return "X'\(hex(UInt64(truncatingIfNeeded: n) &* 0x9E37_79B9_7F4A_7C15))'"
        }
    }

    /// A constant default valid for the column's class and check (for `ADD COLUMN`).
    static func constantDefault(for valueClass: ValueClass, check: ColumnCheck?, variant: Int) -> String {
        if case .oneOf(let values)? = check { return "'\(values[0])'" }
        switch valueClass {
        case .integer: return variant % 2 == 0 ? "0" : "1"
        case .real: return "0.0"
        case .numeric: return "0"
        case .boolean: return variant % 2 == 0 ? "0" : "1"
        case .text: return variant % 2 == 0 ? "''" : "'unknown'"
        case .any: return "''"
        case .timestamp: return "'1970-01-01 00:00:00'"
        case .json: return variant % 2 == 0 ? "'{}'" : "'[]'"
        case .blob: return "X''"
        }
    }

    /// `YYYY-MM-DD HH:MM:00` for minute `n` after 2023-01-01 (28-day months keep it simple).
    static func timestamp(_ n: Int) -> String {
        let minute = n % 60, hour = (n / 60) % 24, day = (n / 1440) % 28 + 1
        let month = (n / 40_320) % 12 + 1, year = 2023 + n / 483_840
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2)) \(pad(hour, 2)):\(pad(minute, 2)):00"
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
