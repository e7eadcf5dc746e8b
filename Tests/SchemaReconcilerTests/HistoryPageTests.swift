import Foundation
import Testing
@testable import SchemaReconciler

@Suite("The schema-history HTML page")
struct HistoryPageTests {
    /// Versions whose migrations leave no schema trace: the ones the committed reconcile.toml probes.
    static let schemaSilent: Set<String> = ["v12", "v17", "v33", "v34"]

    /// Checks what every page must be: well-formed, self-contained, internally linked.
    static func checkSelfContained(_ html: String) throws -> ParsedXML {
        let root = try ParsedXML.parse(html)
        #expect(root.name == "html")
        for forbidden in ["http://", "https://", "src=", "<script", "<link", "url(", "@import"] {
            #expect(!html.contains(forbidden), "the page must not reference anything outside itself: \(forbidden)")
        }
        let ids = Set(root.all.compactMap { $0.attributes["id"] })
        for anchor in root.elements("a") {
            let href = try #require(anchor.attributes["href"])
            #expect(href.hasPrefix("#") && ids.contains(String(href.dropFirst())), "link \(href) goes nowhere on the page")
        }
        return root
    }

    @Test("fingerprint page: every version, its checksum and fingerprint, silent versions with their probes, one lineage row per object")
    func fingerprintPage() throws {
        let reconciler = Repo.reconciler
        let html = HistoryPage(reconciler: reconciler).html()
        let root = try Self.checkSelfContained(html)
        let sections = root.elements("section").filter { $0.classes.contains("version") }
        let files = try FileManager.default.contentsOfDirectory(atPath: Repo.migrations.path)
            .filter { $0.hasSuffix(".sql") && !$0.hasSuffix(".down.sql") }.sorted()
        #expect(sections.count == files.count)
        for (section, file) in zip(sections, files) {
            // The file name's number is the version (read independently of the loader).
            let version = Int(file.prefix { $0 != "_" })!
            #expect(section.attributes["id"] == "v\(version)")
            #expect(section.allText.contains(file))
            let checksum = try sha384sum(Repo.migrations.appendingPathComponent(file))
            #expect(section.allText.contains(checksum), "\(file) shows its sqlx checksum")
            let step = try #require(reconciler.timeline.index(of: MigrationVersion(Int64(version))).map { reconciler.timeline.steps[$0] })
            #expect(section.allText.contains(step.fingerprint.hex))
        }
        let silent = Set(sections.filter { $0.classes.contains("silent") }.compactMap { $0.attributes["id"] })
        #expect(silent == Self.schemaSilent)
        // Each schema-silent version shows the probe from reconcile.toml that tells it apart.
        let v17 = try #require(sections.first { $0.attributes["id"] == "v17" })
        #expect(v17.allText.contains("GROUP BY scope, project_root, thread_id, content"))

        let svg = try #require(root.elements("svg").first)
        let labels = svg.elements("text").filter { $0.classes.contains("label") }.map(\.text)
        // Tables the bundled migrations create, drop or rename appear on their own rows.
        for object in ["table threads", "table logs", "table thread_events", "table thread_items", "view thread_usage",
                       "virtual table thread_search"] {
            #expect(labels.contains(object), "lineage row for \(object)")
        }
        // 0023 drops logs: its span ends with a dropped mark.
        let dropped = svg.elements("rect").filter { $0.classes.contains("dropped") }.compactMap { $0.elements("title").first?.text }
        #expect(dropped.contains("table logs dropped in 23"))
        // Columns on demand: the threads table's details list the column 0009 adds.
        let threads = try #require(root.elements("details").first { $0.classes.contains("object") && $0.elements("code").first?.text == "table threads" })
        #expect(threads.allText.contains("column archived_at"))
    }

    @Test("diagnose --format html shows each database against the timeline, keeps the exit code")
    func diagnosePage() throws {
        let result = try CLI.run(["diagnose", "--format", "html", "Fixtures/behind-by-three.sqlite", "Fixtures/ahead.sqlite"])
        #expect(result.exitCode == 2) // as `diagnose` without --format: the worst code
        let root = try Self.checkSelfContained(result.stdout)
        let databases = root.elements("article").filter { $0.classes.contains("database") }
        #expect(databases.count == 2)
        let behind = databases[0]
        #expect(behind.allText.contains("Fixtures/behind-by-three.sqlite"))
        #expect(behind.classes.contains("exit-1"))
        // The plan inserts the three rows the ledger lacks.
        let plan = try #require(behind.elements("table").first { $0.classes.contains("plan") })
        let rows = plan.elements("tr").dropFirst().map { $0.elements("td").map(\.allText) }
        #expect(rows.map { $0.prefix(2) } == [["insert", "21"], ["insert", "22"], ["insert", "23"]])
        // Its strip marks version 23 as the match and records 1…20 in the ledger.
        let strip = try #require(behind.elements("svg").first)
        let matched = strip.elements("rect").filter { $0.classes.contains("match") }
        #expect(matched.compactMap { $0.elements("title").first?.text } == ["23: the schema matches"])
        #expect(strip.elements("rect").filter { $0.classes.contains("ledger") }.count == 20)
        // The blocked database says what would settle it.
        #expect(databases[1].allText.contains("--drop-unproven"))
        // The timeline marks the versions each database matches.
        let here = root.elements("section").filter { $0.classes.contains("matched") }.compactMap { $0.attributes["id"] }
        #expect(here == ["v20", "v23"])
    }

    @Test("every fixture renders: one article per database with its verdict, links that land on the page")
    func everyFixture() throws {
        let diagnoses = CommandLineTests.expected.map { Repo.reconciler.diagnose(databaseAt: Repo.fixture($0.fixture)) }
        let root = try Self.checkSelfContained(HistoryPage(reconciler: Repo.reconciler, diagnoses: diagnoses).html())
        let articles = root.elements("article").filter { $0.classes.contains("database") }
        #expect(articles.count == CommandLineTests.expected.count)
        for (article, expected) in zip(articles, CommandLineTests.expected) {
            #expect(article.elements("span").first { $0.classes.contains("verdict") }?.text == expected.verdict)
            #expect(article.classes.contains("exit-\(expected.exit)"))
        }
    }

    @Test("a replay that fails part-way is said on the page, which shows the versions before it")
    func replayFailure() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("1_create.sql", "CREATE TABLE a (x INTEGER);")
        try folder.write("2_broken.sql", "ALTER TABLE missing ADD COLUMN y TEXT;")
        let set = try MigrationSet.load(from: folder.url)
        let timeline = try Fingerprinter().fingerprint(set, stoppingAtFailure: true)
        let root = try Self.checkSelfContained(HistoryPage(migrations: set, timeline: timeline).html())
        let sections = root.elements("section").filter { $0.classes.contains("version") }
        #expect(sections.compactMap { $0.attributes["id"] } == ["v1"])
        let failure = try #require(root.elements("p").first { $0.classes.contains("failure") })
        #expect(failure.allText.contains("version 2 failed to replay"))
    }

    @Test("hostile names stay text: markup in an object name cannot open an element")
    func hostileNames() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("1_create.sql", #"CREATE TABLE "<script>x</script>&amp;" (a INTEGER, "b""</td>" TEXT);"#)
        let set = try MigrationSet.load(from: folder.url)
        let html = HistoryPage(migrations: set, timeline: try Fingerprinter().fingerprint(set)).html()
        let root = try Self.checkSelfContained(html)
        #expect(root.elements("script").isEmpty)
        #expect(root.allText.contains("<script>x</script>&amp;"))
    }
}
