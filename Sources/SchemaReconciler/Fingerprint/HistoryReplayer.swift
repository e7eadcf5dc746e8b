import Foundation

/// Replays hypotheses about what a database ran: a set of bundled migrations in a given order.
///
/// The prefix timeline (every migration in version order) answers most databases. When a ledger
/// records another set or order (an out-of-order merge, renumbered files), the diagnosis replays
/// what the ledger claims, in its order, and a few single-version changes near it. Hypotheses share
/// long common starts, so the replayer keeps copies of the replay database at regular points of
/// each sequence and resumes the next hypothesis from the longest shared prefix.
///
/// ```swift
/// let replayer = HistoryReplayer(options: reconciler.snapshotOptions, timeline: reconciler.timeline)
/// let ledgerOrder = [1, 3, 2].compactMap { reconciler.migrations.applied(version: $0) }
/// let timeline = replayer.timeline(for: ledgerOrder)
/// print(timeline.tip.fingerprint.short, timeline.replayFailure?.description ?? "replayed whole")
/// ```
final class HistoryReplayer: @unchecked Sendable {
    private let options: SnapshotOptions
    private let bundled: FingerprintTimeline
    private let lock = NSLock()
    private var checkpoints: [[MigrationVersion]: ReplayCursor] = [:]
    private var results: [[MigrationVersion]: FingerprintTimeline] = [:]
    /// Replays run so far (for tests and benchmarks: a healthy database runs none).
    public private(set) var replayCount = 0

    /// Most checkpoints kept at once; each is a copy of a schema-only in-memory database.
    static let checkpointLimit = 16

    /// Creates a replayer for the migrations behind `timeline`, snapshotting as `options` says.
    public init(options: SnapshotOptions, timeline: FingerprintTimeline) {
        var options = options
        options.trackedPragmas = timeline.trackedPragmas
        self.options = options
        self.bundled = timeline
    }

    /// The timeline of `sequence` applied in that order; when a migration fails, the timeline ends
    /// before it and ``FingerprintTimeline/replayFailure`` says why (that order is impossible past it).
    public func timeline(for sequence: [Migration]) -> FingerprintTimeline {
        lock.lock()
        defer { lock.unlock() }
        let key = sequence.map(\.version)
        if let known = results[key] { return known }
        let (cursor, failure) = replay(sequence, key: key)
        let result = FingerprintTimeline(steps: cursor?.steps ?? [], trackedPragmas: options.trackedPragmas,
                                         namesCreatedBySQL: bundled.namesCreatedBySQL, replayFailure: failure)
        results[key] = result
        return result
    }

    /// How many leading statements of `migration`, run after `prefix`, give a schema with fingerprint
    /// `fingerprint` (and how many statements it has); nil when no proper prefix of it does.
    public func statementPrefix(of migration: Migration, after prefix: [Migration], matching fingerprint: Digest) -> (ran: Int, total: Int)? {
        lock.lock()
        defer { lock.unlock() }
        let total = ReplayCursor.statementCount(migration.sql)
        guard total > 1 else { return nil }
        let (start, failure) = replay(prefix, key: prefix.map(\.version))
        guard let start, failure == nil else { return nil }
        for ran in 1..<total {
            guard var cursor = try? start.copy() else { return nil }
            guard (try? cursor.apply(migration, statementLimit: ran)) != nil else { return nil }
            if cursor.fingerprint == fingerprint { return (ran, total) }
        }
        return nil
    }

    /// Replays `sequence` from the longest checkpoint of it, keeping checkpoints along the way and at its end.
    private func replay(_ sequence: [Migration], key: [MigrationVersion]) -> (ReplayCursor?, ReplayError?) {
        replayCount += 1
        let stride = max(1, sequence.count / 8)
        var cursor: ReplayCursor
        var start = 0
        do {
            if let (length, saved) = longestCheckpoint(for: key) {
                cursor = try saved.copy()
                start = length
            } else {
                cursor = try ReplayCursor(options: options, known: bundled.knownObjects)
            }
        } catch {
            return (nil, ReplayError(version: sequence.first?.version ?? 0, path: sequence.first?.url.path ?? "",
                                     message: "cannot open the replay database: \(error)"))
        }
        for position in start..<sequence.count {
            if position > start, position % stride == 0 { keep(cursor, at: Array(key[..<position])) }
            do {
                try cursor.apply(sequence[position])
            } catch let error as ReplayError {
                return (cursor, error)
            } catch {
                return (cursor, ReplayError(version: sequence[position].version, path: sequence[position].url.path, message: "\(error)"))
            }
        }
        keep(cursor, at: key)
        return (cursor, nil)
    }

    private func keep(_ cursor: ReplayCursor, at prefix: [MigrationVersion]) {
        guard checkpoints[prefix] == nil, let copy = try? cursor.copy() else { return }
        if checkpoints.count >= Self.checkpointLimit { checkpoints.removeAll() }
        checkpoints[prefix] = copy
    }

    private func longestCheckpoint(for key: [MigrationVersion]) -> (Int, ReplayCursor)? {
        var length = key.count
        while length > 0 {
            if let saved = checkpoints[Array(key[..<length])] { return (length, saved) }
            length -= 1
        }
        return nil
    }
}
