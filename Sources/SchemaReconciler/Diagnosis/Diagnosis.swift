import Foundation

/// A contiguous range of versions whose fingerprints all equal the database's.
///
/// ```swift
/// if let range = diagnosis.matchedVersions, range.lowest != range.highest {
///     print("schema-silent range \(range)") // "32…34"
/// }
/// ```
public struct VersionRange: Sendable, Hashable, Codable, CustomStringConvertible {
    public var lowest: MigrationVersion
    public var highest: MigrationVersion

    public init(lowest: MigrationVersion, highest: MigrationVersion) {
        self.lowest = lowest
        self.highest = highest
    }

    public var description: String { lowest == highest ? "\(lowest)" : "\(lowest)…\(highest)" }
}

/// A summary of what the ledger says, next to what the schema proves.
///
/// ```swift
/// print(diagnosis.ledger.versions.last ?? 0, diagnosis.ledger.unknownVersions)
/// ```
public struct LedgerSummary: Sendable, Hashable, Codable {
    /// The ledger table name.
    public var table: String
    /// Whether the table exists.
    public var exists: Bool
    /// Recorded versions, in order (successful and dirty).
    public var versions: [MigrationVersion]
    /// Versions with `success = false`.
    public var dirty: [MigrationVersion]
    /// Versions whose recorded checksum differs from the bundled file.
    public var checksumMismatches: [MigrationVersion]
    /// Versions recorded but not bundled.
    public var unknownVersions: [MigrationVersion]
    /// Rows whose checksum proves they record another bundled file.
    public var moved: [Move] = []
    /// The migrator whose ledger this is (``LedgerDialect/name``).
    public var dialect: String = "sqlx"
    /// Whether one stored value stands for every version listed (golang-migrate, `user_version`).
    public var summarised: Bool = false

    /// A row filed under one version that records the file of another.
    public struct Move: Sendable, Hashable, Codable {
        /// The version the row is filed under.
        public var from: MigrationVersion
        /// The version of the file its checksum proves.
        public var to: MigrationVersion
    }
}

/// What the database ran, as the diagnosis understands it: a set of migrations and their order.
///
/// ```swift
/// let history = diagnosis.history
/// print(history.applied, history.pending, history.outOfOrder) // [1, 3] [2] [2]
/// ```
public struct AppliedHistory: Sendable, Hashable, Codable {
    /// Which order of migrations explains the schema.
    public enum Order: String, Sendable, Hashable, Codable {
        /// Version order, the bundled timeline: most databases.
        case bundled
        /// The order the ledger records (out-of-order merges, moved rows).
        case ledger
        /// The ledger's order with one recorded version that did not run.
        case ledgerWithoutOne = "ledger-without-one"
        /// The ledger's order plus one pending version that ran.
        case ledgerWithOne = "ledger-with-one"
        /// The ledger's set with one migration run at another point than its row's time or version says.
        case ledgerReordered = "ledger-reordered"
    }

    /// Which order explains the schema; nil when none does.
    public var order: Order?
    /// The versions the ledger records after the plan runs, in the order they ran.
    public var applied: [MigrationVersion]
    /// Bundled versions with no row after the plan: the migrator applies them at its next start.
    public var pending: [MigrationVersion]
    /// The pending versions below the newest recorded one (out of order, as after a branch merge).
    public var outOfOrder: [MigrationVersion]

    public init(order: Order?, applied: [MigrationVersion], pending: [MigrationVersion], outOfOrder: [MigrationVersion]) {
        self.order = order
        self.applied = applied
        self.pending = pending
        self.outOfOrder = outOfOrder
    }

    /// No evidence: an unreadable file.
    public static let unknown = AppliedHistory(order: nil, applied: [], pending: [], outOfOrder: [])
}

/// Everything known about one database: verdict, matched versions, ledger, findings and plan.
///
/// ```swift
/// let diagnosis = reconciler.diagnose(databaseAt: "Fixtures/behind-by-three.sqlite")
/// print(diagnosis.verdict, diagnosis.matchedVersions?.description ?? "none", diagnosis.exitCode)
/// ```
public struct Diagnosis: Sendable, Hashable, Codable {
    /// The database path as given.
    public var path: String
    /// The most severe finding's verdict.
    public var verdict: Verdict
    /// The versions the schema matches exactly, if any.
    public var matchedVersions: VersionRange?
    /// The closest version when nothing matches exactly.
    public var nearestVersion: MigrationVersion?
    /// The database's schema fingerprint (without foreign objects); nil when unreadable.
    public var schemaFingerprint: Digest?
    /// The ledger as read.
    public var ledger: LedgerSummary
    /// Observations with evidence, most severe first.
    public var findings: [Finding]
    /// What `repair` would write.
    public var plan: RepairPlan
    /// Hash of the ledger rows as read, so a repair can confirm nothing moved since the plan was made.
    public var ledgerDigest: Digest?
    /// The applied set and order, pending versions included.
    public var history: AppliedHistory = .unknown
    /// Why the file could not be read, when the verdict is ``Verdict/unreadable``.
    public var failure: DatabaseFailure?
    /// What people call each version, where that is not its number: GRDB identifiers by registration
    /// ordinal (and unregistered identifiers by the numbers their rows were given). Empty for sqlx files.
    public var versionNames: [MigrationVersion: String] = [:]

    /// The exit code this database warrants.
    public var exitCode: ExitCode { ExitCode.worst(of: findings.map(\.exitCode)) }
}
