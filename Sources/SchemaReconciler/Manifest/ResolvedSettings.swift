import Foundation

/// The migrations folder, ledger table and ignored characters in force, and where each came from:
/// a flag, an `sqlx.toml`, or the default.
///
/// Flags override `sqlx.toml`; `--config FILE` names the file, otherwise the nearest `sqlx.toml` in
/// the migrations folder or above it is used (for `migrations-dir`, the working directory is searched).
///
/// ```swift
/// let settings = try ResolvedSettings.resolve(migrations: nil, table: nil, ignoredCharacters: nil, config: nil,
///                                             workingDirectory: URL(fileURLWithPath: "."))
/// for setting in settings.sources { print(setting.name, setting.value, setting.source) }
/// ```
public struct ResolvedSettings: Sendable, Hashable {
    /// One setting, its value and where it came from.
    public struct Setting: Sendable, Hashable, Codable {
        public var name: String
        public var value: String
        public var source: String
    }

    public var migrationsFolder: URL
    public var tableNameText: String
    public var ignoredCharacters: Set<Unicode.Scalar>
    /// The `sqlx.toml` used, if any.
    public var config: SQLxConfig?
    /// Every setting with its origin, for reports.
    public var sources: [Setting]

    /// Why no migrations folder could be settled on.
    public struct NoMigrationsFolder: Error, Sendable, CustomStringConvertible {
        public var description: String { "no migrations folder: pass --migrations DIR (no ./Migrations here)" }
    }

    /// Combines flags, `sqlx.toml` and defaults.
    public static func resolve(migrations: String?, table: String?, ignoredCharacters: Set<Unicode.Scalar>?,
                               config configPath: String?, workingDirectory: URL) throws -> ResolvedSettings {
        var config: SQLxConfig?
        if let configPath {
            config = try SQLxConfig.load(from: URL(fileURLWithPath: configPath, relativeTo: workingDirectory).standardizedFileURL)
        } else if migrations == nil {
            let candidate = workingDirectory.appendingPathComponent(SQLxConfig.fileName)
            if FileManager.default.fileExists(atPath: candidate.path) { config = try SQLxConfig.load(from: candidate) }
        }
        var sources: [Setting] = []
        let folder: URL
        if let migrations {
            folder = URL(fileURLWithPath: migrations, relativeTo: workingDirectory).standardizedFileURL
            sources.append(Setting(name: "migrations-dir", value: migrations, source: "--migrations"))
        } else if let configured = config?.migrationsFolder {
            folder = configured
            sources.append(Setting(name: "migrations-dir", value: configured.path, source: config!.url.path))
        } else {
            let bundled = workingDirectory.appendingPathComponent("Migrations")
            guard FileManager.default.fileExists(atPath: bundled.path) else { throw NoMigrationsFolder() }
            folder = bundled
            sources.append(Setting(name: "migrations-dir", value: "Migrations", source: "default (./Migrations)"))
        }
        if config == nil, configPath == nil {
            config = try SQLxConfig.find(above: folder)
        }
        let tableNameText: String
        if let table {
            tableNameText = table
            sources.append(Setting(name: "table-name", value: table, source: "--table"))
        } else if let configured = config?.tableName {
            tableNameText = configured
            sources.append(Setting(name: "table-name", value: configured, source: config!.url.path))
        } else {
            tableNameText = SQLxLedger.defaultTableName
            sources.append(Setting(name: "table-name", value: tableNameText, source: "default"))
        }
        let characters: Set<Unicode.Scalar>
        if let ignoredCharacters {
            characters = ignoredCharacters
            sources.append(Setting(name: "ignored-chars", value: describe(ignoredCharacters), source: "--ignored-chars"))
        } else if let configured = config?.ignoredCharacters {
            characters = configured
            sources.append(Setting(name: "ignored-chars", value: describe(configured), source: config!.url.path))
        } else {
            characters = []
            sources.append(Setting(name: "ignored-chars", value: "none", source: "default"))
        }
        return ResolvedSettings(migrationsFolder: folder, tableNameText: tableNameText, ignoredCharacters: characters,
                                config: config, sources: sources)
    }

    static func describe(_ scalars: Set<Unicode.Scalar>) -> String {
        scalars.isEmpty ? "none" : scalars.sorted { $0.value < $1.value }
            .map { String(format: "U+%04X", $0.value) }.joined(separator: " ")
    }
}
