import Foundation
import Testing
@testable import SchemaReconciler

@Suite("Migration sets follow sqlx's rules exactly")
struct MigrationSetTests {
    @Test("checksums equal sha384sum of the exact file bytes: LF, CRLF, BOM, no trailing newline")
    func checksumsMatchSha384sum() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let sql = "CREATE TABLE t(a);\nCREATE INDEX i ON t(a);\n"
        try folder.write("1_lf.sql", sql)
        try folder.write("2_crlf.sql", sql.replacingOccurrences(of: "\n", with: "\r\n"))
        try folder.write("3_bom.sql", [0xEF, 0xBB, 0xBF] + Array(sql.utf8))
        try folder.write("4_no_trailing_newline.sql", String(sql.dropLast()))
        let set = try MigrationSet.load(from: folder.url)
        #expect(set.migrations.map(\.version) == [1, 2, 3, 4])
        for migration in set.migrations {
            #expect(migration.checksum.hex == (try sha384sum(migration.url)), "\(migration.fileName)")
            #expect(migration.checksum.bytes.count == 48)
        }
        // Four different byte sequences, four different checksums.
        #expect(Set(set.migrations.map(\.checksum)).count == 4)
    }

    @Test("ignored-chars removes those characters before hashing, as sqlx.toml's [migrate] ignored-chars does")
    func ignoredChars() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("1_crlf.sql", "CREATE TABLE t(a);\r\n")
        try folder.write("2_lf.sql", "CREATE TABLE u(a);\n")
        let lfOnly = try folder.write("lf-only.txt", "CREATE TABLE t(a);\n")
        let set = try MigrationSet.load(from: folder.url, ignoredCharacters: ["\r"])
        // With \r ignored, the CRLF file hashes like its LF twin.
        #expect(set.migrations[0].checksum.hex == (try sha384sum(lfOnly)))
        // The SQL that runs is unchanged.
        #expect(set.migrations[0].sql == "CREATE TABLE t(a);\r\n")
    }

    @Test("version, description, kind and no-transaction are read as sqlx reads them")
    func naming() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("0007_add_user_name.sql", "-- no-transaction\nVACUUM;\n")
        try folder.write("20240101120000_create_jobs.up.sql", "CREATE TABLE jobs(a);\n")
        try folder.write("20240101120000_create_jobs.down.sql", "DROP TABLE jobs;\n")
        try folder.write("README.md", "not a migration")
        try folder.write("nounderscore.sql", "ignored: no underscore")
        try folder.write("8_notes.txt", "ignored: not .sql")
        try FileManager.default.createDirectory(at: folder.url.appendingPathComponent("9_folder.sql"), withIntermediateDirectories: true)
        let set = try MigrationSet.load(from: folder.url)
        #expect(set.migrations.map(\.fileName) == ["0007_add_user_name.sql", "20240101120000_create_jobs.up.sql",
                                                   "20240101120000_create_jobs.down.sql"])
        let first = set.migrations[0]
        #expect(first.version == 7)
        #expect(first.description == "add user name")
        #expect(first.kind == .simple)
        #expect(first.noTransaction)
        #expect(set.migrations[1].kind == .reversibleUp)
        #expect(set.migrations[1].description == "create jobs")
        #expect(set.migrations[2].kind == .reversibleDown)
        #expect(set.applying.map(\.version) == [7, 20240101120000])
        #expect(!set.migrations[1].noTransaction)
    }

    @Test("a BOM before -- no-transaction defeats it, as sqlx's starts_with does")
    func bomDefeatsNoTransaction() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("1_x.sql", [0xEF, 0xBB, 0xBF] + Array("-- no-transaction\nSELECT 1;\n".utf8))
        #expect(try MigrationSet.load(from: folder.url).migrations[0].noTransaction == false)
    }

    @Test("bad folders and files are rejected with the path and the problem",
          arguments: ["missing", "file", "empty", "unparsable", "duplicate", "utf8"])
    func rejections(_ label: String) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        var target = folder.url
        let expected: (MigrationSetError) -> Bool
        switch label {
        case "missing":
            target = folder.url.appendingPathComponent("nope")
            expected = { $0 == .folderMissing(path: target.path) }
        case "file":
            target = try folder.write("plain.sql", "x")
            expected = { $0 == .notAFolder(path: target.path) }
        case "empty":
            try folder.write("notes.txt", "x")
            expected = { $0 == .noMigrations(path: target.path) }
        case "unparsable":
            try folder.write("1_ok.sql", "SELECT 1;")
            try folder.write("v2_bad.sql", "SELECT 1;")
            expected = { $0 == .unparsableVersion(path: folder.path("v2_bad.sql"), prefix: "v2") }
        case "duplicate":
            try folder.write("3_a.sql", "SELECT 1;")
            try folder.write("3_b.sql", "SELECT 2;")
            expected = { $0 == .duplicateVersion(version: 3, paths: [folder.path("3_a.sql"), folder.path("3_b.sql")]) }
        default:
            try folder.write("1_latin1.sql", Array("SELECT 'caf".utf8) + [0xE9] + Array("';".utf8))
            expected = { $0 == .notUTF8(path: folder.path("1_latin1.sql"), byteOffset: 11) }
        }
        do {
            _ = try MigrationSet.load(from: target)
            Issue.record("\(label): expected an error")
        } catch {
            #expect(expected(error), "\(label): got \(error)")
            #expect(error.description.hasPrefix(folder.url.path))
            #expect(!error.description.contains("\n"))
        }
    }

    @Test("versions parse like Rust's i64: sign allowed, overflow rejected")
    func versionParsing() throws {
        let folder = URL(fileURLWithPath: "/m")
        #expect(try MigrationSet.parse(fileName: "+5_x.sql", in: folder)?.version == 5)
        #expect(try MigrationSet.parse(fileName: "-5_x.sql", in: folder)?.version == -5)
        #expect(try MigrationSet.parse(fileName: "x.sql", in: folder) == nil)
        #expect(try MigrationSet.parse(fileName: "1_x.sql.sql", in: folder)?.description == "x")
        #expect(throws: MigrationSetError.self) { try MigrationSet.parse(fileName: "99999999999999999999_x.sql", in: folder) }
        #expect(throws: MigrationSetError.self) { try MigrationSet.parse(fileName: " 1_x.sql", in: folder) }
    }

    @Test("file names split and end as sqlx's byte comparisons say, not as Swift's Characters group them")
    func byteLevelNames() throws {
        let folder = URL(fileURLWithPath: "/m")
        // U+0600 is a prepended mark: it and the "." are one Character, so a Character suffix test
        // misses ".sql"; Rust's ends_with compares bytes and sees it.
        #expect(!"1_x\u{600}.sql".hasSuffix(".sql"))
        let prepended = try #require(try MigrationSet.parse(fileName: "1_x\u{600}.sql", in: folder))
        #expect(prepended.version == 1 && prepended.description == "x\u{600}" && prepended.kind == .simple)
        // A combining mark after "_" makes one Character of both; splitn(2, '_') still splits there.
        #expect("1_\u{301}x.sql".firstIndex(of: "_") == nil)
        let combined = try #require(try MigrationSet.parse(fileName: "1_\u{301}x.up.sql", in: folder))
        #expect(combined.version == 1 && combined.description == "\u{301}x" && combined.kind == .reversibleUp)
        #expect(try MigrationSet.parse(fileName: "2_a_b.down.sql", in: folder)?.description == "a b")
        #expect(try MigrationSet.parse(fileName: "2_a.down.sql", in: folder)?.kind == .reversibleDown)
    }

    @Test("a folder's migration builds its URL when asked: the file's, and equal to the same migration made with that URL")
    func folderURLs() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("1_a b.sql", "CREATE TABLE t(a);\n")
        try folder.write("2_c.up.sql", "CREATE TABLE u(a);\n")
        let set = try MigrationSet.load(from: folder.url)
        for migration in set.migrations {
            let url = folder.url.appendingPathComponent(migration.fileName, isDirectory: false)
            #expect(migration.url == url && migration.url.path.hasSuffix("/" + migration.fileName))
            let same = Migration(version: migration.version, description: migration.description, kind: migration.kind,
                                 fileName: migration.fileName, url: url, sql: migration.sql,
                                 checksum: migration.checksum, noTransaction: migration.noTransaction)
            #expect(same == migration && same.hashValue == migration.hashValue)
            let elsewhere = Migration(version: migration.version, description: migration.description, kind: migration.kind,
                                      fileName: migration.fileName, url: URL(fileURLWithPath: "/other/" + migration.fileName),
                                      sql: migration.sql, checksum: migration.checksum, noTransaction: migration.noTransaction)
            #expect(elsewhere != migration)
        }
        #expect(set.migrations[0].url.lastPathComponent == "1_a b.sql")
    }
}
