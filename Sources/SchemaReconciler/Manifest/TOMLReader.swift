import Foundation
import TOMLKit

/// A configuration file that cannot be used, with the file, line and key at fault.
///
/// ```swift
/// catch let error as ConfigurationError {
///     print(error) // "Migrations/reconcile.toml:12: probe.version: version 99 is not bundled"
/// }
/// ```
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file.
    public var path: String
    /// The 1-based line, when known.
    public var line: Int?
    /// The key, dotted (`probe.version`), when the problem is one key.
    public var key: String?
    /// What is wrong.
    public var message: String

    public var description: String {
        var text = path
        if let line { text += ":\(line)" }
        text += ": "
        if let key { text += "\(key): " }
        return text + message
    }
}

/// Reads a TOML file strictly: unknown keys and wrong types are errors that name file, line and key.
///
/// TOMLKit parses; this type walks the result and finds the line of each table and key in the text,
/// since parsed values carry no positions.
struct TOMLReader {
    let path: String
    let lines: [Substring]
    let root: TOMLTable

    init(path: String) throws(ConfigurationError) {
        self.path = path
        let text: String
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            guard let decoded = String(data: data, encoding: .utf8) else {
                throw ConfigurationError(path: path, message: "not valid UTF-8")
            }
            text = decoded
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw ConfigurationError(path: path, message: "cannot read: \(error.localizedDescription)")
        }
        self.lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        do {
            self.root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigurationError(path: path, line: error.source.begin.line, message: "TOML syntax: \(error.description)")
        } catch {
            throw ConfigurationError(path: path, message: "TOML syntax: \(error)")
        }
    }

    /// Where a value lives: a table name (nil for the root), and an index for arrays of tables.
    struct Location {
        var table: String?
        var index: Int?
    }

    // MARK: - Lines

    /// The line of the header of `location`'s table (1-based), when found.
    func headerLine(_ location: Location) -> Int? {
        guard let table = location.table else { return nil }
        var seen = 0
        for (offset, line) in lines.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if let index = location.index {
                guard trimmed.hasPrefix("[["), trimmed.dropFirst(2).prefix(while: { $0 != "]" })
                    .trimmingCharacters(in: .whitespaces) == table else { continue }
                if seen == index { return offset + 1 }
                seen += 1
            } else if trimmed.hasPrefix("["), !trimmed.hasPrefix("[["),
                      trimmed.dropFirst().prefix(while: { $0 != "]" }).trimmingCharacters(in: .whitespaces) == table {
                return offset + 1
            }
        }
        return nil
    }

    /// The line of `key` inside `location`'s table (1-based), falling back to the header line.
    func keyLine(_ key: String, in location: Location) -> Int? {
        let header = headerLine(location)
        // `header` is 1-based, so it is also the index of the first line after the header.
        var offset = header ?? 0
        while offset < lines.count {
            let trimmed = lines[offset].trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("[") { break }
            let name = trimmed.prefix { $0 != "=" }.trimmingCharacters(in: .whitespaces)
            if name == key || name == "\"\(key)\"" { return offset + 1 }
            offset += 1
        }
        return header
    }

    func error(_ message: String, key: String? = nil, at location: Location) -> ConfigurationError {
        let dotted = [location.table, key].compactMap { $0 }.joined(separator: ".")
        var line = key.flatMap { keyLine($0, in: location) } ?? headerLine(location)
        if line == nil, location.table == nil, let key {
            // A top-level key may be a table header of its own: `[key]` or `[[key]]`.
            line = headerLine(Location(table: key)) ?? headerLine(Location(table: key, index: 0))
        }
        return ConfigurationError(path: path, line: line, key: dotted.isEmpty ? nil : dotted, message: message)
    }

    // MARK: - Typed access

    /// Rejects keys of `table` outside `allowed`.
    func requireOnly(_ allowed: Set<String>, in table: TOMLTable, at location: Location) throws(ConfigurationError) {
        for key in table.keys.sorted() where !allowed.contains(key) {
            throw error("unknown key (expected one of: \(allowed.sorted().joined(separator: ", ")))", key: key, at: location)
        }
    }

    func string(_ key: String, in table: TOMLTable, at location: Location, required: Bool = true) throws(ConfigurationError) -> String? {
        guard let value = table[key] else {
            if required { throw error("missing (a string is required)", key: key, at: location) }
            return nil
        }
        guard let text = value.string else { throw error("must be a string, not \(value.type)", key: key, at: location) }
        return text
    }

    func int(_ key: String, in table: TOMLTable, at location: Location, required: Bool = true) throws(ConfigurationError) -> Int? {
        guard let value = table[key] else {
            if required { throw error("missing (an integer is required)", key: key, at: location) }
            return nil
        }
        guard let number = value.int else { throw error("must be an integer, not \(value.type)", key: key, at: location) }
        return number
    }

    /// A migration version: an integer, or a string for versions that are no integer (Flyway's `"1.2.10"`).
    func version(_ key: String, in table: TOMLTable, at location: Location) throws(ConfigurationError) -> MigrationVersion {
        guard let value = table[key] else { throw error("missing (a version is required)", key: key, at: location) }
        if let number = value.int { return MigrationVersion(Int64(number)) }
        guard let text = value.string, !text.isEmpty else {
            throw error("must be an integer, or a string for a version that is no integer, not \(value.type)", key: key, at: location)
        }
        return MigrationVersion(dotted: text) ?? MigrationVersion(text: text)
    }

    func strings(_ key: String, in table: TOMLTable, at location: Location) throws(ConfigurationError) -> [String]? {
        guard let value = table[key] else { return nil }
        guard let array = value.array else { throw error("must be an array of strings, not \(value.type)", key: key, at: location) }
        var result: [String] = []
        for element in array {
            guard let text = element.string else {
                throw error("must be an array of strings (found \(element.type))", key: key, at: location)
            }
            result.append(text)
        }
        return result
    }

    /// The tables of an array of tables (`[[probe]]`), or an error if `key` is something else.
    func tables(_ key: String, in table: TOMLTable) throws(ConfigurationError) -> [TOMLTable] {
        guard let value = table[key] else { return [] }
        guard let array = value.array else {
            throw error("must be an array of tables ([[\(key)]])", at: Location(table: key))
        }
        var result: [TOMLTable] = []
        for (index, element) in array.enumerated() {
            guard let entry = element.table else {
                throw error("must be an array of tables ([[\(key)]])", at: Location(table: key, index: index))
            }
            result.append(entry)
        }
        return result
    }

    func table(_ key: String, in table: TOMLTable) throws(ConfigurationError) -> TOMLTable? {
        guard let value = table[key] else { return nil }
        guard let result = value.table else { throw error("must be a table ([\(key)])", at: Location(table: key)) }
        return result
    }
}
