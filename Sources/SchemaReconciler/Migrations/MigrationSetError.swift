import Foundation

/// Why a migration folder cannot be used; every case names the path at fault.
///
/// ```swift
/// do {
///     _ = try MigrationSet.load(from: folder)
/// } catch let error as MigrationSetError {
///     print(error.description) // "Migrations/abc_init.sql: version prefix "abc" is not an integer ..."
/// }
/// ```
public enum MigrationSetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The folder does not exist.
    case folderMissing(path: String)
    /// The path exists but is not a folder.
    case notAFolder(path: String)
    /// The folder could not be listed.
    case folderUnreadable(path: String, reason: String)
    /// The folder holds no file named like a sqlx migration.
    case noMigrations(path: String)
    /// A `.sql` file whose name has a prefix before `_` that is not a 64-bit integer.
    case unparsableVersion(path: String, prefix: String)
    /// Two files claim the same version (an up/down pair is the only allowed sharing).
    case duplicateVersion(version: MigrationVersion, paths: [String])
    /// The file is not valid UTF-8; sqlx reads migrations as UTF-8 text and would fail too.
    case notUTF8(path: String, byteOffset: Int)
    /// The file could not be read.
    case fileUnreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case .folderMissing(let path):
            return "\(path): migration folder does not exist"
        case .notAFolder(let path):
            return "\(path): not a folder (expected a folder of sqlx migrations)"
        case .folderUnreadable(let path, let reason):
            return "\(path): cannot list the migration folder: \(reason)"
        case .noMigrations(let path):
            return "\(path): no migration files (expected names like 0001_create_users.sql)"
        case .unparsableVersion(let path, let prefix):
            return "\(path): version prefix \"\(prefix)\" is not an integer (expected names like 0001_create_users.sql)"
        case .duplicateVersion(let version, let paths):
            return "\(paths.first ?? ""): version \(version) is used by more than one file: \(paths.joined(separator: ", "))"
        case .notUTF8(let path, let offset):
            return "\(path): not valid UTF-8 (first bad byte at offset \(offset)); sqlx reads migrations as UTF-8"
        case .fileUnreadable(let path, let reason):
            return "\(path): cannot read migration: \(reason)"
        }
    }
}
