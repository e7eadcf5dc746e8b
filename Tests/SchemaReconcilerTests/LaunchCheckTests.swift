import Foundation
import Testing
@testable import schema_reconcile

/// `check DB...` without options skips the argument parser; it must mean exactly what the parser makes of it.
@Suite("The launcher's check without the argument parser")
struct LaunchCheckTests {
    @Test("only `check` followed by arguments that cannot be options qualifies")
    func recognition() {
        #expect(LaunchCheck(["check", "a.sqlite"])?.databases == ["a.sqlite"])
        #expect(LaunchCheck(["check", "a.sqlite", "dir/*.db", ""])?.databases == ["a.sqlite", "dir/*.db", ""])
        #expect(LaunchCheck(["check"]) == nil)
        #expect(LaunchCheck(["diagnose", "a.sqlite"]) == nil)
        #expect(LaunchCheck(["check", "--require-tip", "a.sqlite"]) == nil)
        #expect(LaunchCheck(["check", "a.sqlite", "--format=json"]) == nil)
        #expect(LaunchCheck(["check", "--", "a.sqlite"]) == nil)
        #expect(LaunchCheck(["check", "-h"]) == nil)
        #expect(LaunchCheck(["check", "-weird.sqlite"]) == nil)
        #expect(LaunchCheck(["--version"]) == nil)
    }

    /// `--format text` is the default spelled out: it sends the same call through the parser.
    private func expectSameAsParsed(_ databases: [String], in directory: URL = Repo.root) throws {
        let launch = try CLI.run(["check"] + databases, in: directory)
        let parsed = try CLI.run(["check", "--format", "text"] + databases, in: directory)
        #expect(launch.exitCode == parsed.exitCode, "\(databases)")
        #expect(launch.stdout == parsed.stdout, "\(databases)")
        #expect(launch.stderr == parsed.stderr, "\(databases)")
    }

    @Test("sqlx databases: every verdict, a quoted glob, a folder, a missing file and a text file report as the parser's call does")
    func sqlxDatabases() throws {
        let cases: [[String]] = [
            ["Fixtures/consistent-tip.sqlite"],
            ["Fixtures/consistent-v20.sqlite"],
            ["Fixtures/behind-by-three.sqlite", "Fixtures/consistent-tip.sqlite"],
            ["Fixtures/*.sqlite"],
            ["Fixtures"],
            ["missing.sqlite"],
            ["README.md"],
            ["help"],
        ]
        for databases in cases { try expectSameAsParsed(databases) }
        // The bundled fixtures really did give different exit codes, so equal output is not equal silence.
        #expect(try CLI.run(["check", "Fixtures/consistent-tip.sqlite"]).exitCode == 0)
        #expect(try CLI.run(["check", "Fixtures/behind-by-three.sqlite"]).exitCode == 1)
        #expect(try CLI.run(["check", "missing.sqlite"]).exitCode == 3)
    }

    @Test("another tool's databases go to the parsed command's full diagnosis and report as it does")
    func otherDialect() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try FileManager.default.copyItem(at: Repo.fixtures.appendingPathComponent("goose/migrations"),
                                         to: folder.url.appendingPathComponent("Migrations"))
        for name in ["healthy", "behind", "no-ledger"] {
            try FileManager.default.copyItem(atPath: Repo.fixture("goose/\(name).sqlite"), toPath: folder.path("\(name).sqlite"))
        }
        try expectSameAsParsed(["healthy.sqlite"], in: folder.url)
        try expectSameAsParsed(["healthy.sqlite", "behind.sqlite", "no-ledger.sqlite"], in: folder.url)
        let healthy = try CLI.run(["check", "healthy.sqlite"], in: folder.url)
        #expect(healthy.exitCode == 0)
        #expect(healthy.stdout.contains("healthy.sqlite: consistent"))
        // goose's folder, sqlx's ledger: two tools in one call is refused as the parser's call refuses it.
        try FileManager.default.copyItem(atPath: Repo.fixture("consistent-tip.sqlite"), toPath: folder.path("sqlx.sqlite"))
        try expectSameAsParsed(["healthy.sqlite", "sqlx.sqlite"], in: folder.url)
        #expect(try CLI.run(["check", "healthy.sqlite", "sqlx.sqlite"], in: folder.url).exitCode == 64)
    }

    @Test("the check reads each database's ledgers on its own connection: another tool's ledger beside an sqlx folder is still that tool's, two tools are refused")
    func detectionDuringTheCheck() throws {
        // The bundled folder is laid out as sqlx's; a goose database decides goose, as detection before the check did.
        for extra in [[], ["--recursive"]] {
            let detected = try CLI.run(["check"] + extra + ["Fixtures/goose/healthy.sqlite"])
            let named = try CLI.run(["check", "--dialect", "goose"] + extra + ["Fixtures/goose/healthy.sqlite"])
            #expect(detected.exitCode == named.exitCode)
            #expect(detected.stdout == named.stdout)
            #expect(detected.stderr == named.stderr)
            #expect(try CLI.run(["check", "--dialect", "sqlx", "Fixtures/goose/healthy.sqlite"]).stdout != detected.stdout)
        }
        for extra in [[], ["--format", "json"]] {
            let mixed = try CLI.run(["check"] + extra + ["Fixtures/consistent-tip.sqlite", "Fixtures/goose/healthy.sqlite"])
            #expect(mixed.exitCode == 64)
            #expect(mixed.stderr.contains("cannot tell which migration tool this is (the databases hold the ledgers of goose and sqlx)"))
        }
        // sqlx's own databases: the same report as with the dialect named.
        let sqlx = ["Fixtures/consistent-tip.sqlite", "Fixtures/behind-by-three.sqlite", "Fixtures/no-ledger.sqlite"]
        let detected = try CLI.run(["check", "--format", "json"] + sqlx)
        let named = try CLI.run(["check", "--format", "json", "--dialect", "sqlx"] + sqlx)
        #expect(detected.exitCode == 1)
        #expect(detected.stdout == named.stdout)
    }
}
