import Foundation
import TOMLKit

/// What the schema alone cannot prove, declared beside the migrations in `reconcile.toml`.
///
/// sqlx ignores files that are not `N_x.sql`, so the manifest can live in the migrations folder.
///
/// ```toml
/// [ignore]
/// objects = ["cache_*"]
///
/// [[probe]]
/// version = 33
/// sql = "SELECT NOT EXISTS (SELECT 1 FROM threads WHERE item_count IS NULL)"
///
/// [[former-checksum]]
/// version = 7
/// checksum = "b28914c8…"
/// note = "0.3 shipped this file with a typo"
///
/// [[invariant]]
/// name = "one thread per rollout path"
/// sql = "SELECT rollout_path, count(*) FROM threads GROUP BY rollout_path HAVING count(*) > 1"
///
/// [[database]]
/// path = "state.sqlite"
/// migrations = "."
/// ```
///
/// ```swift
/// let manifest = try Manifest.load(from: folder.appendingPathComponent(Manifest.fileName))
/// print(manifest?.probes.map(\.version) ?? [])
/// ```
public struct Manifest: Sendable, Hashable {
    /// The manifest's file name inside a migrations folder.
    public static let fileName = "reconcile.toml"

    /// A read-only SQL expression that is true when `version` ran: it narrows a schema-silent range.
    public struct Probe: Sendable, Hashable, Codable {
        public var version: MigrationVersion
        public var sql: String
        public var description: String?
        public var line: Int?
    }

    /// A checksum `version` legitimately had in an earlier release (the file was edited in place).
    public struct FormerChecksum: Sendable, Hashable {
        public var version: MigrationVersion
        public var checksum: Digest
        public var note: String?
        public var line: Int?
    }

    /// A named query that must return no rows on a healthy database.
    public struct Invariant: Sendable, Hashable {
        public var name: String
        public var sql: String
        /// How many offending rows a report shows.
        public var maxRows: Int
        public var line: Int?
    }

    /// One database of the app: a path or glob relative to the app data folder, and its migrations.
    public struct DatabaseEntry: Sendable, Hashable {
        public var path: String
        /// The migrations folder, relative to the manifest's folder.
        public var migrations: String
        public var line: Int?
    }

    /// Where the manifest was read from.
    public var url: URL
    public var probes: [Probe] = []
    public var formerChecksums: [FormerChecksum] = []
    public var ignored: [NamePattern] = []
    public var invariants: [Invariant] = []
    public var databases: [DatabaseEntry] = []
    /// SHA-256 of the file's bytes (the fingerprint lock records it).
    public var digest: Digest

    /// Reads and checks `url`; nil when there is no such file.
    public static func load(from url: URL) throws(ConfigurationError) -> Manifest? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let reader = try TOMLReader(path: url.path)
        let bytes = (try? Data(contentsOf: url)) ?? Data()
        var manifest = Manifest(url: url, digest: Digest.sha256(of: bytes))
        try reader.requireOnly(["ignore", "probe", "former-checksum", "invariant", "database"], in: reader.root,
                               at: .init(table: nil))

        if let ignore = try reader.table("ignore", in: reader.root) {
            let location = TOMLReader.Location(table: "ignore")
            try reader.requireOnly(["objects"], in: ignore, at: location)
            manifest.ignored = (try reader.strings("objects", in: ignore, at: location) ?? []).map(NamePattern.init)
        }
        for (index, table) in try reader.tables("probe", in: reader.root).enumerated() {
            let location = TOMLReader.Location(table: "probe", index: index)
            try reader.requireOnly(["version", "sql", "description"], in: table, at: location)
            manifest.probes.append(Probe(version: try reader.version("version", in: table, at: location),
                                         sql: try reader.string("sql", in: table, at: location)!,
                                         description: try reader.string("description", in: table, at: location, required: false),
                                         line: reader.headerLine(location)))
        }
        for (index, table) in try reader.tables("former-checksum", in: reader.root).enumerated() {
            let location = TOMLReader.Location(table: "former-checksum", index: index)
            try reader.requireOnly(["version", "checksum", "note"], in: table, at: location)
            let hex = try reader.string("checksum", in: table, at: location)!
            guard let checksum = Digest(hex: hex), checksum.bytes.count == 48 else {
                throw reader.error("must be 96 hex digits (a SHA-384)", key: "checksum", at: location)
            }
            manifest.formerChecksums.append(FormerChecksum(
                version: try reader.version("version", in: table, at: location), checksum: checksum,
                note: try reader.string("note", in: table, at: location, required: false), line: reader.headerLine(location)))
        }
        for (index, table) in try reader.tables("invariant", in: reader.root).enumerated() {
            let location = TOMLReader.Location(table: "invariant", index: index)
            try reader.requireOnly(["name", "sql", "max-rows"], in: table, at: location)
            let maxRows = try reader.int("max-rows", in: table, at: location, required: false) ?? 5
            guard (1...1000).contains(maxRows) else { throw reader.error("must be between 1 and 1000", key: "max-rows", at: location) }
            manifest.invariants.append(Invariant(name: try reader.string("name", in: table, at: location)!,
                                                 sql: try reader.string("sql", in: table, at: location)!,
                                                 maxRows: maxRows, line: reader.headerLine(location)))
        }
        for (index, table) in try reader.tables("database", in: reader.root).enumerated() {
            let location = TOMLReader.Location(table: "database", index: index)
            try reader.requireOnly(["path", "migrations"], in: table, at: location)
            manifest.databases.append(DatabaseEntry(path: try reader.string("path", in: table, at: location)!,
                                                    migrations: try reader.string("migrations", in: table, at: location,
                                                                                  required: false) ?? ".",
                                                    line: reader.headerLine(location)))
        }
        return manifest
    }

    /// Checks every declaration against the migration set: versions must be bundled.
    public func validate(against set: MigrationSet) throws(ConfigurationError) {
        var probed: Set<MigrationVersion> = []
        for probe in probes where !probed.insert(probe.version).inserted {
            throw ConfigurationError(path: url.path, line: probe.line, key: "probe.version",
                                     message: "version \(probe.version) has more than one probe")
        }
        for probe in probes where set.applied(version: probe.version) == nil {
            throw ConfigurationError(path: url.path, line: probe.line, key: "probe.version",
                                     message: "version \(probe.version) is not bundled")
        }
        for former in formerChecksums where set.applied(version: former.version) == nil {
            throw ConfigurationError(path: url.path, line: former.line, key: "former-checksum.version",
                                     message: "version \(former.version) is not bundled")
        }
        let names = invariants.map(\.name)
        if let duplicate = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
            let line = invariants.last { $0.name == duplicate }?.line
            throw ConfigurationError(path: url.path, line: line, key: "invariant.name", message: "\"\(duplicate)\" is declared twice")
        }
    }

    /// The note of a former checksum `version` legitimately had, if `checksum` is one.
    public func formerChecksum(version: MigrationVersion, checksum: Digest?) -> FormerChecksum? {
        formerChecksums.first { $0.version == version && $0.checksum == checksum }
    }
}
