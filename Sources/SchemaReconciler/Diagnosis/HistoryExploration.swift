import Foundation

/// How the diagnosis finds which set of migrations ran, in which order, when the prefix timeline fails.
extension DiagnosisEngine.Work {
    /// Hypotheses tried beyond the ledger's own order, each way (one more, one fewer version).
    static let singleChangeBound = 32

    // MARK: Other histories

    /// What the ledger claims ran, in the order it ran: `installed_on`, then version (sqlx applies in
    /// version order within a run). Files are the ones the rows' checksums prove.
    var claimedSequence: [Migration] {
        rows.filter { $0.success == true }
            .compactMap { row -> (LedgerRow, Migration)? in
                guard let file = identityByRow[row.version]?.file, let migration = engine.migrations.applied(version: file) else { return nil }
                return (row, migration)
            }
            .sorted { ($0.0.installedOn ?? "", $0.0.version) < ($1.0.installedOn ?? "", $1.0.version) }
            .map(\.1)
    }

    /// Whether the files successful rows record are exactly the first k bundled ones (or none).
    var claimsPrefixSet: Bool {
        var files: Set<MigrationVersion> = []
        for row in rows where row.success == true {
            guard let file = identityByRow[row.version]?.file else { continue }
            files.insert(file)
        }
        return engine.migrations.applying.prefix(files.count).allSatisfy { files.contains($0.version) }
    }

    /// A ledger whose set is not a prefix of the bundled order (gaps, moved rows) is evidence
    /// too: when replaying exactly what it claims explains the schema, that explanation wins, so a gap
    /// the schema cannot tell apart from "ran" is left pending rather than claimed. Healthy ledgers are
    /// prefixes and replay nothing here.
    mutating func ledgerOrderGroups() -> [ClosedRange<Int>] {
        // Code migrations (GRDB) replay their registration order only: no other order is tried.
        guard !engine.migrations.replaysInOrderOnly else { return [] }
        // A prefix set is the bundled timeline's business whatever its timestamps say (clocks go backwards).
        guard !claimsPrefixSet else { return [] }
        let claimed = claimedSequence
        guard !claimed.isEmpty else { return [] }
        let claimedVersions = Set(claimed.map(\.version))
        let replayed = engine.replayer.timeline(for: claimed + engine.migrations.applying.filter { !claimedVersions.contains($0.version) })
        guard replayed.steps.count > claimed.count, replayed.steps[claimed.count].fingerprint == core.hash else { return [] }
        let bundled = timeline
        timeline = replayed
        order = .ledger
        let groups = matchingGroups()
        guard let top = ledgerTopIndex, groups.contains(where: { $0.contains(top) }) else {
            timeline = bundled
            order = .bundled
            return []
        }
        return groups
    }

    /// Replays what the ledger claims ran, in the order it ran, followed by the pending versions; then
    /// the same with one pending version run early, or one recorded version missing. The first whose
    /// timeline holds the database's fingerprint explains it. Beyond these, only other orders of the same set are tried (``reorderedHistory(_:pending:)``).
    func exploreHistories() -> (timeline: FingerprintTimeline, order: AppliedHistory.Order)? {
        guard !engine.migrations.replaysInOrderOnly else { return nil }
        let claimed = claimedSequence
        guard !claimed.isEmpty else { return nil }
        let claimedVersions = Set(claimed.map(\.version))
        let pending = engine.migrations.applying.filter { !claimedVersions.contains($0.version) }
        var candidates: [(sequence: [Migration], order: AppliedHistory.Order, ledgerLength: Int)] = [(claimed + pending, .ledger, claimed.count)]
        for early in pending.prefix(Self.singleChangeBound) {
            candidates.append((claimed + [early] + pending.filter { $0.version != early.version }, .ledgerWithOne, claimed.count))
        }
        for missing in claimed.reversed().prefix(Self.singleChangeBound) {
            let rest = (pending + [missing]).sorted { $0.version < $1.version }
            candidates.append((claimed.filter { $0.version != missing.version } + rest, .ledgerWithoutOne, claimed.count - 1))
        }
        let bundledOrder = engine.migrations.applying.map(\.version)
        for candidate in candidates where candidate.sequence.map(\.version) != bundledOrder {
            let replayed = engine.replayer.timeline(for: candidate.sequence)
            // A hypothesis that cannot replay what the ledger records is impossible.
            if replayed.replayFailure != nil, replayed.steps.count <= candidate.ledgerLength { continue }
            if replayed.steps.contains(where: { $0.fingerprint == core.hash }) { return (replayed, candidate.order) }
        }
        return reorderedHistory(claimed, pending: pending)
    }

    /// Most replays spent looking for another order of the ledger's set.
    static let reorderBudget = 256

    /// The ledger's set in another order: rows written in one second (`installed_on` ties), or rows
    /// moved to their files' versions, do not say which ran first. Guided by the objects that differ
    /// from the ledger-order replay, the claimed files that touch one are tried at every other point,
    /// then swapped in pairs, within a fixed budget of replays.
    func reorderedHistory(_ claimed: [Migration], pending: [Migration]) -> (timeline: FingerprintTimeline, order: AppliedHistory.Order)? {
        let base = engine.replayer.timeline(for: claimed + pending)
        guard base.steps.count > claimed.count else { return nil }
        let replayedObjects = base.objects(atIndex: claimed.count)
        var differing: Set<ObjectKey> = []
        for (key, object) in core.objects where replayedObjects[key]?.hash != object.hash { differing.insert(key) }
        for key in replayedObjects.keys where core.objects[key] == nil { differing.insert(key) }
        guard !differing.isEmpty else { return nil }
        // Newest first: a renumbered file most often moved to a higher version than the point where it ran.
        let touching = claimed.indices.reversed().filter { position in
            let effect = base.steps[position + 1].effect
            return (effect.added + effect.changedObjects + effect.removed).contains { differing.contains($0.key) }
        }
        var orders: [[Migration]] = []
        for position in touching {
            for point in claimed.indices where point != position {
                var order = claimed
                order.insert(order.remove(at: position), at: point)
                orders.append(order)
            }
        }
        for (offset, first) in touching.enumerated() {
            for second in touching.dropFirst(offset + 1) {
                var order = claimed
                order.swapAt(first, second)
                orders.append(order)
            }
        }
        for order in orders.prefix(Self.reorderBudget) {
            let replayed = engine.replayer.timeline(for: order + pending)
            if replayed.steps.count > claimed.count, replayed.steps[claimed.count].fingerprint == core.hash {
                return (replayed, .ledgerReordered)
            }
        }
        return nil
    }

    // MARK: Partial application

    /// Names a migration of which only the first statements ran: the schema equals the version before
    /// it plus a statement prefix of it. Tried for the migration after the nearest version and after
    /// the ledger's newest.
    mutating func reportPartialApplication() {
        // A migration that is code has no statements to count.
        guard !engine.migrations.replaysInOrderOnly else { return }
        let bundled = engine.timeline.steps
        var candidates: [Int] = []
        if let nearest, let index = engine.timeline.index(of: nearest) { candidates.append(index + 1) }
        if let top = ledgerTopIndex { candidates.append(top + 1) }
        for index in Set(candidates).sorted() where index < bundled.count {
            guard let migration = bundled[index].migration else { continue }
            let prefix = Array(bundled[1..<index].compactMap(\.migration))
            guard let (ran, total) = engine.replayer.statementPrefix(of: migration, after: prefix, matching: core.hash) else { continue }
            let before = bundled[index - 1].version
            add(.partiallyApplied, .unrecognised, .needsPerson,
                "migration \(migration.version) is partially applied: the schema is version \(before) plus the first \(ran) of \(migration.fileName)'s \(total) statements",
                versions: [migration.version],
                evidence: [.init(version: migration.version,
                                 detail: "replaying \(before) and then \(ran) statement(s) of \(migration.fileName) gives fingerprint \(core.hash.short), the database's")])
            blockers.append(.init(reason: "migration \(migration.version) stopped part-way (a crash, or a `-- no-transaction` file interrupted); a person must finish or undo it before the ledger can tell the truth"))
            return
        }
    }

    // MARK: Ledger facts whatever the verdict

    /// sqlx's own view of the ledger, for databases no history explains: the person deciding needs it.
    mutating func reportLedgerCheck() {
        // GRDB has no start-up check to report.
        guard case .present = observation.ledger, !engine.migrations.replaysInOrderOnly else { return }
        // Other tools have their own check and words for it.
        guard engine.dialect is SQLxLedger else {
            if let problem = engine.dialect.startupProblem(rows: rows, migrations: engine.migrations, ignoreMissing: false) {
                add(.ledgerCheck, .consistent, .ok, "\(engine.migratorName)'s start-up check on this ledger: \(problem)")
            }
            return
        }
        var parts: [String] = []
        let dirty = rows.filter(\.isDirty).map(\.version)
        if !dirty.isEmpty { parts.append("dirty \(Self.list(dirty))") }
        let notBundled = rows.map(\.version).filter { !engine.migrations.allVersions.contains($0) }
        if !notBundled.isEmpty { parts.append("MISSING \(Self.list(notBundled))") }
        if !checksumMismatches.isEmpty { parts.append("MISMATCH \(Self.list(checksumMismatches))") }
        guard !parts.isEmpty else { return }
        add(.ledgerCheck, .consistent, .ok, "\(engine.migratorName)'s start-up check on this ledger would say: \(parts.joined(separator: "; "))",
            versions: dirty + notBundled + checksumMismatches)
    }

    /// Two rows that claim one file cannot both be right; a person picks.
    mutating func reportConflicts() {
        for identity in identities {
            guard case .conflict(let file) = identity.basis, let winner = rowForFile[file] else { continue }
            add(.movedRows, .movedRows, .needsPerson,
                "rows \(winner.version) and \(identity.rowVersion) both record the file of version \(file)",
                versions: [identity.rowVersion, winner.version])
            blockers.append(.init(reason: "row \(identity.rowVersion) records the same file as row \(winner.version); delete one by hand after checking which ran"))
        }
    }

    /// A migration that fails to replay ends the timeline: databases whose evidence lies before it are
    /// diagnosed as usual; any other needs a person.
    mutating func reportReplayFailure() {
        guard let failure = engine.timeline.replayFailure else { return }
        let beyond = rows.map(\.version).filter { $0 >= failure.version && engine.migrations.applied(version: $0) != nil }
        let detail = "\(failure.message) (SQLite \(failure.sqliteVersion) is linked)"
        if matched != nil, beyond.isEmpty {
            add(.replayFailed, .consistent, .ok,
                "migration \(failure.version) fails to replay here: \(detail); this database's evidence lies before it, so the diagnosis stands",
                versions: [failure.version], evidence: [.init(version: failure.version, detail: failure.description)])
        } else {
            add(.replayFailed, .unrecognised, .needsPerson,
                "migration \(failure.version) fails to replay here: \(detail); versions from \(failure.version) on cannot be fingerprinted, and this database needs them",
                versions: [failure.version] + beyond, evidence: [.init(version: failure.version, detail: failure.description)])
            blockers.append(.init(reason: "migration \(failure.version) cannot be replayed with this SQLite, so the schema cannot prove what ran from it on"))
        }
    }

    // MARK: Pending versions

    /// The bundled versions that will have no row once the plan runs: the migrator applies them at its
    /// next start. Below the newest recorded one they are out of order, which sqlx accepts.
    mutating func reportPending() {
        // When the plan runs, its inserts and deletes count; when it is refused, the ledger stays as it is.
        var recorded: Set<MigrationVersion> = []
        var deleted: Set<MigrationVersion> = []
        if blockers.isEmpty {
            for action in actions {
                guard let version = action.version else { continue }
                switch action.kind {
                case .delete: deleted.insert(version)
                case .insert: recorded.insert(version)
                default: break
                }
            }
        }
        for row in rows where row.success == true && !deleted.contains(row.version) {
            if let file = identityByRow[row.version]?.file { recorded.insert(file) }
        }
        // The order they ran is the matched history's order; anything it does not hold goes last.
        var applied = steps.dropFirst().map(\.version).filter { recorded.contains($0) }
        if applied.count < recorded.count {
            let placed = Set(applied)
            applied += recorded.filter { !placed.contains($0) }.sorted()
        }
        let newest = recorded.max()
        let pending = engine.migrations.applying.map(\.version).filter { !recorded.contains($0) }
        let outOfOrder = newest.map { top in pending.filter { $0 < top } } ?? []
        history = AppliedHistory(order: matched == nil ? nil : order, applied: applied, pending: pending, outOfOrder: outOfOrder)
        if !outOfOrder.isEmpty, blockers.isEmpty {
            let evidence: [Finding.Evidence] = outOfOrder.map { version in
                let silent = engine.timeline.index(of: version).map { engine.timeline.steps[$0].isSchemaSilent } ?? false
                if leftPending.contains(version) || silent {
                    return .init(version: version, detail: "version \(version) leaves no schema trace and nothing proves it ran: left for the migrator to run (a [[probe]] or --assume-version settles it if it did)")
                }
                return .init(version: version, detail: "the schema lacks version \(version)'s effect")
            }
            add(.pendingOutOfOrder, .consistent, .ok,
                "\(Self.list(outOfOrder)) pending (out of order): \(engine.migratorName) applies \(outOfOrder.count == 1 ? "it" : "them") at the next start",
                versions: outOfOrder, evidence: evidence)
        }
        if options.requireTip, !pending.isEmpty, blockers.isEmpty {
            add(.pendingMigrations, .consistent, .needsPerson,
                "not at the newest version: migrations \(Self.list(pending)) are pending (run the app or `sqlx migrate run`)",
                versions: pending)
        }
    }

    /// What proves a schema-silent version ran, when something does: its probe, the reference backup, or the person's flag.
    func silentProof(_ step: FingerprintTimeline.Step) -> String? {
        if observation.probes[step.version] == .ran { return "its probe says it ran" }
        if referenceRow(step.version) != nil { return "the reference backup records it with the bundled checksum" }
        if let assumed = options.assumeVersion, let assumedIndex = timeline.index(of: assumed),
           let index = timeline.index(of: step.version), index <= assumedIndex {
            return "--assume-version \(assumed) covers it"
        }
        return nil
    }
}
