import Foundation

/// One migration file, read with sqlx's exact rules.
///
/// ```swift
/// let set = try MigrationSet.load(from: URL(fileURLWithPath: "Migrations"))
/// for migration in set.applying {
///     print(migration.version, migration.description, migration.checksum.short)
/// }
/// ```
public struct Migration: Sendable, Hashable {
    /// How sqlx classifies a file by its suffix.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// `<VERSION>_<DESCRIPTION>.sql`
        case simple
        /// `<VERSION>_<DESCRIPTION>.up.sql`
        case reversibleUp = "up"
        /// `<VERSION>_<DESCRIPTION>.down.sql`: never applied by `migrate run`.
        case reversibleDown = "down"

        /// The file-name suffix, as UTF-8 bytes: sqlx's suffix tests compare bytes.
        var suffixBytes: [UInt8] {
            switch self {
            case .simple: return Self.simpleSuffix
            case .reversibleUp: return Self.upSuffix
            case .reversibleDown: return Self.downSuffix
            }
        }

        private static let simpleSuffix = Array(".sql".utf8)
        private static let upSuffix = Array(".up.sql".utf8)
        private static let downSuffix = Array(".down.sql".utf8)

        /// Whether `migrate run` applies this kind (down files only revert).
        public var isApplied: Bool { self != .reversibleDown }
    }

    /// The version: for sqlx the text before the first `_` parsed as a signed 64-bit integer; other
    /// layouts give dotted (Flyway) or text (diesel) versions, ordered as their tool orders them.
    public let version: MigrationVersion
    /// The description sqlx records: the rest of the name without suffix, `_` replaced by a space.
    public let description: String
    /// Simple, up or down.
    public let kind: Kind
    /// The file name, for messages.
    public let fileName: String
    /// The file's location.
    public var url: URL {
        switch location {
        case .url(let url): url
        case .inFolder(let folder, let name): folder.appendingPathComponent(name, isDirectory: false)
        }
    }
    /// The file's text, exactly as read (a BOM, if any, is kept, as sqlx keeps it).
    public let sql: String
    /// The SHA-384 sqlx records for this file (after removing ignored characters, if any).
    public let checksum: Digest
    /// Whether the file starts with `-- no-transaction`, which makes sqlx run it outside a transaction.
    public let noTransaction: Bool

    /// Where the file is. A folder's migrations share the folder's URL and build their own only when
    /// asked (a message, a repair): a launch check never asks, and 3,000 files' URLs held 1 MB of heap.
    private let location: Location

    private enum Location: Sendable {
        case url(URL)
        case inFolder(URL, fileName: String)
    }

    /// Creates a migration from its parts; `checksum` is computed with sqlx's rule.
    public init(version: MigrationVersion, description: String, kind: Kind, fileName: String, url: URL, sql: String,
                ignoredCharacters: Set<Unicode.Scalar> = []) {
        self.version = version
        self.description = description
        self.kind = kind
        self.fileName = fileName
        self.location = .url(url)
        self.sql = sql
        self.checksum = SQLxChecksum.checksum(of: sql, ignoring: ignoredCharacters)
        self.noTransaction = Self.startsWithNoTransaction(sql)
    }

    /// A migration read from `folder`, whose file is `fileName` there.
    init(version: MigrationVersion, description: String, kind: Kind, fileName: String, folder: URL, sql: String,
         checksum: Digest, noTransaction: Bool) {
        self.version = version
        self.description = description
        self.kind = kind
        self.fileName = fileName
        self.location = .inFolder(folder, fileName: fileName)
        self.sql = sql
        self.checksum = checksum
        self.noTransaction = noTransaction
    }

    /// Equal when every part is, the location compared as a URL however it is held.
    public static func == (lhs: Migration, rhs: Migration) -> Bool {
        lhs.version == rhs.version && lhs.kind == rhs.kind && lhs.checksum == rhs.checksum
            && lhs.fileName == rhs.fileName && lhs.description == rhs.description
            && lhs.noTransaction == rhs.noTransaction && lhs.sql == rhs.sql && lhs.url == rhs.url
    }

    public func hash(into hasher: inout Hasher) {
        // The URL is left out: equal migrations have equal URLs, and building one per hash is not free.
        hasher.combine(version)
        hasher.combine(kind)
        hasher.combine(checksum)
        hasher.combine(fileName)
    }

    /// sqlx's test for a migration that runs outside a transaction.
    static func startsWithNoTransaction(_ sql: String) -> Bool { sql.hasPrefix("-- no-transaction") }

    /// Creates a migration of another tool's layout: `sql` is the part that tool runs going up,
    /// `checksum` the identity its ledger rows carry (the tool's own checksum, or one derived from the
    /// version when it has none), `noTransaction` whether the tool runs it outside a transaction.
    public init(version: MigrationVersion, description: String, kind: Kind, fileName: String, url: URL, sql: String,
                checksum: Digest, noTransaction: Bool) {
        self.version = version
        self.description = description
        self.kind = kind
        self.fileName = fileName
        self.location = .url(url)
        self.sql = sql
        self.checksum = checksum
        self.noTransaction = noTransaction
    }
}

/// sqlx's checksum rule: SHA-384 of the file text with the configured ignored characters removed.
///
/// ```swift
/// let digest = SQLxChecksum.checksum(of: "CREATE TABLE t(a);\r\n", ignoring: ["\r"])
/// ```
public enum SQLxChecksum {
    /// The checksum sqlx computes for `sql`, removing every Unicode scalar listed in `ignoring`.
    public static func checksum(of sql: String, ignoring: Set<Unicode.Scalar> = []) -> Digest {
        if ignoring.isEmpty {
            return Digest.sha384(of: Array(sql.utf8))
        }
        // Rust chars are Unicode scalars: filter scalars, not grapheme clusters ("\r\n" is one Character).
        var kept = String.UnicodeScalarView()
        for scalar in sql.unicodeScalars where !ignoring.contains(scalar) {
            kept.append(scalar)
        }
        return Digest.sha384(of: Array(String(kept).utf8))
    }
}
