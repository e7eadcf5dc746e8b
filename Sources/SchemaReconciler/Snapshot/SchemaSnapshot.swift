import Crypto
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
        // Nothing removed (the usual case: no foreign objects): keep the hash already computed.
        guard copy.count != objects.count else { return self }
        return SchemaSnapshot(objects: copy, notes: notes)
    }

    /// The hash of a set of objects: SHA-256 over `kind, name, object hash` lines in key order.
    ///
    /// The lines (``hashLine(_:_:)``) go to the hasher in one buffer. A replay does not call this per
    /// step: it keeps its lines sorted and uses ``combinedHash(lines:)``, which gives the same digest.
    static func combinedHash(_ objects: [ObjectKey: SchemaObject]) -> Digest {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(objects.count * 96)
        for key in objects.keys.sorted() { bytes += hashLine(key, objects[key]!.hash) }
        return combinedHash(lines: CollectionOfOne(bytes))
    }

    /// The same hash from lines already in key order (see ``hashLine(_:_:)``): a replay keeps its lines
    /// sorted between steps, so it need not sort or spell every object again after each migration.
    static func combinedHash(lines: some Sequence<[UInt8]>) -> Digest {
        var hasher = SHA256()
        hasher.update(data: Array("schema-reconcile snapshot v\(SchemaSnapshot.formatVersion)\n".utf8))
        for line in lines { line.withUnsafeBytes { hasher.update(bufferPointer: $0) } }
        return Digest(bytes: Array(hasher.finalize()))
    }

    /// One object's line of the combined hash: `kind TAB name TAB hex(object hash) LF`.
    static func hashLine(_ key: ObjectKey, _ hash: Digest) -> [UInt8] {
        let digits = Array("0123456789abcdef".utf8)
        var line: [UInt8] = []
        line.reserveCapacity(key.kind.rawValue.utf8.count + key.name.utf8.count + 67)
        line.append(contentsOf: key.kind.rawValue.utf8)
        line.append(9)
        line.append(contentsOf: key.name.utf8)
        line.append(9)
        for byte in hash.bytes.prefix(32) {
            line.append(digits[Int(byte >> 4)])
            line.append(digits[Int(byte & 0x0F)])
        }
        line.append(10)
        return line
    }

    /// Bumped whenever the canonical form changes, so stored fingerprints can be told apart.
    public static let formatVersion = 1
}
