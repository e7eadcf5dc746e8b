import Foundation

/// What a repair would write to the ledger, and why: data that can be printed, serialised and
/// tested before anything is written.
///
/// ```swift
/// let plan = reconciler.diagnose(databaseAt: "app.sqlite").plan
/// for action in plan.actions { print(action.kind, action.version ?? 0, action.reason) }
/// if !plan.blockers.isEmpty { print("refused:", plan.blockers.map(\.reason)) }
/// ```
public struct RepairPlan: Sendable, Hashable, Codable {
    /// One ledger write (or a deliberate non-write).
    public struct Action: Sendable, Hashable, Codable {
        /// The sort of write.
        public enum Kind: String, Sendable, Hashable, Codable {
            /// Create the ledger table with the migrator's exact DDL.
            case createLedger = "create-ledger"
            /// Insert a row the migrator would have written.
            case insert
            /// Set `success = 1` (and the bundled checksum) on an interrupted row the schema proves applied.
            case markSucceeded = "mark-succeeded"
            /// Replace a recorded checksum with the bundled one.
            case restamp
            /// Delete a row.
            case delete
            /// Move a row to the version of the file its checksum proves it records, keeping its history.
            case move
            /// Leave a row as it is, deliberately (reported so nobody wonders).
            case keep
        }

        public var kind: Kind
        public var version: MigrationVersion?
        public var description: String?
        /// The checksum written (insert, restamp, mark-succeeded).
        public var checksum: Digest?
        /// The checksum replaced (restamp, move).
        public var previousChecksum: Digest?
        /// The version the row is filed under now (move).
        public var previousVersion: MigrationVersion?
        /// `installed_on` to write (insert), when known from a reference backup; else the current time.
        public var installedOn: String?
        /// `execution_time` to write (insert), when known from a reference backup; else 0.
        public var executionTime: Int64?
        /// Why.
        public var reason: String

        public init(kind: Kind, version: MigrationVersion? = nil, description: String? = nil, checksum: Digest? = nil,
                    previousChecksum: Digest? = nil, previousVersion: MigrationVersion? = nil, installedOn: String? = nil,
                    executionTime: Int64? = nil, reason: String) {
            self.kind = kind
            self.previousVersion = previousVersion
            self.version = version
            self.description = description
            self.checksum = checksum
            self.previousChecksum = previousChecksum
            self.installedOn = installedOn
            self.executionTime = executionTime
            self.reason = reason
        }

        /// Whether the action writes anything.
        public var writes: Bool { kind != .keep }
    }

    /// Why the plan cannot run as is, and what settles it.
    public struct Blocker: Sendable, Hashable, Codable {
        /// What the schema cannot decide, or what would be unsafe.
        public var reason: String
        /// The flag that settles it, when one does (for example `--drop-unproven`).
        public var flag: String?

        public init(reason: String, flag: String? = nil) {
            self.reason = reason
            self.flag = flag
        }
    }

    /// Writes in the order they run.
    public var actions: [Action]
    /// Reasons the repair refuses; when not empty, nothing is written.
    public var blockers: [Blocker]
    /// The version the ledger will claim after the repair, if decided.
    public var targetVersion: MigrationVersion?

    public init(actions: [Action] = [], blockers: [Blocker] = [], targetVersion: MigrationVersion? = nil) {
        self.actions = actions
        self.blockers = blockers
        self.targetVersion = targetVersion
    }

    /// Whether running the plan would write anything.
    public var writes: Bool { blockers.isEmpty && actions.contains { $0.writes } }
}

/// Choices a person makes where the schema alone cannot decide.
///
/// ```swift
/// let options = PlanOptions(assumeVersion: 34, dropUnproven: false, dropUnknown: false)
/// ```
public struct PlanOptions: Sendable, Hashable, Codable {
    /// Claim this version inside a schema-silent range (or settle an ambiguous match).
    public var assumeVersion: MigrationVersion?
    /// Delete rows for versions whose effects the schema lacks.
    public var dropUnproven: Bool
    /// Delete rows for versions that are not bundled.
    public var dropUnknown: Bool
    /// Treat a database that is consistent but not at the newest version as a failure.
    public var requireTip: Bool
    /// Treat a violated manifest invariant as a failure (exit 2); repair never edits data because of one.
    public var enforceInvariants: Bool
    /// A known-good backup whose ledger is evidence and the source of restored rows (opened read-only).
    public var referencePath: String?
    /// Versions whose edited files the person accepts: their rows are re-stamped even where the schema
    /// cannot judge the edit (a schema-silent migration whose old text is unknown or changed meaning).
    public var acceptEdits: Set<MigrationVersion>

    public init(assumeVersion: MigrationVersion? = nil, dropUnproven: Bool = false, dropUnknown: Bool = false,
                requireTip: Bool = false, enforceInvariants: Bool = false, referencePath: String? = nil,
                acceptEdits: Set<MigrationVersion> = []) {
        self.referencePath = referencePath
        self.acceptEdits = acceptEdits
        self.assumeVersion = assumeVersion
        self.dropUnproven = dropUnproven
        self.dropUnknown = dropUnknown
        self.requireTip = requireTip
        self.enforceInvariants = enforceInvariants
    }
}
