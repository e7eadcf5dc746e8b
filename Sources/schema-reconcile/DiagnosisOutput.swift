import ArgumentParser
import SchemaReconciler

/// Diagnoses databases, prints the report, and exits with the worst code: shared by `diagnose` and `check`.
enum DiagnosisOutput {
    static func emit(_ paths: [String], reconciler: Reconciler, options: PlanOptions, format: OutputFormat,
                     detail: DiagnosisReport.Detail) throws {
        let diagnoses = paths.map { reconciler.diagnose(databaseAt: $0, options: options) }
        let report = DiagnosisReport(diagnoses, reconciler: reconciler)
        switch format {
        case .text: Terminal.print(report.text(useColor: Terminal.useColor, detail: detail))
        case .json: Terminal.print(report.json())
        case .markdown: Terminal.print(report.markdown())
        }
        if report.exitCode != .ok {
            throw ArgumentParser.ExitCode(report.exitCode.rawValue)
        }
    }
}
