import Foundation
import GRDB

/// A migration's version, ordered the way its migrator orders versions.
///
/// Most migrators number migrations with integers (sqlx, golang-migrate, goose, refinery,
/// `PRAGMA user_version`). Flyway's versions are dotted (`1.2.10`), compared numerically part by
/// part with trailing zero parts ignored, so `1.2.10` follows `1.2.9` and `1.0` is `1`. diesel's
/// versions are text, compared as strings.
///
/// Integer and dotted versions compare with each other as numbers (`5` is `5.0`); text versions
/// compare as strings. One set never mixes text with numbers in a way that disagrees: the layouts
/// that produce text refuse a folder whose string order is not its numeric order.
///
/// ```swift
/// let v: MigrationVersion = 21
/// #expect(MigrationVersion(dotted: "1.2.10")! > MigrationVersion(dotted: "1.2.9")!)
/// #expect(MigrationVersion(dotted: "1.0") == MigrationVersion(1))
/// print(v, MigrationVersion(text: "20240115093000")) // 21 20240115093000
/// ```
public struct MigrationVersion: Sendable, Hashable, Comparable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    private enum Storage: Sendable {
        case integer(Int64)
        case dotted(Dotted)
        case text(String)
    }

    /// A dotted version: its parts as digit strings without leading zeros, trailing zero parts
    /// removed (the comparison key), and the text as written (for display and ledgers).
    private final class Dotted: Sendable {
        let parts: [Substring]
        let text: String

        init(parts: [Substring], text: String) {
            self.parts = parts
            self.text = text
        }
    }

    private let storage: Storage

    /// An integer version (sqlx, golang-migrate, goose, refinery, `user_version`).
    public init(_ value: Int64) { storage = .integer(value) }

    /// An integer version from a literal: `let v: MigrationVersion = 21`.
    public init(integerLiteral value: Int64) { storage = .integer(value) }

    /// A dotted version (Flyway's `1.2.10`: digits separated by single dots); nil for any other text.
    /// The text is kept as written; `_` must already be turned into `.` (Flyway's file names allow both).
    public init?(dotted text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard !parts.isEmpty, parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } }) else {
            return nil
        }
        var key = parts.map { part -> Substring in
            let trimmed = part.drop { $0 == "0" }
            return trimmed.isEmpty ? "0" : trimmed
        }
        while key.count > 1, key.last == "0" { key.removeLast() }
        storage = .dotted(Dotted(parts: key, text: text))
    }

    /// A text version (diesel's folder names), compared as strings.
    public init(text: String) { storage = .text(text) }

    /// A version as a person types it (`--assume-version`, `reconcile.toml`): an integer when it is
    /// one (sign and digits, within Int64), a dotted version when it has dots between digits, a text
    /// version when it is ASCII letters and digits with at least one letter; nil otherwise (digits
    /// beyond Int64, spaces, punctuation).
    ///
    /// ```swift
    /// #expect(MigrationVersion(argument: "21") == 21)
    /// #expect(MigrationVersion(argument: "1.2.10")?.description == "1.2.10")
    /// #expect(MigrationVersion(argument: "2024 01") == nil)
    /// ```
    public init?(argument: String) {
        if let value = Int64(argument) {
            self.init(value)
        } else if argument.contains("."), let dotted = MigrationVersion(dotted: argument) {
            self = dotted
        } else if argument.unicodeScalars.allSatisfy({ $0.isASCII && CharacterSet.alphanumerics.contains($0) }),
                  argument.unicodeScalars.contains(where: { CharacterSet.letters.contains($0) }) {
            self.init(text: argument)
        } else {
            return nil
        }
    }

    /// The value of an integer version; nil for dotted and text versions.
    public var integer: Int64? {
        if case .integer(let value) = storage { return value }
        return nil
    }

    /// Whether this is a text version (compared as a string), not an integer or dotted one.
    var isText: Bool {
        if case .text = storage { return true }
        return false
    }

    /// Whether this is the integer right after `other` (`22` follows `21`), so reports can write ranges
    /// (`21–23`); dotted and text versions follow nothing.
    public func follows(_ other: MigrationVersion) -> Bool {
        guard let value = integer, let previous = other.integer else { return false }
        return previous < Int64.max && value == previous + 1
    }

    /// The version as its migrator writes it: `21`, `1.2.10`, `20240115093000`.
    public var description: String {
        switch storage {
        case .integer(let value): return String(value)
        case .dotted(let dotted): return dotted.text
        case .text(let text): return text
        }
    }

    /// The numeric parts an integer or dotted version compares by; nil for a text or negative version.
    private var numericParts: [Substring]? {
        switch storage {
        case .integer(let value): return value >= 0 ? [Substring(String(value))] : nil
        case .dotted(let dotted): return dotted.parts
        case .text: return nil
        }
    }

    public static func < (lhs: MigrationVersion, rhs: MigrationVersion) -> Bool { compare(lhs, rhs) < 0 }

    public static func == (lhs: MigrationVersion, rhs: MigrationVersion) -> Bool {
        if case .integer(let a) = lhs.storage, case .integer(let b) = rhs.storage { return a == b }
        return compare(lhs, rhs) == 0
    }

    public func hash(into hasher: inout Hasher) {
        switch storage {
        case .integer(let value):
            hasher.combine(0)
            hasher.combine(value)
        case .dotted(let dotted):
            // Equal integer and dotted versions (5 and 5.0) hash alike: a one-part dotted version that
            // fits an Int64 hashes as that integer (its part has no leading zeros, so it parses back).
            if dotted.parts.count == 1, let value = Int64(dotted.parts[0]) {
                hasher.combine(0)
                hasher.combine(value)
            } else {
                hasher.combine(2)
                for part in dotted.parts { hasher.combine(part) }
            }
        case .text(let text):
            hasher.combine(1)
            hasher.combine(text)
        }
    }

    /// -1, 0 or 1. Integers compare as integers; a negative integer precedes every dotted version;
    /// integer and dotted versions compare part by part as numbers; text compares with text as
    /// strings and follows every number.
    private static func compare(_ lhs: MigrationVersion, _ rhs: MigrationVersion) -> Int {
        switch (lhs.storage, rhs.storage) {
        case (.integer(let a), .integer(let b)):
            return a < b ? -1 : (a == b ? 0 : 1)
        case (.text(let a), .text(let b)):
            return a < b ? -1 : (a == b ? 0 : 1)
        case (.text, _):
            return 1
        case (_, .text):
            return -1
        default:
            break
        }
        switch (lhs.numericParts, rhs.numericParts) {
        case (nil, nil): return compare(lhs.integer ?? 0, rhs.integer ?? 0)
        case (nil, _): return -1
        case (_, nil): return 1
        case (let a?, let b?):
            for index in 0..<max(a.count, b.count) {
                let x = index < a.count ? a[index] : "0"
                let y = index < b.count ? b[index] : "0"
                if x.count != y.count { return x.count < y.count ? -1 : 1 }
                if x != y { return x < y ? -1 : 1 }
            }
            return 0
        }
    }

    private static func compare(_ a: Int64, _ b: Int64) -> Int { a < b ? -1 : (a == b ? 0 : 1) }
}

extension MigrationVersion: Codable {
    /// Integers decode from JSON numbers; strings become dotted versions when they are digits and
    /// dots, else text versions.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Int64.self) {
            self.init(value)
            return
        }
        let text = try container.decode(String.self)
        self = MigrationVersion(dotted: text) ?? MigrationVersion(text: text)
    }

    /// An integer version encodes as a JSON number, the others as strings.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let value = integer {
            try container.encode(value)
        } else {
            try container.encode(description)
        }
    }
}

extension MigrationVersion: DatabaseValueConvertible {
    /// An integer version is stored as an INTEGER, the others as TEXT.
    public var databaseValue: DatabaseValue {
        if let value = integer { return value.databaseValue }
        return description.databaseValue
    }

    /// An INTEGER reads as an integer version; TEXT as a dotted version when it is digits and dots,
    /// else as text; other storage classes are no version.
    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> MigrationVersion? {
        switch dbValue.storage {
        case .int64(let value): return MigrationVersion(value)
        case .string(let text): return MigrationVersion(dotted: text) ?? MigrationVersion(text: text)
        default: return nil
        }
    }
}
