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
        // Without down files every migration applies: the same array, shared rather than copied (3,000
        // migrations' values are 0.45 MB).
        self.applying = self.migrations.allSatisfy(\.kind.isApplied) ? self.migrations : self.migrations.filter { $0.kind.isApplied }
        self.allVersions = Set(self.migrations.map(\.version))
        self.appliedByVersion = Dictionary(self.applying.enumerated().map { ($1.version, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Loads every `<VERSION>_<DESCRIPTION>.sql` file of `folder`, as sqlx resolves a migration source.
    ///
    /// Files that do not look like migrations (no `_`, not ending in `.sql`, folders) are ignored, as sqlx
    /// ignores them. A `.sql` file whose version prefix does not parse is an error, as it is for sqlx.
    public static func load(from folder: URL, ignoredCharacters: Set<Unicode.Scalar> = []) throws(MigrationSetError) -> MigrationSet {
        try load(from: folder, ignoredCharacters: ignoredCharacters) { file throws(MigrationSetError) in
            let sql = try readUTF8(file.url)
            return (sql, SQLxChecksum.checksum(of: sql, ignoring: ignoredCharacters))
        }
    }

    /// A migration file found by ``load(from:ignoredCharacters:read:)``, before it is read.
    struct FoundFile {
        var name: String
        var path: String
        var folder: URL
        var url: URL { folder.appendingPathComponent(name, isDirectory: false) }
        /// What `stat` (links followed) said of it, just before it is read.
        var info: stat
    }

    /// ``load(from:ignoredCharacters:)`` with each file's text and checksum from `read` (the launch
    /// cache answers from its stat-validated records, and reads and hashes only what changed).
    static func load(from folder: URL, ignoredCharacters: Set<Unicode.Scalar>,
                     read: (FoundFile) throws(MigrationSetError) -> (sql: String, checksum: Digest))
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
            let filePath = prefix + name
            var info = stat()
            guard stat(filePath, &info) == 0 else {
                throw .fileUnreadable(path: filePath, reason: "broken symbolic link")
            }
            if (info.st_mode & S_IFMT) == S_IFDIR { continue }
            let (sql, checksum) = try read(FoundFile(name: name, path: filePath, folder: folder, info: info))
            migrations.append(Migration(version: parsed.version, description: parsed.description, kind: parsed.kind,
                                        fileName: name, folder: folder, sql: sql, checksum: checksum,
                                        noTransaction: Migration.startsWithNoTransaction(sql)))
        }
        guard !migrations.isEmpty else { throw .noMigrations(path: path) }
        return try MigrationSet(folder: folder, migrations: migrations, ignoredCharacters: ignoredCharacters)
    }

    /// Splits a file name the way sqlx does; nil for files sqlx ignores.
    ///
    /// sqlx's tests (`splitn(2, '_')`, `ends_with(".sql")`, `trim_end_matches`) compare bytes, so these
    /// do too: a combining mark or a prepended character next to `_` or `.sql` does not hide it, as it
    /// would from a comparison of Swift `Character`s.
    static func parse(fileName name: String, in folder: URL) throws(MigrationSetError)
        -> (version: MigrationVersion, description: String, kind: Migration.Kind)?
    {
        let bytes = Array(name.utf8)
        guard let underscore = bytes.firstIndex(of: UInt8(ascii: "_")) else { return nil }
        var stem = bytes[(underscore + 1)...]
        guard stem.hasSuffix(Migration.Kind.simple.suffixBytes) else { return nil }
        let prefix = String(decoding: bytes[..<underscore], as: UTF8.self)
        // Rust's i64 parse: optional sign, ASCII digits, no spaces, no overflow. Swift's Int64(String) agrees.
        guard let version = Int64(prefix) else {
            throw .unparsableVersion(path: folder.appendingPathComponent(name).path, prefix: prefix)
        }
        let kind: Migration.Kind = stem.hasSuffix(Migration.Kind.reversibleUp.suffixBytes) ? .reversibleUp
            : stem.hasSuffix(Migration.Kind.reversibleDown.suffixBytes) ? .reversibleDown : .simple
        // sqlx trims the suffix repeatedly (trim_end_matches), so "1_a.sql.sql" describes "a".
        let suffix = kind.suffixBytes
        while stem.hasSuffix(suffix) { stem = stem.dropLast(suffix.count) }
        // Rust's replace('_', " "): an ASCII byte for an ASCII byte keeps the UTF-8 valid.
        // An array, not a lazy map: decoding a lazy sequence takes the generic path, whose first use costs
        // a dynamic cast through the binary's conformance records (0.29 M instructions per launch).
        let description = String(decoding: stem.map { $0 == UInt8(ascii: "_") ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
        return (MigrationVersion(version), description, kind)
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

    /// `migrations` is sorted by version: files sharing a version are neighbours. Only an up file and
    /// its down file may share one.
    private static func rejectDuplicates(_ migrations: [Migration]) throws(MigrationSetError) {
        var start = 0
        while start < migrations.count {
            var end = start + 1
            while end < migrations.count, migrations[end].version == migrations[start].version { end += 1 }
            if end - start > 1 {
                let kinds = migrations[start..<end].map(\.kind)
                let isPair = kinds.count == 2 && kinds.contains(.reversibleUp) && kinds.contains(.reversibleDown)
                if !isPair {
                    throw .duplicateVersion(version: migrations[start].version, paths: migrations[start..<end].map(\.url.path))
                }
            }
            start = end
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

extension ArraySlice<UInt8> {
    /// Whether the bytes end with `suffix`, byte for byte.
    func hasSuffix(_ suffix: [UInt8]) -> Bool {
        count >= suffix.count && self[(endIndex - suffix.count)...].elementsEqual(suffix)
    }
}
