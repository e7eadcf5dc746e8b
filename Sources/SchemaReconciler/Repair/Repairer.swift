import Foundation
import GRDB

extension Reconciler {
    /// Rewrites the ledger of the database at `path` so it tells the truth, or explains why not.
    ///
    /// The order is fixed: open read-only and run `quick_check`; make the plan; stop there if there is
    /// nothing to do, a decision a person must make, or `dryRun`; take the write lock (`BEGIN
    /// IMMEDIATE`) and confirm the schema and ledger still hash to what the plan was made from; back
    /// up through SQLite's online backup API and verify the copy; write only the ledger table
    /// (triggers off), re-validate as sqlx's start-up check does, and commit. Any surprise rolls back.
    /// A database another process holds gets no backup. Never throws.
    ///
    /// ```swift
    /// let outcome = reconciler.repair(databaseAt: "state.sqlite")
    /// guard outcome.exitCode == .ok else { fatalError(outcome.message) }
    /// ```
    ///
    /// - Parameters:
    ///   - path: The database file, opened exactly as given.
    ///   - options: Plan choices, dry run, backup location and busy timeout.
    /// - Returns: What was done; ``RepairOutcome/failure`` says why a failed repair failed.
    public func repair(databaseAt path: String, options: RepairOptions = RepairOptions()) -> RepairOutcome {
        Repairer(reconciler: self, path: path, options: options).run()
    }
}

/// One repair of one database, step by step.
struct Repairer {
    let reconciler: Reconciler
    let path: String
    let options: RepairOptions
    /// The reference backup's ledger (`--reference`), read once before anything else.
    var reference: ReferenceLedger?

    /// A reason to stop without writing.
    struct Stop: Error {
        let message: String
        let exitCode: ExitCode
        /// The typed form of the message.
        let failure: DatabaseFailure

        init(_ kind: DatabaseFailure.Kind, path: String, message: String, exitCode: ExitCode) {
            self.init(DatabaseFailure(kind: kind, path: path, description: message), exitCode: exitCode)
        }

        init(_ failure: DatabaseFailure, exitCode: ExitCode) {
            self.message = failure.description
            self.exitCode = exitCode
            self.failure = failure
        }
    }

    func run() -> RepairOutcome {
        if let precheck = DatabaseFailure.precheck(path: path) {
            return failure(precheck)
        }
        // Read-only until the plan is known.
        var withReference = self
        do {
            withReference.reference = try options.plan.referencePath.map { try reconciler.readReference(at: $0) }
        } catch {
            return failure(Reconciler.referenceFailure(error, path: options.plan.referencePath ?? ""))
        }
        return withReference.runWithReference()
    }

    private func runWithReference() -> RepairOutcome {
        let observation: DatabaseObservation
        var recovered = false
        do {
            do {
                observation = try readOnlyObservation()
            } catch where DatabaseFileError.needsRecovery(error) && !options.dryRun {
                // SQLite's own crash recovery restores the pre-crash content; every reader needs it done.
                try recoverHotJournal()
                recovered = true
                observation = try readOnlyObservation()
            }
        } catch let stop as Stop {
            return failure(stop.failure, stop.exitCode)
        } catch {
            return failure(DatabaseFailure(error, path: path))
        }
        var outcome = conclude(observation)
        if recovered { outcome.message += " (a crashed writer's unfinished transaction was rolled back first)" }
        return outcome
    }

    /// Everything after the read-only phase: stop, or back up and write.
    private func conclude(_ observation: DatabaseObservation) -> RepairOutcome {
        let diagnosis = reconciler.engine.diagnose(observation, path: path, options: options.plan, reference: reference)
        var outcome = RepairOutcome(path: path, status: .nothingToDo, before: diagnosis, after: nil, backupPath: nil,
                                    auditPath: nil, ledgerBefore: observation.ledger.rows, ledgerAfter: nil,
                                    message: "", exitCode: diagnosis.exitCode)
        if !diagnosis.plan.blockers.isEmpty {
            outcome.status = .refused
            outcome.message = "nothing written: " + diagnosis.plan.blockers.map { blocker in
                blocker.flag.map { "\(blocker.reason) [\($0)]" } ?? blocker.reason
            }.joined(separator: "; ")
            return outcome
        }
        guard diagnosis.plan.writes else {
            outcome.message = "the ledger already tells the truth; nothing written"
            return outcome
        }
        if options.dryRun {
            outcome.status = .dryRun
            outcome.message = "\(diagnosis.plan.actions.filter(\.writes).count) ledger write(s) planned; nothing written (--dry-run)"
            return outcome
        }
        do {
            try write(plan: diagnosis.plan, basis: observation, into: &outcome)
        } catch let stop as Stop {
            outcome.status = .failed
            outcome.message = stop.message
            outcome.exitCode = stop.exitCode
            outcome.failure = stop.failure
        } catch let failure as Backup.Failure {
            outcome.status = .failed
            outcome.message = "\(failure.description); the database was not touched"
            outcome.exitCode = .unreadable
            outcome.failure = DatabaseFailure(kind: .backupFailed, path: failure.sqlite?.path ?? path,
                                              extendedResultCode: failure.sqlite?.extendedResultCode,
                                              sqliteMessage: failure.sqlite?.sqliteMessage, description: outcome.message)
        } catch {
            let typed = DatabaseFailure(error, path: path)
            outcome.status = .failed
            outcome.message = "\(typed.description); rolled back, nothing changed"
            outcome.exitCode = .unreadable
            outcome.failure = typed
        }
        return outcome
    }

    // MARK: - Steps

    private func readOnlyObservation() throws -> DatabaseObservation {
        let queue = try HardenedDatabase.open(path: path, access: .readOnly, busyTimeout: options.busyTimeout)
        defer { try? queue.close() }
        return try queue.read { db in
            if let failure = try DatabaseFailure.quickCheck(db, path: path) {
                throw Stop(failure, exitCode: .unreadable)
            }
            return try reconciler.observation(in: db, evaluateInvariants: false)
        }
    }

    /// Opens the database for writing once, which makes SQLite roll back a hot journal.
    private func recoverHotJournal() throws {
        try checkWritable()
        let queue = try HardenedDatabase.open(path: path, access: .readWrite, busyTimeout: options.busyTimeout)
        defer { try? queue.close() }
        try queue.writeWithoutTransaction { db in
            _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM main.sqlite_schema")
        }
    }

    private func checkWritable() throws {
        let folderPath = Backup.folder(of: path)
        guard FileManager.default.isWritableFile(atPath: path) else {
            throw Stop(.readOnly, path: path, message: "\(path): read-only file; nothing written", exitCode: .unreadable)
        }
        guard FileManager.default.isWritableFile(atPath: folderPath) else {
            throw Stop(.readOnly, path: path, message: "\(folderPath): folder is read-only, SQLite cannot write its journal; nothing written",
                       exitCode: .unreadable)
        }
    }

    private func write(plan: RepairPlan, basis: DatabaseObservation, into outcome: inout RepairOutcome) throws {
        try checkWritable()
        let backupPath: String?
        switch options.backup {
        case .none: backupPath = nil
        case .besideDatabase: backupPath = Backup.defaultPath(for: path, at: options.now())
        case .at(let explicit): backupPath = explicit
        }
        if let backupPath { try Backup.checkWritable(backupPath, database: path) }

        let queue = try HardenedDatabase.open(path: path, access: .readWrite, busyTimeout: options.busyTimeout)
        defer { try? queue.close() }
        // The write lock comes first: a database another process holds gets no backup, so retrying
        // while the app runs does not fill the disk; and the backup is exactly what the write starts from.
        let after = try queue.writeWithoutTransaction { db -> DatabaseObservation in
            try HardenedDatabase.setTriggersEnabled(false, in: db)
            try db.execute(sql: "BEGIN IMMEDIATE")
            do {
                try confirmUnchanged(since: basis, db: db)
                if let backupPath {
                    try Backup.make(of: path, at: backupPath, expected: basis, reconciler: reconciler,
                                    busyTimeout: options.busyTimeout)
                    outcome.backupPath = backupPath
                }
                FaultInjection.pause(at: .afterBackup)
                let observation = try transaction(plan: plan, basis: basis, db: db)
                FaultInjection.pause(at: .beforeCommit)
                try db.execute(sql: "COMMIT")
                return observation
            } catch {
                if db.isInsideTransaction { try? db.execute(sql: "ROLLBACK") }
                throw error
            }
        }
        outcome.status = .repaired
        outcome.ledgerAfter = after.ledger.rows
        outcome.after = reconciler.engine.diagnose(after, path: path, options: options.plan, reference: reference)
        outcome.exitCode = outcome.after?.exitCode ?? .ok
        let written = plan.actions.filter(\.writes).count
        outcome.message = "\(written) ledger write(s) committed"
            + (backupPath.map { "; backup at \($0)" } ?? "; no backup (--no-backup)")
        switch writeAudit(outcome: outcome, plan: plan) {
        case .success(let auditPath):
            outcome.auditPath = auditPath
        case .failure(let failure):
            // The repair stands, but its record is missing: say so and do not exit as if all went well.
            outcome.auditFailure = failure.description
            outcome.message += "; but the audit record could not be written (\(failure.description))"
            outcome.exitCode = max(outcome.exitCode, .unreadable)
        }
    }

    /// Under the write lock, before anything else: the schema and ledger still hash to what the plan
    /// was made from, or nothing happens (not even a backup). The write step checks again on its own;
    /// nothing can change in between, since this connection holds the lock.
    private func confirmUnchanged(since basis: DatabaseObservation, db: Database) throws {
        let current = try reconciler.observe(db)
        guard current.snapshot.hash == basis.snapshot.hash, current.ledgerDigest == basis.ledgerDigest else {
            throw Stop(.changedDuringRepair, path: path,
                       message: "\(path): the database changed since the plan was made (is the app running?); rolled back, run again",
                       exitCode: .unreadable)
        }
    }

    /// Inside `BEGIN IMMEDIATE`: confirm, write, re-validate. Throws to roll back.
    private func transaction(plan: RepairPlan, basis: DatabaseObservation, db: Database) throws -> DatabaseObservation {
        let current = try reconciler.observe(db)
        guard current.snapshot.hash == basis.snapshot.hash, current.ledgerDigest == basis.ledgerDigest else {
            throw Stop(.changedDuringRepair, path: path, message: "\(path): the database changed since the plan was made (is the app running?); rolled back, run again",
                       exitCode: .unreadable)
        }
        let changesBefore = db.totalChangesCount
        let ledger = reconciler.ledger
        let rowWrites = try ledger.record(plan.actions, current: current.ledger.rows, migrations: reconciler.migrations, in: db)
        var after = try reconciler.observe(db)
        // Only the ledger changed: what the probes and invariants found about user data still holds.
        after.probes = basis.probes
        after.invariants = basis.invariants
        guard db.totalChangesCount - changesBefore == rowWrites else {
            throw Stop(.verificationFailed, path: path, message: "\(path): \(db.totalChangesCount - changesBefore) rows changed where \(rowWrites) ledger writes were planned; rolled back",
                       exitCode: .unreadable)
        }
        guard after.snapshot.hash == basis.snapshot.hash else {
            throw Stop(.changedDuringRepair, path: path, message: "\(path): the schema changed during the repair; rolled back", exitCode: .unreadable)
        }
        let keptUnknown = plan.actions.contains { $0.kind == .keep && $0.version != nil }
        if let problem = ledger.startupProblem(rows: after.ledger.rows, migrations: reconciler.migrations,
                                               ignoreMissing: keptUnknown) {
            throw Stop(.verificationFailed, path: path, message: "\(path): the repaired ledger would still fail \(ledger.name)'s check (\(problem)); rolled back",
                       exitCode: .needsPerson)
        }
        let again = reconciler.engine.diagnose(after, path: path, options: options.plan, reference: reference)
        guard !again.plan.writes else {
            throw Stop(.verificationFailed, path: path, message: "\(path): the repaired ledger still needs changes (\(again.verdict.rawValue)); rolled back",
                       exitCode: .needsPerson)
        }
        return after
    }

    /// The write phase alone, for tests that change the database between plan and transaction.
    func writeForTesting(plan: RepairPlan, basis: DatabaseObservation, into outcome: inout RepairOutcome) throws {
        try write(plan: plan, basis: basis, into: &outcome)
    }

    // MARK: - Audit

    private struct AuditRecord: Encodable {
        var tool = "schema-reconcile"
        var toolVersion = ToolVersion.current
        var time: String
        var database: String
        var backup: String?
        var verdictBefore: String
        var verdictAfter: String?
        var plan: [RepairPlan.Action]
        var ledgerBefore: [LedgerRow]
        var ledgerAfter: [LedgerRow]?
    }

    /// Writes the audit record beside the backup (or the database), as a new file with the database's
    /// permission bits: never through a link, never over an existing file.
    private func writeAudit(outcome: RepairOutcome, plan: RepairPlan) -> Result<String, ExclusiveFile.Failure> {
        let formatter = ISO8601DateFormatter()
        let now = options.now()
        let auditPath = outcome.backupPath.map(Backup.auditPath(forBackup:))
            ?? Backup.auditPath(withoutBackupFor: path, at: now)
        let record = AuditRecord(time: formatter.string(from: now), database: path, backup: outcome.backupPath,
                                 verdictBefore: outcome.before.verdict.rawValue, verdictAfter: outcome.after?.verdict.rawValue,
                                 plan: plan.actions, ledgerBefore: outcome.ledgerBefore, ledgerAfter: outcome.ledgerAfter)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            // The record holds only strings, integers, booleans and digests, which always encode.
            let data = try encoder.encode(record)
            try ExclusiveFile.write(data, toNewFileAt: auditPath, mode: ExclusiveFile.modeBits(of: path))
            return .success(auditPath)
        } catch let failure as ExclusiveFile.Failure {
            return .failure(failure)
        } catch {
            return .failure(ExclusiveFile.Failure(path: auditPath, code: EIO, doing: "cannot encode the audit record"))
        }
    }

    private func failure(_ failure: DatabaseFailure, _ code: ExitCode = .unreadable) -> RepairOutcome {
        RepairOutcome(path: path, status: .failed, before: reconciler.engine.unreadable(path: path, failure: failure),
                      after: nil, backupPath: nil, auditPath: nil, ledgerBefore: [], ledgerAfter: nil,
                      message: failure.description, exitCode: code, failure: failure)
    }
}
