import Foundation
import GRDBSQLite

/// A committed record of a migration set's fingerprints (`schema-fingerprints.json` beside the
/// migrations), so that a pre-launch check decides a healthy database without replaying anything.
///
/// The lock is trusted only when every migration file's checksum, the ledger table, the ignored
/// objects and the snapshot format match what it was made from; otherwise the caller replays.
///
/// ```swift
/// let lock = FingerprintLock(reconciler: reconciler)
/// try lock.write(to: folder.appendingPathComponent(FingerprintLock.fileName))
/// if let reasons = lock.staleness(for: set, options: options) { print("stale:", reasons) }
/// ```
public struct FingerprintLock: Sendable, Codable {
    /// The lock's file name inside the migrations folder (sqlx ignores files not named `N_x.sql`).
    public static let fileName = "schema-fingerprints.json"
    /// The layout version of this document.
    public static let currentFormat = 1

    /// One migration's entry.
    public struct Entry: Sendable, Codable {
        public var version: Int64
        public var fileName: String
        public var checksum: Digest
        public var fingerprint: Digest
        public var schemaSilent: Bool
        /// A one-line summary for people reading the lock in a code review.
        public var summary: String
        /// The full effect, so diagnoses can show evidence without a replay.
        public var effect: SchemaDiff
    }

    public var formatVersion: Int
    public var snapshotFormat: Int
    public var sqliteVersion: String
    public var toolVersion: String
    public var ledgerTable: String
    public var ignoredObjects: [String]
    public var trackedPragmas: [String]
    public var namesCreatedBySQL: [String: Int64]
    /// SHA-256 of `reconcile.toml` when the lock was written (its probes were compiled then).
    public var manifestDigest: Digest?
    public var baseFingerprint: Digest
    public var baseEffect: SchemaDiff
    public var migrations: [Entry]
    /// Every object's canonical form by exact stored text (makes a healthy check pragma-free).
    public var knownObjects: [SchemaIntrospector.KnownObject]

    /// A lock describing `timeline` of `set`.
    public init(migrations set: MigrationSet, timeline: FingerprintTimeline, options: SnapshotOptions,
                manifest: Manifest? = nil) {
        formatVersion = Self.currentFormat
        snapshotFormat = SchemaSnapshot.formatVersion
        sqliteVersion = String(cString: sqlite3_libversion())
        toolVersion = ToolVersion.current
        ledgerTable = options.ledgerTable
        ignoredObjects = options.ignored.map(\.pattern)
        trackedPragmas = timeline.trackedPragmas
        namesCreatedBySQL = timeline.namesCreatedBySQL
        manifestDigest = manifest?.digest
        baseFingerprint = timeline.steps[0].fingerprint
        baseEffect = timeline.steps[0].effect
        knownObjects = timeline.knownObjects
        migrations = timeline.steps.dropFirst().compactMap { step in
            guard let migration = step.migration else { return nil }
            return Entry(version: migration.version, fileName: migration.fileName, checksum: migration.checksum,
                         fingerprint: step.fingerprint, schemaSilent: step.isSchemaSilent,
                         summary: step.isSchemaSilent ? "schema-silent" : step.effect.summary, effect: step.effect)
        }
    }

    /// A lock describing what `reconciler` replayed.
    public init(reconciler: Reconciler) {
        self.init(migrations: reconciler.migrations, timeline: reconciler.timeline, options: reconciler.snapshotOptions,
                  manifest: reconciler.manifest)
    }

    // MARK: - Files

    /// Reads a lock file; nil when there is none.
    public static func read(from url: URL) throws -> FingerprintLock? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let data = try Data(contentsOf: url)
        return try JSONDecoder().decode(FingerprintLock.self, from: data)
    }

    /// Writes the lock as stable, sorted JSON (atomically: a reader never sees half a file).
    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try (encoder.encode(self) + Data("\n".utf8)).write(to: url, options: .atomic)
    }

    // MARK: - Trust

    /// Why the lock does not describe `set` with `options`; nil when it does.
    public func staleness(for set: MigrationSet, options: SnapshotOptions, manifest: Manifest? = nil) -> [String]? {
        var reasons: [String] = []
        if manifestDigest != manifest?.digest {
            reasons.append("\(Manifest.fileName) changed since the lock was written")
        }
        if formatVersion != Self.currentFormat { reasons.append("lock format \(formatVersion), expected \(Self.currentFormat)") }
        if snapshotFormat != SchemaSnapshot.formatVersion {
            reasons.append("snapshot format \(snapshotFormat), this tool uses \(SchemaSnapshot.formatVersion)")
        }
        // The ledger name matters only if some migration creates an object of that name (it would be excluded).
        let otherLedger = SchemaObject.canonicalName(options.ledgerTable)
        let ledgerNameUsed = namesCreatedBySQL[otherLedger] != nil
            || migrations.contains { $0.effect.added.contains { $0.key.name == otherLedger } }
        if SchemaObject.canonicalName(ledgerTable) != otherLedger, ledgerNameUsed {
            reasons.append("made for ledger table \(ledgerTable), not \(options.ledgerTable)")
        }
        if ignoredObjects != options.ignored.map(\.pattern) {
            reasons.append("made with ignored objects \(ignoredObjects), not \(options.ignored.map(\.pattern))")
        }
        let locked = Dictionary(migrations.map { ($0.version, $0) }, uniquingKeysWith: { first, _ in first })
        let bundled = set.applying
        for migration in bundled {
            guard let entry = locked[migration.version] else {
                reasons.append("\(migration.fileName) is not in the lock (added)")
                continue
            }
            if entry.checksum != migration.checksum { reasons.append("\(migration.fileName) changed since the lock was written") }
            if entry.fileName != migration.fileName { reasons.append("version \(migration.version) was \(entry.fileName), now \(migration.fileName)") }
        }
        let bundledVersions = Set(bundled.map(\.version))
        for entry in migrations where !bundledVersions.contains(entry.version) {
            reasons.append("\(entry.fileName) is in the lock but no longer bundled (removed)")
        }
        return reasons.isEmpty ? nil : reasons
    }

    /// The timeline the lock records, bound to `set`'s migrations; nil when stale.
    public func timeline(for set: MigrationSet, options: SnapshotOptions, manifest: Manifest? = nil) -> FingerprintTimeline? {
        guard staleness(for: set, options: options, manifest: manifest) == nil else { return nil }
        var steps = [FingerprintTimeline.Step(migration: nil, fingerprint: baseFingerprint, effect: baseEffect)]
        for (migration, entry) in zip(set.applying, migrations) {
            steps.append(.init(migration: migration, fingerprint: entry.fingerprint, effect: entry.effect))
        }
        return FingerprintTimeline(steps: steps, trackedPragmas: trackedPragmas, namesCreatedBySQL: namesCreatedBySQL,
                                   knownObjects: knownObjects)
    }
}
