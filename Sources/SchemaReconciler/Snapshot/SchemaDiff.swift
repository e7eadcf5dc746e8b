import Foundation

/// The difference between two snapshots, object by object, with facet-level detail for changes.
///
/// ```swift
/// let diff = SchemaDiff(from: before, to: after)
/// for change in diff.changed {
///     print(change.key, change.facetChanges.map(\.label))
/// }
/// ```
public struct SchemaDiff: Sendable, Hashable, Codable {
    /// A facet that differs between two versions of one object; nil on a side means absent.
    public struct FacetChange: Sendable, Hashable, Codable {
        public let label: String
        public let before: String?
        public let after: String?
    }

    /// An object present on both sides with a different structure.
    public struct Change: Sendable, Hashable, Codable {
        public let key: ObjectKey
        public let name: String
        public let facetChanges: [FacetChange]
        /// The object as it is on the newer side.
        public let object: SchemaObject
    }

    /// Objects only in the newer snapshot.
    public let added: [SchemaObject]
    /// Objects only in the older snapshot.
    public let removed: [SchemaObject]
    /// Objects in both, changed.
    public let changed: [Change]

    /// Whether both sides are structurally equal.
    public var isEmpty: Bool { added.isEmpty && removed.isEmpty && changed.isEmpty }

    /// The changed objects as they are on the newer side.
    public var changedObjects: [SchemaObject] { changed.map(\.object) }

    /// A short summary such as `+table thread_names, ~table threads, -table logs`.
    public var summary: String {
        let parts = added.map { "+\($0.key)" } + changed.map { "~\($0.key)" } + removed.map { "-\($0.key)" }
        return parts.isEmpty ? "no schema change" : parts.joined(separator: ", ")
    }

    /// Number of differing objects.
    public var size: Int { added.count + removed.count + changed.count }

    /// The same diff with every object reduced to its identity and hash (see ``SchemaObject/init(stubOf:)``).
    var stubbed: SchemaDiff {
        SchemaDiff(added: added.map(SchemaObject.init(stubOf:)), removed: removed.map(SchemaObject.init(stubOf:)),
                   changed: changed.map { Change(key: $0.key, name: $0.name, facetChanges: [], object: SchemaObject(stubOf: $0.object)) })
    }

    init(added: [SchemaObject], removed: [SchemaObject], changed: [Change]) {
        self.added = added
        self.removed = removed
        self.changed = changed
    }

    /// Compares `old` to `new` (either as snapshots or as object maps).
    public init(from old: SchemaSnapshot, to new: SchemaSnapshot) {
        self.init(from: old.objects, to: new.objects)
    }

    /// Compares two object maps.
    public init(from old: [ObjectKey: SchemaObject], to new: [ObjectKey: SchemaObject]) {
        var added: [SchemaObject] = []
        var removed: [SchemaObject] = []
        var changed: [Change] = []
        // Walk unsorted and sort only what differs: replay diffs every step, and most keys match.
        for (key, newObject) in new {
            if let oldObject = old[key] {
                if oldObject.hash != newObject.hash {
                    changed.append(Change(key: key, name: newObject.name,
                                          facetChanges: SchemaDiff.facetChanges(oldObject, newObject),
                                          object: newObject))
                }
            } else {
                added.append(newObject)
            }
        }
        for (key, oldObject) in old where new[key] == nil {
            removed.append(oldObject)
        }
        self.added = added.sorted { $0.key < $1.key }
        self.removed = removed.sorted { $0.key < $1.key }
        self.changed = changed.sorted { $0.key < $1.key }
    }

    static func facetChanges(_ old: SchemaObject, _ new: SchemaObject) -> [FacetChange] {
        var oldByLabel: [String: String] = [:]
        for facet in old.facets { oldByLabel[facet.label] = facet.value }
        var newByLabel: [String: String] = [:]
        for facet in new.facets { newByLabel[facet.label] = facet.value }
        var changes: [FacetChange] = []
        for facet in new.facets where oldByLabel[facet.label] != facet.value {
            changes.append(FacetChange(label: facet.label, before: oldByLabel[facet.label], after: facet.value))
        }
        for facet in old.facets where newByLabel[facet.label] == nil {
            changes.append(FacetChange(label: facet.label, before: facet.value, after: nil))
        }
        return changes
    }
}
