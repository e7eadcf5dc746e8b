import Foundation

/// Decides verdict, matched versions, findings and plan from an observation. Pure: no I/O.
///
/// ```swift
/// let engine = DiagnosisEngine(migrations: set, timeline: timeline, ledgerTable: "_sqlx_migrations")
/// let diagnosis = engine.diagnose(observation, path: "app.sqlite", options: PlanOptions())
/// ```
public struct DiagnosisEngine: Sendable {
    /// The bundled migrations.
    public let migrations: MigrationSet
    /// Their fingerprints.
    public let timeline: FingerprintTimeline
    /// The ledger table name, for reports.
    public let ledgerTable: String
    /// Declarations beside the migrations (former checksums), if any.
    public let manifest: Manifest?

    /// Creates an engine; ``Reconciler/engine`` builds one for its set.
    ///
    /// ```swift
    /// let engine = DiagnosisEngine(migrations: set, timeline: timeline, ledgerTable: "_sqlx_migrations")
    /// ```
    public init(migrations: MigrationSet, timeline: FingerprintTimeline, ledgerTable: String, manifest: Manifest? = nil) {
        self.migrations = migrations
        self.timeline = timeline
        self.ledgerTable = ledgerTable
        self.manifest = manifest
    }

    /// Diagnoses a database from what was read of it (and of a known-good reference backup, if any).
    public func diagnose(_ observation: DatabaseObservation, path: String, options: PlanOptions,
                         reference: ReferenceLedger? = nil) -> Diagnosis {
        var work = Work(engine: self, observation: observation, options: options)
        work.reference = reference
        work.run()
        return work.result(path: path)
    }

    /// The versions whose probes can change the diagnosis: the schema-silent part of a matched range
    /// the ledger does not already place the database in. Probes query user data, so a healthy
    /// database (whose ledger decides) runs none, whatever its size.
    public func versionsNeedingProbes(_ observation: DatabaseObservation) -> Set<Int64> {
        guard let manifest, !manifest.probes.isEmpty else { return [] }
        var work = Work(engine: self, observation: observation, options: PlanOptions())
        work.separateForeignObjects()
        var versions: Set<Int64> = []
        for group in work.matchingGroups() where group.count > 1 {
            if let top = work.ledgerTopIndex, group.contains(top) { continue }
            for index in (group.lowerBound + 1)...group.upperBound { versions.insert(timeline.steps[index].version) }
        }
        return versions.intersection(manifest.probes.map(\.version))
    }

    /// The diagnosis of a file that could not be read.
    public func unreadable(path: String, reason: String) -> Diagnosis {
        let finding = Finding(kind: .unreadable, verdict: .unreadable, exitCode: .unreadable, message: reason)
        return Diagnosis(path: path, verdict: .unreadable, matchedVersions: nil, nearestVersion: nil,
                         schemaFingerprint: nil,
                         ledger: LedgerSummary(table: ledgerTable, exists: false, versions: [], dirty: [],
                                               checksumMismatches: [], unknownVersions: []),
                         findings: [finding],
                         plan: RepairPlan(blockers: [.init(reason: reason)]), ledgerDigest: nil)
    }
}

// MARK: - Evaluation

extension DiagnosisEngine {
    /// The mutable state of one evaluation, kept out of the public type.
    fileprivate struct Work {
        let engine: DiagnosisEngine
        let observation: DatabaseObservation
        let options: PlanOptions
        var findings: [Finding] = []
        var actions: [RepairPlan.Action] = []
        var blockers: [RepairPlan.Blocker] = []
        var matched: VersionRange?
        var nearest: Int64?
        var target: Int64?
        var core = SchemaSnapshot.empty
        var checksumMismatches: [Int64] = []
        var reference: ReferenceLedger?

        var steps: [FingerprintTimeline.Step] { engine.timeline.steps }
        var rows: [LedgerRow] { observation.ledger.rows }
        /// Rows for versions not bundled (down files count as bundled, as for sqlx).
        var unknownRows: [LedgerRow] { rows.filter { !engine.migrations.allVersions.contains($0.version) } }

        /// The step of the highest bundled version the ledger records as applied successfully; nil when
        /// it records none (an empty ledger claims nothing, not "version 0").
        let ledgerTopIndex: Int?

        init(engine: DiagnosisEngine, observation: DatabaseObservation, options: PlanOptions) {
            self.engine = engine
            self.observation = observation
            self.options = options
            ledgerTopIndex = observation.ledger.rows
                .filter { $0.success == true && engine.migrations.applied(version: $0.version) != nil }
                .compactMap { engine.timeline.index(of: $0.version) }.max()
        }

        mutating func run() {
            separateForeignObjects()
            if case .unusable(let reason) = observation.ledger {
                add(.malformedLedger, .malformedLedger, .needsPerson,
                    "\(reason); sqlx cannot read this ledger", evidence: [])
                blockers.append(.init(reason: "the ledger table cannot be read as a sqlx ledger: \(reason)"))
            }
            if case .present(let contents) = observation.ledger, !contents.problems.isEmpty {
                let rowProblems = contents.problems.filter { $0.hasPrefix("a row") }
                if !rowProblems.isEmpty {
                    add(.malformedLedger, .malformedLedger, .needsPerson,
                        "ledger rows sqlx cannot read: \(rowProblems.joined(separator: "; "))", evidence: [])
                    blockers.append(.init(reason: "ledger rows with unreadable versions must be fixed by a person"))
                }
            }
            let groups = matchingGroups()
            if groups.isEmpty {
                reportUnrecognised()
            } else if let group = chooseGroup(groups) {
                matched = VersionRange(lowest: steps[group.lowerBound].version, highest: steps[group.upperBound].version)
                planAgainst(group)
            }
            reportUnknownVersions()
            reportReferenceDisagreements()
            reportInvariants()
            if options.requireTip, let target, let targetIndex = engine.timeline.index(of: target),
               targetIndex < steps.count - 1, blockers.isEmpty {
                let pending = steps[(targetIndex + 1)...].map(\.version)
                add(.pendingMigrations, .consistent, .needsPerson,
                    "not at the newest version: migrations \(Self.list(pending)) are pending (run the app or `sqlx migrate run`)",
                    versions: pending)
            }
        }

        // MARK: Foreign objects

        /// Objects no bundled migration ever creates are the app's own: reported, never touched.
        mutating func separateForeignObjects() {
            let foreign = observation.snapshot.objects.keys.filter(engine.timeline.isForeign).sorted()
            core = observation.snapshot.removing(foreign)
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
                if let index = engine.timeline.index(of: assumed), let group = groups.first(where: { $0.contains(index) }) {
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

        func rangeText(_ group: ClosedRange<Int>) -> String {
            VersionRange(lowest: steps[group.lowerBound].version, highest: steps[group.upperBound].version).description
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

        // MARK: Plan against a matched range

        /// Narrows a schema-silent range with the manifest's probes: a true probe proves its version (and
        /// every earlier one) ran; a false probe proves it (and every later one) did not.
        mutating func narrowByProbes(_ group: ClosedRange<Int>) -> ClosedRange<Int> {
            guard group.count > 1, !observation.probes.isEmpty else { return group }
            var lastRan: Int?, firstNotRun: Int?
            var evidence: [Finding.Evidence] = []
            for index in (group.lowerBound + 1)...group.upperBound {
                let version = steps[index].version
                guard let result = observation.probes[version] else { continue }
                let probe = engine.manifest?.probes.first { $0.version == version }
                let label = probe?.description.map { " (\($0))" } ?? ""
                evidence.append(.init(version: version, detail: "probe for \(version)\(label): \(result)"))
                switch result {
                case .ran: lastRan = index
                case .didNotRun: if firstNotRun == nil { firstNotRun = index }
                case .failed: break
                }
            }
            guard !evidence.isEmpty else { return group }
            if let lastRan, let firstNotRun, lastRan > firstNotRun {
                add(.probe, .consistent, .ok,
                    "probes contradict each other (\(steps[firstNotRun].version) did not run but \(steps[lastRan].version) did); ignored",
                    evidence: evidence)
                return group
            }
            let narrowed = (lastRan ?? group.lowerBound)...((firstNotRun.map { $0 - 1 }) ?? group.upperBound)
            if let top = ledgerTopIndex, group.contains(top), narrowed.contains(top) {
                // The ledger already says where in the range the database is, and the probes agree.
                return narrowed
            }
            if narrowed != group {
                add(.probe, .consistent, .ok,
                    "probes narrow the schema-silent range \(rangeText(group)) to \(rangeText(narrowed))",
                    versions: narrowed.map { steps[$0].version }, evidence: evidence)
            } else {
                add(.probe, .consistent, .ok, "probes do not narrow \(rangeText(group))", evidence: evidence)
            }
            return narrowed
        }

        mutating func planAgainst(_ schemaGroup: ClosedRange<Int>) {
            let group = options.assumeVersion == nil ? narrowByProbes(schemaGroup) : schemaGroup
            let lo = group.lowerBound, hi = group.upperBound
            let ledgerExists: Bool
            switch observation.ledger {
            case .absent: ledgerExists = false
            case .present: ledgerExists = true
            case .unusable: return
            }
            let knownRows = rows.filter { engine.migrations.allVersions.contains($0.version) }
            if lo == 0 && knownRows.isEmpty && options.assumeVersion == nil && referenceTopIndex == nil {
                target = 0
                add(.fresh, .fresh, .ok, observation.snapshot.isEmpty
                    ? "empty database: the migrator will create the schema from version \(steps.dropFirst().first?.version ?? 0)"
                    : "no migrated objects yet: the migrator will apply every version")
                if hi > lo {
                    let silent = steps[(lo + 1)...hi].map(\.version)
                    add(.schemaSilentRange, .fresh, .ok,
                        "versions \(Self.list(silent)) leave no schema trace: if they already ran, pass --assume-version N so they are not run again",
                        versions: silent)
                }
                return
            }
            var targetIndex: Int
            if let assumed = options.assumeVersion, let index = engine.timeline.index(of: assumed) {
                targetIndex = index
            } else if !ledgerExists || (ledgerTopIndex ?? -1) < lo {
                // A reference backup's ledger may settle a schema-silent range the live ledger cannot.
                if let referenceIndex = referenceTopIndex, (lo...hi).contains(referenceIndex) {
                    targetIndex = referenceIndex
                } else {
                    targetIndex = lo
                }
            } else if let top = ledgerTopIndex, top <= hi {
                targetIndex = top
            } else {
                targetIndex = hi
            }
            target = steps[targetIndex].version
            // Claiming only the bottom of a schema-silent range, because nothing else says more.
            let claimsOnlyLowest = hi > lo && options.assumeVersion == nil && targetIndex == lo
                && targetIndex != referenceTopIndex && targetIndex != ledgerTopIndex
            if claimsOnlyLowest {
                let silent = steps[(lo + 1)...hi].map(\.version)
                add(.schemaSilentRange, .behind, .ok,
                    "the schema matches versions \(rangeText(group)): \(Self.list(silent)) leave no schema trace; claiming \(steps[lo].version) only",
                    versions: silent,
                    evidence: silent.map { .init(version: $0, detail: "version \($0) changes no schema object (data-only or net-zero)") })
            }
            if !ledgerExists {
                planBaseline(targetIndex: targetIndex)
            } else {
                planRows(targetIndex: targetIndex, hi: hi)
            }
            if claimsOnlyLowest {
                let silent = steps[(lo + 1)...hi].map(\.version)
                actions.append(.init(kind: .keep, reason: "pass --assume-version N (N in \(rangeText(group))) to record up to N; otherwise the migrator re-runs \(Self.list(silent))"))
            }
        }

        mutating func planBaseline(targetIndex: Int) {
            let claimed = targetIndex >= 1 ? Array(steps[1...targetIndex]) : []
            add(.noLedger, .noLedger, .repairable,
                "no \(engine.ledgerTable) table, but the schema matches version \(steps[targetIndex].version)",
                versions: claimed.map(\.version),
                evidence: [proofOfMatch(targetIndex)])
            actions.append(.init(kind: .createLedger, reason: "create \(engine.ledgerTable) exactly as sqlx does"))
            for step in claimed {
                guard let migration = step.migration else { continue }
                let restored = restoredFields(migration)
                actions.append(.init(kind: .insert, version: migration.version, description: migration.description,
                                     checksum: migration.checksum, installedOn: restored.installedOn,
                                     executionTime: restored.executionTime,
                                     reason: "baseline: the schema includes version \(migration.version)" + restored.note))
            }
        }

        mutating func planRows(targetIndex: Int, hi: Int) {
            var byVersion: [Int64: LedgerRow] = [:]
            for row in rows { byVersion[row.version] = row }
            var missing: [Int64] = [], missingEvidence: [Finding.Evidence] = []
            var drift: [Int64] = [], driftEvidence: [Finding.Evidence] = []
            var dirtyFixed: [Int64] = [], dirtyEvidence: [Finding.Evidence] = []
            var dirtyUndecided: [Int64] = []
            var unproven: [Int64] = [], unprovenEvidence: [Finding.Evidence] = []
            for index in steps.indices.dropFirst() {
                let step = steps[index]
                guard let migration = step.migration else { continue }
                let row = byVersion[migration.version]
                if index <= targetIndex {
                    guard let row else {
                        missing.append(migration.version)
                        missingEvidence.append(proofOfPresence(step))
                        let restored = restoredFields(migration)
                        let why = !step.isSchemaSilent ? "the schema holds this version's effect"
                            : observation.probes[migration.version] == .ran ? "its probe says it ran"
                            : "inside the matched range, below the claimed version"
                        actions.append(.init(kind: .insert, version: migration.version, description: migration.description,
                                             checksum: migration.checksum, installedOn: restored.installedOn,
                                             executionTime: restored.executionTime, reason: why + restored.note))
                        continue
                    }
                    if row.isDirty {
                        // A schema-silent version is proven complete only by a later version the schema
                        // shows, its probe, or the person's --assume-version; otherwise nobody knows.
                        let laterProven = index < targetIndex && steps[(index + 1)...targetIndex].contains { !$0.isSchemaSilent }
                        let proof: String? = !step.isSchemaSilent ? "the schema proves version \(migration.version) completed"
                            : observation.probes[migration.version] == .ran ? "its probe says version \(migration.version) completed"
                            : laterProven ? "a later version the schema proves ran after it"
                            : options.assumeVersion != nil ? "--assume-version \(options.assumeVersion!) says it completed"
                            : nil
                        guard let proof else {
                            dirtyUndecided.append(migration.version)
                            continue
                        }
                        dirtyFixed.append(migration.version)
                        dirtyEvidence.append(proofOfPresence(step))
                        actions.append(.init(kind: .markSucceeded, version: migration.version, checksum: migration.checksum,
                                             previousChecksum: row.checksum, reason: proof))
                    } else if row.checksum != migration.checksum || row.success == nil {
                        drift.append(migration.version)
                        checksumMismatches.append(migration.version)
                        let edit = row.checksum.flatMap {
                            ChecksumEdit.explain(recorded: $0, bundled: migration, ignoring: engine.migrations.ignoredCharacters)
                        }
                        let former = engine.manifest?.formerChecksum(version: migration.version, checksum: row.checksum)
                        let cause = former.map { "known former checksum" + ($0.note.map { ": \($0)" } ?? "") }
                            ?? edit?.description
                            ?? (row.problems.isEmpty ? "the file changed after it was applied" : row.problems.joined(separator: "; "))
                        driftEvidence.append(.init(version: migration.version,
                                                   detail: "version \(migration.version) (\(migration.fileName)): recorded \(row.checksum?.short ?? "NULL"), bundled \(migration.checksum.short): \(cause)"))
                        actions.append(.init(kind: .restamp, version: migration.version, checksum: migration.checksum,
                                             previousChecksum: row.checksum, reason: cause))
                    }
                } else if let row {
                    if row.isDirty && index > hi {
                        dirtyFixed.append(migration.version)
                        dirtyEvidence.append(proofOfAbsence(step))
                        actions.append(.init(kind: .delete, version: migration.version,
                                             reason: "interrupted and the schema proves it did not apply: the migrator will re-run it"))
                    } else if row.isDirty {
                        dirtyUndecided.append(migration.version)
                    } else {
                        unproven.append(migration.version)
                        unprovenEvidence.append(proofOfAbsence(step))
                        if options.dropUnproven {
                            actions.append(.init(kind: .delete, version: migration.version,
                                                 reason: "--drop-unproven: the schema lacks this version's effect; the migrator will re-apply it"))
                        }
                    }
                }
            }
            if !missing.isEmpty {
                add(.behind, .behind, .repairable,
                    "the schema is at version \(steps[targetIndex].version) but the ledger lacks \(Self.list(missing))",
                    versions: missing, evidence: [proofOfMatch(targetIndex)] + missingEvidence)
            }
            if !drift.isEmpty {
                add(.checksumDrift, .checksumDrift, .repairable,
                    "recorded checksums differ from the bundled files for \(Self.list(drift)); the schema proves they applied",
                    versions: drift, evidence: driftEvidence)
            }
            if !dirtyFixed.isEmpty {
                add(.dirty, .dirty, .repairable,
                    "interrupted migration(s) \(Self.list(dirtyFixed)); the schema decides each", versions: dirtyFixed,
                    evidence: dirtyEvidence)
            }
            if !dirtyUndecided.isEmpty {
                add(.dirty, .dirty, .needsPerson,
                    "interrupted migration(s) \(Self.list(dirtyUndecided)) leave no schema trace: the schema cannot tell whether they completed",
                    versions: dirtyUndecided)
                blockers.append(.init(reason: "cannot tell whether \(Self.list(dirtyUndecided)) completed",
                                      flag: "--assume-version N"))
            }
            if !unproven.isEmpty {
                let command = "--drop-unproven"
                add(.ahead, .ahead, options.dropUnproven ? .repairable : .needsPerson,
                    "the ledger claims \(Self.list(unproven)) but the schema matches version \(steps[targetIndex].version)",
                    versions: unproven, evidence: [proofOfMatch(targetIndex)] + unprovenEvidence)
                if !options.dropUnproven {
                    blockers.append(.init(reason: "the ledger claims \(Self.list(unproven)), whose effects the schema lacks; rerun with \(command) to delete those rows so the migrator re-applies them",
                                          flag: command))
                }
            }
        }

        // MARK: Unknown versions

        mutating func reportUnknownVersions() {
            let unknown = unknownRows
            guard !unknown.isEmpty else { return }
            let versions = unknown.map(\.version)
            var evidence: [Finding.Evidence] = []
            for row in unknown {
                if let twin = engine.migrations.applying.first(where: { $0.checksum == row.checksum }) {
                    evidence.append(.init(version: row.version,
                                          detail: "row \(row.version) carries the checksum of bundled \(twin.fileName) (renumbered?)"))
                } else {
                    evidence.append(.init(version: row.version,
                                          detail: "row \(row.version) (\(row.description ?? "no description")) matches no bundled file (a newer build?)"))
                }
                if options.dropUnknown {
                    actions.append(.init(kind: .delete, version: row.version, reason: "--drop-unknown: not a bundled version"))
                } else if row.isDirty {
                    // sqlx stops at a dirty row before anything else: keeping it cannot make the app start.
                    blockers.append(.init(reason: "row \(row.version) is not bundled and is dirty (success = 0); sqlx refuses to start while it exists",
                                          flag: "--drop-unknown"))
                } else {
                    actions.append(.init(kind: .keep, version: row.version,
                                         reason: "not bundled; kept (sqlx reports it as missing unless the app ignores missing versions); --drop-unknown removes it"))
                }
            }
            add(.unknownVersions, .unknownVersions, options.dropUnknown ? .repairable : .needsPerson,
                "the ledger records version(s) \(Self.list(versions)) that are not bundled",
                versions: versions, evidence: evidence)
        }

        // MARK: Reference backup

        /// Reference rows a sqlx would accept for the bundled files: successful, with the bundled checksum.
        func referenceRow(_ version: Int64) -> LedgerRow? {
            guard let migration = engine.migrations.applied(version: version) else { return nil }
            return reference?.rows.first { $0.version == version && $0.success == true && $0.checksum == migration.checksum }
        }

        var referenceTopIndex: Int? {
            guard let reference else { return nil }
            let versions = reference.rows.map(\.version).filter { referenceRow($0) != nil }
            return versions.max().flatMap { engine.timeline.index(of: $0) }
        }

        /// Original `installed_on` and `execution_time` from the reference, when its row has the bundled checksum.
        func restoredFields(_ migration: Migration) -> (installedOn: String?, executionTime: Int64?, note: String) {
            guard let row = referenceRow(migration.version) else { return (nil, nil, "") }
            return (row.installedOn, row.executionTime, "; original installed_on and execution_time from the reference")
        }

        /// Where the reference, the live ledger and the schema disagree, side by side.
        mutating func reportReferenceDisagreements() {
            guard let reference else { return }
            var live: [Int64: LedgerRow] = [:]
            for row in rows { live[row.version] = row }
            var theirs: [Int64: LedgerRow] = [:]
            for row in reference.rows { theirs[row.version] = row }
            func state(_ row: LedgerRow?, _ version: Int64) -> String {
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
                if let target, let index = engine.timeline.index(of: version), let targetIndex = engine.timeline.index(of: target) {
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
                if observation.probes[step.version] == .ran {
                    return .init(version: step.version, detail: "version \(step.version) leaves no schema trace; its probe says it ran")
                }
                return .init(version: step.version, detail: "version \(step.version) leaves no schema trace; recorded because a later proven version follows it")
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
                          versions: [Int64] = [], evidence: [Finding.Evidence] = []) {
            findings.append(Finding(kind: kind, verdict: verdict, exitCode: exitCode, message: message,
                                    versions: versions, evidence: evidence))
        }

        static func list(_ versions: [Int64]) -> String {
            guard versions.count > 3 else { return versions.map(String.init).joined(separator: ", ") }
            let sorted = versions.sorted()
            let contiguous = zip(sorted, sorted.dropFirst()).allSatisfy { $1 == $0 + 1 }
            return contiguous ? "\(sorted.first!)–\(sorted.last!)" : sorted.map(String.init).joined(separator: ", ")
        }

        func result(path: String) -> Diagnosis {
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
            let summary = LedgerSummary(
                table: engine.ledgerTable, exists: exists, versions: rows.map(\.version),
                dirty: rows.filter(\.isDirty).map(\.version), checksumMismatches: checksumMismatches,
                unknownVersions: unknownRows.map(\.version))
            let plan = RepairPlan(actions: actions, blockers: blockers, targetVersion: target)
            return Diagnosis(path: path, verdict: verdict, matchedVersions: matched, nearestVersion: nearest,
                             schemaFingerprint: core.hash, ledger: summary, findings: ordered, plan: plan,
                             ledgerDigest: observation.ledgerDigest)
        }
    }
}
