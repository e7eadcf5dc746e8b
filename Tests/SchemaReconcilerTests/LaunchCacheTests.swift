import Foundation
import Testing
@testable import SchemaReconciler
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The record's bytes for a quick index (deterministic), to compare two indexes without Equatable.
private func bytes(of lock: FingerprintLock.QuickLock?) -> [UInt8]? {
    lock.map { lock in
        var writer = RecordWriter()
        writer.quickLock(lock)
        return writer.bytes
    }
}

/// Puts back a file's modification time exactly (nanoseconds), as `touch -d` would; its ctime moves to now.
private func setModificationTime(_ path: String, nanoseconds: Int64) {
    let time = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
    var times = [time, time]
    #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
}

@Suite("The launch cache reads and hashes only the files whose stat changed, and never trusts a changed file")
struct LaunchCacheTests {
    /// A migrations copy whose files are older than `window` by the time the test loads it.
    private func settledCopy(in folder: TemporaryFolder, window: Int64) throws -> URL {
        let copy = try migrationsCopy(in: folder)
        usleep(UInt32(window / 1000) * 2 + 10_000)
        return copy
    }

    /// A settled migrations copy and a cache with a 50 ms racy window, both in `folder`.
    private func settledSetup(in folder: TemporaryFolder) throws -> (copy: URL, cache: LaunchCache) {
        let window: Int64 = 50_000_000
        return (try settledCopy(in: folder, window: window), LaunchCache(directory: folder.path("cache"), racyWindow: window))
    }

    @Test("a second load takes every value from the record, and they equal a load without one")
    func recordMatchesFullLoad() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (copy, cache) = try settledSetup(in: folder)
        let first = try cache.load(folder: copy, ignoredCharacters: [])
        #expect(first.readFiles == first.set.migrations.count + 2)
        #expect(first.wroteRecord)
        let second = try cache.load(folder: copy, ignoredCharacters: [])
        #expect(second.readFiles == 0)
        #expect(!second.wroteRecord)
        let plain = try LaunchCache.loadUncached(folder: copy, ignoredCharacters: [])
        #expect(second.set.migrations == plain.set.migrations)
        #expect(second.set.migrations.map(\.checksum) == plain.set.migrations.map(\.checksum))
        #expect(second.manifestDigest == plain.manifestDigest && plain.manifestDigest != nil)
        #expect(bytes(of: second.lock) == bytes(of: plain.lock) && plain.lock != nil)
        // The quick check on the recorded values decides as it does on the files.
        let checker = try QuickChecker(migrationsFolder: copy, cache: cache)
        let result = try checker.check(databaseAt: Repo.fixture("consistent-tip.sqlite"))
        #expect(result.decidedQuickly)
        #expect(result.diagnosis.verdict == .consistent)
    }

    @Test("an edit that keeps the size and puts the modification time back is caught by ctime, and the check falls back")
    func sameSizeSameMtimeEdit() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (copy, cache) = try settledSetup(in: folder)
        _ = try cache.load(folder: copy, ignoredCharacters: [])
        #expect(try cache.load(folder: copy, ignoredCharacters: []).readFiles == 0)

        let file = copy.appendingPathComponent("0003_add_threads_model_provider.sql")
        let before = try #require(FileStamp.of(path: file.path))
        var text = Array(try Data(contentsOf: file))
        let index = try #require(text.firstIndex(of: UInt8(ascii: "T")))
        text[index] = UInt8(ascii: "t") // same length, different checksum
        try Data(text).write(to: file)
        setModificationTime(file.path, nanoseconds: before.modified)
        let after = try #require(FileStamp.of(path: file.path))
        #expect(after.size == before.size && after.modified == before.modified)
        #expect(after.changed != before.changed)

        let loaded = try cache.load(folder: copy, ignoredCharacters: [])
        #expect(loaded.readFiles == 1)
        let migration = try #require(loaded.set.migrations.first { $0.fileName == file.lastPathComponent })
        #expect(migration.checksum == SQLxChecksum.checksum(of: String(decoding: text, as: UTF8.self)))
        let checker = try QuickChecker(migrationsFolder: copy, cache: cache)
        let result = try checker.check(databaseAt: Repo.fixture("consistent-tip.sqlite"))
        #expect(!result.decidedQuickly)
        guard case .replayedStaleLock(_, let reasons) = result.fingerprintSource else {
            Issue.record("the stale lock was trusted: \(result.fingerprintSource)")
            return
        }
        #expect(reasons.contains { $0.contains(file.lastPathComponent) })
        #expect(result.diagnosis.exitCode != .ok)
    }

    @Test("a racy entry (changed within the window) is verified by content even when its stamp matches")
    func racyEntriesAreHashed() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let copy = try migrationsCopy(in: folder)
        let cache = LaunchCache(directory: folder.path("cache"), racyWindow: 3_600_000_000_000)
        let first = try cache.load(folder: copy, ignoredCharacters: [])
        // Everything is racy within an hour's window: read again every time, and the record rewritten.
        let second = try cache.load(folder: copy, ignoredCharacters: [])
        #expect(second.readFiles == first.set.migrations.count + 2)

        // A record whose stamps match the files but whose values are wrong, as if a file had been
        // rewritten within one timestamp tick after it was stamped.
        let name = "0001_create_threads.sql"
        let path = copy.appendingPathComponent(name).path
        let bogus = Digest.sha384(of: Array("not this file".utf8))
        func forge(started: Int64) throws {
            var record = LaunchRecord(folder: copy.standardizedFileURL.path, ignored: [], started: started)
            record.files[name] = LaunchRecord.File(stamp: try #require(FileStamp.of(path: path)), sql: "SELECT 1;", checksum: bogus)
            let recordPath = cache.recordPath(folder: copy.standardizedFileURL.path, ignoredCharacters: [])
            try Data(record.encoded()).write(to: URL(fileURLWithPath: recordPath))
        }
        try forge(started: FileStamp.now())
        let racy = try cache.load(folder: copy, ignoredCharacters: [])
        #expect(racy.set.migrations.first { $0.fileName == name }?.checksum != bogus)

        // The same forgery dated well after the file's ctime is believed: the stamp is what is trusted,
        // which is why a stamp must include the ctime that no write can keep.
        try forge(started: FileStamp.now() + 2 * cache.racyWindow)
        let trusted = try cache.load(folder: copy, ignoredCharacters: [])
        #expect(trusted.set.migrations.first { $0.fileName == name }?.checksum == bogus)
    }

    @Test("added, removed and edited files, an edited or removed lock, and a corrupt record are all seen")
    func changesAreSeen() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (copy, cache) = try settledSetup(in: folder)
        let count = try cache.load(folder: copy, ignoredCharacters: []).set.migrations.count

        try Data("CREATE TABLE later(a);\n".utf8).write(to: copy.appendingPathComponent("9999_later.sql"))
        let added = try cache.load(folder: copy, ignoredCharacters: [])
        #expect(added.set.migrations.count == count + 1 && added.readFiles == 1)

        try FileManager.default.removeItem(at: copy.appendingPathComponent("9999_later.sql"))
        try FileManager.default.removeItem(at: copy.appendingPathComponent("0001_create_threads.sql"))
        let removed = try cache.load(folder: copy, ignoredCharacters: [])
        #expect(removed.set.migrations.count == count - 1)
        #expect(!removed.set.migrations.contains { $0.fileName == "0001_create_threads.sql" })

        let lockURL = copy.appendingPathComponent(FingerprintLock.fileName)
        try Data("{}".utf8).write(to: lockURL)
        let broken = try cache.load(folder: copy, ignoredCharacters: [])
        #expect(broken.lock == nil && broken.readFiles == 1)
        try FileManager.default.removeItem(at: lockURL)
        #expect(try cache.load(folder: copy, ignoredCharacters: []).lock == nil)

        let recordPath = cache.recordPath(folder: copy.standardizedFileURL.path, ignoredCharacters: [])
        try Data("SRLC garbage".utf8).write(to: URL(fileURLWithPath: recordPath))
        let afterGarbage = try cache.load(folder: copy, ignoredCharacters: [])
        #expect(afterGarbage.readFiles == count - 1 + 1 && afterGarbage.wroteRecord)
        #expect(afterGarbage.set.migrations == (try MigrationSet.load(from: copy)).migrations)
    }

    @Test("a record torn by a crash (a zeroed block) or writable by others is not believed")
    func tornOrSharedRecords() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (copy, cache) = try settledSetup(in: folder)
        let count = try cache.load(folder: copy, ignoredCharacters: []).set.migrations.count
        #expect(try cache.load(folder: copy, ignoredCharacters: []).readFiles == 0)
        let recordPath = cache.recordPath(folder: copy.standardizedFileURL.path, ignoredCharacters: [])
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: recordPath)))
        // Inside a file's text, where the layout alone would still read as well-formed.
        for index in (bytes.count / 2)..<(bytes.count / 2 + 32) { bytes[index] = 0 }
        try Data(bytes).write(to: URL(fileURLWithPath: recordPath))
        let torn = try cache.load(folder: copy, ignoredCharacters: [])
        #expect(torn.readFiles == count + 2 && torn.wroteRecord)
        #expect(torn.set.migrations == (try MigrationSet.load(from: copy)).migrations)

        #expect(try cache.load(folder: copy, ignoredCharacters: []).readFiles == 0)
        #expect(chmod(recordPath, 0o666) == 0)
        #expect(try cache.load(folder: copy, ignoredCharacters: []).readFiles == count + 2)
    }

    @Test("the cache keeps at most recordLimit records, dropping the oldest")
    func recordsAreBounded() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let cache = LaunchCache(directory: folder.path("cache"))
        try FileManager.default.createDirectory(atPath: cache.directory, withIntermediateDirectories: true)
        for index in 0..<(LaunchCache.recordLimit + 5) {
            try Data("old".utf8).write(to: URL(fileURLWithPath: cache.directory + "/launch-old\(index).bin"))
        }
        let copy = try migrationsCopy(in: folder)
        #expect(try cache.load(folder: copy, ignoredCharacters: []).wroteRecord)
        let left = try FileManager.default.contentsOfDirectory(atPath: cache.directory)
        #expect(left.count == LaunchCache.recordLimit)
        #expect(left.contains(URL(fileURLWithPath: cache.recordPath(folder: copy.standardizedFileURL.path, ignoredCharacters: [])).lastPathComponent))
    }

    @Test("ignored characters are part of the record's identity")
    func ignoredCharactersKeyTheRecord() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let copy = try migrationsCopy(in: folder)
        try Data("CREATE TABLE crlf(a);\r\n".utf8).write(to: copy.appendingPathComponent("9999_crlf.sql"))
        let cache = LaunchCache(directory: folder.path("cache"), racyWindow: 0)
        let plain = try cache.load(folder: copy, ignoredCharacters: [])
        let stripped = try cache.load(folder: copy, ignoredCharacters: ["\r"])
        #expect(plain.set.migrations.last?.checksum == SQLxChecksum.checksum(of: "CREATE TABLE crlf(a);\r\n"))
        #expect(stripped.set.migrations.last?.checksum == SQLxChecksum.checksum(of: "CREATE TABLE crlf(a);\n"))
    }

    @Test("record strings round-trip in ASCII and beyond, at every length around a word, and invalid UTF-8 is refused")
    func recordStrings() throws {
        // Lengths 0–17 cover the word loop, the tail loop and both together; a non-ASCII byte is
        // put in the word part and in the tail, where a missed byte would decode it as ASCII.
        var texts: [String] = (0...17).map { String(repeating: "a", count: $0) }
        texts += ["é", "abcdefgé", "éabcdefgh", "abcdefghé", "CREATE TABLE \"日本\"(a)", "emoji 🧪 in the middle of it"]
        var writer = RecordWriter()
        for text in texts { writer.string(text) }
        var reader = RecordReader(bytes: writer.bytes)
        for text in texts { #expect(try reader.string() == text) }
        #expect(reader.offset == writer.bytes.count)

        // A lone continuation byte, a truncated sequence and 0xFF, each after ASCII of both lengths.
        for invalid: [UInt8] in [[0x80], [0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0xC3], [0x61, 0xFF]] {
            var bad = RecordWriter()
            bad.unsigned(UInt64(invalid.count))
            bad.bytes += invalid
            var badReader = RecordReader(bytes: bad.bytes)
            #expect(throws: RecordReader.Malformed.self) { try badReader.string() }
        }
        let ascii = Array("abcdefghijklmnop".utf8)
        for position in ascii.indices {
            var marked = ascii
            marked[position] = 0xC3
            #expect(!marked.withUnsafeBufferPointer(UTF8Bytes.isASCII), "a high byte at \(position) is seen")
        }
        #expect(ascii.withUnsafeBufferPointer(UTF8Bytes.isASCII))
    }
}
