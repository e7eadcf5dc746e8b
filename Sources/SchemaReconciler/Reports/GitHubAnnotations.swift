import Foundation

/// Diagnoses as GitHub Actions workflow commands: an `::error` per database that fails, a
/// `::warning` per foreign-objects finding, and one plain summary line.
///
/// Values are escaped as the Actions runner unescapes them: in the message `%`, CR and LF become
/// `%25`, `%0D` and `%0A`; property values (`file`, `title`) also turn `:` and `,` into `%3A` and
/// `%2C`. A message can therefore never start a second command line.
///
/// ```swift
/// let report = DiagnosisReport(diagnoses, reconciler: reconciler)
/// print(GitHubAnnotations([report]).text())
/// // ::error file=Fixtures/behind-by-three.sqlite,title=behind (exit 1)::schema at 23, ledger through 20%0A…
/// ```
public struct GitHubAnnotations: Sendable, Hashable {
    /// The reports of one call (one per `--app-dir` group).
    public var reports: [DiagnosisReport]

    /// Creates annotations for the reports of one call.
    ///
    /// ```swift
    /// let annotations = GitHubAnnotations([report])
    /// ```
    public init(_ reports: [DiagnosisReport]) {
        self.reports = reports
    }

    /// One workflow command per line, then a summary line that is not a command.
    ///
    /// ```swift
    /// for line in GitHubAnnotations([report]).lines() { print(line) }
    /// ```
    public func lines() -> [String] {
        var lines: [String] = []
        let diagnoses = reports.flatMap(\.diagnoses)
        for diagnosis in diagnoses {
            if diagnosis.exitCode != .ok {
                let title = "\(diagnosis.verdict.rawValue) (exit \(diagnosis.exitCode.rawValue))"
                lines.append(Self.command("error", properties: [("file", diagnosis.path), ("title", title)],
                                          message: Self.failureMessage(diagnosis)))
            }
            for finding in diagnosis.findings where finding.kind == .foreignObjects {
                var message = finding.message
                for evidence in finding.evidence { message += "\n- " + evidence.detail }
                lines.append(Self.command("warning", properties: [("file", diagnosis.path), ("title", "foreign objects")],
                                          message: message))
            }
        }
        let worst = ExitCode.worst(of: diagnoses.map(\.exitCode))
        let failing = diagnoses.filter { $0.exitCode != .ok }.count
        // Not a command: a plain log line, which can never begin with "::" because of its prefix.
        lines.append("schema-reconcile: \(diagnoses.count) database(s), \(failing) failing; worst exit \(worst.rawValue)")
        return lines
    }

    /// The lines joined with newlines.
    ///
    /// ```swift
    /// print(GitHubAnnotations([report]).text())
    /// ```
    public func text() -> String { lines().joined(separator: "\n") }

    /// The verdict detail, each finding, and the plan or what blocks it, one per line (before escaping).
    static func failureMessage(_ diagnosis: Diagnosis) -> String {
        var lines = [DiagnosisReport.verdictDetail(diagnosis)]
        guard diagnosis.verdict != .unreadable else { return lines[0] }
        for finding in diagnosis.findings {
            lines.append("\(finding.kind.rawValue): \(finding.message)")
        }
        let plan = diagnosis.plan
        for blocker in plan.blockers {
            lines.append("refused: \(blocker.reason)" + (DiagnosisReport.settlingFlag(blocker).map { " (settle with \($0))" } ?? ""))
        }
        if plan.writes {
            lines.append("`schema-reconcile repair` would: " + plan.actions.filter(\.writes).map { action in
                [action.kind.rawValue, action.version.map { "\($0)" }].compactMap { $0 }.joined(separator: " ")
            }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }

    /// `::name key=value,key=value::message`, with every value escaped.
    ///
    /// ```swift
    /// GitHubAnnotations.command("error", properties: [("file", "a.sqlite")], message: "100% drift")
    /// // "::error file=a.sqlite::100%25 drift"
    /// ```
    public static func command(_ name: String, properties: [(String, String)], message: String) -> String {
        let list = properties.map { "\($0.0)=\(escapeProperty($0.1))" }.joined(separator: ",")
        return "::\(name)" + (list.isEmpty ? "" : " " + list) + "::" + escapeData(message)
    }

    /// A message escaped for a workflow command: `%` → `%25`, CR → `%0D`, LF → `%0A`.
    ///
    /// ```swift
    /// assert(GitHubAnnotations.escapeData("a\nb") == "a%0Ab")
    /// ```
    public static func escapeData(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "%": out += "%25"
            case "\r": out += "%0D"
            case "\n": out += "%0A"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A property value escaped for a workflow command: as ``escapeData(_:)``, plus `:` → `%3A`, `,` → `%2C`.
    ///
    /// ```swift
    /// assert(GitHubAnnotations.escapeProperty("a:b,c") == "a%3Ab%2Cc")
    /// ```
    public static func escapeProperty(_ text: String) -> String {
        var out = ""
        for scalar in escapeData(text).unicodeScalars {
            switch scalar {
            case ":": out += "%3A"
            case ",": out += "%2C"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
