import Foundation

/// Diagnoses of one or more databases, ready to print as text, JSON or Markdown.
///
/// The report decides nothing: verdicts, findings, plans and exit codes come from the diagnoses.
///
/// ```swift
/// let reconciler = try Reconciler(migrationsFolder: URL(fileURLWithPath: "Migrations"))
/// let report = DiagnosisReport([reconciler.diagnose(databaseAt: "state.sqlite")], reconciler: reconciler)
/// print(report.text(useColor: false))
/// exit(report.exitCode.rawValue)
/// ```
public struct DiagnosisReport: Sendable, Hashable {
    /// The version of the JSON document's layout; bumped on any incompatible change.
    ///
    /// ```swift
    /// assert(DiagnosisReport.formatVersion == 1)
    /// ```
    public static let formatVersion = 1

    /// How much the text rendering shows.
    ///
    /// ```swift
    /// print(report.text(useColor: false, detail: .brief)) // one line per database, then findings
    /// ```
    public enum Detail: Sendable, Hashable {
        /// Verdict, matched range, ledger, findings with evidence, and the plan or what blocks it.
        case full
        /// The verdict line and the findings' messages.
        case brief
    }

    /// The diagnoses, in the order the databases were given.
    public var diagnoses: [Diagnosis]
    /// The migration folder the diagnoses were made against, if known.
    public var migrationsFolder: String?
    /// The newest bundled version, if known.
    public var tipVersion: MigrationVersion?
    /// Where each setting came from (flag, sqlx.toml, default).
    public var settings: [ResolvedSettings.Setting] = []
    /// Where the fingerprints came from (lock or replay).
    public var fingerprintSource: String?

    /// The worst exit code over every database (`.ok` for none).
    ///
    /// ```swift
    /// if report.exitCode != .ok { print("attention needed") }
    /// ```
    public var exitCode: ExitCode { ExitCode.worst(of: diagnoses.map(\.exitCode)) }

    /// Creates a report from diagnoses, with optional context about the migration set.
    ///
    /// ```swift
    /// let report = DiagnosisReport(paths.map { reconciler.diagnose(databaseAt: $0) })
    /// ```
    public init(_ diagnoses: [Diagnosis], migrationsFolder: String? = nil, tipVersion: MigrationVersion? = nil) {
        self.diagnoses = diagnoses
        self.migrationsFolder = migrationsFolder
        self.tipVersion = tipVersion
    }

    /// Creates a report from diagnoses made by `reconciler`, naming its folder and tip.
    ///
    /// ```swift
    /// let report = DiagnosisReport(diagnoses, reconciler: reconciler)
    /// ```
    public init(_ diagnoses: [Diagnosis], reconciler: Reconciler) {
        let tip = reconciler.timeline.tip
        self.init(diagnoses, migrationsFolder: reconciler.migrations.folder.path,
                  tipVersion: tip.migration == nil ? nil : tip.version)
        self.fingerprintSource = reconciler.fingerprintSource.description
    }
}

// MARK: - JSON

extension DiagnosisReport {
    /// The report as a stable, versioned JSON document (sorted keys, explicit nulls, digests in hex).
    ///
    /// ```swift
    /// FileHandle.standardOutput.write(Data((report.json() + "\n").utf8))
    /// ```
    public func json() -> String {
        ReportJSON.encode(Document(self))
    }

    /// The JSON layout, with fixed key names independent of the model's property names.
    ///
    /// Every optional is written as an explicit `null`, so consumers see the same keys for every database.
    struct Document: Encodable {
        var formatVersion: Int
        var migrationsFolder: String?
        var tipVersion: MigrationVersion?
        var databases: [Database]
        var exitCode: Int32
        var settings: [ResolvedSettings.Setting]
        var fingerprints: String?

        init(_ report: DiagnosisReport) {
            formatVersion = DiagnosisReport.formatVersion
            migrationsFolder = report.migrationsFolder
            tipVersion = report.tipVersion
            databases = report.diagnoses.map(Database.init)
            exitCode = report.exitCode.rawValue
            settings = report.settings
            fingerprints = report.fingerprintSource
        }

        enum CodingKeys: String, CodingKey {
            case formatVersion, migrationsFolder, tipVersion, databases, exitCode, settings, fingerprints
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(formatVersion, forKey: .formatVersion)
            try container.encode(migrationsFolder, forKey: .migrationsFolder)
            try container.encode(tipVersion, forKey: .tipVersion)
            try container.encode(databases, forKey: .databases)
            try container.encode(exitCode, forKey: .exitCode)
            try container.encode(settings, forKey: .settings)
            try container.encode(fingerprints, forKey: .fingerprints)
        }

        struct Range: Encodable {
            var lowest: MigrationVersion
            var highest: MigrationVersion
        }

        struct Ledger: Encodable {
            var table: String
            var exists: Bool
            var versions: [MigrationVersion]
            var dirty: [MigrationVersion]
            var checksumMismatches: [MigrationVersion]
            var unknownVersions: [MigrationVersion]
            var moved: [LedgerSummary.Move]
        }

        struct Evidence: Encodable {
            var version: MigrationVersion?
            var objects: [String]
            var detail: String

            enum CodingKeys: String, CodingKey { case version, objects, detail }

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(version, forKey: .version)
                try container.encode(objects, forKey: .objects)
                try container.encode(detail, forKey: .detail)
            }
        }

        struct Finding: Encodable {
            var kind: String
            var verdict: String
            var exitCode: Int32
            var message: String
            var versions: [MigrationVersion]
            var evidence: [Evidence]
        }

        struct Action: Encodable {
            var kind: String
            var version: MigrationVersion?
            var description: String?
            var checksum: String?
            var previousChecksum: String?
            var previousVersion: MigrationVersion?
            var reason: String

            enum CodingKeys: String, CodingKey { case kind, version, description, checksum, previousChecksum, previousVersion, reason }

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(kind, forKey: .kind)
                try container.encode(version, forKey: .version)
                try container.encode(description, forKey: .description)
                try container.encode(checksum, forKey: .checksum)
                try container.encode(previousChecksum, forKey: .previousChecksum)
                try container.encode(previousVersion, forKey: .previousVersion)
                try container.encode(reason, forKey: .reason)
            }
        }

        struct Blocker: Encodable {
            var reason: String
            var flag: String?

            enum CodingKeys: String, CodingKey { case reason, flag }

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(reason, forKey: .reason)
                try container.encode(flag, forKey: .flag)
            }
        }

        struct Database: Encodable {
            var path: String
            var dialect: String
            var verdict: String
            var matchedVersions: Range?
            var nearestVersion: MigrationVersion?
            var schemaFingerprint: String?
            var ledger: Ledger
            var ledgerDigest: String?
            var history: AppliedHistory
            var findings: [Finding]
            var plan: [Action]
            var blockers: [Blocker]
            var planWrites: Bool
            var targetVersion: MigrationVersion?
            var exitCode: Int32
            /// Present only for an unreadable file: the typed failure (kind, SQLite's codes).
            var failure: DatabaseFailure?

            init(_ diagnosis: Diagnosis) {
                path = diagnosis.path
                dialect = diagnosis.ledger.dialect
                failure = diagnosis.failure
                verdict = diagnosis.verdict.rawValue
                matchedVersions = diagnosis.matchedVersions.map { Range(lowest: $0.lowest, highest: $0.highest) }
                nearestVersion = diagnosis.nearestVersion
                schemaFingerprint = diagnosis.schemaFingerprint?.hex
                let summary = diagnosis.ledger
                ledger = Ledger(table: summary.table, exists: summary.exists, versions: summary.versions,
                                dirty: summary.dirty, checksumMismatches: summary.checksumMismatches,
                                unknownVersions: summary.unknownVersions, moved: summary.moved)
                ledgerDigest = diagnosis.ledgerDigest?.hex
                history = diagnosis.history
                findings = diagnosis.findings.map { finding in
                    Finding(kind: finding.kind.rawValue, verdict: finding.verdict.rawValue,
                            exitCode: finding.exitCode.rawValue, message: finding.message, versions: finding.versions,
                            evidence: finding.evidence.map {
                                Evidence(version: $0.version, objects: $0.objects, detail: $0.detail)
                            })
                }
                plan = diagnosis.plan.actions.map { action in
                    Action(kind: action.kind.rawValue, version: action.version, description: action.description,
                           checksum: action.checksum?.hex, previousChecksum: action.previousChecksum?.hex,
                           previousVersion: action.previousVersion, reason: action.reason)
                }
                blockers = diagnosis.plan.blockers.map { Blocker(reason: $0.reason, flag: $0.flag) }
                planWrites = diagnosis.plan.writes
                targetVersion = diagnosis.plan.targetVersion
                exitCode = diagnosis.exitCode.rawValue
            }

            enum CodingKeys: String, CodingKey {
                case path, dialect, verdict, matchedVersions, nearestVersion, schemaFingerprint, ledger, ledgerDigest, history
                case findings, plan, blockers, planWrites, targetVersion, exitCode, failure
            }

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(path, forKey: .path)
                try container.encode(dialect, forKey: .dialect)
                try container.encode(verdict, forKey: .verdict)
                try container.encode(matchedVersions, forKey: .matchedVersions)
                try container.encode(nearestVersion, forKey: .nearestVersion)
                try container.encode(schemaFingerprint, forKey: .schemaFingerprint)
                try container.encode(ledger, forKey: .ledger)
                try container.encode(ledgerDigest, forKey: .ledgerDigest)
                try container.encode(history, forKey: .history)
                try container.encode(findings, forKey: .findings)
                try container.encode(plan, forKey: .plan)
                try container.encode(blockers, forKey: .blockers)
                try container.encode(planWrites, forKey: .planWrites)
                try container.encode(targetVersion, forKey: .targetVersion)
                try container.encode(exitCode, forKey: .exitCode)
                try container.encodeIfPresent(failure, forKey: .failure)
            }
        }
    }
}

// MARK: - Phrases shared by text and Markdown

extension DiagnosisReport {
    /// `schema at 23`, `empty schema`, `no migrated objects, 2 foreign object(s)`, or
    /// `schema matches no version (nearest 12)`.
    static func schemaPhrase(_ diagnosis: Diagnosis) -> String? {
        if let range = diagnosis.matchedVersions {
            guard range.highest == 0 else { return "schema at \(range)" }
            // Tables no migration creates are not an empty schema: say what is there.
            let foreign = diagnosis.findings.filter { $0.kind == .foreignObjects }
                .flatMap { $0.evidence.flatMap(\.objects) }
            return foreign.isEmpty ? "empty schema" : "no migrated objects, \(Set(foreign).count) foreign object(s)"
        }
        if let nearest = diagnosis.nearestVersion { return "schema matches no version (nearest \(nearest))" }
        return nil
    }

    /// `ledger through 20`, `ledger empty`, `ledger unusable`, or `no ledger`.
    static func ledgerPhrase(_ diagnosis: Diagnosis) -> String {
        let ledger = diagnosis.ledger
        guard ledger.exists else { return "no ledger" }
        guard let top = ledger.versions.max() else { return isLedgerUnusable(diagnosis) ? "ledger unusable" : "ledger empty" }
        return "ledger through \(top)"
    }

    /// The highest version the ledger records, as text.
    static func ledgerTop(_ diagnosis: Diagnosis) -> String {
        if let top = diagnosis.ledger.versions.max() { return "\(top)" }
        guard diagnosis.ledger.exists else { return "none" }
        return isLedgerUnusable(diagnosis) ? "unusable" : "empty"
    }

    /// Whether the ledger table exists but no row could be read as a ledger row.
    static func isLedgerUnusable(_ diagnosis: Diagnosis) -> Bool {
        diagnosis.ledger.versions.isEmpty && diagnosis.findings.contains { $0.kind == .malformedLedger }
    }

    /// The evidence's objects that its sentence does not already name.
    static func unnamedObjects(_ evidence: Finding.Evidence) -> [String] {
        evidence.objects.filter { object in
            let name = object.split(separator: " ").last.map(String.init) ?? object
            return !evidence.detail.localizedCaseInsensitiveContains(name)
        }
    }

    /// The flag that settles a blocker, unless its reason already says it.
    static func settlingFlag(_ blocker: RepairPlan.Blocker) -> String? {
        guard let flag = blocker.flag else { return nil }
        let bare = flag.split(separator: " ").first.map(String.init) ?? flag
        return blocker.reason.contains(bare) ? nil : flag
    }

    /// What follows the verdict on a database's first line.
    static func verdictDetail(_ diagnosis: Diagnosis) -> String {
        if diagnosis.verdict == .unreadable {
            let reason = diagnosis.findings.first { $0.kind == .unreadable }?.message ?? "cannot be read"
            return ReportLayout.withoutPathPrefix(reason, path: diagnosis.path)
        }
        return [schemaPhrase(diagnosis), ledgerPhrase(diagnosis)].compactMap { $0 }.joined(separator: ", ")
    }

    /// `insert`, `restamp` and so on, followed by the version and description when they exist.
    static func actionHeadline(_ action: RepairPlan.Action) -> (kind: String, version: String, description: String) {
        (action.kind.rawValue, action.version.map { "\($0)" } ?? "", action.description ?? "")
    }

    /// The digests an action writes (and replaces), shortened for people.
    static func actionDigests(_ action: RepairPlan.Action) -> String? {
        switch (action.previousChecksum, action.checksum) {
        case let (previous?, new?): return "sha384 \(previous.short)… → \(new.short)…"
        case let (nil, new?): return "sha384 \(new.short)…"
        case let (previous?, nil): return "sha384 \(previous.short)…"
        case (nil, nil): return nil
        }
    }
}

// MARK: - Text

extension DiagnosisReport {
    /// The report as aligned text for people; ANSI colour only when `useColor` is true.
    ///
    /// ```swift
    /// print(report.text(useColor: isatty(STDOUT_FILENO) != 0, detail: .full))
    /// ```
    public func text(useColor: Bool = false, detail: Detail = .full) -> String {
        let style = TextStyle(enabled: useColor)
        var blocks: [[String]] = []
        for diagnosis in diagnoses {
            switch detail {
            case .full: blocks.append(fullText(diagnosis, style))
            case .brief: blocks.append(briefText(diagnosis, style))
            }
        }
        if diagnoses.count > 1 {
            let counts = Dictionary(grouping: diagnoses, by: \.exitCode).mapValues(\.count)
            let parts = counts.keys.sorted().map { "\(counts[$0]!) exit \($0.rawValue)" }
            blocks.append([style.severity("\(diagnoses.count) databases: \(parts.joined(separator: ", ")); worst exit \(exitCode.rawValue)",
                                          exitCode)])
        }
        let separator = detail == .full ? "\n\n" : "\n"
        return blocks.map { $0.joined(separator: "\n") }.joined(separator: separator)
    }

    private func verdictLine(_ diagnosis: Diagnosis, _ style: TextStyle) -> String {
        let code = diagnosis.exitCode
        let detail = ControlCharacters.escape(Self.verdictDetail(diagnosis))
        return "\(style(ControlCharacters.escape(diagnosis.path), .bold)): \(style.severity(diagnosis.verdict.rawValue, code))"
            + (detail.isEmpty ? "" : " — \(detail)") + " " + style("(exit \(code.rawValue))", .dim)
    }

    private func briefText(_ diagnosis: Diagnosis, _ style: TextStyle) -> [String] {
        var lines = [verdictLine(diagnosis, style)]
        guard diagnosis.verdict != .unreadable else { return lines }
        for finding in diagnosis.findings {
            lines.append("  " + style.severity(finding.kind.rawValue, finding.exitCode) + ": "
                         + ControlCharacters.escape(finding.message))
        }
        return lines
    }

    private func fullText(_ diagnosis: Diagnosis, _ style: TextStyle) -> [String] {
        var lines = [verdictLine(diagnosis, style)]
        guard diagnosis.verdict != .unreadable else { return lines }
        let label = { (text: String) in style(ReportLayout.pad(text, 10), .dim) }

        // Matched range and fingerprint.
        var matched: String
        if let range = diagnosis.matchedVersions {
            matched = range.lowest == range.highest ? "version \(range)" : "versions \(range) (schema-silent range)"
        } else if let nearest = diagnosis.nearestVersion {
            matched = "none; nearest version \(nearest)"
        } else {
            matched = "none"
        }
        if let fingerprint = diagnosis.schemaFingerprint { matched += style("  fingerprint \(fingerprint.short)", .dim) }
        lines.append("  " + label("matched") + matched)

        // Ledger summary.
        let ledger = diagnosis.ledger
        let table = ControlCharacters.escape(ledger.table)
        var ledgerText: String
        if !ledger.exists {
            ledgerText = "no \(table) table"
        } else if Self.isLedgerUnusable(diagnosis) {
            ledgerText = "\(table): cannot be read as a ledger"
        } else if ledger.versions.isEmpty {
            ledgerText = "\(table): no rows"
        } else if ledger.summarised {
            ledgerText = "\(table): one value standing for versions \(ReportLayout.ranges(ledger.versions))"
        } else {
            ledgerText = "\(table): \(ledger.versions.count) row(s), versions \(ReportLayout.ranges(ledger.versions))"
        }
        if !ledger.dirty.isEmpty { ledgerText += "; dirty \(ReportLayout.ranges(ledger.dirty))" }
        if !ledger.checksumMismatches.isEmpty {
            ledgerText += "; checksum mismatches \(ReportLayout.ranges(ledger.checksumMismatches))"
        }
        if !ledger.unknownVersions.isEmpty { ledgerText += "; not bundled \(ReportLayout.ranges(ledger.unknownVersions))" }
        if !ledger.moved.isEmpty {
            ledgerText += "; rows recording other files " + ledger.moved.map { "\($0.from)→\($0.to)" }.joined(separator: ", ")
        }
        lines.append("  " + label("ledger") + ledgerText)
        if diagnosis.history.order != nil, !diagnosis.history.pending.isEmpty {
            var pending = "pending \(ReportLayout.ranges(diagnosis.history.pending))"
            if !diagnosis.history.outOfOrder.isEmpty { pending += " (out of order: \(ReportLayout.ranges(diagnosis.history.outOfOrder)))" }
            if diagnosis.history.order != .bundled { pending += "; history in \(diagnosis.history.order!.rawValue) order" }
            lines.append("  " + label("history") + pending)
        }

        // Findings with indented evidence.
        if !diagnosis.findings.isEmpty {
            lines.append("  " + style("findings", .dim))
            for finding in diagnosis.findings {
                lines.append("    " + style.severity(finding.kind.rawValue, finding.exitCode) + "  "
                             + ControlCharacters.escape(finding.message)
                             + " " + style("[exit \(finding.exitCode.rawValue)]", .dim))
                for evidence in finding.evidence {
                    lines.append("      - " + evidenceText(evidence, style))
                }
            }
        }

        lines += planText(diagnosis.plan, style)
        return lines
    }

    private func evidenceText(_ evidence: Finding.Evidence, _ style: TextStyle) -> String {
        var text = ControlCharacters.escape(evidence.detail)
        let unnamed = Self.unnamedObjects(evidence)
        if !unnamed.isEmpty { text += style(ControlCharacters.escape(" (\(unnamed.joined(separator: ", ")))"), .dim) }
        return text
    }

    private func planText(_ plan: RepairPlan, _ style: TextStyle) -> [String] {
        var lines: [String] = []
        if !plan.blockers.isEmpty {
            lines.append("  " + style("refused:", .red, .bold) + " nothing would be written")
            for blocker in plan.blockers {
                var line = "    - " + ControlCharacters.escape(blocker.reason)
                if let flag = Self.settlingFlag(blocker) {
                    line += " " + style(ControlCharacters.escape("[settle with \(flag)]"), .cyan)
                }
                lines.append(line)
            }
        }
        guard !plan.actions.isEmpty else {
            if plan.blockers.isEmpty { lines.append("  " + style(ReportLayout.pad("plan", 10), .dim) + "nothing to write") }
            return lines
        }
        var heading = plan.blockers.isEmpty ? "plan" : "plan once settled"
        if let target = plan.targetVersion { heading += " (ledger to claim \(target))" }
        lines.append("  " + style(heading, .dim))
        let headlines = plan.actions.map(Self.actionHeadline).map { headline in
            (kind: headline.kind, version: headline.version, description: ControlCharacters.escape(headline.description))
        }
        let kindWidth = headlines.map(\.kind.count).max() ?? 0
        let versionWidth = headlines.map(\.version.count).max() ?? 0
        let descriptionWidth = headlines.map(\.description.count).max() ?? 0
        for (action, headline) in zip(plan.actions, headlines) {
            var line = "    " + style(ReportLayout.pad(headline.kind, kindWidth), action.writes ? .bold : .dim)
            if versionWidth > 0 { line += " " + ReportLayout.padLeft(headline.version, versionWidth) }
            if descriptionWidth > 0 { line += " " + ReportLayout.pad(headline.description, descriptionWidth) }
            if let digests = Self.actionDigests(action) { line += "  " + style("(\(digests))", .dim) }
            line += "  — " + ControlCharacters.escape(action.reason)
            lines.append(line)
        }
        return lines
    }
}

// MARK: - Markdown

extension DiagnosisReport {
    /// The report as GitHub-flavoured Markdown: a summary table, then details per database.
    ///
    /// ```swift
    /// let summary = ProcessInfo.processInfo.environment["GITHUB_STEP_SUMMARY"]!
    /// try report.markdown().write(toFile: summary, atomically: true, encoding: .utf8)
    /// ```
    public func markdown() -> String {
        var lines = ["## Database diagnosis", ""]
        var facts = ["\(diagnoses.count) database(s)", "worst exit **\(exitCode.rawValue)**"]
        if let migrationsFolder { facts.insert("Migrations: \(Markdown.code(migrationsFolder))", at: 0) }
        if let tipVersion { facts.append("tip \(tipVersion)") }
        lines.append(facts.joined(separator: " · "))
        lines.append("")
        let rows = diagnoses.map { diagnosis -> [String] in
            let matched = diagnosis.matchedVersions?.description
                ?? diagnosis.nearestVersion.map { "none (nearest \($0))" } ?? "—"
            return [Markdown.code(diagnosis.path), "**\(diagnosis.verdict.rawValue)**", Markdown.escape(matched),
                    Self.ledgerTop(diagnosis), "\(diagnosis.exitCode.rawValue)"]
        }
        lines += Markdown.table(header: ["database", "verdict", "matched", "ledger top", "exit"],
                                alignments: ["---", "---", "---", "---:", "---:"], rows: rows)
        for diagnosis in diagnoses {
            lines.append("")
            lines += markdownDetails(diagnosis)
        }
        return lines.joined(separator: "\n")
    }

    private func markdownDetails(_ diagnosis: Diagnosis) -> [String] {
        var lines = ["### \(Markdown.code(diagnosis.path)) — \(diagnosis.verdict.rawValue) (exit \(diagnosis.exitCode.rawValue))", ""]
        lines.append("- " + Markdown.escape(Self.verdictDetail(diagnosis)))
        guard diagnosis.verdict != .unreadable else { return lines }
        if let fingerprint = diagnosis.schemaFingerprint {
            lines.append("- schema fingerprint \(Markdown.code(fingerprint.short))")
        }
        for finding in diagnosis.findings {
            lines.append("- **\(finding.kind.rawValue)** (exit \(finding.exitCode.rawValue)): \(Markdown.escape(finding.message))")
            for evidence in finding.evidence {
                var text = Markdown.escape(evidence.detail)
                let unnamed = Self.unnamedObjects(evidence)
                if !unnamed.isEmpty { text += " — " + unnamed.map(Markdown.code).joined(separator: ", ") }
                lines.append("  - " + text)
            }
        }
        let plan = diagnosis.plan
        for blocker in plan.blockers {
            var text = "- **refused**: \(Markdown.escape(blocker.reason))"
            if let flag = Self.settlingFlag(blocker) { text += " (settle with \(Markdown.code(flag)))" }
            lines.append(text)
        }
        if plan.actions.isEmpty {
            if plan.blockers.isEmpty { lines.append("- **plan**: nothing to write") }
        } else {
            var heading = plan.blockers.isEmpty ? "- **plan**" : "- **plan once settled**"
            if let target = plan.targetVersion { heading += " (ledger to claim \(target))" }
            lines.append(heading + ":")
            for action in plan.actions {
                let headline = Self.actionHeadline(action)
                var text = "  - " + Markdown.code([headline.kind, headline.version].filter { !$0.isEmpty }.joined(separator: " "))
                if !headline.description.isEmpty { text += " " + Markdown.escape(headline.description) }
                if let digests = Self.actionDigests(action) { text += " (\(Markdown.escape(digests)))" }
                text += " — " + Markdown.escape(action.reason)
                lines.append(text)
            }
        }
        return lines
    }
}
