import Foundation

/// The repair planner: given what the diagnosis found true (the matched timeline, each row's file),
/// decides what to write to the ledger and what only a person can settle. Every row it writes has a
/// proof: the version's effect in the schema, a probe, a reference backup, a checksum, or a flag.
///
/// ```swift
/// let plan = reconciler.diagnose(databaseAt: "state.sqlite").plan // made here, printed before anything is written
/// ```
enum RepairPlanner {}

extension DiagnosisEngine.Work {
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
        let knownRows = identities.filter { $0.file != nil }
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
        if let assumed = options.assumeVersion, let index = timeline.index(of: assumed) {
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
        var inserted: [MigrationVersion] = []
        actions.append(.init(kind: .createLedger, reason: "create \(engine.ledgerTable) exactly as \(engine.migratorName) does"))
        for step in claimed {
            guard let migration = step.migration else { continue }
            guard let proof = proofOfRun(step) else {
                leftPending.append(migration.version)
                continue
            }
            inserted.append(migration.version)
            planInsert(migration, reason: "baseline: \(proof)")
        }
        add(.noLedger, .noLedger, .repairable,
            "no \(engine.ledgerTable) table, but the schema matches version \(steps[targetIndex].version)",
            versions: inserted, evidence: [proofOfMatch(targetIndex)] + silentEvidence(leftPending))
    }

    /// A row exactly as sqlx writes it, with the reference backup's history when it has the row.
    mutating func planInsert(_ migration: Migration, reason: String) {
        let restored = restoredFields(migration)
        actions.append(.init(kind: .insert, version: migration.version, description: migration.description,
                             checksum: migration.checksum, installedOn: restored.installedOn,
                             executionTime: restored.executionTime, reason: reason + restored.note))
    }

    /// Why a version with no row counts as applied: its effect is in the schema, or (schema-silent) a
    /// probe, the reference backup or the person's flag says so. nil: nothing proves it, it stays pending.
    func proofOfRun(_ step: FingerprintTimeline.Step) -> String? {
        step.isSchemaSilent ? silentProof(step) : "the schema holds this version's effect"
    }

    func silentEvidence(_ versions: [MigrationVersion]) -> [Finding.Evidence] {
        versions.map { .init(version: $0, detail: "version \($0) leaves no schema trace and nothing proves it ran: no row is written, so the migrator runs it") }
    }

    mutating func planRows(targetIndex: Int, hi: Int) {
        var missing: [MigrationVersion] = [], missingEvidence: [Finding.Evidence] = []
        var drift: [MigrationVersion] = [], driftEvidence: [Finding.Evidence] = []
        var undecidedEdits: [MigrationVersion] = [], undecidedEvidence: [Finding.Evidence] = []
        var dirtyFixed: [MigrationVersion] = [], dirtyEvidence: [Finding.Evidence] = []
        var dirtyUndecided: [MigrationVersion] = []
        var unproven: [MigrationVersion] = [], unprovenEvidence: [Finding.Evidence] = []
        var moves: [LedgerSummary.Move] = [], moveEvidence: [Finding.Evidence] = []
        for index in steps.indices.dropFirst() {
            let step = steps[index]
            guard let migration = step.migration else { continue }
            let row = rowForFile[migration.version]
            if index <= targetIndex {
                guard let row, let identity = identityByRow[row.version] else {
                    guard let proof = proofOfRun(step) else {
                        leftPending.append(migration.version)
                        continue
                    }
                    missing.append(migration.version)
                    missingEvidence.append(proofOfPresence(step))
                    planInsert(migration, reason: proof)
                    continue
                }
                if row.isDirty {
                    // A dirty row says the migration started; its effect, its probe or the person's flag says it finished.
                    let proof: String? = identity.isMoved ? nil
                        : !step.isSchemaSilent ? "the schema proves version \(migration.version) completed"
                        : silentProof(step).map { "\($0): version \(migration.version) completed" }
                    guard let proof else {
                        dirtyUndecided.append(migration.version)
                        continue
                    }
                    dirtyFixed.append(migration.version)
                    dirtyEvidence.append(proofOfPresence(step))
                    actions.append(.init(kind: .markSucceeded, version: row.version, checksum: migration.checksum,
                                         previousChecksum: row.checksum, reason: proof))
                    continue
                }
                let edit = describeEdit(identity, row, migration)
                if identity.isMoved {
                    moves.append(.init(from: row.version, to: migration.version))
                    let how = edit.map { " (\($0.cause))" } ?? ""
                    moveEvidence.append(.init(version: migration.version,
                                              detail: "row \(row.version) holds the checksum of \(migration.fileName)\(how)"))
                    actions.append(.init(kind: .move, version: migration.version, description: migration.description,
                                         checksum: migration.checksum, previousChecksum: row.checksum,
                                         previousVersion: row.version,
                                         reason: "its checksum proves row \(row.version) records \(migration.fileName); moved with its installed_on and execution_time"))
                } else if row.checksum != migration.checksum || row.success == nil, let edit {
                    let detail = "version \(migration.version) (\(migration.fileName)): recorded \(row.checksum?.short ?? "NULL"), bundled \(migration.checksum.short): \(edit.cause)"
                    // The schema judges a migration whose effect it shows; a schema-silent one is re-stamped only
                    // when the edit is known to be cosmetic, declared, or accepted by the person.
                    if step.isSchemaSilent && !edit.settled && !options.acceptEdits.contains(migration.version) {
                        undecidedEdits.append(migration.version)
                        undecidedEvidence.append(.init(version: migration.version, detail: detail))
                        continue
                    }
                    drift.append(migration.version)
                    driftEvidence.append(.init(version: migration.version, detail: detail))
                    actions.append(.init(kind: .restamp, version: row.version, checksum: migration.checksum,
                                         previousChecksum: row.checksum, reason: edit.cause))
                }
            } else if row == nil, order != .bundled, step.isSchemaSilent, let proof = silentProof(step) {
                // Run out of order without a row (a gap): the schema cannot show it, its probe or the reference can.
                missing.append(migration.version)
                missingEvidence.append(proofOfPresence(step))
                planInsert(migration, reason: proof)
            } else if let row {
                if row.isDirty && index > hi && identityByRow[row.version]?.isMoved != true {
                    dirtyFixed.append(migration.version)
                    dirtyEvidence.append(proofOfAbsence(step))
                    actions.append(.init(kind: .delete, version: row.version,
                                         reason: "interrupted and the schema proves it did not apply: the migrator will re-run it"))
                } else if row.isDirty {
                    dirtyUndecided.append(migration.version)
                } else {
                    unproven.append(row.version)
                    unprovenEvidence.append(proofOfAbsence(step))
                    if options.dropUnproven {
                        actions.append(.init(kind: .delete, version: row.version,
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
        if !moves.isEmpty {
            add(.movedRows, .movedRows, .repairable, Self.describe(moves), versions: moves.map(\.to), evidence: moveEvidence)
        }
        if !drift.isEmpty {
            add(.checksumDrift, .checksumDrift, .repairable,
                "recorded checksums differ from the bundled files for \(Self.list(drift)); the schema proves they applied",
                versions: drift, evidence: driftEvidence)
        }
        if !undecidedEdits.isEmpty {
            add(.checksumDrift, .checksumDrift, .needsPerson,
                "schema-silent migration(s) \(Self.list(undecidedEdits)) changed after they ran and the schema cannot judge the edit",
                versions: undecidedEdits, evidence: undecidedEvidence)
            for version in undecidedEdits {
                blockers.append(.init(reason: "version \(version) leaves no schema trace and its file changed in a way not known to be cosmetic; accept the bundled text with --accept-edit \(version) (or declare the old checksum in a [[former-checksum]] entry)",
                                      flag: "--accept-edit \(version)"))
            }
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
        if !leftPending.isEmpty {
            let below = leftPending.filter { version in (timeline.index(of: version) ?? 0) < targetIndex }
            if !below.isEmpty, ledgerTopIndex == nil || !below.allSatisfy({ (timeline.index(of: $0) ?? 0) < (ledgerTopIndex ?? 0) }) {
                add(.schemaSilentRange, .behind, .ok,
                    "\(Self.list(below)) leave no schema trace and nothing proves they ran: left pending, so the migrator runs them",
                    versions: below, evidence: silentEvidence(below))
            }
        }
    }

    /// "rows 37 and 38 carry each other's files; row 5 carries the file of 7".
    static func describe(_ moves: [LedgerSummary.Move]) -> String {
        var parts: [String] = []
        var done: Set<MigrationVersion> = []
        for move in moves where !done.contains(move.from) {
            if moves.contains(where: { $0.from == move.to && $0.to == move.from }) {
                parts.append("rows \(min(move.from, move.to)) and \(max(move.from, move.to)) carry each other's files")
                done.formUnion([move.from, move.to])
            } else {
                parts.append("row \(move.from) carries the file of version \(move.to)")
                done.insert(move.from)
            }
        }
        return parts.joined(separator: "; ") + ": moved to the versions their checksums prove"
    }

    /// What is known of the text a row's checksum was made from, and whether that settles a re-stamp.
    func describeEdit(_ identity: RowIdentity, _ row: LedgerRow, _ migration: Migration) -> (cause: String, settled: Bool)? {
        switch identity.basis {
        case .exact:
            // The same text ran; only how the row stores it (TEXT hex, NULL success) needs mending.
            guard row.checksum != migration.checksum || row.success == nil else { return nil }
            return (row.problems.isEmpty ? "the row does not store the checksum as sqlx does" : row.problems.joined(separator: "; "), true)
        case .variant(let edit):
            let comparison = edit.appliedText(from: migration.sql).map { EditComparison(applied: $0, bundled: migration.sql) }
            if let comparison, !comparison.isCosmetic { return ("\(edit.description), which changes \(comparison.summary)", false) }
            return (edit.description, true)
        case .former(let note):
            return ("known former checksum" + (note.map { ": \($0)" } ?? ""), true)
        case .history(let recovered):
            let comparison = EditComparison(applied: recovered.text, bundled: migration.sql)
            return ("the applied text is in git history (commit \(recovered.commit.prefix(12))): \(comparison.description)", comparison.isCosmetic)
        case .unexplained:
            let problems = row.problems
            return (problems.isEmpty ? "the file changed after it was applied" : problems.joined(separator: "; "), false)
        case .conflict, .unknown:
            return nil
        }
    }
}
