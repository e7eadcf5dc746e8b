import Foundation
import Testing
@testable import SchemaReconciler

@Suite("schema-reconcile init")
struct InitTests {
    /// A copy of a bundled folder's migration files only: no manifest, no lock.
    static func copyMigrations(_ name: String, into folder: TemporaryFolder) throws -> URL {
        let source = Repo.root.appendingPathComponent(name)
        let target = folder.url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        for file in try FileManager.default.contentsOfDirectory(atPath: source.path) where file.hasSuffix(".sql") {
            try FileManager.default.copyItem(at: source.appendingPathComponent(file), to: target.appendingPathComponent(file))
        }
        return target
    }

    /// Uncomments each `[[probe]]` stub and replaces its placeholder query with `sql[version]`.
    static func fillStubs(_ text: String, with sql: [MigrationVersion: String]) throws -> String {
        var lines = text.components(separatedBy: "\n")
        var index = 0
        while index < lines.count {
            guard lines[index] == "# [[probe]]" else { index += 1; continue }
            let versionLine = lines[index + 1]
            let version = try #require(MigrationVersion(argument: versionLine.replacingOccurrences(of: "# version = ", with: "")))
            let query = try #require(sql[version], "a real probe for version \(version)")
            #expect(lines[index + 3].hasPrefix("# sql = "))
            lines[index] = "[[probe]]"
            lines[index + 1] = String(versionLine.dropFirst(2))
            lines[index + 2] = String(lines[index + 2].dropFirst(2))
            lines[index + 3] = "sql = '''\n\(query)\n'''"
            index += 4
        }
        return lines.joined(separator: "\n")
    }

    @Test("init on a copy of each bundled folder drafts a manifest that, once the stubs are filled, passes --check-lock",
          arguments: ["Migrations", "LogsMigrations"])
    func initThenFillThenCheckLock(_ name: String) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let migrations = try Self.copyMigrations(name, into: folder)
        let result = try CLI.run(["init", "--migrations", migrations.path])
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout.contains("git add"))
        let manifestURL = migrations.appendingPathComponent(Manifest.fileName)
        let draft = try String(contentsOf: manifestURL, encoding: .utf8)

        // The committed manifest was written by hand with a probe for each schema-silent version;
        // the draft must stub exactly those versions.
        let committed = try Manifest.load(from: Repo.root.appendingPathComponent(name).appendingPathComponent(Manifest.fileName))
        let realProbes = Dictionary((committed?.probes ?? []).map { ($0.version, $0.sql) }, uniquingKeysWith: { $1 })
        let stubbed = draft.components(separatedBy: "\n").filter { $0.hasPrefix("# version = ") }
            .compactMap { MigrationVersion(argument: String($0.dropFirst("# version = ".count))) }
        #expect(Set(stubbed) == Set(realProbes.keys))
        if name == "Migrations" { #expect(stubbed == [12, 17, 33, 34]) } else { #expect(stubbed.isEmpty) }
        // Each stub quotes the statements it must prove (0012 backfills archived_at).
        if name == "Migrations" { #expect(draft.contains("#     SET archived_at = updated_at")) }

        // As written, the draft is valid and the lock matches it.
        #expect(try CLI.run(["fingerprint", "--check-lock", "--migrations", migrations.path]).exitCode == 0)

        guard !stubbed.isEmpty else { return }
        try Self.fillStubs(draft, with: realProbes).write(to: manifestURL, atomically: true, encoding: .utf8)
        let filled = try #require(try Manifest.load(from: manifestURL))
        #expect(filled.probes.map(\.version) == stubbed)
        // The lock records the manifest, so editing it makes the lock stale until it is rewritten.
        let stale = try CLI.run(["fingerprint", "--check-lock", "--migrations", migrations.path])
        #expect(stale.exitCode == 1)
        #expect(stale.stdout.contains("reconcile.toml changed since the lock was written"))
        #expect(try CLI.run(["fingerprint", "--write-lock", "--migrations", migrations.path]).exitCode == 0)
        let fresh = try CLI.run(["fingerprint", "--check-lock", "--migrations", migrations.path])
        #expect(fresh.exitCode == 0, "\(fresh.stdout)")
        let lock = try #require(try FingerprintLock.read(from: migrations.appendingPathComponent(FingerprintLock.fileName)))
        #expect(lock.manifestProbes.map(\.version) == stubbed)
    }

    @Test("init refuses to overwrite: an existing manifest, lock or symlink leaves every file as it was (exit 64)")
    func refusesToOverwrite() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let migrations = try Self.copyMigrations("LogsMigrations", into: folder)
        let manifest = migrations.appendingPathComponent(Manifest.fileName)
        let lock = migrations.appendingPathComponent(FingerprintLock.fileName)

        try Data("# mine\n".utf8).write(to: manifest)
        var result = try CLI.run(["init", "--migrations", migrations.path])
        #expect(result.exitCode == 64)
        #expect(result.stderr.contains("reconcile.toml already exists"))
        #expect(try String(contentsOf: manifest, encoding: .utf8) == "# mine\n")
        #expect(!FileManager.default.fileExists(atPath: lock.path))

        // A lock alone also stops it, before the manifest is written.
        try FileManager.default.removeItem(at: manifest)
        try Data("{}".utf8).write(to: lock)
        result = try CLI.run(["init", "--migrations", migrations.path])
        #expect(result.exitCode == 64)
        #expect(!FileManager.default.fileExists(atPath: manifest.path))
        #expect(try Data(contentsOf: lock) == Data("{}".utf8))

        // A dangling symlink is never followed to create its target.
        try FileManager.default.removeItem(at: lock)
        let target = folder.url.appendingPathComponent("elsewhere.toml")
        try FileManager.default.createSymbolicLink(at: manifest, withDestinationURL: target)
        result = try CLI.run(["init", "--migrations", migrations.path])
        #expect(result.exitCode == 64)
        #expect(!FileManager.default.fileExists(atPath: target.path))
    }

    @Test("a folder no known layout recognises is refused with the layouts named")
    func noLayout() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("README.md", "not a migration")
        #expect(MigrationLayouts.detect(in: folder.url) == nil)
        #expect(MigrationLayouts.detect(in: Repo.migrations)?.name == "sqlx")
        let result = try CLI.run(["init", "--migrations", folder.url.path])
        #expect(result.exitCode == 64)
        #expect(!FileManager.default.fileExists(atPath: folder.path(Manifest.fileName)))
    }
}
