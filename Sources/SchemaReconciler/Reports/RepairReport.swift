import Foundation

/// Repair outcomes of one or more databases, ready to print as text, JSON or Markdown.
///
/// Each database shows the diagnosis the plan came from, then what happened: repaired (with the
/// backup and audit record), nothing to do, dry run, refused (with the flag that settles it) or failed.
///
/// ```swift
/// let outcome = reconciler.repair(databaseAt: "state.sqlite")
/// let report = RepairReport([outcome], reconciler: reconciler)
/// print(report.text())
/// ```
public struct RepairReport: Sendable {
    /// The outcomes, in the order the databases were given.
    public var outcomes: [RepairOutcome]
    /// The migration folder, if known.
    public var migrationsFolder: String?
    /// The newest bundled version, if known.
    public var tipVersion: MigrationVersion?
    /// Where each setting came from (flag, sqlx.toml, default).
    public var settings: [ResolvedSettings.Setting] = []

    /// The worst exit code over every database.
    public var exitCode: ExitCode { ExitCode.worst(of: outcomes.map(\.exitCode)) }

    /// Creates a report from outcomes produced with `reconciler`.
    public init(_ outcomes: [RepairOutcome], reconciler: Reconciler) {
        self.outcomes = outcomes
        let diagnosisContext = DiagnosisReport([], reconciler: reconciler)
        self.migrationsFolder = diagnosisContext.migrationsFolder
        self.tipVersion = diagnosisContext.tipVersion
    }

    // MARK: - Text

    /// The report for people: each database's diagnosis, then a `result` line.
    ///
    /// ```swift
    /// print(report.text(useColor: isatty(STDOUT_FILENO) != 0))
    /// ```
    public func text(useColor: Bool = false) -> String {
        let style = TextStyle(enabled: useColor)
        var blocks: [String] = []
        for outcome in outcomes {
            var lines = [DiagnosisReport([outcome.before]).text(useColor: useColor, detail: .full)]
            if outcome.before.verdict != .unreadable || outcome.status != .failed {
                lines.append("  " + style("result", .dim) + "    " + style.severity(outcome.status.rawValue, outcome.exitCode)
                             + ": " + ControlCharacters.escape(outcome.message))
            }
            if let backup = outcome.backupPath {
                lines.append("  " + style("backup", .dim) + "    " + ControlCharacters.escape(backup))
            }
            if let audit = outcome.auditPath {
                lines.append("  " + style("audit", .dim) + "     " + ControlCharacters.escape(audit))
            }
            if let after = outcome.after {
                lines.append("  " + style("after", .dim) + "     " + style.severity(after.verdict.rawValue, after.exitCode)
                             + " (exit \(after.exitCode.rawValue))")
            }
            blocks.append(lines.joined(separator: "\n"))
        }
        if outcomes.count > 1 {
            let repaired = outcomes.filter { $0.status == .repaired }.count
            blocks.append("\(outcomes.count) databases: \(repaired) repaired; worst exit \(exitCode.rawValue)")
        }
        return blocks.joined(separator: "\n\n")
    }

    // MARK: - JSON

    /// The report as a stable, versioned JSON document: the diagnosis document's fields per database,
    /// plus a `repair` object.
    ///
    /// ```swift
    /// print(report.json())
    /// ```
    public func json() -> String {
        ReportJSON.encode(Document(self))
    }

    struct Document: Encodable {
        var formatVersion = DiagnosisReport.formatVersion
        var migrationsFolder: String?
        var tipVersion: MigrationVersion?
        var databases: [Entry]
        var exitCode: Int32
        var settings: [ResolvedSettings.Setting]

        init(_ report: RepairReport) {
            settings = report.settings
            migrationsFolder = report.migrationsFolder
            tipVersion = report.tipVersion
            databases = report.outcomes.map(Entry.init)
            exitCode = report.exitCode.rawValue
        }

        enum CodingKeys: String, CodingKey { case formatVersion, migrationsFolder, tipVersion, databases, exitCode, settings }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(formatVersion, forKey: .formatVersion)
            try container.encode(migrationsFolder, forKey: .migrationsFolder)
            try container.encode(tipVersion, forKey: .tipVersion)
            try container.encode(databases, forKey: .databases)
            try container.encode(exitCode, forKey: .exitCode)
            try container.encode(settings, forKey: .settings)
        }

        /// The diagnosis fields, flattened, plus `repair`.
        struct Entry: Encodable {
            var diagnosis: DiagnosisReport.Document.Database
            var repair: Repair

            init(_ outcome: RepairOutcome) {
                diagnosis = DiagnosisReport.Document.Database(outcome.before)
                repair = Repair(status: outcome.status.rawValue, message: outcome.message,
                                backupPath: outcome.backupPath, auditPath: outcome.auditPath,
                                verdictAfter: outcome.after?.verdict.rawValue,
                                ledgerVersionsAfter: outcome.ledgerAfter?.map(\.version),
                                exitCode: outcome.exitCode.rawValue, failure: outcome.failure)
            }

            enum CodingKeys: String, CodingKey { case repair }

            func encode(to encoder: any Encoder) throws {
                try diagnosis.encode(to: encoder)
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(repair, forKey: .repair)
            }
        }

        struct Repair: Encodable {
            var status: String
            var message: String
            var backupPath: String?
            var auditPath: String?
            var verdictAfter: String?
            var ledgerVersionsAfter: [MigrationVersion]?
            var exitCode: Int32
            /// Present only when the repair failed: the typed failure (kind, SQLite's codes).
            var failure: DatabaseFailure?

            enum CodingKeys: String, CodingKey {
                case status, message, backupPath, auditPath, verdictAfter, ledgerVersionsAfter, exitCode, failure
            }

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(status, forKey: .status)
                try container.encode(message, forKey: .message)
                try container.encode(backupPath, forKey: .backupPath)
                try container.encode(auditPath, forKey: .auditPath)
                try container.encode(verdictAfter, forKey: .verdictAfter)
                try container.encode(ledgerVersionsAfter, forKey: .ledgerVersionsAfter)
                try container.encode(exitCode, forKey: .exitCode)
                try container.encodeIfPresent(failure, forKey: .failure)
            }
        }
    }

    // MARK: - Markdown

    /// The report as GitHub-flavoured Markdown: one table row per database.
    ///
    /// ```swift
    /// print(report.markdown())
    /// ```
    public func markdown() -> String {
        var lines = ["## Ledger repair", "", "\(outcomes.count) database(s) · worst exit **\(exitCode.rawValue)**", ""]
        let rows = outcomes.map { outcome -> [String] in
            [Markdown.code(outcome.path), outcome.before.verdict.rawValue, "**\(outcome.status.rawValue)**",
             outcome.after?.verdict.rawValue ?? "—", "\(outcome.exitCode.rawValue)", Markdown.escape(outcome.message)]
        }
        lines += Markdown.table(header: ["database", "before", "result", "after", "exit", "message"],
                                alignments: ["---", "---", "---", "---", "---:", "---"], rows: rows)
        return lines.joined(separator: "\n")
    }
}
