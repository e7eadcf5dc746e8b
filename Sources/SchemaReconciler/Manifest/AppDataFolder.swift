import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The databases of one app, found in its data folder by the manifest's `[[database]]` entries.
///
/// ```swift
/// let groups = try AppDataFolder(url: appDir).databases(declaredBy: manifest)
/// for group in groups { print(group.migrationsFolder.path, group.paths) }
/// ```
public struct AppDataFolder: Sendable {
    /// Databases that share one migrations folder.
    public struct Group: Sendable, Hashable {
        /// The `[[database]]` entry's pattern.
        public var pattern: String
        /// The migrations folder for these databases.
        public var migrationsFolder: URL
        /// Matching files, sorted.
        public var paths: [String]
    }

    /// The app's data folder.
    public var url: URL

    public init(url: URL) { self.url = url }

    /// Expands every `[[database]]` entry of `manifest`; an entry with no wildcard always yields its
    /// path (so a missing database is reported, not skipped).
    public func databases(declaredBy manifest: Manifest) throws(ConfigurationError) -> [Group] {
        guard !manifest.databases.isEmpty else {
            throw ConfigurationError(path: manifest.url.path, message: "declares no [[database]] entries for --app-dir")
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
            throw ConfigurationError(path: url.path, message: "app data folder does not exist")
        }
        guard isFolder.boolValue else {
            throw ConfigurationError(path: url.path, message: "is not a folder (--app-dir takes the app's data folder)")
        }
        var groups: [Group] = []
        let manifestFolder = manifest.url.deletingLastPathComponent()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        for entry in manifest.databases {
            let migrations = URL(fileURLWithPath: entry.migrations, relativeTo: manifestFolder).standardizedFileURL
            let hasWildcard = entry.path.contains { "*?[".contains($0) }
            let paths: [String]
            if hasWildcard {
                paths = names.filter { fnmatch(entry.path, $0, 0) == 0 }
                    .filter { !$0.hasSuffix("-wal") && !$0.hasSuffix("-shm") && !$0.hasSuffix("-journal") && !$0.contains(".backup-") }
                    .sorted().map { url.appendingPathComponent($0).path }
            } else {
                paths = [url.appendingPathComponent(entry.path).path]
            }
            groups.append(Group(pattern: entry.path, migrationsFolder: migrations, paths: paths))
        }
        return groups
    }
}
