import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What the quick check derives from a migration folder — each file's text and checksum, the
/// fingerprint lock's quick index, the manifest's digest — recorded outside the folder with each
/// file's `stat`, so that the next launch reads and hashes only the files that changed (git's index
/// does the same for a work tree).
///
/// The record is a private cache, never an input people commit: it lives in the user's cache folder
/// (`$SCHEMA_RECONCILE_CACHE_DIR`, else `$XDG_CACHE_HOME/schema-reconcile`, else
/// `~/.cache/schema-reconcile`; the system's caches folder on Darwin), and `SCHEMA_RECONCILE_CACHE=off`
/// turns it off. A record that is missing, unreadable or from another tool version is ignored and
/// rewritten; a failed write is ignored (the folder is then read in full, as without a cache).
///
/// **When a recorded value is trusted.** Only when the file's device, inode, size, modification time
/// *and* status-change time (ctime) are what was recorded, and both recorded times are older than
/// ``racyWindow`` before the moment the record was started. Anything else is read and hashed again.
/// The reasoning: every write to a file, and every `touch -d` or `utimensat` that puts its
/// modification time back, sets its ctime to the current time, which user code cannot choose. Stamps
/// are taken (with `fstat` on the descriptor that is then read) after the record's start time, so a
/// file whose recorded ctime is older than that start minus the window cannot have changed since
/// without getting a different ctime. A file changed within the window is "racy", as git calls it:
/// its timestamps might not have moved on a file system with coarse timestamps, so it is verified by
/// content on every launch until it is old enough, and the record is then rewritten.
///
/// Beside each record lies its ``VerdictMemo``: the healthy verdicts reached for that folder, removed
/// with the record.
///
/// What the rule assumes: file timestamps come from a clock no further behind this machine's clock
/// than ``racyWindow`` (a network file system with a skewed server clock breaks it), and nobody sets
/// the system clock back or rewrites the disk under the file system.
///
/// ```swift
/// let cache = LaunchCache(directory: "/tmp/cache")
/// let loaded = try cache.load(folder: URL(fileURLWithPath: "Migrations"), ignoredCharacters: [])
/// print(loaded.set.applying.count, loaded.readFiles)
/// ```
struct LaunchCache: Sendable {
    /// The folder holding the records.
    var directory: String
    /// How recent (in nanoseconds before the record was started) a recorded file may be and still be
    /// trusted by its stamp alone; newer ones are verified by content.
    var racyWindow: Int64 = 2_000_000_000

    /// The layout version of a record; any other is ignored.
    static let recordFormat: UInt8 = 4

    /// The user's cache, as the environment chooses it; nil when turned off or there is no home.
    static var standard: LaunchCache? {
        func variable(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
        if let setting = variable("SCHEMA_RECONCILE_CACHE")?.lowercased(), ["off", "0", "no", "false"].contains(setting) {
            return nil
        }
        if let directory = variable("SCHEMA_RECONCILE_CACHE_DIR"), !directory.isEmpty {
            return LaunchCache(directory: directory)
        }
        #if canImport(Darwin)
        guard let caches = FileManager.default.urls(for: .cachesDirectory, in: .userDomainMask).first else { return nil }
        return LaunchCache(directory: caches.appendingPathComponent("schema-reconcile").path)
        #else
        if let xdg = variable("XDG_CACHE_HOME"), xdg.hasPrefix("/") {
            return LaunchCache(directory: xdg + "/schema-reconcile")
        }
        guard let home = variable("HOME"), home.hasPrefix("/") else { return nil }
        return LaunchCache(directory: home + "/.cache/schema-reconcile")
        #endif
    }

    /// What a folder gave: the set, the lock's quick index (nil when absent or unreadable), the manifest's digest.
    struct Loaded {
        var set: MigrationSet
        /// The lock's quick index in the record layout, decoded only when a check needs it; nil when the
        /// lock is absent or unreadable.
        var lockIndex: [UInt8]?
        /// The SHA-256 of the lock file's bytes; nil when there is none.
        var lockDigest: Digest?
        var manifestDigest: Digest?
        /// How many files were read (and hashed or decoded) rather than taken from the record.
        var readFiles: Int
        /// Whether a new record was written.
        var wroteRecord: Bool

        /// The lock's quick index, decoded.
        var lock: FingerprintLock.QuickLock? { lockIndex.flatMap(LaunchCache.decodeIndex) }
    }

    /// A lock file's quick index (its JSON decoded) in the record layout; nil when it is not a lock.
    static func index(ofLock bytes: [UInt8]) -> [UInt8]? {
        guard let lock = try? JSONDecoder().decode(FingerprintLock.QuickLock.self, from: Data(bytes)) else { return nil }
        var writer = RecordWriter()
        writer.quickLock(lock)
        return writer.bytes
    }

    /// The quick index ``index(ofLock:)`` laid out; nil when the bytes are not one.
    static func decodeIndex(_ bytes: [UInt8]) -> FingerprintLock.QuickLock? {
        var reader = RecordReader(bytes: bytes)
        guard let lock = try? reader.quickLock(), reader.atEnd else { return nil }
        return lock
    }

    /// Loads `folder` without any record: every file read and hashed, the lock decoded.
    static func loadUncached(folder: URL, ignoredCharacters: Set<Unicode.Scalar>) throws(MigrationSetError) -> Loaded {
        let set = try MigrationSet.load(from: folder, ignoredCharacters: ignoredCharacters)
        let lock = FileManager.default.contents(atPath: folder.appendingPathComponent(FingerprintLock.fileName).path).map { [UInt8]($0) }
        let digest = FileManager.default.contents(atPath: folder.appendingPathComponent(Manifest.fileName).path)
            .map { Digest.sha256(of: $0) }
        return Loaded(set: set, lockIndex: lock.flatMap(index(ofLock:)), lockDigest: lock.map { Digest.sha256(of: $0) },
                      manifestDigest: digest, readFiles: set.migrations.count + 2, wroteRecord: false)
    }

    /// Loads `folder`, taking from the record every value whose file is unchanged by the rule above.
    ///
    /// - Throws: what ``MigrationSet/load(from:ignoredCharacters:)`` throws, for the same folders.
    func load(folder: URL, ignoredCharacters: Set<Unicode.Scalar>) throws(MigrationSetError) -> Loaded {
        let started = FileStamp.now()
        let folderPath = folder.standardizedFileURL.path
        let recordPath = self.recordPath(folder: folderPath, ignoredCharacters: ignoredCharacters)
        let old = LaunchRecord.read(from: recordPath).flatMap { $0.folder == folderPath && $0.ignored == LaunchRecord.scalars(ignoredCharacters) ? $0 : nil }
        var new = LaunchRecord(folder: folderPath, ignored: LaunchRecord.scalars(ignoredCharacters), started: started)
        var readFiles = 0

        func trusted(_ recorded: FileStamp?, _ current: FileStamp?) -> Bool {
            guard let old, let recorded, let current, recorded == current else { return false }
            let limit = old.started - racyWindow
            return recorded.changed < limit && recorded.modified < limit
        }

        let set = try MigrationSet.load(from: folder, ignoredCharacters: ignoredCharacters) { file throws(MigrationSetError) in
            if let entry = old?.files[file.name], trusted(entry.stamp, FileStamp(regularFile: file.info)) {
                new.files[file.name] = entry
                return (entry.sql, entry.checksum)
            }
            readFiles += 1
            guard let contents = FileStamp.contents(of: file.path), let sql = String(validating: contents.bytes, as: UTF8.self) else {
                // The plain reader names the failure exactly as a load without a record does.
                let sql = try MigrationSet.readUTF8(file.url)
                return (sql, SQLxChecksum.checksum(of: sql, ignoring: ignoredCharacters))
            }
            let checksum = SQLxChecksum.checksum(of: sql, ignoring: ignoredCharacters)
            new.files[file.name] = LaunchRecord.File(stamp: contents.stamp, sql: sql, checksum: checksum)
            return (sql, checksum)
        }

        let lockPath = folder.appendingPathComponent(FingerprintLock.fileName).path
        let lock: (digest: Digest, index: [UInt8]?)?
        if let recorded = old?.lock, trusted(recorded.stamp, FileStamp.of(path: lockPath)) {
            new.lock = recorded
            lock = (recorded.digest, recorded.index)
        } else if let contents = FileStamp.contents(of: lockPath) {
            readFiles += 1
            let entry = LaunchRecord.LockEntry(stamp: contents.stamp, digest: Digest.sha256(of: contents.bytes),
                                               index: Self.index(ofLock: contents.bytes))
            new.lock = entry
            lock = (entry.digest, entry.index)
        } else {
            // Not a file one descriptor reads (absent, or not regular): read as without a record, never recorded.
            lock = FileManager.default.contents(atPath: lockPath).map { (Digest.sha256(of: $0), Self.index(ofLock: [UInt8]($0))) }
        }

        let manifestPath = folder.appendingPathComponent(Manifest.fileName).path
        let manifestDigest: Digest?
        if let recorded = old?.manifest, trusted(recorded.stamp, FileStamp.of(path: manifestPath)) {
            new.manifest = recorded
            manifestDigest = recorded.digest
        } else if let contents = FileStamp.contents(of: manifestPath) {
            readFiles += 1
            let digest = Digest.sha256(of: contents.bytes)
            manifestDigest = digest
            new.manifest = LaunchRecord.ManifestEntry(stamp: contents.stamp, digest: digest)
        } else {
            manifestDigest = FileManager.default.contents(atPath: manifestPath).map { Digest.sha256(of: $0) }
        }

        // Absent files need no record (their absence is seen afresh each time); a changed, added,
        // removed or racy file makes a new record.
        let changed = old == nil || readFiles > 0 || old?.files.count != new.files.count
            || (old?.lock == nil) != (new.lock == nil) || (old?.manifest == nil) != (new.manifest == nil)
        var wrote = false
        if changed { wrote = write(new.encoded(), to: recordPath) }
        return Loaded(set: set, lockIndex: lock?.index, lockDigest: lock?.digest, manifestDigest: manifestDigest,
                      readFiles: readFiles, wroteRecord: wrote)
    }

    /// The record's file for `folder`: one per folder and ignored-characters setting.
    func recordPath(folder: String, ignoredCharacters: Set<Unicode.Scalar>) -> String {
        let key = folder + "\u{0}" + LaunchRecord.scalars(ignoredCharacters).map(String.init).joined(separator: ",")
        return directory + "/launch-" + String(Digest.sha256(of: key).hex.prefix(32)) + ".bin"
    }

    /// The ``VerdictMemo`` file beside the record for `folder`, removed with it.
    func memoPath(folder: String, ignoredCharacters: Set<Unicode.Scalar>) -> String {
        Self.memoPath(ofRecord: recordPath(folder: folder, ignoredCharacters: ignoredCharacters))
    }

    private static func memoPath(ofRecord path: String) -> String { String(path.dropLast(".bin".count)) + ".verdicts" }

    /// Writes a record or memo to a new file renamed into place (never through a link); false when that
    /// failed. It is not flushed to disk: a file lost or cut short by a crash is ignored and written again.
    func write(_ bytes: [UInt8], to path: String) -> Bool {
        if ExclusiveFile.entryKind(directory) == nil {
            // The parent (~/.cache) may be missing too; the record's own folder is private to the user.
            try? FileManager.default.createDirectory(at: URL(fileURLWithPath: directory).deletingLastPathComponent(),
                                                     withIntermediateDirectories: true)
            _ = mkdir(directory, 0o700)
        }
        guard ExclusiveFile.entryKind(directory) == S_IFDIR else { return false }
        let temporary = ExclusiveFile.temporaryName(for: path)
        do {
            let file = try ExclusiveFile.create(at: temporary, mode: 0o600)
            defer { file.close() }
            try file.write(Data(bytes))
        } catch {
            unlink(temporary)
            return false
        }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            return false
        }
        if path.hasSuffix(".bin") { prune(keeping: path) }
        return true
    }

    /// The most records kept: one per folder, so temporary folders (test suites, CI) would otherwise pile up.
    static let recordLimit = 64

    /// Removes the least recently written records beyond ``recordLimit`` (never `kept`).
    private func prune(keeping kept: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        let records = names.filter { $0.hasPrefix("launch-") && $0.hasSuffix(".bin") }.map { directory + "/" + $0 }
        guard records.count > Self.recordLimit else { return }
        let byAge = records.filter { $0 != kept }
            .map { (path: $0, modified: FileStamp.of(path: $0)?.modified ?? 0) }
            .sorted { $0.modified < $1.modified }
        for record in byAge.prefix(records.count - Self.recordLimit) {
            unlink(record.path)
            unlink(Self.memoPath(ofRecord: record.path))
        }
    }
}

// MARK: - Stamps

/// What `stat` says about a file: enough to tell that it did not change, by the rule of ``LaunchCache``.
struct FileStamp: Hashable, Sendable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    /// Modification time, nanoseconds since 1970.
    var modified: Int64
    /// Status-change time (ctime), nanoseconds since 1970.
    var changed: Int64

    init(device: UInt64, inode: UInt64, size: Int64, modified: Int64, changed: Int64) {
        self.device = device
        self.inode = inode
        self.size = size
        self.modified = modified
        self.changed = changed
    }

    init(_ info: stat) {
        device = UInt64(truncatingIfNeeded: info.st_dev)
        inode = UInt64(truncatingIfNeeded: info.st_ino)
        size = Int64(info.st_size)
        #if canImport(Darwin)
        modified = Int64(info.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(info.st_mtimespec.tv_nsec)
        changed = Int64(info.st_ctimespec.tv_sec) * 1_000_000_000 + Int64(info.st_ctimespec.tv_nsec)
        #else
        modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        changed = Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec)
        #endif
    }

    /// The stamp of what `path` names (links followed, as reading follows them); nil when nothing is there.
    static func of(path: String) -> FileStamp? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return FileStamp(regularFile: info)
    }

    /// The stamp `info` gives, when it describes a regular file; nil otherwise.
    init?(regularFile info: stat) {
        guard (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        self.init(info)
    }

    /// A regular file's stamp and bytes, the stamp taken before the read on the same descriptor (so a
    /// write racing the read leaves a stamp older than the bytes, never newer); nil on any failure.
    /// With `privateToUser`, only a file this user owns that no one else may write is read: the launch
    /// cache's files are sources of checksums and verdicts.
    static func contents(of path: String, followingLinks: Bool = true,
                         privateToUser: Bool = false) -> (stamp: FileStamp, bytes: [UInt8])? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | (followingLinks ? 0 : O_NOFOLLOW))
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        if privateToUser, info.st_uid != geteuid() || (info.st_mode & (S_IWGRP | S_IWOTH)) != 0 { return nil }
        // One byte more than the size, so the read that sees the end needs no growth.
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size) + 1)
        var filled = 0
        while true {
            if filled == bytes.count { bytes.append(contentsOf: [UInt8](repeating: 0, count: 4096)) }
            let count = bytes.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
            }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { break }
            filled += count
        }
        bytes.removeSubrange(filled...)
        return (FileStamp(info), bytes)
    }

    /// The wall clock now, in nanoseconds since 1970 (file timestamps never run ahead of it).
    static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }
}

// MARK: - Record

/// One folder's record, in a compact binary layout (varints, length-prefixed strings).
struct LaunchRecord {
    struct File {
        var stamp: FileStamp
        var sql: String
        var checksum: Digest
    }

    struct LockEntry {
        var stamp: FileStamp
        /// The SHA-256 of the lock file's bytes.
        var digest: Digest
        /// The quick index in the record layout, kept as bytes so that a launch decodes it only when a
        /// check needs it; nil: the lock was there but could not be decoded.
        var index: [UInt8]?
    }

    struct ManifestEntry {
        var stamp: FileStamp
        var digest: Digest
    }

    var folder: String
    var ignored: [UInt32]
    /// When the process that wrote the record started loading (nanoseconds since 1970).
    var started: Int64
    var files: [String: File] = [:]
    var lock: LockEntry?
    var manifest: ManifestEntry?

    static let magic: [UInt8] = Array("SRLC".utf8)

    static func scalars(_ characters: Set<Unicode.Scalar>) -> [UInt32] { characters.map(\.value).sorted() }

    /// The record at `path`, when it is one this tool version wrote; nil otherwise.
    static func read(from path: String) -> LaunchRecord? {
        guard let contents = FileStamp.contents(of: path, followingLinks: false, privateToUser: true),
              var reader = RecordSeal.reader(ofSealed: contents.bytes) else { return nil }
        return try? reader.record()
    }

    func encoded() -> [UInt8] {
        var writer = RecordWriter()
        writer.bytes += Self.magic
        writer.bytes.append(LaunchCache.recordFormat)
        writer.string(ToolVersion.current)
        writer.int(Int64(SchemaSnapshot.formatVersion))
        writer.int(Int64(FingerprintLock.currentFormat))
        writer.string(folder)
        writer.array(ignored) { $0.int(Int64($1)) }
        writer.int(started)
        writer.array(files.keys.sorted()) { writer, name in
            let file = files[name]!
            writer.string(name)
            writer.stamp(file.stamp)
            writer.string(file.sql)
            writer.digest(file.checksum)
        }
        writer.optional(lock) { writer, lock in
            writer.stamp(lock.stamp)
            writer.digest(lock.digest)
            writer.optional(lock.index) { $0.blob($1) }
        }
        writer.optional(manifest) { writer, manifest in
            writer.stamp(manifest.stamp)
            writer.digest(manifest.digest)
        }
        return RecordSeal.sealed(writer.bytes)
    }
}

/// The launch record's own values in the record layout.
extension RecordWriter {
    mutating func stamp(_ value: FileStamp) {
        unsigned(value.device)
        unsigned(value.inode)
        int(value.size)
        int(value.modified)
        int(value.changed)
    }

    mutating func object(_ object: SchemaObject) {
        string(object.kind.rawValue)
        string(object.name)
        optionalString(object.tableName)
        array(object.facets) { $0.string($1.label); $0.string($1.value) }
        array(object.shadowTables) { $0.string($1) }
        array(object.notes) { $0.string($1) }
        digest(object.hash)
    }

    mutating func diff(_ diff: SchemaDiff) {
        array(diff.added) { $0.object($1) }
        array(diff.removed) { $0.object($1) }
        array(diff.changed) { writer, change in
            writer.string(change.key.kind.rawValue)
            writer.string(change.key.name)
            writer.string(change.name)
            writer.array(change.facetChanges) { $0.string($1.label); $0.optionalString($1.before); $0.optionalString($1.after) }
            writer.object(change.object)
        }
    }

    mutating func quickLock(_ lock: FingerprintLock.QuickLock) {
        int(lock.formatVersion)
        int(lock.snapshotFormat)
        string(lock.ledgerTable)
        array(lock.ignoredObjects) { $0.string($1) }
        array(lock.manifestIgnored) { $0.string($1) }
        array(lock.manifestProbes) { writer, probe in
            writer.version(probe.version)
            writer.string(probe.sql)
            writer.optionalString(probe.description)
            writer.optional(probe.line) { $0.int($1) }
        }
        array(lock.trackedPragmas) { $0.string($1) }
        array(lock.namesCreatedBySQL.keys.sorted()) { writer, name in
            writer.string(name)
            writer.version(lock.namesCreatedBySQL[name]!)
        }
        optional(lock.manifestDigest) { $0.digest($1) }
        digest(lock.baseFingerprint)
        array(lock.migrations) { writer, entry in
            writer.version(entry.version)
            writer.string(entry.fileName)
            writer.digest(entry.checksum)
            writer.digest(entry.fingerprint)
        }
        array(lock.quick.effects) { $0.diff($1) }
        array(lock.quick.knownObjects) { writer, known in
            writer.string(known.type)
            writer.string(known.name)
            writer.optionalString(known.sql)
            writer.optional(known.object) { $0.object($1) }
        }
    }
}

extension RecordReader {
    mutating func stamp() throws -> FileStamp {
        FileStamp(device: try unsigned(), inode: try unsigned(), size: try int(), modified: try int(), changed: try int())
    }

    mutating func kind() throws -> SchemaObject.Kind {
        guard let kind = SchemaObject.Kind(rawValue: try string()) else { throw Malformed() }
        return kind
    }

    mutating func object() throws -> SchemaObject {
        SchemaObject(kind: try kind(), name: try string(), tableName: try optionalString(),
                     facets: try array { SchemaObject.Facet(try $0.string(), try $0.string()) },
                     shadowTables: try array { try $0.string() }, notes: try array { try $0.string() }, hash: try digest())
    }

    mutating func diff() throws -> SchemaDiff {
        SchemaDiff(added: try array { try $0.object() }, removed: try array { try $0.object() },
                   changed: try array { reader in
                       SchemaDiff.Change(key: ObjectKey(kind: try reader.kind(), name: try reader.string()), name: try reader.string(),
                                         facetChanges: try reader.array {
                                             SchemaDiff.FacetChange(label: try $0.string(), before: try $0.optionalString(),
                                                                    after: try $0.optionalString())
                                         },
                                         object: try reader.object())
                   })
    }

    mutating func quickLock() throws -> FingerprintLock.QuickLock {
        let formatVersion = try intValue(), snapshotFormat = try intValue(), ledgerTable = try string()
        let ignoredObjects = try array { try $0.string() }, manifestIgnored = try array { try $0.string() }
        let probes = try array { reader in
            Manifest.Probe(version: try reader.version(), sql: try reader.string(), description: try reader.optionalString(),
                           line: try reader.optional { try $0.intValue() })
        }
        let trackedPragmas = try array { try $0.string() }
        var names: [String: MigrationVersion] = [:]
        for (name, version) in try array({ (try $0.string(), try $0.version()) }) { names[name] = version }
        let manifestDigest = try optional { try $0.digest() }
        let baseFingerprint = try digest()
        let migrations = try array { reader in
            FingerprintLock.QuickLock.Entry(version: try reader.version(), fileName: try reader.string(),
                                            checksum: try reader.digest(), fingerprint: try reader.digest())
        }
        let effects = try array { try $0.diff() }
        let known = try array { reader in
            SchemaIntrospector.KnownObject(type: try reader.string(), name: try reader.string(), sql: try reader.optionalString(),
                                           object: try reader.optional { try $0.object() })
        }
        return FingerprintLock.QuickLock(formatVersion: formatVersion, snapshotFormat: snapshotFormat, ledgerTable: ledgerTable,
                                         ignoredObjects: ignoredObjects, manifestIgnored: manifestIgnored, manifestProbes: probes,
                                         trackedPragmas: trackedPragmas, namesCreatedBySQL: names, manifestDigest: manifestDigest,
                                         baseFingerprint: baseFingerprint, migrations: migrations,
                                         quick: FingerprintLock.QuickIndex(effects: effects, knownObjects: known))
    }

    mutating func record() throws -> LaunchRecord {
        guard end > LaunchRecord.magic.count, Array(bytes[0..<LaunchRecord.magic.count]) == LaunchRecord.magic else { throw Malformed() }
        offset = LaunchRecord.magic.count
        guard try byte() == LaunchCache.recordFormat, try string() == ToolVersion.current,
              try int() == Int64(SchemaSnapshot.formatVersion), try int() == Int64(FingerprintLock.currentFormat) else {
            throw Malformed()
        }
        var record = LaunchRecord(folder: try string(), ignored: try array { reader in
            guard let value = UInt32(exactly: try reader.int()) else { throw Malformed() }
            return value
        }, started: try int())
        for (name, file) in try array({ (try $0.string(), LaunchRecord.File(stamp: try $0.stamp(), sql: try $0.string(), checksum: try $0.digest())) }) {
            record.files[name] = file
        }
        record.lock = try optional { reader in
            LaunchRecord.LockEntry(stamp: try reader.stamp(), digest: try reader.digest(), index: try reader.optional { try $0.blob() })
        }
        record.manifest = try optional { reader in LaunchRecord.ManifestEntry(stamp: try reader.stamp(), digest: try reader.digest()) }
        guard atEnd else { throw Malformed() }
        return record
    }
}
