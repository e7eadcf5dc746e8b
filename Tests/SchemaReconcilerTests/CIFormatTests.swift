import Foundation
import Testing
@testable import SchemaReconciler

/// A workflow command line split back into its parts, unescaped the way the Actions runner does.
struct WorkflowCommand {
    var name: String
    var properties: [String: String]
    var message: String

    /// Parses `::name k=v,k=v::message`; nil when the line is not a workflow command.
    init?(_ line: String) {
        guard line.hasPrefix("::"), let end = line.range(of: "::", range: line.index(line.startIndex, offsetBy: 2)..<line.endIndex)
        else { return nil }
        let head = line[line.index(line.startIndex, offsetBy: 2)..<end.lowerBound]
        message = Self.unescapeData(String(line[end.upperBound...]))
        let parts = head.split(separator: " ", maxSplits: 1)
        name = String(parts[0])
        properties = [:]
        if parts.count == 2 {
            for pair in parts[1].split(separator: ",") {
                let keyValue = pair.split(separator: "=", maxSplits: 1)
                guard keyValue.count == 2 else { return nil }
                properties[String(keyValue[0])] = Self.unescapeProperty(String(keyValue[1]))
            }
        }
    }

    // As in actions/runner's ActionCommand: `%25` is undone last, so `%253A` stays `%3A`.
    static func unescapeData(_ text: String) -> String {
        text.replacingOccurrences(of: "%0D", with: "\r").replacingOccurrences(of: "%0A", with: "\n")
            .replacingOccurrences(of: "%25", with: "%")
    }

    static func unescapeProperty(_ text: String) -> String {
        text.replacingOccurrences(of: "%0D", with: "\r").replacingOccurrences(of: "%0A", with: "\n")
            .replacingOccurrences(of: "%3A", with: ":").replacingOccurrences(of: "%2C", with: ",")
            .replacingOccurrences(of: "%25", with: "%")
    }
}

@Suite("CI formats: JUnit XML and GitHub workflow commands")
struct CIFormatTests {
    static let fixtures = CommandLineTests.expected
    static let paths = fixtures.map { "Fixtures/\($0.fixture)" }

    @Test("check --format junit is one testsuite with one testcase per database, failures and errors by exit code")
    func junitOverEveryFixture() throws {
        let result = try CLI.run(["check", "--format", "junit"] + Self.paths)
        let text = try CLI.run(["check"] + Self.paths)
        #expect(result.exitCode == text.exitCode) // the format never changes the exit code
        #expect(result.exitCode == 3)
        let root = try ParsedXML.parse(result.stdout)
        #expect(root.name == "testsuites")
        let suites = root.elements("testsuite")
        try #require(suites.count == 1)
        let cases = suites[0].elements("testcase")
        #expect(cases.map { $0.attributes["name"] } == Self.paths)
        let failing = Self.fixtures.filter { $0.exit == 1 || $0.exit == 2 }.count
        let erroring = Self.fixtures.filter { $0.exit == 3 }.count
        #expect(suites[0].attributes["tests"] == "\(Self.fixtures.count)")
        #expect(suites[0].attributes["failures"] == "\(failing)")
        #expect(suites[0].attributes["errors"] == "\(erroring)")
        for (expected, testCase) in zip(Self.fixtures, cases) {
            let failures = testCase.elements("failure"), errors = testCase.elements("error")
            switch expected.exit {
            case 0:
                #expect(failures.isEmpty && errors.isEmpty, "\(expected.fixture) passes")
            case 3:
                #expect(errors.count == 1 && failures.isEmpty, "\(expected.fixture) is an error")
                #expect(errors.first?.attributes["type"] == expected.verdict)
            default:
                try #require(failures.count == 1, "\(expected.fixture) fails")
                #expect(failures[0].attributes["type"] == expected.verdict)
                #expect(failures[0].attributes["message"]?.contains("(exit \(expected.exit))") == true)
                // The body carries the findings and the plan, as `diagnose` words them.
                #expect(failures[0].text.contains("findings"))
                #expect(failures[0].text.contains("plan") || failures[0].text.contains("refused"))
            }
        }
        // A healthy database with foreign objects passes and says so in system-out.
        let foreign = try #require(cases.first { $0.attributes["name"] == "Fixtures/foreign-objects.sqlite" })
        #expect(foreign.elements("system-out").first?.text.contains("foreign-objects") == true)
    }

    @Test("an --app-dir call with two migration sets is still one testsuite, a classname per set")
    func junitAcrossGroups() throws {
        let result = try CLI.run(["check", "--format", "junit", "--app-dir", "Fixtures/app-data"])
        let text = try CLI.run(["check", "--app-dir", "Fixtures/app-data"])
        #expect(result.exitCode == text.exitCode)
        let root = try ParsedXML.parse(result.stdout)
        #expect(root.elements("testsuite").count == 1)
        let cases = root.elements("testcase")
        #expect(cases.count == 2)
        // state*.sqlite uses Migrations/, logs*.sqlite LogsMigrations/ (Migrations/reconcile.toml's [[database]]).
        #expect(Set(cases.compactMap { $0.attributes["classname"] }).count == 2)
        #expect(cases.contains { $0.attributes["classname"]?.contains("LogsMigrations") == true })
    }

    @Test("JUnit escapes markup characters and keeps control characters out of the XML")
    func junitEscaping() throws {
        let hostile = "a&b <c> \"d\" 'e' \u{1}f\ng.sqlite"
        let diagnosis = Repo.reconciler.diagnose(databaseAt: "/nonexistent/" + hostile)
        #expect(diagnosis.exitCode == .unreadable)
        let xml = JUnitReport(DiagnosisReport([diagnosis], reconciler: Repo.reconciler), suiteName: "suite & <co>").xml()
        let root = try ParsedXML.parse(xml)
        #expect(root.attributes["name"] == "suite & <co>")
        let testCase = try #require(root.elements("testcase").first)
        // XML 1.0 cannot carry U+0001 at all, so it is written as visible text; the newline survives as &#10;.
        #expect(testCase.attributes["name"] == "/nonexistent/a&b <c> \"d\" 'e' \\u{1}f\ng.sqlite")
        #expect(testCase.elements("error").count == 1)
    }

    @Test("check --format github writes an ::error per failing database, a ::warning for foreign objects, and the step summary")
    func githubOverEveryFixture() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let summary = try folder.write("summary.md", "earlier step\n")
        let result = try CLI.run(["check", "--format", "github"] + Self.paths, environment: ["GITHUB_STEP_SUMMARY": summary.path])
        #expect(result.exitCode == 3)
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
        let commands = lines.compactMap(WorkflowCommand.init)
        // Every line is a workflow command except the one summary line, which cannot be mistaken for one.
        #expect(lines.filter { !$0.hasPrefix("::") }.count == 1)
        #expect(commands.count == lines.count - 1)
        let errors = commands.filter { $0.name == "error" }
        let failing = Self.fixtures.filter { $0.exit != 0 }
        #expect(errors.map { $0.properties["file"] } == failing.map { "Fixtures/\($0.fixture)" })
        for (command, expected) in zip(errors, failing) {
            #expect(command.properties["title"] == "\(expected.verdict) (exit \(expected.exit))")
            #expect(!command.message.isEmpty)
        }
        let warnings = commands.filter { $0.name == "warning" }
        // The newer build behind unknown-versions.sqlite also created a table of its own (thread_pins).
        #expect(warnings.map { $0.properties["file"] } == ["Fixtures/unknown-versions.sqlite", "Fixtures/foreign-objects.sqlite"])
        #expect(warnings.first?.message.contains("thread_pins") == true)
        #expect(warnings.last?.message.contains("cache_thumbnails") == true)

        let written = try String(contentsOf: summary, encoding: .utf8)
        #expect(written.hasPrefix("earlier step\n")) // appended, never truncated
        #expect(written.contains("## Database diagnosis"))
        for path in Self.paths { #expect(written.contains(path)) }
    }

    @Test("without GITHUB_STEP_SUMMARY nothing but standard output is written")
    func githubWithoutSummary() throws {
        let result = try CLI.run(["check", "--format", "github", "Fixtures/consistent-tip.sqlite"], environment: [:])
        #expect(result.exitCode == 0)
        #expect(result.stdout == "schema-reconcile: 1 database(s), 0 failing; worst exit 0\n")
        #expect(result.stderr.isEmpty)
    }

    @Test("workflow command escaping follows GitHub's rules for data and property values")
    func githubEscapingRules() throws {
        #expect(GitHubAnnotations.escapeData("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext: a,b")
        #expect(GitHubAnnotations.escapeProperty("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext%3A a%2Cb")
        // Already-escaped-looking text must survive a round trip, which needs % escaped first.
        #expect(GitHubAnnotations.escapeProperty("%3A") == "%253A")

        let path = "db,one:%0A\n::error::injected.sqlite"
        let line = GitHubAnnotations.command("error", properties: [("file", path), ("title", "t: a, b")], message: "line 1\nline 2\r%")
        #expect(!line.contains("\n") && !line.contains("\r"))
        let parsed = try #require(WorkflowCommand(line))
        #expect(parsed.name == "error")
        #expect(parsed.properties == ["file": path, "title": "t: a, b"])
        #expect(parsed.message == "line 1\nline 2\r%")
    }

    @Test("formats a command does not write are usage errors")
    func unsupportedFormats() throws {
        let repair = try CLI.run(["repair", "--format", "junit", "Fixtures/ahead.sqlite"])
        #expect(repair.exitCode == 64)
        #expect(repair.stderr.contains("repair does not write --format junit"))
        let fingerprint = try CLI.run(["fingerprint", "--format", "github"])
        #expect(fingerprint.exitCode == 64)
        let check = try CLI.run(["check", "--format", "html", "Fixtures/ahead.sqlite"])
        #expect(check.exitCode == 64)
    }
}
