import Foundation

/// Diagnoses as a JUnit XML document: one `testsuite` per call, one `testcase` per database.
///
/// A database whose exit code is 1 or 2 is a `failure` (its message is the verdict line, its body the
/// findings with evidence and the plan); an unreadable database (exit 3) is an `error`. A healthy
/// database passes, and its informational findings (foreign objects, schema-silent ranges) go to
/// `system-out`. The report decides nothing: verdicts and exit codes come from the diagnoses.
///
/// ```swift
/// let report = DiagnosisReport(paths.map { reconciler.diagnose(databaseAt: $0) }, reconciler: reconciler)
/// try JUnitReport(report).xml().write(toFile: "schema-reconcile.xml", atomically: true, encoding: .utf8)
/// ```
public struct JUnitReport: Sendable, Hashable {
    /// Databases diagnosed against one migration set, named for the `classname` of their test cases.
    ///
    /// ```swift
    /// let group = JUnitReport.Group(name: "state*.sqlite", report: report)
    /// ```
    public struct Group: Sendable, Hashable {
        /// A name for the group (an `--app-dir` pattern); nil to use the migrations folder's name.
        public var name: String?
        /// The diagnoses.
        public var report: DiagnosisReport

        /// Creates a group; `name` becomes the `classname` suffix of its test cases.
        public init(name: String? = nil, report: DiagnosisReport) {
            self.name = name
            self.report = report
        }
    }

    /// The `name` of the test suite.
    public var suiteName: String
    /// Every group of the call, in order; all their databases share the one test suite.
    public var groups: [Group]

    /// Creates a report over several groups (one call of `check --app-dir`).
    ///
    /// ```swift
    /// let junit = JUnitReport(groups: [.init(name: "state", report: state), .init(name: "logs", report: logs)])
    /// ```
    public init(suiteName: String = "schema-reconcile", groups: [Group]) {
        self.suiteName = suiteName
        self.groups = groups
    }

    /// Creates a report over one group of diagnoses.
    ///
    /// ```swift
    /// let junit = JUnitReport(DiagnosisReport(diagnoses, reconciler: reconciler))
    /// ```
    public init(_ report: DiagnosisReport, suiteName: String = "schema-reconcile") {
        self.init(suiteName: suiteName, groups: [Group(report: report)])
    }

    /// Every diagnosis, in order.
    var diagnoses: [Diagnosis] { groups.flatMap(\.report.diagnoses) }

    /// How many test cases fail (exit 1 or 2: drift).
    ///
    /// ```swift
    /// print("\(junit.failureCount) of \(junit.testCount) databases drifted")
    /// ```
    public var failureCount: Int { diagnoses.filter { $0.exitCode == .repairable || $0.exitCode == .needsPerson }.count }

    /// How many test cases are errors (exit 3 or worse: the database could not be read).
    ///
    /// ```swift
    /// if junit.errorCount > 0 { print("some databases are unreadable") }
    /// ```
    public var errorCount: Int { diagnoses.filter { $0.exitCode >= .unreadable }.count }

    /// How many test cases there are: one per database.
    ///
    /// ```swift
    /// assert(junit.testCount == paths.count)
    /// ```
    public var testCount: Int { diagnoses.count }

    /// The document, starting with the XML declaration.
    ///
    /// ```swift
    /// print(JUnitReport(report).xml())
    /// ```
    public func xml() -> String {
        let counts = "tests=\"\(testCount)\" failures=\"\(failureCount)\" errors=\"\(errorCount)\""
        var lines = [#"<?xml version="1.0" encoding="UTF-8"?>"#,
                     "<testsuites name=\"\(XMLText.attribute(suiteName))\" \(counts)>",
                     "  <testsuite name=\"\(XMLText.attribute(suiteName))\" \(counts) skipped=\"0\">"]
        if let first = groups.first?.report {
            lines.append("    <properties>")
            if let folder = first.migrationsFolder { lines.append(property("migrations", folder)) }
            if let tip = first.tipVersion { lines.append(property("tip-version", "\(tip)")) }
            if let source = first.fingerprintSource { lines.append(property("fingerprints", source)) }
            lines.append(property("tool-version", ToolVersion.current))
            lines.append("    </properties>")
        }
        for group in groups {
            let className = "schema-reconcile." + (group.name ?? group.report.migrationsFolder
                .map { URL(fileURLWithPath: $0).lastPathComponent } ?? "migrations")
            for diagnosis in group.report.diagnoses {
                lines += testCase(diagnosis, className: className, report: group.report)
            }
        }
        lines.append("  </testsuite>")
        lines.append("</testsuites>")
        return lines.joined(separator: "\n")
    }

    private func property(_ name: String, _ value: String) -> String {
        "      <property name=\"\(XMLText.attribute(name))\" value=\"\(XMLText.attribute(value))\"/>"
    }

    private func testCase(_ diagnosis: Diagnosis, className: String, report: DiagnosisReport) -> [String] {
        let open = "    <testcase classname=\"\(XMLText.attribute(className))\" name=\"\(XMLText.attribute(diagnosis.path))\""
        // The single database's report, in the same words `diagnose` prints.
        var single = report
        single.diagnoses = [diagnosis]
        let code = diagnosis.exitCode
        let detail = DiagnosisReport.verdictDetail(diagnosis)
        let message = diagnosis.verdict.rawValue + (detail.isEmpty ? "" : " — " + detail) + " (exit \(code.rawValue))"
        if code == .ok {
            guard !diagnosis.findings.isEmpty else { return [open + "/>"] }
            return [open + ">",
                    "      <system-out>" + XMLText.escape(single.text(useColor: false, detail: .brief)) + "</system-out>",
                    "    </testcase>"]
        }
        let element = code >= .unreadable ? "error" : "failure"
        return [open + ">",
                "      <\(element) message=\"\(XMLText.attribute(message))\" type=\"\(XMLText.attribute(diagnosis.verdict.rawValue))\">"
                    + XMLText.escape(single.text(useColor: false, detail: .full)) + "</\(element)>",
                "    </testcase>"]
    }
}
