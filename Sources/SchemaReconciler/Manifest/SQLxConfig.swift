import Foundation

/// The `[migrate]` settings of an `sqlx.toml`, with sqlx's meaning.
///
/// ```swift
/// if let config = try SQLxConfig.find(above: URL(fileURLWithPath: "migrations")) {
///     print(config.tableName ?? "_sqlx_migrations", config.url.path)
/// }
/// ```
public struct SQLxConfig: Sendable, Hashable {
    /// The file the settings came from.
    public var url: URL
    /// `[migrate] table-name`.
    public var tableName: String?
    /// `[migrate] migrations-dir`, resolved against the file's folder.
    public var migrationsFolder: URL?
    /// `[migrate] ignored-chars`.
    public var ignoredCharacters: Set<Unicode.Scalar>?

    /// The file name sqlx looks for.
    public static let fileName = "sqlx.toml"

    /// Reads `url`.
    public static func load(from url: URL) throws(ConfigurationError) -> SQLxConfig {
        let reader = try TOMLReader(path: url.path)
        var config = SQLxConfig(url: url)
        guard let migrate = try reader.table("migrate", in: reader.root) else { return config }
        let location = TOMLReader.Location(table: "migrate")
        // sqlx rejects unknown keys in [migrate]; so do we.
        try reader.requireOnly(["table-name", "migrations-dir", "ignored-chars", "create-schemas", "defaults"],
                               in: migrate, at: location)
        config.tableName = try reader.string("table-name", in: migrate, at: location, required: false)
        if let folder = try reader.string("migrations-dir", in: migrate, at: location, required: false) {
            config.migrationsFolder = URL(fileURLWithPath: folder, relativeTo: url.deletingLastPathComponent()).standardizedFileURL
        }
        if let characters = try reader.strings("ignored-chars", in: migrate, at: location) {
            var scalars: Set<Unicode.Scalar> = []
            for text in characters {
                guard text.unicodeScalars.count == 1, let scalar = text.unicodeScalars.first else {
                    throw reader.error("each entry must be exactly one character, not \"\(text)\"", key: "ignored-chars",
                                       at: location)
                }
                scalars.insert(scalar)
            }
            config.ignoredCharacters = scalars
        }
        return config
    }

    /// The nearest `sqlx.toml` in `folder` or one of its parents.
    public static func find(above folder: URL) throws(ConfigurationError) -> SQLxConfig? {
        var current = folder.standardizedFileURL
        while true {
            let candidate = current.appendingPathComponent(fileName)
            if FileManager.default.fileExists(atPath: candidate.path) { return try load(from: candidate) }
            let parent = current.deletingLastPathComponent()
            if parent.path == current.path { return nil }
            current = parent
        }
    }
}
