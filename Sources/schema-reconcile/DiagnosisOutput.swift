import ArgumentParser
import Foundation
import SchemaReconciler

/// Diagnoses databases, prints the report, and exits with the worst code: shared by `diagnose` and `check`.
enum DiagnosisOutput {
    static func emit(_ groups: [DatabaseSelection.Group], settings: [ResolvedSettings.Setting], options: PlanOptions,
                     format: OutputFormat, detail: DiagnosisReport.Detail, jobs: Int) throws {
        var reports: [(String?, DiagnosisReport)] = []
        let total = groups.map(\.paths.count).reduce(0, +)
        let progress = ProgressReporter(format: format, activity: "diagnosing", unit: "databases")
        var done = 0
        for group in groups {
            let base = done
            let diagnoses = group.reconciler.diagnose(databasesAt: group.paths, options: options, jobs: jobs) { finished in
                progress?.update(done: base + finished, total: total)
            }
            done += group.paths.count
            var report = DiagnosisReport(diagnoses, reconciler: group.reconciler)
            report.settings = settings
            reports.append((group.heading, report))
        }
        progress?.finish()
        if format == .html {
            let pages = zip(groups, reports).map { group, entry in
                var page = HistoryPage(reconciler: group.reconciler, diagnoses: entry.1.diagnoses)
                page.folderLabel = DisplayPath.relative(group.reconciler.migrations.folder)
                return page
            }
            try emitHTML(pages, exitCode: SchemaReconciler.ExitCode.worst(of: reports.map(\.1.exitCode)))
            return
        }
        try render(reports, format: format, detail: detail)
    }

    /// Writes diagnosis reports in any format but HTML (which needs the timeline), then exits with the worst code.
    static func render(_ reports: [(String?, DiagnosisReport)], format: OutputFormat, detail: DiagnosisReport.Detail) throws {
        let exitCode = SchemaReconciler.ExitCode.worst(of: reports.map(\.1.exitCode))
        switch format {
        case .junit:
            Terminal.print(JUnitReport(groups: reports.map { JUnitReport.Group(name: $0.0, report: $0.1) }).xml())
        case .github:
            Terminal.print(GitHubAnnotations(reports.map(\.1)).text())
            appendStepSummary(reports.map { $0.1.markdown() }.joined(separator: "\n\n"))
        case .text, .json, .markdown, .html:
            try GroupedOutput.emit(texts: reports.map { ($0.0, $0.1.text(useColor: Terminal.useColor, detail: detail)) },
                                   jsons: reports.map { $0.1.json() }, markdowns: reports.map { $0.1.markdown() },
                                   format: format, exitCode: exitCode)
            return
        }
        if exitCode != .ok { throw ArgumentParser.ExitCode(exitCode.rawValue) }
    }

    /// Writes one HTML document; several pages (an `--app-dir` call) are one document with a section each.
    static func emitHTML(_ pages: [HistoryPage], exitCode: SchemaReconciler.ExitCode) throws {
        Terminal.print(HistoryPage.document(pages))
        if exitCode != .ok { throw ArgumentParser.ExitCode(exitCode.rawValue) }
    }

    /// Appends `markdown` to the file GitHub Actions names in `GITHUB_STEP_SUMMARY`, when it is set.
    static func appendStepSummary(_ markdown: String) {
        guard let path = ProcessInfo.processInfo.environment["GITHUB_STEP_SUMMARY"], !path.isEmpty else { return }
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            Terminal.printError("schema-reconcile: note: cannot append to GITHUB_STEP_SUMMARY \(path): \(String(cString: strerror(errno)))")
            return
        }
        defer { close(descriptor) }
        let bytes = Array((markdown + "\n\n").utf8)
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else {
                Terminal.printError("schema-reconcile: note: cannot append to GITHUB_STEP_SUMMARY \(path): \(String(cString: strerror(errno)))")
                return
            }
            written += result
        }
    }
}
