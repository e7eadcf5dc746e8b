import Foundation

/// What `fingerprint --write-lock` or `--check-lock` found or did, ready to print as text, JSON or Markdown.
///
/// Both replay the migrations afresh and never trust the lock itself.
///
/// ```swift
/// let reconciler = try Reconciler(migrationsFolder: folder, useLock: false)
/// let report = LockReport.check(reconciler)
/// print(report.text())
/// exit(report.exitCode.rawValue)
/// ```
public struct LockReport: Sendable, Hashable {
    /// How it ended.
    public enum Status: String, Sendable, Hashable {
        /// `--write-lock` wrote the lock.
        case written
        /// `--write-lock` could not write it (exit 3).
        case unwritable
        /// The lock matches a fresh replay.
        case upToDate = "up-to-date"
        /// The lock differs from a fresh replay (exit 1).
        case stale
        /// There is no lock (exit 1).
        case missing
        /// The lock is not a lock this tool can read (exit 1).
        case unreadable
    }

    /// The lock file.
    public var path: String
    /// How it ended.
    public var status: Status
    /// Migrations in the set (written) or in the lock (checked), when known.
    public var migrationCount: Int?
    /// The tip fingerprint of the fresh replay.
    public var tipFingerprint: String
    /// Why the lock is stale, one line each; or why it could not be read or written.
    public var reasons: [String]

    /// The code this outcome warrants.
    public var exitCode: ExitCode {
        switch status {
        case .written, .upToDate: return .ok
        case .stale, .missing, .unreadable: return .repairable
        case .unwritable: return .unreadable
        }
    }

    /// Whether the outcome is a failure to say on standard error rather than a report.
    public var isFailure: Bool { status == .unwritable || status == .missing || status == .unreadable }

    /// Writes the lock for `reconciler`'s set (built from a replay, not from a lock) into its folder.
    ///
    /// ```swift
    /// let report = LockReport.write(try Reconciler(migrationsFolder: folder, useLock: false))
    /// ```
    public static func write(_ reconciler: Reconciler) -> LockReport {
        let fresh = FingerprintLock(reconciler: reconciler)
        let url = reconciler.migrations.folder.appendingPathComponent(FingerprintLock.fileName)
        var report = LockReport(path: url.path, status: .written, migrationCount: fresh.migrations.count,
                                tipFingerprint: reconciler.timeline.tip.fingerprint.short, reasons: [])
        do {
            try fresh.write(to: url)
        } catch {
            report.status = .unwritable
            report.reasons = ["cannot write the lock: \(String(describing: error))"]
        }
        return report
    }

    /// Compares the lock in `reconciler`'s folder with `reconciler`'s fresh replay.
    ///
    /// ```swift
    /// let report = LockReport.check(try Reconciler(migrationsFolder: folder, useLock: false))
    /// ```
    public static func check(_ reconciler: Reconciler) -> LockReport {
        let url = reconciler.migrations.folder.appendingPathComponent(FingerprintLock.fileName)
        var report = LockReport(path: url.path, status: .upToDate, migrationCount: nil,
                                tipFingerprint: reconciler.timeline.tip.fingerprint.short, reasons: [])
        let locked: FingerprintLock?
        do {
            locked = try FingerprintLock.read(from: url)
        } catch {
            report.status = .unreadable
            report.reasons = ["unreadable lock: \(error.localizedDescription)"]
            return report
        }
        guard let locked else {
            report.status = .missing
            report.reasons = ["no lock; write one with `fingerprint --write-lock`"]
            return report
        }
        report.migrationCount = locked.migrations.count
        var reasons = locked.staleness(for: reconciler.migrations, options: reconciler.snapshotOptions,
                                       manifest: reconciler.manifest) ?? []
        if reasons.isEmpty {
            for (entry, step) in zip(locked.migrations, reconciler.timeline.steps.dropFirst())
            where entry.fingerprint != step.fingerprint {
                reasons.append("\(entry.fileName): fingerprint \(entry.fingerprint.short) in the lock, \(step.fingerprint.short) replayed")
            }
        }
        if !reasons.isEmpty {
            report.status = .stale
            report.reasons = reasons
        }
        return report
    }

    // MARK: - Rendering

    /// The outcome for people; a failure is one line (the caller puts it on standard error).
    public func text() -> String {
        let path = ControlCharacters.escape(self.path)
        switch status {
        case .written:
            return "wrote \(path): \(migrationCount ?? 0) migration(s), tip fingerprint \(tipFingerprint)"
        case .upToDate:
            return "\(path): up to date (\(migrationCount ?? 0) migration(s))"
        case .stale:
            return (["\(path): stale; run `schema-reconcile fingerprint --write-lock`"]
                    + reasons.map { "  - " + ControlCharacters.escape($0) }).joined(separator: "\n")
        case .unwritable, .missing, .unreadable:
            return "\(path): " + ControlCharacters.escape(reasons.joined(separator: "; "))
        }
    }

    /// The outcome as a stable, versioned JSON document.
    public func json() -> String {
        ReportJSON.encode(Document(formatVersion: DiagnosisReport.formatVersion, lock: path, status: status.rawValue,
                                   migrationCount: migrationCount, tipFingerprint: tipFingerprint, reasons: reasons,
                                   exitCode: exitCode.rawValue))
    }

    /// The outcome as GitHub-flavoured Markdown.
    public func markdown() -> String {
        var lines = ["## Fingerprint lock", "", "\(Markdown.code(path)): **\(status.rawValue)** (exit \(exitCode.rawValue))"]
        if !reasons.isEmpty { lines.append("") }
        lines += reasons.map { "- " + Markdown.escape($0) }
        return lines.joined(separator: "\n")
    }

    struct Document: Encodable {
        var formatVersion: Int
        var lock: String
        var status: String
        var migrationCount: Int?
        var tipFingerprint: String
        var reasons: [String]
        var exitCode: Int32

        enum CodingKeys: String, CodingKey {
            case formatVersion, lock, status, migrationCount, tipFingerprint, reasons, exitCode
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(formatVersion, forKey: .formatVersion)
            try container.encode(lock, forKey: .lock)
            try container.encode(status, forKey: .status)
            try container.encode(migrationCount, forKey: .migrationCount)
            try container.encode(tipFingerprint, forKey: .tipFingerprint)
            try container.encode(reasons, forKey: .reasons)
            try container.encode(exitCode, forKey: .exitCode)
        }
    }
}
