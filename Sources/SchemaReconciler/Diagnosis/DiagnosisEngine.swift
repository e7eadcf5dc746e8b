import Foundation

/// Decides verdict, matched versions, findings and plan from an observation. Pure: no I/O.
///
/// ```swift
/// let engine = DiagnosisEngine(migrations: set, timeline: timeline, ledgerTable: "_sqlx_migrations")
/// let diagnosis = engine.diagnose(observation, path: "app.sqlite", options: PlanOptions())
/// ```
struct DiagnosisEngine: Sendable {
    /// The bundled migrations.
    public let migrations: MigrationSet
    /// Their fingerprints.
    public let timeline: FingerprintTimeline
    /// The ledger table name, for reports.
    public let ledgerTable: String
    /// Declarations beside the migrations (former checksums), if any.
    public let manifest: Manifest?
    /// Replays other histories (the ledger's order, single-version changes) when the prefix timeline fails.
    public let replayer: HistoryReplayer
    /// The ledger's dialect: its name for messages, and which applied sets it can record.
    let dialect: any LedgerDialect

    /// Creates an engine; ``Reconciler/engine`` builds one for its set.
    ///
    /// ```swift
    /// let engine = DiagnosisEngine(migrations: set, timeline: timeline, ledgerTable: "_sqlx_migrations")
    /// ```
    public init(migrations: MigrationSet, timeline: FingerprintTimeline, ledgerTable: String, manifest: Manifest? = nil,
                replayer: HistoryReplayer? = nil, dialect: any LedgerDialect = SQLxLedger()) {
        self.migrations = migrations
        self.dialect = dialect
        self.timeline = timeline
        self.ledgerTable = ledgerTable
        self.manifest = manifest
        self.replayer = replayer ?? HistoryReplayer(options: SnapshotOptions(ledgerTable: ledgerTable), timeline: timeline)
    }

    /// Diagnoses a database from what was read of it (and of a known-good reference backup, if any).
    public func diagnose(_ observation: DatabaseObservation, path: String, options: PlanOptions,
                         reference: ReferenceLedger? = nil) -> Diagnosis {
        diagnose(observation, path: path, options: options, reference: reference) { _, _ in }
    }

    /// ``diagnose(_:path:options:reference:)`` with the declared checks added first: `addChecks` gets
    /// the versions whose probes can change the answer (``versionsNeedingProbes(_:)``) and adds their
    /// results, and any invariants, to the observation. The evaluation is set up once for both.
    func diagnose(_ observation: DatabaseObservation, path: String, options: PlanOptions, reference: ReferenceLedger?,
                  addChecks: (inout DatabaseObservation, Set<MigrationVersion>) throws -> Void) rethrows -> Diagnosis {
        var work = Work(engine: self, observation: observation, options: options)
        try addChecks(&work.observation, work.versionsNeedingProbes())
        work.reference = reference
        work.run()
        return work.result(path: path)
    }

    /// The versions whose probes can change the diagnosis: the schema-silent part of a matched range
    /// the ledger does not already place the database in. Probes query user data, so a healthy
    /// database (whose ledger decides) runs none, whatever its size.
    public func versionsNeedingProbes(_ observation: DatabaseObservation) -> Set<MigrationVersion> {
        var work = Work(engine: self, observation: observation, options: PlanOptions())
        return work.versionsNeedingProbes()
    }

    /// Rows whose checksum nothing bundled or declared explains, by version: the git history of their
    /// file may hold the text that ran. Healthy ledgers have none, so no git runs for them.
    public func checksumsNeedingHistory(_ observation: DatabaseObservation) -> [MigrationVersion: Digest] {
        RowIdentity.unexplainedChecksums(rows: observation.ledger.rows, migrations: migrations, manifest: manifest)
    }

    /// The migrator whose ledger this is, for messages.
    var migratorName: String { dialect.name }

    /// The diagnosis of a file that could not be read, with the typed failure.
    func unreadable(path: String, failure: DatabaseFailure) -> Diagnosis {
        var diagnosis = unreadable(path: path, reason: failure.description)
        diagnosis.failure = failure
        return diagnosis
    }

    /// The diagnosis of a file that could not be read.
    public func unreadable(path: String, reason: String) -> Diagnosis {
        let finding = Finding(kind: .unreadable, verdict: .unreadable, exitCode: .unreadable, message: reason)
        return Diagnosis(path: path, verdict: .unreadable, matchedVersions: nil, nearestVersion: nil,
                         schemaFingerprint: nil,
                         ledger: LedgerSummary(table: ledgerTable, exists: false, versions: [], dirty: [],
                                               checksumMismatches: [], unknownVersions: [], moved: [],
                                               dialect: dialect.name),
                         findings: [finding],
                         plan: RepairPlan(blockers: [.init(reason: reason)]), ledgerDigest: nil)
    }
}

// MARK: - Evaluation

extension DiagnosisEngine {
    /// The state of one evaluation, kept out of the public type. What is true (matching, row
    /// identities, histories) lives here; what to write is decided in ``RepairPlanner``'s extension.
    struct Work {
        let engine: DiagnosisEngine
        /// What was read; only the declared checks' results are added after setup (they do not enter it).
        var observation: DatabaseObservation
        let options: PlanOptions
        var findings: [Finding] = []
        var actions: [RepairPlan.Action] = []
        var blockers: [RepairPlan.Blocker] = []
        var matched: VersionRange?
        var nearest: MigrationVersion?
        var target: MigrationVersion?
        var core = SchemaSnapshot.empty
        var reference: ReferenceLedger?
        /// The timeline the schema is matched against: the bundled order, or a history the ledger suggests.
        var timeline: FingerprintTimeline {
            didSet { ledgerTopIndex = Self.ledgerTop(rows: rows, identities: identityByRow, timeline: timeline) }
        }
        var order: AppliedHistory.Order = .bundled
        /// Versions without a row that stay without one: nothing proves they ran, so the migrator runs them.
        var leftPending: [MigrationVersion] = []
        /// The applied set and order after the plan, filled in last.
        var history = AppliedHistory.unknown

        /// Which file each row records (checksum first, version second).
        let identities: [RowIdentity]
        /// The row that records each bundled file, by the file's version.
        let rowForFile: [MigrationVersion: LedgerRow]
        /// Each row's identity, by the row's version.
        let identityByRow: [MigrationVersion: RowIdentity]

        var steps: [FingerprintTimeline.Step] { timeline.steps }
        var rows: [LedgerRow] { observation.ledger.rows }
        /// Rows for versions not bundled whose checksum names no bundled file (down files count as bundled, as for sqlx).
        var unknownRows: [LedgerRow] {
            rows.filter { row in
                guard let identity = identityByRow[row.version], identity.file == nil else { return false }
                if case .conflict = identity.basis { return false }
                return !engine.migrations.allVersions.contains(row.version)
            }
        }

        /// The step of the furthest file the ledger records as applied successfully; nil when it records
        /// none (an empty ledger claims nothing, not "version 0").
        private(set) var ledgerTopIndex: Int?

        static func ledgerTop(rows: [LedgerRow], identities: [MigrationVersion: RowIdentity], timeline: FingerprintTimeline) -> Int? {
            var top: Int?
            for row in rows where row.success == true {
                if let file = identities[row.version]?.file, let index = timeline.index(of: file) { top = max(top ?? index, index) }
            }
            return top
        }

        init(engine: DiagnosisEngine, observation: DatabaseObservation, options: PlanOptions) {
            self.engine = engine
            self.observation = observation
            self.options = options
            self.timeline = engine.timeline
            let identities = RowIdentity.identify(rows: observation.ledger.rows, migrations: engine.migrations,
                                                  manifest: engine.manifest, recovered: observation.recoveredTexts)
            self.identities = identities
            var byRow: [MigrationVersion: RowIdentity] = [:], byFile: [MigrationVersion: LedgerRow] = [:]
            byRow.reserveCapacity(identities.count)
            byFile.reserveCapacity(identities.count)
            for (row, identity) in zip(observation.ledger.rows, identities) {
                byRow[row.version] = identity
                if let file = identity.file { byFile[file] = row }
            }
            identityByRow = byRow
            rowForFile = byFile
            ledgerTopIndex = Self.ledgerTop(rows: observation.ledger.rows, identities: byRow, timeline: engine.timeline)
        }

        /// See ``DiagnosisEngine/versionsNeedingProbes(_:)``.
        mutating func versionsNeedingProbes() -> Set<MigrationVersion> {
            guard let manifest = engine.manifest, !manifest.probes.isEmpty else { return [] }
            _ = separateCore()
            var versions: Set<MigrationVersion> = []
            let top = ledgerTopIndex
            for group in matchingGroups() {
                // A schema-silent range the ledger does not place the database in: probes narrow it.
                if group.count > 1, top.map({ !group.contains($0) }) ?? true {
                    for index in (group.lowerBound + 1)...group.upperBound { versions.insert(steps[index].version) }
                }
                // A schema-silent version below the match with no row: only its probe can prove it ran.
                let upper = top.map { group.contains($0) ? $0 : group.upperBound } ?? group.upperBound
                for index in stride(from: 1, through: upper, by: 1) where steps[index].isSchemaSilent
                    && rowForFile[steps[index].version] == nil {
                    versions.insert(steps[index].version)
                }
            }
            // A schema-silent version with no row below a recorded one: only its probe can prove it ran.
            if let top = rows.filter({ $0.success == true }).map(\.version).max() {
                for step in steps.dropFirst() where step.isSchemaSilent && step.version < top
                    && rowForFile[step.version] == nil {
                    versions.insert(step.version)
                }
            }
            return versions.intersection(manifest.probes.map(\.version))
        }

        mutating func run() {
            separateForeignObjects()
            reportLedgerShape()
            var groups = ledgerOrderGroups()
            if groups.isEmpty { groups = matchingGroups() }
            if groups.isEmpty, case .present = observation.ledger, let history = exploreHistories() {
                timeline = history.timeline
                order = history.order
                groups = matchingGroups()
            }
            if groups.isEmpty {
                reportUnrecognised()
                reportPartialApplication()
                reportLedgerCheck()
            } else if let group = chooseGroup(groups) {
                matched = matchedRange(group)
                planAgainst(group)
                // Another order has no version ranges: the database is at the version the plan settles on.
                if order != .bundled, let target { matched = VersionRange(lowest: target, highest: target) }
            } else {
                reportLedgerCheck()
            }
            reportConflicts()
            reportUnknownVersions()
            reportReferenceDisagreements()
            reportInvariants()
            reportReplayFailure()
            reportPending()
            reportStartupRefusal()
        }

        /// A ledger nothing here would change that the migrator still refuses at start (goose's
        /// missing versions below its newest row): a person decides.
        mutating func reportStartupRefusal() {
            guard case .present = observation.ledger, !actions.contains(where: \.writes),
                  !findings.contains(where: { $0.exitCode > .ok }),
                  let problem = engine.dialect.startupProblem(rows: rows, migrations: engine.migrations, ignoreMissing: false)
            else { return }
            add(.ledgerCheck, .behind, .needsPerson,
                "\(engine.migratorName)'s start-up check refuses this ledger: \(problem); nothing the schema proves changes it "
                    + "(a [[probe]] or a --reference backup proving the missing versions ran lets repair record them; the tool's own option may accept the ledger)")
        }

        /// What the ledger table itself allows: unusable tables, unreadable rows, rows that cannot be written.
        mutating func reportLedgerShape() {
            // GRDB's own bookkeeping (merged identifiers) is worth a line; it blocks nothing.
            if engine.migrations.replaysInOrderOnly, case .present(let contents) = observation.ledger, !contents.problems.isEmpty {
                add(.ledgerCheck, .consistent, .ok, "grdb_migrations: \(contents.problems.joined(separator: "; "))")
            }
            if case .unusable(let reason) = observation.ledger {
                add(.malformedLedger, .malformedLedger, .needsPerson,
                    "\(reason); \(engine.migratorName) cannot read this ledger", evidence: [])
                blockers.append(.init(reason: "the ledger table cannot be read as a \(engine.migratorName) ledger: \(reason)"))
            }
            guard case .present(let contents) = observation.ledger else { return }
            let rowProblems = contents.problems.filter { $0.hasPrefix("a row") }
            if !rowProblems.isEmpty {
                add(.malformedLedger, .malformedLedger, .needsPerson,
                    "ledger rows \(engine.migratorName) cannot read: \(rowProblems.joined(separator: "; "))", evidence: [])
                blockers.append(.init(reason: "ledger rows with unreadable versions must be fixed by a person"))
            }
            if !contents.unwritableColumns.isEmpty {
                let columns = contents.unwritableColumns.joined(separator: ", ")
                add(.malformedLedger, .malformedLedger, .needsPerson,
                    "the ledger has NOT NULL column(s) \(columns) without a default: rows cannot be written as \(engine.migratorName) writes them (its own next migration fails too)")
                blockers.append(.init(reason: "ledger column(s) \(columns) are NOT NULL without a default, so no row can be inserted as \(engine.migratorName) inserts it"))
            }
        }

        // MARK: Foreign objects

        /// Objects no bundled migration ever creates are the app's own: reported, never touched.
        /// Sets ``core``, the snapshot without the objects no bundled migration creates, and returns those.
        mutating func separateCore() -> [ObjectKey] {
            let foreign = observation.snapshot.objects.keys.filter(engine.timeline.isForeign).sorted()
            core = observation.snapshot.removing(foreign)
            return foreign
        }

        /// ``separateCore()``, reporting the foreign objects.
        mutating func separateForeignObjects() {
            let foreign = separateCore()
            guard !foreign.isEmpty else { return }
            let named = foreign.prefix(10).map(\.description).joined(separator: ", ")
                + (foreign.count > 10 ? " and \(foreign.count - 10) more" : "")
            add(.foreignObjects, .consistent, .ok,
                "\(foreign.count) object(s) no bundled migration creates (left untouched): \(named)",
                evidence: [.init(objects: foreign.map(\.description),
                                 detail: "no version of the bundled migrations defines these names")])
        }

        // MARK: Matching

        /// Index ranges of consecutive steps whose fingerprint equals the database's.
        func matchingGroups() -> [ClosedRange<Int>] {
            var groups: [ClosedRange<Int>] = []
            for (index, step) in steps.enumerated() where step.fingerprint == core.hash {
                if let last = groups.last, last.upperBound == index - 1 {
                    groups[groups.count - 1] = last.lowerBound...index
                } else {
                    groups.append(index...index)
                }
            }
            return groups
        }


        mutating func chooseGroup(_ groups: [ClosedRange<Int>]) -> ClosedRange<Int>? {
            if let assumed = options.assumeVersion {
                if let index = timeline.index(of: assumed), let group = groups.first(where: { $0.contains(index) }) {
                    return group
                }
                let ranges = groups.map { rangeText($0) }.joined(separator: ", ")
                add(.ambiguousMatch, .unrecognised, .needsPerson,
                    "--assume-version \(assumed) contradicts the schema, which matches version(s) \(ranges)")
                blockers.append(.init(reason: "assumed version \(assumed) is not one the schema matches (\(ranges))",
                                      flag: "--assume-version"))
                return nil
            }
            if groups.count == 1 { return groups[0] }
            if let top = ledgerTopIndex, let group = groups.first(where: { $0.contains(top) }) { return group }
            let ranges = groups.map { rangeText($0) }.joined(separator: " or ")
            add(.ambiguousMatch, .unrecognised, .needsPerson,
                "the schema matches versions \(ranges) and the ledger does not say which",
                evidence: groups.map { .init(version: steps[$0.lowerBound].version,
                                             detail: "fingerprint \(core.hash.short) equals F(\(rangeText($0)))") })
            blockers.append(.init(reason: "the schema matches several separate versions (\(ranges))",
                                  flag: "--assume-version N"))
            return nil
        }

        func rangeText(_ group: ClosedRange<Int>) -> String { matchedRange(group).description }

        /// The versions of a group of steps: a range of the bundled order, or the span of a history's versions.
        func matchedRange(_ group: ClosedRange<Int>) -> VersionRange {
            guard order != .bundled else {
                return VersionRange(lowest: steps[group.lowerBound].version, highest: steps[group.upperBound].version)
            }
            let versions = group.map { steps[$0].version }
            return VersionRange(lowest: versions.min()!, highest: versions.max()!)
        }

        // MARK: Unrecognised

        mutating func reportUnrecognised() {
            var best: (index: Int, distance: Int)?
            let coreObjects = core.objects
            engine.timeline.forEachSchema { index, objects in
                var distance = 0
                for (key, object) in objects where coreObjects[key]?.hash != object.hash { distance += 1 }
                for key in coreObjects.keys where objects[key] == nil { distance += 1 }
                // Ties go to the version closest to what the ledger claims; without a ledger, to the newer one.
                guard let current = best else { best = (index, distance); return }
                if distance < current.distance {
                    best = (index, distance)
                } else if distance == current.distance {
                    let top = ledgerTopIndex ?? steps.count
                    if abs(index - top) <= abs(current.index - top) { best = (index, distance) }
                }
            }
            guard let best else { return }
            let version = steps[best.index].version
            nearest = version
            let residual = SchemaDiff(from: engine.timeline.objects(atIndex: best.index), to: coreObjects)
            var evidence: [Finding.Evidence] = []
            for object in residual.added {
                var origin = engine.timeline.firstVersion(defining: object)
                var detail = origin.map { "extra \(object.key): matches its definition at version \($0) (a partial application?)" }
                    ?? "extra \(object.key): no bundled version defines it this way"
                if origin == nil, let creator = engine.timeline.namesCreatedBySQL[object.key.name] {
                    origin = creator
                    detail = "extra \(object.key): version \(creator)'s SQL creates this name (an interrupted migration?)"
                }
                evidence.append(.init(version: origin, objects: [object.key.description], detail: detail))
            }
            for object in residual.removed {
                evidence.append(.init(version: version, objects: [object.key.description],
                                      detail: "missing \(object.key), which version \(version) has"))
            }
            for change in residual.changed {
                let details = change.facetChanges.map { change in
                    "\(change.label): \(change.before ?? "absent") → \(change.after ?? "absent")"
                }
                evidence.append(.init(version: version, objects: [change.key.description],
                                      detail: "changed \(change.key): \(details.joined(separator: "; "))"))
            }
            add(.unrecognised, .unrecognised, .needsPerson,
                "the schema matches no bundled version; nearest is \(version), \(residual.size) object(s) differ",
                versions: [version], evidence: evidence)
            blockers.append(.init(reason: "the schema matches no bundled version (nearest \(version)); the ledger cannot be made to tell the truth without a person"))
        }

        // MARK: Unknown versions

        mutating func reportUnknownVersions() {
            let unknown = unknownRows
            guard !unknown.isEmpty else { return }
            let versions = unknown.map(\.version)
            var evidence: [Finding.Evidence] = []
            for row in unknown {
                evidence.append(.init(version: row.version,
                                      detail: "row \(row.version) (\(row.description ?? "no description")) matches no bundled file by version or checksum (a newer build?)"))
                if options.dropUnknown {
                    actions.append(.init(kind: .delete, version: row.version, reason: "--drop-unknown: not a bundled version"))
                } else if row.isDirty {
                    // sqlx stops at a dirty row before anything else: keeping it cannot make the app start.
                    blockers.append(.init(reason: "row \(row.version) is not bundled and is dirty (not successful); \(engine.migratorName) refuses to start while it exists",
                                          flag: "--drop-unknown"))
                } else if engine.migrations.replaysInOrderOnly {
                    actions.append(.init(kind: .keep, version: row.version,
                                         reason: "\(row.description ?? "identifier") is not registered; kept (GRDB ignores it: hasBeenSuperseded); --drop-unknown removes it"))
                } else {
                    actions.append(.init(kind: .keep, version: row.version,
                                         reason: "not bundled; kept (\(engine.migratorName) may report it as missing); --drop-unknown removes it"))
                }
            }
            add(.unknownVersions, .unknownVersions, options.dropUnknown ? .repairable : .needsPerson,
                "the ledger records version(s) \(Self.list(versions)) that are not bundled",
                versions: versions, evidence: evidence)
        }

        // MARK: Reference backup

        /// Reference rows a sqlx would accept for the bundled files: successful, with the bundled checksum.
        func referenceRow(_ version: MigrationVersion) -> LedgerRow? {
            guard let migration = engine.migrations.applied(version: version) else { return nil }
            return reference?.rows.first { $0.version == version && $0.success == true && $0.checksum == migration.checksum }
        }

        var referenceTopIndex: Int? {
            guard let reference else { return nil }
            let versions = reference.rows.map(\.version).filter { referenceRow($0) != nil }
            return versions.compactMap { timeline.index(of: $0) }.max()
        }

        /// Original `installed_on` and `execution_time` from the reference, when its row has the bundled checksum.
        func restoredFields(_ migration: Migration) -> (installedOn: String?, executionTime: Int64?, note: String) {
            guard let row = referenceRow(migration.version) else { return (nil, nil, "") }
            return (row.installedOn, row.executionTime, "; original installed_on and execution_time from the reference")
        }

        /// Where the reference, the live ledger and the schema disagree, side by side.
        mutating func reportReferenceDisagreements() {
            guard let reference else { return }
            var live: [MigrationVersion: LedgerRow] = [:]
            for row in rows { live[row.version] = row }
            var theirs: [MigrationVersion: LedgerRow] = [:]
            for row in reference.rows { theirs[row.version] = row }
            func state(_ row: LedgerRow?, _ version: MigrationVersion) -> String {
                guard let row else { return "absent" }
                if row.isDirty { return "dirty" }
                let bundled = engine.migrations.applied(version: version)?.checksum
                return bundled == nil ? "recorded (not bundled)" : row.checksum == bundled ? "recorded" : "recorded, other checksum"
            }
            var evidence: [Finding.Evidence] = []
            for version in Set(live.keys).union(theirs.keys).sorted() {
                let ours = state(live[version], version), refs = state(theirs[version], version)
                guard ours != refs else { continue }
                var schema = "schema cannot tell"
                if let target, let index = timeline.index(of: version), let targetIndex = timeline.index(of: target) {
                    schema = index <= targetIndex ? "schema shows it applied" : "schema shows it not applied"
                }
                evidence.append(.init(version: version, detail: "\(version): live ledger \(ours) · reference \(refs) · \(schema)"))
            }
            let message = evidence.isEmpty
                ? "the reference backup \(reference.path) agrees with the live ledger"
                : "the reference backup \(reference.path) disagrees with the live ledger on \(evidence.count) version(s)"
            add(.reference, .consistent, .ok, message, versions: evidence.compactMap(\.version), evidence: evidence)
        }

        // MARK: Invariants

        /// Declared data invariants: listed with offending rows; a failure only with `enforceInvariants`.
        mutating func reportInvariants() {
            for result in observation.invariants {
                if let failure = result.failure {
                    add(.invariant, .consistent, .ok, "invariant \"\(result.name)\" could not run: \(failure)")
                } else if !result.violations.isEmpty {
                    let count = result.truncated ? "more than \(result.violations.count)" : "\(result.violations.count)"
                    add(.invariant, .invariantViolated, options.enforceInvariants ? .needsPerson : .ok,
                        "invariant \"\(result.name)\" is violated by \(count) row(s); repair never edits data for it",
                        evidence: result.violations.map { .init(detail: $0) })
                }
            }
        }

        // MARK: Evidence

        func proofOfMatch(_ index: Int) -> Finding.Evidence {
            .init(version: steps[index].version,
                  detail: "schema fingerprint \(core.hash.short) equals F(\(steps[index].version))")
        }

        func proofOfPresence(_ step: FingerprintTimeline.Step) -> Finding.Evidence {
            let objects = (step.effect.added + step.effect.changedObjects).map(\.key.description)
                + step.effect.removed.map { "no \($0.key)" }
            if objects.isEmpty {
                return .init(version: step.version,
                             detail: "version \(step.version) leaves no schema trace; \(silentProof(step) ?? "nothing proves it ran")")
            }
            return .init(version: step.version, objects: objects,
                         detail: "version \(step.version): \(step.effect.summary) — present as that version leaves it")
        }

        func proofOfAbsence(_ step: FingerprintTimeline.Step) -> Finding.Evidence {
            .init(version: step.version, objects: (step.effect.added + step.effect.changedObjects).map(\.key.description),
                  detail: step.isSchemaSilent ? "version \(step.version) leaves no schema trace"
                                              : "version \(step.version): \(step.effect.summary) — absent from the schema")
        }

        // MARK: Result

        mutating func add(_ kind: Finding.Kind, _ verdict: Verdict, _ exitCode: ExitCode, _ message: String,
                          versions: [MigrationVersion] = [], evidence: [Finding.Evidence] = []) {
            findings.append(Finding(kind: kind, verdict: verdict, exitCode: exitCode, message: message,
                                    versions: versions, evidence: evidence))
        }

        static func list(_ versions: [MigrationVersion]) -> String {
            guard versions.count > 3 else { return versions.map(\.description).joined(separator: ", ") }
            let sorted = versions.sorted()
            let contiguous = zip(sorted, sorted.dropFirst()).allSatisfy { $1.follows($0) }
            return contiguous ? "\(sorted.first!)–\(sorted.last!)" : sorted.map(\.description).joined(separator: ", ")
        }

        /// Rows whose recorded checksum differs from their version's bundled file: sqlx's `MISMATCH`,
        /// reported whatever the verdict.
        var checksumMismatches: [MigrationVersion] {
            rows.filter { row in
                guard let migration = engine.migrations.applied(version: row.version) else { return false }
                return row.checksum != migration.checksum
            }.map(\.version)
        }

        func result(path: String) -> Diagnosis {
            var blockers = blockers
            var findings = findings
            if blockers.isEmpty, actions.contains(where: \.writes),
               let blocker = engine.dialect.cannotRecord(applied: RepairPlan.appliedVersions(after: actions, over: rows),
                                                         migrations: engine.migrations) {
                // The migrator's ledger cannot say what the schema proves (goose's and Flyway's refusal of
                // versions missing below the newest): a person settles it, and nothing runs "at the next start".
                blockers.append(blocker)
                findings.removeAll { $0.kind == .pendingOutOfOrder }
                let worst = findings.max { ($0.exitCode, $0.verdict.rank) < ($1.exitCode, $1.verdict.rank) }
                findings.append(Finding(kind: .ledgerCheck, verdict: worst?.verdict ?? .consistent, exitCode: .needsPerson,
                                        message: "\(engine.migratorName) cannot record what the schema proves: \(blocker.reason)",
                                        versions: [], evidence: []))
            }
            let ordered = findings.sorted { ($0.exitCode, $0.verdict.rank) > ($1.exitCode, $1.verdict.rank) }
            let verdict: Verdict
            if let worst = ordered.first, worst.exitCode > .ok || worst.verdict == .fresh {
                verdict = worst.verdict
            } else if findings.contains(where: { $0.kind == .fresh }) {
                verdict = .fresh
            } else {
                verdict = matched == nil && nearest != nil ? .unrecognised : .consistent
            }
            let exists: Bool
            if case .absent = observation.ledger { exists = false } else { exists = true }
            let moved = identities.compactMap { identity in identity.isMoved ? LedgerSummary.Move(from: identity.rowVersion, to: identity.file!) : nil }
            let summary = LedgerSummary(
                table: engine.ledgerTable, exists: exists, versions: rows.map(\.version),
                dirty: rows.filter(\.isDirty).map(\.version), checksumMismatches: checksumMismatches,
                unknownVersions: unknownRows.map(\.version), moved: moved, dialect: engine.dialect.name,
                summarised: engine.dialect.summarisesVersions)
            let plan = RepairPlan(actions: actions, blockers: blockers, targetVersion: target)
            var diagnosis = Diagnosis(path: path, verdict: verdict, matchedVersions: matched, nearestVersion: nearest,
                                      schemaFingerprint: core.hash, ledger: summary, findings: ordered, plan: plan,
                                      ledgerDigest: observation.ledgerDigest, history: history)
            if engine.migrations.replaysInOrderOnly {
                // Code migrations are known by identifier; their versions are only registration ordinals.
                for row in rows { diagnosis.versionNames[row.version] = row.description }
                for migration in engine.migrations.applying { diagnosis.versionNames[migration.version] = migration.description }
            }
            return diagnosis
        }
    }
}
