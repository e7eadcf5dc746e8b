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
        public var version: MigrationVersion
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
    public var namesCreatedBySQL: [String: MigrationVersion]
    /// SHA-256 of `reconcile.toml` when the lock was written (its probes were compiled then).
    public var manifestDigest: Digest?
    public var baseFingerprint: Digest
    public var baseEffect: SchemaDiff
    public var migrations: [Entry]
    /// Every object's canonical form by exact stored text (makes a healthy check pragma-free).
    var knownObjects: [SchemaIntrospector.KnownObject]
    /// The ignore patterns that came from the manifest (the rest came from flags).
    public var manifestIgnored: [String]
    /// The manifest's probes (the quick check runs them without parsing the manifest).
    public var manifestProbes: [Manifest.Probe]
    /// A compact copy of the timeline (objects reduced to identity and hash) that a quick check
    /// decodes instead of the whole lock.
    public var quick: QuickIndex

    /// What a quick check needs: per-version fingerprints and effects, and stored texts, all as stubs.
    public struct QuickIndex: Sendable, Codable {
        public var effects: [SchemaDiff]
        var knownObjects: [SchemaIntrospector.KnownObject]
    }

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
        manifestIgnored = manifest?.ignored.map(\.pattern) ?? []
        manifestProbes = manifest?.probes ?? []
        quick = QuickIndex(effects: timeline.steps.map(\.effect.stubbed),
                           knownObjects: timeline.knownObjects.map { known in
                               var stub = known
                               stub.object = known.object.map(SchemaObject.init(stubOf:))
                               return stub
                           })
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

    /// The lock's file contents: stable, sorted JSON and a final newline (what ``write(to:)`` writes).
    ///
    /// ```swift
    /// let data = try FingerprintLock(reconciler: reconciler).encoded()
    /// ```
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
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
        // A new file beside the lock, renamed over it: never written through a link planted at its name.
        let mode: mode_t = ExclusiveFile.entryKind(url.path) == S_IFREG ? ExclusiveFile.modeBits(of: url.path) : 0o644
        try ExclusiveFile.replace(url.path, with: try encoder.encode(self) + Data("\n".utf8), mode: mode)
    }

    // MARK: - Quick index

    /// The part of a lock a quick check reads; the JSON decoder skips every other key.
    public struct QuickLock: Sendable, Decodable {
        public struct Entry: Sendable, Decodable {
            public var version: MigrationVersion
            public var fileName: String
            public var checksum: Digest
            public var fingerprint: Digest
        }

        public var formatVersion: Int
        public var snapshotFormat: Int
        public var ledgerTable: String
        public var ignoredObjects: [String]
        public var manifestIgnored: [String]
        public var manifestProbes: [Manifest.Probe]
        public var trackedPragmas: [String]
        public var namesCreatedBySQL: [String: MigrationVersion]
        public var manifestDigest: Digest?
        public var baseFingerprint: Digest
        public var migrations: [Entry]
        public var quick: QuickIndex

        /// A timeline of stubs for `set`, when the lock matches it exactly; nil otherwise.
        func timeline(for set: MigrationSet, options: SnapshotOptions, manifestDigest digest: Digest?) -> FingerprintTimeline? {
            guard formatVersion == FingerprintLock.currentFormat, snapshotFormat == SchemaSnapshot.formatVersion,
                  manifestDigest == digest,
                  SchemaObject.canonicalName(ledgerTable) == SchemaObject.canonicalName(options.ledgerTable),
                  ignoredObjects == options.ignored.map(\.pattern),
                  quick.effects.count == migrations.count + 1 else { return nil }
            let bundled = set.applying
            guard bundled.count == migrations.count,
                  zip(bundled, migrations).allSatisfy({ $0.version == $1.version && $0.checksum == $1.checksum && $0.fileName == $1.fileName })
            else { return nil }
            var steps = [FingerprintTimeline.Step(migration: nil, fingerprint: baseFingerprint, effect: quick.effects[0])]
            for (index, migration) in bundled.enumerated() {
                steps.append(.init(migration: migration, fingerprint: migrations[index].fingerprint, effect: quick.effects[index + 1]))
            }
            return FingerprintTimeline(steps: steps, trackedPragmas: trackedPragmas, namesCreatedBySQL: namesCreatedBySQL,
                                       knownObjects: quick.knownObjects)
        }
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
