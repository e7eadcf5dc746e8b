import ArgumentParser
import SchemaReconciler

/// Diagnoses databases, prints the report, and exits with the worst code: shared by `diagnose` and `check`.
enum DiagnosisOutput {
    static func emit(_ groups: [DatabaseSelection.Group], settings: [ResolvedSettings.Setting], options: PlanOptions,
                     format: OutputFormat, detail: DiagnosisReport.Detail, jobs: Int) throws {
        var reports: [(String?, DiagnosisReport)] = []
        for group in groups {
            let diagnoses = group.reconciler.diagnose(databasesAt: group.paths, options: options, jobs: jobs)
            var report = DiagnosisReport(diagnoses, reconciler: group.reconciler)
            report.settings = settings
            reports.append((group.heading, report))
        }
        try GroupedOutput.emit(texts: reports.map { ($0.0, $0.1.text(useColor: Terminal.useColor, detail: detail)) },
                               jsons: reports.map { $0.1.json() }, markdowns: reports.map { $0.1.markdown() },
                               format: format, exitCode: SchemaReconciler.ExitCode.worst(of: reports.map(\.1.exitCode)))
    }
}
