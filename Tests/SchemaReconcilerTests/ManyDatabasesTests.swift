import Foundation
import SQLxEmulation
import Testing
@testable import SchemaReconciler

@Suite("Many databases in one call: loaded once, run in parallel, reported in argument order")
struct ManyDatabasesTests {
    static let fixtures = ["consistent-tip.sqlite", "behind-by-three.sqlite", "ahead.sqlite", "no-ledger.sqlite",
                           "checksum-drift-crlf.sqlite", "fresh.sqlite", FixtureFactory.notADatabase, "unrecognised.sqlite"]

    @Test("the quick checker on many threads gives each database the verdict a lone check gives, in order")
    func parallelMatchesSequential() throws {
        let paths = (Self.fixtures + Self.fixtures.reversed()).map(Repo.fixture)
        let checker = try QuickChecker(migrationsFolder: Repo.migrations)
        let parallel = try checker.check(databasesAt: paths, jobs: 4)
        let alone = try paths.map { try Reconciler.quickCheck(databaseAt: $0, migrationsFolder: Repo.migrations) }
        #expect(parallel.map(\.diagnosis.path) == paths)
        #expect(parallel.map(\.diagnosis.verdict) == alone.map(\.diagnosis.verdict))
        #expect(parallel.map(\.diagnosis.plan) == alone.map(\.diagnosis.plan))
        #expect(parallel.first?.decidedQuickly == true)
        let diagnoses = Repo.reconciler.diagnose(databasesAt: paths, jobs: 3)
        #expect(diagnoses.map(\.verdict) == paths.map { Repo.reconciler.diagnose(databaseAt: $0).verdict })
    }

    /// A folder tree of fixture copies, with files that are not databases and one of this tool's backups.
    func tree(in folder: TemporaryFolder) throws -> URL {
        let root = folder.url.appendingPathComponent("dbs")
        for (index, name) in Self.fixtures.prefix(4).enumerated() {
            let sub = root.appendingPathComponent("group-\(index % 2)")
            try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: Repo.fixture(name), toPath: sub.appendingPathComponent(name).path)
        }
        try Data("notes".utf8).write(to: root.appendingPathComponent("README.md"))
        try FileManager.default.copyItem(atPath: Repo.fixture("ahead.sqlite"),
                                         toPath: root.appendingPathComponent("group-0/x.sqlite.backup-20261201T000000Z.sqlite").path)
        return root
    }

    @Test("--recursive takes every database under a folder (not backups, not other files), sorted; --jobs 1 prints the same")
    func recursiveFolder() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let root = try tree(in: folder)
        let two = try CLI.run(["check", "--recursive", "--jobs", "2", root.path])
        let one = try CLI.run(["check", "--recursive", "--jobs", "1", root.path])
        #expect(two.stdout == one.stdout)
        #expect(two.exitCode == one.exitCode)
        let named = Self.databaseLines(two.stdout)
        let expected = ["group-0/ahead.sqlite", "group-0/consistent-tip.sqlite", "group-1/behind-by-three.sqlite",
                        "group-1/no-ledger.sqlite"].map { root.appendingPathComponent($0).path }
        #expect(named == expected, "\(two.stdout)")
        #expect(two.exitCode == 2, "ahead.sqlite needs a person: the worst code wins")
    }

    @Test("a quoted glob expands in sorted order; a pattern matching nothing is reported as a missing file")
    func globs() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let root = try tree(in: folder)
        let result = try CLI.run(["check", root.path + "/group-1/*.sqlite"])
        let named = Self.databaseLines(result.stdout)
        #expect(named == ["behind-by-three.sqlite", "no-ledger.sqlite"].map { root.appendingPathComponent("group-1/" + $0).path })
        #expect(result.exitCode == 1)
        let none = try CLI.run(["check", root.path + "/nothing-*.sqlite"])
        #expect(none.exitCode == 3)
        #expect(none.stdout.contains("nothing-*.sqlite: unreadable"), "\(none.stdout)")
    }

    /// The database each verdict line names (lines that start with a path and a colon).
    static func databaseLines(_ stdout: String) -> [String] {
        stdout.split(separator: "\n").filter { $0.hasPrefix("/") }.map { String($0.split(separator: ":").first ?? "") }
    }

    @Test("--jobs outside 1…1024 is a usage error naming the range", arguments: ["0", "-1", "1025", "two"])
    func jobsRange(_ value: String) throws {
        let result = try CLI.run(["check", "--jobs=\(value)", Repo.fixture("consistent-tip.sqlite")])
        #expect(result.exitCode == 64)
        #expect(result.stderr.contains("1 to 1024"), "\(result.stderr)")
    }
}
