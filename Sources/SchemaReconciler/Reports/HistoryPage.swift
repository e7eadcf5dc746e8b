import Foundation

/// A migration set's schema history as one self-contained HTML page: no network, no script.
///
/// The page holds a lineage chart (inline SVG: when each table, index, view and trigger appeared,
/// changed and disappeared, with each object's columns on demand in `<details>`), then a timeline
/// with every version's effect, checksum and fingerprint; schema-silent versions are marked with
/// the probe that tells them apart, or a note that none does. Given diagnoses, it first shows each
/// database against the timeline: where it matches, what differs, and the repair plan.
///
/// The markup is well-formed XML as well as HTML, so any XML parser can check it.
///
/// ```swift
/// let reconciler = try Reconciler(migrationsFolder: URL(fileURLWithPath: "Migrations"))
/// try HistoryPage(reconciler: reconciler).html().write(toFile: "history.html", atomically: true, encoding: .utf8)
///
/// let diagnosis = reconciler.diagnose(databaseAt: "state.sqlite")
/// let page = HistoryPage(reconciler: reconciler, diagnoses: [diagnosis]).html()
/// ```
public struct HistoryPage: Sendable {
    /// The migrations.
    public var migrations: MigrationSet
    /// Their fingerprints and effects.
    public var timeline: FingerprintTimeline
    /// Probes declared in `reconcile.toml`, by version.
    public var probes: [MigrationVersion: Manifest.Probe]
    /// Databases to show against the timeline (none for a plain history page).
    public var diagnoses: [Diagnosis]
    /// Where the fingerprints came from, if known.
    public var fingerprintSource: String?
    /// How the page names the migrations folder (default: its path); a command passes the path as typed.
    public var folderLabel: String

    /// Creates a page from its parts.
    ///
    /// ```swift
    /// let page = HistoryPage(migrations: set, timeline: try Fingerprinter().fingerprint(set))
    /// ```
    public init(migrations: MigrationSet, timeline: FingerprintTimeline, manifest: Manifest? = nil,
                diagnoses: [Diagnosis] = [], fingerprintSource: String? = nil) {
        self.migrations = migrations
        self.timeline = timeline
        self.probes = Dictionary((manifest?.probes ?? []).map { ($0.version, $0) }, uniquingKeysWith: { first, _ in first })
        self.diagnoses = diagnoses
        self.fingerprintSource = fingerprintSource
        self.folderLabel = migrations.folder.path
    }

    /// Creates a page for a reconciler's migration set, optionally with databases it diagnosed.
    ///
    /// ```swift
    /// let page = HistoryPage(reconciler: reconciler, diagnoses: paths.map { reconciler.diagnose(databaseAt: $0) })
    /// ```
    public init(reconciler: Reconciler, diagnoses: [Diagnosis] = []) {
        self.init(migrations: reconciler.migrations, timeline: reconciler.timeline, manifest: reconciler.manifest,
                  diagnoses: diagnoses, fingerprintSource: Self.phrase(reconciler.fingerprintSource))
    }

    /// Where the fingerprints came from, without the folder's path (the page names the folder once).
    static func phrase(_ source: Reconciler.FingerprintSource) -> String {
        switch source {
        case .lock: return "fingerprints from \(FingerprintLock.fileName)"
        case .replay: return "fingerprints from a replay of the migrations"
        case .replayedStaleLock: return "\(FingerprintLock.fileName) is stale; fingerprints from a replay"
        }
    }

    /// The complete document.
    ///
    /// ```swift
    /// print(HistoryPage(reconciler: reconciler).html())
    /// ```
    public func html() -> String { Self.document([self]) }

    /// One document holding several pages (one per migration set of an `--app-dir` call).
    ///
    /// ```swift
    /// let html = HistoryPage.document([statePage, logsPage])
    /// ```
    public static func document(_ pages: [HistoryPage]) -> String {
        let title = pages.count == 1 ? "Schema history of \(pages[0].folderLabel)" : "Schema history"
        var out = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8"/>
            <meta name="viewport" content="width=device-width, initial-scale=1"/>
            <title>\(XMLText.escape(title))</title>
            <style>\(stylesheet)</style>
            </head>
            <body>

            """
        for (index, page) in pages.enumerated() {
            out += page.body(prefix: pages.count == 1 ? "" : "s\(index + 1)-")
        }
        out += "<footer>schema-reconcile \(XMLText.escape(ToolVersion.current)) · SQLite \(XMLText.escape(FingerprintReport.linkedSQLiteVersion))</footer>\n</body>\n</html>\n"
        return out
    }

    // MARK: - Body

    private var entries: [FingerprintReport.Entry] { timeline.steps.compactMap(FingerprintReport.Entry.init(step:)) }

    func body(prefix: String) -> String {
        let lineage = SchemaLineage(timeline: timeline)
        let steps = timeline.steps
        let silent = steps.filter(\.isSchemaSilent).count
        var out = "<main>\n<header>\n<h1>Schema history of <code>\(XMLText.escape(folderLabel))</code></h1>\n<p class=\"facts\">"
        var facts = ["\(steps.count - 1) migration(s)", "\(lineage.objects.count) schema object(s) over time",
                     "\(silent) schema-silent"]
        if let tip = steps.last, tip.migration != nil {
            facts.insert("tip <strong>\(tip.version)</strong> <code title=\"\(tip.fingerprint.hex)\">\(tip.fingerprint.short)</code>", at: 1)
        }
        if let fingerprintSource { facts.append(XMLText.escape(fingerprintSource)) }
        out += facts.joined(separator: " · ") + "</p>\n"
        if let failure = timeline.replayFailure {
            // The timeline stops before the failing version: say so where the reader starts.
            out += "<p class=\"failure\">The replay stopped: \(XMLText.escape(failure.description)). Versions from \(failure.version) on are not on this page.</p>\n"
        }
        out += "</header>\n"
        if !diagnoses.isEmpty {
            out += "<section class=\"databases\">\n<h2>Databases against this timeline</h2>\n"
            for (index, diagnosis) in diagnoses.enumerated() {
                out += databaseSection(diagnosis, id: "\(prefix)db\(index + 1)", prefix: prefix)
            }
            out += "</section>\n"
        }
        out += "<section class=\"lineage\">\n<h2>Lineage</h2>\n"
        out += "<p class=\"legend\">" + legend + "</p>\n"
        out += lineageChart(lineage, prefix: prefix)
        out += objectDetails(lineage)
        out += "</section>\n"
        out += "<section class=\"timeline\">\n<h2>Timeline</h2>\n"
        for (index, step) in steps.enumerated() where step.migration != nil {
            out += versionSection(step, index: index, prefix: prefix)
        }
        out += "</section>\n</main>\n"
        return out
    }

    private var legend: String {
        SchemaObject.Kind.allCases.map { kind in
            "<span class=\"key k-\(Self.kindClass(kind))\"></span>\(kind.rawValue)"
        }.joined(separator: " ") + " <span class=\"key changed\"></span>changed <span class=\"key dropped\"></span>dropped"
            + " <span class=\"key silent\"></span>schema-silent version"
    }

    // MARK: - Lineage chart

    private struct ChartGeometry {
        let columns: Int
        let labelWidth = 270.0
        let headerHeight = 34.0
        let rowHeight = 20.0
        let cellWidth: Double

        init(columns: Int) {
            self.columns = columns
            cellWidth = max(4, min(26, 1040 / Double(max(columns, 1))))
        }

        /// Left edge of step `index` (step 1 is the first column).
        func x(_ index: Int) -> Double { labelWidth + Double(index - 1) * cellWidth }
        func y(_ row: Int) -> Double { headerHeight + Double(row) * rowHeight }
        var width: Double { x(columns + 1) + 8 }
    }

    private func lineageChart(_ lineage: SchemaLineage, prefix: String) -> String {
        let steps = timeline.steps
        let geometry = ChartGeometry(columns: steps.count - 1)
        let height = geometry.y(lineage.objects.count) + 6
        var svg = "<svg class=\"chart\" role=\"img\" aria-label=\"lineage of every schema object\" width=\"\(Self.number(geometry.width))\" height=\"\(Self.number(height))\" viewBox=\"0 0 \(Self.number(geometry.width)) \(Self.number(height))\">\n"
        // Schema-silent columns as background bands, version numbers as links to the timeline.
        let labelEvery = geometry.cellWidth >= 16 ? 1 : geometry.cellWidth >= 8 ? 5 : 25
        for (index, step) in steps.enumerated() where step.migration != nil {
            let x = geometry.x(index)
            if step.isSchemaSilent {
                svg += "<rect class=\"silent\" x=\"\(Self.number(x))\" y=\"\(Self.number(geometry.headerHeight - 4))\" width=\"\(Self.number(geometry.cellWidth))\" height=\"\(Self.number(height - geometry.headerHeight + 4))\"><title>\(XMLText.escape("\(step.version) \(step.migration?.description ?? ""): schema-silent"))</title></rect>\n"
            }
            if index == 1 || index % labelEvery == 0 || index == steps.count - 1 {
                svg += "<a href=\"#\(prefix)v\(step.version)\"><text class=\"version\" x=\"\(Self.number(x + geometry.cellWidth / 2))\" y=\"\(Self.number(geometry.headerHeight - 12))\">\(step.version)</text></a>\n"
            }
        }
        for (row, object) in lineage.objects.enumerated() {
            let y = geometry.y(row)
            let kind = Self.kindClass(object.key.kind)
            let label = "\(object.key.kind.rawValue) \(object.name)"
            svg += "<text class=\"label\" x=\"\(Self.number(geometry.labelWidth - 8))\" y=\"\(Self.number(y + 14))\">\(XMLText.escape(Self.truncated(label, 40)))</text>\n"
            for span in object.spans {
                let start = max(span.start, 1)
                let end = span.end ?? steps.count
                let title = "\(label): created in \(Self.versionName(span.start, steps))"
                    + (span.end.map { ", dropped in \(Self.versionName($0, steps))" } ?? ", exists at the tip")
                svg += "<rect class=\"span k-\(kind)\" x=\"\(Self.number(geometry.x(start)))\" y=\"\(Self.number(y + 4))\" width=\"\(Self.number(max(geometry.cellWidth * Double(end - start), 2)))\" height=\"\(Self.number(geometry.rowHeight - 8))\" rx=\"3\"><title>\(XMLText.escape(title))</title></rect>\n"
                if let dropped = span.end {
                    svg += "<rect class=\"dropped\" x=\"\(Self.number(geometry.x(dropped) + 1))\" y=\"\(Self.number(y + 4))\" width=\"3\" height=\"\(Self.number(geometry.rowHeight - 8))\"><title>\(XMLText.escape("\(label) dropped in \(Self.versionName(dropped, steps))"))</title></rect>\n"
                }
            }
            for change in object.changes {
                let cx = geometry.x(change) + geometry.cellWidth / 2
                svg += "<circle class=\"changed\" cx=\"\(Self.number(cx))\" cy=\"\(Self.number(y + geometry.rowHeight / 2))\" r=\"\(Self.number(min(5, geometry.cellWidth / 2.5)))\"><title>\(XMLText.escape("\(label) changed in \(Self.versionName(change, steps))"))</title></circle>\n"
            }
        }
        svg += "</svg>\n"
        return "<div class=\"chart-frame\">\n" + svg + "</div>\n"
    }

    /// Each object's history and, on demand, its columns and properties as it last existed.
    private func objectDetails(_ lineage: SchemaLineage) -> String {
        let steps = timeline.steps
        var out = "<div class=\"objects\">\n"
        for object in lineage.objects {
            let label = "\(object.key.kind.rawValue) \(object.name)"
            var life = object.spans.map { span in
                "\(Self.versionName(span.start, steps))–" + (span.end.map { "dropped in \(Self.versionName($0, steps))" } ?? "tip")
            }.joined(separator: ", ")
            if !object.changes.isEmpty { life += "; changed in " + object.changes.map { Self.versionName($0, steps) }.joined(separator: ", ") }
            let state = object.existsAtTip ? "at the tip" : "when last present"
            out += "<details class=\"object k-\(Self.kindClass(object.key.kind))\"><summary><code>\(XMLText.escape(label))</code> <span class=\"life\">\(XMLText.escape(life))</span></summary>\n"
            out += "<p class=\"note\">Columns and properties \(state):</p>\n" + facetTable(object.latest) + "</details>\n"
        }
        return out + "</div>\n"
    }

    // MARK: - Timeline

    private func versionSection(_ step: FingerprintTimeline.Step, index: Int, prefix: String) -> String {
        guard let migration = step.migration, let entry = FingerprintReport.Entry(step: step) else { return "" }
        var classes = ["version"]
        if step.isSchemaSilent { classes.append("silent") }
        let matching = diagnoses.filter { diagnosis in
            guard let range = diagnosis.matchedVersions else { return false }
            return range.lowest <= step.version && step.version <= range.highest
        }
        if !matching.isEmpty { classes.append("matched") }
        var out = "<section class=\"\(classes.joined(separator: " "))\" id=\"\(prefix)v\(step.version)\">\n"
        out += "<h3><span class=\"number\">\(step.version)</span> \(XMLText.escape(migration.description))"
        if step.isSchemaSilent { out += " <span class=\"badge silent\">schema-silent</span>" }
        if migration.noTransaction { out += " <span class=\"badge\">no-transaction</span>" }
        out += "</h3>\n"
        out += "<p class=\"file\"><code>\(XMLText.escape(migration.fileName))</code></p>\n"
        if !matching.isEmpty {
            out += "<p class=\"here\">Matches here: " + matching.map { "<code>\(XMLText.escape($0.path))</code>" }.joined(separator: ", ") + "</p>\n"
        }
        if step.isSchemaSilent {
            let before = index > 0 ? timeline.steps[index - 1].version : 0
            if let probe = probes[step.version] {
                out += "<div class=\"probe\"><p>Told apart from \(before) by its probe"
                    + (probe.description.map { " (\(XMLText.escape($0)))" } ?? "") + ":</p>\n<pre>\(XMLText.escape(probe.sql))</pre></div>\n"
            } else {
                out += "<p class=\"probe missing\">No probe: a database at \(before) and one at \(step.version) have the same schema. A <code>[[probe]]</code> in <code>reconcile.toml</code> tells them apart.</p>\n"
            }
        } else {
            out += "<ul class=\"effect\">\n"
            for object in step.effect.added {
                out += "<li class=\"added\"><details><summary>+ <code>\(XMLText.escape(Self.label(object)))</code></summary>\n\(facetTable(object))</details></li>\n"
            }
            for change in step.effect.changed {
                out += "<li class=\"changed\"><details><summary>~ <code>\(XMLText.escape(Self.label(change.object)))</code> "
                    + "<span class=\"note\">\(change.facetChanges.count) propert\(change.facetChanges.count == 1 ? "y" : "ies")</span></summary>\n"
                    + changeTable(change) + "</details></li>\n"
            }
            for object in step.effect.removed {
                out += "<li class=\"removed\">− <code>\(XMLText.escape(Self.label(object)))</code></li>\n"
            }
            out += "</ul>\n"
        }
        out += "<dl class=\"hashes\"><dt>checksum</dt><dd><code>\(entry.checksum.hex)</code></dd>"
            + "<dt>fingerprint</dt><dd><code>\(entry.fingerprint.hex)</code></dd></dl>\n"
        out += "</section>\n"
        return out
    }

    private func facetTable(_ object: SchemaObject) -> String {
        guard !object.facets.isEmpty else { return "<p class=\"note\">No properties recorded.</p>\n" }
        var out = "<table class=\"facets\">\n"
        for facet in object.facets {
            out += "<tr><th>\(XMLText.escape(facet.label))</th><td><code>\(XMLText.escape(facet.value))</code></td></tr>\n"
        }
        return out + "</table>\n"
    }

    private func changeTable(_ change: SchemaDiff.Change) -> String {
        guard !change.facetChanges.isEmpty else { return "<p class=\"note\">Structure changed.</p>\n" }
        var out = "<table class=\"facets\">\n<tr><th>property</th><th>before</th><th>after</th></tr>\n"
        for facet in change.facetChanges {
            out += "<tr><th>\(XMLText.escape(facet.label))</th><td class=\"before\">\(facet.before.map { "<code>\(XMLText.escape($0))</code>" } ?? "—")</td>"
                + "<td class=\"after\">\(facet.after.map { "<code>\(XMLText.escape($0))</code>" } ?? "—")</td></tr>\n"
        }
        return out + "</table>\n"
    }

    // MARK: - Databases

    private func databaseSection(_ diagnosis: Diagnosis, id: String, prefix: String) -> String {
        let code = diagnosis.exitCode
        var out = "<article class=\"database exit-\(code.rawValue)\" id=\"\(id)\">\n"
        out += "<h3><code>\(XMLText.escape(diagnosis.path))</code> <span class=\"verdict\">\(XMLText.escape(diagnosis.verdict.rawValue))</span> <span class=\"exit\">exit \(code.rawValue)</span></h3>\n"
        let detail = DiagnosisReport.verdictDetail(diagnosis)
        if !detail.isEmpty { out += "<p>\(XMLText.escape(detail))</p>\n" }
        if diagnosis.verdict != .unreadable {
            out += positionStrip(diagnosis, prefix: prefix)
            if let fingerprint = diagnosis.schemaFingerprint {
                out += "<p class=\"note\">schema fingerprint <code>\(fingerprint.hex)</code></p>\n"
            }
        }
        if !diagnosis.findings.isEmpty {
            out += "<h4>Findings</h4>\n<ul class=\"findings\">\n"
            for finding in diagnosis.findings {
                out += "<li class=\"exit-\(finding.exitCode.rawValue)\"><strong>\(XMLText.escape(finding.kind.rawValue))</strong> \(XMLText.escape(finding.message))"
                if !finding.evidence.isEmpty {
                    out += "\n<ul>\n"
                    for evidence in finding.evidence {
                        var text = XMLText.escape(evidence.detail)
                        let unnamed = DiagnosisReport.unnamedObjects(evidence)
                        if !unnamed.isEmpty { text += " " + unnamed.map { "<code>\(XMLText.escape($0))</code>" }.joined(separator: ", ") }
                        if let version = evidence.version, let index = timeline.index(of: version),
                           timeline.steps[index].migration != nil {
                            text += " <a href=\"#\(prefix)v\(version)\">version \(version)</a>"
                        }
                        out += "<li>\(text)</li>\n"
                    }
                    out += "</ul>\n"
                }
                out += "</li>\n"
            }
            out += "</ul>\n"
        }
        out += planSection(diagnosis.plan)
        return out + "</article>\n"
    }

    private func planSection(_ plan: RepairPlan) -> String {
        var out = ""
        if !plan.blockers.isEmpty {
            out += "<h4>Refused: nothing would be written</h4>\n<ul class=\"blockers\">\n"
            for blocker in plan.blockers {
                out += "<li>\(XMLText.escape(blocker.reason))"
                if let flag = DiagnosisReport.settlingFlag(blocker) { out += " <span class=\"flag\">settle with <code>\(XMLText.escape(flag))</code></span>" }
                out += "</li>\n"
            }
            out += "</ul>\n"
        }
        guard !plan.actions.isEmpty else {
            if plan.blockers.isEmpty { out += "<p class=\"plan\">Plan: nothing to write.</p>\n" }
            return out
        }
        var heading = plan.blockers.isEmpty ? "Plan" : "Plan once settled"
        if let target = plan.targetVersion { heading += " (ledger to claim \(target))" }
        out += "<h4>\(heading)</h4>\n<table class=\"plan\">\n<tr><th>action</th><th>version</th><th>description</th><th>checksum</th><th>why</th></tr>\n"
        for action in plan.actions {
            let headline = DiagnosisReport.actionHeadline(action)
            out += "<tr class=\"\(action.writes ? "writes" : "keeps")\"><td>\(XMLText.escape(headline.kind))</td><td>\(XMLText.escape(headline.version))</td>"
                + "<td>\(XMLText.escape(headline.description))</td><td><code>\(XMLText.escape(DiagnosisReport.actionDigests(action) ?? ""))</code></td>"
                + "<td>\(XMLText.escape(action.reason))</td></tr>\n"
        }
        return out + "</table>\n"
    }

    /// The database's place on the timeline: matched versions, the nearest one, and what the ledger records.
    private func positionStrip(_ diagnosis: Diagnosis, prefix: String) -> String {
        let steps = timeline.steps
        let geometry = ChartGeometry(columns: steps.count - 1)
        let recorded = Set(diagnosis.ledger.versions)
        let dirty = Set(diagnosis.ledger.dirty)
        let mismatched = Set(diagnosis.ledger.checksumMismatches)
        let height = 70.0
        var svg = "<svg class=\"strip\" role=\"img\" aria-label=\"where the database matches the timeline\" width=\"\(Self.number(geometry.width))\" height=\"\(Self.number(height))\" viewBox=\"0 0 \(Self.number(geometry.width)) \(Self.number(height))\">\n"
        svg += "<text class=\"label\" x=\"\(Self.number(geometry.labelWidth - 8))\" y=\"34\">schema</text>\n"
        svg += "<text class=\"label\" x=\"\(Self.number(geometry.labelWidth - 8))\" y=\"58\">ledger</text>\n"
        let labelEvery = geometry.cellWidth >= 16 ? 1 : geometry.cellWidth >= 8 ? 5 : 25
        for (index, step) in steps.enumerated() where step.migration != nil {
            let x = geometry.x(index)
            if index == 1 || index % labelEvery == 0 || index == steps.count - 1 {
                svg += "<text class=\"version\" x=\"\(Self.number(x + geometry.cellWidth / 2))\" y=\"14\">\(step.version)</text>\n"
            }
            var cell = "cell"
            var title = "\(step.version)"
            if let range = diagnosis.matchedVersions, range.lowest <= step.version, step.version <= range.highest {
                cell += " match"
                title += ": the schema matches"
            } else if diagnosis.matchedVersions == nil, diagnosis.nearestVersion == step.version {
                cell += " nearest"
                title += ": nearest version (no exact match)"
            }
            if step.isSchemaSilent { cell += " silent-cell" }
            svg += "<a href=\"#\(prefix)v\(step.version)\"><rect class=\"\(cell)\" x=\"\(Self.number(x + 1))\" y=\"22\" width=\"\(Self.number(max(geometry.cellWidth - 2, 1)))\" height=\"16\"><title>\(XMLText.escape(title))</title></rect></a>\n"
            if recorded.contains(step.version) {
                var mark = "ledger"
                var note = "\(step.version): recorded in the ledger"
                if dirty.contains(step.version) { mark += " dirty"; note += " (success = false)" }
                if mismatched.contains(step.version) { mark += " mismatch"; note += " (checksum differs)" }
                svg += "<rect class=\"\(mark)\" x=\"\(Self.number(x + 1))\" y=\"46\" width=\"\(Self.number(max(geometry.cellWidth - 2, 1)))\" height=\"16\"><title>\(XMLText.escape(note))</title></rect>\n"
            }
        }
        svg += "</svg>\n"
        var out = "<div class=\"chart-frame\">\n" + svg + "</div>\n"
        if !diagnosis.ledger.unknownVersions.isEmpty {
            out += "<p class=\"note\">The ledger also records versions that are not bundled: \(XMLText.escape(ReportLayout.ranges(diagnosis.ledger.unknownVersions))).</p>\n"
        }
        return out
    }

    // MARK: - Helpers

    private static func label(_ object: SchemaObject) -> String { "\(object.kind.rawValue) \(object.name)" }

    private static func kindClass(_ kind: SchemaObject.Kind) -> String { kind.rawValue.replacingOccurrences(of: " ", with: "-") }

    private static func versionName(_ index: Int, _ steps: [FingerprintTimeline.Step]) -> String {
        steps[index].migration == nil ? "the starting schema" : "\(steps[index].version)"
    }

    private static func truncated(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    /// A coordinate with at most one decimal, so the markup is stable and short.
    private static func number(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    private static let stylesheet = """

        :root { --ink: #1d2330; --dim: #5d6678; --line: #d9dee8; --paper: #ffffff; --wash: #f5f7fb;
          --table: #3b6fd8; --virtual-table: #b8487c; --index: #8658cf; --view: #1b9a73; --trigger: #cf7a1c;
          --pragma: #7a8190; --silent: #fff1bf; --match: #2e9e5b; --nearest: #e39a2b; --bad: #c8343c; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.45 -apple-system, "Segoe UI", "DejaVu Sans", Helvetica, Arial, sans-serif;
          color: var(--ink); background: var(--wash); }
        main { max-width: 1360px; margin: 0 auto; padding: 20px 28px 8px; }
        header h1 { font-size: 22px; margin: 0 0 4px; }
        h2 { font-size: 17px; margin: 28px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
        h3 { font-size: 15px; margin: 0 0 4px; }
        h4 { font-size: 13px; margin: 12px 0 4px; color: var(--dim); text-transform: uppercase; letter-spacing: .04em; }
        code, pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12px; }
        pre { background: var(--wash); padding: 6px 8px; border-radius: 4px; white-space: pre-wrap; margin: 4px 0; }
        .facts, .note, .life, .file { color: var(--dim); }
        .file { margin: 0 0 6px; }
        .chart-frame { overflow-x: auto; background: var(--paper); border: 1px solid var(--line); border-radius: 6px; padding: 6px 0; }
        svg text { font: 11px "DejaVu Sans", Helvetica, Arial, sans-serif; fill: var(--ink); }
        svg text.label { text-anchor: end; }
        svg text.version { text-anchor: middle; fill: var(--dim); }
        svg a text.version { text-decoration: underline; }
        svg rect.silent { fill: var(--silent); }
        svg rect.span { opacity: .9; }
        svg rect.dropped { fill: var(--bad); }
        svg circle.changed { fill: var(--paper); stroke: var(--ink); stroke-width: 1.6; }
        .k-table { fill: var(--table); } .k-virtual-table { fill: var(--virtual-table); } .k-index { fill: var(--index); }
        .k-view { fill: var(--view); } .k-trigger { fill: var(--trigger); } .k-pragma { fill: var(--pragma); }
        .legend { color: var(--dim); margin: 0 0 8px; }
        .legend .key { display: inline-block; width: 14px; height: 10px; border-radius: 2px; margin: 0 4px 0 10px; vertical-align: middle; }
        .key.k-table { background: var(--table); } .key.k-virtual-table { background: var(--virtual-table); }
        .key.k-index { background: var(--index); } .key.k-view { background: var(--view); }
        .key.k-trigger { background: var(--trigger); } .key.k-pragma { background: var(--pragma); }
        .key.changed { background: var(--paper); border: 2px solid var(--ink); border-radius: 50%; width: 10px; }
        .key.dropped { background: var(--bad); width: 4px; } .key.silent { background: var(--silent); border: 1px solid #e0cf8a; }
        .objects { columns: 2 420px; margin-top: 10px; }
        details.object { break-inside: avoid; margin: 2px 0; }
        details.object summary { cursor: pointer; }
        details.object.k-table summary code { color: var(--table); } details.object.k-index summary code { color: var(--index); }
        details.object.k-view summary code { color: var(--view); } details.object.k-trigger summary code { color: var(--trigger); }
        details.object.k-virtual-table summary code { color: var(--virtual-table); }
        table.facets, table.plan { border-collapse: collapse; margin: 4px 0 8px; background: var(--paper); }
        table.facets th, table.facets td, table.plan th, table.plan td { border: 1px solid var(--line); padding: 2px 6px;
          text-align: left; vertical-align: top; }
        table.facets th { font-weight: normal; color: var(--dim); white-space: nowrap; }
        td.before code, li.changed td.before code { color: var(--bad); }
        td.after code, li.changed td.after code { color: var(--match); }
        section.version { background: var(--paper); border: 1px solid var(--line); border-left: 4px solid var(--table);
          border-radius: 6px; padding: 8px 12px; margin: 8px 0; }
        section.version { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 660px); column-gap: 18px; }
        section.version > * { grid-column: 1; }
        section.version > dl.hashes { grid-column: 2; grid-row: 1 / span 5; align-self: start; }
        section.version.silent { border-left-color: #e0b63a; background: #fffcf0; }
        section.version.matched { box-shadow: inset 0 0 0 2px var(--match); }
        .number { display: inline-block; min-width: 2.2em; color: var(--dim); }
        .badge { font-size: 11px; font-weight: normal; padding: 1px 6px; border-radius: 9px; background: var(--line); }
        .badge.silent { background: var(--silent); border: 1px solid #e0cf8a; }
        ul.effect { list-style: none; padding: 0; margin: 4px 0; }
        ul.effect li { margin: 1px 0; } ul.effect summary { cursor: pointer; }
        li.added code { color: var(--match); } li.changed code { color: #9a6a00; } li.removed code { color: var(--bad); }
        .probe.missing { color: #8a5a00; }
        .here { color: var(--match); font-weight: 600; margin: 2px 0; }
        dl.hashes { display: grid; grid-template-columns: max-content 1fr; gap: 0 10px; margin: 6px 0 0; color: var(--dim); }
        dl.hashes dd { margin: 0; word-break: break-all; } dl.hashes code { font-size: 11px; }
        article.database { background: var(--paper); border: 1px solid var(--line); border-left: 5px solid var(--match);
          border-radius: 6px; padding: 10px 14px; margin: 10px 0; }
        article.database.exit-1 { border-left-color: var(--nearest); }
        article.database.exit-2, article.database.exit-3 { border-left-color: var(--bad); }
        .verdict { font-weight: 700; } .exit { color: var(--dim); font-weight: normal; }
        svg rect.cell { fill: var(--line); } svg rect.cell.silent-cell { fill: var(--silent); }
        svg rect.cell.match { fill: var(--match); } svg rect.cell.nearest { fill: var(--nearest); }
        svg rect.ledger { fill: var(--table); } svg rect.ledger.dirty { fill: var(--bad); }
        svg rect.ledger.mismatch { fill: var(--nearest); }
        ul.findings li.exit-1 strong { color: #a86400; } ul.findings li.exit-2 strong, ul.findings li.exit-3 strong { color: var(--bad); }
        .flag { color: var(--dim); }
        p.failure { color: var(--bad); font-weight: 600; }
        footer { max-width: 1360px; margin: 0 auto; padding: 8px 28px 24px; color: var(--dim); font-size: 12px; }

        """
}
