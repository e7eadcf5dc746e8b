import Foundation

/// One object of a canonical schema snapshot: a table, index, view, trigger, virtual table or tracked pragma.
///
/// An object is described by ordered facets (canonical properties such as `column title` or
/// `definition`); its hash covers kind, name and facets, so two objects are equal exactly when their
/// structure is. Names compare case-insensitively (ASCII only, as SQLite does); `name` keeps the
/// original spelling for reports.
///
/// ```swift
/// let snapshot = try SchemaIntrospector().snapshot(of: db)
/// for object in snapshot.objects.values where object.kind == .table {
///     print(object.name, object.facets.count, object.hash.short)
/// }
/// ```
public struct SchemaObject: Sendable, Hashable, Codable {
    /// What sort of object this is.
    public enum Kind: String, Sendable, Hashable, Codable, Comparable, CaseIterable {
        case table
        case virtualTable = "virtual table"
        case index
        case view
        case trigger
        case pragma

        public static func < (lhs: Kind, rhs: Kind) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// One canonical property: a label (such as `column title`) and its canonical value.
    public struct Facet: Sendable, Hashable, Codable {
        public var label: String
        public var value: String

        public init(_ label: String, _ value: String) {
            self.label = label
            self.value = value
        }
    }

    /// The kind of object.
    public let kind: Kind
    /// The name as spelled in the schema.
    public let name: String
    /// The table an index or trigger belongs to, as spelled in the schema.
    public let tableName: String?
    /// Canonical properties, in a fixed order.
    public let facets: [Facet]
    /// Shadow tables owned by a virtual table (not hashed: they are the module's business).
    public private(set) var shadowTables: [String]
    /// Caveats about how the object was read (for example a pragma that failed and a text fallback).
    public let notes: [String]
    /// SHA-256 of kind, canonical name and facets.
    public let hash: Digest

    /// Creates an object and computes its hash.
    public init(kind: Kind, name: String, tableName: String? = nil, facets: [Facet],
                shadowTables: [String] = [], notes: [String] = []) {
        self.kind = kind
        self.name = name
        self.tableName = tableName
        self.facets = facets
        self.shadowTables = shadowTables
        self.notes = notes
        var text = "\(kind.rawValue)\n\(SchemaObject.canonicalName(name))\n"
        for facet in facets {
            text += "\(facet.label)\t\(facet.value)\n"
        }
        self.hash = Digest.sha256(of: text)
    }

    /// An object whose hash is already known (read back from the launch cache, or rebuilt from parts
    /// of an object that was hashed): nothing is re-hashed.
    init(kind: Kind, name: String, tableName: String?, facets: [Facet], shadowTables: [String], notes: [String], hash: Digest) {
        self.kind = kind
        self.name = name
        self.tableName = tableName
        self.facets = facets
        self.shadowTables = shadowTables
        self.notes = notes
        self.hash = hash
    }

    /// A stand-in with only identity and hash (no facets): enough to match fingerprints, not to explain
    /// differences. The fingerprint lock's quick index is made of these.
    init(stubOf object: SchemaObject) {
        self.kind = object.kind
        self.name = object.name
        self.tableName = object.tableName
        self.facets = []
        self.shadowTables = []
        self.notes = []
        self.hash = object.hash
    }

    /// This object holding the strings of `older` wherever a facet is unchanged, so the versions of one
    /// table that a timeline keeps share their unchanged columns' text instead of holding a copy each.
    /// Equal strings give an equal hash, so the hash is kept as is.
    func sharingFacets(with older: SchemaObject) -> SchemaObject {
        var olderByLabel: [String: Facet] = [:]
        for facet in older.facets { olderByLabel[facet.label] = facet }
        var facets = self.facets
        for index in facets.indices {
            guard let old = olderByLabel[facets[index].label] else { continue }
            facets[index].label = old.label
            if old.value == facets[index].value { facets[index].value = old.value }
        }
        return SchemaObject(kind: kind, name: name, tableName: tableName, facets: facets,
                            shadowTables: shadowTables, notes: notes, hash: hash)
    }

    /// The same object owning `shadowTables` (they are not hashed, so the hash is kept as is).
    func owning(shadowTables: [String]) -> SchemaObject {
        var copy = self
        copy.shadowTables = shadowTables
        return copy
    }

    /// The identity of this object inside a snapshot.
    public var key: ObjectKey { ObjectKey(kind: kind, name: name) }

    /// The value of the facet with `label`, if any.
    public func facet(_ label: String) -> String? { facets.first { $0.label == label }?.value }

    /// ASCII-lowercased name: SQLite compares identifiers case-insensitively for ASCII letters only.
    public static func canonicalName(_ name: String) -> String {
        var bytes = Array(name.utf8)
        for i in bytes.indices where bytes[i] >= UInt8(ascii: "A") && bytes[i] <= UInt8(ascii: "Z") {
            bytes[i] += 32
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The identity of a schema object: its kind and its case-folded name.
///
/// ```swift
/// let key = ObjectKey(kind: .table, name: "Threads")
/// assert(key == ObjectKey(kind: .table, name: "threads"))
/// ```
public struct ObjectKey: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The kind of object.
    public let kind: SchemaObject.Kind
    /// The ASCII-lowercased name.
    public let name: String

    /// Creates a key; `name` is case-folded.
    public init(kind: SchemaObject.Kind, name: String) {
        self.kind = kind
        self.name = SchemaObject.canonicalName(name)
    }

    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        (lhs.kind, lhs.name) < (rhs.kind, rhs.name)
    }

    public var description: String { "\(kind.rawValue) \(name)" }
}
