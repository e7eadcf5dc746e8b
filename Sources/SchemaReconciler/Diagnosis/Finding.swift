import Foundation

/// One observation about a database, with the evidence a person can check.
///
/// ```swift
/// for finding in diagnosis.findings {
///     print(finding.kind, finding.message)
///     for evidence in finding.evidence { print("  ", evidence.detail) }
/// }
/// ```
public struct Finding: Sendable, Hashable, Codable {
    /// What was observed.
    public enum Kind: String, Sendable, Hashable, Codable {
        case behind
        case noLedger = "no-ledger"
        case checksumDrift = "checksum-drift"
        case dirty
        case ahead
        case unknownVersions = "unknown-versions"
        case malformedLedger = "malformed-ledger"
        case unrecognised
        case ambiguousMatch = "ambiguous-match"
        case unreadable
        case fresh
        case foreignObjects = "foreign-objects"
        case schemaSilentRange = "schema-silent-range"
        case pendingMigrations = "pending-migrations"
        case probe
        case invariant
        case reference
        /// Bundled versions with no row below the newest recorded one: sqlx applies them at the next start.
        case pendingOutOfOrder = "pending-out-of-order"
        /// Rows whose checksum proves they record another bundled file (renumbered or swapped files).
        case movedRows = "moved-rows"
        /// Only the first statements of a migration ran (a crash, or an interrupted `-- no-transaction` file).
        case partiallyApplied = "partially-applied"
        /// A bundled migration fails to replay here, so versions from it on cannot be fingerprinted.
        case replayFailed = "replay-failed"
        /// What sqlx's own start-up check says of the ledger, whatever else is true.
        case ledgerCheck = "ledger-check"
    }

    /// A fact that supports a finding: usually which objects prove or refute which version.
    public struct Evidence: Sendable, Hashable, Codable {
        /// The version the evidence is about, if any.
        public var version: MigrationVersion?
        /// Names of schema objects involved, as `kind name`.
        public var objects: [String]
        /// One sentence for people.
        public var detail: String

        public init(version: MigrationVersion? = nil, objects: [String] = [], detail: String) {
            self.version = version
            self.objects = objects
            self.detail = detail
        }
    }

    /// What was observed.
    public var kind: Kind
    /// The verdict this finding supports.
    public var verdict: Verdict
    /// The exit code this finding alone warrants.
    public var exitCode: ExitCode
    /// One line for people.
    public var message: String
    /// Versions concerned.
    public var versions: [MigrationVersion]
    /// Supporting facts.
    public var evidence: [Evidence]

    public init(kind: Kind, verdict: Verdict, exitCode: ExitCode, message: String,
                versions: [MigrationVersion] = [], evidence: [Evidence] = []) {
        self.kind = kind
        self.verdict = verdict
        self.exitCode = exitCode
        self.message = message
        self.versions = versions
        self.evidence = evidence
    }
}
