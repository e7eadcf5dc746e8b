import Foundation

/// A canonical, structural snapshot of a schema: objects by identity, and one hash for the whole.
///
/// Two snapshots have the same ``hash`` exactly when they hold the same objects with the same
/// structure, whatever the SQL text SQLite stored (ALTER TABLE rewrites it) and whatever the order
/// objects were created in.
///
/// ```swift
/// let snapshot = try SchemaIntrospector().snapshot(of: db)
/// print(snapshot.hash.short, snapshot.objects.count)
/// ```
public struct SchemaSnapshot: Sendable, Hashable {
    /// Objects by identity.
    public let objects: [ObjectKey: SchemaObject]
    /// Combined hash of every object, in key order.
    public let hash: Digest
    /// Caveats gathered while reading the schema.
    public let notes: [String]

    /// Creates a snapshot and computes its hash.
    public init(objects: [ObjectKey: SchemaObject], notes: [String] = []) {
        self.objects = objects
        self.notes = notes
        self.hash = SchemaSnapshot.combinedHash(objects)
    }

    /// The empty schema: a fresh database.
    public static let empty = SchemaSnapshot(objects: [:])

    /// Whether the schema holds no object at all.
    public var isEmpty: Bool { objects.isEmpty }

    /// The snapshot without the objects whose keys are in `keys`.
    public func removing(_ keys: some Sequence<ObjectKey>) -> SchemaSnapshot {
        var copy = objects
        for key in keys { copy[key] = nil }
        return SchemaSnapshot(objects: copy, notes: notes)
    }

    /// The hash of a set of objects: SHA-256 over `kind, name, object hash` lines in key order.
    static func combinedHash(_ objects: [ObjectKey: SchemaObject]) -> Digest {
        var text = "schema-reconcile snapshot v\(SchemaSnapshot.formatVersion)\n"
        for key in objects.keys.sorted() {
            text += "\(key.kind.rawValue)\t\(key.name)\t\(objects[key]!.hash.hex)\n"
        }
        return Digest.sha256(of: text)
    }

    /// Bumped whenever the canonical form changes, so stored fingerprints can be told apart.
    public static let formatVersion = 1
}
