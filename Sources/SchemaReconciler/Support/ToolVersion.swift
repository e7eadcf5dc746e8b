/// The version of schema-reconcile, recorded in audit records and reports.
///
/// ```swift
/// print(ToolVersion.current) // "0.1.0"
/// ```
public enum ToolVersion {
    /// The current release.
    public static let current = "0.1.0"
}
