import Foundation

/// A command that could not run (a usage error, an invalid migration set, an unwritable file), as a
/// report: so that `--format json` gives a JSON document for every outcome, not only for diagnoses.
///
/// ```swift
/// let report = FailureReport(message: "--busy-timeout: must be 0…3600000 ms", exitCode: .usage)
/// print(report.json())
/// ```
public struct FailureReport: Sendable, Hashable {
    /// One line saying what is wrong (the same line the command writes on standard error).
    public var message: String
    /// The code the failure warrants.
    public var exitCode: ExitCode

    public init(message: String, exitCode: ExitCode) {
        self.message = message
        self.exitCode = exitCode
    }

    /// `{"error": …, "exitCode": …, "formatVersion": 1}`.
    public func json() -> String {
        ReportJSON.encode(Document(formatVersion: DiagnosisReport.formatVersion, error: message,
                                   exitCode: exitCode.rawValue))
    }

    struct Document: Encodable {
        var formatVersion: Int
        var error: String
        var exitCode: Int32
    }
}
