import Foundation

/// Per-version fingerprints of a migration set: F(0) for the empty schema, then F(v) after each migration.
///
/// The timeline keeps, per version, only the fingerprint and the effect (objects added, removed and
/// changed); the schema at any version is rebuilt from effects when a diagnosis needs it.
///
/// ```swift
/// let timeline = try Fingerprinter().fingerprint(set)
/// for step in timeline.steps.dropFirst() {
///     print(step.version, step.fingerprint.short, step.isSchemaSilent ? "schema-silent" : step.effect.summary)
/// }
/// ```
public struct FingerprintTimeline: Sendable {
    /// One point of the timeline: the schema after applying `migration` (or before any, at index 0).
    public struct Step: Sendable {
        /// The migration applied at this step; nil for the starting point.
        public let migration: Migration?
        /// The hash of the canonical schema after this step.
        public let fingerprint: Digest
        /// What this step changed compared with the previous one.
        public let effect: SchemaDiff

        /// The version of this step; 0 for the starting point.
        public var version: MigrationVersion { migration?.version ?? 0 }
        /// Whether the migration leaves no schema trace (data-only, or DDL with a net-zero effect).
        public var isSchemaSilent: Bool { migration != nil && effect.isEmpty }
    }

    /// Steps in order; `steps[0]` is the empty schema before any migration.
    public let steps: [Step]
    /// Every object key that appears at some version: extra objects outside it are foreign.
    public let everCreated: Set<ObjectKey>
    /// Header pragmas counted in snapshots because some migration sets them.
    public let trackedPragmas: [String]
    /// Names (case-folded) that some migration's SQL creates, with the first such version, including
    /// scratch objects a migration creates and drops again: such a name in a database is evidence of an
    /// interrupted migration, not an app's own object.
    public let namesCreatedBySQL: [String: MigrationVersion]
    /// Objects met during the replay by their exact stored text, so a database built by these
    /// migrations can be snapshotted without pragmas.
    let knownObjects: [SchemaIntrospector.KnownObject]
    /// The migration that failed to replay, when the timeline stops before the newest version.
    public let replayFailure: ReplayError?
    private let indexByVersion: [MigrationVersion: Int]

    /// Creates a timeline from steps.
    init(steps: [Step], trackedPragmas: [String], namesCreatedBySQL: [String: MigrationVersion] = [:],
                knownObjects: [SchemaIntrospector.KnownObject] = [], replayFailure: ReplayError? = nil) {
        self.knownObjects = knownObjects
        self.replayFailure = replayFailure
        self.steps = steps
        var indexByVersion: [MigrationVersion: Int] = [:]
        for (index, step) in steps.enumerated() where indexByVersion[step.version] == nil { indexByVersion[step.version] = index }
        self.indexByVersion = indexByVersion
        self.trackedPragmas = trackedPragmas
        self.namesCreatedBySQL = namesCreatedBySQL
        var keys: Set<ObjectKey> = []
        for step in steps {
            for object in step.effect.added { keys.insert(object.key) }
        }
        self.everCreated = keys
    }

    /// Whether no bundled migration could have created an object with this key.
    public func isForeign(_ key: ObjectKey) -> Bool {
        !everCreated.contains(key) && namesCreatedBySQL[key.name] == nil
    }

    /// The fingerprint of the tip, the newest version.
    public var tip: Step { steps[steps.count - 1] }

    /// The index of `version` in ``steps``.
    public func index(of version: MigrationVersion) -> Int? {
        // A migration numbered 0 (sqlx allows it) takes precedence over the starting point.
        if version == 0, steps.count > 1, steps[1].version == 0 { return 1 }
        return indexByVersion[version]
    }

    /// The schema objects after step `index`, rebuilt from effects.
    public func objects(atIndex index: Int) -> [ObjectKey: SchemaObject] {
        var objects: [ObjectKey: SchemaObject] = [:]
        for step in steps[...index] {
            apply(step.effect, to: &objects)
        }
        return objects
    }

    /// Calls `body` with the objects after each step, in order, rebuilding them incrementally.
    public func forEachSchema(_ body: (Int, [ObjectKey: SchemaObject]) throws -> Void) rethrows {
        var objects: [ObjectKey: SchemaObject] = [:]
        for (index, step) in steps.enumerated() {
            apply(step.effect, to: &objects)
            try body(index, objects)
        }
    }

    /// The earliest version whose schema holds exactly `object` (same key and structure), if any.
    public func firstVersion(defining object: SchemaObject) -> MigrationVersion? {
        for step in steps {
            if step.effect.added.contains(where: { $0.hash == object.hash })
                || step.effect.changedObjects.contains(where: { $0.hash == object.hash }) {
                return step.version
            }
        }
        return nil
    }

    private func apply(_ effect: SchemaDiff, to objects: inout [ObjectKey: SchemaObject]) {
        for object in effect.removed { objects[object.key] = nil }
        for object in effect.added { objects[object.key] = object }
        for object in effect.changedObjects { objects[object.key] = object }
    }
}
