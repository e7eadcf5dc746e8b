import Foundation

/// A folder of sqlx migrations, loaded with sqlx's exact naming, ordering and checksum rules.
///
/// ```swift
/// let set = try MigrationSet.load(from: URL(fileURLWithPath: "Migrations"))
/// print(set.applying.map(\.version)) // versions `migrate run` applies, in order
/// ```
public struct MigrationSet: Sendable {
    /// The folder the set was read from.
    public let folder: URL
    /// Every migration file, sorted by version then kind.
    public let migrations: [Migration]
    /// Characters removed before hashing (sqlx.toml `[migrate] ignored-chars`).
    public let ignoredCharacters: Set<Unicode.Scalar>

    /// The migrations `migrate run` applies (simple and up), in version order.
    public let applying: [Migration]

    /// Every version of the folder, down files included (sqlx counts them when looking for missing versions).
    public let allVersions: Set<MigrationVersion>

    private let appliedByVersion: [MigrationVersion: Int]

    /// How the migrations run when they are code (GRDB's migrator), not SQL text; nil for files.
    var replay: MigrationReplay?

    /// Whether only the registration order can be replayed (code migrations): a set of files can
    /// replay any order a ledger suggests, GRDB's migrator only its own prefixes.
    var replaysInOrderOnly: Bool { replay != nil }

    /// The migration `migrate run` would apply for `version`, if bundled.
    public func applied(version: MigrationVersion) -> Migration? {
        appliedByVersion[version].map { applying[$0] }
    }

    /// Creates a set from migrations already in memory (tests, generated sets).
    public init(folder: URL, migrations: [Migration], ignoredCharacters: Set<Unicode.Scalar> = []) throws(MigrationSetError) {
        self.folder = folder
        self.ignoredCharacters = ignoredCharacters
        self.migrations = migrations.sorted { ($0.version, $0.kind.sortRank) < ($1.version, $1.kind.sortRank) }
        try Self.rejectDuplicates(self.migrations)
        self.applying = self.migrations.filter { $0.kind.isApplied }
        self.allVersions = Set(self.migrations.map(\.version))
        self.appliedByVersion = Dictionary(self.applying.enumerated().map { ($1.version, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Loads every `<VERSION>_<DESCRIPTION>.sql` file of `folder`, as sqlx resolves a migration source.
    ///
    /// Files that do not look like migrations (no `_`, not ending in `.sql`, folders) are ignored, as sqlx
    /// ignores them. A `.sql` file whose version prefix does not parse is an error, as it is for sqlx.
    public static func load(from folder: URL, ignoredCharacters: Set<Unicode.Scalar> = []) throws(MigrationSetError) -> MigrationSet {
        try load(from: folder, ignoredCharacters: ignoredCharacters) { name, url throws(MigrationSetError) in
            let sql = try readUTF8(url)
            return (sql, SQLxChecksum.checksum(of: sql, ignoring: ignoredCharacters))
        }
    }

    /// ``load(from:ignoredCharacters:)`` with each file's text and checksum from `read` (the launch
    /// cache answers from its stat-validated records, and reads and hashes only what changed).
    static func load(from folder: URL, ignoredCharacters: Set<Unicode.Scalar>,
                     read: (_ name: String, _ url: URL) throws(MigrationSetError) -> (sql: String, checksum: Digest))
        throws(MigrationSetError) -> MigrationSet
    {
        let path = folder.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .folderMissing(path: path)
        }
        guard isDirectory.boolValue else { throw .notAFolder(path: path) }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw .folderUnreadable(path: path, reason: Self.reason(error))
        }
        let prefix = path.hasSuffix("/") ? path : path + "/"
        var migrations: [Migration] = []
        for name in names.sorted() {
            guard let parsed = try parse(fileName: name, in: folder) else { continue }
            // stat follows symlinks, like sqlx's metadata call; folders are skipped.
            var info = stat()
            guard stat(prefix + name, &info) == 0 else {
                throw .fileUnreadable(path: folder.appendingPathComponent(name).path, reason: "broken symbolic link")
            }
            if (info.st_mode & S_IFMT) == S_IFDIR { continue }
            // The name is a file's: no file-system check is needed to build its URL.
            let url = folder.appendingPathComponent(name, isDirectory: false)
            let (sql, checksum) = try read(name, url)
            migrations.append(Migration(version: parsed.version, description: parsed.description, kind: parsed.kind,
                                        fileName: name, url: url, sql: sql, checksum: checksum,
                                        noTransaction: Migration.startsWithNoTransaction(sql)))
        }
        guard !migrations.isEmpty else { throw .noMigrations(path: path) }
        return try MigrationSet(folder: folder, migrations: migrations, ignoredCharacters: ignoredCharacters)
    }

    /// Splits a file name the way sqlx does; nil for files sqlx ignores.
    static func parse(fileName name: String, in folder: URL) throws(MigrationSetError)
        -> (version: MigrationVersion, description: String, kind: Migration.Kind)?
    {
        guard let underscore = name.firstIndex(of: "_") else { return nil }
        let prefix = String(name[..<underscore])
        let rest = String(name[name.index(after: underscore)...])
        guard rest.hasSuffix(".sql") else { return nil }
        // Rust's i64 parse: optional sign, ASCII digits, no spaces, no overflow. Swift's Int64(String) agrees.
        guard let version = Int64(prefix) else {
            throw .unparsableVersion(path: folder.appendingPathComponent(name).path, prefix: prefix)
        }
        let kind: Migration.Kind = rest.hasSuffix(".up.sql") ? .reversibleUp
            : rest.hasSuffix(".down.sql") ? .reversibleDown : .simple
        var stem = Substring(rest)
        // sqlx trims the suffix repeatedly (trim_end_matches), so "1_a.sql.sql" describes "a".
        while stem.hasSuffix(kind.suffix) { stem = stem.dropLast(kind.suffix.count) }
        // Rust's replace('_', " ") works on chars (scalars); no Foundation search is needed for one ASCII scalar.
        var description = String.UnicodeScalarView()
        for scalar in stem.unicodeScalars { description.append(scalar == "_" ? " " : scalar) }
        return (MigrationVersion(version), String(description), kind)
    }

    static func readUTF8(_ url: URL) throws(MigrationSetError) -> String {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .fileUnreadable(path: url.path, reason: reason(error))
        }
        // The standard library validates quickly; the byte-by-byte walk only runs to name the bad offset.
        if let text = String(validating: data, as: UTF8.self) { return text }
        throw .notUTF8(path: url.path, byteOffset: firstInvalidUTF8Offset([UInt8](data)) ?? 0)
    }

    /// Offset of the first byte that breaks UTF-8 validity, or nil for valid text.
    static func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int? {
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                offset += UTF8.width(scalar)
            case .emptyInput:
                return nil
            case .error:
                return offset
            }
        }
    }

    private static func rejectDuplicates(_ migrations: [Migration]) throws(MigrationSetError) {
        var byVersion: [MigrationVersion: [Migration]] = [:]
        for migration in migrations { byVersion[migration.version, default: []].append(migration) }
        for version in byVersion.keys.sorted() {
            let files = byVersion[version]!
            guard files.count > 1 else { continue }
            let kinds = files.map(\.kind)
            let isPair = files.count == 2 && kinds.contains(.reversibleUp) && kinds.contains(.reversibleDown)
            if !isPair {
                throw .duplicateVersion(version: version, paths: files.map(\.url.path))
            }
        }
    }

    static func reason(_ error: any Error) -> String {
        if let cocoa = error as? CocoaError, let underlying = cocoa.userInfo[NSUnderlyingErrorKey] as? NSError {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return (error as NSError).localizedDescription
    }
}

extension Migration.Kind {
    var sortRank: Int {
        switch self {
        case .simple: return 0
        case .reversibleUp: return 1
        case .reversibleDown: return 2
        }
    }
}
